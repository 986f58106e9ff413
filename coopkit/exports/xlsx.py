"""The Excel workbook: one sheet per table, headers frozen, every cell written safe.

Lays out :class:`~coopkit.exports.tables.Table` objects with openpyxl; each value goes
through :func:`coopkit.cells.write_cell`, so no participant's text becomes a formula.
"""

from __future__ import annotations

from coopkit.cells import clean_text, write_cell

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
