"""The answers frame and what every figure shares: masking under k, selecting rows,
and averaging per person then across persons.

Nothing here touches SQL, widgets or matplotlib, and nothing mutates its input. The
rules below (anonymity, counting people) are stated once, in :mod:`coopkit.analysis`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from coopkit.definitions.questionnaire import Questionnaire

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


#: What every figure shown to others counts: the answers of participants who validated
#: them (step 3, "validate my result"). A participant's own result counts all their
#: answers (it is theirs). See :func:`counted`.
COUNTED = "validated"


def counted(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """The rows every figure shown to others is computed from: validated answers only.

    One counting policy for the room, the presenter, the notebooks and every export
    (:data:`COUNTED`): an answer counts once its participant has validated it, as they
    agreed to it in step 3 and it can no longer change; so the projector and the report
    of the same workshop show the same ``n``. A frame without a ``validated`` column
    (a bare profile, e.g. the awareness exercise) is counted whole. ``columns``: only
    those are kept (cheaper than filtering every column of a large frame).
    """
    if columns is not None:
        keep = [c for c in dict.fromkeys([*columns, "participant", "group", "validated"])
                if c in frame.columns]
        narrow = frame[keep]
        narrow.attrs = dict(frame.attrs)
        frame = narrow
    if "validated" not in frame.columns:
        return frame
    return select(frame, validated_only=True)


def _order_key(value: object) -> str:
    return str(value)


def complement(sizes: Mapping[object, int], k: int, hidden: Iterable[object] = (), *,
               small: bool = True) -> set[object]:
    """The keys to hide among ``sizes`` (key -> number of people): complementary
    suppression, Viva Glint's rule.

    Every key with 1 to k-1 people is hidden (with those of ``hidden``); then, while the
    hidden keys together hold between 1 and k-1 people, the next smallest visible key
    (fewest people; ties in key order) is hidden too. So the people hidden together are
    0 or at least k, and a total minus what is shown never isolates fewer than k people.
    Keys with no people are never chosen. Deterministic: the same sizes give the same
    keys, whichever table asks. ``small=False`` starts from ``hidden`` alone (the keys
    under k are not hidden for being small, only as complements).
    """
    chosen = {key for key in hidden if key in sizes}
    if small:
        chosen |= {key for key, n in sizes.items() if 0 < n < k}
    while True:
        total = sum(sizes[key] for key in chosen)
        if total == 0 or total >= k:
            return chosen
        rest = [(n, _order_key(key), i) for i, (key, n) in enumerate(sizes.items())
                if key not in chosen and n > 0]
        if not rest:
            return chosen
        keys = list(sizes)
        chosen.add(keys[min(rest)[2]])


def hidden_groups(frame: pd.DataFrame, k: int | None = None, by: str = "group"
                  ) -> frozenset[object]:
    """The groups hidden in every figure of this frame, whatever the question.

    :func:`complement` over the number of participants of each group in the frame (as
    counted, see :func:`counted`): the groups of fewer than k participants, and with
    them the next smallest groups until at least k people are hidden together. Hiding
    them in every breakdown (not only where they are small) keeps the figures of one
    workshop consistent with each other and with the raw answers export, which pools
    these groups under one masked label.
    """
    k = anonymity_k(frame) if k is None else k
    if frame.empty or by not in frame.columns or "participant" not in frame.columns:
        return frozenset()
    people = frame.drop_duplicates("participant")[by]
    sizes = people.value_counts(dropna=False, sort=False)
    return frozenset(complement({key: int(n) for key, n in sizes.items()}, k))


def _suppress(keys: pd.DataFrame, n: np.ndarray, k: int, pre: np.ndarray) -> np.ndarray:
    """Which rows of one figure's breakdown to hide (complementary suppression).

    ``keys`` holds the breakdown columns of the rows (e.g. ``group``, or ``group`` and
    ``establishment``), ``n`` their respondents, ``pre`` rows hidden beforehand. With
    one key: :func:`complement` over the rows. With several: first the margins (each
    key alone, counts summed over the others, as the one-key table of the same figure
    hides them), then every line of the table (one key fixed, the others varying) and
    the whole table must hide 0 or at least k respondents: the next smallest visible
    row of a line is hidden until it does.
    """
    rows = len(n)
    hide = (pre & (n > 0)) | ((n > 0) & (n < k))
    if rows == 0:
        return hide
    names = [" / ".join(map(_order_key, r)) for r in keys.itertuples(index=False, name=None)]
    lines = [np.arange(rows)]
    if keys.shape[1] > 1:
        for col in keys.columns:
            values = keys[col].to_numpy(dtype=object)
            codes, uniques = pd.factorize(pd.Series(values).astype(str))
            sizes = {u: int(n[codes == i].sum()) for i, u in enumerate(uniques)}
            before = {u for i, u in enumerate(uniques) if pre[codes == i].all()
                      and pre[codes == i].any()}
            gone = complement(sizes, k, before)
            hide |= np.isin(codes, [i for i, u in enumerate(uniques) if u in gone]) & (n > 0)
            lines.extend(np.flatnonzero(codes == i) for i in range(len(uniques)))
    changed = True
    while changed:
        changed = False
        for line in lines:
            total = int(n[line][hide[line]].sum())
            if 0 < total < k:
                free = [i for i in line if not hide[i] and n[i] > 0]
                if free:
                    hide[min(free, key=lambda i: (n[i], names[i]))] = True
                    changed = True
    return hide


def mask(table: pd.DataFrame, k: int, values: Iterable[str],
         n: str | Sequence[str] = "n", *, within: Sequence[str] = (),
         among: Sequence[str] = (), hidden: object = None) -> pd.DataFrame:
    """Blank every cell of ``table`` that could reveal fewer than ``k`` respondents.

    ``n`` names the count column (or several, e.g. both waves of a comparison: each is
    its own figure). A row is hidden when:

    - one of its counts is between 1 and k-1 (the figure rests on too few people);
    - ``hidden`` says so beforehand: a boolean array over the rows, or a mapping from a
      count column to one (e.g. the groups :func:`hidden_groups` hides everywhere);
    - complementary suppression (:func:`complement`): the rows sharing the ``within``
      columns are the breakdown of one figure (one section, one cell of the feelings
      map...) by the ``among`` columns (``group``, or ``group`` and ``establishment``);
      for each count column, the hidden rows of a breakdown must hold 0 or at least k
      respondents, so that the figure for everyone minus the rows shown never gives
      away fewer than k people; the next smallest row is hidden until they do.

    The choice for one figure depends only on its own counts (and ``hidden``), so
    every table showing that figure hides at least the same rows.

    Returns a copy with:

    - ``status``: ``"ok"``, ``"empty"`` (a count is 0: no respondent) or ``"masked"``
      (hidden for anonymity: too few respondents, or hidden with a small row; a row
      hidden beforehand is ``"masked"`` even without respondents);
    - ``masked``: True for ``"masked"`` rows;
    - every column of ``values`` set to NaN (None for non-numeric columns) unless
      ``"ok"``;
    - each count column as a nullable integer, blanked (``<NA>``) where that count's
      figure is hidden, so the size of a hidden group does not leak either (the count
      of the other wave of a comparison may stay, as that wave shows it).

    ``attrs["k"]`` of the result records the threshold used.
    """
    names = [n] if isinstance(n, str) else list(n)
    out = table.copy()
    counts, pre, hide = _hiding(out, k, names, within, among, hidden)
    low = counts.min(axis=1) if len(names) else np.zeros(len(out), dtype="int64")
    # A row hidden beforehand (a group hidden everywhere) says "masked" even without
    # answers: "no answer" would tell which hidden group the pooled answers are not from.
    before = pre.any(axis=1)
    empty = (low == 0) & ~before
    masked = ~empty & (hide.any(axis=1) | before)
    shown = ~empty & ~masked
    for col in values:
        column = out[col]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            blanked = column.to_numpy(dtype=float, copy=True)
            blanked[~shown] = np.nan
        else:
            blanked = column.to_numpy(dtype=object, copy=True)
            blanked[~shown] = None
            blanked = pd.Series(blanked, index=out.index, dtype=object)  # keeps None
        out[col] = blanked
    for i, c in enumerate(names):
        out[c] = pd.arrays.IntegerArray(counts[:, i].copy(), hide[:, i])
    out["masked"] = masked
    out["status"] = np.select([empty, masked], [EMPTY, MASKED], OK).astype(object)
    out.attrs = {**table.attrs, "k": k}
    return out


def _hiding(table: pd.DataFrame, k: int, names: Sequence[str], within: Sequence[str],
            among: Sequence[str], hidden: object
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(counts, hidden beforehand, hidden) per row and count column, as :func:`mask`
    decides them."""
    counts = np.column_stack(
        [pd.to_numeric(table[c], errors="coerce").fillna(0).to_numpy(dtype="int64")
         for c in names]) if len(table) else np.zeros((0, len(names)), dtype="int64")
    pre = np.zeros(counts.shape, dtype=bool)
    if isinstance(hidden, Mapping):
        for i, c in enumerate(names):
            if hidden.get(c) is not None:
                pre[:, i] = np.asarray(hidden[c], dtype=bool)
    elif hidden is not None:
        pre[:, :] = np.asarray(hidden, dtype=bool)[:, None]
    hide = (pre | ((counts > 0) & (counts < k))) & (counts > 0)
    among = [c for c in among if c in table.columns]
    if among and len(table):
        within = [c for c in within if c in table.columns]
        units = (table.groupby(within, sort=False, dropna=False).ngroup().to_numpy()
                 if within else np.zeros(len(table), dtype=int))
        keys = table[among].reset_index(drop=True)
        for unit in np.unique(units):
            idx = np.flatnonzero(units == unit)
            for i in range(len(names)):
                hide[idx, i] = _suppress(keys.iloc[idx], counts[idx, i], k, pre[idx, i])
    return counts, pre, hide


