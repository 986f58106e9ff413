"""Tidy pandas frames built from store rows (pandas is imported only when called).

The column names of :data:`ANSWER_COLUMNS` are a contract with ``coopkit.analysis``:
do not rename them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from coopkit.definitions import method
from coopkit.definitions.questionnaire import Item, Questionnaire
from coopkit.store.records import (
    PlanRow,
    Proposal,
    ProposalEvent,
    Responsibility,
    ResponsibilityActor,
    Workshop,
)

if TYPE_CHECKING:
    import pandas as pd

_UTC = "datetime64[us, UTC]"
ANSWER_COLUMNS = (
    "workshop_id", "project_id", "wave", "questionnaire_id", "questionnaire_hash",
    "participant", "group", "establishment", "validated", "item_id", "item_type",
    "section_id", "subsection_id", "value", "score", "weak", "feeling", "theme",
    "principles", "factor", "about", "mirrors", "answered_at",
)
_ANSWER_DTYPES = {
    "workshop_id": "int64", "project_id": "int64", "wave": "str",
    "questionnaire_id": "str", "questionnaire_hash": "str", "participant": "int64",
    "group": "str", "establishment": "object", "validated": "bool", "item_id": "str",
    "item_type": "object", "section_id": "object", "subsection_id": "object",
    "value": "object", "score": "float64", "weak": "bool", "feeling": "object",
    "theme": "object", "principles": "object", "factor": "object", "about": "object",
    "mirrors": "object", "answered_at": _UTC,
}
PROPOSAL_COLUMNS = (
    "id", "project_id", "workshop_id", "text", "group", "feeling", "theme", "principle",
    "plan", "status", "owner", "due", "created_at", "updated_at",
    "establishment", "source", "moderation", "statements",
)
_PROPOSAL_DTYPES = {
    "id": "int64", "project_id": "int64", "workshop_id": "object", "text": "str",
    "group": "str", "feeling": "object", "theme": "object", "principle": "object",
    "plan": "object", "status": "str", "owner": "object", "due": "object",
    "created_at": _UTC, "updated_at": _UTC, "establishment": "object", "source": "str",
    "moderation": "str", "statements": "object",
}
EVENT_COLUMNS = ("proposal_id", "status", "previous", "changed_at", "changed_by", "reason",
                 "recorded_at")
_EVENT_DTYPES = {"proposal_id": "int64", "status": "str", "previous": "object",
                 "changed_at": _UTC, "changed_by": "object", "reason": "object",
                 "recorded_at": _UTC}
WORDING_COLUMNS = ("id", "workshop_id", "text", "source", "moderation", "cluster",
                   "created_at")
VERSION_COLUMNS = ("version", "text", "drafted_on", "note", "wordings", "created_at")
ACCEPTANCE_COLUMNS = ("version", "partner", "accepted", "decided_on", "decided_by", "note",
                      "recorded_at")
_RECORD_DTYPES = {"id": "int64", "version": "int64", "accepted": "bool",
                  "created_at": _UTC, "recorded_at": _UTC}
PLAN_ROW_COLUMNS = ("id", "plan", "position", "source", "source_ref", "groups")
RESPONSIBILITY_COLUMNS = ("id", "subject", "kind", "position", "actor_id", "actor",
                          "actor_kind", "role")


def item_places(questionnaire: Questionnaire) -> dict[str, tuple[str, str | None]]:
    """item id -> (section id, sub-section id or None)."""
    places: dict[str, tuple[str, str | None]] = {}
    for section in questionnaire.sections:
        for item in section.items:
            places[item.id] = (section.id, None)
        for sub in section.subsections:
            for item in sub.all_items():
                places[item.id] = (section.id, sub.id)
    return places


def answers_frame(workshop: Workshop, questionnaire: Questionnaire,
                  rows: Iterable[Mapping]) -> pd.DataFrame:
    """One row per answer, with the item's tags and the participant's group.

    ``rows`` hold ``participant``, ``group``, ``establishment``, ``validated_at``,
    ``item_id``, ``value`` and ``answered_at``.
    """

    places = item_places(questionnaire)
    items: dict[str, Item | None] = {it.id: it for it in questionnaire.items()}
    records = []
    for row in rows:
        item = items.get(row["item_id"])
        value = row["value"]
        score = item.score(value) if item is not None else None
        section_id, subsection_id = places.get(row["item_id"], (None, None))
        records.append((
            workshop.id, workshop.project_id, workshop.wave, workshop.questionnaire_id,
            workshop.questionnaire_hash, row["participant"], row["group"],
            row["establishment"], row["validated_at"] is not None, row["item_id"],
            item.type if item else None, section_id, subsection_id, value,
            math.nan if score is None else float(score),
            bool(item.is_weak(value)) if item else False,
            item.feeling if item else None, item.theme if item else None,
            tuple(item.principles) if item else (), item.factor if item else None,
            item.about if item else None, item.mirrors if item else None,
            row["answered_at"],
        ))
    frame = _frame(records, ANSWER_COLUMNS, _ANSWER_DTYPES)
    frame.attrs["k"] = workshop.k
    return frame


def proposals_frame(proposals: Iterable[Proposal]) -> pd.DataFrame:
    """One row per action proposal."""

    records = [
        (p.id, p.project_id, p.workshop_id, p.text, p.group, p.feeling, p.theme,
         p.principle, p.plan, p.status, p.owner, p.due, p.created_at, p.updated_at,
         p.establishment, p.source, p.moderation, tuple(p.statements))
        for p in proposals
    ]
    return _frame(records, PROPOSAL_COLUMNS, _PROPOSAL_DTYPES)


def events_frame(events: Iterable[ProposalEvent]) -> pd.DataFrame:
    """One row per status change of a proposal."""
    records = [(e.proposal_id, e.status, e.previous, e.changed_at, e.changed_by, e.reason,
                e.recorded_at) for e in events]
    return _frame(records, EVENT_COLUMNS, _EVENT_DTYPES)


def records_frame(records: Iterable[object], columns: tuple[str, ...]) -> pd.DataFrame:
    """A frame of the named attributes of frozen records (text columns kept as
    objects; instants as UTC timestamps)."""
    rows = [tuple(getattr(r, c) for c in columns) for r in records]
    dtypes = {c: _RECORD_DTYPES.get(c, "object") for c in columns}
    return _frame(rows, columns, dtypes)


def plan_rows_frame(rows: Iterable[PlanRow]) -> pd.DataFrame:
    """One row per plan row, every plan's fields as columns (None where not its own)."""
    import pandas as pd

    names = list(dict.fromkeys(f for fs in method.PLAN_FIELDS.values() for f in fs))
    data = [{"id": r.id, "plan": r.plan, "position": r.position, "source": r.source,
             "source_ref": r.source_ref, "groups": tuple(r.groups),
             **{n: r.fields.get(n) for n in names}} for r in rows]
    frame = pd.DataFrame(data, columns=[*PLAN_ROW_COLUMNS, *names], dtype=object)
    for col in ("id", "position"):
        frame[col] = frame[col].astype("int64")
    return frame


