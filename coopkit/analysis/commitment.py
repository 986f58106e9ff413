"""The promoter's commitment: the share of the stakeholders' action proposals
carried out, against the 60 % threshold.

Pure functions over the answers frame (see :mod:`coopkit.analysis.core`).
"""

from __future__ import annotations

import pandas as pd

from coopkit.analysis.core import _order
from coopkit.definitions import method


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
