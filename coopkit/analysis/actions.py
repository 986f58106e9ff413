"""Did the statements an action addressed move between T0 and T1?

Each action proposal may name the statements (item ids) it addresses (``statements``
column of ``store.proposals_frame``): « a mixed working group on rosters » addresses
the fear « that our rosters are decided at the hospital without us ». For each such
pair, :func:`action_statements` compares the statement's mean intensity at the two
waves (per person then across persons, as everywhere) and says whether it moved the
way the action hoped: down for a fear or a temptation, up for an attraction or trust.

Pure pandas over two answers frames, validated answers only (:func:`counted`); a
statement answered by fewer than k people in either wave is masked (its figures
blanked), as in :func:`coopkit.analysis.waves`.
"""

from __future__ import annotations

import pandas as pd

from coopkit.analysis.commitment import approved
from coopkit.analysis.core import _person_cells, anonymity_k, counted, mask
from coopkit.definitions.questionnaire import Questionnaire

#: A change smaller than this (on the 0..1 scale) reads as « steady ».
STEADY = 0.05
#: The direction each feeling is hoped to move in once an action addressed it.
HOPED = {"peur": "down", "tentation": "down", "attrait": "up", "confiance": "up"}
ACTION_COLUMNS = ("proposal_id", "action", "action_status", "item_id", "statement",
                  "feeling", "mean0", "mean1", "delta", "n0", "n1", "moved", "as_hoped",
                  "masked", "status")


def action_statements(proposals: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame,
                      questionnaire: Questionnaire | None = None, *, steady: float = STEADY,
                      lang: str | None = None) -> pd.DataFrame:
    """One row per (action, statement it addresses): the statement's mean at each
    wave, ``delta``, ``moved`` (``"down"``, ``"up"``, ``"steady"``, None when masked or
    not measured) and ``as_hoped`` (True when it moved the hoped way, False when the
    other way, None when steady or unknown).
    Columns: :data:`ACTION_COLUMNS`."""
    kept = approved(proposals)
    pairs = [(p["id"], p["text"], p["status"], item)
             for _, p in kept.iterrows() for item in (p.get("statements") or ())]
    if not pairs:
        return pd.DataFrame(columns=list(ACTION_COLUMNS))
    wanted = {item for *_, item in pairs}
    k = max(anonymity_k(before), anonymity_k(after))

    def cells(frame: pd.DataFrame) -> pd.DataFrame:
        frame = counted(frame, ["item_id", "score"])
        rows = frame[frame["item_id"].isin(wanted).to_numpy() & frame["score"].notna()
                     .to_numpy()]
        return _person_cells(rows, ["item_id"]).drop(columns="spread")

    c0 = cells(before).rename(columns={"mean": "mean0", "n": "n0"})
    c1 = cells(after).rename(columns={"mean": "mean1", "n": "n1"})
    by_item = c0.merge(c1, how="outer", on="item_id").set_index("item_id")
    items = {it.id: it for it in questionnaire.items()} if questionnaire else {}
    feelings = {}
    for frame in (before, after):
        if "feeling" in frame:
            feelings |= frame.drop_duplicates("item_id").set_index("item_id")["feeling"] \
                .dropna().to_dict()
    rows = []
    for pid, text, status, item in pairs:
        cell = by_item.loc[item] if item in by_item.index else None
        found = items.get(item)
        rows.append({
            "proposal_id": pid, "action": text, "action_status": status, "item_id": item,
            "statement": found.text.get(lang) if found else None,
            "feeling": (found.feeling if found else None) or feelings.get(item),
            "mean0": None if cell is None else cell["mean0"],
            "mean1": None if cell is None else cell["mean1"],
            "n0": 0 if cell is None or pd.isna(cell["n0"]) else int(cell["n0"]),
            "n1": 0 if cell is None or pd.isna(cell["n1"]) else int(cell["n1"]),
        })
    out = pd.DataFrame(rows)
    out["mean0"] = pd.to_numeric(out["mean0"], errors="coerce")
    out["mean1"] = pd.to_numeric(out["mean1"], errors="coerce")
    out["delta"] = out["mean1"] - out["mean0"]
    out = mask(out, k, ["mean0", "mean1", "delta"], n=("n0", "n1"))
    moved, hoped = [], []
    for delta, feeling in zip(out["delta"], out["feeling"], strict=True):
        if pd.isna(delta):
            moved.append(None)
            hoped.append(None)
            continue
        way = "steady" if abs(delta) < steady else ("down" if delta < 0 else "up")
        moved.append(way)
        wish = HOPED.get(feeling)
        hoped.append(None if way == "steady" or wish is None else way == wish)
    out["moved"] = pd.Series(moved, index=out.index, dtype=object)
    out["as_hoped"] = pd.Series(hoped, index=out.index, dtype=object)
    return out[list(ACTION_COLUMNS)]
