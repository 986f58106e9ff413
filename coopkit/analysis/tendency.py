"""Tendencies: the behaviour the feelings push towards (see ``docs/tendency.md``).

Pure functions over the answers frame (see :mod:`coopkit.analysis.core`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from coopkit.analysis.core import (
    MASKED,
    _across_persons,
    _by,
    _combos,
    _order,
    _own_feelings,
    _person_units,
    _sort,
    anonymity_k,
    counted,
    group_hidden,
    hidden_groups,
    mask,
)
from coopkit.definitions import method


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

    **Anonymity.** Each component (the means of attractions, fears and temptations) is
    a figure of its own: a row is shown only when each rests on at least k respondents
    (``n_attrait``, ``n_peur``, ``n_tentation``), and, component by component, the rows
    hidden hold 0 or at least k respondents (complementary suppression, see
    :func:`~.core.mask`). ``n`` is the number of respondents with any feeling answer.
    Validated answers only (:func:`~.core.counted`).

    Columns: the ``by`` columns, ``attrait``, ``peur``, ``tentation``, ``confiance``,
    ``trust_source`` (``"proxy"`` or ``"given"``), ``pressure_<behaviour>`` and
    ``<behaviour>`` (share) for cooperatif / opportuniste / individualiste,
    ``dominant``, ``n``, ``n_attrait``, ``n_peur``, ``n_tentation``, ``masked``,
    ``status``.
    """
    keys_by = _by(by)
    k = anonymity_k(frame)
    frame = counted(frame)
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
    combos, mean, _, each = _across_persons(people, keys_by, means["score"])
    _, _, _, n = _across_persons(people, keys_by, np.zeros((len(people), 1)))
    cells = combos.copy() if keys_by else pd.DataFrame(index=[0])
    for i, feeling in enumerate(method.FEELING_IDS):
        cells[feeling] = mean[:, i]
    cells["n"] = n[:, 0]
    for i, feeling in enumerate(method.FEELING_IDS):
        cells[f"n_{feeling}"] = each[:, i]
    out = _combos(frame, keys_by, None).merge(cells, how="left", on=keys_by)
    counts = ["n", *(f"n_{f}" for f in method.FEELING_IDS)]
    out[counts] = out[counts].fillna(0)
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
               "dominant", *counts]]
    values = [*method.FEELING_IDS, "confiance", "trust_source",
              *[f"pressure_{b}" for b in method.BEHAVIOUR_IDS], *method.BEHAVIOUR_IDS,
              "dominant"]
    # Each component is its own figure: it must rest on k respondents by itself, and
    # its breakdown hides 0 or at least k of them (as the waves of one feeling do).
    components = counts[1:]
    pool = group_hidden(out, hidden_groups(frame, k)) if "group" in keys_by else None
    hidden = mask(out, k, [], n=components, among=keys_by, hidden=pool)["status"]
    out = mask(out, k, values, n=["n", *components],
               hidden=hidden.eq(MASKED).to_numpy())
    return _sort(out, {"group": _order(out.get("group", []), method.GROUP_IDS)})
