"""The promoter's commitment: the share of the stakeholders' action proposals retained
and carried out, against the 60 % threshold, now and over time.

Two measures (the promoter's word is given long before the work is done):

- **retained** (« retenue »): the promoter accepted the proposal (status accepted, in
  progress or done);
- **realised** (« réalisée »): it is done.

Every proposal made counts in the total, a dropped one as neither retained nor
realised (the commitment is on the proposals made, not on those kept). Only approved
proposals count: one a participant sent that waits in moderation, or that the consultant
set aside, is not yet (or not) a proposal of the room (``moderation`` column, when the
frame has it). Until the promoter's commitment is recorded (``committed_on``) the state
is « engagement non pris », whatever the figures.

Pure functions over the store's proposals frame (``store.proposals_frame``) and status
history (``store.proposal_events_frame``). Proposals are collective, not answers of a
person: not masked.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from coopkit.analysis.core import _order
from coopkit.definitions import method

#: States of :func:`commitment`, from the promoter's point of view.
NOT_TAKEN, KEPT, ON_TRACK, UNDECIDED, BROKEN = (
    "not_taken", "kept", "on_track", "undecided", "broken")
STATES = (NOT_TAKEN, KEPT, ON_TRACK, UNDECIDED, BROKEN)
COMMITMENT_COLUMNS = ("scope", "group", "total", "retained", "done", "undecided", "open",
                      "dropped", "share_retained", "share_done", "threshold",
                      "meets_commitment", "committed", "state")
TIMELINE_COLUMNS = ("date", "total", "retained", "done", "dropped", "share_retained",
                    "share_done", "threshold")


def approved(proposals: pd.DataFrame) -> pd.DataFrame:
    """The proposals that count: approved in moderation (all, when the frame has no
    ``moderation`` column)."""
    if "moderation" not in proposals:
        return proposals
    return proposals[proposals["moderation"].eq("approved").to_numpy()]


def commitment(proposals: pd.DataFrame, *, committed_on: date | None = None,
               threshold: float = method.COMMITMENT_THRESHOLD) -> pd.DataFrame:
    """How much of the stakeholders' action proposals was retained and carried out,
    against the promoter's commitment (at least 60 %).

    ``share_retained = retained / total`` and ``share_done = done / total``. First row
    ``scope == "all"``, then one row per proposing group (``scope == "group"``).
    ``state`` reads the figures for the promoter: ``not_taken`` (no commitment
    recorded: ``committed_on`` is None), ``kept`` (realised share at the threshold),
    ``on_track`` (retained share at the threshold, the work under way), ``undecided``
    (below, but proposals still await a decision and could bring it there), ``broken``
    (even retaining every undecided proposal would not reach it).
    Columns: :data:`COMMITMENT_COLUMNS` (``open``: proposed, accepted or in progress;
    ``undecided``: proposed; ``meets_commitment``: realised share at the threshold).
    """
    counted = approved(proposals)
    status = counted["status"]
    work = pd.DataFrame({"group": counted["group"],
                         "retained": status.isin(method.RETAINED_STATUSES).astype(int),
                         "done": status.isin(method.REALISED_STATUSES).astype(int),
                         "undecided": status.eq("proposed").astype(int),
                         "dropped": status.eq("dropped").astype(int)})
    work["open"] = 1 - work["done"] - work["dropped"]
    committed = committed_on is not None

    def summary(frame: pd.DataFrame) -> dict[str, object]:
        total = len(frame)
        counts = {c: int(frame[c].sum()) for c in ("retained", "done", "undecided",
                                                   "open", "dropped")}
        share_done = counts["done"] / total if total else float("nan")
        share_retained = counts["retained"] / total if total else float("nan")
        reachable = (counts["retained"] + counts["undecided"]) / total if total else 0.0
        if not committed:
            state = NOT_TAKEN
        elif total and share_done >= threshold:
            state = KEPT
        elif total and share_retained >= threshold:
            state = ON_TRACK
        elif not total or reachable >= threshold:
            state = UNDECIDED
        else:
            state = BROKEN
        return {"total": total, **counts, "share_retained": share_retained,
                "share_done": share_done, "threshold": threshold,
                "meets_commitment": bool(total and share_done >= threshold),
                "committed": committed, "state": state}

    rows = [{"scope": "all", "group": None, **summary(work)}]
    for group in _order(work["group"], method.GROUP_IDS):
        rows.append({"scope": "group", "group": group,
                     **summary(work[work["group"] == group])})
    out = pd.DataFrame(rows, columns=list(COMMITMENT_COLUMNS))
    out["group"] = out["group"].astype(object).where(out["group"].notna(), None)
    return out


def status_history(proposals: pd.DataFrame, events: pd.DataFrame | None) -> pd.DataFrame:
    """Each counted proposal's status changes (``proposal_id``, ``status``,
    ``changed_at``), oldest first. A proposal without a recorded history (a frame built
    by hand) is taken as proposed when created and in its current status since its
    last change."""
    columns = ["proposal_id", "status", "changed_at"]
    counted = approved(proposals)
    ids = set(counted["id"])
    parts = []
    if events is not None and len(events):
        parts.append(events.loc[events["proposal_id"].isin(ids), columns])
    known = set(parts[0]["proposal_id"]) if parts else set()
    missing = counted[~counted["id"].isin(known)]
    if len(missing):
        created = pd.to_datetime(missing["created_at"], utc=True)
        updated = pd.to_datetime(missing["updated_at"], utc=True)
        parts.append(pd.DataFrame({"proposal_id": missing["id"], "status": "proposed",
                                   "changed_at": created}))
        later = missing["status"].ne("proposed")
        parts.append(pd.DataFrame({"proposal_id": missing["id"][later],
                                   "status": missing["status"][later],
                                   "changed_at": updated[later].where(
                                       updated[later] >= created[later], created[later])}))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({"proposal_id": pd.Series(dtype="int64"),
                             "status": pd.Series(dtype=object),
                             "changed_at": pd.Series(dtype="datetime64[us, UTC]")})
    out = pd.concat(parts, ignore_index=True)
    out["changed_at"] = pd.to_datetime(out["changed_at"], utc=True)
    return out.sort_values("changed_at", kind="stable").reset_index(drop=True)


def commitment_timeline(proposals: pd.DataFrame, events: pd.DataFrame | None = None, *,
                        threshold: float = method.COMMITMENT_THRESHOLD,
                        until: date | datetime | None = None) -> pd.DataFrame:
    """Retained and realised over time: one row per day on which something changed
    (a proposal made, retained, done or dropped), and ``until`` (e.g. today) when it is
    later. On each day, ``total`` counts the proposals made by then, ``retained`` and
    ``done`` those in that state at the end of the day.
    Columns: :data:`TIMELINE_COLUMNS` (``date`` a calendar date).
    """
    history = status_history(proposals, events)
    if history.empty:
        return pd.DataFrame(columns=list(TIMELINE_COLUMNS))
    history = history.assign(day=history["changed_at"].dt.tz_convert("UTC").dt.date)
    days = sorted(set(history["day"]))
    if until is not None:
        last = until.date() if isinstance(until, datetime) else until
        if last > days[-1]:
            days.append(last)
    rows = []
    for day in days:
        now = history[history["day"] <= day].groupby("proposal_id", sort=False)["status"].last()
        total = len(now)
        retained = int(now.isin(method.RETAINED_STATUSES).sum())
        done = int(now.isin(method.REALISED_STATUSES).sum())
        rows.append({"date": day, "total": total, "retained": retained, "done": done,
                     "dropped": int(now.eq("dropped").sum()),
                     "share_retained": retained / total if total else float("nan"),
                     "share_done": done / total if total else float("nan"),
                     "threshold": threshold})
    return pd.DataFrame(rows, columns=list(TIMELINE_COLUMNS))
