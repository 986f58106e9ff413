"""coopkit.synthetic: seeded, shaped like the store's frames, and faithful to the
profiles it is given."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from coopkit import analysis, synthetic
from coopkit.analysis import ANSWER_COLUMNS
from coopkit.definitions import method


@pytest.fixture(scope="module")
def questionnaire():
    return synthetic.example_questionnaire()


def test_example_questionnaire_shape():
    q = synthetic.example_questionnaire(readiness_items=45)
    assert q.summary()[1] == 60 and q.warnings == ()
    items = list(q.items())
    assert sum(1 for it in items if it.feeling and not it.about) == 9
    assert sum(1 for it in items if it.about) == 6
    assert all(it.feedback is not None for it in items if it.type == "scale")
    assert [s.id for s in q.sections] == ["ressentis", "autrui", "gouvernance", "finalite",
                                          "decision"]
    assert q.item("autrui-personnel-peur").mirrors == "peur-accompagnement"
    assert "personnel" not in q.item("autrui-personnel-peur").groups


def test_answers_follow_the_store_contract(questionnaire):
    rows = synthetic.answers(questionnaire, {"personnel": 4, "encadrement": 3}, seed=1,
                             skip=0.0, k=4)
    assert tuple(rows.columns) == ANSWER_COLUMNS and rows.attrs["k"] == 4
    shown = {g: sum(1 for it in questionnaire.items() if not it.groups or g in it.groups)
             for g in ("personnel", "encadrement")}
    assert len(rows) == 4 * shown["personnel"] + 3 * shown["encadrement"]
    assert rows["participant"].nunique() == 7
    assert rows["score"].dropna().between(0, 1).all()
    assert str(rows["answered_at"].dtype).startswith("datetime64")
    for row in rows.itertuples(index=False):  # scores and weak flags as the model says
        item = questionnaire.item(row.item_id)
        expected = item.score(row.value)
        assert (math.isnan(row.score) if expected is None else row.score == expected)
        assert bool(row.weak) is item.is_weak(row.value)
        assert row.principles == item.principles
    estimates = rows[rows["about"].notna()]
    assert (estimates["group"] != estimates["about"]).all()


def test_answers_are_seeded(questionnaire):
    a = synthetic.answers(questionnaire, {"personnel": 5}, seed=3)
    b = synthetic.answers(questionnaire, {"personnel": 5}, seed=3)
    c = synthetic.answers(questionnaire, {"personnel": 5}, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["score"].equals(c["score"])


def test_profiles_show_in_the_feelings_map(questionnaire):
    profiles = {"personnel": synthetic.Profile(attrait=.2, peur=.9, tentation=.1, spread=.05),
                "direction_generale": synthetic.Profile(attrait=.9, peur=.1, tentation=.1,
                                                        spread=.05)}
    rows = synthetic.answers(questionnaire, {"personnel": 30, "direction_generale": 30},
                             profiles=profiles, seed=2)
    fmap = analysis.feelings_map(rows)
    fear = fmap[fmap["feeling"] == "peur"].groupby("group")["mean"].mean()
    assert fear["personnel"] == pytest.approx(.9, abs=.06)
    assert fear["direction_generale"] == pytest.approx(.1, abs=.06)
    assert set(analysis.tendencies(rows)["reading"]) == {"confiance_non_mesuree"}
    with_trust = synthetic.example_questionnaire(trust=True)
    profiles = {g: replace(p, confiance=.8) for g, p in profiles.items()}
    rows = synthetic.answers(with_trust, {"personnel": 30, "direction_generale": 30},
                             profiles=profiles, seed=2)
    tend = analysis.tendencies(rows).set_index("group")
    assert tend.loc["personnel", "confiance"] == pytest.approx(.8, abs=.06)
    assert tend.loc["personnel", "reading"] == "individualiste"
    assert tend.loc["direction_generale", "reading"] == "cooperatif"


def test_proposals_frame():
    frame = synthetic.proposals({"personnel": 6, "encadrement": 4}, seed=1)
    assert list(frame.columns) == ["id", "project_id", "workshop_id", "text", "group",
                                   "feeling", "theme", "principle", "plan", "status", "owner",
                                   "due", "created_at", "updated_at"]
    assert frame["group"].value_counts().to_dict() == {"personnel": 6, "encadrement": 4}
    assert set(frame["status"]) <= set(method.STATUS_IDS)
    assert (frame["plan"] == frame["feeling"].map(method.PLAN_OF_FEELING)).all()
    every = synthetic.proposals({"personnel": 5}, done_share={"personnel": 1.0})
    assert set(every["status"]) == {"done"}
