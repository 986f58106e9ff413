"""Schema versions: create a fresh database, or migrate an older one forward on open.

Every open reads ``schema_version``. A fresh database gets the current tables; an older
one runs the steps of :data:`MIGRATIONS` in order, in one write transaction (SQLite
``BEGIN IMMEDIATE``; PostgreSQL takes an advisory lock), so a hundred kernels opening
the store at once migrate it exactly once. A database newer than this coopkit is
refused rather than damaged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    inspect,
    select,
    true,
    update,
)

from coopkit.errors import fail
from coopkit.store.engine import write_connection
from coopkit.store.schema import (
    SCHEMA_VERSION,
    JSONValue,
    UTCDateTime,
    metadata,
    schema_version,
    utcnow,
)

#: Arbitrary key of the PostgreSQL advisory lock held while migrating.
_PG_LOCK_KEY = 0x636F6F70  # "coop"


def _v1_to_v2(conn: Connection) -> None:
    """v2: workshops remember their language; proposals get a due date."""
    conn.exec_driver_sql(
        "ALTER TABLE workshops ADD COLUMN lang VARCHAR(8) NOT NULL DEFAULT 'fr'"
    )
    conn.exec_driver_sql("ALTER TABLE proposals ADD COLUMN due DATE")


def _v2_to_v3(conn: Connection) -> None:
    """v3: every participant gets a short resume code (existing ones too)."""
    from coopkit.store.codes import new_resume_code
    from coopkit.store.schema import participants

    conn.exec_driver_sql("ALTER TABLE participants ADD COLUMN resume_code VARCHAR(16)")
    conn.exec_driver_sql("CREATE UNIQUE INDEX ix_participants_resume_code "
                         "ON participants (resume_code)")
    for (pid,) in conn.execute(select(participants.c.id)).all():
        conn.execute(update(participants).where(participants.c.id == pid)
                     .values(resume_code=new_resume_code()))


def _v3_to_v4(conn: Connection) -> None:
    """v4: workshops keep the consultant's settings (e.g. whether tendencies are shown)."""
    conn.exec_driver_sql("ALTER TABLE workshops ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'")


def _v4_to_v5(conn: Connection) -> None:
    """v5: from the map to the plans.

    Proposals gain their proposing establishment, their source (consultant or
    participant), their moderation (every existing one is approved: the consultant
    typed it) and the statements they address; every status change is dated in
    ``proposal_events``: each existing proposal gets its history rebuilt as well as the
    old schema allows (proposed when created, its current status when last changed, no
    author nor reason: they were never recorded). A project's purpose becomes version 1
    of its purpose history, dated the day the project was created. New tables: the
    promoter's commitment, purpose wordings, versions and acceptances, plan rows, the
    responsibility matrix.
    """
    stamp = UTCDateTime().compile(dialect=conn.dialect)
    for ddl in ("establishment VARCHAR(200)",
                "source VARCHAR(16) NOT NULL DEFAULT 'consultant'",
                "moderation VARCHAR(16) NOT NULL DEFAULT 'approved'",
                f"moderated_at {stamp}",
                "statements TEXT NOT NULL DEFAULT '[]'"):
        conn.exec_driver_sql(f"ALTER TABLE proposals ADD COLUMN {ddl}")
    md = v5_new_tables()
    md.create_all(conn, tables=[md.tables[name] for name in V5_NEW_TABLES])
    events, versions = md.tables["proposal_events"], md.tables["purpose_versions"]
    now = utcnow()
    rows = conn.exec_driver_sql(
        "SELECT id, status, created_at, updated_at FROM proposals ORDER BY id").all()
    history = []
    for pid, status, created, updated in rows:
        created, updated = _instant(created), _instant(updated)
        history.append({"proposal_id": pid, "status": "proposed", "previous": None,
                        "changed_at": created, "recorded_at": now})
        if status != "proposed":
            history.append({"proposal_id": pid, "status": status, "previous": "proposed",
                            "changed_at": max(updated, created), "recorded_at": now})
    if history:
        conn.execute(insert(events), history)
    projects = conn.exec_driver_sql(
        "SELECT id, purpose, created_at FROM projects ORDER BY id").all()
    first = [{"project_id": pid, "version": 1, "text": purpose,
              "drafted_on": _instant(created).date(), "created_at": now}
             for pid, purpose, created in projects if (purpose or "").strip()]
    if first:
        conn.execute(insert(versions), first)


def _v5_to_v6(conn: Connection) -> None:
    """v6: a project has an owner (a consultant's database role, on a team server)."""
    conn.exec_driver_sql("ALTER TABLE projects ADD COLUMN owner VARCHAR(63)")


