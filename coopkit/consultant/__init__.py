"""The consultant's tools in the notebooks: the room's live view, proposal capture and
the action register, paper entry, the awareness quiz and the feelings exercise.

Each is a widget with one ``value``, testable without a browser. Reads and writes go
through the store's API, never SQL (``tests/test_layout.py`` checks it). Nothing is
imported here eagerly: each notebook imports the one module it uses.
"""
