"""Readiness: how ready the partners say they are, by item, section or principle;
how complete the answers are; the weakest items with their recommendations.

Pure functions over the answers frame (see :mod:`coopkit.analysis.core`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from coopkit.analysis.core import (
    _UNIT_KEYS,
    LEVELS,
    OK,
    _across_persons,
    _combos,
    _cross,
    _long,
    _narrow,
    _order,
    _participants,
    _person_units,
    _scope,
    _sort,
    group_hidden,
    hidden_groups,
    mask,
)
from coopkit.definitions import method
from coopkit.definitions.questionnaire import Item, Questionnaire, Section
from coopkit.errors import CoopkitError, problem
from coopkit.i18n import t


def _is_readiness(item: Item) -> bool:
    """A scored item that measures readiness (not a feeling, not an estimate of others)."""
    return item.scored and item.feeling is None and item.about is None


def _unit_table(questionnaire: Questionnaire, level: str, *, scored_only: bool) -> pd.DataFrame:
    """item_id -> unit key columns for one level (principle: one row per principle).

    ``scored_only``: only readiness items (see :func:`_is_readiness`)."""
    if level not in LEVELS:
        raise CoopkitError(problem("unknown_level", field="level", value=level,
                                   allowed=", ".join(LEVELS)))
    rows = []
    for item in questionnaire.items():
        if scored_only and not _is_readiness(item):
            continue
        path = questionnaire.section_path(item.id)
        section = path[0].id if path else None
        sub = path[1].id if len(path) > 1 else None
        base = {"item_id": item.id, "section_id": section, "subsection_id": sub,
                "groups": item.groups}
        if level == "principle":
            rows.extend({**base, "principle": p} for p in item.principles)
        elif level == "subsection":
            if sub is not None:
                rows.append(base)
        else:
            rows.append({**base, "unit": "overall"})
    cols = ["item_id", "section_id", "subsection_id", "groups", *_UNIT_KEYS[level]]
    return pd.DataFrame(rows, columns=list(dict.fromkeys(cols)))


def _sections(questionnaire: Questionnaire) -> dict[str, Section]:
    out: dict[str, Section] = {}

    def walk(sections: tuple[Section, ...]) -> None:
        for s in sections:
            out[s.id] = s
            walk(s.subsections)

    walk(questionnaire.sections)
    return out


def _labels(table: pd.DataFrame, questionnaire: Questionnaire, level: str,
            lang: str | None) -> pd.Series:
    sections = _sections(questionnaire)
    if level == "item":
        return table["item_id"].map(lambda i: questionnaire.item(i).text.get(lang))
    if level == "section":
        return table["section_id"].map(lambda s: sections[s].title.get(lang))
    if level == "subsection":
        return table["subsection_id"].map(lambda s: sections[s].title.get(lang))
    if level == "principle":
        return table["principle"].map(lambda p: t(f"method.principle.{int(p)}", lang))
    return pd.Series(t("analysis.overall", lang), index=table.index, dtype=object)


def _unit_rows(rows: pd.DataFrame, units: pd.DataFrame, level: str) -> pd.DataFrame:
    """Attach the unit key(s) to answer rows (principle: one row per principle)."""
    if level in ("item", "section"):
        return rows[rows["item_id"].isin(units["item_id"])]
    if level == "subsection":
        return rows[rows["subsection_id"].notna() & rows["item_id"].isin(units["item_id"])]
    if level == "overall":
        out = rows[rows["item_id"].isin(units["item_id"])]
        return out.assign(unit="overall")
    return rows.merge(units[["item_id", "principle"]], on="item_id", how="inner")


def _unit_order(questionnaire: Questionnaire, level: str, units: pd.DataFrame
                ) -> pd.DataFrame:
    keys = _UNIT_KEYS[level]
    out = units[keys].drop_duplicates()
    if level == "principle":
        out = out.sort_values("principle")
    return out.reset_index(drop=True)


def readiness(frame: pd.DataFrame, questionnaire: Questionnaire, *, level: str = "section",
              by: str | Sequence[str] | None = None, participant: object = None,
              lang: str | None = None) -> pd.DataFrame:
    """Readiness scores (0..1, 1 = ready) per item, sub-section, section, principle or
    overall.

    A person's score for a unit is the mean of their scored answers to the unit's items
    (``"na"``/``"dk"`` and text answers have no score); a group's score is the mean of
    its members' scores, each person weighing the same. An item tagged with several
    principles counts for each of them. Items tagged with a feeling or estimating
    another group measure feelings, not readiness: they are left out (see
    :func:`feelings_map`).

    - ``participant``: one person's own result (never masked: it is theirs);
    - ``by``: ``None`` for the whole frame, ``"group"``, ``("group", "establishment")``...

    Returns one row per breakdown x unit, in the questionnaire's order: the ``by``
    columns, the unit key(s) (``item_id`` / ``section_id`` [+ ``subsection_id``] /
    ``principle`` / ``unit``), ``label``, ``score``, ``spread``, ``n``, ``masked``,
    ``status``. Units without any scored answer have ``status == "empty"``.
    """
    rows, keys_by, k = _scope(frame, questionnaire, by, participant,
                              ("item_id", "score"))
    units = _unit_table(questionnaire, level, scored_only=True)
    unit_keys = _UNIT_KEYS[level]
    order = _unit_order(questionnaire, level, units)
    item_unit = units.merge(order.assign(unit_=range(len(order))), on=unit_keys)
    item_unit = item_unit[["item_id", "unit_"]].rename(columns={"unit_": "unit"})
    rows = _narrow(rows, "participant", *keys_by, "item_id", "score")
    people, means = _person_units(rows, item_unit, len(order), keys_by)
    combos, mean, spread, n = _across_persons(people, keys_by, means["score"])
    out = _long(combos, order, score=mean, spread=spread, n=n)  # every person's breakdown
    out.insert(len(keys_by) + len(unit_keys), "label", _labels(out, questionnaire, level, lang))
    out = mask(out, k, ["score", "spread"], within=unit_keys, among=keys_by,
               hidden=_pool(out, rows, k, keys_by))
    return _sort(out, {"group": _order(out.get("group", []), method.GROUP_IDS)})


def _pool(table: pd.DataFrame, rows: pd.DataFrame, k: int, keys_by: Sequence[str]):
    """The rows of ``table`` of a group hidden everywhere (see ``hidden_groups``)."""
    if "group" not in keys_by:
        return None
    return group_hidden(table, hidden_groups(rows, k))


def completion(frame: pd.DataFrame, questionnaire: Questionnaire, *, level: str = "section",
               by: str | Sequence[str] | None = None, participant: object = None,
               lang: str | None = None) -> pd.DataFrame:
    """Completion (0..1): the share of the unit's questions a person answered.

    Counts every answer, "not applicable" and "don't know" included, over the items
    asked of the person's group (:meth:`~coopkit.definitions.questionnaire.Item.asked_of`:
    an item restricted with ``groups:`` is not expected from the others, and nobody
    estimates their own group "in the other's shoes"). A group's completion is the mean
    over its respondents; ``n`` is the number of respondents (people with at least one
    answer to the questionnaire).
    Columns: the ``by`` columns, the unit key(s), ``label``, ``completion``, ``n``,
    ``masked``, ``status``.
    """
    rows, keys_by, k = _scope(frame, questionnaire, by, participant,
                              ("item_id", "section_id", "subsection_id"))
    units = _unit_table(questionnaire, level, scored_only=False)
    unit_keys = _UNIT_KEYS[level]
    rows = _narrow(rows, "participant", "group", *keys_by, "item_id", "section_id",
                   "subsection_id")
    people = _participants(rows, keys_by)
    # Items expected from each group, per unit (a handful of groups: no per-person loop).
    expected = []
    for group in people["group"].drop_duplicates():
        asked = [questionnaire.item(i).asked_of(group) for i in units["item_id"]]
        shown = units[asked]
        counts = shown.groupby(unit_keys, sort=False).size().rename("expected").reset_index()
        expected.append(counts.assign(group=group))
    if expected:
        expected_df = pd.concat(expected, ignore_index=True)
    else:
        expected_df = pd.DataFrame(columns=[*unit_keys, "expected", "group"])
    answered = _unit_rows(rows, units, level).groupby(
        ["participant", *unit_keys], sort=False).size().rename("answered").reset_index()
    person = people.merge(expected_df, on="group").merge(
        answered, on=["participant", *unit_keys], how="left")
    person["completion"] = (person["answered"].fillna(0) / person["expected"]).clip(upper=1)
    grouped = person.groupby([*keys_by, *unit_keys], sort=False)["completion"]
    cells = pd.DataFrame({"completion": grouped.mean(), "n": grouped.size()}).reset_index()
    grid = _cross(_combos(rows, keys_by, None), _unit_order(questionnaire, level, units))
    out = grid.merge(cells, how="left", on=[*keys_by, *unit_keys])
    out["n"] = out["n"].fillna(0)
    out.insert(len(keys_by) + len(unit_keys), "label", _labels(out, questionnaire, level, lang))
    out = mask(out, k, ["completion"], within=unit_keys, among=keys_by,
               hidden=_pool(out, rows, k, keys_by))
    return _sort(out, {"group": _order(out.get("group", []), method.GROUP_IDS)})


def weakest_items(frame: pd.DataFrame, questionnaire: Questionnaire, *,
                  by: str | Sequence[str] | None = None, participant: object = None,
                  limit: int | None = 5, lang: str | None = None) -> pd.DataFrame:
    """The items that most call for their recommendation, weakest first.

    An answer is weak when the item says so (``weak_below`` / ``weak_above``, else a
    score under 0.5: the ``weak`` column). Items are ranked by ``weak_share`` (share of
    respondents whose answer is weak; 0 or 1 for one participant), then by ``score``
    (lowest first), then by questionnaire order; only items with a weak answer are
    listed, and masked items are left out (they cannot be ranked without leaking).
    Only readiness items count (a low fear is no weakness).
    Columns: the ``by`` columns, ``item_id``, ``section_id``, ``text``, ``section``
    (title), ``score``, ``weak_share``, ``n``, ``recommendation`` (the item's feedback,
    None when it has none), ``masked``, ``status``. ``limit`` rows per breakdown.
    """
    rows, keys_by, k = _scope(frame, questionnaire, by, participant,
                              ("item_id", "score", "weak"))
    everyone = rows
    readiness_ids = [it.id for it in questionnaire.items() if _is_readiness(it)]
    rows = _narrow(rows, "participant", *keys_by, "item_id", "score", "weak")
    rows = rows[(rows["score"].notna() & rows["item_id"].isin(readiness_ids)).to_numpy()]
    rows = rows.assign(weak=rows["weak"].astype(float))
    person = rows.groupby([*keys_by, "item_id", "participant"], sort=False)[
        ["score", "weak"]].mean()
    grouped = person.groupby(level=list(range(len(keys_by) + 1)), sort=False)
    cells = grouped.mean().rename(columns={"weak": "weak_share"})
    cells["n"] = grouped.size()
    cells = cells.reset_index()
    cells = mask(cells, k, ["score", "weak_share"], within=["item_id"], among=keys_by,
                 hidden=_pool(cells, everyone, k, keys_by))
    cells = cells[cells["status"].eq(OK) & cells["weak_share"].gt(0)]
    order = {it.id: i for i, it in enumerate(questionnaire.items())}
    cells = cells.assign(_pos=cells["item_id"].map(order))
    if keys_by:
        cells = _sort(cells, {"group": _order(cells.get("group", []), method.GROUP_IDS)})
    cells = cells.sort_values([*keys_by, "weak_share", "score", "_pos"],
                              ascending=[*[True] * len(keys_by), False, True, True],
                              kind="stable")
    if limit is not None:
        cells = cells.groupby(keys_by, sort=False).head(limit) if keys_by else cells.head(limit)
    items = [questionnaire.item(i) for i in cells["item_id"]]
    sections = _sections(questionnaire)
    paths = [questionnaire.section_path(i.id) for i in items]
    out = cells.drop(columns="_pos").reset_index(drop=True)
    out.insert(len(keys_by) + 1, "section_id", [p[0].id for p in paths])
    out.insert(len(keys_by) + 2, "text", [i.text.get(lang) for i in items])
    out.insert(len(keys_by) + 3, "section",
               [sections[p[0].id].title.get(lang) for p in paths])
    out["recommendation"] = [_feedback(i, lang) for i in items]
    return out


def _feedback(item: Item, lang: str | None) -> str | None:
    return item.feedback.get(lang) if item.feedback is not None else None
