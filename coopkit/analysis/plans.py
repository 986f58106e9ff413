"""Drafts of the three plans of principle 6, read from the feelings map.

Each feeling feeds one plan (:data:`coopkit.definitions.method.PLAN_OF_FEELING`): the attractions
most felt become objectives, the strongest fears risks to manage, the strongest
temptations rules of the relational charter. :func:`draft_plans` picks, for each
feeling, the statements of the feelings questionnaire the room felt most; the
consultant rewrites them with the project team (principle 7). Pure pandas, masked
under k like every other figure (items answered by fewer than k people are left out).
"""

from __future__ import annotations

import pandas as pd

from coopkit import analysis
from coopkit.definitions import method
from coopkit.definitions.questionnaire import Questionnaire
from coopkit.i18n import t

PLAN_COLUMNS = ("plan", "plan_label", "feeling", "theme", "theme_label", "item_id",
                "statement", "mean", "n")


def draft_plans(frame: pd.DataFrame, questionnaire: Questionnaire, *, top: int = 3,
                lang: str | None = None) -> pd.DataFrame:
    """For each feeling, the ``top`` statements felt most strongly, as plan entries.

    Uses the answers about one's own feelings (items with a ``feeling``, not estimates
    ``about`` another group); ``mean`` is the mean intensity (0..1) over the
    respondents, ``n`` their number. Rows are in plan order (objectives, risks,
    charter), strongest first. Columns: :data:`PLAN_COLUMNS`.
    """
    own = {it.id: it for it in questionnaire.items()
           if it.feeling and not it.about and it.scored}
    items = analysis.divergence(frame, questionnaire, lang=lang)
    items = items[items["status"].eq(analysis.OK) & items["item_id"].isin(own)]
    rows = []
    for feeling in method.FEELING_IDS:
        plan = method.PLAN_OF_FEELING[feeling]
        chosen = items.loc[[own[i].feeling == feeling for i in items["item_id"]]]
        chosen = chosen.sort_values("mean", ascending=False, kind="stable").head(top)
        for _, row in chosen.iterrows():
            item = own[row["item_id"]]
            rows.append({
                "plan": plan, "plan_label": t(f"method.plan.{plan}", lang),
                "feeling": feeling, "theme": item.theme,
                "theme_label": t(f"method.theme.{item.theme}", lang) if item.theme else "",
                "item_id": item.id, "statement": item.text.get(lang),
                "mean": float(row["mean"]), "n": int(row["n"]),
            })
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
