"""Analysis of a workshop's answers: pure functions over the answers frame.

Every function takes the tidy frame the store returns (``store.answers_frame``: one row
per answer, columns ``participant``, ``group``, ``item_id``, ``score``, ``feeling``,
``theme``... see :data:`ANSWER_COLUMNS`) and returns a new frame; nothing here touches
SQL, widgets or matplotlib, and nothing mutates its input.

**Anonymity.** Every breakdown goes through :func:`mask`: a cell computed from fewer
than ``k`` respondents (``frame.attrs["k"]``, default :data:`DEFAULT_K`) has its values
*and* its count blanked in the frame itself, ``masked`` set and ``status`` ``"masked"``
("fewer than k answers"), distinct from ``"empty"`` (no answer at all). Charts, exports
and dashboards therefore cannot leak what they never receive. The only unmasked results
are a participant's own (``participant=`` arguments).

**Counting people, not rows.** ``n`` is always the number of distinct respondents whose
scored answers make the figure. Averages are taken per person first (a person who
answered three "fear / quality" items counts once, with the mean of their three
answers), then across persons, so every respondent weighs the same. The frame is
expected to hold one row per participant and item (the store keeps the last answer).

The formulas (tendency, divergence index, commitment) are explained for consultants in
``docs/analysis.md`` and ``docs/tendency.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from coopkit.definitions import method
from coopkit.definitions.questionnaire import Item, Questionnaire, Section
from coopkit.errors import CoopkitError, problem
from coopkit.i18n import t

#: Anonymity threshold used when the frame does not say (``frame.attrs["k"]``).
DEFAULT_K = 5
OK, MASKED, EMPTY = "ok", "masked", "empty"
STATUSES = (OK, MASKED, EMPTY)
#: Levels of :func:`readiness` and :func:`completion`.
LEVELS = ("item", "subsection", "section", "principle", "overall")
#: The columns of the answers frame (the store's contract).
ANSWER_COLUMNS = (
    "workshop_id", "project_id", "wave", "questionnaire_id", "questionnaire_hash",
    "participant", "group", "establishment", "validated", "item_id", "item_type",
    "section_id", "subsection_id", "value", "score", "weak", "feeling", "theme",
    "principles", "factor", "about", "mirrors", "answered_at",
)
#: Scores at or below / at or above these count as the two extremes (polarisation).
LOW_EXTREME, HIGH_EXTREME = 0.25, 0.75

_UNIT_KEYS = {
    "item": ["item_id"],
    "subsection": ["section_id", "subsection_id"],
    "section": ["section_id"],
    "principle": ["principle"],
    "overall": ["unit"],
}


# ------------------------------------------------------------------------ anonymity

def anonymity_k(frame: pd.DataFrame) -> int:
    """The workshop's anonymity threshold: ``frame.attrs["k"]``, else :data:`DEFAULT_K`."""
    k = frame.attrs.get("k")
    return DEFAULT_K if k is None else max(int(k), 1)


def mask(table: pd.DataFrame, k: int, values: Iterable[str],
         n: str | Sequence[str] = "n") -> pd.DataFrame:
    """Blank every cell of ``table`` computed from fewer than ``k`` respondents.

    ``n`` names the count column (or several, e.g. both waves of a comparison: the row
    is judged on the smallest). Returns a copy with:

    - ``status``: ``"ok"``, ``"masked"`` (1 to k-1 respondents: "fewer than k answers")
      or ``"empty"`` (no respondent at all);
    - ``masked``: True for ``"masked"`` rows;
    - every column of ``values`` set to NaN (None for non-numeric columns) unless
      ``"ok"``;
    - each count column as a nullable integer, blanked (``<NA>``) where it is between 1
      and k-1, so the exact size of a small group does not leak either.

    ``attrs["k"]`` of the result records the threshold used.
    """
    names = [n] if isinstance(n, str) else list(n)
    out = table.copy()
    counts = np.column_stack(
        [pd.to_numeric(out[c], errors="coerce").fillna(0).to_numpy(dtype="int64")
         for c in names]) if len(out) else np.zeros((0, len(names)), dtype="int64")
    low = counts.min(axis=1)
    empty = low == 0
    masked = (low > 0) & (low < k)
    hide = empty | masked
    for col in values:
        column = out[col]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            blanked = column.to_numpy(dtype=float, copy=True)
            blanked[hide] = np.nan
        else:
            blanked = column.to_numpy(dtype=object, copy=True)
            blanked[hide] = None
            blanked = pd.Series(blanked, index=out.index, dtype=object)  # keeps None
        out[col] = blanked
    for i, c in enumerate(names):
        small = (counts[:, i] > 0) & (counts[:, i] < k)
        out[c] = pd.arrays.IntegerArray(counts[:, i].copy(), small)
    out["masked"] = masked
    out["status"] = np.select([empty, masked], [EMPTY, MASKED], OK).astype(object)
    out.attrs = {**table.attrs, "k": k}
    return out


