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
from coopkit.i18n import get_language, t

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


#: Columns of :func:`prefill`: where a row comes from, then every plan's fields.
PREFILL_COLUMNS = ("plan", "source", "source_ref", "groups", "group_labels",
                   *dict.fromkeys(f for fs in method.PLAN_FIELDS.values() for f in fs))


def prefill(draft: pd.DataFrame, proposals: pd.DataFrame, *, wave: str | None = None,
            lang: str | None = None) -> pd.DataFrame:
    """Rows of the three plans pre-filled from the workshop, for the consultant to
    edit (``store.fill_plans``).

    From the draft (:func:`draft_plans`, every group weighing the same) and the room's
    action proposals (approved, not dropped), whatever the plan each one was put in:

    - **objectives**: each attraction statement becomes an objective, measured by its
      own intensity (``baseline``: the draft's mean, at ``wave``); each proposal in
      the objectives plan becomes an objective with its owner and due date;
    - **risks**: each fear statement becomes a risk; a proposal in the risk plan that
      names it (``statements``), else one on the same theme, becomes its prevention;
      the others a risk of their own;
    - **charter**: each temptation statement is the origin of a rule; a proposal in the
      charter that names it, else one on the same theme, becomes its rule; the others a
      rule of their own.

    Likelihood, impact, target and whom a rule protects are left for the project team
    to decide together (principles 7 and 8). ``groups`` lists the groups that put each
    row forward. Columns: :data:`PREFILL_COLUMNS`.
    """
    from coopkit.analysis.commitment import approved

    counted = approved(proposals)
    counted = counted[counted["status"].ne("dropped").to_numpy()] if len(counted) else counted
    label = {g: t(f"method.group.{g}", lang) for g in method.GROUP_IDS}
    rows: list[dict] = []

    def put(plan: str, source: str, ref: object, groups: tuple[str, ...],
            labels: str | None = None, **fields: object) -> dict:
        row = {"plan": plan, "source": source, "source_ref": None if ref is None else str(ref),
               "groups": tuple(groups),
               "group_labels": labels if labels is not None
               else ", ".join(label.get(g, g) for g in groups), **fields}
        rows.append(row)
        return row

    by_plan = {plan: draft[draft["plan"].eq(plan)] for plan in method.PLAN_IDS}
    for _, entry in by_plan["objectifs"].iterrows():
        baseline = _decimal(entry["mean"], lang)
        put("objectifs", "statement", entry["item_id"], tuple(entry["groups"]),
            entry["group_labels"], objective=entry["statement"],
            indicator=t("plans.indicator.feeling", lang),
            baseline=f"{baseline} ({wave})" if wave else baseline)
    for _, p in counted[counted["plan"].eq("objectifs")].iterrows():
        put("objectifs", "proposal", p["id"], (p["group"],), objective=p["text"],
            owner=p["owner"], due=_iso(p["due"]))
    for plan, text_field, joined in (("risques", "risk", "prevention"),
                                     ("charte", "origin", "rule")):
        statements = []
        for _, entry in by_plan[plan].iterrows():
            statements.append((entry["theme"], put(
                plan, "statement", entry["item_id"], tuple(entry["groups"]),
                entry["group_labels"], **{text_field: entry["statement"]})))
        for _, p in counted[counted["plan"].eq(plan)].iterrows():
            named = set(p.get("statements") or ())
            target = next((row for _, row in statements if row["source_ref"] in named),
                          None) or next((row for theme, row in statements
                                         if theme == p["theme"]), None)
            if target is None:
                origin = t("plans.origin.proposal", lang, group=label.get(p["group"],
                                                                          p["group"]))
                fields = {joined: p["text"], "owner": p["owner"]} if plan == "risques" \
                    else {joined: p["text"], "origin": origin}
                if plan == "risques":
                    fields["risk"] = t("plans.risk.of_theme", lang, theme=t(
                        f"method.theme.{p['theme']}", lang)) if p["theme"] else None
                put(plan, "proposal", p["id"], (p["group"],), **fields)
                continue
            before = target.get(joined)
            target[joined] = f"{before}\n{p['text']}" if before else p["text"]
            if plan == "risques" and p["owner"] and not target.get("owner"):
                target["owner"] = p["owner"]
            if p["group"] not in target["groups"]:
                target["groups"] = (*target["groups"], p["group"])
                target["group_labels"] = ", ".join(label.get(g, g) for g in target["groups"])
    return pd.DataFrame(rows, columns=list(PREFILL_COLUMNS)).astype(object).where(
        lambda f: f.notna(), None)


def _decimal(value: object, lang: str | None) -> str:
    text = f"{float(value):.2f}"  # type: ignore[arg-type]
    return text.replace(".", ",") if (lang or get_language()) == "fr" else text


def _iso(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
