"""Widget helpers both apps use: escaping, the stylesheet, notices
(:mod:`~coopkit.widgets.html`) and the answer controls of one item
(:mod:`~coopkit.widgets.items`), shared by the phone form and the consultant's paper
entry.

Knows nothing of the participant app, the consultant's tools or the store
(``tests/test_layout.py`` checks it).
"""
