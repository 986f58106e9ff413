"""The raw answers as a CSV file (UTF-8 with a BOM, so that Excel reads the accents).

Writes a :class:`~coopkit.exports.tables.Table`; risky texts are escaped by
:mod:`coopkit.cells` (CSV injection). Knows nothing of the store.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from coopkit.cells import csv_safe, plain
from coopkit.errors import fail
from coopkit.exports.gather import Report
from coopkit.exports.tables import Table, answers_table


def csv_text(table: Table, *, sep: str = ",") -> str:
    """A table as CSV text: risky texts escaped (CSV injection), numbers as they are.

    Decimal numbers use a comma when ``sep`` is ``";"`` (French Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in table.frame.columns])
    comma = sep == ";"
    for row in table.frame.itertuples(index=False):
        writer.writerow([_csv_cell(v, comma) for v in row])
    return buffer.getvalue()


def _csv_cell(value: object, comma: bool) -> object:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.6g}"
        return text.replace(".", ",") if comma else text
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return csv_safe(value)


def write_csv(report: Report, path: str | Path, lang: str | None = None, *,
              sep: str = ",") -> Path:
    """The raw answers as CSV, UTF-8 with BOM (Excel reads the accents right)."""
    if sep not in (",", ";"):
        raise fail("export_bad_separator", field="sep", value=sep)
    out = Path(path)
    out.write_text(csv_text(answers_table(report, lang), sep=sep), encoding="utf-8-sig",
                   newline="")
    return out


