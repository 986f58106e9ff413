"""Drafts of the three plans read from the feelings map (principle 6)."""

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
    plans = draft_plans(frame, q, top=2)
    assert tuple(plans.columns) == PLAN_COLUMNS
    assert list(plans["plan"]) == ["objectifs"] * 2 + ["risques"] * 2 + ["charte"] * 2
    assert all(method.PLAN_OF_FEELING[f] == p for f, p in zip(plans["feeling"], plans["plan"],
                                                               strict=True))
    first_risk = plans[plans["plan"] == "risques"].iloc[0]
    assert first_risk["theme"] == "accompagnement"
    assert plans[plans["plan"] == "objectifs"].iloc[0]["theme"] == "qualite"
    assert plans.groupby("plan")["mean"].apply(lambda s: s.is_monotonic_decreasing).all()
    assert not any(q.item(i).about for i in plans["item_id"])


def test_too_few_answers_give_no_entry():
    q = synthetic.example_questionnaire()
    frame = synthetic.answers(q, {"personnel": 3}, seed=1, k=5)
    assert draft_plans(frame, q).empty


def test_english_labels():
    q = synthetic.example_questionnaire()
    frame = synthetic.answers(q, {"personnel": 6}, seed=2)
    plans = draft_plans(frame, q, top=1, lang="en")
    assert plans["plan_label"].tolist() == [
        "Objectives plan", "Risk management plan", "Charter of good relational practice"]
