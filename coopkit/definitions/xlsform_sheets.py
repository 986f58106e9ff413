"""Reading an XLSForm workbook's sheets the way pyxform, XLSForm's reference reader, does.

The rules come from pyxform (``xls2json_backends.py``, ``parsing/sheet_headers.py``,
``aliases.py``), so a form ODK or KoboToolbox accepts is read the same here:

- sheet names and column headers are case-insensitive; a header's spaces become ``_``
  (``LIST NAME``, ``list name`` and ``list_name`` are one column), and pyxform's aliases
  apply (``caption`` is ``label``, ``value`` is ``name``, ``set_form_title`` is
  ``form_title``...);
- a header's language follows ``::`` (``label::English (en)``), or a single ``:`` when no
  header of the row uses ``::`` (``label:english``, pyxform's older spelling);
- a formula cell is read as the value the spreadsheet last computed for it;
- reading stops after 60 empty rows in a row (and the header after 20 empty columns):
  a sheet formatted down to row 1 048 576 reads in the time of its real rows;
- a workbook with one sheet only, whatever its name, is the survey.

:func:`read_sheets` reads a file with openpyxl in read-only mode (pyxform itself is not
a dependency: it pins openpyxl to one exact version and brings three more packages, for
these few rules). :func:`sheet` builds a :class:`Sheet` from plain lists, for tests and
converters. Knows nothing of questionnaires: :mod:`coopkit.definitions.xlsform` turns
sheets into one.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
#: The sheets coopkit reads; any other sheet of a workbook is left alone.
XLSFORM_SHEETS = (SURVEY, CHOICES, SETTINGS)
#: pyxform stops reading a sheet after this many empty rows in a row...
MAX_EMPTY_ROWS = 60
#: ... and a header row after this many empty columns in a row.
MAX_EMPTY_COLUMNS = 20

#: pyxform's column aliases (``aliases.py``), by sheet, for the columns coopkit reads or
#: refuses; a header is first put in snake case (``List Name`` -> ``list_name``).
COLUMN_ALIASES: Mapping[str, Mapping[str, str]] = {
    SURVEY: {"caption": "label", "relevance": "relevant", "calculate": "calculation",
             "command": "type", "tag": "name", "value": "name", "readonly": "read_only",
             "count": "repeat_count", "jr:count": "repeat_count",
             "constraining_message": "constraint_message", "requiredmsg": "required_message"},
    CHOICES: {"caption": "label", "value": "name", "list": "list_name"},
    SETTINGS: {"set_form_title": "form_title", "set_form_id": "form_id"},
}

#: pyxform's spellings of the question types coopkit knows (``aliases.py`` and
#: ``question_type_dictionary.py``), to coopkit's one spelling.
TYPE_ALIASES: Mapping[str, str] = {
    "select one": "select_one", "select1": "select_one", "select one from": "select_one",
    "select one using": "select_one", "add select one prompt using": "select_one",
    "select multiple": "select_multiple", "select all that apply": "select_multiple",
    "select all that apply from": "select_multiple",
    "select multiple from": "select_multiple", "select multiple using": "select_multiple",
    "add select multiple prompt using": "select_multiple",
    "begin group": "begin_group", "end group": "end_group",
    "begin repeat": "begin_repeat", "end repeat": "end_repeat",
    "begin loop": "begin_loop", "end loop": "end_loop",
    "string": "text", "q string": "text", "add text prompt": "text",
    "int": "integer", "q int": "integer", "add integer prompt": "integer",
    "q note": "note", "add note prompt": "note",
    "get start time": "start", "get end time": "end", "get today": "today",
    "device id": "deviceid", "imei": "deviceid", "get device id": "deviceid",
    "subscriber id": "subscriberid", "get subscriber id": "subscriberid",
    "sim id": "simserial", "get sim id": "simserial",
    "phone number": "phonenumber", "get phone number": "phonenumber",
}
_LONGEST_TYPE = max(len(k.split()) for k in TYPE_ALIASES)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its columns and its non-empty rows with their spreadsheet row
    numbers. Columns are named the canonical way (``label::English (en)``, ``list_name``);
    ``written`` gives each one as the file spells it, for messages."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, object]], ...]
    written: Mapping[str, str] = field(default_factory=dict)
    #: The sheet's name as the file spells it (``SURVEY``, ``Sheet1``).
    title: str = ""
    #: Two columns that are one once normalised (``label`` and ``Label``): written names.
    duplicates: tuple[tuple[str, str], ...] = ()
    #: The row reading stopped at (a run of empty rows) when the sheet claims more rows.
    stopped_at: int | None = None
    #: Formula cells without a value saved by the spreadsheet: (row, column, formula).
    uncached: tuple[tuple[int, str, str], ...] = ()

    def column(self, canonical: str) -> str:
        """A column's name as the file spells it."""
        return self.written.get(canonical, canonical)


