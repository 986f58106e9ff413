"""The follow-up of a project as display-ready tables: the common purpose's history,
the three plans, the responsibility matrix and its check against principle 9, the
commitment over time, the proposals' status history, and whether the statements the
actions addressed moved between T0 and T1.

Pure, like :mod:`coopkit.exports.tables` (whose :class:`Table` it returns): reads a
:class:`~coopkit.exports.gather.Report`, French by default. The xlsx writer lays these
out as sheets, the Word writer (:mod:`coopkit.exports.docx`) as documents, the PDF
report as pages: the same rows everywhere. Knows nothing of the store or of files.

**The plans' rows** are those the consultant edited and the store kept; a plan never
edited is pre-filled on the fly from the first wave of the feelings map (every group
weighing the same, :func:`coopkit.analysis.plans.prefill`), so an export never comes
out empty for want of a click.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from coopkit import analysis
from coopkit.analysis.plans import draft_plans, prefill
from coopkit.definitions import method
from coopkit.exports.gather import Report, WorkshopData, wave_pairs
from coopkit.exports.tables import (
    INTEGER,
    PERCENT,
    Table,
    concept_label,
    has_feelings,
    has_readiness,
)
from coopkit.i18n import format_percent, get_language, normalise_language, t, tn


def _lang(lang: str | None) -> str:
    return normalise_language(lang) if lang else get_language()


def _c(name: str, lang: str) -> str:
    return t(f"plans.col.{name}", lang)


def day_text(value: object) -> str:
    """``2024-03-01`` for a date, a timestamp or an ISO text; empty for nothing."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp | date):
        return value.strftime("%Y-%m-%d")
    return str(value)


# ----------------------------------------------------------------------- purpose

def purpose_history(report: Report) -> pd.DataFrame:
    """:func:`coopkit.analysis.purpose_history` of the report's project."""
    versions = report.purpose_versions
    if versions is None or versions.empty:
        return pd.DataFrame(columns=list(analysis.purpose.HISTORY_COLUMNS))
    acceptances = report.purpose_acceptances
    if acceptances is None:
        acceptances = pd.DataFrame(columns=["version", "partner", "accepted", "decided_on",
                                            "decided_by"])
    return analysis.purpose_history(versions, acceptances, report.partners)


def decisions_text(decisions: Sequence[tuple], lang: str) -> str:
    """« CH de Montval (2024-03-01, conseil d'administration) ; EHPAD (…) »."""
    parts = []
    for partner, day, by in decisions:
        detail = ", ".join(x for x in (day_text(day), by or "") if x)
        parts.append(f"{partner} ({detail})" if detail else str(partner))
    return " ; ".join(parts) if lang == "fr" else "; ".join(parts)


def purpose_state(row: pd.Series, lang: str) -> str:
    """The state of one version of the purpose, in words."""
    if row["state"] == "accepted":
        return t("plans.purpose.accepted_all", lang, date=day_text(row["accepted_on"]))
    if row["state"] == "declined":
        return t("plans.purpose.declined", lang,
                 partners=", ".join(p for p, _, _ in row["declined_by"]))
    if not row["pending"]:
        return t("plans.purpose.no_partner", lang)
    return t("plans.purpose.pending", lang, partners=", ".join(row["pending"]))


def purpose_table(report: Report, lang: str | None = None) -> Table:
    """Every version of the common purpose with each partner's decision."""
    code = _lang(lang)
    hist = purpose_history(report)
    frame = pd.DataFrame({
        _c("version", code): hist["version"].astype("Int64") if len(hist) else [],
        _c("purpose", code): hist["text"] if len(hist) else [],
        _c("drafted_on", code): [day_text(d) for d in hist["drafted_on"]],
        _c("state", code): [purpose_state(r, code) for _, r in hist.iterrows()],
        _c("accepted_by", code): [decisions_text(d, code) for d in hist["accepted_by"]],
        _c("declined_by", code): [decisions_text(d, code) for d in hist["declined_by"]],
        _c("pending", code): [", ".join(p) for p in hist["pending"]],
    })
    return Table("purpose", t("plans.sheet.purpose", code), frame,
                 {_c("version", code): INTEGER}, t("plans.note.purpose", code))


