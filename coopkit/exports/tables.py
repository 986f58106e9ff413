"""A report as display-ready tables: readable headers, a kind per column, a note.

Pure: takes a :class:`~coopkit.exports.gather.Report` and returns
:class:`Table` objects, French by default, from :mod:`coopkit.analysis` frames (masking
under k is done there, in the frames: nothing here recomputes or unmasks a figure). The
writers (:mod:`~coopkit.exports.xlsx`, :mod:`~coopkit.exports.csvfile`,
:mod:`~coopkit.exports.pdf`) only lay these out. Knows nothing of the store or of files.

**Raw answers and small groups.** The raw answers give one row per validated answer
with a participant number (drawn afresh at each export, never the token), group and
establishment. No masked answer can be tied to a group (:func:`raw_plan`): the groups
hidden in every figure (fewer than k participants, and the next smallest ones until k
people) share one masked label; their answers are shown only for the items asked of all
of them, so which questions a person answered says nothing of their group; and for an
item not asked of all of them, the answers of the next smallest visible group are left
out when the pooled answers left out would be fewer than k (else the item's figure for
everyone minus the answers shown would give them back). Within a visible group,
establishments under k are masked with the next smallest one.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC

import numpy as np
import pandas as pd

from coopkit import analysis
from coopkit.definitions import method
from coopkit.definitions.questionnaire import DONT_KNOW, NOT_APPLICABLE, Questionnaire
from coopkit.errors import CoopkitError
from coopkit.exports.gather import Report, WorkshopData, wave_pairs
from coopkit.i18n import get_language, normalise_language, t, tn

#: Column kinds, for number formats in Excel and rounding in CSV/PDF.
PERCENT, DECIMAL, INTEGER, TEXT, DATE = "percent", "decimal", "integer", "text", "date"


@dataclass(frozen=True)
class Table:
    """A display-ready frame: readable headers, a kind per column, a note."""

    key: str
    title: str
    frame: pd.DataFrame
    kinds: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


# ------------------------------------------------------------------------ labels

def _lang(lang: str | None) -> str:
    return normalise_language(lang) if lang else get_language()


def group_label(group: object, questionnaire: Questionnaire | None, lang: str) -> str:
    """A group's readable name (the questionnaire's label, else the method's)."""
    if group is None or (isinstance(group, float) and pd.isna(group)):
        return ""
    found = questionnaire.group(str(group)) if questionnaire is not None else None
    if found is not None:
        return found.label.get(lang)
    if group in method.GROUP_IDS:
        return t(f"method.group.{group}", lang)
    return str(group)


def masked_label(k: int, lang: str) -> str:
    return t("export.masked", lang, k=k)


def concept_label(kind: str, ident: object, lang: str) -> str | None:
    if ident is None or (isinstance(ident, float) and pd.isna(ident)):
        return None
    key = f"method.{kind}.{ident}"
    text = t(key, lang)
    return str(ident) if text == key else text


def _status(status: object, k: int, lang: str) -> str:
    if status == analysis.MASKED:
        return masked_label(k, lang)
    if status == analysis.EMPTY:
        return t("export.status.empty", lang)
    return t("export.status.ok", lang)


def answer_label(questionnaire: Questionnaire, item_id: str, value: object,
                 lang: str) -> str | None:
    """The readable answer: a scale point's or choice's label, "don't know"..."""
    try:
        item = questionnaire.item(item_id)
    except CoopkitError:  # an answer to an item no longer in the definition
        return None
    if value == NOT_APPLICABLE:  # « Sans objet » on a scale, « Ne me concerne pas » else
        return t("paper.not_concerned" if item.type == "intensity" else "paper.not_applicable",
                 lang)
    if value == DONT_KNOW:
        return t("paper.dont_know", lang)
    if item.type == "scale" and item.scale is not None:
        return next((p.label.get(lang) for p in item.scale.points if p.value == value), None)
    labels = {c.id: c.label.get(lang) for c in item.choices}
    if item.type == "single":
        return labels.get(value)  # type: ignore[arg-type]
    if item.type == "multiple" and isinstance(value, list | tuple):
        return "; ".join(labels.get(v, str(v)) for v in value)
    return None


