"""The answers store: SQLite in the data folder by default, PostgreSQL on demand.

``open_store()`` returns a :class:`Store`; see :mod:`coopkit.store.core` for what it
holds and :mod:`coopkit.store.engine` for the settings that make it lose nothing.
"""

from __future__ import annotations

from coopkit.store.core import Store, open_store
from coopkit.store.records import (
    Activity,
    Commitment,
    GroupCount,
    Participant,
    Partner,
    PlanRow,
    Project,
    Proposal,
    ProposalEvent,
    PurposeAcceptance,
    PurposeVersion,
    PurposeWording,
    Responsibility,
    ResponsibilityActor,
    Workshop,
    WorkshopSettings,
)
from coopkit.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "Activity",
    "Commitment",
    "GroupCount",
    "Participant",
    "Partner",
    "PlanRow",
    "Project",
    "Proposal",
    "ProposalEvent",
    "PurposeAcceptance",
    "PurposeVersion",
    "PurposeWording",
    "Responsibility",
    "ResponsibilityActor",
    "Store",
    "Workshop",
    "WorkshopSettings",
    "open_store",
]