# ------------------------------------------------------------------------- plans

def feelings_workshop(report: Report) -> WorkshopData | None:
    """The first wave of the feelings map in the report (the plans are drafted from it)."""
    pool = [wd for wd in (*report.baselines, *report.workshops)
            if has_feelings(wd.questionnaire) and not wd.answers.empty]
    if not pool:
        return None
    return min(pool, key=lambda wd: (wd.workshop.wave, wd.workshop.id))


def plan_rows(report: Report, lang: str | None = None) -> pd.DataFrame:
    """The plans' rows: those stored for each plan, else pre-filled from the workshop.
    Columns of :func:`coopkit.analysis.plans.prefill` (``source``, ``groups``,
    ``group_labels``, every field), in plan order."""
    code = _lang(lang)
    stored = report.plan_rows if report.plan_rows is not None else pd.DataFrame(
        columns=["plan"])
    drafted = None
    parts = []
    for plan in method.PLAN_IDS:
        mine = stored[stored["plan"].eq(plan)] if len(stored) else stored
        if len(mine):
            mine = mine.sort_values(["position", "id"]).copy()
            mine["group_labels"] = [", ".join(t(f"method.group.{g}", code) for g in gs)
                                    for gs in mine["groups"]]
            parts.append(mine)
            continue
        if drafted is None:
            wd = feelings_workshop(report)
            draft = draft_plans(analysis.select(wd.answers, validated_only=True),
                                wd.questionnaire, lang=code) if wd is not None else \
                pd.DataFrame(columns=list(analysis.plans.PLAN_COLUMNS))
            drafted = prefill(draft, report.proposals, lang=code,
                              wave=wd.workshop.wave if wd is not None else None)
        parts.append(drafted[drafted["plan"].eq(plan)])
    columns = list(analysis.plans.PREFILL_COLUMNS)
    parts = [p.reindex(columns=columns) for p in parts if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return out.astype(object).where(out.notna(), None)


def field_label(field: str, lang: str) -> str:
    return t(f"plans.field.{field}", lang)


def level_label(field: str, value: object, lang: str) -> str:
    """A likelihood's or an impact's level in words (« faible », « moyenne »...)."""
    return t(f"plans.level.{field}.{value}", lang) if value in method.LEVEL_IDS else ""


def plan_cells(row: pd.Series | dict, plan: str, lang: str) -> list[str]:
    """The texts of one plan row, in the order of :data:`method.PLAN_FIELDS`."""
    cells = []
    for field in method.PLAN_FIELDS[plan]:
        value = row.get(field)
        if field in ("likelihood", "impact"):
            cells.append(level_label(field, value, lang))
        elif field == "due":
            cells.append(day_text(value))
        else:
            cells.append("" if value is None else str(value))
    return cells


def plan_table(report: Report, plan: str, lang: str | None = None,
               rows: pd.DataFrame | None = None) -> Table:
    """One plan: its fields, then the groups that put each row forward."""
    code = _lang(lang)
    rows = plan_rows(report, code) if rows is None else rows
    mine = rows[rows["plan"].eq(plan)]
    headers = [field_label(f, code) for f in method.PLAN_FIELDS[plan]]
    data = [[*plan_cells(r, plan, code), r["group_labels"] or ""] for _, r in mine.iterrows()]
    frame = pd.DataFrame(data, columns=[*headers, _c("put_forward_by", code)])
    return Table(f"plan_{plan}", t(f"plans.sheet.{plan}", code), frame, {},
                 t("plans.note.plans", code))


# --------------------------------------------------------------- responsibilities

def matrix_wide(report: Report, lang: str | None = None) -> pd.DataFrame:
    """The responsibility matrix as a grid: subject, kind, then one column per actor
    holding its roles' letters (``D, R``)."""
    code = _lang(lang)
    long = report.responsibilities
    actors = [name for name, _ in (long.attrs.get("actors", []) if long is not None else [])]
    columns = [_c("subject", code), _c("kind", code), *actors]
    if long is None or long.empty:
        return pd.DataFrame(columns=columns)
    letters = method.ROLE_LETTERS
    rows = []
    for _, group in long.groupby("id", sort=False):
        first = group.iloc[0]
        cells = {a: [] for a in actors}
        for _, r in group[group["role"].notna()].iterrows():
            cells.setdefault(r["actor"], []).append(letters[r["role"]])
        rows.append([first["subject"], t(f"plans.kind.{first['kind']}", code),
                     *(", ".join(cells[a]) for a in actors)])
    order = long.drop_duplicates("id").sort_values(["position", "id"])["id"].tolist()
    ids = list(dict.fromkeys(long["id"]))
    rows = [rows[ids.index(i)] for i in order]
    return pd.DataFrame(rows, columns=columns)


def roles_legend(lang: str) -> str:
    """« D = décide · C = est consulté · I = est informé · R = réalise »."""
    return " · ".join(f"{method.ROLE_LETTERS[r]} = {t(f'method.role.{r}', lang)}"
                      for r in method.ROLE_IDS)


def matrix_table(report: Report, lang: str | None = None) -> Table:
    code = _lang(lang)
    return Table("responsibilities", t("plans.sheet.responsibilities", code),
                 matrix_wide(report, code), {}, roles_legend(code))


def readiness_workshop(report: Report, principle: int = 9) -> WorkshopData | None:
    """The latest wave of a readiness self-assessment with items on ``principle``."""
    pool = [wd for wd in (*report.baselines, *report.workshops)
            if has_readiness(wd.questionnaire) and not wd.answers.empty
            and any(principle in it.principles for it in wd.questionnaire.items())]
    if not pool:
        return None
    return max(pool, key=lambda wd: (wd.workshop.wave, wd.workshop.id))


def principle_nine(report: Report, lang: str | None = None) -> pd.DataFrame:
    """:func:`coopkit.analysis.principle_items` on principle 9, latest readiness wave."""
    wd = readiness_workshop(report)
    if wd is None:
        return pd.DataFrame(columns=["item_id", "label", "score", "n", "low", "status"])
    return analysis.principle_items(analysis.select(wd.answers, validated_only=True),
                                    wd.questionnaire, 9, lang=_lang(lang))


def matrix_checks(report: Report, lang: str | None = None) -> pd.DataFrame:
    """:func:`coopkit.analysis.matrix_check` of the report."""
    long = report.responsibilities
    if long is None:
        long = pd.DataFrame(columns=list(_MATRIX_COLUMNS))
    return analysis.matrix_check(long, report.partners, principle_nine(report, lang))


_MATRIX_COLUMNS = ("id", "subject", "kind", "position", "actor_id", "actor", "actor_kind",
                   "role")


def check_sentence(row: pd.Series, lang: str) -> str:
    """One check of :func:`matrix_checks` in words."""
    names = ", ".join(row["names"])
    if row["ok"] is None:
        return t(f"plans.check.{row['check']}.unknown", lang)
    outcome = "ok" if row["ok"] else "ko"
    return t(f"plans.check.{row['check']}.{outcome}", lang, names=names)


def check_table(report: Report, lang: str | None = None) -> Table:
    code = _lang(lang)
    checks = matrix_checks(report, code)
    items = principle_nine(report, code)
    rows = [[t(f"plans.check.{r['check']}", code),
             t("export.yes", code) if r["ok"] else (t("export.no", code)
                                                    if r["ok"] is False else "—"),
             check_sentence(r, code)] for _, r in checks.iterrows()]
    for _, item in items.iterrows():
        score = "" if pd.isna(item["score"]) else format_percent(float(item["score"]), code)
        rows.append([t("plans.check.item", code), score if item["low"] is not None else "—",
                     item["label"]])
    frame = pd.DataFrame(rows, columns=[_c("check", code), _c("result", code),
                                        _c("detail", code)])
    return Table("principle9", t("plans.sheet.principle9", code), frame, {},
                 t("plans.note.principle9", code))


# ----------------------------------------------------------------- commitment

def commitment_frame(report: Report) -> pd.DataFrame:
    """:func:`coopkit.analysis.commitment` with the promoter's recorded commitment."""
    record = report.commitment
    return analysis.commitment(report.proposals,
                               committed_on=record.committed_on if record else None,
                               threshold=record.threshold if record
                               else method.COMMITMENT_THRESHOLD)


def timeline_frame(report: Report) -> pd.DataFrame:
    record = report.commitment
    return analysis.commitment_timeline(
        report.proposals, report.events,
        threshold=record.threshold if record else method.COMMITMENT_THRESHOLD,
        until=report.created_at.date())


def commitment_sentence(report: Report, lang: str | None = None) -> str:
    """What the commitment stands at, in one sentence (the room notebook, the report)."""
    code = _lang(lang)
    record = report.commitment
    com = commitment_frame(report)
    row = com.iloc[0]
    pct = format_percent(record.threshold if record else method.COMMITMENT_THRESHOLD, code)
    if record is None:
        head = t("plans.commitment.not_taken", code, pct=pct)
    else:
        head = t("plans.commitment.taken", code, pct=pct, date=day_text(record.committed_on),
                 by=record.committed_by)
    if not row["total"]:
        return head
    figures = tn("plans.commitment.figures", int(row["total"]), code,
                 retained=int(row["retained"]), done=int(row["done"]),
                 dropped=int(row["dropped"]))
    state = t(f"plans.commitment.state.{row['state']}", code, pct=pct)
    return f"{head} {figures} {state}"


def timeline_table(report: Report, lang: str | None = None) -> Table:
    code = _lang(lang)
    tl = timeline_frame(report)
    frame = pd.DataFrame({
        _c("date", code): [day_text(d) for d in tl["date"]],
        _c("made", code): tl["total"], _c("retained", code): tl["retained"],
        _c("realised", code): tl["done"], _c("dropped", code): tl["dropped"],
        _c("share_retained", code): tl["share_retained"],
        _c("share_realised", code): tl["share_done"],
    })
    kinds = {_c(c, code): INTEGER for c in ("made", "retained", "realised", "dropped")}
    kinds |= {_c("share_retained", code): PERCENT, _c("share_realised", code): PERCENT}
    return Table("timeline", t("plans.sheet.timeline", code), frame, kinds,
                 commitment_sentence(report, code))


def history_table(report: Report, lang: str | None = None) -> Table:
    """Every status change of the proposals: when, from what to what, by whom, why."""
    code = _lang(lang)
    events = report.events if report.events is not None else pd.DataFrame(
        columns=["proposal_id", "status", "previous", "changed_at", "changed_by", "reason"])
    texts = dict(zip(report.proposals["id"], report.proposals["text"], strict=True)) \
        if len(report.proposals) else {}
    events = events[events["proposal_id"].isin(texts)]
    frame = pd.DataFrame({
        _c("number", code): events["proposal_id"].astype("int64"),
        _c("action", code): [texts[i] for i in events["proposal_id"]],
        _c("date", code): [day_text(d) for d in events["changed_at"]],
        _c("from", code): [concept_label("status", s, code) for s in events["previous"]],
        _c("to", code): [concept_label("status", s, code) for s in events["status"]],
        _c("by", code): events["changed_by"],
        _c("reason", code): events["reason"],
    })
    return Table("history", t("plans.sheet.history", code), frame,
                 {_c("number", code): INTEGER}, t("plans.note.history", code))


# -------------------------------------------------------- actions and statements

def action_frame(report: Report, lang: str | None = None) -> pd.DataFrame:
    """:func:`coopkit.analysis.action_statements` for the report's T0/T1 pairs of the
    feelings map (the last pair when there are several)."""
    pairs = [(b, a) for b, a in wave_pairs(report) if has_feelings(a.questionnaire)]
    if not pairs or "statements" not in report.proposals:
        return pd.DataFrame(columns=list(analysis.actions.ACTION_COLUMNS))
    before, after = pairs[-1]
    return analysis.action_statements(
        report.proposals, analysis.select(before.answers, validated_only=True),
        analysis.select(after.answers, validated_only=True), after.questionnaire,
        lang=_lang(lang))


def moved_text(row: pd.Series, lang: str, k: int) -> str:
    if row["status"] == analysis.MASKED:
        return t("export.masked", lang, k=k)
    if row["moved"] is None:
        return "—"
    text = t(f"plans.moved.{row['moved']}", lang)
    if row["as_hoped"] is True:
        text += " " + t("plans.moved.as_hoped", lang)
    elif row["as_hoped"] is False:
        text += " " + t("plans.moved.not_as_hoped", lang)
    return text


def action_table(report: Report, lang: str | None = None) -> Table | None:
    code = _lang(lang)
    acts = action_frame(report, code)
    if acts.empty:
        return None
    pairs = [(b, a) for b, a in wave_pairs(report) if has_feelings(a.questionnaire)]
    before, after = pairs[-1]
    frame = pd.DataFrame({
        _c("action", code): acts["action"],
        _c("action_status", code): [concept_label("status", s, code)
                                    for s in acts["action_status"]],
        _c("statement", code): [s or i for s, i in zip(acts["statement"], acts["item_id"],
                                                        strict=True)],
        _c("feeling", code): [concept_label("feeling", f, code) for f in acts["feeling"]],
        before.workshop.wave: acts["mean0"], after.workshop.wave: acts["mean1"],
        _c("delta", code): acts["delta"],
        _c("moved", code): [moved_text(r, code, max(before.k, after.k))
                            for _, r in acts.iterrows()],
    })
    kinds = {before.workshop.wave: PERCENT, after.workshop.wave: PERCENT,
             _c("delta", code): PERCENT}
    return Table("action_statements", t("plans.sheet.actions", code), frame, kinds,
                 t("plans.note.actions", code, k=max(before.k, after.k)))


def followup_tables(report: Report, lang: str | None = None) -> list[Table]:
    """The follow-up's sheets of the Excel workbook, in order."""
    code = _lang(lang)
    rows = plan_rows(report, code)
    found = [purpose_table(report, code),
             *(plan_table(report, plan, code, rows) for plan in method.PLAN_IDS),
             matrix_table(report, code), check_table(report, code),
             timeline_table(report, code), history_table(report, code),
             action_table(report, code)]
    return [tb for tb in found if tb is not None]


@dataclass(frozen=True)
class Document:
    """One Word document of :mod:`coopkit.exports.docx`: its key, file stem, title."""

    key: str
    stem: str
    title: str


def documents(lang: str | None = None) -> list[Document]:
    """The documents the Word export writes: the three plans (the charter among them)
    and the responsibility matrix."""
    code = _lang(lang)
    return [Document(plan, t(f"plans.file.{plan}", code), t(f"plans.title.{plan}", code))
            for plan in method.PLAN_IDS] + [
        Document("responsibilities", t("plans.file.responsibilities", code),
                 t("plans.title.responsibilities", code))]


__all__ = ["Document", "action_table", "check_table", "commitment_frame",
           "commitment_sentence", "documents", "followup_tables", "history_table",
           "matrix_table", "matrix_wide", "plan_rows", "plan_table", "purpose_history",
           "purpose_table", "timeline_frame", "timeline_table"]
