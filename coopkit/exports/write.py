"""The front door of the exports: a workshop or a project to an xlsx, csv or pdf file,
or to the method's Word documents (the three plans and the responsibility matrix).

Used by the notebooks and by ``coopkit export``: gather once (:mod:`~coopkit.exports.gather`),
then hand the report to one writer. Data flows one way, gather → tables → writer; no
writer imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coopkit.errors import fail
from coopkit.exports.csvfile import write_csv
from coopkit.exports.followup import followup_tables
from coopkit.exports.gather import gather
from coopkit.exports.tables import tables

if TYPE_CHECKING:
    from coopkit.store import Store

FORMATS = ("xlsx", "csv", "pdf", "docx")


def export_xlsx(store: Store, target: str | int, path: str | Path,
                lang: str | None = None) -> Path:
    """Excel workbook of a workshop or a project (one sheet per analysis)."""
    from coopkit.exports.xlsx import write_workbook

    report = gather(store, target)
    return write_workbook([*tables(report, lang), *followup_tables(report, lang)], path,
                          title=report.project.name)


def export_csv(store: Store, target: str | int, path: str | Path, lang: str | None = None,
               *, sep: str = ",") -> Path:
    """CSV of the raw answers of a workshop or a project (small groups masked)."""
    return write_csv(gather(store, target), path, lang, sep=sep)


def export_pdf(store: Store, target: str | int, path: str | Path,
               lang: str | None = None) -> Path:
    """PDF report for the steering committee (French by default)."""
    from coopkit.exports.pdf import write_report

    return write_report(gather(store, target), path, lang)


def export_docx(store: Store, target: str | int, folder: str | Path,
                lang: str | None = None) -> list[Path]:
    """The objectives plan, the risk plan, the charter and the responsibility matrix of
    a project (or of a workshop's project) as editable Word files in ``folder``;
    returns their paths."""
    from coopkit.exports.docx import write_documents

    return write_documents(gather(store, target), folder, lang)


def export(store: Store, target: str | int, path: str | Path, *, fmt: str | None = None,
           lang: str | None = None, sep: str = ",") -> Path | list[Path]:
    """Export in ``fmt`` (default: from the file's extension): xlsx, csv or pdf; or
    ``docx``: the four Word documents in the folder ``path`` (a list of paths)."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise fail("export_bad_format", field="--format", value=chosen or str(path),
                   allowed=", ".join(FORMATS))
    if chosen == "xlsx":
        return export_xlsx(store, target, path, lang)
    if chosen == "csv":
        return export_csv(store, target, path, lang, sep=sep)
    if chosen == "docx":
        return export_docx(store, target, path, lang)
    return export_pdf(store, target, path, lang)


__all__ = ["FORMATS", "export", "export_csv", "export_docx", "export_pdf", "export_xlsx"]
