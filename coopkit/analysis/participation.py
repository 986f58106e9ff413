"""Participation: how many joined and validated, per group and in all, with the counts
masked by the same rule as every figure.

Pure functions over plain counts (group -> joined, validated, e.g. the store's
``participation(workshop)``); nothing here touches SQL, widgets or matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from coopkit.analysis.core import EMPTY, MASKED, OK, _order, complement
from coopkit.definitions import method

#: The value of ``group`` on the row of everyone.
TOTAL = None


def participation(counts: Mapping[str, Sequence[int]], k: int) -> pd.DataFrame:
    """One row per group, then the total: ``joined`` and ``validated``, masked.

    ``counts`` maps a group to ``(joined, validated)`` (the store's ``GroupCount``). A
    group's size is a figure like any other: a count between 1 and k-1 is hidden, and,
    column by column, the next smallest groups with it until the hidden counts add up
    to 0 or at least k (:func:`~coopkit.analysis.core.complement`), so the total minus
    the groups shown never gives a small group's size. The total is shown unless it is
    itself between 1 and k-1. The validated count is the one every figure rests on
    (:func:`~coopkit.analysis.core.counted`).

    Columns: ``group`` (None on the total row, last), ``joined``, ``validated``
    (nullable integers, ``<NA>`` when hidden), ``status`` (``"ok"``, ``"masked"`` when a
    count of the row is hidden, ``"empty"`` for nobody), ``masked``. ``attrs["k"]``.
    """
    groups = _order(counts, method.GROUP_IDS)
    joined = {g: int(counts[g][0]) for g in groups}
    validated = {g: int(counts[g][1]) for g in groups}
    hidden_joined = complement(joined, k)
    hidden_validated = complement(validated, k)
    rows = []
    for g in groups:
        rows.append((g, joined[g], validated[g], g in hidden_joined and joined[g] > 0,
                     g in hidden_validated and validated[g] > 0))
    all_joined, all_validated = sum(joined.values()), sum(validated.values())
    rows.append((TOTAL, all_joined, all_validated, 0 < all_joined < k,
                 0 < all_validated < k))
    frame = pd.DataFrame(rows, columns=["group", "joined", "validated", "_hj", "_hv"])
    out = pd.DataFrame({"group": frame["group"].astype(object).where(
        frame["group"].notna(), None)})
    out["joined"] = pd.arrays.IntegerArray(frame["joined"].to_numpy("int64"),
                                           frame["_hj"].to_numpy(bool))
    out["validated"] = pd.arrays.IntegerArray(frame["validated"].to_numpy("int64"),
                                              frame["_hv"].to_numpy(bool))
    hidden = (frame["_hj"] | frame["_hv"]).to_numpy(bool)
    nobody = frame["joined"].eq(0).to_numpy(bool)
    out["status"] = np.select([nobody, hidden], [EMPTY, MASKED], OK).astype(object)
    out["masked"] = hidden
    out.attrs = {"k": k}
    return out
