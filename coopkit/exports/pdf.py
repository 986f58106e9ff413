"""The steering committee's PDF report (matplotlib's PDF backend, no new dependency).

Pages, French by default: the project and its common purpose, participation per group;
the feelings map and the groups' tendencies; readiness by section with the main
recommendations; the items that divide the room; the action plan and the promoter's
commitment; T0 against T1. For each questionnaire the latest workshop in the report is
shown (the earlier waves feed the comparison). Every figure comes from
:mod:`coopkit.analysis` frames (masked under k there) drawn by :mod:`coopkit.charts`.

Written for a committee: sessions are named by title, wave and date (never by join
code), groups by their label, numbers the way the report's language writes them
(:func:`coopkit.i18n.format_percent`), statements in full. Every page is A4, the paper
of every establishment's printer and of a committee's binder: text pages portrait,
chart pages landscape (the charts are wide: nine columns of feelings, long statements).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from coopkit import analysis, charts
from coopkit.definitions import method
from coopkit.exports import followup
from coopkit.exports.gather import Report, WorkshopData, wave_pairs
from coopkit.exports.layout import A4, FlowLayout, tex_safe, text_width
from coopkit.exports.tables import (
    concept_label,
    group_label,
    has_feelings,
    has_readiness,
    masked_label,
    participation_frame,
    shows_tendencies,
)
from coopkit.i18n import (
    format_date,
    format_number,
    format_percent,
    get_language,
    normalise_language,
    t,
    tn,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Size of a chart page, inches: A4 landscape (text pages are A4 portrait).
CHART_PAGE = (A4[1], A4[0])


def _percent(value: object, lang: str) -> str:
    return "" if value is None or pd.isna(value) else format_percent(float(value), lang)


def group_names(report: Report, lang: str) -> dict[str, str]:
    """Every group's readable name, by id, over the report's questionnaires (the
    charts show these, as the tables do)."""
    names: dict[str, str] = {}
    for wd in (*report.baselines, *report.workshops):
        for group in wd.questionnaire.groups:
            names[group.id] = group_label(group.id, wd.questionnaire, lang)
    return names


def current_workshops(report: Report) -> list[WorkshopData]:
    """The latest workshop (by wave) of each questionnaire in the report."""
    latest: dict[str, WorkshopData] = {}
    for wd in sorted(report.workshops, key=lambda w: (w.workshop.wave, w.workshop.id)):
        latest[wd.workshop.questionnaire_id] = wd
    return list(latest.values())


class _Pages:
    """Flow pages and chart pages, one numbering."""

    def __init__(self, report: Report, lang: str):
        self.lang = lang
        self.groups = group_names(report, lang)
        self.title = t("report.footer", lang, project=report.project.name,
                       date=format_date(report.created_at.astimezone(UTC), lang))
        self.pages: list[Figure] = []
        self.flow: FlowLayout | None = None

    def footer(self, number: int) -> str:
        return f"{self.title} · {t('report.page', self.lang, page=number)}"

    def text(self) -> FlowLayout:
        """A flow layout continuing after the last page."""
        if self.flow is None:
            start = len(self.pages)
            flow = FlowLayout(lambda page: self.footer(start + page))
            self.flow = flow
        return self.flow

    def end_text(self) -> None:
        if self.flow is not None:
            self.pages.extend(self.flow.pages)
            self.flow = None

    def chart(self, title: str, subtitle: str, draw: Callable[[Axes], dict], *,
              top: float = 0.45, bottom: float = 0.8, right: float = 0.3) -> None:
        """One chart on an A4 landscape page, under one title (the page's: the chart's
        own title is dropped, so the page does not say it twice) and a subtitle naming
        the session(s) shown.

        The axes are placed by hand (``top``, ``bottom``, ``right``: inches kept free
        around them for what a chart draws outside its axes; on the left, the width
        of its longest row label): a layout engine would draw every page twice."""
        from matplotlib.figure import Figure

        self.end_text()
        fig = Figure(figsize=CHART_PAGE)
        width, height = CHART_PAGE
        fig.text(_MARGIN / width, 1 - 0.3 / height, tex_safe(title), fontsize=18,
                 fontweight="bold", va="top")
        fig.text(_MARGIN / width, 1 - 0.68 / height, tex_safe(subtitle), fontsize=12,
                 color="0.2", va="top")
        ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
        made = draw(ax)
        if made.get("title") is not None:
            made["title"].set_text("")
        _place(fig, ax, top=1.0 + top, bottom=0.4 + bottom, right=_MARGIN + right)
        self.pages.append(fig)
        fig.text(_MARGIN / width, 0.15 / height, tex_safe(self.footer(len(self.pages))),
                 fontsize=8, color="0.35")
        fig.text(1 - _MARGIN / width, 0.15 / height, tex_safe(t("export.note.counting",
                                                                self.lang)),
                 fontsize=8, color="0.35", ha="right")  # every page says what it counts


#: Page margin of chart pages, inches.
_MARGIN = 0.4


def _place(fig: Figure, ax: Axes, *, top: float, bottom: float, right: float) -> None:
    """Put ``ax`` on its page: ``top``/``bottom``/``right`` inches from the edges, its
    row labels inside the left margin; a colour bar (any other axes) at its right."""
    width, height = fig.get_size_inches()
    labels = [label for label in ax.get_yticklabels() if label.get_text()]
    widest = max((text_width(line, label.get_fontsize()) for label in labels
                  for line in label.get_text().splitlines()), default=0.0)
    left = _MARGIN + widest + (0.2 if labels else 0.0)
    bars = [other for other in fig.axes if other is not ax]
    end = width - right - (1.1 if bars else 0.0)
    box = (left / width, bottom / height, (end - left) / width,
           (height - top - bottom) / height)
    ax.set_position(box)
    for bar in bars:
        bar.set_position(((end + 0.25) / width, box[1], 0.22 / width, box[3]))


def report_pages(report: Report, lang: str | None = None) -> list[Figure]:
    """The report's pages as matplotlib figures (no file written)."""
    code = normalise_language(lang or get_language())
    pages = _Pages(report, code)
    _cover(report, pages, code)
    for wd in current_workshops(report):
        q = wd.questionnaire
        if wd.answers.empty:
            continue
        if has_feelings(q):
            _feelings(wd, pages, code)
        if has_readiness(q):
            _readiness(wd, pages, code)
        _divisive(wd, pages, code)
    _actions(report, pages, code)
    for before, after in wave_pairs(report):
        _waves(before, after, pages, code)
    _action_statements(report, pages, code)
    _responsibilities(report, pages, code)
    pages.end_text()
    return pages.pages


