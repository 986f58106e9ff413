"""The front door of the exports: a workshop or a project to an xlsx, csv or pdf file.

Used by the notebooks and by ``coopkit export``: gather once (:mod:`~coopkit.exports.gather`),
then hand the report to one writer. Data flows one way, gather → tables → writer; no
writer imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coopkit.errors import fail
from coopkit.exports.csvfile import write_csv
from coopkit.exports.gather import gather
from coopkit.exports.tables import tables

if TYPE_CHECKING:
    from coopkit.store import Store

FORMATS = ("xlsx", "csv", "pdf")


def export_xlsx(store: Store, target: str | int, path: str | Path,
                lang: str | None = None) -> Path:
    """Excel workbook of a workshop or a project (one sheet per analysis)."""
    from coopkit.exports.xlsx import write_workbook

    report = gather(store, target)
    return write_workbook(tables(report, lang), path, title=report.project.name)


def export_csv(store: Store, target: str | int, path: str | Path, lang: str | None = None,
               *, sep: str = ",") -> Path:
    """CSV of the raw answers of a workshop or a project (small groups masked)."""
    return write_csv(gather(store, target), path, lang, sep=sep)


def export_pdf(store: Store, target: str | int, path: str | Path,
               lang: str | None = None) -> Path:
    """PDF report for the steering committee (French by default)."""
    from coopkit.exports.pdf import write_report

    return write_report(gather(store, target), path, lang)


def export(store: Store, target: str | int, path: str | Path, *, fmt: str | None = None,
           lang: str | None = None, sep: str = ",") -> Path:
    """Export in ``fmt`` (default: from the file's extension): xlsx, csv or pdf."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise fail("export_bad_format", field="--format", value=chosen or str(path),
                   allowed=", ".join(FORMATS))
    if chosen == "xlsx":
        return export_xlsx(store, target, path, lang)
    if chosen == "csv":
        return export_csv(store, target, path, lang, sep=sep)
    return export_pdf(store, target, path, lang)


__all__ = ["FORMATS", "export", "export_csv", "export_pdf", "export_xlsx"]
