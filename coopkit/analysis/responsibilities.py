"""Principle 9, « everyone knows how responsibilities and delegations are shared »:
the responsibility matrix checked, and read against the readiness items on principle 9.

The matrix (``store.responsibility_frame``, long form: subject x actor x role) says,
for each decision or task, who decides, who is consulted, who is informed and who
carries it out. :func:`matrix_check` says whether it exists, whether every partner
establishment has a column with at least one role, and whether every decision has
someone who decides; :func:`principle_items` lists the readiness items on a principle
with their score and whether it is low. Pure pandas; readiness figures are masked
under k as everywhere (:func:`coopkit.analysis.readiness`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from coopkit.analysis.core import OK
from coopkit.analysis.readiness import readiness
from coopkit.definitions.questionnaire import Questionnaire

#: A readiness item scoring under this reads as low.
LOW = 0.5
CHECKS = ("matrix_exists", "partners_covered", "deciders", "readiness")
CHECK_COLUMNS = ("check", "ok", "names")


def principle_items(frame: pd.DataFrame, questionnaire: Questionnaire, principle: int = 9,
                    *, low: float = LOW, lang: str | None = None) -> pd.DataFrame:
    """The readiness items tagged with ``principle``: ``item_id``, ``label`` (the
    statement), ``score`` (0..1), ``n``, ``low`` (score under ``low``; None when masked
    or unanswered), ``status``."""
    tagged = {it.id for it in questionnaire.items() if principle in it.principles}
    if frame.empty or not tagged:
        return pd.DataFrame(columns=["item_id", "label", "score", "n", "low", "status"])
    items = readiness(frame, questionnaire, level="item", lang=lang)
    items = items[items["item_id"].isin(tagged)].reset_index(drop=True)
    lows = [None if s != OK or pd.isna(v) else bool(v < low)
            for s, v in zip(items["status"], items["score"], strict=True)]
    out = items[["item_id", "label", "score", "n", "status"]].copy()
    out.insert(4, "low", pd.Series(lows, index=out.index, dtype=object))
    return out


def matrix_check(matrix: pd.DataFrame, partners: Sequence[str],
                 items: pd.DataFrame | None = None) -> pd.DataFrame:
    """The matrix against principle 9, one row per check of :data:`CHECKS`:

    - ``matrix_exists``: at least one role written;
    - ``partners_covered``: every partner establishment has a role somewhere
      (``names``: those who have none);
    - ``deciders``: every decision has someone who decides (``names``: those without);
    - ``readiness``: no principle-9 readiness item scored low (``names``: the low ones;
      ``ok`` None without readiness answers).

    Columns: :data:`CHECK_COLUMNS` (``names`` a list).
    """
    roles = matrix[matrix["role"].notna()] if len(matrix) else matrix
    exists = bool(len(roles))
    having = {str(a).casefold() for a in roles.get("actor", [])}
    uncovered = [p for p in partners if p.casefold() not in having]
    deciders = set(roles.loc[roles["role"] == "decides", "id"]) if exists else set()
    decisions = matrix[matrix["kind"] == "decision"] if len(matrix) else matrix
    undecided = list(dict.fromkeys(
        decisions.loc[~decisions["id"].isin(deciders), "subject"])) if len(decisions) else []
    rows = [
        {"check": "matrix_exists", "ok": exists, "names": []},
        {"check": "partners_covered", "ok": exists and not uncovered, "names": uncovered},
        {"check": "deciders", "ok": exists and not undecided, "names": undecided},
    ]
    if items is None or items.empty or not items["low"].notna().any():
        rows.append({"check": "readiness", "ok": None, "names": []})
    else:
        low = [str(label) for label, flag in zip(items["label"], items["low"], strict=True)
               if flag is True]
        rows.append({"check": "readiness", "ok": not low, "names": low})
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