def snake(text: str) -> str:
    """``"List  Name"`` -> ``"list_name"``: pyxform's way of comparing headers and types."""
    return "_".join(str(text).split()).lower()


def canonical_header(sheet_name: str, header: str, *, double_colon: bool) -> str:
    """A header the way coopkit looks it up: its first part in snake case and
    de-aliased, then its language or media part after ``::`` (``media::`` dropped)."""
    text = " ".join(str(header).split())
    if double_colon or "::" in text:
        parts = [p.strip() for p in text.split("::")]
    else:
        parts = [p.strip() for p in text.split(":")]
        if len(parts) > 1 and parts[0].lower() == "jr":  # jr:count is one name
            parts = [f"jr:{parts[1]}", *parts[2:]]
    base = snake(parts[0])
    if base == "media" and len(parts) > 1:
        parts = parts[1:]
        base = snake(parts[0])
    base = COLUMN_ALIASES.get(sheet_name, {}).get(base, base)
    tail = "::".join(parts[1:])
    return f"{base}::{tail}" if tail else base


def type_words(raw: str) -> tuple[str, list[str]]:
    """A ``type`` cell as (type, its arguments): ``"select one from yes_no"`` ->
    ``("select_one", ["yes_no"])``; ``"Begin Group"`` -> ``("begin_group", [])``; an
    unknown type is returned in snake case."""
    words = str(raw).split()
    lowered = [w.lower() for w in words]
    for size in range(min(_LONGEST_TYPE, len(words)), 0, -1):
        spoken = " ".join(lowered[:size]).replace("_", " ")
        if spoken in TYPE_ALIASES:
            return TYPE_ALIASES[spoken], words[size:]
    return (lowered[0], words[1:]) if words else ("", [])


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _headers(sheet_name: str, first_row: Sequence[object]
             ) -> tuple[list[str], dict[str, str], list[tuple[str, str]]]:
    """Canonical headers (``""`` for an empty one), their written names, duplicates."""
    raw: list[str] = []
    empty = 0
    for value in first_row:
        if _is_empty(value):
            raw.append("")
            empty += 1
            if empty > MAX_EMPTY_COLUMNS:
                break
        else:
            raw.append(" ".join(str(value).split()))
            empty = 0
    while raw and not raw[-1]:
        raw.pop()
    double = any("::" in h for h in raw)
    canonical, written, duplicates = [], {}, []
    for header in raw:
        name = canonical_header(sheet_name, header, double_colon=double) if header else ""
        if name and name in written:
            duplicates.append((written[name], header))
            name = ""
        elif name:
            written[name] = header
        canonical.append(name)
    return canonical, written, duplicates


def sheet(name: str, header: Sequence[object], rows: Iterable[Sequence[object]],
          first_row: int = 2, *, title: str | None = None,
          stopped_at: int | None = None,
          uncached: Sequence[tuple[int, str, str]] = ()) -> Sheet:
    """Build a :class:`Sheet` from plain lists (row numbers count from ``first_row``),
    with pyxform's header rules and its stop after a run of empty rows."""
    key = name.strip().lower()
    head, written, duplicates = _headers(key, header)
    kept = []
    empty = 0
    for number, values in enumerate(rows, start=first_row):
        cells = {h: v for h, v in zip(head, values, strict=False)
                 if h and not _is_empty(v)}
        if cells:
            kept.append((number, cells))
            empty = 0
        else:
            empty += 1
            if empty > MAX_EMPTY_ROWS:
                break
    return Sheet(key, tuple(head), tuple(kept), written, title or name, tuple(duplicates),
                 stopped_at, tuple(uncached))


class Unreadable(Exception):
    """The file is not an xlsx workbook openpyxl can open (``detail``: why)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def read_sheets(path: str | Path) -> dict[str, Sheet]:
    """Read the survey, choices and settings sheets of an ``.xlsx`` file (the names
    lower-cased), by pyxform's rules (see the module doc). Raises :class:`Unreadable`,
    or ``FileNotFoundError`` when there is no such file."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(str(file))
    with warnings.catch_warnings():  # openpyxl's notes on extensions it drops
        warnings.simplefilter("ignore", UserWarning)
        return _read_book(file)


