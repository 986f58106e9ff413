"""The 60 % followed over time: retained and realised as two measures, the states of
the promoter's commitment (« engagement non pris » until recorded), the timeline from
the dated history, its chart; and the other pure follow-up figures: whether the
statements an action addressed moved, the purpose's history and similar wordings, the
responsibility matrix against principle 9, the plans pre-filled with every group
weighing the same."""

from __future__ import annotations

from datetime import date

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from coopkit import analysis, charts
from coopkit.analysis.plans import prefill


def proposals(rows: list[tuple], **extra) -> pd.DataFrame:
    """(group, status[, moderation]) rows, as the store's proposals frame has them."""
    made = pd.Timestamp("2024-01-10 12:00", tz="UTC")
    return pd.DataFrame([{
        "id": i + 1, "text": f"action {i + 1}", "group": row[0], "status": row[1],
        "moderation": row[2] if len(row) > 2 else "approved", "feeling": "peur",
        "theme": "qualite", "plan": "risques", "owner": None, "due": None,
        "statements": (), "created_at": made, "updated_at": made, **extra,
    } for i, row in enumerate(rows)])


def events(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([{"proposal_id": pid, "status": status,
                          "changed_at": pd.Timestamp(day, tz="UTC")}
                         for pid, status, day in rows])


def test_retained_and_realised_are_two_measures():
    frame = proposals([("personnel", "accepted"), ("personnel", "in_progress"),
                       ("personnel", "done"), ("personnel", "dropped"),
                       ("encadrement", "proposed"),
                       ("encadrement", "done", "pending"),     # waits in moderation
                       ("encadrement", "done", "rejected")])   # set aside
    com = analysis.commitment(frame, committed_on=date(2024, 1, 18))
    everyone = com.iloc[0]
    assert (everyone["total"], everyone["retained"], everyone["done"],
            everyone["undecided"], everyone["dropped"]) == (5, 3, 1, 1, 1)
    assert everyone["share_retained"] == pytest.approx(0.6)
    assert everyone["share_done"] == pytest.approx(0.2)
    assert everyone["state"] == "on_track" and not everyone["meets_commitment"]
    by_group = dict(zip(com["group"], com["state"], strict=True))
    assert by_group == {None: "on_track", "encadrement": "undecided", "personnel": "on_track"}


@pytest.mark.parametrize(("statuses", "state"), [
    (["done", "done", "done", "dropped", "proposed"], "kept"),
    (["accepted", "accepted", "done", "proposed", "dropped"], "on_track"),
    (["accepted", "proposed", "proposed", "dropped", "dropped"], "undecided"),
    (["accepted", "proposed", "dropped", "dropped", "dropped"], "broken"),
])
def test_the_states_of_a_commitment(statuses, state):
    frame = proposals([("personnel", s) for s in statuses])
    assert analysis.commitment(frame, committed_on=date(2024, 1, 1))["state"].iloc[0] == state
    # not recorded: « engagement non pris », whatever the figures
    assert analysis.commitment(frame)["state"].iloc[0] == "not_taken"
    assert not analysis.commitment(frame)["committed"].iloc[0]


def test_retained_and_realised_over_time_from_the_dated_history():
    frame = proposals([("personnel", "done"), ("personnel", "dropped"),
                       ("medical_soignant", "accepted"), ("personnel", "done", "pending")])
    history = events([(1, "proposed", "2024-01-10"), (2, "proposed", "2024-01-10"),
                      (1, "accepted", "2024-01-18"), (2, "accepted", "2024-01-18"),
                      (1, "done", "2024-04-10"), (2, "dropped", "2024-07-01"),
                      (3, "proposed", "2024-10-08"), (3, "accepted", "2024-11-02"),
                      (4, "proposed", "2024-10-08")])  # pending: not counted
    tl = analysis.commitment_timeline(frame, history, until=date(2025, 1, 1))
    assert [d.isoformat() for d in tl["date"]] == [
        "2024-01-10", "2024-01-18", "2024-04-10", "2024-07-01", "2024-10-08",
        "2024-11-02", "2025-01-01"]
    assert tl[["total", "retained", "done", "dropped"]].values.tolist() == [
        [2, 0, 0, 0], [2, 2, 0, 0], [2, 2, 1, 0], [2, 1, 1, 1], [3, 1, 1, 1],
        [3, 2, 1, 1], [3, 2, 1, 1]]
    assert tl["share_retained"].round(3).tolist()[-1] == pytest.approx(0.667)
    assert tl["share_done"].tolist()[2] == 0.5


def test_a_frame_without_history_reads_its_creation_and_last_change():
    frame = proposals([("personnel", "done")], updated_at=pd.Timestamp("2024-03-01", tz="UTC"))
    tl = analysis.commitment_timeline(frame, None)
    assert tl[["total", "retained", "done"]].values.tolist() == [[1, 0, 0], [1, 1, 1]]
    assert analysis.commitment_timeline(frame.iloc[0:0], None).empty


def test_the_timeline_chart_and_the_gauge_state():
    frame = proposals([("personnel", "done"), ("personnel", "accepted")])
    history = events([(1, "proposed", "2024-01-10"), (2, "proposed", "2024-01-10"),
                      (1, "done", "2024-03-01"), (2, "accepted", "2024-02-01")])
    tl = analysis.commitment_timeline(frame, history)
    _fig, ax = plt.subplots()
    made = charts.plot_commitment_timeline(ax, tl, committed_on=date(2024, 1, 18))
    assert list(made["retained"].get_ydata()) == [0.0, 50.0, 100.0]
    assert list(made["realised"].get_ydata()) == [0.0, 0.0, 50.0]
    assert made["realised"].get_linestyle() == "--"  # never colour alone
    assert made["committed"] is not None and made["line"].get_ydata()[0] == 60
    assert [t.get_text() for t in made["legend"].get_texts()][:2] == [
        "Retenues par le promoteur", "Réalisées"]
    english = charts.plot_commitment_timeline(plt.subplots()[1], tl, lang="en")
    assert english["title"].get_text() == "Proposals retained and carried out over time"
    assert english["committed"] is None
    empty = charts.plot_commitment_timeline(plt.subplots()[1], tl.iloc[0:0])
    assert empty["empty"].get_text() == "aucune proposition"
    gauge = charts.plot_commitment(plt.subplots()[1], analysis.commitment(
        frame, committed_on=date(2024, 1, 18)))
    assert gauge["state"].get_text().startswith("Engagement en cours")  # 1 of 2 done
    plt.close("all")


# ----------------------------------------------------------- actions and statements

def answers(wave: str, values: dict[str, list[int]], k: int = 3) -> pd.DataFrame:
    rows = []
    for item, scores in values.items():
        feeling = "peur" if item.startswith("peur") else "attrait"
        for person, score in enumerate(scores):
            rows.append({"participant": person, "group": "personnel", "item_id": item,
                         "score": score / 5, "feeling": feeling, "wave": wave,
                         "project_id": 1, "questionnaire_id": "q"})
    frame = pd.DataFrame(rows)
    frame.attrs["k"] = k
    return frame


def test_the_statements_an_action_addressed_moved_or_not():
    frame = proposals([("personnel", "done"), ("personnel", "accepted"),
                       ("personnel", "proposed")])
    frame["statements"] = [("peur_planning",), ("attrait_poids", "peur_rare"), ()]
    before = answers("T0", {"peur_planning": [4, 4, 5], "attrait_poids": [2, 2, 2],
                            "peur_rare": [5, 5, 5]})
    after = answers("T1", {"peur_planning": [2, 2, 3], "attrait_poids": [2, 2, 2],
                           "peur_rare": [5, 5]})  # two answers: under k = 3
    moved = analysis.action_statements(frame, before, after)
    assert moved[["proposal_id", "item_id"]].values.tolist() == [
        [1, "peur_planning"], [2, "attrait_poids"], [2, "peur_rare"]]
    assert moved["moved"].tolist() == ["down", "steady", None]
    assert moved["as_hoped"].tolist() == [True, None, None]
    assert moved["delta"].iloc[0] == pytest.approx(-0.4)
    assert moved["status"].tolist() == ["ok", "ok", "masked"]
    assert pd.isna(moved["mean1"].iloc[2]) and pd.isna(moved["mean0"].iloc[2])  # no leak
    worse = answers("T1", {"peur_planning": [5, 5, 5], "attrait_poids": [1, 1, 1],
                           "peur_rare": [5, 5, 5]})
    assert analysis.action_statements(frame, before, worse)["as_hoped"].tolist()[:2] == [
        False, False]
    assert analysis.action_statements(frame.iloc[2:], before, after).empty
    # an answer not validated (step 3) is not counted
    unsure = pd.concat([before.assign(validated=True), before.iloc[:1].assign(
        participant=99, score=0.0, validated=False)], ignore_index=True)
    unsure.attrs["k"] = 3
    again = analysis.action_statements(frame, unsure, after)
    assert again["mean0"].iloc[0] == pytest.approx(moved["mean0"].iloc[0])
    assert again["n0"].iloc[0] == 3


# --------------------------------------------------------------------- purpose

def test_the_purpose_history_says_where_each_partner_stands():
    versions = pd.DataFrame({"version": [1, 2], "text": ["Mutualiser", "Soigner près"],
                             "drafted_on": [date(2024, 1, 10), date(2024, 2, 20)],
                             "note": [None, None]})
    decisions = pd.DataFrame({
        "version": [1, 1, 2, 2], "partner": ["CH", "EHPAD", "CH", "EHPAD"],
        "accepted": [True, False, True, True],
        "decided_on": [date(2024, 1, 22), date(2024, 1, 25), date(2024, 3, 5),
                       date(2024, 3, 12)],
        "decided_by": ["Directoire", "CA", None, "CA"]})
    hist = analysis.purpose_history(versions, decisions, ["CH", "EHPAD", "SSIAD"])
    assert hist["state"].tolist() == ["declined", "pending"]
    assert hist["pending"].tolist() == [["SSIAD"], ["SSIAD"]]
    assert hist["declined_by"].iloc[0] == [("EHPAD", date(2024, 1, 25), "CA")]
    assert hist["current"].tolist() == [False, True]
    done = analysis.purpose_history(versions, decisions, ["CH", "EHPAD"])
    assert done["state"].iloc[1] == "accepted"
    assert done["accepted_on"].iloc[1] == date(2024, 3, 12)


def test_similar_wordings_are_suggested_together():
    wordings = pd.DataFrame({"id": [1, 2, 3, 4], "text": [
        "Garder des soins de proximité pour les habitants",
        "Des soins de proximité, même dans les villages",
        "Des équipes qui ont le temps de bien travailler",
        "Que les habitants gardent leurs soins de proximité"]})
    found = analysis.similar_wordings(wordings)
    numbers = dict(zip(found["id"], found["suggestion"], strict=True))
    assert numbers[1] == numbers[2] == numbers[4] != numbers[3]
    assert "proximite" in found.loc[0, "shared"] and "soin" in found.loc[0, "shared"]
    assert analysis.similar_wordings(wordings.iloc[0:0]).empty


# ----------------------------------------------------------- principle 9

def test_the_matrix_is_checked_against_principle_nine():
    matrix = pd.DataFrame([
        (1, "Choisir les fournisseurs", "decision", 1, 1, "CH", "partner", "decides"),
        (1, "Choisir les fournisseurs", "decision", 1, 2, "EHPAD", "partner", "consulted"),
        (2, "Arbitrer un désaccord", "decision", 2, 3, "Comité", "body", "consulted"),
        (3, "Préparer le budget", "task", 3, None, None, None, None),
    ], columns=["id", "subject", "kind", "position", "actor_id", "actor", "actor_kind",
                "role"])
    items = pd.DataFrame({"item_id": ["a", "b"], "label": ["Un tableau", "Des délégations"],
                          "score": [0.3, 0.7], "n": [8, 8], "low": [True, False],
                          "status": ["ok", "ok"]})
    checks = analysis.matrix_check(matrix, ["CH", "EHPAD", "SSIAD"], items)
    found = {r["check"]: (r["ok"], r["names"]) for _, r in checks.iterrows()}
    assert found == {"matrix_exists": (True, []), "partners_covered": (False, ["SSIAD"]),
                     "deciders": (False, ["Arbitrer un désaccord"]),
                     "readiness": (False, ["Un tableau"])}
    empty = analysis.matrix_check(matrix.iloc[0:0], ["CH"], None)
    assert empty["ok"].tolist() == [False, False, False, None]


# ----------------------------------------------------------------- plans

def test_the_plans_are_prefilled_with_every_group_weighing_the_same():
    draft = pd.DataFrame([
        {"plan": "objectifs", "feeling": "attrait", "theme": "qualite", "item_id": "a1",
         "statement": "Un meilleur service", "groups": ("personnel", "elus_population"),
         "group_labels": "Personnels, Élus", "mean": 0.72, "n": 11},
        {"plan": "risques", "feeling": "peur", "theme": "accompagnement", "item_id": "p1",
         "statement": "Mes plannings décidés ailleurs", "groups": ("medical_soignant",),
         "group_labels": "Soignants", "mean": 0.8, "n": 5},
        {"plan": "charte", "feeling": "tentation", "theme": "arbitrage", "item_id": "t1",
         "statement": "Orienter les décisions", "groups": ("direction_generale",),
         "group_labels": "Direction", "mean": 0.4, "n": 5},
    ])
    props = proposals([("encadrement", "accepted"), ("personnel", "done"),
                       ("instances", "proposed"), ("personnel", "dropped"),
                       ("personnel", "accepted", "pending")])
    props["plan"] = ["risques", "charte", "objectifs", "risques", "objectifs"]
    props["theme"] = ["qualite", "arbitrage", "qualite", "accompagnement", "qualite"]
    props["statements"] = [("p1",), (), (), (), ()]
    props["owner"] = ["Cadre", None, "DRH", None, None]
    rows = prefill(draft, props, wave="T0", lang="fr")
    assert rows[["plan", "source", "source_ref"]].values.tolist() == [
        ["objectifs", "statement", "a1"], ["objectifs", "proposal", "3"],
        ["risques", "statement", "p1"], ["charte", "statement", "t1"]]
    objective = rows.iloc[0]
    assert (objective["objective"], objective["baseline"]) == ("Un meilleur service",
                                                               "0,72 (T0)")
    risk = rows.iloc[2]  # the proposal naming the fear is its prevention, whatever theme
    assert (risk["risk"], risk["prevention"], risk["owner"]) == (
        "Mes plannings décidés ailleurs", "action 1", "Cadre")
    assert risk["groups"] == ("medical_soignant", "encadrement")
    rule = rows.iloc[3]  # same theme: the charter proposal becomes the temptation's rule
    assert (rule["origin"], rule["rule"]) == ("Orienter les décisions", "action 2")
    assert rows.iloc[1]["owner"] == "DRH"
    english = prefill(draft, props, lang="en")
    assert english.iloc[0]["indicator"].startswith("Mean intensity of this attraction")
    assert english.iloc[0]["baseline"] == "0.72"
