"""The method's documents as editable Word files (python-docx): the objectives
management plan, the risk management plan, the charter of good relational practice and
the responsibility matrix.

Each document opens with the project, its common purpose (the current version and
where the partners stand on it), the partners and the promoter, says how it was drafted
(principles 6, 7 and 8: written together, every group weighing the same), then holds
its table, one row per entry, ready to be edited in Word or LibreOffice before the
partners sign it. The charter ends with a signature block, one line per partner; the
matrix with its check against principle 9.

Lays out the rows of :mod:`coopkit.exports.followup` (the same as the xlsx sheets);
texts written by participants are inserted as plain text (control characters dropped).
Knows nothing of the store or of widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from coopkit.cells import clean_text
from coopkit.definitions import method
from coopkit.exports import followup
from coopkit.exports.gather import Report
from coopkit.i18n import format_percent, get_language, normalise_language, t

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table as DocxTable

#: A4 page, centimetres.
A4 = (21.0, 29.7)
MARGIN = 1.8
#: Relative widths of each plan's columns (its fields, then « proposed by »).
WIDTHS = {
    "objectifs": (3.2, 2.4, 1.3, 1.3, 1.4, 1.1, 1.6),
    "risques": (3.2, 1.1, 1.1, 3.2, 1.4, 1.6),
    "charte": (3.4, 2.8, 1.8, 1.6),
}
_LANG_TAGS = {"fr": "fr-FR", "en": "en-GB"}


def _lang(lang: str | None) -> str:
    return normalise_language(lang) if lang else get_language()


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return clean_text(str(value))


# ----------------------------------------------------------------- the writers

def write_documents(report: Report, folder: str | Path, lang: str | None = None
                    ) -> list[Path]:
    """Write the four documents in ``folder`` (created if needed); returns their paths:
    objectives plan, risk plan, charter, responsibility matrix."""
    code = _lang(lang)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rows = followup.plan_rows(report, code)
    written = []
    for doc in followup.documents(code):
        path = out / f"{doc.stem}.docx"
        if doc.key in method.PLAN_IDS:
            write_plan(report, doc.key, path, code, rows=rows)
        else:
            write_matrix(report, path, code)
        written.append(path)
    return written


def write_plan(report: Report, plan: str, path: str | Path, lang: str | None = None, *,
               rows: pd.DataFrame | None = None) -> Path:
    """One of the three plans (``objectifs``, ``risques``, ``charte``) as a .docx."""
    code = _lang(lang)
    title = t(f"plans.title.{plan}", code)
    doc = _document(report, title, code, landscape=plan != "charte")
    _heading(doc, t("plans.doc.how", code), 1)
    doc.add_paragraph(t(f"plans.doc.how.{plan}", code))
    doc.add_paragraph(t("plans.doc.equal", code))
    table = followup.plan_table(report, plan, code,
                                followup.plan_rows(report, code) if rows is None else rows)
    _heading(doc, title, 1)
    if table.frame.empty:
        doc.add_paragraph(t("plans.doc.empty", code))
    _table(doc, list(table.frame.columns), table.frame.values.tolist(), WIDTHS[plan],
           page_width=_usable(doc))
    if plan == "risques":
        doc.add_paragraph(t("plans.doc.levels", code), style="Caption")
    if plan == "charte":
        _signatures(doc, report, code)
    return _save(doc, path)


def write_matrix(report: Report, path: str | Path, lang: str | None = None) -> Path:
    """The responsibility matrix (principle 9) as a .docx, with its check."""
    code = _lang(lang)
    title = t("plans.title.responsibilities", code)
    doc = _document(report, title, code, landscape=True)
    _heading(doc, t("plans.doc.how", code), 1)
    doc.add_paragraph(t("plans.doc.how.responsibilities", code))
    grid = followup.matrix_wide(report, code)
    _heading(doc, title, 1)
    doc.add_paragraph(followup.roles_legend(code))
    if grid.empty:
        doc.add_paragraph(t("plans.doc.empty_matrix", code))
    actors = max(len(grid.columns) - 2, 0)
    widths = (4.0, 1.4, *([1.2] * actors))
    _table(doc, list(grid.columns), grid.values.tolist(), widths, page_width=_usable(doc),
           centre_from=2)
    _heading(doc, t("plans.doc.check", code), 1)
    checks = followup.matrix_checks(report, code)
    for _, row in checks.iterrows():
        doc.add_paragraph(followup.check_sentence(row, code), style="List Bullet")
    items = followup.principle_nine(report, code)
    if len(items):
        doc.add_paragraph(t("plans.doc.items", code))
        for _, item in items.iterrows():
            score = "—" if pd.isna(item["score"]) else format_percent(float(item["score"]), code)
            doc.add_paragraph(f"{_text(item['label'])} ({score})", style="List Bullet")
    return _save(doc, path)


# ----------------------------------------------------------------- the pieces

def _document(report: Report, title: str, lang: str, *, landscape: bool) -> DocxDocument:
    """A new document with its page set up and its common opening."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = docx.Document()
    section = doc.sections[0]
    short, long = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Cm(long), Cm(short)) if landscape \
        else (Cm(short), Cm(long))
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN))
    normal = doc.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10)
    rpr = normal.element.get_or_add_rPr()
    tag = OxmlElement("w:lang")
    tag.set(qn("w:val"), _LANG_TAGS[lang])
    rpr.append(tag)
    project = report.project
    props = doc.core_properties
    props.title = _text(f"{title} – {project.name}")[:250]
    props.author = "coopkit"
    props.language = _LANG_TAGS[lang]
    day = report.created_at.astimezone(UTC).strftime("%Y-%m-%d")
    footer = section.footer.paragraphs[0]
    footer.text = _text(t("plans.doc.footer", lang, title=title, project=project.name,
                          date=day))
    _page_number(footer, lang)
    doc.add_heading(_text(title), level=0)
    lead = doc.add_paragraph()
    run = lead.add_run(_text(project.name))
    run.bold = True
    run.font.size = Pt(14)
    doc.add_paragraph(t("plans.doc.draft", lang, date=day))
    _heading(doc, t("plans.doc.purpose", lang), 1)
    history = followup.purpose_history(report)
    purpose = doc.add_paragraph()
    purpose.add_run(_text(project.purpose) or t("plans.doc.no_purpose", lang)).italic = True
    if len(history):
        current = history.iloc[-1]
        doc.add_paragraph(t("plans.doc.purpose_state", lang, version=int(current["version"]),
                            date=followup.day_text(current["drafted_on"]),
                            state=followup.purpose_state(current, lang)))
    _heading(doc, t("plans.doc.partners", lang), 1)
    for name in report.partners:
        doc.add_paragraph(_text(name), style="List Bullet")
    if not report.partners:
        doc.add_paragraph(t("plans.doc.no_partner", lang))
    if project.promoter:
        doc.add_paragraph(t("plans.doc.promoter", lang, promoter=_text(project.promoter)))
    return doc


