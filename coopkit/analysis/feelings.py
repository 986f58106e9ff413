"""The feelings map: how strongly each feeling is felt, per theme and group.

Pure functions over the answers frame (see :mod:`coopkit.analysis.core`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from coopkit.analysis.core import (
    _across_persons,
    _by,
    _combos,
    _cross,
    _long,
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


def map_rows(frame: pd.DataFrame) -> tuple[str, ...]:
    """The map's rows for this frame: the three feelings, and trust when it was asked."""
    asked = frame["feeling"].eq(method.TRUST.id).any() if "feeling" in frame else False
    return method.MAP_ROWS if asked else method.FEELING_IDS


def feelings_map(frame: pd.DataFrame, *, by: str | Sequence[str] = "group",
                 groups: Sequence[str] | None = None) -> pd.DataFrame:
    """The feelings map: per breakdown x theme x feeling, how strongly it is felt.

    Uses the answers about one's own feelings (items with a ``feeling`` and a
    ``theme``, not estimates ``about`` another group). ``mean`` is the mean intensity on
    the normalised 0..1 ``score`` (0 = not felt, 1 = felt at the scale's maximum), per
    person first then across persons; ``spread`` is the standard deviation of the
    persons' values (ddof=0); ``value_mean`` is the same mean on the raw answers
    (e.g. 0..5) for display; ``n`` the respondents. Every breakdown seen in the frame
    (plus ``groups``) gets all 3 x 3 cells, plus a trust row (``feeling ==
    "confiance"``, 3 more cells) when the frame holds trust statements; cells without
    answers are ``"empty"``, cells that could reveal fewer than k people ``"masked"``
    (see :func:`~.core.mask`: a small cell, a group hidden everywhere, or the next
    smallest group of that cell). Validated answers only (:func:`~.core.counted`).

    ``by``: ``"group"`` (default) or ``("group", "establishment")``.
    Columns: the ``by`` columns, ``theme``, ``feeling``, ``mean``, ``spread``, ``n``,
    ``value_mean``, ``masked``, ``status``.
    """
    keys_by = _by(by)
    k = anonymity_k(frame)
    frame = counted(frame, [*keys_by, "item_id", "theme", "feeling", "score", "value",
                            "item_type", "about"])
    rows = _own_feelings(frame, keys_by, ("value", "item_type"))
    rows = rows[rows["theme"].notna().to_numpy()]
    keys = [*keys_by, "theme", "feeling"]
    row_ids = map_rows(frame)
    cells_order = _cross(pd.DataFrame({"theme": method.THEME_IDS}),
                         pd.DataFrame({"feeling": row_ids}))
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
    pool = group_hidden(out, hidden_groups(frame, k)) if "group" in keys_by else None
    out = mask(out, k, ["mean", "spread", "value_mean"], within=["theme", "feeling"],
               among=keys_by, hidden=pool)
    group_order = list(groups) if groups else _order(out.get("group", []), method.GROUP_IDS)
    orders: dict[str, Sequence[object]] = {"group": group_order}
    if "establishment" in keys_by:
        orders["establishment"] = _order(out["establishment"], ())
    orders |= {"theme": method.THEME_IDS, "feeling": row_ids}
    return _sort(out, orders)
