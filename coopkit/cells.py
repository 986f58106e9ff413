"""Spreadsheet cells that never run: values safe to open in Excel or LibreOffice.

Participants and trainers write free text. A text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return can be taken for a formula by a spreadsheet (formula or
"CSV" injection: ``=HYPERLINK(...)``, ``=cmd|...``). openpyxl itself turns any string
starting with ``=`` into a formula. Here such a text is always written as a plain string
cell (``data_type = "s"``) with Excel's *quote prefix* style, so it shows and stays as
typed, even when someone edits the cell. In CSV files, where no cell type exists, the
text gets a leading apostrophe (the OWASP advice), see :func:`csv_safe`.

A CSV file is not always read with the separator it was written with: French Excel
splits on ``;``, LibreOffice asks, a "," file is often opened with ";" and the reverse.
Read with the other separator, a cell starts after *any* ``,`` or ``;`` of a text, and
quotes no longer protect it (a quote in the middle of a field is a plain character).
So :func:`csv_safe` also puts an apostrophe after every ``,``, ``;`` or tab that a
formula character follows, and turns line breaks into spaces (read with the other
separator, a line break inside quotes starts a new row): whichever separator the
spreadsheet uses, no cell of the file starts with a formula character.

Characters XML forbids (control characters) are dropped instead of crashing the export.
Shared by the exports and the XLSForm writer; knows nothing of coopkit's other modules.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is loaded by whoever writes a workbook, not by a CSV or PDF
    from openpyxl.worksheet.worksheet import Worksheet

#: Control characters an xlsx file cannot hold (openpyxl's ``ILLEGAL_CHARACTERS_RE``).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

#: First characters that make a spreadsheet read a text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: Characters after which some reading of a CSV file starts a new cell.
CELL_BREAKS = (",", ";", "\t")
#: Line breaks as Python's ``str.splitlines`` knows them (spreadsheets know fewer).
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
#: The start of a text, or a cell break, followed (after spaces and quotes, which a
#: spreadsheet may trim or take as a text delimiter) by a formula character.
_RISKY_CELL = re.compile(r"(^|[,;\t])(?=[ \"]*[=+\-@\t])")


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_safe(value: object) -> object:
    """A value for a CSV cell, safe whichever separator (``,`` or ``;``) reads it.

    Texts: line breaks become spaces, and an apostrophe goes at the start and after
    each ``,``, ``;`` or tab where a formula character (``= + - @`` or a tab) would
    otherwise open a cell, e.g. ``"a;=1"`` -> ``"a;'=1"``. Numbers are untouched.
    """
    if not isinstance(value, str):
        return value
    text = _LINE_BREAKS.sub(" ", value)
    return _RISKY_CELL.sub(lambda found: found.group(1) + "'", text)


def clean_text(text: str) -> str:
    """``text`` without the control characters an xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def plain(value: object) -> object:
    """numpy/pandas scalars to Python ones; NaN, NaT and ``pd.NA`` to ``None``."""
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(value, "item") and type(value).__module__.startswith("numpy"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_cell(ws: Worksheet, row: int, column: int, value: object):
    """Write ``value`` at (row, column); texts are never turned into formulas.

    Returns the cell. Lists become ``"a; b"``; dates with a time zone lose it (Excel
    has none); ``None`` leaves the cell empty.
    """
    value = plain(value)
    if isinstance(value, list | tuple | set | frozenset):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        value = clean_text(value)
        cell = ws.cell(row=row, column=column)
        cell.value = value
        if value and (is_risky(value) or cell.data_type != "s"):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell
    if value is not None and not isinstance(value, int | float | bool | date | datetime):
        value = clean_text(str(value))
    return ws.cell(row=row, column=column, value=value)
