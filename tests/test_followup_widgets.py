"""The consultant's follow-up widgets, headless, against a real SQLite store: the
purpose editor, the plans editor, the responsibility matrix, the moderation queue and
the promoter's commitment form. Each is driven through its ``value`` and its buttons
and checked in the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from coopkit import load_questionnaire, open_store
from coopkit.consultant.commitment import CommitmentForm, commitment_status
from coopkit.consultant.plans import PlanEditor
from coopkit.consultant.proposals import ProposalCapture, ProposalModeration
from coopkit.consultant.purpose import PurposeEditor
from coopkit.consultant.responsibilities import ResponsibilityMatrix

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"


@pytest.fixture
def store(tmp_path):
    with open_store(data=str(tmp_path)) as s:
        yield s


@pytest.fixture
def project(store):
    pid = store.create_project("Montval", "Mutualiser les achats", "CH")
    for name in ("CH de Montval", "EHPAD Les Tilleuls"):
        store.add_partner(pid, name)
    return pid


@pytest.fixture
def workshop(store, project):
    q = load_questionnaire(QUESTIONNAIRES / "ressentis.yaml")
    return store.open_workshop(project, q, wave="T0", k=2)


def test_purpose_editor_groups_drafts_and_records_each_decision(store, project, workshop):
    tokens = [store.join(workshop.code, "personnel").token for _ in range(4)]
    texts = ["Des soins de proximité pour les habitants <b>",
             "Garder des soins de proximité dans les villages",
             "Des équipes qui ont le temps de bien travailler", "Le parking est trop petit"]
    ids = [store.add_purpose_wording(tok, text) for tok, text in zip(tokens, texts,
                                                                     strict=True)]
    editor = PurposeEditor(store, project)
    assert "&lt;b&gt;" in editor.wordings.children[0].children[2].value  # escaped
    assert editor.draft.value == "Mutualiser les achats"  # version 1, from the project
    editor.kept[ids[3]].value = False  # off-topic: set aside
    assert store.purpose_wording(ids[3]).moderation == "rejected"
    assert editor.suggest() == 3
    names = {wid: store.purpose_wording(wid).cluster for wid in ids}
    assert names[ids[0]] == names[ids[1]] and names[ids[0]] != names[ids[2]]
    assert names[ids[3]] is None
    editor.value = {"draft": "Que chaque habitant soit soigné près de chez lui",
                    "clusters": {ids[0]: "Proximité", ids[1]: "Proximité",
                                 ids[2]: "Équipes"}}
    assert store.purpose_wording(ids[2]).cluster == "Équipes"
    assert "Proximité" in editor.groups.value
    editor.drafted_on.value = date(2024, 2, 20)
    assert editor.save_version() == 2
    version = store.purpose_versions(project)[-1]
    assert (version.text, version.drafted_on) == (
        "Que chaque habitant soit soigné près de chez lui", date(2024, 2, 20))
    assert set(version.wordings) == set(ids[:3])  # the wordings kept, not the set-aside one
    assert store.project(project).purpose == version.text
    assert not editor.record_decision("CH de Montval")  # no decision, no date yet
    assert "acceptée" in editor.message.value
    assert editor.record_decision("CH de Montval", accepted=True, on=date(2024, 3, 5),
                                  by="Directoire")
    assert editor.record_decision("EHPAD Les Tilleuls", accepted=False, on=date(2024, 3, 6))
    decisions = store.purpose_acceptances(project)
    assert [(d.version, d.partner, d.accepted) for d in decisions] == [
        (2, "CH de Montval", True), (2, "EHPAD Les Tilleuls", False)]
    assert "refusée par EHPAD Les Tilleuls le 2024-03-06" in editor.history.value
    assert "Version 1 du" in editor.history.value
    english = PurposeEditor(store, project, lang="en")
    assert "declined by EHPAD Les Tilleuls on 2024-03-06" in english.history.value


def test_plan_editor_prefills_once_then_saves_every_edit(store, project):
    draft = pd.DataFrame([{
        "plan": "risques", "feeling": "peur", "theme": "accompagnement", "item_id": "p1",
        "statement": "Mes plannings décidés ailleurs", "groups": ("medical_soignant",),
        "group_labels": "Corps médical et soignant", "mean": 0.8, "n": 5}])
    store.add_proposal(project, "Groupe de travail mixte", "personnel", feeling="peur",
                       theme="accompagnement", owner="Cadre de santé")
    editor = PlanEditor(store, project, draft=draft)
    assert editor.added == 1
    (row,) = store.plan_rows(project, "risques")
    assert row.fields["prevention"] == "Groupe de travail mixte"
    boxes = editor.fields[row.id]
    boxes["likelihood"].value = "high"
    boxes["prevention"].value = "Groupe de travail mixte, chaque mois"
    assert store.plan_row(row.id).fields["likelihood"] == "high"
    assert store.plan_row(row.id).fields["prevention"] == "Groupe de travail mixte, chaque mois"
    assert editor.value[row.id]["likelihood"] == "high"
    editor.value = {row.id: {**editor.value[row.id], "impact": "medium", "owner": "DRH"}}
    assert store.plan_row(row.id).fields["impact"] == "medium"
    assert boxes["owner"].value == "DRH"
    again = PlanEditor(store, project, draft=draft)  # reopened: the edits stay
    assert again.added == 0 and store.plan_row(row.id).fields["owner"] == "DRH"
    new = again.add_row("objectifs", objective="Réduire les délais")
    assert again.tabs.selected_index == 0 and new in again.fields
    again.fields[new]["due"].value = date(2025, 6, 30)
    assert store.plan_row(new).fields["due"] == "2025-06-30"
    again.delete_row(new)
    assert store.plan_rows(project, "objectifs") == []
    assert [again.tabs.get_title(i) for i in range(3)] == [
        "Plan de management des objectifs", "Plan de gestion des risques",
        "Charte des bonnes pratiques relationnelles"]


def test_responsibility_matrix_starts_from_a_template_and_writes_each_toggle(store,
                                                                            project):
    matrix = ResponsibilityMatrix(store, project)
    actors = store.responsibility_actors(project)
    assert [a.name for a in actors] == ["CH de Montval", "EHPAD Les Tilleuls",
                                        "Comité de pilotage", "Comité des directeurs",
                                        "Équipe projet"]
    rows = store.responsibilities(project)
    assert len(rows) == 6 and rows[3].subject == "Arbitrer un désaccord entre partenaires"
    ch = actors[0].id
    matrix.cells[(rows[0].id, ch)]["decides"].value = True
    matrix.cells[(rows[0].id, ch)]["carries_out"].value = True
    assert store.responsibility(rows[0].id).roles == {ch: ["decides", "carries_out"]}
    assert matrix.value[rows[0].id] == {ch: ["decides", "carries_out"]}
    checks = matrix.check()
    assert dict(zip(checks["check"], checks["ok"], strict=True)) == {
        "matrix_exists": True, "partners_covered": False, "deciders": False,
        "readiness": None}
    assert checks["names"].iloc[1] == ["EHPAD Les Tilleuls"]
    ehpad = actors[1].id
    matrix.value = {rows[0].id: {ch: ["decides"], ehpad: ["consulted"]}}
    assert store.responsibility(rows[0].id).roles == {ch: ["decides"], ehpad: ["consulted"]}
    assert matrix.cells[(rows[0].id, ch)]["carries_out"].value is False
    new = matrix.add_row("Recruter le responsable du service", "task")
    assert store.responsibility(new).kind == "task"
    assert matrix.add_row("") is None and "vide" in matrix.message.value.lower()
    matrix.remove_actor(actors[4].id)
    assert len(store.responsibility_actors(project)) == 4
    ResponsibilityMatrix(store, project)  # reopened: no second template
    assert len(store.responsibilities(project)) == 7


def test_moderation_queue_and_commitment_form(store, project, workshop):
    person = store.join(workshop.code, "personnel")
    first = store.add_participant_proposal(person.token, "Un numéro <unique>")
    second = store.add_participant_proposal(person.token, "Hors sujet")
    queue = ProposalModeration(store, project)
    assert queue.value == [first, second]
    assert "&lt;unique&gt;" in queue.rows.children[0].children[2].value
    queue.decide(first, True)
    queue.decide(second, False)
    assert queue.value == [] and "Aucune proposition" in queue.rows.children[0].value
    assert [p.id for p in store.proposals(project)] == [first]
    later = store.add_participant_proposal(person.token, "Sent since")
    assert queue.value == []
    queue.refresh_button.click()  # « Actualiser la liste »
    assert queue.value == [later]
    queue.decide(later, False)
    form = CommitmentForm(store, project)
    assert "Engagement non pris" in form.status.value
    assert form.value["committed_on"] is None
    assert not form.record()  # nothing typed
    form.committed_on.value = date(2024, 1, 18)
    form.by.value = "Le directeur du CH, en comité de pilotage"
    assert form.record()
    assert form.value == {"committed_on": date(2024, 1, 18),
                          "by": "Le directeur du CH, en comité de pilotage",
                          "threshold": 0.6}
    assert "s&#x27;est engagé le 2024-01-18" in form.status.value
    assert commitment_status(store, project, "en").startswith("On 2024-01-18 the promoter")


def test_capture_keeps_the_establishment_and_the_statements(store, project, workshop):
    capture = ProposalCapture(store, project, workshop_id=workshop.id)
    assert [o[1] for o in capture.establishment.options] == ["", "CH de Montval",
                                                             "EHPAD Les Tilleuls"]
    capture.feeling.value = "peur"
    capture.theme.value = "accompagnement"
    wanted = [v for _, v in capture.statements.options][:2]
    assert all(v.startswith("a_peur") for v in wanted)
    capture.value = {**capture.value, "text": "Former avant de changer",
                     "group": "personnel", "establishment": "EHPAD Les Tilleuls",
                     "statements": wanted}
    saved = store.proposal(capture.add())
    assert (saved.establishment, saved.statements) == ("EHPAD Les Tilleuls", tuple(wanted))
    assert capture.statements.value == ()
