"""The tables of the current schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Bump :data:`SCHEMA_VERSION` and add a step to :mod:`coopkit.store.migrations` with
every change here; keep the previous schema in the migrations module so a test can
build an old database and open it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import (
    DDL,
    Boolean,
    Column,
    Date,
    DateTime,
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
    event,
)
from sqlalchemy.types import TypeDecorator

SCHEMA_VERSION = 6


class UTCDateTime(TypeDecorator):
    """A UTC instant: stored naive (same on both backends), read back time-zone aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class JSONValue(TypeDecorator):
    """An answer value (int, str or list of str) kept as JSON text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def process_result_value(self, value, dialect):
        return json.loads(value) if value is not None else None


def utcnow() -> datetime:
    """Now, in UTC, time-zone aware."""
    return datetime.now(UTC)


metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, nullable=False),
)

projects = Table(
    "projects", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("purpose", Text, nullable=False, default=""),
    Column("promoter", String(200), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    # v6: the consultant's PostgreSQL role that owns the project (team server,
    # coopkit/store/tenancy.py: filled by the database itself, DEFAULT current_user, and
    # enforced by row-level security); empty on SQLite and on a one-consultant database
    Column("owner", String(63)),
)

partners = Table(
    "partners", metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
           nullable=False),
    Column("name", String(200), nullable=False),
    UniqueConstraint("project_id", "name", name="uq_partners_project_name"),
)

project_groups = Table(
    "project_groups", metadata,
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
           nullable=False),
    Column("group_id", String(64), nullable=False),
    PrimaryKeyConstraint("project_id", "group_id"),
)

questionnaires = Table(
    "questionnaires", metadata,
    Column("hash", String(64), primary_key=True),
    Column("questionnaire_id", String(64), nullable=False),
    Column("version", String(64), nullable=False),
    Column("definition", Text, nullable=False),
    Column("registered_at", UTCDateTime, nullable=False),
)

workshops = Table(
    "workshops", metadata,
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
    Column("lang", String(8), nullable=False, server_default="fr"),  # added in v2
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    # v4: the consultant's choices for this workshop (JSON object, see WorkshopSettings)
    Column("settings", JSONValue, nullable=False, server_default="{}"),
)
# A join code is unique among *open* workshops (a closed one may share it).
# Written as DDL rather than with ``postgresql_where=``: that keyword makes SQLAlchemy
# import its whole PostgreSQL dialect (2.7 MB) in every participant kernel, SQLite or not.
event.listen(workshops, "after_create", DDL(
    "CREATE UNIQUE INDEX ix_workshops_open_code ON workshops (code) WHERE is_open = 1"
).execute_if(dialect="sqlite"))
event.listen(workshops, "after_create", DDL(
    "CREATE UNIQUE INDEX ix_workshops_open_code ON workshops (code) WHERE is_open"
).execute_if(dialect="postgresql"))
Index("ix_workshops_project", workshops.c.project_id)

participants = Table(
    "participants", metadata,
    Column("id", Integer, primary_key=True),  # the pseudonym shown in analysis frames
    Column("token", String(64), nullable=False, unique=True),
    # v3: a short code to resume from another device (the token stays the link's secret)
    Column("resume_code", String(16)),
    Column("workshop_id", Integer, ForeignKey("workshops.id", ondelete="CASCADE"),
           nullable=False),
    Column("group_id", String(64), nullable=False),
    Column("establishment", String(200)),
    Column("joined_at", UTCDateTime, nullable=False),
    Column("validated_at", UTCDateTime),
)
Index("ix_participants_workshop", participants.c.workshop_id)
Index("ix_participants_resume_code", participants.c.resume_code, unique=True)

answers = Table(
    "answers", metadata,
    Column("participant_id", Integer, ForeignKey("participants.id", ondelete="CASCADE"),
           nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("value", JSONValue, nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("participant_id", "item_id"),
)

proposals = Table(
    "proposals", metadata,
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
    Column("due", Date),  # added in v2
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # v5: the proposing establishment, where it came from, its moderation, and the
    # statements (item ids) the action addresses
    Column("establishment", String(200)),
    Column("source", String(16), nullable=False, server_default="consultant"),
    Column("moderation", String(16), nullable=False, server_default="approved"),
    Column("moderated_at", UTCDateTime),
    Column("statements", JSONValue, nullable=False, server_default="[]"),
)
Index("ix_proposals_project", proposals.c.project_id)

# ----------------------------------------------------------------- v5 tables

#: Every status change of a proposal, dated, with who and why (v5).
proposal_events = Table(
    "proposal_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("proposal_id", Integer, ForeignKey("proposals.id", ondelete="CASCADE"),
           nullable=False),
    Column("status", String(16), nullable=False),
    Column("previous", String(16)),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("changed_by", String(200)),
    Column("reason", Text),
    Column("recorded_at", UTCDateTime, nullable=False),
)
Index("ix_proposal_events_proposal", proposal_events.c.proposal_id)

#: The promoter's commitment to carry out at least 60 % of the proposals (v5).
commitments = Table(
    "commitments", metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
           nullable=False),
    Column("committed_on", Date, nullable=False),
    Column("committed_by", String(200), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("note", Text),
    Column("recorded_at", UTCDateTime, nullable=False),
)

#: Wordings of the common purpose proposed by participants (anonymous) or noted by the
#: consultant, and the consultant's grouping of similar ones (v5).
purpose_wordings = Table(
    "purpose_wordings", metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
           nullable=False),
    Column("workshop_id", Integer, ForeignKey("workshops.id", ondelete="SET NULL")),
    Column("text", Text, nullable=False),
    Column("source", String(16), nullable=False),
    Column("moderation", String(16), nullable=False),
    Column("cluster", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_purpose_wordings_project", purpose_wordings.c.project_id)

#: The versions of the common purpose statement, numbered per project (v5).
purpose_versions = Table(
    "purpose_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
           nullable=False),
    Column("version", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("drafted_on", Date, nullable=False),
    Column("note", Text),
    Column("wordings", JSONValue, nullable=False, server_default="[]"),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("project_id", "version", name="uq_purpose_versions_number"),
)

#: Each partner establishment's decision on a version of the purpose (v5).
purpose_acceptances = Table(
    "purpose_acceptances", metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("purpose_versions.id", ondelete="CASCADE"),
           nullable=False),
    Column("partner_id", Integer, ForeignKey("partners.id", ondelete="CASCADE"),
           nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("decided_by", String(200)),
    Column("note", Text),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("version_id", "partner_id", name="uq_purpose_acceptances_partner"),
)

#: The rows of the three plans as the consultant edited them (v5).
plan_rows = Table(
    "plan_rows", metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
           nullable=False),
    Column("plan", String(32), nullable=False),
    Column("position", Integer, nullable=False),
    Column("fields", JSONValue, nullable=False),
    Column("source", String(16), nullable=False),
    Column("source_ref", String(64)),
    Column("groups", JSONValue, nullable=False, server_default="[]"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_plan_rows_project", plan_rows.c.project_id)

#: The columns of the responsibility matrix: partners and bodies (v5).
responsibility_actors = Table(
    "responsibility_actors", metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
           nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("project_id", "name", name="uq_responsibility_actors_name"),
)

#: The rows of the responsibility matrix: a decision or task, and each actor's roles
#: (JSON: actor id -> list of role ids) (v5).
responsibilities = Table(
    "responsibilities", metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"),
           nullable=False),
    Column("subject", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("roles", JSONValue, nullable=False, server_default="{}"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_responsibilities_project", responsibilities.c.project_id)