def _open(file: Path, *, data_only: bool):
    """The workbook, read-only, its sheets sized without reading them through.

    openpyxl's read-only sheet learns its size from the ``<dimension>`` tag; a file
    without one (some tools write none) is read through to its end to find that out,
    for every sheet, which takes seconds on a large formatted sheet. Here the look-up
    stops where the rows begin; an unsized sheet is simply read until its data ends.
    """
    import zipfile

    import openpyxl

    try:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
    except ImportError:  # another openpyxl layout: its own reader, slower on such files
        ExcelReader = None
    try:
        if ExcelReader is None:
            return openpyxl.load_workbook(file, read_only=True, data_only=data_only)
        reader = ExcelReader(file, read_only=True, data_only=data_only)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        for entry, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                ws = _sized_sheet()(reader.wb, entry.name, rel.target,
                                    reader.shared_strings)
                reader.wb._sheets.append(ws)
        return reader.wb
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise Unreadable(type(exc).__name__) from None


@cache
def _sized_sheet() -> type:
    """openpyxl's read-only sheet whose size look-up stops at the first row (made when
    first needed: openpyxl is imported only by who reads a workbook)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    class SizedOnce(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            source = self._get_source()
            try:
                for _event, element in iterparse(source, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        bounds = SheetDimension.from_tree(element).boundaries
                        (self._min_column, self._min_row, self._max_column,
                         self._max_row) = bounds
                        return
                    if element.tag == DATA_TAG:
                        return
            finally:
                source.close()

    return SizedOnce


def _read_book(file: Path) -> dict[str, Sheet]:
    book = _open(file, data_only=False)
    try:
        found = {ws.title.strip().lower(): ws for ws in book.worksheets}
        raw = {name: _read(ws) for name, ws in found.items() if name in XLSFORM_SHEETS}
        if len(book.worksheets) == 1 and SURVEY not in found:
            # pyxform: a lone sheet is the survey (here when it has a "type" column)
            only = book.worksheets[0]
            read = _read(only)
            if "type" in _headers(SURVEY, read[0][0] if read[0] else ())[0]:
                found, raw = {SURVEY: only}, {SURVEY: read}
    finally:
        book.close()
    formulas = {name: cells for name, (_, _, cells, _) in raw.items() if cells}
    cached = _cached_values(file, {found[n].title: c for n, c in formulas.items()}) \
        if formulas else {}
    out: dict[str, Sheet] = {name: Sheet(name, (), (), title=ws.title)
                             for name, ws in found.items()}
    for name, (values, last, cells, claimed) in raw.items():
        title = found[name].title
        uncached = []
        for (row, col), formula in cells.items():
            value = cached.get(title, {}).get((row, col))
            values[row - 1][col] = value
            if value is None:
                uncached.append((row, col, formula))
        head = values[0] if values else ()
        made = sheet(name, head, values[1:], title=title,
                     stopped_at=last if claimed and claimed > last else None)
        out[name] = Sheet(made.name, made.header, made.rows, made.written, made.title,
                          made.duplicates, made.stopped_at,
                          tuple((row, made.header[col] if col < len(made.header) else "",
                                 formula) for row, col, formula in uncached))
    return out


def _read(ws) -> tuple[list[list[object]], int, dict[tuple[int, int], str], int | None]:
    """A read-only worksheet's rows (values), the last row read, its formula cells by
    (row, column index) and the number of rows it claims to have."""
    rows = ws.iter_rows(min_row=1, max_row=1)
    first = next(rows, ())
    width = len(_headers("", [c.value for c in first])[0])
    values: list[list[object]] = [[c.value for c in first[:width]]]
    formulas: dict[tuple[int, int], str] = {}
    for col, cell in enumerate(first[:width]):
        if cell.data_type == "f":
            formulas[(1, col)] = str(cell.value)
    empty, last = 0, 1
    if width:
        for number, row in enumerate(ws.iter_rows(min_row=2, max_col=width), start=2):
            line = [c.value for c in row]
            for col, cell in enumerate(row):
                if cell.data_type == "f":
                    formulas[(number, col)] = str(cell.value)
            values.append(line)
            last = number
            if all(_is_empty(v) for v in line):
                empty += 1
                if empty > MAX_EMPTY_ROWS:
                    break
            else:
                empty = 0
    return values, last, formulas, ws.max_row


def _cached_values(file: Path, wanted: Mapping[str, Mapping[tuple[int, int], str]]
                   ) -> dict[str, dict[tuple[int, int], object]]:
    """The values a spreadsheet saved for formula cells (``wanted``: by sheet title)."""
    book = _open(file, data_only=True)
    try:
        out: dict[str, dict[tuple[int, int], object]] = {}
        for title, cells in wanted.items():
            last_row = max(row for row, _ in cells)
            last_col = max(col for _, col in cells) + 1
            ws = book[title]
            got = out.setdefault(title, {})
            for number, row in enumerate(ws.iter_rows(min_row=1, max_row=last_row,
                                                      max_col=last_col, values_only=True),
                                         start=1):
                for col, value in enumerate(row):
                    if (number, col) in cells:
                        got[(number, col)] = value
        return out
    finally:
        book.close()