def _heading(doc: DocxDocument, text: str, level: int) -> None:
    doc.add_heading(_text(text), level=level)


def _usable(doc: DocxDocument) -> float:
    """The text width of the document's page, centimetres."""
    section = doc.sections[0]
    return (section.page_width - section.left_margin - section.right_margin) / 360000


def _table(doc: DocxDocument, headers: Sequence[str], rows: Sequence[Sequence[object]],
           weights: Sequence[float], *, page_width: float, centre_from: int | None = None
           ) -> DocxTable:
    """A bordered table: bold header row repeated on each page, widths in proportion
    to ``weights``, rows never split across pages."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(weights[:len(headers)]) or 1
    widths = [Cm(page_width * w / total) for w in weights[:len(headers)]]
    for cell, header, width in zip(table.rows[0].cells, headers, widths, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(_text(header)).bold = True
        cell.width = width
        _shade(cell, "D9E2F3")
    head = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    head.append(repeat)
    for values in rows:
        row = table.add_row()
        keep = OxmlElement("w:cantSplit")
        keep.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(keep)
        for i, (cell, value, width) in enumerate(zip(row.cells, values, widths,
                                                     strict=True)):
            cell.text = _text(value)
            cell.width = width
            if centre_from is not None and i >= centre_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    return table


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _page_number(paragraph, lang: str) -> None:
    """`` · page N`` at the end of a footer paragraph (a PAGE field Word and LibreOffice
    fill in)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.add_run(" · " + t("plans.doc.page", lang) + " ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _signatures(doc: DocxDocument, report: Report, lang: str) -> None:
    """The charter's signature block: one row per partner establishment."""
    _heading(doc, t("plans.doc.signatures", lang), 1)
    doc.add_paragraph(t("plans.doc.signatures_intro", lang))
    partners = list(report.partners) or [""] * 3
    _table(doc, [t("plans.col.partner", lang), t("plans.col.signatory", lang),
                 t("plans.col.date", lang), t("plans.col.signature", lang)],
           [[name, "", "", ""] for name in partners], (3, 3, 1.5, 3),
           page_width=_usable(doc))


def _save(doc: DocxDocument, path: str | Path) -> Path:
    out = Path(path)
    doc.save(str(out))
    return out


__all__ = ["write_documents", "write_matrix", "write_plan"]
