"""Exports: a workshop's or a project's figures as files a committee reads.

Data flows one way: :mod:`~coopkit.exports.gather` reads the store once into a
``Report``; :mod:`~coopkit.exports.tables` turns it into display-ready tables (pure);
the writers (:mod:`~coopkit.exports.xlsx`, :mod:`~coopkit.exports.csvfile`,
:mod:`~coopkit.exports.pdf`) put those on disk; :mod:`~coopkit.exports.write` is the
front door of the notebooks and of ``coopkit export``. The printed questionnaire and its
page layout are :mod:`~coopkit.exports.paper` and :mod:`~coopkit.exports.layout`.

Knows nothing of widgets (``tests/test_layout.py`` checks it). Nothing is imported here
eagerly: the writers need matplotlib or openpyxl, loaded only when a file is written.
"""
