"""The store's follow-up after the map, on SQLite and on PostgreSQL: proposals with
their dated history and reasons, moderation of what phones send, the promoter's
commitment, the common purpose co-written, the plans' rows, the responsibility matrix;
and schema v5 migrating v4 and v1 data folders without losing a project or a proposal."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert
from store_support import make_questionnaire

from coopkit.errors import CoopkitError
from coopkit.store import SCHEMA_VERSION, open_store
from coopkit.store.engine import make_engine
from coopkit.store.migrations import v1_metadata

QUESTIONNAIRE = make_questionnaire()


def problem_of(call, *args, **kwargs) -> CoopkitError:
    with pytest.raises(CoopkitError) as caught:
        call(*args, **kwargs)
    return caught.value


def check(error: CoopkitError, code: str, *fragments: str) -> None:
    """The error has this code, names what is wrong in French, and reads in English."""
    assert error.codes == [code]
    french, english = error.format("fr"), error.format("en")
    for fragment in fragments:
        assert fragment in french, french
    assert "error." not in french + english and "fix." not in french + english
    assert french != english


@pytest.fixture
def project(store) -> int:
    pid = store.create_project("Achats", "Que chaque habitant garde un service proche",
                               "CH Nord")
    for name in ("CH Nord", "EHPAD Sud"):
        store.add_partner(pid, name)
    return pid


@pytest.fixture
def workshop(store, project):
    return store.open_workshop(project, QUESTIONNAIRE, wave="T0", k=2)


# --------------------------------------------------------------------- proposals

def test_every_status_change_is_dated_signed_and_explained(store, project):
    pid = store.add_proposal(project, "Former les équipes", "personnel", feeling="peur",
                             establishment="ehpad sud", on=date(2024, 1, 10))
    made = store.proposal(pid)
    assert made.establishment == "EHPAD Sud"  # the partner's own spelling
    assert made.created_at == datetime(2024, 1, 10, 12, tzinfo=UTC)
    store.set_proposal_status(pid, "accepted", by="Le promoteur", on=date(2024, 2, 1))
    store.set_proposal_status(pid, "accepted", by="Quelqu'un")  # no change: no event
    check(problem_of(store.set_proposal_status, pid, "dropped"), "reason_required",
          "Former les équipes")
    check(problem_of(store.set_proposal_status, pid, "dropped", reason="   "),
          "reason_required")
    assert store.proposal(pid).status == "accepted"  # nothing written
    store.update_proposal(pid, status="dropped", reason="Trop coûteux", by="Comité")
    check(problem_of(store.set_proposal_status, pid, "done", on=date(2023, 12, 31)),
          "event_before_creation", "2023-12-31", "2024-01-10")
    events = store.proposal_events_frame(project)
    assert list(events["status"]) == ["proposed", "accepted", "dropped"]
    assert list(events["previous"]) == [None, "proposed", "accepted"]
    assert list(events["changed_by"]) == [None, "Le promoteur", "Comité"]
    assert list(events["reason"]) == [None, None, "Trop coûteux"]
    assert events["changed_at"].iloc[1] == datetime(2024, 2, 1, 12, tzinfo=UTC)
    frame = store.proposals_frame(project)
    assert frame.loc[0, "establishment"] == "EHPAD Sud" and frame.loc[0, "status"] == "dropped"


def test_a_proposal_added_dropped_needs_a_reason(store, project):
    check(problem_of(store.add_proposal, project, "Fusionner", "personnel",
                     status="dropped"), "reason_required", "Fusionner")
    assert store.proposals(project, moderation=None) == []
    pid = store.add_proposal(project, "Fusionner", "personnel", status="dropped",
                             reason="Hors du périmètre", by="Comité")
    assert [(e.status, e.reason) for e in store.proposal_events(project)] == [
        ("proposed", None), ("dropped", "Hors du périmètre")]
    assert store.proposal(pid).status == "dropped"


def test_establishment_and_statements_are_checked(store, project, workshop):
    check(problem_of(store.add_proposal, project, "x", "personnel",
                     establishment="Clinique Est"), "not_allowed", "Clinique Est", "CH Nord")
    check(problem_of(store.add_proposal, project, "x", "personnel",
                     statements=["peur_autonomie", "peur autonomie"]), "bad_statement_id",
          "peur autonomie")
    check(problem_of(store.add_proposal, project, "x", "personnel",
                     statements=["peur_autonomy"]), "not_allowed_hint", "peur_autonomie")
    pid = store.add_proposal(project, "x", "personnel",
                             statements=["peur_autonomie", "attrait_qualite",
                                         "peur_autonomie"])
    assert store.proposal(pid).statements == ("peur_autonomie", "attrait_qualite")
    store.update_proposal(pid, statements="attrait_qualite")
    assert store.proposal(pid).statements == ("attrait_qualite",)
    assert store.proposals_frame(project)["statements"].tolist() == [("attrait_qualite",)]


def test_a_participant_proposes_from_the_phone_and_the_consultant_moderates(store, project,
                                                                          workshop):
    person = store.join(workshop.code, "personnel", "CH Nord")
    pid = store.add_participant_proposal(person.token, "Un numéro unique", feeling="attrait")
    sent = store.proposal(pid)
    assert (sent.source, sent.moderation, sent.group, sent.establishment, sent.workshop_id,
            sent.plan) == ("participant", "pending", "personnel", "CH Nord", workshop.id,
                           "objectifs")
    assert store.proposals(project) == []  # not shown, not counted, until approved
    assert [p.id for p in store.proposals(project, moderation="pending")] == [pid]
    assert store.moderate_proposal(pid, True).moderation == "approved"
    assert [p.id for p in store.proposals(project)] == [pid]
    store.moderate_proposal(pid, False)
    assert store.proposals_frame(project).empty
    assert len(store.proposals_frame(project, moderation=None)) == 1
    check(problem_of(store.moderate_proposal, pid, "oui"), "setting_not_bool")
    check(problem_of(store.add_participant_proposal, "pas-un-jeton", "x"), "unknown_token")
    store.close_workshop(workshop.id)
    check(problem_of(store.add_participant_proposal, person.token, "Trop tard"),
          "workshop_closed")


# -------------------------------------------------------------------- commitment

def test_the_promoters_commitment_is_recorded_with_its_date(store, project):
    assert store.promoter_commitment(project) is None
    check(problem_of(store.record_commitment, project, "2024-01-18", "DG", threshold=0.5),
          "commitment_threshold", "0.5")
    check(problem_of(store.record_commitment, project, "18/01/2024", "DG"), "invalid_date",
          "18/01/2024")
    check(problem_of(store.record_commitment, project, "2024-01-18", " "), "empty_text")
    first = store.record_commitment(project, "2024-01-18", "Le directeur, en comité")
    assert (first.committed_on, first.committed_by, first.threshold) == (
        date(2024, 1, 18), "Le directeur, en comité", 0.6)
    store.record_commitment(project, date(2024, 6, 1), "Le directeur", threshold=0.75)
    assert store.promoter_commitment(project).threshold == 0.75  # the latest holds


# ----------------------------------------------------------------------- purpose

def test_the_purpose_is_written_together_and_each_partner_decides(store, project, workshop):
    versions = store.purpose_versions(project)
    assert [(v.version, v.text) for v in versions] == [
        (1, "Que chaque habitant garde un service proche")]  # create_project's purpose
    person = store.join(workshop.code, "personnel")
    wid = store.add_purpose_wording(person.token, "Des soins près de chez soi")
    wording = store.purpose_wording(wid)
    assert (wording.source, wording.moderation, wording.workshop_id) == (
        "participant", "pending", workshop.id)
    assert "personnel" not in repr(wording) and person.token not in repr(wording)  # anonymous
    other = store.record_purpose_wording(project, "Des équipes qui tiennent")
    store.moderate_wording(wid, True)
    store.group_wordings({wid: "Proximité", other: "Équipes"})
    frame = store.purpose_wordings_frame(project)
    assert list(frame["cluster"]) == ["Proximité", "Équipes"]
    assert list(frame["moderation"]) == ["approved", "approved"]
    v2 = store.add_purpose_version(project, "Que chacun soit soigné près de chez lui",
                                   drafted_on="2024-02-20", wordings=[wid, other])
    assert (v2.version, v2.wordings, v2.drafted_on) == (2, (wid, other), date(2024, 2, 20))
    assert store.project(project).purpose == "Que chacun soit soigné près de chez lui"
    store.accept_purpose(project, 2, "ch nord", "2024-03-01", by="Directoire")
    store.accept_purpose(project, 2, "EHPAD Sud", "2024-03-02", accepted=False)
    store.accept_purpose(project, 2, "EHPAD Sud", "2024-03-09", by="CA")  # changes its mind
    decisions = store.purpose_acceptances_frame(project)
    assert decisions[["version", "partner", "accepted"]].values.tolist() == [
        [2, "CH Nord", True], [2, "EHPAD Sud", True]]
    assert list(decisions["decided_on"]) == [date(2024, 3, 1), date(2024, 3, 9)]
    check(problem_of(store.accept_purpose, project, 7, "CH Nord", "2024-03-01"),
          "unknown_purpose_version", "7")
    check(problem_of(store.accept_purpose, project, 2, "Clinique Est", "2024-03-01"),
          "not_allowed", "Clinique Est")
    check(problem_of(store.add_purpose_wording, person.token, ""), "empty_text")
    check(problem_of(store.moderate_wording, 999, True), "unknown_wording", "999")
    store.update_project(project, purpose="Une troisième version")  # a new version, too
    assert [v.version for v in store.purpose_versions(project)] == [1, 2, 3]
    store.update_project(project, purpose="Une troisième version")  # unchanged: no version
    assert len(store.purpose_versions(project)) == 3


# ------------------------------------------------------------------------- plans

def test_plan_rows_are_stored_and_never_overwritten_by_a_prefill(store, project):
    added = store.fill_plans(project, [
        {"plan": "objectifs", "objective": "Garder la proximité", "source": "statement",
         "source_ref": "attrait_qualite", "groups": ["personnel"]},
        {"plan": "charte", "rule": "Partager l'information", "origin": "tentation"},
    ])
    assert added == 2
    row = store.plan_rows(project, "objectifs")[0]
    assert (row.fields["objective"], row.groups, row.source) == (
        "Garder la proximité", ("personnel",), "statement")
    store.update_plan_row(row.id, target="80 %", due="2025-06-30", owner="DRH")
    assert store.plan_row(row.id).fields == {
        "objective": "Garder la proximité", "indicator": None, "baseline": None,
        "target": "80 %", "owner": "DRH", "due": "2025-06-30"}
    assert store.fill_plans(project, [{"plan": "objectifs", "objective": "Autre"}]) == 0
    risk = store.add_plan_row(project, "risques", {"risk": "Perdre la main",
                                                   "likelihood": "high"})
    check(problem_of(store.update_plan_row, risk.id, likelihood="très forte"),
          "not_allowed", "très forte", "low, medium, high")
    check(problem_of(store.update_plan_row, risk.id, objective="x"), "unknown_field",
          "objective", "prevention")
    check(problem_of(store.update_plan_row, row.id, due="bientôt"), "invalid_date")
    frame = store.plan_rows_frame(project)
    assert list(frame["plan"]) == ["objectifs", "risques", "charte"]
    assert frame.loc[1, "likelihood"] == "high" and frame.loc[1, "objective"] is None
    store.delete_plan_row(risk.id)
    check(problem_of(store.plan_row, risk.id), "unknown_plan_row")


# -------------------------------------------------------------- responsibilities

def test_the_responsibility_matrix_is_stored(store, project):
    ch = store.add_responsibility_actor(project, "CH Nord", "partner")
    copil = store.add_responsibility_actor(project, "Comité de pilotage")
    check(problem_of(store.add_responsibility_actor, project, "comité de pilotage"),
          "actor_exists")
    row = store.add_responsibility(project, "Choisir le logiciel",
                                   roles={"CH Nord": ["decides", "carries_out"],
                                          copil.id: "informed"})
    assert row.roles == {ch.id: ["decides", "carries_out"], copil.id: ["informed"]}
    store.update_responsibility(row.id, roles={ch.id: ["carries_out"]})
    check(problem_of(store.update_responsibility, row.id, roles={"ARS": ["decides"]}),
          "unknown_actor", "ARS", "CH Nord")
    check(problem_of(store.update_responsibility, row.id, roles={ch.id: ["decide"]}),
          "not_allowed_hint", "decides")
    frame = store.responsibility_frame(project)
    assert frame[["actor", "role"]].values.tolist() == [["CH Nord", "carries_out"],
                                                        ["Comité de pilotage", "informed"]]
    assert frame.attrs["actors"] == [("CH Nord", "partner"), ("Comité de pilotage", "body")]
    store.remove_responsibility_actor(copil.id)
    assert store.responsibility(row.id).roles == {ch.id: ["carries_out"]}
    empty = store.add_responsibility(project, "Arbitrer", kind="decision")
    assert store.responsibility_frame(project)["actor"].tolist() == ["CH Nord", None]
    store.delete_responsibility(empty.id)
    check(problem_of(store.responsibility, empty.id), "unknown_responsibility")


def test_deleting_a_project_deletes_its_follow_up(store, project, workshop):
    person = store.join(workshop.code, "personnel")
    store.add_purpose_wording(person.token, "Proche")
    pid = store.add_proposal(project, "x", "personnel")
    store.set_proposal_status(pid, "accepted")
    store.record_commitment(project, "2024-01-01", "DG")
    store.accept_purpose(project, 1, "CH Nord", "2024-01-02")
    store.add_plan_row(project, "charte", {"rule": "r"})
    store.add_responsibility_actor(project, "CH Nord", "partner")
    store.add_responsibility(project, "s", roles={"CH Nord": "decides"})
    other = store.create_project("Autre", "Autre finalité")
    store.delete_project(project)
    assert [p.id for p in store.projects()] == [other]
    assert [v.text for v in store.purpose_versions(other)] == ["Autre finalité"]


# -------------------------------------------------------------------- migrations

def _build_v1(url: str) -> None:
    """A database as coopkit schema 1 wrote it: a project and three proposals."""
    engine = make_engine(url)
    md = v1_metadata()
    created = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
    changed = datetime(2024, 3, 2, 16, 30, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            md.create_all(conn)
            t = md.tables
            conn.execute(insert(t["schema_version"]).values(version=1))
            conn.execute(insert(t["projects"]), [
                {"id": 1, "name": "Achats", "purpose": "Mutualiser les achats",
                 "promoter": "GHT", "created_at": created},
                {"id": 2, "name": "Sans finalité", "purpose": "", "promoter": "",
                 "created_at": created}])
            conn.execute(insert(t["partners"]).values(id=1, project_id=1, name="CH Nord"))
            conn.execute(insert(t["questionnaires"]).values(
                hash=QUESTIONNAIRE.content_hash, questionnaire_id="mini", version="1",
                definition=json.dumps(_mapping()), registered_at=created))
            conn.execute(insert(t["workshops"]).values(
                id=1, project_id=1, questionnaire_id="mini",
                questionnaire_hash=QUESTIONNAIRE.content_hash, wave="T0", code="ABCDEF",
                is_open=True, k=2, created_at=created))
            conn.execute(insert(t["proposals"]), [
                {"id": i, "project_id": 1, "workshop_id": 1, "text": text,
                 "group_id": "personnel", "feeling": "peur", "plan": "risques",
                 "status": status, "created_at": created, "updated_at": changed}
                for i, (text, status) in enumerate(
                    [("Comité", "accepted"), ("Charte", "proposed"), ("Fusion", "dropped"),
                     ("Formation", "done")], start=1)])
            if conn.dialect.name == "postgresql":
                for table in ("projects", "partners", "workshops", "proposals"):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
    finally:
        engine.dispose()


def _mapping() -> dict:
    from coopkit.definitions.questionnaire import to_mapping

    return to_mapping(QUESTIONNAIRE)


def _build_v4(url: str) -> None:
    """The same data, migrated step by step to schema 4 (main's schema before v5)."""
    from coopkit.store.migrations import _v1_to_v2, _v2_to_v3, _v3_to_v4

    _build_v1(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for step in (_v1_to_v2, _v2_to_v3, _v3_to_v4):
                step(conn)
            conn.exec_driver_sql("UPDATE schema_version SET version = 4")
            conn.exec_driver_sql("UPDATE proposals SET due = '2024-06-30' WHERE id = 1")
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old-data' / 'coopkit.sqlite'}"
    return request.getfixturevalue("postgres_empty_url")


@pytest.mark.parametrize(("build", "found"), [(_build_v4, 4), (_build_v1, 1)])
def test_old_data_folders_keep_every_project_and_proposal(empty_url, build, found):
    build(empty_url)
    with open_store(empty_url) as store:
        assert store.schema_found == found
        assert [(p.id, p.name, p.purpose) for p in store.projects()] == [
            (1, "Achats", "Mutualiser les achats"), (2, "Sans finalité", "")]
        old = store.proposals(1)
        assert [(p.text, p.status) for p in old] == [
            ("Comité", "accepted"), ("Charte", "proposed"), ("Fusion", "dropped"),
            ("Formation", "done")]
        assert all((p.source, p.moderation, p.establishment, p.statements)
                   == ("consultant", "approved", None, ()) for p in old)
        if found == 4:
            assert old[0].due == date(2024, 6, 30)
        history = store.proposal_events_frame(1)
        assert history.groupby("proposal_id")["status"].apply(list).to_dict() == {
            1: ["proposed", "accepted"], 2: ["proposed"], 3: ["proposed", "dropped"],
            4: ["proposed", "done"]}
        assert set(history.loc[history["status"] != "proposed", "changed_at"]) == {
            datetime(2024, 3, 2, 16, 30, tzinfo=UTC)}
        assert history["reason"].isna().all()  # never recorded before v5: not made up
        assert [(v.version, v.text, v.drafted_on) for v in store.purpose_versions(1)] == [
            (1, "Mutualiser les achats", date(2024, 1, 10))]
        assert store.purpose_versions(2) == []
        assert store.promoter_commitment(1) is None
        # the new parts work on the migrated data
        store.set_proposal_status(2, "accepted", by="DG")
        store.add_proposal(1, "Nouvelle", "personnel", establishment="CH Nord")
        store.accept_purpose(1, 1, "CH Nord", "2024-02-01")
        store.add_plan_row(1, "charte", {"rule": "r"})
    with open_store(empty_url) as store:
        assert store.schema_found == SCHEMA_VERSION == 6
        assert len(store.proposals(1)) == 5
        assert store.proposal_events_frame(1)["status"].tolist().count("accepted") == 2


@pytest.mark.parametrize(("call", "args", "code"), [
    ("set_proposal_status", (0, "accepted"), "unknown_proposal"),
    ("moderate_proposal", ("1", True), "not_an_id"),
    ("proposal_events", (2**40,), "unknown_project"),
    ("record_commitment", (True, "2024-01-01", "DG"), "not_an_id"),
    ("accept_purpose", (None, 1, "CH Nord", "2024-01-01"), "not_an_id"),
    ("moderate_wording", (-3, True), "unknown_wording"),
    ("update_plan_row", (0,), "unknown_plan_row"),
    ("delete_responsibility", (1.5,), "not_an_id"),
    ("remove_responsibility_actor", (99,), "unknown_actor_id"),
    ("group_wordings", ({"x": "Groupe"},), "not_an_id"),
])
def test_bad_ids_are_refused_with_a_clear_message(store, project, call, args, code):
    check(problem_of(getattr(store, call), *args), code)