def suppressed(table: pd.DataFrame, k: int, n: Sequence[str], *,
               within: Sequence[str] = (), among: Sequence[str] = (),
               hidden: object = None) -> np.ndarray:
    """The rows :func:`mask` would hide for any of the count columns ``n`` (each its
    own figure), hidden beforehand included: for a table whose row shows several
    figures at once (a tendency: three feelings and trust)."""
    _, pre, hide = _hiding(table, k, list(n), within, among, hidden)
    return hide.any(axis=1) | pre.any(axis=1)


def group_hidden(table: pd.DataFrame, groups: Iterable[object],
                 columns: Sequence[str] = ("group",)) -> np.ndarray:
    """Rows of ``table`` whose ``columns`` (a group column or several) name one of
    ``groups`` (for :func:`mask`'s ``hidden``)."""
    chosen = list(groups)
    out = np.zeros(len(table), dtype=bool)
    if not chosen:
        return out
    for col in columns:
        if col in table.columns:
            out |= table[col].isin(chosen).to_numpy()
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
           participant: object, columns: Sequence[str] = ()
           ) -> tuple[pd.DataFrame, list[str], int]:
    """The rows, breakdown keys and k of a readiness figure: one participant's own
    result is neither broken down nor masked (it is theirs); any other is, over the
    validated answers (``columns``: the ones the figure needs, with the keys)."""
    rows, keys_by, k = select(frame, questionnaire), _by(by), anonymity_k(frame)
    if participant is not None:
        return rows[rows["participant"] == participant], [], 1
    return counted(rows, [*columns, *keys_by]), keys_by, k


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