def write_report(report: Report, path: str | Path, lang: str | None = None) -> Path:
    """Write the steering committee's report as a PDF file; returns its path."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    out = Path(path)
    code = normalise_language(lang or get_language())
    figures = report_pages(report, code)
    metadata = {"Title": t("report.title", code) + " – " + report.project.name,
                "Creator": "coopkit"}
    # Type 3 fonts: the text stays searchable and copyable (pypdf reads it back in the
    # tests), and embedding them costs next to nothing, where TrueType (42) subsetting
    # took about a second of a report's time.
    with rc_context({"pdf.fonttype": 3}), PdfPages(out, metadata=metadata) as pdf:
        for fig in figures:
            pdf.savefig(fig)
    return out


# ------------------------------------------------------------------------ pages

def _cover(report: Report, pages: _Pages, lang: str) -> None:
    p = report.project
    lay = pages.text()
    lay.new_page()
    lay.paragraph(t("report.title", lang), size=18, weight="bold", after=0.05)
    lay.paragraph(p.name, size=14, weight="bold", after=0.15)
    lay.paragraph(t("report.purpose", lang), size=11, weight="bold", after=0.02)
    lay.paragraph(p.purpose or "—", size=10, after=0.06)
    history = followup.purpose_history(report)
    if len(history):
        lay.paragraph(t("plans.report.purpose_history", lang), size=9.5, weight="bold",
                      after=0.03)
        lay.table([t("plans.col.version", lang), t("plans.col.drafted_on", lang),
                   t("plans.col.purpose", lang), t("plans.col.state", lang)],
                  [[int(r["version"]), followup.day_text(r["drafted_on"]), r["text"],
                    followup.purpose_state(r, lang)] for _, r in history.iterrows()],
                  [0.1, 0.12, 0.48, 0.3])
        lay.y += 0.06
    facts = [(t("export.col.promoter", lang), p.promoter or "—"),
             (t("export.col.partners", lang), "; ".join(report.partners) or "—"),
             (t("report.date", lang), format_date(report.created_at.astimezone(UTC), lang))]
    for label, value in facts:
        lay.paragraph(f"{label} : {value}" if lang == "fr" else f"{label}: {value}",
                      size=10, after=0.02)
    lay.y += 0.15
    lay.paragraph(t("report.participation", lang), size=13, weight="bold", after=0.05)
    lay.paragraph(tn("export.note.masked", report.k, lang), size=8.5, style="italic",
                  after=0.03)
    lay.paragraph(t("export.note.counting", lang), size=8.5, style="italic", after=0.08)
    for wd in report.workshops:
        q = wd.questionnaire
        lay.paragraph(t("report.workshop", lang, name=wd.label(lang)), size=10.5,
                      weight="bold", keep=0.8, after=0.04)
        rows = []
        hidden = masked_label(wd.k, lang)
        for _, row in participation_frame(wd).iterrows():  # masked with complements
            rows.append([t("export.total", lang) if row["group"] is None
                         else group_label(row["group"], q, lang),
                         *(hidden if pd.isna(row[c]) else int(row[c])
                           for c in ("joined", "validated"))])
        lay.table([t("export.col.group", lang), t("export.col.joined", lang),
                   t("export.col.validated", lang)], rows, [0.6, 0.2, 0.2])


def _feelings(wd: WorkshopData, pages: _Pages, lang: str) -> None:
    fmap = analysis.feelings_map(wd.answers, by="group")
    pages.chart(t("report.feelings", lang), wd.label(lang),
                lambda ax: charts.plot_feelings_map(ax, fmap, lang=lang, groups=pages.groups),
                top=0.75, bottom=1.05)
    if shows_tendencies(wd):  # only when the consultant turned them on
        _tendencies(wd, pages, lang)


def _tendencies(wd: WorkshopData, pages: _Pages, lang: str) -> None:
    tend = analysis.tendencies(wd.answers, by="group")
    pages.chart(t("report.tendency_chart", lang), wd.label(lang),
                lambda ax: charts.plot_tendencies(ax, tend, lang=lang, groups=pages.groups))
    lay = pages.text()
    lay.new_page()
    lay.paragraph(t("report.tendencies", lang), size=13, weight="bold", after=0.04)
    lay.paragraph(t("export.note.tendencies", lang, k=wd.k), size=8.5, style="italic",
                  after=0.04)
    lay.paragraph(t("report.tendency_note", lang), size=8.5, style="italic", after=0.08)
    rows = []
    for _, row in tend.iterrows():
        masked = row["status"] != analysis.OK
        rows.append([group_label(row["group"], wd.questionnaire, lang),
                     *(masked_label(wd.k, lang) if masked else _percent(row[f], lang)
                       for f in ("attrait", "peur", "tentation", "confiance")),
                     "" if masked else analysis.tendency.phrase(row["reading"], lang)])
    header = [t("export.col.group", lang),
              *(concept_label("feeling", f, lang) or f
                for f in ("attrait", "peur", "tentation", "confiance")),
              t("export.col.reading", lang)]
    lay.table(header, rows, [0.26, 0.11, 0.11, 0.11, 0.11, 0.30])


def _readiness(wd: WorkshopData, pages: _Pages, lang: str) -> None:
    q = wd.questionnaire
    rdy = analysis.readiness(wd.answers, q, level="section", lang=lang)
    pages.chart(t("report.readiness", lang), wd.label(lang),
                lambda ax: charts.plot_readiness(ax, rdy, lang=lang, groups=pages.groups))
    weak = analysis.weakest_items(wd.answers, q, limit=6, lang=lang)
    lay = pages.text()
    lay.new_page()
    lay.paragraph(t("report.recommendations", lang), size=13, weight="bold", after=0.04)
    lay.paragraph(t("export.note.recommendations", lang, k=wd.k), size=8.5, style="italic",
                  after=0.08)
    if weak.empty:
        lay.paragraph(t("report.nothing", lang), size=10)
        return
    rows = [[r["section"], r["text"], _percent(r["score"], lang),
             _percent(r["weak_share"], lang), r["recommendation"] or "—"]
            for _, r in weak.iterrows()]
    lay.table([t("export.col.section", lang), t("export.col.question", lang),
               t("export.col.score", lang), t("report.weak", lang),
               t("export.col.recommendation", lang)], rows, [0.17, 0.3, 0.09, 0.1, 0.34])


def _divisive(wd: WorkshopData, pages: _Pages, lang: str) -> None:
    div = analysis.divergence(wd.answers, wd.questionnaire, lang=lang)
    shown = div[div["status"] == analysis.OK].head(8)
    if shown.empty:
        return
    pages.chart(t("report.divisive", lang), wd.label(lang),
                lambda ax: charts.plot_divergence(ax, div, lang=lang, limit=8))
    lay = pages.text()
    lay.new_page()
    lay.paragraph(t("report.divisive_list", lang), size=13, weight="bold", after=0.04)
    lay.paragraph(t("export.note.divergence", lang, k=wd.k), size=8.5, style="italic",
                  after=0.08)
    rows = [[r["label"], format_number(r["index"], lang), _percent(r["mean"], lang),
             int(r["n"])] for _, r in shown.iterrows()]
    lay.table([t("export.col.question", lang), t("export.col.index", lang),
               t("export.col.mean", lang), t("export.col.n", lang)], rows,
              [0.64, 0.12, 0.12, 0.12])


def _actions(report: Report, pages: _Pages, lang: str) -> None:
    p = report.proposals
    q = report.workshops[0].questionnaire if report.workshops else None
    lay = pages.text()
    lay.new_page()
    lay.paragraph(t("report.actions", lang), size=13, weight="bold", after=0.04)
    lay.paragraph(followup.commitment_sentence(report, lang), size=10, after=0.04)
    lay.paragraph(t("export.note.commitment", lang,
                    pct=format_percent(method.COMMITMENT_THRESHOLD, lang)),
                  size=8.5, style="italic", after=0.08)
    if p.empty:
        lay.paragraph(t("report.no_actions", lang), size=10)
        return
    order = {plan: i for i, plan in enumerate(("objectifs", "risques", "charte"))}
    p = p.assign(_o=p["plan"].map(lambda x: order.get(x, 9))).sort_values(["_o", "id"])
    rows = [[r["text"], pages.groups.get(r["group"]) or group_label(r["group"], q, lang),
             concept_label("plan", r["plan"], lang),
             concept_label("status", r["status"], lang), r["owner"] or "",
             r["due"].isoformat() if hasattr(r["due"], "isoformat") else (r["due"] or "")]
            for _, r in p.iterrows()]
    lay.table([t("export.col.action", lang), t("export.col.proposed_by", lang),
               t("export.col.plan", lang), t("export.col.action_status", lang),
               t("export.col.owner", lang), t("export.col.due", lang)], rows,
              [0.34, 0.17, 0.13, 0.11, 0.13, 0.12])
    dropped = report.events[report.events["status"].eq("dropped")] \
        if report.events is not None else None
    texts = dict(zip(p["id"], p["text"], strict=True))
    if dropped is not None and len(dropped[dropped["proposal_id"].isin(texts)]):
        lay.paragraph(t("plans.report.dropped", lang), size=11, weight="bold", keep=1.4,
                      after=0.04)
        lay.table([t("export.col.action", lang), t("plans.col.date", lang),
                   t("plans.col.by", lang), t("plans.col.reason", lang)],
                  [[texts[r["proposal_id"]], followup.day_text(r["changed_at"]),
                    r["changed_by"] or "", r["reason"] or "—"]
                   for _, r in dropped.iterrows() if r["proposal_id"] in texts],
                  [0.38, 0.12, 0.18, 0.32])
    com = followup.commitment_frame(report)
    pages.chart(t("report.commitment", lang), t("report.commitment_scope", lang),
                lambda ax: charts.plot_commitment(ax, com, lang=lang, groups=pages.groups))
    timeline = followup.timeline_frame(report)
    committed = report.commitment.committed_on if report.commitment else None
    pages.chart(t("chart.timeline.title", lang), t("report.commitment_scope", lang),
                lambda ax: charts.plot_commitment_timeline(ax, timeline, lang=lang,
                                                           committed_on=committed))


def _waves(before: WorkshopData, after: WorkshopData, pages: _Pages, lang: str) -> None:
    by = ("group", "feeling") if has_feelings(after.questionnaire) else ("group",)
    wv = analysis.waves(before.answers, after.answers, by=by)
    pair = t("report.waves_pair", lang, title=after.title(lang), before=before.workshop.wave,
             date_before=before.date(lang), after=after.workshop.wave,
             date_after=after.date(lang))
    pages.chart(t("report.waves", lang), pair,
                lambda ax: charts.plot_waves(ax, wv, lang=lang, groups=pages.groups),
                bottom=1.2)


def _action_statements(report: Report, pages: _Pages, lang: str) -> None:
    """For the actions that name the statements they address: did those move?"""
    table = followup.action_table(report, lang)
    if table is None:
        return
    lay = pages.text()
    lay.new_page()
    lay.paragraph(table.title, size=13, weight="bold", after=0.04)
    lay.paragraph(table.note, size=8.5, style="italic", after=0.08)
    frame = table.frame
    waves = [c for c in frame.columns if table.kinds.get(c) == "percent"]
    rows = [[r.iloc[0], r.iloc[2], *(_percent(r[c], lang) for c in waves[:2]),
             "" if pd.isna(r[waves[2]]) else f"{float(r[waves[2]]):+.2f}", r.iloc[-1]]
            for _, r in frame.iterrows()]
    lay.table([frame.columns[0], frame.columns[2], *waves[:2], frame.columns[-2],
               frame.columns[-1]], rows, [0.27, 0.33, 0.08, 0.08, 0.08, 0.16])


def _responsibilities(report: Report, pages: _Pages, lang: str) -> None:
    """Principle 9: the responsibility matrix, its check, the readiness items."""
    grid = followup.matrix_wide(report, lang)
    check = followup.check_table(report, lang)
    lay = pages.text()
    lay.new_page()
    lay.paragraph(t("plans.title.responsibilities", lang), size=13, weight="bold",
                  after=0.04)
    if grid.empty:
        lay.paragraph(t("plans.doc.empty_matrix", lang), size=10, after=0.08)
    else:
        lay.paragraph(followup.roles_legend(lang), size=8.5, style="italic", after=0.06)
        actors = len(grid.columns) - 2
        share = 0.64 / max(actors, 1)
        lay.table(list(grid.columns), grid.values.tolist(),
                  [0.27, 0.09, *([share] * actors)])
        lay.y += 0.08
    lay.paragraph(check.title, size=11, weight="bold", keep=1.4, after=0.04)
    lay.table(list(check.frame.columns), check.frame.values.tolist(), [0.25, 0.1, 0.65])