def percent_text(value: float, lang: str) -> str:
    """``0.6`` -> « 60 % » (French, narrow no-break space) / "60%" (English)."""
    text = f"{value:.0%}"
    return text.replace("%", "\u202f%") if lang == "fr" else text


def _h(name: str, lang: str) -> str:
    return t(f"export.col.{name}", lang)


# -------------------------------------------------------------- raw answers table

@dataclass(frozen=True)
class RawPlan:
    """What the raw answers of one workshop show (see :func:`raw_plan`)."""

    #: The groups pooled under the masked label (hidden in every figure, too).
    pool: frozenset
    #: The items a pooled participant's answers are shown for: asked of every pooled group.
    common: frozenset
    #: item id -> visible groups whose answers to it are left out (complement).
    dropped: Mapping[str, frozenset]
    #: (group, establishment) pairs whose establishment is masked.
    hidden_places: frozenset


def raw_plan(answers: pd.DataFrame, questionnaire: Questionnaire, k: int) -> RawPlan:
    """Decide what the raw answers of a workshop may show (``answers``: as counted).

    - The groups :func:`coopkit.analysis.hidden_groups` hides everywhere (the groups of
      fewer than k participants and the next smallest ones until at least k people)
      share one masked label: group and establishment.
    - A pooled participant's answers are shown only for the items asked of every pooled
      group (:meth:`Item.asked_of`), so which questions they answered says nothing of
      their group; their answers to the other items are left out. When the pool itself
      holds fewer than k participants (the whole workshop is that small), none of its
      answers is shown.
    - For such an item, the pooled answers left out must be 0 or at least k (else the
      room's figure for the item minus the answers shown would give them): the answers
      of the next smallest visible groups to that item are left out too.
    - In each visible group, establishments with fewer than k participants are masked,
      with the next smallest ones until the masked participants number at least k.
    """
    if answers.empty:
        return RawPlan(frozenset(), frozenset(), {}, frozenset())
    pool = analysis.hidden_groups(answers, k)
    items = {it.id: it for it in questionnaire.items()}
    pooled = answers.loc[answers["group"].isin(list(pool)).to_numpy(), "participant"]
    if pooled.nunique() < k:  # the whole workshop is under k: nothing of theirs is shown
        common = frozenset()
    else:
        common = frozenset(i for i, it in items.items()
                           if all(it.asked_of(g) for g in pool))
    dropped: dict[str, frozenset] = {}
    # Two figures per item: who answered it at all, and whose answer has a score (the
    # mean the analysis tables show); each keeps 0 or at least k answers left out.
    scored = answers[answers["score"].notna().to_numpy()]
    per_item = [part.groupby(["item_id", "group"], sort=False)["participant"].nunique()
                for part in (answers, scored)]
    for item_id in answers["item_id"].drop_duplicates():
        if item_id in common:
            continue
        gone: set = set()
        for sizes in per_item:
            if item_id in sizes.index.get_level_values(0):
                counts = {g: int(n) for g, n in sizes.loc[item_id].items()}
                gone |= analysis.complement(counts, k, pool, small=False)
        if gone - pool:
            dropped[item_id] = frozenset(gone - pool)
    people = answers.drop_duplicates("participant")
    places = people["establishment"].astype(object).where(people["establishment"].notna(),
                                                           None)
    people = people.assign(establishment=places)
    hidden_places = set()
    for group, members in people.groupby("group", sort=False):
        if group in pool:
            continue
        sizes = members["establishment"].value_counts(dropna=False, sort=False)
        for place in analysis.complement({p: int(n) for p, n in sizes.items()}, k):
            hidden_places.add((group, None if pd.isna(place) else place))
    return RawPlan(pool, common, dropped, frozenset(hidden_places))


