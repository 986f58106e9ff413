"""A bulk path into the store: whole participants with their answers, in a few statements.

For benchmarks and tests that need a campaign-sized store (10 000 participants x 60
items), and for loading answers gathered elsewhere. Every value is checked against the
questionnaire (once per distinct item and value), every group against the
questionnaire's groups, before anything is written; then participants and answers go
in with one multi-row ``INSERT`` each, in one write transaction: all or nothing.

Knows nothing of analysis: it takes plain rows, not an analysis frame.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from coopkit.definitions import method
from coopkit.errors import fail
from coopkit.store import checks
from coopkit.store.checks import NAME_LIMIT
from coopkit.store.codes import new_resume_code, new_token
from coopkit.store.schema import participants, utcnow, workshops

if TYPE_CHECKING:
    from coopkit.store.core import Store

#: Rows per INSERT batch (keeps each statement's parameters well under the drivers' limits).
_BATCH = 20_000


@dataclass(frozen=True)
class BulkParticipant:
    """One participant to load: group, establishment, validated or not, and answers
    (item id -> value, or item id -> (value, answered_at))."""

    group: str
    answers: Mapping[str, object] = field(default_factory=dict)
    establishment: str | None = None
    validated: bool = False
    joined_at: datetime | None = None


def load_participants(store: Store, workshop_id: int,
                      people: Iterable[BulkParticipant]) -> list[int]:
    """Add participants with their answers to a workshop (open or closed); returns
    their pseudonyms (participant ids), in the order given."""
    ws = store.workshop(workshop_id)
    q = store.questionnaire(ws.questionnaire_hash)
    group_ids = tuple(g.id for g in q.groups) or method.GROUP_IDS
    checked: dict[tuple[str, object], str] = {}  # (item, value) -> the stored JSON text
    now = utcnow()
    rows, answer_rows = [], []
    for person in people:
        checks.allowed("group", person.group, group_ids)
        place = checks.text("establishment", person.establishment, NAME_LIMIT,
                            required=False)
        stamp = person.joined_at or now
        rows.append({"token": new_token(), "resume_code": new_resume_code(),
                     "workshop_id": ws.id, "group_id": person.group, "establishment": place,
                     "joined_at": stamp, "validated_at": stamp if person.validated else None})
        given = []
        for item_id, raw in person.answers.items():
            value, at = raw if isinstance(raw, tuple) else (raw, stamp)
            key = (item_id, tuple(value) if isinstance(value, list) else value)
            if key not in checked:
                checked[key] = json.dumps(q.check_answer(item_id, value),
                                          ensure_ascii=False, separators=(",", ":"))
            given.append((item_id, checked[key], at))
        answer_rows.append(given)
    with store._write() as conn:
        if conn.execute(select(workshops.c.id).where(workshops.c.id == ws.id)).first() is None:
            raise fail("unknown_workshop", field="workshop", value=workshop_id)
        ids: list[int] = []
        for start in range(0, len(rows), _BATCH):
            batch = rows[start:start + _BATCH]
            ids += list(conn.execute(insert(participants).returning(
                participants.c.id, sort_by_parameter_order=True), batch).scalars())
        flat = [{"participant_id": pid, "item_id": item_id, "value": text, "answered_at": at}
                for pid, given in zip(ids, answer_rows, strict=True)
                for item_id, text, at in given]
        table = _raw_answers_table()  # the JSON text is made already: write it as it is
        for start in range(0, len(flat), _BATCH):
            conn.execute(insert(table), flat[start:start + _BATCH])
    return ids


def _raw_answers_table():
    """The ``answers`` table with ``value`` as plain text (the JSON is made already)."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text

    from coopkit.store.schema import UTCDateTime

    return Table("answers", MetaData(), Column("participant_id", Integer),
                 Column("item_id", String(64)), Column("value", Text),
                 Column("answered_at", UTCDateTime))
