"""Consultants isolated by PostgreSQL row-level security (coopkit/store/tenancy.py).

A real PostgreSQL of the test session; the schema's owner (here the cluster's superuser,
as a participant server connects) enables the isolation, then two consultant roles
``alice`` and ``bob`` connect as themselves: through coopkit's API and through raw SQL
(psycopg, as a notebook would), neither sees nor changes the other's projects.
"""

from __future__ import annotations

import itertools
import os

import psycopg
import pytest
from sqlalchemy.engine import make_url

from coopkit import open_store
from coopkit.definitions.questionnaire import load
from coopkit.errors import CoopkitError
from coopkit.store import tenancy
from coopkit.store.schema import metadata

pytestmark = pytest.mark.postgres

_numbers = itertools.count()
QUESTIONNAIRE = """\
id: isolement
version: "1.0"
kind: readiness
title: {fr: Isolement, en: Isolation}
groups: [personnel]
scales:
  accord:
    points:
      - {value: 1, label: {fr: Non, en: "No"}}
      - {value: 2, label: {fr: Oui, en: "Yes"}}
sections:
  - id: s
    title: {fr: S, en: S}
    items:
      - {id: q1, type: scale, scale: accord, text: {fr: Question, en: Question},
         principles: [1]}
"""


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


def raw(url: str) -> psycopg.Connection:
    """A plain psycopg connection to the same database (what a notebook could open)."""
    parsed = make_url(url)
    return psycopg.connect(dbname=parsed.database, user=parsed.username,
                           host=parsed.query["host"], port=parsed.query["port"],
                           autocommit=True)


@pytest.fixture
def team_db(postgres, tmp_path) -> dict[str, object]:
    """A fresh database with the isolation on and two consultants, each with a project
    holding an open workshop and one participant's answer."""
    suffix = f"{os.getpid()}_{next(_numbers)}"
    name = f"coopkit_tenancy_{suffix}"
    owner = postgres.create_database(name, template="coopkit_template")
    tables = tenancy.enable(owner)
    path = tmp_path / "q.yaml"
    path.write_text(QUESTIONNAIRE, encoding="utf-8")
    made: dict[str, object] = {"owner": owner, "tables": tables}
    for person in ("alice", "bob"):
        role = f"{person}_{suffix}"
        tenancy.add_consultant(owner, role)
        url = as_role(owner, role)
        with open_store(url) as store:
            project = store.create_project(f"Projet de {person}")
            workshop = store.open_workshop(project, load(path), k=1)
        with open_store(owner) as server:  # a participant server: any open workshop
            token = server.join(workshop.code, "personnel").token
            server.save_answer(token, "q1", 2)
        made[person] = {"role": role, "url": url, "project": project,
                        "workshop": workshop.id, "code": workshop.code, "token": token}
    try:
        yield made
    finally:
        postgres.drop_database(name)
        with raw(postgres.url()) as conn:
            for person in ("alice", "bob"):
                conn.execute(f'DROP ROLE IF EXISTS "{made[person]["role"]}"')


def test_every_table_is_under_a_policy_or_shared():
    assert set(metadata.tables) == set(tenancy.policies()) | set(tenancy.SHARED)


def test_the_policies_are_in_the_database(team_db):
    with raw(team_db["owner"]) as conn:
        secured = {row[0] for row in conn.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r'")}
    assert secured == set(tenancy.policies()) == set(team_db["tables"])


def test_a_consultant_sees_only_their_projects_through_coopkit(team_db):
    alice, bob = team_db["alice"], team_db["bob"]
    with open_store(alice["url"]) as store:
        assert [p.id for p in store.projects()] == [alice["project"]]
        assert [w.id for w in store.workshops()] == [alice["workshop"]]
        assert len(store.answers_frame(alice["workshop"])) == 1
        with pytest.raises(CoopkitError):  # "this workshop does not exist"
            store.answers_frame(bob["workshop"])
        with pytest.raises(CoopkitError):
            store.project(bob["project"])
        with pytest.raises(CoopkitError):
            store.workshop_by_code(bob["code"])
    with open_store(team_db["owner"]) as server:  # the participant servers see all
        assert {p.id for p in server.projects()} == {alice["project"], bob["project"]}


def test_raw_sql_in_a_consultants_notebook_is_held_by_the_database(team_db):
    alice, bob = team_db["alice"], team_db["bob"]
    with raw(alice["url"]) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == alice["role"]
        assert [r[0] for r in conn.execute("SELECT id FROM projects")] == [alice["project"]]
        assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM participants").fetchone()[0] == 1
        # bob's rows can be neither changed nor deleted: they are not there for alice
        assert conn.execute("UPDATE projects SET name = 'pris' WHERE id = %s",
                            (bob["project"],)).rowcount == 0
        assert conn.execute("DELETE FROM workshops WHERE project_id = %s",
                            (bob["project"],)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # WITH CHECK
            conn.execute("INSERT INTO projects (name, purpose, promoter, created_at, owner)"
                         " VALUES ('x', '', '', now(), %s)", (bob["role"],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO partners (project_id, name) VALUES (%s, 'intrus')",
                         (bob["project"],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # not bob's member
            conn.execute(f'SET ROLE "{bob["role"]}"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # no way around it
            conn.execute("ALTER TABLE projects DISABLE ROW LEVEL SECURITY")
    with open_store(team_db["owner"]) as server:
        assert server.project(bob["project"]).name == "Projet de bob"
        assert server.answers(bob["token"]) == {"q1": 2}


def test_a_project_belongs_to_the_role_that_created_it(team_db):
    with raw(team_db["owner"]) as conn:
        owners = dict(conn.execute("SELECT id, owner FROM projects").fetchall())
    assert owners == {team_db["alice"]["project"]: team_db["alice"]["role"],
                      team_db["bob"]["project"]: team_db["bob"]["role"]}


def test_isolation_needs_postgresql_and_a_login_name(tmp_path, postgres_url):
    with pytest.raises(CoopkitError) as raised:
        tenancy.enable(f"sqlite:///{tmp_path / 'c.sqlite'}")
    assert "PostgreSQL" in str(raised.value)
    with pytest.raises(CoopkitError) as raised:
        tenancy.add_consultant(postgres_url, "Robert'); DROP TABLE projects;--")
    assert "nom de consultant" in str(raised.value)


def test_the_team_command_isolates_and_adds_consultants(postgres_url, capsys):
    from coopkit.cli import main

    role = f"carole_{os.getpid()}_{next(_numbers)}"
    try:
        assert main(["team", "isolate", "--database-url", postgres_url]) == 0
        assert main(["team", "add-consultant", role, "--database-url", postgres_url]) == 0
        out = capsys.readouterr().out
        assert f"{len(tenancy.policies())} tables protégées" in out and role in out
        with open_store(as_role(postgres_url, role)) as store:
            assert store.projects() == []
            store.create_project("Le sien")
        with raw(as_role(postgres_url, role)) as conn:
            assert conn.execute("SELECT owner FROM projects").fetchall() == [(role,)]
        assert main(["team", "add-consultant", "--database-url", postgres_url]) == 1
        assert "Aucun nom de consultant" in capsys.readouterr().err
    finally:
        with raw(postgres_url) as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
