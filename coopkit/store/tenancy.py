"""Consultants isolated in the database: PostgreSQL row-level security, one role each.

On a team server several consultants share one PostgreSQL database (their notebooks
through JupyterHub, the participant servers). Each consultant connects as their own
login role, member of :data:`CONSULTANTS`; a project belongs to the role that created it
(``projects.owner``, ``DEFAULT current_user``, filled in by the database, not by Python)
and every table reached from a project carries a policy: a row is visible and writable
only if its project is the consultant's. The policies are derived from the foreign keys
of :mod:`coopkit.store.schema` (:func:`policies`), so a new table that hangs from a
project is covered the day it is added (``tests/test_tenancy.py`` checks that every table
is either under a policy or listed in :data:`SHARED`).

Why row-level security rather than one schema per consultant: one schema, one set of
migrations, one database the participant servers read (a join code is looked up across
every consultant's workshops); per-consultant schemas would multiply migrations and
make the participant servers search N schemas. The rule is in the database: raw SQL in
a consultant's notebook (``psycopg``, ``pandas.read_sql``) sees no more than coopkit's
API does. The schema owner (the role that runs migrations and the participant servers)
is not subject to the policies (tables are not ``FORCE``d): the participant servers must
find any open workshop by its code; consultants never get that role's password.

PostgreSQL only; knows nothing of JupyterHub, of the participant servers, of analysis.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from coopkit.errors import fail
from coopkit.store.engine import dispose, make_engine
from coopkit.store.schema import metadata

#: The group role every consultant is a member of (its privileges: the tables' rows).
CONSULTANTS = "coopkit_consultants"
#: Tables without a project: readable by every consultant (schema version; questionnaire
#: definitions, keyed by their content's hash, shared by the projects that use them).
SHARED = ("schema_version", "questionnaires")
#: A role name a consultant may get: a login (letters, digits, ``_ . -``), 63 bytes max.
_ROLE = re.compile(r"^[a-z_][a-z0-9_.-]{0,62}$")


def policies() -> dict[str, str]:
    """``table -> USING expression``: which rows of each table a consultant reaches.

    ``projects``: its owner is the role connected. A table with a ``project_id``: its
    project is visible. Any other table: the row it refers to (its first foreign key to
    a table already covered) is visible; the subqueries are themselves filtered by the
    policies, so visibility follows the chain of foreign keys down from the project.
    """
    found = {"projects": "owner = current_user"}
    pending = [t for t in metadata.sorted_tables if t.name not in (*SHARED, "projects")]
    while pending:
        progress = False
        for table in list(pending):
            expression = _through_parent(table, found)
            if expression is not None:
                found[table.name] = expression
                pending.remove(table)
                progress = True
        if not progress:  # a table with no path to a project: it must be listed in SHARED
            names = ", ".join(t.name for t in pending)
            raise RuntimeError(f"tables with no path to a project: {names}")
    return found


def _through_parent(table: Table, covered: dict[str, str]) -> str | None:
    keys = sorted(table.foreign_keys,
                  key=lambda k: (k.parent.name != "project_id", k.parent.nullable))
    for key in keys:
        parent = key.column.table.name
        if parent in covered and not key.parent.nullable:
            return f"{key.parent.name} IN (SELECT {key.column.name} FROM {parent})"
    return None


@contextmanager
def _owner_transaction(url: str) -> Iterator[Connection]:
    """One transaction on ``url`` (PostgreSQL only), the engine disposed after."""
    engine = make_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            raise fail("tenancy_needs_postgres", value=engine.dialect.name)
        with engine.begin() as conn:
            yield conn
    finally:
        dispose(engine)


def enable(url: str) -> list[str]:
    """Turn the isolation on (idempotent); run by the schema's owner after
    :func:`coopkit.store.open_store` created or migrated it, and again after every
    upgrade of coopkit (new tables get their policy and grants). Returns the tables under a
    policy."""
    rules = policies()
    with _owner_transaction(url) as conn:
        conn.exec_driver_sql(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
            f"'{CONSULTANTS}') THEN CREATE ROLE {CONSULTANTS} NOLOGIN; END IF; END $$")
        conn.execute(text("ALTER TABLE projects ALTER COLUMN owner SET DEFAULT current_user"))
        for table, using in rules.items():
            conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
            conn.execute(text(f"DROP POLICY IF EXISTS coopkit_own ON {table}"))
            conn.execute(text(f"CREATE POLICY coopkit_own ON {table} TO {CONSULTANTS} "
                              f"USING ({using}) WITH CHECK ({using})"))
            conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} "
                              f"TO {CONSULTANTS}"))
        conn.execute(text(f"GRANT SELECT ON schema_version TO {CONSULTANTS}"))
        conn.execute(text(f"GRANT SELECT, INSERT ON questionnaires TO {CONSULTANTS}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public "
                          f"TO {CONSULTANTS}"))
        # a consultant creates nothing else in the schema (PostgreSQL < 15 lets anyone)
        conn.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    return list(rules)


def add_consultant(url: str, name: str, password: str | None = None) -> str:
    """Create (or update) the login role of a consultant, member of :data:`CONSULTANTS`.

    Without ``password`` the role logs in the way ``pg_hba.conf`` allows, e.g. ``peer``
    on the Unix socket: the system account of the same name, which is how JupyterHub's
    local accounts reach the database with no password in any file (docs/deploy.md).
    """
    if not _ROLE.match(name or ""):
        raise fail("tenancy_role_invalid", field="name", value=name)
    with _owner_transaction(url) as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                              {"n": name}).first()
        quoted = conn.dialect.identifier_preparer.quote_identifier(name)
        verb = "ALTER" if exists else "CREATE"
        # never a superuser nor BYPASSRLS: the policies apply to every query of the role
        statement = (f"{verb} ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                     "NOBYPASSRLS")
        if password:  # utility statements take no parameters: a quoted literal
            statement += " PASSWORD '" + password.replace("'", "''") + "'"
        conn.exec_driver_sql(statement)
        conn.execute(text(f"GRANT {CONSULTANTS} TO {quoted}"))
    return name