def _instant(value: object) -> datetime:
    """A stored UTC instant read through the driver (SQLite gives text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


#: (version reached, step): applied in order to databases older than that version.
MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [
    (2, _v1_to_v2),
    (3, _v2_to_v3),
    (4, _v3_to_v4),
    (5, _v4_to_v5),
    (6, _v5_to_v6),
]


def read_version(conn: Connection) -> int | None:
    """The schema version of the database, or None when it holds no coopkit schema."""
    if not inspect(conn).has_table("schema_version"):
        return None
    return conn.execute(select(schema_version.c.version)).scalar_one_or_none()


def ensure_schema(engine: Engine) -> int:
    """Create or migrate the schema to :data:`SCHEMA_VERSION`; return the version found."""
    with engine.connect() as conn:
        found = read_version(conn)
    _refuse_newer(found, engine)
    if found == SCHEMA_VERSION:
        return found
    with write_connection(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        current = read_version(conn)  # again: another process may have done it
        _refuse_newer(current, engine)
        if current is None:
            metadata.create_all(conn)
            conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))
        elif current < SCHEMA_VERSION:
            for target, step in MIGRATIONS:
                if target > current:
                    step(conn)
            conn.execute(update(schema_version).values(version=SCHEMA_VERSION))
    return found if found is not None else SCHEMA_VERSION


def _refuse_newer(version: int | None, engine: Engine) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise fail("schema_too_new", field="schema_version", value=version,
                   supported=SCHEMA_VERSION,
                   url=engine.url.render_as_string(hide_password=True))


# ------------------------------------------------------------------ old schemas
# Frozen copies of earlier schemas: never edit them, they are what old data folders
# hold. Tests build a database with them, fill it, and open it with open_store.

def v1_metadata() -> MetaData:
    """The tables of schema version 1 (no ``workshops.lang``, no ``proposals.due``)."""
    md = MetaData()
    Table("schema_version", md, Column("version", Integer, nullable=False))
    Table(
        "projects", md,
        Column("id", Integer, primary_key=True),
        Column("name", String(200), nullable=False),
        Column("purpose", Text, nullable=False, default=""),
        Column("promoter", String(200), nullable=False, default=""),
        Column("created_at", UTCDateTime, nullable=False),
    )
    Table(
        "partners", md,
        Column("id", Integer, primary_key=True),
        Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
               nullable=False),
        Column("name", String(200), nullable=False),
        UniqueConstraint("project_id", "name", name="uq_partners_project_name"),
    )
    Table(
        "project_groups", md,
        Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
               nullable=False),
        Column("group_id", String(64), nullable=False),
        PrimaryKeyConstraint("project_id", "group_id"),
    )
    Table(
        "questionnaires", md,
        Column("hash", String(64), primary_key=True),
        Column("questionnaire_id", String(64), nullable=False),
        Column("version", String(64), nullable=False),
        Column("definition", Text, nullable=False),
        Column("registered_at", UTCDateTime, nullable=False),
    )
    ws = Table(
        "workshops", md,
        Column("id", Integer, primary_key=True),
        Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
               nullable=False),
        Column("questionnaire_id", String(64), nullable=False),
        Column("questionnaire_hash", String(64), ForeignKey("questionnaires.hash"),
               nullable=False),
        Column("wave", String(32), nullable=False),
        Column("title", String(200)),
        Column("code", String(16), nullable=False),
        Column("is_open", Boolean, nullable=False),
        Column("k", Integer, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("closed_at", UTCDateTime),
    )
    Index("ix_workshops_open_code", ws.c.code, unique=True,
          sqlite_where=ws.c.is_open == true(), postgresql_where=ws.c.is_open == true())
    Index("ix_workshops_project", ws.c.project_id)
    ps = Table(
        "participants", md,
        Column("id", Integer, primary_key=True),
        Column("token", String(64), nullable=False, unique=True),
        Column("workshop_id", Integer, ForeignKey("workshops.id", ondelete="CASCADE"),
               nullable=False),
        Column("group_id", String(64), nullable=False),
        Column("establishment", String(200)),
        Column("joined_at", UTCDateTime, nullable=False),
        Column("validated_at", UTCDateTime),
    )
    Index("ix_participants_workshop", ps.c.workshop_id)
    Table(
        "answers", md,
        Column("participant_id", Integer,
               ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
        Column("item_id", String(64), nullable=False),
        Column("value", JSONValue, nullable=False),
        Column("answered_at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("participant_id", "item_id"),
    )
    pr = Table(
        "proposals", md,
        Column("id", Integer, primary_key=True),
        Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
               nullable=False),
        Column("workshop_id", Integer, ForeignKey("workshops.id", ondelete="SET NULL")),
        Column("text", Text, nullable=False),
        Column("group_id", String(64), nullable=False),
        Column("feeling", String(32)),
        Column("theme", String(32)),
        Column("principle", Integer),
        Column("plan", String(32)),
        Column("status", String(16), nullable=False),
        Column("owner", String(200)),
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    )
    Index("ix_proposals_project", pr.c.project_id)
    return md


#: The tables schema 5 added, in creation order.
V5_NEW_TABLES = ("proposal_events", "commitments", "purpose_wordings", "purpose_versions",
                 "purpose_acceptances", "plan_rows", "responsibility_actors",
                 "responsibilities")


def v5_new_tables() -> MetaData:
    """The tables schema version 5 added, as v5 defined them (frozen), beside stubs of
    the tables they refer to (never created from here)."""
    md = MetaData()
    for name in ("projects", "workshops", "partners", "proposals"):
        Table(name, md, Column("id", Integer, primary_key=True))

    def project() -> Column:
        return Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
                      nullable=False)

    Table("proposal_events", md,
          Column("id", Integer, primary_key=True),
          Column("proposal_id", Integer, ForeignKey("proposals.id", ondelete="CASCADE"),
                 nullable=False),
          Column("status", String(16), nullable=False), Column("previous", String(16)),
          Column("changed_at", UTCDateTime, nullable=False),
          Column("changed_by", String(200)), Column("reason", Text),
          Column("recorded_at", UTCDateTime, nullable=False),
          Index("ix_proposal_events_proposal", "proposal_id"))
    Table("commitments", md,
          Column("id", Integer, primary_key=True), project(),
          Column("committed_on", Date, nullable=False),
          Column("committed_by", String(200), nullable=False),
          Column("threshold", Float, nullable=False), Column("note", Text),
          Column("recorded_at", UTCDateTime, nullable=False))
    Table("purpose_wordings", md,
          Column("id", Integer, primary_key=True), project(),
          Column("workshop_id", Integer, ForeignKey("workshops.id", ondelete="SET NULL")),
          Column("text", Text, nullable=False), Column("source", String(16), nullable=False),
          Column("moderation", String(16), nullable=False), Column("cluster", String(200)),
          Column("created_at", UTCDateTime, nullable=False),
          Index("ix_purpose_wordings_project", "project_id"))
    Table("purpose_versions", md,
          Column("id", Integer, primary_key=True), project(),
          Column("version", Integer, nullable=False), Column("text", Text, nullable=False),
          Column("drafted_on", Date, nullable=False), Column("note", Text),
          Column("wordings", JSONValue, nullable=False, server_default="[]"),
          Column("created_at", UTCDateTime, nullable=False),
          UniqueConstraint("project_id", "version", name="uq_purpose_versions_number"))
    Table("purpose_acceptances", md,
          Column("id", Integer, primary_key=True),
          Column("version_id", Integer,
                 ForeignKey("purpose_versions.id", ondelete="CASCADE"), nullable=False),
          Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"),
                 nullable=False),
          Column("accepted", Boolean, nullable=False),
          Column("decided_on", Date, nullable=False), Column("decided_by", String(200)),
          Column("note", Text), Column("recorded_at", UTCDateTime, nullable=False),
          UniqueConstraint("version_id", "partner_id",
                           name="uq_purpose_acceptances_partner"))
    Table("plan_rows", md,
          Column("id", Integer, primary_key=True), project(),
          Column("plan", String(32), nullable=False),
          Column("position", Integer, nullable=False),
          Column("fields", JSONValue, nullable=False),
          Column("source", String(16), nullable=False), Column("source_ref", String(64)),
          Column("groups", JSONValue, nullable=False, server_default="[]"),
          Column("created_at", UTCDateTime, nullable=False),
          Column("updated_at", UTCDateTime, nullable=False),
          Index("ix_plan_rows_project", "project_id"))
    Table("responsibility_actors", md,
          Column("id", Integer, primary_key=True), project(),
          Column("name", String(200), nullable=False),
          Column("kind", String(16), nullable=False),
          Column("position", Integer, nullable=False),
          UniqueConstraint("project_id", "name", name="uq_responsibility_actors_name"))
    Table("responsibilities", md,
          Column("id", Integer, primary_key=True), project(),
          Column("subject", Text, nullable=False), Column("kind", String(16), nullable=False),
          Column("position", Integer, nullable=False),
          Column("roles", JSONValue, nullable=False, server_default="{}"),
          Column("created_at", UTCDateTime, nullable=False),
          Column("updated_at", UTCDateTime, nullable=False),
          Index("ix_responsibilities_project", "project_id"))
    return md
