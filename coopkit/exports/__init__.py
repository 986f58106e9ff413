"""Exports: a workshop's or a project's figures as files a committee reads.

Data flows one way: :mod:`~coopkit.exports.gather` reads the store once into a
``Report``; :mod:`~coopkit.exports.tables` turns it into display-ready tables (pure);
the writers (:mod:`~coopkit.exports.xlsx`, :mod:`~coopkit.exports.csvfile`,
:mod:`~coopkit.exports.pdf`, and :mod:`~coopkit.exports.docx` for the method's Word
documents from the follow-up tables of :mod:`~coopkit.exports.followup`) put those on
disk; :mod:`~coopkit.exports.write` is the
front door of the notebooks and of ``coopkit export``. The printed questionnaire and its
page layout are :mod:`~coopkit.exports.paper` and :mod:`~coopkit.exports.layout`.

Knows nothing of widgets (``tests/test_layout.py`` checks it). ``coopkit.exports.export``
(and ``export_xlsx``, ``export_csv``, ``export_pdf``, ``gather``) are found lazily: the
writers need matplotlib or openpyxl, loaded only when a file is written.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "FORMATS": "coopkit.exports.write",
    "export": "coopkit.exports.write",
    "export_xlsx": "coopkit.exports.write",
    "export_csv": "coopkit.exports.write",
    "export_pdf": "coopkit.exports.write",
    "export_docx": "coopkit.exports.write",
    "gather": "coopkit.exports.gather",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'coopkit.exports' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
