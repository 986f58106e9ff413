"""The store, method by method and error by error, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert
from store_support import make_questionnaire, postgres_bindir_or_stop, value_for

import coopkit
from coopkit.definitions.questionnaire import to_mapping
from coopkit.errors import CoopkitError
from coopkit.store import (
    SCHEMA_VERSION,
    GroupCount,
    Participant,
    Store,
    WorkshopSettings,
    open_store,
)
from coopkit.store import codes as codes_module
from coopkit.store.codes import CODE_ALPHABET, normalise_code
from coopkit.store.engine import make_engine
from coopkit.store.frames import ANSWER_COLUMNS, PROPOSAL_COLUMNS
from coopkit.store.migrations import v1_metadata

QUESTIONNAIRE = make_questionnaire()
REQUIRED = ("attrait_qualite", "peur_autonomie", "regle_claire")


def problem_of(call, *args, **kwargs) -> CoopkitError:
    with pytest.raises(CoopkitError) as caught:
        call(*args, **kwargs)
    return caught.value


def check(error: CoopkitError, code: str, *fragments: str) -> None:
    """The error has this code; its French text holds the fragments; it reads in English."""
    assert error.codes == [code]
    french, english = error.format("fr"), error.format("en")
    for fragment in fragments:
        assert fragment in french, french
    assert "error." not in french and "fix." not in french
    assert "error." not in english and "fix." not in english
    assert french != english


@pytest.fixture
def project(store: Store) -> int:
    return store.create_project("Achats mutualisés", "Mieux acheter ensemble", "GHT Sud")


@pytest.fixture
def workshop(store: Store, project: int):
    return store.open_workshop(project, QUESTIONNAIRE)


def answer_required(store: Store, token: str) -> None:
    for item_id in REQUIRED:
        store.save_answer(token, item_id, value_for(QUESTIONNAIRE.item(item_id), 1))


# ----------------------------------------------------------------------- opening

def test_open_store_defaults_to_sqlite_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("COOPKIT_DATABASE_URL", raising=False)
    monkeypatch.setenv("COOPKIT_DATA", str(tmp_path / "from-env"))
    with coopkit.open_store() as store:
        assert store.backend == "sqlite"
        assert store.path == tmp_path / "from-env" / "coopkit.sqlite"
    with open_store(data=tmp_path / "explicit") as store:
        assert store.path == tmp_path / "explicit" / "coopkit.sqlite"
        store.create_project("x")
    monkeypatch.setenv("COOPKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    with open_store(data=tmp_path / "explicit") as store:
        assert store.path == tmp_path / "env.sqlite"
        assert store.projects() == []


def test_sqlite_is_wal_with_full_sync_and_a_busy_timeout(tmp_path):
    with open_store(data=tmp_path) as store:
        store.create_project("x")
        raw = store._engine.raw_connection()
        try:
            pragmas = {name: raw.driver_connection.execute(f"PRAGMA {name}").fetchone()[0]
                       for name in ("journal_mode", "synchronous", "busy_timeout",
                                    "foreign_keys")}
        finally:
            raw.close()
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 30000,
                       "foreign_keys": 1}


def test_sqlite_writes_begin_immediate_and_reads_plain_begin(tmp_path):
    from sqlalchemy import event

    seen: list[str] = []
    with open_store(data=tmp_path) as store:
        event.listen(store._engine, "before_cursor_execute",
                     lambda conn, cursor, sql, *rest: seen.append(sql))
        store.create_project("x")
        assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE"]
        seen.clear()
        store.projects()
        assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN"]


@pytest.mark.parametrize("url", ["mysql://u@h/db", "sqlite://", "sqlite:///:memory:",
                                 "not a url"])
def test_unsupported_urls_are_refused_clearly(url):
    check(problem_of(open_store, url), "unsupported_database", "postgresql://")


def test_postgres_urls_use_psycopg3():
    from coopkit.store.engine import normalise_url

    assert normalise_url("postgresql://u:secret@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


def test_urls_in_messages_hide_the_password():
    from coopkit.store.engine import _hide

    assert "secret" not in _hide("mysql://u:secret@h/db")


def test_fresh_store_has_current_schema(store):
    assert store.schema_found == SCHEMA_VERSION


# ---------------------------------------------------------------------- projects

def test_projects_create_update_list(store):
    pid = store.create_project("  Achats  ", purpose="Acheter mieux", promoter="GHT")
    other = store.create_project("Linge")
    assert [p.name for p in store.projects()] == ["Achats", "Linge"]
    updated = store.update_project(pid, purpose="Acheter mieux, ensemble", promoter="ARS")
    assert (updated.name, updated.purpose, updated.promoter) == (
        "Achats", "Acheter mieux, ensemble", "ARS")
    assert store.project(other).purpose == ""
    assert store.project(pid).created_at.tzinfo is not None


def test_project_errors(store):
    check(problem_of(store.create_project, "  "), "empty_text", "name")
    check(problem_of(store.create_project, 42), "not_text", "42")
    check(problem_of(store.create_project, "x" * 201), "too_long", "201", "200")
    pid = store.create_project("A")
    check(problem_of(store.update_project, pid, purpos="x"), "unknown_field_hint",
          "purpos", "purpose")
    check(problem_of(store.update_project, pid, colour="x"), "unknown_field", "colour",
          "promoter")
    check(problem_of(store.update_project, pid, name=""), "empty_text", "name")
    check(problem_of(store.update_project, 999, name="B"), "unknown_project", "999")
    check(problem_of(store.project, 999), "unknown_project", "999")
    assert store.project(pid).name == "A"


def test_partners_and_groups(store, project):
    first = store.add_partner(project, "CH Nord")
    store.add_partner(project, "EHPAD Les Tilleuls")
    assert next((p.id, p.name) for p in store.partners(project)) == (first, "CH Nord")
    check(problem_of(store.add_partner, project, "CH Nord"), "partner_exists", "CH Nord")
    check(problem_of(store.add_partner, 999, "X"), "unknown_project")
    check(problem_of(store.partners, 999), "unknown_project")
    store.set_groups(project, ["personnel", "direction_generale", "personnel"])
    assert store.groups(project) == ("direction_generale", "personnel")
    check(problem_of(store.set_groups, project, ["personel"]), "not_allowed_hint",
          "personel", "personnel")
    check(problem_of(store.set_groups, project, ["martiens"]), "not_allowed", "martiens")
    assert store.groups(project) == ("direction_generale", "personnel")
    store.set_groups(project, [])
    assert store.groups(project) == ()
    check(problem_of(store.groups, 999), "unknown_project")


# ---------------------------------------------------------------- questionnaires

def test_questionnaire_is_kept_by_content_hash(store):
    digest = store.register_questionnaire(QUESTIONNAIRE)
    assert digest == QUESTIONNAIRE.content_hash
    assert store.register_questionnaire(QUESTIONNAIRE) == digest  # idempotent
    store._questionnaires.clear()
    back = store.questionnaire(digest)
    assert back.content_hash == digest
    assert back == QUESTIONNAIRE
    edited = make_questionnaire(extra_items=2)
    assert store.register_questionnaire(edited) != digest
    assert store.questionnaire(digest) == QUESTIONNAIRE  # old answers keep their version
    check(problem_of(store.questionnaire, "0" * 64), "unknown_questionnaire", "000000000000")


# --------------------------------------------------------------------- workshops

def test_open_workshop(store, project):
    ws = store.open_workshop(project, QUESTIONNAIRE, title="Atelier 1")
    assert (ws.project_id, ws.wave, ws.k, ws.lang, ws.is_open, ws.title) == (
        project, "T0", 5, "fr", True, "Atelier 1")
    assert ws.questionnaire_id == "mini" and ws.questionnaire_hash == QUESTIONNAIRE.content_hash
    assert len(ws.code) == 6 and set(ws.code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)
    again = store.open_workshop(project, QUESTIONNAIRE.content_hash, wave="T1", k=3,
                                lang="en")
    assert (again.wave, again.k, again.lang) == ("T1", 3, "en")
    assert store.workshop(again.id) == again
    assert [w.id for w in store.workshops(project)] == [ws.id, again.id]
    assert store.workshops(999) == []
    assert len(store.workshops()) == 2


def test_open_workshop_errors(store, project):
    check(problem_of(store.open_workshop, project, QUESTIONNAIRE, k=0), "invalid_k", "0")
    check(problem_of(store.open_workshop, project, QUESTIONNAIRE, k=True), "invalid_k")
    check(problem_of(store.open_workshop, project, QUESTIONNAIRE, k="5"), "invalid_k")
    check(problem_of(store.open_workshop, project, QUESTIONNAIRE, wave=""), "empty_text",
          "wave")
    check(problem_of(store.open_workshop, project, QUESTIONNAIRE, wave="x" * 40),
          "too_long", "wave")
    check(problem_of(store.open_workshop, project, QUESTIONNAIRE, lang="de"),
          "not_allowed", "lang", "fr, en")
    check(problem_of(store.open_workshop, 999, QUESTIONNAIRE), "unknown_project", "999")
    check(problem_of(store.open_workshop, project, "f" * 64), "unknown_questionnaire")
    check(problem_of(store.workshop, 999), "unknown_workshop", "999")
    assert store.workshops() == []


def test_join_codes_are_unique_among_open_workshops(store, project, monkeypatch):
    drawn = iter(["AAAAAA", "AAAAAA", "AAAAAA", "BBBBBB", "AAAAAA", "CCCCCC"])
    monkeypatch.setattr("coopkit.store.core.new_join_code", lambda: next(drawn))
    first = store.open_workshop(project, QUESTIONNAIRE)
    second = store.open_workshop(project, QUESTIONNAIRE)
    assert (first.code, second.code) == ("AAAAAA", "BBBBBB")
    store.close_workshop(first.id)
    third = store.open_workshop(project, QUESTIONNAIRE)  # a closed code may come back
    assert third.code == "AAAAAA"
    reopened = store.reopen_workshop(first.id)  # its code is taken: it gets a new one
    assert reopened.is_open and reopened.code == "CCCCCC"
    assert store.workshop_by_code("aaaaaa").id == third.id


def test_codes_are_easy_to_type():
    codes = {codes_module.new_join_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert normalise_code(" ab-c d_ef ") == "ABCDEF"
    assert normalise_code(None) == ""


def test_workshop_by_code(store, workshop):
    spaced = f" {workshop.code[:3].lower()}-{workshop.code[3:]} "
    assert store.workshop_by_code(spaced) == workshop
    check(problem_of(store.workshop_by_code, "ZZZZZZ"), "unknown_code", "ZZZZZZ",
          "sans 0, O, 1, I ni L")
    check(problem_of(store.workshop_by_code, "O0I1L"), "unknown_code", "O0I1L")
    check(problem_of(store.workshop_by_code, ""), "unknown_code")
    check(problem_of(store.workshop_by_code, None), "unknown_code")
    closed = store.close_workshop(workshop.id)
    assert not closed.is_open and closed.closed_at is not None
    check(problem_of(store.workshop_by_code, workshop.code), "workshop_closed",
          workshop.code, "rouvrir")
    assert store.close_workshop(workshop.id).closed_at == closed.closed_at  # idempotent
    assert store.reopen_workshop(workshop.id).code == workshop.code
    assert store.workshop_by_code(workshop.code).is_open
    check(problem_of(store.close_workshop, 999), "unknown_workshop")
    check(problem_of(store.reopen_workshop, 999), "unknown_workshop")


# ------------------------------------------------------------------ participants

def test_join_and_resume(store, project, workshop):
    store.add_partner(project, "CH Nord")
    one = store.join(workshop.code, "personnel", "ch nord")
    two = store.join(workshop.code.lower(), "medical_soignant")
    assert isinstance(one, Participant)
    assert (one.workshop_id, one.group, one.establishment, one.validated) == (
        workshop.id, "personnel", "CH Nord", False)
    assert two.establishment is None
    assert len(one.token) >= 32 and one.token != two.token
    assert one.token not in repr(one)
    assert store.resume(one.token) == one
    check(problem_of(store.resume, "not-a-token"), "unknown_token")
    assert "not-a-token" not in problem_of(store.resume, "not-a-token").format("fr")
    check(problem_of(store.resume, None), "unknown_token")


def test_join_errors(store, project, workshop):
    check(problem_of(store.join, workshop.code, "personel"), "not_allowed_hint",
          "personel", "personnel")
    check(problem_of(store.join, workshop.code, "elus_population"), "not_allowed",
          "elus_population", "direction_generale, personnel, medical_soignant")
    check(problem_of(store.join, "ZZZZZZ", "personnel"), "unknown_code")
    store.add_partner(project, "CH Nord")
    check(problem_of(store.join, workshop.code, "personnel", "CH Nrod"),
          "not_allowed_hint", "CH Nord")
    store.close_workshop(workshop.id)
    check(problem_of(store.join, workshop.code, "personnel"), "workshop_closed")
    assert store.participation(workshop.id) == {}


def test_groups_default_to_the_method_when_the_questionnaire_has_none(store, project):
    mapping = to_mapping(QUESTIONNAIRE)
    del mapping["groups"]
    from coopkit.definitions.questionnaire import parse

    ws = store.open_workshop(project, parse(mapping))
    assert store.join(ws.code, "elus_population").group == "elus_population"


# ----------------------------------------------------------------------- answers

def test_save_answer_and_resume_every_answer(store, workshop):
    p = store.join(workshop.code, "personnel")
    assert store.answers(p.token) == {}
    assert store.save_answer(p.token, "attrait_qualite", 3) == 3
    assert store.save_answer(p.token, "attrait_qualite", 4.0) == 4  # normalised
    assert store.save_answer(p.token, "peur_autonomie", 0) == 0
    assert store.save_answer(p.token, "canaux", ["reunion", "mail"]) == ["mail", "reunion"]
    assert store.save_answer(p.token, "remarque", "Très bien") == "Très bien"
    assert store.save_answer(p.token, "regle_claire", "non") == "non"
    other = Store(store._engine.url.render_as_string(hide_password=False))  # a new kernel
    try:
        assert other.answers(p.token) == {
            "attrait_qualite": 4, "peur_autonomie": 0, "canaux": ["mail", "reunion"],
            "remarque": "Très bien", "regle_claire": "non"}
        other.save_answer(p.token, "attrait_qualite", "na")
    finally:
        other.close()
    assert store.answers(p.token)["attrait_qualite"] == "na"
    assert len(store.answers_frame(workshop.id)) == 5  # one row per item, not per change


def test_bad_answers_write_nothing(store, workshop):
    p = store.join(workshop.code, "personnel")
    store.save_answer(p.token, "attrait_qualite", 2)
    check(problem_of(store.save_answer, p.token, "nope", 1), "unknown_item", "nope")
    check(problem_of(store.save_answer, p.token, "attrait_qualite", 9), "value_invalid",
          "9", "1, 2, 3, 4, na")
    check(problem_of(store.save_answer, p.token, "peur_autonomie", 6), "value_invalid")
    check(problem_of(store.save_answer, p.token, "regle_claire", "peut-être"),
          "value_invalid")
    check(problem_of(store.save_answer, p.token, "remarque", "x" * 5000), "text_too_long")
    check(problem_of(store.save_answer, "bad-token", "attrait_qualite", 2), "unknown_token")
    assert store.answers(p.token) == {"attrait_qualite": 2}


def test_answer_time_is_updated_on_each_change(store, workshop):
    p = store.join(workshop.code, "personnel")
    store.save_answer(p.token, "attrait_qualite", 2)
    first = store.answers_frame(workshop.id)["answered_at"].iloc[0]
    store.save_answer(p.token, "attrait_qualite", 3)
    frame = store.answers_frame(workshop.id)
    assert frame["answered_at"].iloc[0] >= first and frame["value"].iloc[0] == 3


def test_a_required_estimate_of_ones_own_group_is_not_required_of_it(store, project):
    from coopkit.definitions.questionnaire import parse

    mapping = to_mapping(QUESTIONNAIRE)
    mapping["sections"][0]["items"].append(
        {"id": "autre_medical", "type": "intensity", "max": 5, "about": "medical_soignant",
         "feeling": "peur", "theme": "arbitrage",
         "text": {"fr": "Selon vous ?", "en": "In your view?"}})
    ws = store.open_workshop(project, parse(mapping))
    medical, staff = (store.join(ws.code, g) for g in ("medical_soignant", "personnel"))
    for p in (medical, staff):
        answer_required(store, p.token)
    assert store.validate(medical.token).validated  # not asked about themselves
    check(problem_of(store.validate, staff.token), "missing_answers", "autre_medical")


def test_validate_locks_answers(store, workshop):
    p = store.join(workshop.code, "personnel")
    store.save_answer(p.token, "attrait_qualite", 2)
    check(problem_of(store.validate, p.token), "missing_answers", "2",
          "peur_autonomie, regle_claire")
    assert not store.resume(p.token).validated
    answer_required(store, p.token)
    done = store.validate(p.token)
    assert done.validated and done.validated_at.tzinfo is not None
    assert store.validate(p.token).validated_at == done.validated_at  # twice is harmless
    check(problem_of(store.save_answer, p.token, "attrait_qualite", 3), "answers_locked",
          "attrait_qualite")
    assert store.answers(p.token)["attrait_qualite"] == value_for(
        QUESTIONNAIRE.item("attrait_qualite"), 1)
    check(problem_of(store.validate, "bad"), "unknown_token")


def test_closed_workshop_refuses_answers_until_reopened(store, workshop):
    p = store.join(workshop.code, "personnel")
    store.save_answer(p.token, "attrait_qualite", 2)
    store.close_workshop(workshop.id)
    check(problem_of(store.save_answer, p.token, "attrait_qualite", 3), "workshop_closed",
          workshop.code)
    check(problem_of(store.validate, p.token), "workshop_closed")
    assert store.answers(p.token) == {"attrait_qualite": 2}  # still readable
    store.reopen_workshop(workshop.id)
    store.save_answer(p.token, "attrait_qualite", 3)
    assert store.answers(p.token) == {"attrait_qualite": 3}


def test_participation(store, workshop):
    people = [store.join(workshop.code, g) for g in
              ("personnel", "personnel", "medical_soignant")]
    answer_required(store, people[0].token)
    store.validate(people[0].token)
    assert store.participation(workshop.id) == {
        "medical_soignant": GroupCount(1, 0), "personnel": GroupCount(2, 1)}
    check(problem_of(store.participation, 999), "unknown_workshop")


def test_erase_participant(store, workshop):
    gone, kept = (store.join(workshop.code, "personnel") for _ in range(2))
    for p in (gone, kept):
        answer_required(store, p.token)
    assert store.erase_participant(gone.token) == 3
    check(problem_of(store.resume, gone.token), "unknown_token")
    check(problem_of(store.answers, gone.token), "unknown_token")
    check(problem_of(store.save_answer, gone.token, "attrait_qualite", 1), "unknown_token")
    check(problem_of(store.erase_participant, gone.token), "unknown_token")
    frame = store.answers_frame(workshop.id)
    assert frame["participant"].nunique() == 1 and len(frame) == 3
    assert store.answers(kept.token)


def test_erasure_seen_by_another_process_cache(store, workshop):
    p = store.join(workshop.code, "personnel")
    store.save_answer(p.token, "attrait_qualite", 1)  # caches the participant
    other = Store(store._engine.url.render_as_string(hide_password=False))
    try:
        other.erase_participant(p.token)
    finally:
        other.close()
    check(problem_of(store.save_answer, p.token, "attrait_qualite", 2), "unknown_token")


def test_delete_project(store, project, workshop):
    keep = store.create_project("Autre")
    kept_ws = store.open_workshop(keep, QUESTIONNAIRE)
    kept = store.join(kept_ws.code, "personnel")
    store.save_answer(kept.token, "attrait_qualite", 1)
    store.add_partner(project, "CH Nord")
    store.set_groups(project, ["personnel"])
    p = store.join(workshop.code, "personnel", "CH Nord")
    store.save_answer(p.token, "attrait_qualite", 1)
    store.add_proposal(project, "Faire", "personnel", workshop_id=workshop.id)
    store.delete_project(project)
    check(problem_of(store.project, project), "unknown_project")
    check(problem_of(store.workshop, workshop.id), "unknown_workshop")
    check(problem_of(store.resume, p.token), "unknown_token")
    check(problem_of(store.proposals_frame, project), "unknown_project")
    check(problem_of(store.delete_project, project), "unknown_project")
    assert [pr.id for pr in store.projects()] == [keep]
    assert store.answers(kept.token) == {"attrait_qualite": 1}
    with store._engine.connect() as conn:
        from sqlalchemy import text

        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("answers", "participants", "partners", "project_groups",
                            "proposals", "workshops")}
    assert counts == {"answers": 1, "participants": 1, "partners": 0, "project_groups": 0,
                      "proposals": 0, "workshops": 1}


# ---------------------------------------------------------------------- analysis

def test_answers_frame(store, project, workshop):
    store.add_partner(project, "CH Nord")
    a = store.join(workshop.code, "personnel", "CH Nord")
    b = store.join(workshop.code, "medical_soignant")
    answer_required(store, a.token)
    store.save_answer(a.token, "canaux", ["intranet", "mail"])
    store.save_answer(a.token, "remarque", "RAS")
    store.validate(a.token)
    store.save_answer(b.token, "attrait_qualite", "na")
    store.save_answer(b.token, "peur_autonomie", 1)
    frame = store.answers_frame(workshop.id)
    assert tuple(frame.columns) == ANSWER_COLUMNS
    assert frame.attrs["k"] == 5
    assert len(frame) == 7
    assert set(frame["wave"]) == {"T0"} and set(frame["workshop_id"]) == {workshop.id}
    assert set(frame["project_id"]) == {project}
    assert set(frame["questionnaire_hash"]) == {QUESTIONNAIRE.content_hash}
    assert frame["participant"].dtype == "int64" and frame["participant"].nunique() == 2
    text = frame.to_csv()
    assert a.token not in text and b.token not in text  # never the resume credential
    row = frame.set_index(["group", "item_id"])
    first = row.loc[("personnel", "attrait_qualite")]
    assert first["item_type"] == "scale" and first["section_id"] == "gouvernance"
    assert first["subsection_id"] is None
    assert first["feeling"] == "attrait" and first["theme"] == "qualite"
    assert first["principles"] == (2, 4)
    assert first["establishment"] == "CH Nord" and bool(first["validated"])
    assert math.isclose(first["score"], (value_for(
        QUESTIONNAIRE.item("attrait_qualite"), 1) - 1) / 3)
    fear = row.loc[("personnel", "peur_autonomie")]
    assert fear["factor"] == "portage" and fear["theme"] == "arbitrage"
    rule = row.loc[("personnel", "regle_claire")]
    assert rule["subsection_id"] == "regles" and rule["value"] == "non"
    assert rule["score"] == 0.0 and bool(rule["weak"])
    assert row.loc[("personnel", "canaux")]["value"] == ["mail", "intranet"]
    assert math.isnan(row.loc[("personnel", "remarque")]["score"])
    na = row.loc[("medical_soignant", "attrait_qualite")]
    assert na["value"] == "na" and math.isnan(na["score"]) and not na["weak"]
    assert na["establishment"] is None and not na["validated"]
    assert math.isclose(row.loc[("medical_soignant", "peur_autonomie")]["score"], 0.2)
    assert str(frame["answered_at"].dtype) == "datetime64[us, UTC]"
    assert frame["validated"].dtype == bool and frame["weak"].dtype == bool


def test_empty_answers_frame_has_every_column(store, workshop):
    frame = store.answers_frame(workshop.id)
    assert tuple(frame.columns) == ANSWER_COLUMNS and frame.empty
    assert frame.attrs["k"] == workshop.k
    assert frame["score"].dtype == "float64"
    check(problem_of(store.answers_frame, 999), "unknown_workshop")


def test_answers_frame_reads_the_questionnaire_version_of_the_workshop(store, project):
    old = store.open_workshop(project, QUESTIONNAIRE)
    p = store.join(old.code, "personnel")
    store.save_answer(p.token, "attrait_qualite", 4)
    mapping = to_mapping(QUESTIONNAIRE)
    mapping["sections"][0]["items"][0]["feeling"] = "peur"  # edited afterwards
    from coopkit.definitions.questionnaire import parse

    store.open_workshop(project, parse(mapping), wave="T1")
    fresh = Store(store._engine.url.render_as_string(hide_password=False))
    try:
        assert fresh.answers_frame(old.id)["feeling"].tolist() == ["attrait"]
    finally:
        fresh.close()


# --------------------------------------------------------------------- proposals

def test_proposals(store, project, workshop):
    first = store.add_proposal(project, "Créer un comité de suivi", "personnel",
                               feeling="peur", theme="arbitrage", principle=9,
                               workshop_id=workshop.id)
    second = store.add_proposal(project, "Charte", "direction_generale", plan="charte",
                                owner="M. Martin", due=date(2025, 6, 30))
    p1 = store.proposal(first)
    assert (p1.plan, p1.status, p1.principle, p1.workshop_id) == (
        "risques", "proposed", 9, workshop.id)
    changed = store.update_proposal(first, status="in_progress", owner="Mme Dupont",
                                    due="2025-09-01")
    assert (changed.status, changed.owner, changed.due) == (
        "in_progress", "Mme Dupont", date(2025, 9, 1))
    assert changed.updated_at >= changed.created_at
    assert store.update_proposal(second, status="done", due=None).due is None
    frame = store.proposals_frame(project)
    assert tuple(frame.columns) == PROPOSAL_COLUMNS and len(frame) == 2
    assert frame["status"].tolist() == ["in_progress", "done"]
    assert frame["theme"].tolist() == ["arbitrage", None]
    assert store.proposals_frame(store.create_project("vide")).empty


@pytest.mark.parametrize(("fields", "code", "fragment"), [
    ({"feeling": "peurs"}, "not_allowed_hint", "peur"),
    ({"feeling": "colère"}, "not_allowed", "attrait, peur, tentation"),
    ({"theme": "cout"}, "not_allowed", "qualite, accompagnement, arbitrage"),
    ({"plan": "objectif"}, "not_allowed_hint", "objectifs"),
    ({"status": "finished"}, "not_allowed", "proposed, accepted, in_progress, done"),
    ({"principle": 10}, "not_allowed", "1, 2, 3"),
    ({"principle": True}, "not_allowed", "9"),
    ({"due": "31/12/2025"}, "invalid_date", "AAAA-MM-JJ"),
    ({"due": 2025}, "invalid_date", "2025"),
    ({"owner": "x" * 300}, "too_long", "owner"),
    ({"workshop_id": 999}, "unknown_workshop", "999"),
])
def test_proposal_errors(store, project, fields, code, fragment):
    check(problem_of(store.add_proposal, project, "Texte", "personnel", **fields), code,
          fragment)
    pid = store.add_proposal(project, "Texte", "personnel")
    check(problem_of(store.update_proposal, pid, **fields), code, fragment)
    assert store.proposal(pid).status == "proposed"


def test_proposal_other_errors(store, project):
    check(problem_of(store.add_proposal, project, "", "personnel"), "empty_text", "text")
    check(problem_of(store.add_proposal, project, "Texte", ""), "empty_text", "group")
    check(problem_of(store.add_proposal, project, "Texte", "Personnel Soignant"),
          "not_allowed", "Personnel Soignant")
    check(problem_of(store.add_proposal, 999, "Texte", "personnel"), "unknown_project")
    other = store.create_project("Autre")
    elsewhere = store.open_workshop(other, QUESTIONNAIRE)
    check(problem_of(store.add_proposal, project, "Texte", "personnel",
                     workshop_id=elsewhere.id), "workshop_not_in_project", str(project))
    pid = store.add_proposal(project, "Texte", "personnel")
    check(problem_of(store.update_proposal, pid, statut="done"), "unknown_field_hint",
          "status")
    check(problem_of(store.update_proposal, 999, status="done"), "unknown_proposal")
    check(problem_of(store.proposal, 999), "unknown_proposal")


# ------------------------------------------------------------------------ schema

def _build_v1(url: str, tmp_path) -> dict:
    """A database as coopkit schema 1 wrote it, with one of everything."""
    engine = make_engine(url)
    md = v1_metadata()
    now = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            md.create_all(conn)
            t = md.tables
            conn.execute(insert(t["schema_version"]).values(version=1))
            conn.execute(insert(t["projects"]).values(
                id=1, name="Achats", purpose="But commun", promoter="GHT", created_at=now))
            conn.execute(insert(t["partners"]).values(id=1, project_id=1, name="CH Nord"))
            conn.execute(insert(t["project_groups"]).values(project_id=1,
                                                             group_id="personnel"))
            conn.execute(insert(t["questionnaires"]).values(
                hash=QUESTIONNAIRE.content_hash, questionnaire_id="mini", version="1",
                definition=json.dumps(to_mapping(QUESTIONNAIRE)), registered_at=now))
            conn.execute(insert(t["workshops"]).values(
                id=1, project_id=1, questionnaire_id="mini",
                questionnaire_hash=QUESTIONNAIRE.content_hash, wave="T0", code="ABCDEF",
                is_open=True, k=4, created_at=now))
            conn.execute(insert(t["participants"]).values(
                id=1, token="tok-v1", workshop_id=1, group_id="personnel",
                establishment="CH Nord", joined_at=now))
            conn.execute(insert(t["answers"]), [
                {"participant_id": 1, "item_id": "attrait_qualite", "value": 3,
                 "answered_at": now},
                {"participant_id": 1, "item_id": "canaux", "value": ["mail"],
                 "answered_at": now},
            ])
            conn.execute(insert(t["proposals"]).values(
                id=1, project_id=1, text="Comité", group_id="personnel", feeling="peur",
                plan="risques", status="accepted", created_at=now, updated_at=now))
            if conn.dialect.name == "postgresql":  # explicit ids: move the sequences on
                for table in ("projects", "partners", "workshops", "participants",
                              "proposals"):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
    finally:
        engine.dispose()
    return {"now": now}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old-data' / 'coopkit.sqlite'}"
    return request.getfixturevalue("postgres_empty_url")


def test_a_version_1_data_folder_opens_without_loss(empty_url, tmp_path):
    _build_v1(empty_url, tmp_path)
    with open_store(empty_url) as store:
        assert store.schema_found == 1
        assert [(p.name, p.purpose, p.promoter) for p in store.projects()] == [
            ("Achats", "But commun", "GHT")]
        assert [p.name for p in store.partners(1)] == ["CH Nord"]
        assert store.groups(1) == ("personnel",)
        ws = store.workshop(1)
        assert (ws.code, ws.k, ws.lang, ws.is_open) == ("ABCDEF", 4, "fr", True)
        assert ws.settings == WorkshopSettings()  # v4: settings, tendencies off
        assert store.set_workshop_settings(1, show_tendencies=True).settings.show_tendencies
        assert store.answers("tok-v1") == {"attrait_qualite": 3, "canaux": ["mail"]}
        assert store.resume("tok-v1").establishment == "CH Nord"
        frame = store.answers_frame(1)
        assert len(frame) == 2 and frame["answered_at"].iloc[0] == datetime(
            2024, 5, 1, 9, 30, tzinfo=UTC)
        proposal = store.proposal(1)
        assert (proposal.status, proposal.due) == ("accepted", None)
        store.update_proposal(1, due="2025-01-31")  # the v2 column works
        store.save_answer("tok-v1", "peur_autonomie", 2)  # and writing goes on
        assert store.add_proposal(1, "Nouveau", "personnel") == 2
    with open_store(empty_url) as store:
        assert store.schema_found == SCHEMA_VERSION
        assert store.proposal(1).due == date(2025, 1, 31)
        assert len(store.answers("tok-v1")) == 3


def _build_v2(url: str, tmp_path) -> None:
    """A database as coopkit schema 2 (the previous version) wrote it."""
    from coopkit.store.migrations import _v1_to_v2

    _build_v1(url, tmp_path)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _v1_to_v2(conn)
            conn.exec_driver_sql("UPDATE schema_version SET version = 2")
    finally:
        engine.dispose()


def test_a_version_2_data_folder_opens_without_loss_and_gains_resume_codes(empty_url,
                                                                           tmp_path):
    _build_v2(empty_url, tmp_path)
    with open_store(empty_url) as store:
        assert store.schema_found == 2
        assert store.answers("tok-v1") == {"attrait_qualite": 3, "canaux": ["mail"]}
        old = store.resume("tok-v1")
        assert old.resume_code and len(old.resume_code) == 11  # ABCDE-FGHJK
        assert store.resume(old.resume_code.lower()).token == "tok-v1"
        ws = store.workshop(1)
        assert (ws.code, ws.lang) == ("ABCDEF", "fr")
        new = store.join("ABCDEF", "personnel", "CH Nord")
        assert new.resume_code != old.resume_code
    with open_store(empty_url) as store:
        assert store.schema_found == SCHEMA_VERSION


def test_resume_by_short_code(store, workshop):
    one = store.join(workshop.code, "personnel")
    code = one.resume_code
    assert code and code[5] == "-" and len(code) == 11
    assert all(ch in "ABCDEFGHJKMNPQRSTUVWXYZ23456789" for ch in code.replace("-", ""))
    assert one.resume_code not in repr(one)
    for typed in (code, code.lower(), code.replace("-", " "), f" {code.replace('-', '')} "):
        assert store.resume(typed).token == one.token
    assert store.resume(one.token).resume_code == code
    check(problem_of(store.resume, "ABCDE-FGHJK" if code != "ABCDE-FGHJK" else "BBBBB-BBBBB"),
          "unknown_token")


def test_a_newer_schema_is_refused_untouched(tmp_path):
    url = f"sqlite:///{tmp_path / 'coopkit.sqlite'}"
    with open_store(url) as store:
        store.create_project("x")
    with sqlite3.connect(tmp_path / "coopkit.sqlite") as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    check(problem_of(open_store, url), "schema_too_new", "99", str(SCHEMA_VERSION))


# ------------------------------------------------------------------------ backup

def test_backup_of_sqlite(tmp_path):
    with open_store(data=tmp_path / "data") as store:
        pid = store.create_project("Achats")
        ws = store.open_workshop(pid, QUESTIONNAIRE)
        p = store.join(ws.code, "personnel")
        answer_required(store, p.token)
        default = store.backup()
        assert default.parent == tmp_path / "data" / "backups"
        named = store.backup(tmp_path / "copies" / "avant-atelier.sqlite")
        in_folder = store.backup(tmp_path / "copies")
        check(problem_of(store.backup, named), "backup_exists", "avant-atelier")
    for copy in (default, named, in_folder):
        assert not copy.with_name(copy.name + ".part").exists()
        with open_store(f"sqlite:///{copy}") as restored:
            assert restored.answers(p.token) == {
                i: value_for(QUESTIONNAIRE.item(i), 1) for i in REQUIRED}


@pytest.mark.postgres
def test_backup_on_postgres_points_to_pg_dump(postgres_url):
    with open_store(postgres_url) as store:
        check(problem_of(store.backup), "backup_needs_sqlite", "pg_dump")


# --------------------------------------------------------------- engine details

@pytest.mark.postgres
def test_postgres_connect_retries_when_the_server_is_full(postgres_url, monkeypatch):
    import psycopg

    real, refusals = psycopg.connect, []

    def full_twice(*args, **kwargs):
        if len(refusals) < 2:
            refusals.append(1)
            raise psycopg.OperationalError("FATAL:  sorry, too many clients already")
        return real(*args, **kwargs)

    with open_store(postgres_url) as store:
        monkeypatch.setattr(psycopg, "connect", full_twice)
        assert store.create_project("x")
        assert len(refusals) == 2
        refusals.clear()
        monkeypatch.setattr("coopkit.store.engine.PG_CONNECT_PATIENCE", 0.0)
        check(problem_of(store.projects), "store_busy", "Réessayez")


def test_missing_postgres_binaries_fail_in_ci_and_skip_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="postgresql"):
        postgres_bindir_or_stop(search=False)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        postgres_bindir_or_stop(search=False)


def test_postgres_binaries_are_found_where_debian_puts_them(tmp_path, monkeypatch):
    from coopkit.store.pgtemp import find_bindir

    for name in ("initdb", "pg_ctl"):
        (tmp_path / name).write_text("")
    monkeypatch.setenv("COOPKIT_PG_BINDIR", str(tmp_path))
    assert find_bindir() == tmp_path
    monkeypatch.delenv("COOPKIT_PG_BINDIR")
    found = find_bindir()
    assert found is None or (found / "initdb").is_file()


def test_workshop_settings_default_off_and_checked(store, workshop):
    """Tendencies stay off until the consultant turns them on; bad settings are refused
    with coopkit's message, and nothing is changed."""
    ws = workshop
    assert ws.settings.show_tendencies is False
    on = store.set_workshop_settings(ws.id, show_tendencies=True)
    assert on.settings.show_tendencies is True and store.workshop(ws.id).settings == on.settings
    with pytest.raises(CoopkitError, match="show_tendencys"):
        store.set_workshop_settings(ws.id, show_tendencys=False)
    with pytest.raises(CoopkitError, match="True"):
        store.set_workshop_settings(ws.id, show_tendencies="oui")
    assert store.workshop(ws.id).settings.show_tendencies is True
    assert store.set_workshop_settings(ws.id, show_tendencies=False).settings == \
        WorkshopSettings()