def responsibility_frame(rows: Iterable[Responsibility],
                         actors: Iterable[ResponsibilityActor]) -> pd.DataFrame:
    """The matrix in long form (see :meth:`Store.responsibility_frame`)."""
    import pandas as pd

    cast = list(actors)
    named = {a.id: a for a in cast}
    records = []
    for row in rows:
        cells = [(named[a], role) for a, roles in row.roles.items() if a in named
                 for role in roles]
        cells.sort(key=lambda c: (c[0].position, c[0].id, method.ROLE_IDS.index(c[1])))
        if not cells:
            records.append((row.id, row.subject, row.kind, row.position, None, None, None,
                            None))
        for actor, role in cells:
            records.append((row.id, row.subject, row.kind, row.position, actor.id,
                            actor.name, actor.kind, role))
    frame = pd.DataFrame(records, columns=list(RESPONSIBILITY_COLUMNS), dtype=object)
    frame.attrs["actors"] = [(a.name, a.kind) for a in cast]
    return frame


def _frame(records: list[tuple], columns: tuple[str, ...], dtypes: Mapping[str, str]
           ) -> pd.DataFrame:
    """Build column by column with the final dtypes: ``object`` columns keep ``None``
    (pandas would otherwise turn it into NaN in text columns)."""
    import pandas as pd

    values = list(zip(*records, strict=True)) if records else [()] * len(columns)
    data = {}
    for name, column in zip(columns, values, strict=True):
        dtype = dtypes.get(name, _UTC)
        if dtype == _UTC:
            data[name] = pd.to_datetime(pd.Series(column, dtype=object), utc=True
                                        ).astype(_UTC)
        else:
            data[name] = pd.Series(column, dtype=dtype)
    return pd.DataFrame(data, columns=list(columns))
