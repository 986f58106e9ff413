"""Waves: T0 against T1, the same questionnaire measured twice.

Pure functions over the answers frame (see :mod:`coopkit.analysis.core`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from coopkit.analysis.core import (
    _order,
    _own_feelings,
    _person_cells,
    _sort,
    anonymity_k,
    counted,
    group_hidden,
    hidden_groups,
    mask,
)
from coopkit.definitions import method
from coopkit.errors import CoopkitError, problem


def waves(before: pd.DataFrame, after: pd.DataFrame, *,
          by: Sequence[str] = ("group", "theme", "feeling")) -> pd.DataFrame:
    """Compare two waves (e.g. T0 and T1) of the same project and questionnaire.

    Means are computed as in :func:`feelings_map` (own feelings when ``by`` holds
    ``theme`` or ``feeling``; otherwise every scored answer), per person then across
    persons, for each wave: ``mean0``, ``mean1``, ``delta = mean1 - mean0``, ``n0``,
    ``n1``. A row is masked when either wave would hide it (fewer than k respondents, a
    group hidden in that wave, or complementary suppression, see :func:`~.core.mask`;
    k: the larger of the two frames' thresholds). Validated answers only. Raises a
    :class:`CoopkitError` when the frames belong to different projects or
    questionnaires.
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
    before, after = counted(before), counted(after)
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
    # Each wave is its own figure: hidden as that wave's breakdown by group hides it
    # (the groups hidden everywhere in that wave, then complementary suppression).
    among = ["group"] if "group" in keys else []
    hidden = {"n0": group_hidden(out, hidden_groups(before, k)),
              "n1": group_hidden(out, hidden_groups(after, k))} if among else None
    out = mask(out, k, ["mean0", "mean1", "delta"], n=("n0", "n1"),
               within=[c for c in keys if c != "group"], among=among, hidden=hidden)
    orders: dict[str, Sequence[object]] = {}
    if "group" in keys:
        orders["group"] = _order(out["group"], method.GROUP_IDS)
    if "theme" in keys:
        orders["theme"] = method.THEME_IDS
    if "feeling" in keys:
        orders["feeling"] = method.MAP_ROWS
    return _sort(out, orders)
