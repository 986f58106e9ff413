"""Tidy pandas frames built from store rows (pandas is imported only when called).

The column names of :data:`ANSWER_COLUMNS` are a contract with ``coopkit.analysis``:
do not rename them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from coopkit.definitions import method
from coopkit.definitions.questionnaire import Questionnaire
from coopkit.store.reads import AnswerColumns, PeopleColumns
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


def answers_frame(workshop: Workshop, questionnaire: Questionnaire, people: PeopleColumns,
                  given: AnswerColumns) -> pd.DataFrame:
    """One row per answer, with the item's tags and the participant's group.

    Built column by column, never row by row: each distinct (item, value) pair is
    decoded and scored once (``Item.score``, ``Item.is_weak``), then spread to its
    rows; the item's tags and the participant's group, establishment and validation
    are taken from small per-item and per-participant arrays.
    """
    import numpy as np
    import pandas as pd

    n = len(given.participant)
    items = list(questionnaire.items())
    places = item_places(questionnaire)
    # per item: slot i for items[i], slot len(items) for an item the questionnaire lacks
    slot = {it.id: i for i, it in enumerate(items)}
    item_codes, item_ids = given.item_code, given.item_ids
    item_slot = np.array([slot.get(i, len(items)) for i in item_ids], dtype=np.int64)
    per_item = item_slot[item_codes] if n else np.zeros(0, dtype=np.int64)

    def tags(get, empty=None) -> np.ndarray:
        out = np.empty(len(items) + 1, dtype=object)
        for i, it in enumerate(items):
            out[i] = get(it)
        out[len(items)] = empty
        return out[per_item]

    # each distinct (item, value) once: decoded, scored, weak or not
    value_codes, value_texts = pd.factorize(np.asarray(given.value, dtype=object))
    pair_codes, pairs = pd.factorize(item_codes.astype(np.int64) * max(len(value_texts), 1)
                                     + value_codes)
    pair_value = np.empty(len(pairs), dtype=object)
    pair_score = np.full(len(pairs), np.nan)
    pair_weak = np.zeros(len(pairs), dtype=bool)
    listed = []
    for p, key in enumerate(pairs.tolist()):
        item_code, value_code = divmod(key, max(len(value_texts), 1))
        value = json.loads(value_texts[value_code])
        pair_value[p] = value
        s = item_slot[item_code]
        if s < len(items):
            item = items[s]
            score = item.score(value)
            pair_score[p] = math.nan if score is None else float(score)
            pair_weak[p] = bool(item.is_weak(value))
        if isinstance(value, list):
            listed.append(p)
    values = pair_value[pair_codes]
    if listed:  # a list is mutable: each row gets its own, as when read row by row
        for row in np.flatnonzero(np.isin(pair_codes, listed)).tolist():
            values[row] = list(values[row])

    person = np.searchsorted(people.id, given.participant)
    if n and (not len(people.id) or not np.array_equal(
            people.id[np.minimum(person, len(people.id) - 1)], given.participant)):
        # pragma: no cover - a bug, not the data
        raise RuntimeError("answers read without their participants")

    def col(values, dtype) -> pd.Series:  # pandas would copy each array: they are fresh
        return pd.Series(values, dtype=dtype, copy=False)

    def text(uniques, codes) -> pd.Series:  # a "str" column taken from its few values
        return col(pd.array(list(uniques), dtype="str").take(codes), None)

    nowhere = np.zeros(n, dtype=np.int64)
    data = {
        "workshop_id": col(np.full(n, workshop.id, dtype=np.int64), None),
        "project_id": col(np.full(n, workshop.project_id, dtype=np.int64), None),
        "wave": text([workshop.wave], nowhere),
        "questionnaire_id": text([workshop.questionnaire_id], nowhere),
        "questionnaire_hash": text([workshop.questionnaire_hash], nowhere),
        "participant": col(np.array(given.participant, dtype=np.int64), None),
        "group": text(people.group, person),
        "establishment": col(np.asarray(people.establishment, dtype=object)[person], object),
        "validated": col(people.validated[person], bool),
        "item_id": text(item_ids, item_codes),
        "item_type": col(tags(lambda it: it.type), object),
        "section_id": col(tags(lambda it: places[it.id][0]), object),
        "subsection_id": col(tags(lambda it: places[it.id][1]), object),
        "value": col(values, object),
        "score": col(pair_score[pair_codes], "float64"),
        "weak": col(pair_weak[pair_codes], bool),
        "feeling": col(tags(lambda it: it.feeling), object),
        "theme": col(tags(lambda it: it.theme), object),
        "principles": col(tags(lambda it: tuple(it.principles), ()), object),
        "factor": col(tags(lambda it: it.factor), object),
        "about": col(tags(lambda it: it.about), object),
        "mirrors": col(tags(lambda it: it.mirrors), object),
        "answered_at": _instants(given.answered_at),
    }
    frame = pd.DataFrame(data, columns=list(ANSWER_COLUMNS), copy=False)
    frame.attrs["k"] = workshop.k
    return frame


def _instants(texts: list[str]) -> pd.Series:
    """UTC instants from the store's text (``YYYY-MM-DD HH:MM:SS[.ffffff]``): numpy's
    parser (three times pandas' speed), pandas' ISO 8601 one for anything else."""
    import numpy as np
    import pandas as pd

    try:
        parsed = pd.Series(np.array(texts, dtype="datetime64[us]")).dt.tz_localize("UTC")
    except ValueError:
        parsed = pd.to_datetime(pd.Series(texts, dtype=object), format="ISO8601", utc=True)
    return parsed.astype(_UTC)


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