def raw_rows(answers: pd.DataFrame, plan: RawPlan) -> pd.DataFrame:
    """The rows of ``answers`` the raw table shows under ``plan``."""
    if answers.empty:
        return answers
    group = answers["group"].to_numpy(dtype=object)
    item = answers["item_id"].to_numpy(dtype=object)
    pooled = np.isin(group, list(plan.pool))
    keep = ~pooled | np.isin(item, list(plan.common))
    for item_id, groups in plan.dropped.items():
        keep &= ~((item == item_id) & np.isin(group, list(groups)))
    return answers[keep]


def _numbers(participants: pd.Series) -> dict[object, int]:
    """A fresh number per participant, in random order (not their order of arrival)."""
    people = list(dict.fromkeys(participants))
    secrets.SystemRandom().shuffle(people)
    return {p: i for i, p in enumerate(people, start=1)}


def answers_table(report: Report, lang: str | None = None) -> Table:
    """The raw answers, one row per answer, small groups pooled (see :func:`raw_plan`).

    Validated answers only (:func:`coopkit.analysis.counted`). Participants are numbered
    afresh at each export, in random order and once across the file's workshops: the
    number ties the answers of one person within one file, and nothing else (neither
    the order of arrival nor another file).
    Pooled participants' answer times are left out (a group answering together, or on
    paper, would stand out by its times).
    """
    code = _lang(lang)
    shown = []
    for wd in report.workshops:
        counted = analysis.counted(wd.answers)
        plan = raw_plan(counted, wd.questionnaire, wd.k)
        shown.append((wd, plan, raw_rows(counted, plan)))
    number = _numbers(pd.Series([(wd.workshop.id, p) for wd, _, rows in shown
                                 for p in rows["participant"]], dtype=object))
    parts = []
    for wd, plan, frame in shown:
        q, k = wd.questionnaire, wd.k
        sections = {s.id: s for s in _all_sections(q)}
        texts = {it.id: it.text.get(code) for it in q.items()}
        hidden = masked_label(k, code)
        position = {item_id: i for i, item_id in enumerate(texts)}
        if len(frame):
            ident = wd.workshop.id
            frame = frame.assign(number=frame["participant"].map(lambda p, w=ident:
                                                                 number[(w, p)]),
                                 position=frame["item_id"].map(position)).sort_values(
                ["number", "position"], kind="stable")
        rows = []
        for r in frame.itertuples(index=False):
            place = r.establishment if isinstance(r.establishment, str) else None
            pooled = r.group in plan.pool
            if pooled:
                group, place = hidden, hidden
            else:
                group = group_label(r.group, q, code)
                if (r.group, place) in plan.hidden_places:
                    place = hidden
            value = r.value
            if isinstance(value, list | tuple):
                value = "; ".join(map(str, value))
            when = None if pooled or pd.isna(r.answered_at) else \
                r.answered_at.tz_convert("UTC").tz_localize(None)
            rows.append({
                _h("workshop", code): wd.workshop.code, _h("wave", code): wd.workshop.wave,
                _h("questionnaire", code): q.id, _h("participant", code): int(r.number),
                _h("group", code): group, _h("establishment", code): place,
                _h("validated", code): t("export.yes" if r.validated else "export.no", code),
                _h("section", code): (sections[r.section_id].title.get(code)
                                      if r.section_id in sections else None),
                _h("item_id", code): r.item_id, _h("question", code): texts.get(r.item_id),
                _h("item_type", code): r.item_type, _h("value", code): value,
                _h("answer", code): answer_label(q, r.item_id, r.value, code),
                _h("score", code): None if pd.isna(r.score) else float(r.score),
                _h("answered_at", code): when,
            })
        parts.append(pd.DataFrame(rows))
    columns = ["workshop", "wave", "questionnaire", "participant", "group", "establishment",
               "validated", "section", "item_id", "question", "item_type", "value", "answer",
               "score", "answered_at"]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    frame = frame.reindex(columns=[_h(c, code) for c in columns])
    kinds = {_h("participant", code): INTEGER, _h("score", code): PERCENT,
             _h("answered_at", code): DATE}
    return Table("answers", t("export.sheet.answers", code), frame, kinds,
                 _note("export.note.answers", code, count=report.k))


