"""In the other's shoes: how a group's feelings are estimated by the others, against
what that group says itself.

Pure functions over the answers frame (see :mod:`coopkit.analysis.core`).
"""

from __future__ import annotations

import pandas as pd

from coopkit.analysis.core import (
    MASKED,
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
    frame = counted(frame)
    pool = hidden_groups(frame, k)
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
    # Each side is hidden exactly as its own breakdown by group hides it: the estimates
    # of one item by the estimating groups; the estimated group's own answer to the
    # mirrored item, or its cell of the feelings map.
    estimates["hide_estimate"] = _hidden(estimates, k, pool, ["item_id"], "n_estimate")
    out = estimates.merge(tags, on="item_id", how="left")
    by_item = _person_cells(own, ["group", "item_id"])
    by_item["hide_item"] = _hidden(by_item, k, pool, ["item_id"], "n")
    by_item = by_item.rename(
        columns={"group": "about", "item_id": "mirrors", "mean": "a_item", "n": "n_item"})
    by_cell = _person_cells(own[own["theme"].notna()], ["group", "theme", "feeling"])
    by_cell["hide_cell"] = _hidden(by_cell, k, pool, ["theme", "feeling"], "n")
    by_cell = by_cell.rename(columns={"group": "about", "mean": "a_cell", "n": "n_cell"})
    out = out.merge(by_item.drop(columns="spread"), on=["about", "mirrors"], how="left")
    out = out.merge(by_cell.drop(columns="spread"), on=["about", "theme", "feeling"],
                    how="left")
    has_mirror = out["mirrors"].notna()
    out["actual"] = out["a_item"].where(has_mirror, out["a_cell"])
    out["n_actual"] = out["n_item"].where(has_mirror, out["n_cell"]).fillna(0)
    out["gap"] = out["estimate"] - out["actual"]
    hide_actual = out["hide_item"].where(has_mirror, out["hide_cell"]).fillna(False)
    hide = out["hide_estimate"].fillna(False).astype(bool) | hide_actual.astype(bool)
    out = out[columns]
    out = mask(out, k, ["estimate", "actual", "gap"], n=("n_estimate", "n_actual"),
               hidden=hide.to_numpy())
    return _sort(out, {"group": _order(out["group"], method.GROUP_IDS),
                       "about": _order(out["about"], method.GROUP_IDS),
                       "theme": method.THEME_IDS, "feeling": method.FEELING_IDS})


def _hidden(cells: pd.DataFrame, k: int, pool: frozenset, within: list[str], n: str
            ) -> pd.Series:
    """Whether each cell of a by-group breakdown is hidden (see :func:`~.core.mask`)."""
    if cells.empty:
        return pd.Series(False, index=cells.index, dtype=bool)
    status = mask(cells, k, [], n=n, within=within, among=["group"],
                  hidden=group_hidden(cells, pool))["status"]
    return status.eq(MASKED)
