"""Writing cells that are safe to open in Excel or LibreOffice.

Participants and trainers write free text. A text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return can be taken for a formula by a spreadsheet (formula or
"CSV" injection: ``=HYPERLINK(...)``, ``=cmd|...``). openpyxl itself turns any string
starting with ``=`` into a formula. Here such a text is always written as a plain string
cell (``data_type = "s"``) with Excel's *quote prefix* style, so it shows and stays as
typed, even when someone edits the cell. In CSV files, where no cell type exists, the
text gets a leading apostrophe (the OWASP advice), see :func:`csv_safe`.

Characters XML forbids (control characters) are dropped instead of crashing the export.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

#: First characters that make a spreadsheet read a text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_safe(value: object) -> object:
    """A value for a CSV cell: risky texts get a leading apostrophe; numbers untouched."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


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


# ------------------------------------------------------------------ workbooks

#: Excel number formats of the column kinds of :class:`coopkit.exports.tables.Table`.
NUMBER_FORMATS = {"percent": "0%", "decimal": "0.00", "integer": "0",
                  "date": "yyyy-mm-dd hh:mm"}
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, no ``[]:*?/\\``)."""
    base = title.translate(_SHEET_FORBIDDEN).strip().strip("'")[:31] or "Sheet"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{base[:31 - len(str(n)) - 1]} {n}"
    taken.add(name.lower())
    return name


def write_workbook(tables, path, *, title: str = ""):
    """Write :class:`coopkit.exports.tables.Table` objects, one sheet each; returns the path.

    Row 1 holds the headers (bold, frozen, with filters); each column gets its number
    format; the table's note follows two rows under the data, in italics. Every text
    goes through :func:`write_cell`, so none can become a formula.
    """
    from pathlib import Path

    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    if title:
        book.properties.title = clean_text(title)[:200]
    book.properties.creator = "coopkit"
    taken: set[str] = set()
    for table in tables:
        ws = book.create_sheet(sheet_title(table.title, taken))
        frame = table.frame
        headers = [str(h) for h in frame.columns]
        for c, header in enumerate(headers, start=1):
            cell = write_cell(ws, 1, c, header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        formats = [NUMBER_FORMATS.get(table.kinds.get(h, "")) for h in headers]
        widths = [min(max(len(h), 8), 40) for h in headers]
        for r, row in enumerate(frame.itertuples(index=False), start=2):
            for c, value in enumerate(row, start=1):
                cell = write_cell(ws, r, c, value)
                if formats[c - 1] and cell.data_type in ("n", "d"):
                    cell.number_format = formats[c - 1]
                if isinstance(cell.value, str):
                    widths[c - 1] = min(max(widths[c - 1], len(cell.value)), 60)
        for c, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = width + 2
        ws.freeze_panes = "A2"
        if len(frame) and headers:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(frame) + 1}"
        if table.note:
            note = write_cell(ws, len(frame) + 3, 1, table.note)
            note.font = Font(italic=True)
    out = Path(path)
    book.save(out)
    return out