def _note(key: str, lang: str, count: int | None = None, **values: object) -> str:
    """A table's note, followed by what every figure counts (one policy everywhere);
    ``count``: the number the note's text is written for (its plural form)."""
    text = t(key, lang, **values) if count is None else tn(key, count, lang, **values)
    return f"{text} {t('export.note.counting', lang)}"


def _all_sections(q: Questionnaire):
    for s in q.sections:
        yield s
        yield from s.subsections


# ------------------------------------------------------------------ analysis tables

def has_feelings(q: Questionnaire) -> bool:
    return any(it.feeling and it.theme and not it.about for it in q.items())


def has_readiness(q: Questionnaire) -> bool:
    return any(it.scored and it.feeling is None and it.about is None for it in q.items())


def _prefix(wd: WorkshopData, frame: pd.DataFrame, code: str) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, _h("wave", code), wd.workshop.wave)
    out.insert(0, _h("workshop", code), wd.workshop.code)
    return out


def _stack(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def participation_frame(wd: WorkshopData) -> pd.DataFrame:
    """:func:`coopkit.analysis.participation` of a workshop: per group then in all, who
    joined and who validated, small counts masked with their complements."""
    return analysis.participation(wd.participation, wd.k)


def _participation(report: Report, code: str) -> Table:
    parts = []
    for wd in report.workshops:
        masked = participation_frame(wd)

        def shown(column: pd.Series) -> pd.Series:
            return column.astype(object).where(column.notna(), None)

        parts.append(_prefix(wd, pd.DataFrame({
            _h("group", code): [t("export.total", code) if g is None
                                else group_label(g, wd.questionnaire, code)
                                for g in masked["group"]],
            _h("joined", code): shown(masked["joined"]),
            _h("validated", code): shown(masked["validated"]),
            _h("status", code): [_status(s, wd.k, code) for s in masked["status"]],
        }), code))
    kinds = {_h("joined", code): INTEGER, _h("validated", code): INTEGER}
    return Table("participation", t("export.sheet.participation", code), _stack(parts), kinds,
                 _note("export.note.masked", code, count=report.k))


def _readiness(report: Report, level: str, code: str) -> Table | None:
    parts = []
    for wd in report.workshops:
        q = wd.questionnaire
        if not has_readiness(q) or wd.answers.empty:
            continue
        whole = analysis.readiness(wd.answers, q, level=level, lang=code)
        whole.insert(0, "group", None)
        groups = analysis.readiness(wd.answers, q, level=level, by="group", lang=code)
        both = pd.concat([whole, groups], ignore_index=True)
        parts.append(_prefix(wd, pd.DataFrame({
            _h("group", code): [group_label(g, q, code) if g else t("export.everyone", code)
                                for g in both["group"]],
            _h(level, code): both["label"],
            _h("score", code): both["score"],
            _h("spread", code): both["spread"],
            _h("n", code): _counts(both["n"]),
            _h("status", code): [_status(s, wd.k, code) for s in both["status"]],
        }), code))
    if not parts:
        return None
    kinds = {_h("score", code): PERCENT, _h("spread", code): PERCENT, _h("n", code): INTEGER}
    return Table(f"readiness_{level}", t(f"export.sheet.readiness_{level}", code),
                 _stack(parts), kinds, _note("export.note.readiness", code, k=report.k))


def _counts(series: pd.Series) -> list[object]:
    return [None if pd.isna(v) else int(v) for v in series]


def _recommendations(report: Report, code: str) -> Table | None:
    parts = []
    for wd in report.workshops:
        q = wd.questionnaire
        if not has_readiness(q) or wd.answers.empty:
            continue
        weak = analysis.weakest_items(wd.answers, q, limit=None, lang=code)
        parts.append(_prefix(wd, pd.DataFrame({
            _h("section", code): weak["section"], _h("question", code): weak["text"],
            _h("score", code): weak["score"], _h("weak_share", code): weak["weak_share"],
            _h("n", code): _counts(weak["n"]),
            _h("recommendation", code): weak["recommendation"],
        }), code))
    if not parts:
        return None
    kinds = {_h("score", code): PERCENT, _h("weak_share", code): PERCENT,
             _h("n", code): INTEGER}
    return Table("recommendations", t("export.sheet.recommendations", code), _stack(parts),
                 kinds, _note("export.note.recommendations", code, k=report.k))


def _feelings(report: Report, code: str) -> Table | None:
    parts = []
    for wd in report.workshops:
        q = wd.questionnaire
        if not has_feelings(q) or wd.answers.empty:
            continue
        fmap = analysis.feelings_map(wd.answers, by="group")
        parts.append(_prefix(wd, pd.DataFrame({
            _h("group", code): [group_label(g, q, code) for g in fmap["group"]],
            _h("theme", code): [concept_label("theme", x, code) for x in fmap["theme"]],
            _h("feeling", code): [concept_label("feeling", x, code) for x in fmap["feeling"]],
            _h("intensity", code): fmap["mean"],
            _h("value_mean", code): fmap["value_mean"],
            _h("spread", code): fmap["spread"],
            _h("n", code): _counts(fmap["n"]),
            _h("not_concerned", code): fmap["not_concerned"],
            _h("status", code): [_status(s, wd.k, code) for s in fmap["status"]],
        }), code))
    if not parts:
        return None
    kinds = {_h("intensity", code): PERCENT, _h("value_mean", code): DECIMAL,
             _h("spread", code): PERCENT, _h("n", code): INTEGER,
             _h("not_concerned", code): INTEGER}
    return Table("feelings", t("export.sheet.feelings", code), _stack(parts), kinds,
                 _note("export.note.feelings", code, k=report.k))


def shows_tendencies(wd: WorkshopData) -> bool:
    """Whether the consultant turned the tendencies on for this workshop: they are left
    out of every export otherwise (``docs/tendency.md``, « Off by default »)."""
    return wd.workshop.settings.show_tendencies


def _tendencies(report: Report, code: str) -> Table | None:
    parts = []
    for wd in report.workshops:
        q = wd.questionnaire
        if not has_feelings(q) or wd.answers.empty or not shows_tendencies(wd):
            continue
        tend = analysis.tendencies(wd.answers, by="group")
        data = {_h("group", code): [group_label(g, q, code) for g in tend["group"]]}
        for f in method.MAP_ROWS:
            data[concept_label("feeling", f, code) or f] = tend[f]
        data[_h("feeling_intensity", code)] = tend["intensity"]
        for b in method.BEHAVIOUR_IDS:
            data[t("export.col.pressure", code, behaviour=concept_label("behaviour", b, code))
                 ] = tend[f"pressure_{b}"]
        data[_h("reading", code)] = [analysis.tendency.phrase(r, code) or None
                                     for r in tend["reading"]]
        data[_h("n", code)] = _counts(tend["n"])
        data[_h("status", code)] = [_status(s, wd.k, code) for s in tend["status"]]
        parts.append(_prefix(wd, pd.DataFrame(data), code))
    if not parts:
        return None
    kinds = {**{concept_label("feeling", f, code) or f: DECIMAL for f in method.MAP_ROWS},
             _h("feeling_intensity", code): DECIMAL,
             **{t("export.col.pressure", code, behaviour=concept_label("behaviour", b, code)):
                DECIMAL for b in method.BEHAVIOUR_IDS},
             _h("n", code): INTEGER}
    return Table("tendencies", t("export.sheet.tendencies", code), _stack(parts), kinds,
                 _note("export.note.tendencies", code, k=report.k))


def _divergence(report: Report, code: str) -> Table | None:
    parts = []
    for wd in report.workshops:
        if wd.answers.empty:
            continue
        div = analysis.divergence(wd.answers, wd.questionnaire, lang=code)
        parts.append(_prefix(wd, pd.DataFrame({
            _h("item_id", code): div["item_id"], _h("question", code): div["label"],
            _h("n", code): _counts(div["n"]), _h("mean", code): div["mean"],
            _h("dispersion", code): div["dispersion"],
            _h("polarisation", code): div["polarisation"],
            _h("bimodality", code): div["bimodality"], _h("group_gap", code): div["group_gap"],
            _h("index", code): div["index"],
            _h("status", code): [_status(s, wd.k, code) for s in div["status"]],
        }), code))
    if not parts:
        return None
    kinds = {_h("n", code): INTEGER, _h("mean", code): PERCENT,
             _h("dispersion", code): DECIMAL, _h("polarisation", code): DECIMAL,
             _h("bimodality", code): DECIMAL, _h("group_gap", code): PERCENT,
             _h("index", code): DECIMAL}
    return Table("divergence", t("export.sheet.divergence", code), _stack(parts), kinds,
                 _note("export.note.divergence", code, k=report.k))


def _actions(report: Report, code: str) -> Table:
    p = report.proposals
    codes = {wd.workshop.id: wd.workshop.code for wd in (*report.workshops, *report.baselines)}
    q = report.workshops[0].questionnaire if report.workshops else None
    frame = pd.DataFrame({
        _h("id", code): p["id"] if len(p) else [],
        _h("action", code): p["text"] if len(p) else [],
        _h("proposed_by", code): [group_label(g, q, code) for g in p["group"]],
        _h("feeling", code): [concept_label("feeling", x, code) for x in p["feeling"]],
        _h("theme", code): [concept_label("theme", x, code) for x in p["theme"]],
        _h("principle", code): [None if x is None or pd.isna(x) else int(x)
                                for x in p["principle"]],
        _h("plan", code): [concept_label("plan", x, code) for x in p["plan"]],
        _h("action_status", code): [concept_label("status", x, code) for x in p["status"]],
        _h("owner", code): p["owner"] if len(p) else [],
        _h("due", code): p["due"] if len(p) else [],
        _h("workshop", code): [codes.get(w) if w is not None and not pd.isna(w) else None
                               for w in p["workshop_id"]],
        _h("establishment", code): p.get("establishment"),
        _h("statements", code): [", ".join(s) if isinstance(s, tuple | list) else None
                                 for s in p["statements"]] if "statements" in p else None,
    })
    return Table("actions", t("export.sheet.actions", code), frame,
                 {_h("id", code): INTEGER, _h("principle", code): INTEGER,
                  _h("due", code): DATE}, t("export.note.actions", code))


def _commitment(report: Report, code: str) -> Table:
    record = report.commitment
    threshold = record.threshold if record else method.COMMITMENT_THRESHOLD
    com = analysis.commitment(report.proposals,
                              committed_on=record.committed_on if record else None,
                              threshold=threshold)
    q = report.workshops[0].questionnaire if report.workshops else None
    frame = pd.DataFrame({
        _h("proposed_by", code): [t("export.everyone", code) if s == "all"
                                  else group_label(g, q, code)
                                  for s, g in zip(com["scope"], com["group"], strict=True)],
        _h("total", code): com["total"], _h("retained", code): com["retained"],
        _h("done", code): com["done"], _h("open", code): com["open"],
        _h("dropped", code): com["dropped"],
        _h("share_retained", code): com["share_retained"],
        _h("share_done", code): com["share_done"], _h("threshold", code): com["threshold"],
        _h("meets", code): [t("export.yes" if m else "export.no", code)
                            for m in com["meets_commitment"]],
        _h("commitment_state", code): [t(f"chart.commitment.state.{s}", code,
                                         pct=percent_text(threshold, code))
                                       for s in com["state"]],
    })
    kinds = {_h(c, code): INTEGER for c in ("total", "retained", "done", "open", "dropped")}
    kinds |= {_h("share_retained", code): PERCENT, _h("share_done", code): PERCENT,
              _h("threshold", code): PERCENT}
    if record is None:
        note = t("export.note.commitment_not_taken", code, pct=percent_text(threshold, code))
    else:
        note = t("export.note.commitment_taken", code, pct=percent_text(threshold, code),
                 date=record.committed_on.isoformat(), by=record.committed_by)
    rule = t("export.note.commitment", code, pct=percent_text(threshold, code))
    return Table("commitment", t("export.sheet.commitment", code), frame, kinds,
                 f"{note} {rule}")


def waves_frame(before: WorkshopData, after: WorkshopData) -> pd.DataFrame:
    """:func:`coopkit.analysis.waves` of a pair: feelings by group x theme x feeling, or
    readiness by group x section."""
    q = after.questionnaire
    by = ("group", "theme", "feeling") if has_feelings(q) else ("group", "section_id")
    return analysis.waves(before.answers, after.answers, by=by)


def _waves(report: Report, code: str) -> Table | None:
    parts = []
    for before, after in wave_pairs(report):
        q = after.questionnaire
        wv = waves_frame(before, after)
        k = max(before.k, after.k)
        sections = {s.id: s.title.get(code) for s in _all_sections(q)}
        data = {_h("questionnaire", code): q.id,
                _h("from", code): before.name, _h("to", code): after.name,
                _h("group", code): [group_label(g, q, code) for g in wv["group"]]}
        if "theme" in wv:
            data[_h("theme", code)] = [concept_label("theme", x, code) for x in wv["theme"]]
            data[_h("feeling", code)] = [concept_label("feeling", x, code) for x in wv["feeling"]]
        else:
            data[_h("section", code)] = [sections.get(s, s) for s in wv["section_id"]]
        data |= {_h("before", code): wv["mean0"], _h("after", code): wv["mean1"],
                 _h("delta", code): wv["delta"], _h("n_before", code): _counts(wv["n0"]),
                 _h("n_after", code): _counts(wv["n1"]),
                 _h("status", code): [_status(s, k, code) for s in wv["status"]]}
        parts.append(pd.DataFrame(data))
    if not parts:
        return None
    kinds = {_h("before", code): PERCENT, _h("after", code): PERCENT,
             _h("delta", code): PERCENT, _h("n_before", code): INTEGER,
             _h("n_after", code): INTEGER}
    return Table("waves", t("export.sheet.waves", code), _stack(parts), kinds,
                 _note("export.note.waves", code, k=report.k))


def about_table(report: Report, lang: str | None = None) -> Table:
    """Key facts: project, purpose, workshops, k, the export's date."""
    code = _lang(lang)
    p = report.project
    rows: list[tuple[str, object]] = [
        (_h("project", code), p.name), (_h("purpose", code), p.purpose),
        (_h("promoter", code), p.promoter),
        (_h("partners", code), "; ".join(report.partners) or None),
        (_h("exported_at", code), report.created_at.astimezone(UTC).replace(tzinfo=None)),
        (_h("k", code), report.k),
        (_h("anonymity", code), tn("export.note.masked", report.k, code)),
        (_h("counting", code), t("export.note.counting", code)),
    ]
    for wd in report.workshops:
        q, ws = wd.questionnaire, wd.workshop
        total = participation_frame(wd).iloc[-1]  # the total, masked under k
        hidden = masked_label(wd.k, code)
        joined = hidden if pd.isna(total["joined"]) else int(total["joined"])
        validated = hidden if pd.isna(total["validated"]) else int(total["validated"])
        rows.append((_h("workshop", code), t(
            "export.about.workshop", code, code=ws.code, wave=ws.wave, title=q.title.get(code),
            id=q.id, version=q.version, hash=q.content_hash[:12],
            joined=tn("count.participants", joined, code),
            validated=tn("count.validated", validated, code), k=wd.k)))
    frame = pd.DataFrame(rows, columns=[_h("field", code), _h("content", code)])
    return Table("about", t("export.sheet.about", code), frame, {}, "")


def tables(report: Report, lang: str | None = None) -> list[Table]:
    """Every table of the Excel workbook, in sheet order (pure: no I/O)."""
    code = _lang(lang)
    found = [
        about_table(report, code), _participation(report, code), answers_table(report, code),
        _readiness(report, "section", code), _readiness(report, "principle", code),
        _recommendations(report, code), _feelings(report, code), _tendencies(report, code),
        _divergence(report, code), _actions(report, code), _commitment(report, code),
        _waves(report, code),
    ]
    return [tb for tb in found if tb is not None]