# -------------------------------------------------------------------------- helpers

def select(frame: pd.DataFrame, questionnaire: Questionnaire | str | None = None, *,
           validated_only: bool = False) -> pd.DataFrame:
    """The rows of one questionnaire (by id), optionally only validated answers."""
    keep = np.ones(len(frame), dtype=bool)
    if questionnaire is not None:
        qid = questionnaire if isinstance(questionnaire, str) else questionnaire.id
        keep &= frame["questionnaire_id"].to_numpy() == qid
    if validated_only:
        keep &= frame["validated"].fillna(False).to_numpy(dtype=bool)
    if keep.all():
        return frame
    out = frame[keep]
    out.attrs = dict(frame.attrs)
    return out



def _scope(frame: pd.DataFrame, questionnaire: Questionnaire, by: object,
           participant: object) -> tuple[pd.DataFrame, list[str], int]:
    """The rows, breakdown keys and k of a readiness figure: one participant's own
    result is neither broken down nor masked (it is theirs); any other is."""
    rows, keys_by, k = select(frame, questionnaire), _by(by), anonymity_k(frame)
    if participant is not None:
        return rows[rows["participant"] == participant], [], 1
    return rows, keys_by, k


def _by(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


#: Columns that describe the person, not the answer (grouped after the per-person step).
_PERSON_LEVEL = ("group", "establishment", "scope")


def _person_cells(rows: pd.DataFrame, keys: list[str], value: str = "score") -> pd.DataFrame:
    """Mean of ``value`` per cell: per person first, then across persons.

    Returns ``keys`` + ``mean``, ``spread`` (standard deviation of the persons' values,
    population formula ddof=0) and ``n`` (persons with a value).
    """
    person_keys = [c for c in keys if c in _PERSON_LEVEL]
    answer_keys = [c for c in keys if c not in _PERSON_LEVEL]
    sub = rows.loc[rows[value].notna().to_numpy(), ["participant", *answer_keys, value]]
    person = sub.groupby(["participant", *answer_keys], sort=False, dropna=False)[
        value].mean().reset_index()
    if person_keys:
        people = rows[["participant", *person_keys]].drop_duplicates("participant")
        person = person.merge(people, on="participant", how="left")
    if person.empty:
        return pd.DataFrame({**{c: pd.Series(dtype=object) for c in keys},
                             "mean": pd.Series(dtype=float), "spread": pd.Series(dtype=float),
                             "n": pd.Series(dtype="int64")})
    cells = person.groupby(keys, sort=False, dropna=False)[value]
    out = pd.DataFrame({"mean": cells.mean(), "spread": cells.std(ddof=0), "n": cells.size()})
    return out.reset_index()


def _own_feelings(frame: pd.DataFrame, by: Sequence[str] = (),
                  extra: Sequence[str] = ()) -> pd.DataFrame:
    """Answers about one's own feelings (a feeling tag, not an estimate of another group),
    narrowed to the columns the feelings analyses use (plus ``extra``)."""
    feeling = frame["feeling"].notna().to_numpy()
    about = frame["about"].to_numpy()[feeling]
    keep = feeling.copy()
    keep[feeling] = pd.isna(about)
    rows = _narrow(frame, "participant", "group", *by, "item_id", "theme", "feeling", "score",
                   *extra)
    return rows[keep]


def _order(values: Iterable[object], known: Sequence[object]) -> list[object]:
    """``values`` in the method's order, unknown ones after (sorted)."""
    seen = list(dict.fromkeys(v for v in values if v is not None and not pd.isna(v)))
    first = [v for v in known if v in seen]
    return first + sorted((v for v in seen if v not in known), key=str)


def _sort(table: pd.DataFrame, orders: Mapping[str, Sequence[object]]) -> pd.DataFrame:
    """Sort by columns following explicit orders (method order for groups, themes...)."""
    cols = [c for c in orders if c in table.columns]
    if table.empty or not cols:
        return table.reset_index(drop=True)
    keys = {}
    for c in cols:
        order = {v: i for i, v in enumerate(orders[c])}
        keys[c] = table[c].map(lambda v, o=order: o.get(v, len(o)))
    tmp = pd.DataFrame(keys, index=table.index)
    return table.loc[tmp.sort_values(cols, kind="stable").index].reset_index(drop=True)


def _narrow(rows: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Only the columns needed and present (filtering a narrow frame is much cheaper)."""
    return rows[[c for c in dict.fromkeys(cols) if c in rows.columns]]


def _participants(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    cols = list(dict.fromkeys(["participant", "group", *by]))
    return rows.drop_duplicates("participant")[cols].reset_index(drop=True)


def _combos(frame: pd.DataFrame, by: list[str], extra: Mapping[str, Sequence[str]] | None
            ) -> pd.DataFrame:
    """The breakdown combinations to show: those seen in the frame (plus given groups)."""
    if not by:
        return pd.DataFrame(index=[0])
    people = frame[["participant", *[c for c in by if c != "participant"]]]
    seen = people.drop_duplicates("participant")[by].drop_duplicates()
    if extra:
        for col, vals in extra.items():
            if col in by and len(by) == 1:
                missing = [v for v in vals if v not in set(seen[col])]
                seen = pd.concat([seen, pd.DataFrame({col: missing})], ignore_index=True)
    return seen.reset_index(drop=True)


def _cross(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    if left.columns.empty:
        return right.reset_index(drop=True)
    return left.merge(right, how="cross")


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """Position of the first row of each code (codes from ``pd.factorize``: 0, 1, ...
    numbered in order of appearance, so the result is aligned with the codes)."""
    if len(codes) == 0:
        return np.zeros(0, dtype=int)
    first = np.full(int(codes.max()) + 1, len(codes))
    np.minimum.at(first, codes, np.arange(len(codes)))
    return first


def _person_units(rows: pd.DataFrame, item_unit: pd.DataFrame, n_units: int, by: list[str],
                  values: Sequence[str] = ("score",)
                  ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per person and unit, the mean of each ``values`` column over the unit's items.

    ``item_unit`` maps ``item_id`` to ``unit`` (0..n_units-1; an item may feed several
    units). Vectorised: a persons x items matrix times an items x units 0/1 matrix, no
    loop over persons. Missing values are ignored; a repeated (person, item) keeps the
    last answer. Returns every person of ``rows`` (``participant`` and the ``by``
    columns, one row each) and, per column of ``values``, an (n_persons x n_units) array
    of means, NaN where the person has no value in the unit.
    """
    person_code, _ = pd.factorize(rows["participant"].to_numpy())
    item_code, items = pd.factorize(rows["item_id"].to_numpy())
    firsts = _first_rows(person_code)
    n_people, n_items = len(firsts), len(items)
    members = np.zeros((n_items, n_units))
    where = pd.Index(items).get_indexer(item_unit["item_id"])
    known = where >= 0
    members[where[known], item_unit["unit"].to_numpy()[known]] = 1.0
    people = rows.iloc[firsts][["participant", *by]].reset_index(drop=True)
    means = {}
    for col in values:
        value = rows[col].to_numpy(dtype=float)
        have = ~np.isnan(value)
        total = np.zeros((n_people, n_items))
        count = np.zeros((n_people, n_items))
        total[person_code[have], item_code[have]] = value[have]
        count[person_code[have], item_code[have]] = 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            means[col] = (total @ members) / (count @ members)
    return people, means


def _across_persons(people: pd.DataFrame, by: list[str], means: np.ndarray
                    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """Mean, spread (ddof=0) and n of per-person ``means`` (persons x units) for each
    breakdown of ``people``. Returns (breakdowns, mean, spread, n), arrays shaped
    (n_breakdowns x n_units)."""
    if by:
        code = people.groupby(by, sort=False, dropna=False).ngroup().to_numpy()
        combos = people.iloc[_first_rows(code)][by].reset_index(drop=True)
    else:
        code = np.zeros(len(people), dtype=int)
        combos = pd.DataFrame(index=[0])
    n_groups, n_units = len(combos), means.shape[1]
    cell = (code[:, None] * n_units + np.arange(n_units)[None, :])
    have = ~np.isnan(means)
    size = n_groups * n_units
    n = np.bincount(cell[have], minlength=size).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(cell[have], weights=means[have], minlength=size) / n
        deviation = (means - mean.reshape(n_groups, n_units)[code]) ** 2
        spread = np.sqrt(np.bincount(cell[have], weights=deviation[have], minlength=size) / n)
    shape = (n_groups, n_units)
    return combos, mean.reshape(shape), spread.reshape(shape), n.reshape(shape)


def _long(combos: pd.DataFrame, units: pd.DataFrame, **arrays: np.ndarray) -> pd.DataFrame:
    """Breakdowns x units as rows, with one column per (breakdowns x units) array."""
    out = _cross(combos, units)
    for name, array in arrays.items():
        out[name] = array.reshape(-1)
    return out


# ------------------------------------------------------------------------ readiness

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
    rows, keys_by, k = _scope(frame, questionnaire, by, participant)
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
    out = mask(out, k, ["score", "spread"])
    return _sort(out, {"group": _order(out.get("group", []), method.GROUP_IDS)})


def completion(frame: pd.DataFrame, questionnaire: Questionnaire, *, level: str = "section",
               by: str | Sequence[str] | None = None, participant: object = None,
               lang: str | None = None) -> pd.DataFrame:
    """Completion (0..1): the share of the unit's questions a person answered.

    Counts every answer, "not applicable" and "don't know" included, over the items
    shown to the person's group (an item restricted with ``groups:`` is not expected
    from the others). A group's completion is the mean over its respondents; ``n`` is
    the number of respondents (people with at least one answer to the questionnaire).
    Columns: the ``by`` columns, the unit key(s), ``label``, ``completion``, ``n``,
    ``masked``, ``status``.
    """
    rows, keys_by, k = _scope(frame, questionnaire, by, participant)
    units = _unit_table(questionnaire, level, scored_only=False)
    unit_keys = _UNIT_KEYS[level]
    rows = _narrow(rows, "participant", "group", *keys_by, "item_id", "section_id",
                   "subsection_id")
    people = _participants(rows, keys_by)
    # Items expected from each group, per unit (a handful of groups: no per-person loop).
    expected = []
    for group in people["group"].drop_duplicates():
        shown = units[units["groups"].map(lambda gs, g=group: not gs or g in gs)]
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
    out = mask(out, k, ["completion"])
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
    rows, keys_by, k = _scope(frame, questionnaire, by, participant)
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
    cells = mask(cells, k, ["score", "weak_share"])
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


# --------------------------------------------------------------------- feelings map

def feelings_map(frame: pd.DataFrame, *, by: str | Sequence[str] = "group",
                 groups: Sequence[str] | None = None) -> pd.DataFrame:
    """The feelings map: per breakdown x theme x feeling, how strongly it is felt.

    Uses the answers about one's own feelings (items with a ``feeling`` and a
    ``theme``, not estimates ``about`` another group). ``mean`` is the mean intensity on
    the normalised 0..1 ``score`` (0 = not felt, 1 = felt at the scale's maximum), per
    person first then across persons; ``spread`` is the standard deviation of the
    persons' values (ddof=0); ``value_mean`` is the same mean on the raw answers
    (e.g. 0..5) for display; ``n`` the respondents. Every breakdown seen in the frame
    (plus ``groups``) gets all 3 x 3 cells; cells without answers are ``"empty"``, cells
    under k ``"masked"``.

    ``by``: ``"group"`` (default) or ``("group", "establishment")``.
    Columns: the ``by`` columns, ``theme``, ``feeling``, ``mean``, ``spread``, ``n``,
    ``value_mean``, ``masked``, ``status``.
    """
    keys_by = _by(by)
    k = anonymity_k(frame)
    rows = _own_feelings(frame, keys_by, ("value", "item_type"))
    rows = rows[rows["theme"].notna().to_numpy()]
    keys = [*keys_by, "theme", "feeling"]
    cells_order = _cross(pd.DataFrame({"theme": method.THEME_IDS}),
                         pd.DataFrame({"feeling": method.FEELING_IDS}))
    tags = rows[["item_id", "theme", "feeling"]].drop_duplicates("item_id")
    item_unit = tags.merge(cells_order.assign(unit=range(len(cells_order))),
                           on=["theme", "feeling"])[["item_id", "unit"]]
    raw = np.full(len(rows), np.nan)
    if "value" in rows:  # the answers as given (e.g. 0..5), where they have a score
        numeric = rows["score"].notna().to_numpy()
        if "item_type" in rows:
            numeric = numeric & rows["item_type"].isin(("intensity", "scale")).to_numpy()
        raw[numeric] = pd.to_numeric(rows["value"][numeric], errors="coerce")
    rows = rows.assign(_raw=raw)
    people, means = _person_units(rows, item_unit, len(cells_order), keys_by,
                                  values=("score", "_raw"))
    combos, mean, spread, n = _across_persons(people, keys_by, means["score"])
    raw_mean = _across_persons(people, keys_by, means["_raw"])[1]
    cells = _long(combos, cells_order, mean=mean, spread=spread, n=n, value_mean=raw_mean)
    extra = {"group": list(groups)} if groups else None
    grid = _cross(_combos(frame, keys_by, extra), cells_order)
    out = grid.merge(cells, how="left", on=keys)
    out["n"] = out["n"].fillna(0)
    out = out[[*keys, "mean", "spread", "n", "value_mean"]]
    out = mask(out, k, ["mean", "spread", "value_mean"])
    group_order = list(groups) if groups else _order(out.get("group", []), method.GROUP_IDS)
    orders: dict[str, Sequence[object]] = {"group": group_order}
    if "establishment" in keys_by:
        orders["establishment"] = _order(out["establishment"], ())
    orders |= {"theme": method.THEME_IDS, "feeling": method.FEELING_IDS}
    return _sort(out, orders)


# ----------------------------------------------------------------------- tendencies

def tendencies(frame: pd.DataFrame, *, by: str | Sequence[str] = "group",
               trust: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each group's behaviour tendency, from the balance of its feelings.

    This describes a *group's* average feelings; it is never a judgement of a person.

    Per group, with ``A``, ``F``, ``T`` the mean intensities (0..1) of attractions,
    fears and temptations over all themes (per person first, then across persons) and
    ``C`` the trust level::

        cooperative   = A * C        pushed by attractions, stabilised by trust
        opportunist   = T * (1 - F)  pushed by temptations, brought back by fear
        individualist = F * (1 - A)  pushed by fear, brought back by attractions

    Each pressure is the part of a push that is not held in check (all in 0..1). Trust
    is not asked as a feeling, so unless ``trust`` gives a measured level for the group
    (0..1, e.g. from a trust question), ``C = 1 - T``: temptation is the urge to
    transgress a shared value, the very thing trust bets will not happen; where the
    group reports none, nothing erodes trust. The shares are the pressures divided by
    their sum (they add to 1); ``dominant`` is the behaviour with the largest share
    (None on a tie or when no feeling is expressed). When A = F = T = 1 every push is
    fully held in check and the shares are 1/3 each.

    ``by``: ``"group"`` (default), several columns, or ``None`` for the whole frame
    (then a ``scope`` column holding ``"all"``). Explained for consultants in
    ``docs/tendency.md``.

    Columns: the ``by`` columns, ``attrait``, ``peur``, ``tentation``, ``confiance``,
    ``trust_source`` (``"proxy"`` or ``"given"``), ``pressure_<behaviour>`` and
    ``<behaviour>`` (share) for cooperatif / opportuniste / individualiste,
    ``dominant``, ``n``, ``masked``, ``status``.
    """
    keys_by = _by(by)
    k = anonymity_k(frame)
    if not keys_by:  # the whole frame as one breakdown
        frame, keys_by = frame.assign(scope="all"), ["scope"]
    rows = _own_feelings(frame, keys_by)
    rows = rows[rows["score"].notna().to_numpy()]
    if "item_id" not in rows:  # a bare profile (e.g. the awareness exercise)
        rows = rows.assign(item_id=rows["feeling"])
    feelings = pd.DataFrame({"feeling": method.FEELING_IDS})
    item_unit = rows[["item_id", "feeling"]].drop_duplicates("item_id").merge(
        feelings.assign(unit=range(len(feelings))), on="feeling")[["item_id", "unit"]]
    people, means = _person_units(rows, item_unit, len(feelings), keys_by)
    combos, mean, _, _ = _across_persons(people, keys_by, means["score"])
    _, _, _, n = _across_persons(people, keys_by, np.zeros((len(people), 1)))
    cells = combos.copy() if keys_by else pd.DataFrame(index=[0])
    for i, feeling in enumerate(method.FEELING_IDS):
        cells[feeling] = mean[:, i]
    cells["n"] = n[:, 0]
    out = _combos(frame, keys_by, None).merge(cells, how="left", on=keys_by)
    out["n"] = out["n"].fillna(0)
    a, f, tt = (out[c].astype(float) for c in method.FEELING_IDS)
    given = out["group"].map(lambda g: (trust or {}).get(g)) if "group" in out else None
    if given is not None and given.notna().any():
        out["confiance"] = given.astype(float).fillna(1 - tt)
        out["trust_source"] = np.where(given.notna(), "given", "proxy")
    else:
        out["confiance"] = 1 - tt
        out["trust_source"] = "proxy"
    c = out["confiance"]
    pressures = pd.DataFrame({"cooperatif": a * c, "opportuniste": tt * (1 - f),
                              "individualiste": f * (1 - a)})
    total = pressures.sum(axis=1, skipna=False)
    shares = pressures.div(total, axis=0)
    all_held = total.eq(0) & (a + f + tt).gt(0)
    shares.loc[all_held.to_numpy(), :] = 1 / 3
    for b in method.BEHAVIOUR_IDS:
        out[f"pressure_{b}"] = pressures[b]
    for b in method.BEHAVIOUR_IDS:
        out[b] = shares[b]
    top = shares.max(axis=1)
    ties = shares.eq(top, axis=0).sum(axis=1)
    dominant = shares.fillna(-1).idxmax(axis=1).where(top.notna() & ties.eq(1))
    out["dominant"] = dominant.astype(object).where(dominant.notna(), None)
    out = out[[*keys_by, *method.FEELING_IDS, "confiance", "trust_source",
               *[f"pressure_{b}" for b in method.BEHAVIOUR_IDS], *method.BEHAVIOUR_IDS,
               "dominant", "n"]]
    values = [*method.FEELING_IDS, "confiance", "trust_source",
              *[f"pressure_{b}" for b in method.BEHAVIOUR_IDS], *method.BEHAVIOUR_IDS,
              "dominant"]
    out = mask(out, k, values)
    return _sort(out, {"group": _order(out.get("group", []), method.GROUP_IDS)})


# ----------------------------------------------------------------------- divergence

def divergence(frame: pd.DataFrame, questionnaire: Questionnaire | None = None, *,
               by: str = "group", lang: str | None = None,
               limit: int | None = None) -> pd.DataFrame:
    """How split the answers are, item by item: the agenda for discussion.

    For each scored item (answers of the whole frame, one per respondent):

    - ``dispersion``: standard deviation of the scores (ddof=0), 0..0.5;
    - ``polarisation``: ``2 * min(low, high)`` where ``low`` / ``high`` are the shares of
      answers in the bottom and top quarters of the scale (score <= 0.25, >= 0.75): 0
      when nobody or only one side sits at an extreme, 1 when half the room is at each
      extreme;
    - ``bimodality``: Sarle's bimodality coefficient ``(g^2 + 1) / (kappa + 3 (n-1)^2 /
      ((n-2)(n-3)))`` with the sample skewness g and excess kurtosis kappa (informative;
      above 5/9 ≈ 0.555 hints at two camps; NaN under 4 answers or without variance);
    - ``group_gap``: max minus min of the ``by`` groups' mean scores, among groups with
      at least k respondents (NaN with fewer than 2 such groups);
    - ``index = (2 * dispersion + polarisation + group_gap) / 3`` (a missing gap counts
      0), 0..1: the order of the agenda, most divisive first.

    Items answered by fewer than k people are masked (and listed last). With a
    questionnaire, only its answers are used, every scored item is listed and
    ``label`` holds the item's text.
    Columns: ``item_id``, [``label``], ``n``, ``mean``, ``dispersion``, ``polarisation``,
    ``bimodality``, ``group_gap``, ``n_groups``, ``index``, ``masked``, ``status``.
    """
    k = anonymity_k(frame)
    rows = select(frame, questionnaire) if questionnaire is not None else frame
    score = rows["score"].to_numpy(dtype=float)
    ok = ~np.isnan(score)
    s = score[ok]
    item_code, items = pd.factorize(rows["item_id"].to_numpy()[ok])
    if by in _PERSON_LEVEL:  # a person's group: factorize it once per person, not per row
        person_code, _ = pd.factorize(rows["participant"].to_numpy()[ok])
        firsts = _first_rows(person_code)
        person_group, groups = pd.factorize(rows[by].to_numpy()[ok][firsts])  # none: -1
        group_code = person_group[person_code]
    else:
        group_code, groups = pd.factorize(rows[by].to_numpy()[ok])
    size = len(items)

    def total(weights: np.ndarray | None = None, codes: np.ndarray = item_code,
              length: int = size) -> np.ndarray:
        return np.bincount(codes, weights=weights, minlength=length)

    n = total()
    sums = [total(s**p) for p in (1, 2, 3, 4)]
    low, high = total((s <= LOW_EXTREME).astype(float)), total((s >= HIGH_EXTREME).astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums[0] / n
        e2, e3, e4 = sums[1] / n, sums[2] / n, sums[3] / n
    m2 = np.clip(e2 - mean**2, 0, None)
    m3 = e3 - 3 * mean * e2 + 2 * mean**3
    m4 = e4 - 4 * mean * e3 + 6 * mean**2 * e2 - 3 * mean**4
    # Group means per item (groups under k left out), from one bincount over pairs.
    width = max(len(groups), 1)
    has_group = group_code >= 0
    pair = item_code[has_group] * width + group_code[has_group]
    pair_n = total(codes=pair, length=size * width).reshape(size, width)
    pair_sum = total(s[has_group], codes=pair, length=size * width).reshape(size, width)
    shown = pair_n >= k
    with np.errstate(divide="ignore", invalid="ignore"):
        pair_mean = pair_sum / pair_n
    n_groups = shown.sum(axis=1)
    gap = (np.where(shown, pair_mean, -np.inf).max(axis=1)
           - np.where(shown, pair_mean, np.inf).min(axis=1))
    out = pd.DataFrame({
        "item_id": items, "n": n.astype(int), "mean": mean, "dispersion": np.sqrt(m2),
        "polarisation": 2 * np.minimum(low, high) / np.maximum(n, 1),
        "bimodality": _sarle(n, m2, m3, m4),
        "group_gap": np.where(n_groups >= 2, gap, np.nan), "n_groups": n_groups,
    })
    out["index"] = (2 * out["dispersion"] + out["polarisation"]
                    + out["group_gap"].fillna(0)) / 3
    if questionnaire is not None:
        scored = [it.id for it in questionnaire.items() if it.scored]
        out = pd.DataFrame({"item_id": scored}).merge(out, how="left", on="item_id")
        out["n"] = out["n"].fillna(0)
        out.insert(1, "label", [questionnaire.item(i).text.get(lang) for i in out["item_id"]])
    out = mask(out, k, ["mean", "dispersion", "polarisation", "bimodality", "group_gap",
                        "n_groups", "index"])
    rank = out["status"].map({OK: 0, MASKED: 1, EMPTY: 2})
    out = out.assign(_rank=rank).sort_values(["_rank", "index"], ascending=[True, False],
                                             kind="stable").drop(columns="_rank")
    out = out.reset_index(drop=True)
    return out.head(limit) if limit is not None else out


def _sarle(n: np.ndarray, m2: np.ndarray, m3: np.ndarray, m4: np.ndarray) -> np.ndarray:
    """Sarle's bimodality coefficient from the (biased) central moments."""
    n = n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        skew = m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        kurt = ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
        coef = (skew**2 + 1) / (kurt + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
    return np.where((n >= 4) & (m2 > 1e-12), coef, np.nan)


# ------------------------------------------------------------- in the other's shoes

def others_shoes(frame: pd.DataFrame) -> pd.DataFrame:
    """"In the other's shoes": what a group estimated another group feels, against what
    that group said.

    Estimate items carry ``about`` (the group estimated). The answer they are compared
    with is the ``mirrors`` item when there is one (the same question the other group
    answered for itself), else the other group's own answers on the same theme and
    feeling (the feelings-map cell). Both sides are means of 0..1 scores (per person,
    then across persons); ``gap = estimate - actual`` (positive: the group thinks the
    other feels it more strongly than it says). Masked when either side has fewer than
    k respondents.

    Columns: ``group`` (who estimates), ``about`` (who is estimated), ``item_id``,
    ``mirrors``, ``theme``, ``feeling``, ``estimate``, ``actual``, ``gap``,
    ``n_estimate``, ``n_actual``, ``masked``, ``status``.
    """
    k = anonymity_k(frame)
    # A group's estimate of itself is not an estimate of another (the app does not ask
    # it; answers entered otherwise, e.g. from paper, are left out here).
    est = frame[(frame["about"].notna() & (frame["about"] != frame["group"])).to_numpy()]
    own = _own_feelings(frame)
    columns = ["group", "about", "item_id", "mirrors", "theme", "feeling", "estimate",
               "actual", "gap", "n_estimate", "n_actual"]
    if est.empty:
        return mask(pd.DataFrame(columns=columns), k, ["estimate", "actual", "gap"],
                    n=("n_estimate", "n_actual"))
    tags = est.drop_duplicates("item_id")[["item_id", "mirrors", "theme", "feeling"]].copy()
    mirrored_tags = frame.drop_duplicates("item_id").set_index("item_id")[["theme", "feeling"]]
    for col in ("theme", "feeling"):
        from_mirror = tags["mirrors"].map(mirrored_tags[col])
        tags[col] = tags[col].where(tags[col].notna(), from_mirror)
    estimates = _person_cells(est, ["group", "about", "item_id"]).rename(
        columns={"mean": "estimate", "n": "n_estimate"}).drop(columns="spread")
    out = estimates.merge(tags, on="item_id", how="left")
    by_item = _person_cells(own, ["group", "item_id"]).rename(
        columns={"group": "about", "item_id": "mirrors", "mean": "a_item", "n": "n_item"})
    by_cell = _person_cells(own[own["theme"].notna()], ["group", "theme", "feeling"]).rename(
        columns={"group": "about", "mean": "a_cell", "n": "n_cell"})
    out = out.merge(by_item.drop(columns="spread"), on=["about", "mirrors"], how="left")
    out = out.merge(by_cell.drop(columns="spread"), on=["about", "theme", "feeling"],
                    how="left")
    has_mirror = out["mirrors"].notna()
    out["actual"] = out["a_item"].where(has_mirror, out["a_cell"])
    out["n_actual"] = out["n_item"].where(has_mirror, out["n_cell"]).fillna(0)
    out["gap"] = out["estimate"] - out["actual"]
    out = out[columns]
    out = mask(out, k, ["estimate", "actual", "gap"], n=("n_estimate", "n_actual"))
    return _sort(out, {"group": _order(out["group"], method.GROUP_IDS),
                       "about": _order(out["about"], method.GROUP_IDS),
                       "theme": method.THEME_IDS, "feeling": method.FEELING_IDS})


# --------------------------------------------------------------------------- waves

def waves(before: pd.DataFrame, after: pd.DataFrame, *,
          by: Sequence[str] = ("group", "theme", "feeling")) -> pd.DataFrame:
    """Compare two waves (e.g. T0 and T1) of the same project and questionnaire.

    Means are computed as in :func:`feelings_map` (own feelings when ``by`` holds
    ``theme`` or ``feeling``; otherwise every scored answer), per person then across
    persons, for each wave: ``mean0``, ``mean1``, ``delta = mean1 - mean0``, ``n0``,
    ``n1``. A row is masked when either wave has fewer than k respondents (k: the larger
    of the two frames' thresholds). Raises a :class:`CoopkitError` when the frames
    belong to different projects or questionnaires.
    Columns: the ``by`` columns, ``mean0``, ``mean1``, ``delta``, ``n0``, ``n1``,
    ``masked``, ``status``.
    """
    for col in ("project_id", "questionnaire_id"):
        a = sorted(map(str, before[col].dropna().unique()))
        b = sorted(map(str, after[col].dropna().unique()))
        if a and b and a != b:
            raise CoopkitError(problem("waves_mismatch", field=col, value=", ".join(b),
                                       expected=", ".join(a)))
    k = max(anonymity_k(before), anonymity_k(after))
    keys = list(by)
    feelings = bool({"theme", "feeling"} & set(keys))

    def cells(frame: pd.DataFrame) -> pd.DataFrame:
        rows = _own_feelings(frame, keys) if feelings else frame
        rows = rows.dropna(subset=[c for c in keys if c != "group"])
        return _person_cells(rows, keys).drop(columns="spread")

    c0 = cells(before).rename(columns={"mean": "mean0", "n": "n0"})
    c1 = cells(after).rename(columns={"mean": "mean1", "n": "n1"})
    out = c0.merge(c1, how="outer", on=keys)
    out[["n0", "n1"]] = out[["n0", "n1"]].fillna(0)
    out["delta"] = out["mean1"] - out["mean0"]
    out = out[[*keys, "mean0", "mean1", "delta", "n0", "n1"]]
    out = mask(out, k, ["mean0", "mean1", "delta"], n=("n0", "n1"))
    orders: dict[str, Sequence[object]] = {}
    if "group" in keys:
        orders["group"] = _order(out["group"], method.GROUP_IDS)
    if "theme" in keys:
        orders["theme"] = method.THEME_IDS
    if "feeling" in keys:
        orders["feeling"] = method.FEELING_IDS
    return _sort(out, orders)


# ---------------------------------------------------------------------- commitment

def commitment(proposals: pd.DataFrame, *,
               threshold: float = method.COMMITMENT_THRESHOLD) -> pd.DataFrame:
    """How much of the stakeholders' action proposals was carried out, against the
    promoter's commitment (at least 60 %).

    ``share_done = done / total``: every proposal counts, a dropped one as not carried
    out (the commitment is on the proposals made, not on those kept). First row
    ``scope == "all"``, then one row per proposing group (``scope == "group"``).
    Proposals are collective, not answers of a person: not masked.
    Columns: ``scope``, ``group``, ``total``, ``done``, ``open`` (proposed, accepted or
    in progress), ``dropped``, ``share_done``, ``threshold``, ``meets_commitment``.
    """
    status = proposals["status"]
    work = pd.DataFrame({"group": proposals["group"],
                         "done": status.eq("done").astype(int),
                         "dropped": status.eq("dropped").astype(int)})
    work["open"] = 1 - work["done"] - work["dropped"]

    def summary(frame: pd.DataFrame) -> dict[str, object]:
        total = len(frame)
        done = int(frame["done"].sum())
        share = done / total if total else float("nan")
        return {"total": total, "done": done, "open": int(frame["open"].sum()),
                "dropped": int(frame["dropped"].sum()), "share_done": share,
                "threshold": threshold, "meets_commitment": bool(total and share >= threshold)}

    rows = [{"scope": "all", "group": None, **summary(work)}]
    for group in _order(work["group"], method.GROUP_IDS):
        rows.append({"scope": "group", "group": group,
                     **summary(work[work["group"] == group])})
    out = pd.DataFrame(rows, columns=["scope", "group", "total", "done", "open", "dropped",
                                      "share_done", "threshold", "meets_commitment"])
    out["group"] = out["group"].astype(object).where(out["group"].notna(), None)
    return out
