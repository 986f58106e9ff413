"""Drafts of the three plans read from the feelings map (principle 6), every group
weighing the same (principle 8)."""

from __future__ import annotations

from coopkit import synthetic
from coopkit.analysis.plans import PLAN_COLUMNS, draft_plans
from coopkit.definitions import method
from coopkit.synthetic import Profile


def test_strongest_feelings_feed_their_plan():
    q = synthetic.example_questionnaire()
    profile = Profile(attrait=0.5, peur=0.3, tentation=0.2,
                      themes=(("peur", "accompagnement", 0.95),
                              ("attrait", "qualite", 0.9)))
    frame = synthetic.answers(q, {"personnel": 8, "medical_soignant": 6},
                              profiles={"personnel": profile, "medical_soignant": profile},
                              seed=4)
    plans = draft_plans(frame, q, per_group=2)
    assert tuple(plans.columns) == PLAN_COLUMNS
    assert list(dict.fromkeys(plans["plan"])) == ["objectifs", "risques", "charte"]
    assert all(method.PLAN_OF_FEELING[f] == p for f, p in zip(plans["feeling"], plans["plan"],
                                                               strict=True))
    first_risk = plans[plans["plan"] == "risques"].iloc[0]
    assert first_risk["theme"] == "accompagnement"
    assert set(first_risk["groups"]) == {"personnel", "medical_soignant"}  # both say it
    assert plans[plans["plan"] == "objectifs"].iloc[0]["theme"] == "qualite"
    assert not any(q.item(i).about for i in plans["item_id"])


def test_a_small_groups_strong_fear_is_in_the_draft():
    """30 staff who fear for their working conditions and 5 doctors who fear for the
    quality of care: the room mean would only show the staff's fear; the draft shows
    both, each with its group."""
    q = synthetic.example_questionnaire()
    staff = Profile(peur=0.3, themes=(("peur", "accompagnement", 0.9),), spread=0.05)
    doctors = Profile(peur=0.2, themes=(("peur", "qualite", 0.95),), spread=0.05)
    frame = synthetic.answers(q, {"personnel": 30, "medical_soignant": 5},
                              profiles={"personnel": staff, "medical_soignant": doctors},
                              seed=3)
    risks = draft_plans(frame, q)
    risks = risks[risks["plan"] == "risques"]
    by_item = {r.item_id: r.groups for r in risks.itertuples()}
    assert by_item == {"peur-accompagnement": ("personnel",),
                       "peur-qualite": ("medical_soignant",)}
    assert "Personnels" in risks.iloc[0]["group_labels"] or \
        "Corps médical" in risks.iloc[0]["group_labels"]


def test_too_few_answers_give_no_entry():
    q = synthetic.example_questionnaire()
    frame = synthetic.answers(q, {"personnel": 3}, seed=1, k=5)
    assert draft_plans(frame, q).empty


def test_a_group_under_k_is_left_out_but_the_others_are_not():
    q = synthetic.example_questionnaire()
    frame = synthetic.answers(q, {"personnel": 6, "elus_population": 2}, seed=5)
    plans = draft_plans(frame, q)
    assert not plans.empty
    assert all(groups == ("personnel",) for groups in plans["groups"])


def test_english_labels():
    q = synthetic.example_questionnaire()
    frame = synthetic.answers(q, {"personnel": 6}, seed=2)
    plans = draft_plans(frame, q, per_group=1, lang="en")
    assert plans["plan_label"].tolist() == [
        "Objectives plan", "Risk management plan", "Charter of good relational practice"]
