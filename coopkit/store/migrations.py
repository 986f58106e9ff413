"""Schema versions: create a fresh database, or migrate an older one forward on open.

Every open reads ``schema_version``. A fresh database gets the current tables; an older
one runs the steps of :data:`MIGRATIONS` in order, in one write transaction (SQLite
``BEGIN IMMEDIATE``; PostgreSQL takes an advisory lock), so a hundred kernels opening
the store at once migrate it exactly once. A database newer than this coopkit is
refused rather than damaged.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
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


#: (version reached, step): applied in order to databases older than that version.
MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [
    (2, _v1_to_v2),
    (3, _v2_to_v3),
    (4, _v3_to_v4),
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
