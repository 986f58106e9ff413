"""Drafts of the three plans of principle 6, read from the feelings map, where every
group weighs the same (principle 8: equal rights in drawing up the plans).

The room mean would let the largest group (often the staff) fill the drafts and hide a
strong fear of a small one (the doctors). :func:`draft_plans` therefore takes, for each
group shown (at least k respondents) and each feeling, that group's own strongest
statements, and says which groups put each statement forward. Which plan a feeling
feeds (:data:`coopkit.definitions.method.PLAN_OF_FEELING`: attractions → objectives,
fears → risks, temptations → charter) is a practical starting point, not a rule of the
method: the consultant moves any entry, and any proposal, to whichever plan fits
(``store.update_proposal(id, plan=...)``, the action register's plan menu). Pure pandas;
an item answered by fewer than k people of a group is never read for that group.
"""

from __future__ import annotations

import pandas as pd

from coopkit import analysis
from coopkit.analysis.core import _order, _own_feelings
from coopkit.definitions import method
from coopkit.definitions.questionnaire import Questionnaire
from coopkit.i18n import t

PLAN_COLUMNS = ("plan", "plan_label", "feeling", "theme", "theme_label", "item_id",
                "statement", "groups", "group_labels", "mean", "n")


def group_item_means(frame: pd.DataFrame) -> pd.DataFrame:
    """Per group and own-feeling statement: the mean intensity (0..1) and the number of
    respondents, masked under k (columns ``group``, ``item_id``, ``feeling``,
    ``theme``, ``mean``, ``n``, ``masked``, ``status``)."""
    rows = _own_feelings(frame, ("group",))
    rows = rows[rows["score"].notna().to_numpy()]
    cells = (rows.groupby(["group", "item_id", "feeling", "theme"], dropna=False)
             .agg(mean=("score", "mean"), n=("participant", "nunique")).reset_index())
    return analysis.mask(cells, analysis.anonymity_k(frame), ["mean"])


def draft_plans(frame: pd.DataFrame, questionnaire: Questionnaire, *, per_group: int = 1,
                lang: str | None = None) -> pd.DataFrame:
    """For each feeling, each group's ``per_group`` strongest statements, as plan
    entries.

    A statement several groups put forward appears once, with every one of them in
    ``groups`` (ids) and ``group_labels``; ``mean`` is the mean of those groups' means
    (each group counts once, whatever its size), ``n`` the respondents behind them.
    Groups under k are left out entirely. Rows are in plan order (objectives, risks,
    charter), statements put forward by more groups first, then stronger.
    Columns: :data:`PLAN_COLUMNS`.
    """
    own = {it.id: it for it in questionnaire.items()
           if it.feeling in method.FEELING_IDS and not it.about and it.scored}
    cells = group_item_means(frame)
    cells = cells[cells["status"].eq(analysis.OK) & cells["item_id"].isin(own)]
    groups = _order(cells["group"], method.GROUP_IDS)
    label_of = {g.id: g.label.get(lang) for g in questionnaire.groups}
    rows = []
    for feeling in method.FEELING_IDS:
        plan = method.PLAN_OF_FEELING[feeling]
        of_feeling = cells[cells["feeling"].eq(feeling)]
        chosen: dict[str, list[tuple[str, float, int]]] = {}
        for group in groups:
            mine = of_feeling[of_feeling["group"].eq(group)]
            mine = mine.sort_values(["mean", "item_id"], ascending=[False, True],
                                    kind="stable").head(per_group)
            for _, cell in mine.iterrows():
                chosen.setdefault(cell["item_id"], []).append(
                    (group, float(cell["mean"]), int(cell["n"])))
        entries = []
        for item_id, by in chosen.items():
            item = own[item_id]
            ids = tuple(g for g, _, _ in by)
            entries.append({
                "plan": plan, "plan_label": t(f"method.plan.{plan}", lang),
                "feeling": feeling, "theme": item.theme,
                "theme_label": t(f"method.theme.{item.theme}", lang) if item.theme else "",
                "item_id": item_id, "statement": item.text.get(lang),
                "groups": ids,
                "group_labels": ", ".join(label_of.get(g) or t(f"method.group.{g}", lang)
                                          for g in ids),
                "mean": sum(m for _, m, _ in by) / len(by), "n": sum(n for _, _, n in by),
            })
        entries.sort(key=lambda e: (-len(e["groups"]), -e["mean"], e["item_id"]))
        rows.extend(entries)
    return pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
