"""The answers frame as it was built until issue 18: row by row, as the reference.

Kept only here (and used by ``benchmarks/analysis_scale.py`` for its "before"
figures): ``tests/test_store_frames.py`` checks that the store's vectorised
``answers_frame`` gives exactly this frame. Not used by coopkit itself.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import select

from coopkit.store import Store
from coopkit.store.frames import _ANSWER_DTYPES, _UTC, ANSWER_COLUMNS, item_places
from coopkit.store.schema import answers, participants


def answers_frame(store: Store, workshop_id: int) -> pd.DataFrame:
    """``Store.answers_frame`` before issue 18: one query, then a Python loop per row."""
    ws = store.workshop(workshop_id)
    q = store.questionnaire(ws.questionnaire_hash)
    query = (select(participants.c.id.label("participant"),
                    participants.c.group_id.label("group"),
                    participants.c.establishment, participants.c.validated_at,
                    answers.c.item_id, answers.c.value, answers.c.answered_at)
             .join(answers, answers.c.participant_id == participants.c.id)
             .where(participants.c.workshop_id == workshop_id)
             .order_by(participants.c.id, answers.c.item_id))
    with store._read() as conn:
        rows = [r._mapping for r in conn.execute(query)]
    places = item_places(q)
    items = {it.id: it for it in q.items()}
    records = []
    for row in rows:
        item = items.get(row["item_id"])
        value = row["value"]
        score = item.score(value) if item is not None else None
        section_id, subsection_id = places.get(row["item_id"], (None, None))
        records.append((
            ws.id, ws.project_id, ws.wave, ws.questionnaire_id,
            ws.questionnaire_hash, row["participant"], row["group"],
            row["establishment"], row["validated_at"] is not None, row["item_id"],
            item.type if item else None, section_id, subsection_id, value,
            math.nan if score is None else float(score),
            bool(item.is_weak(value)) if item else False,
            item.feeling if item else None, item.theme if item else None,
            tuple(item.principles) if item else (), item.factor if item else None,
            item.about if item else None, item.mirrors if item else None,
            row["answered_at"],
        ))
    values = list(zip(*records, strict=True)) if records else [()] * len(ANSWER_COLUMNS)
    data = {}
    for name, column in zip(ANSWER_COLUMNS, values, strict=True):
        dtype = _ANSWER_DTYPES[name]
        if dtype == _UTC:
            data[name] = pd.to_datetime(pd.Series(column, dtype=object), utc=True
                                        ).astype(_UTC)
        else:
            data[name] = pd.Series(column, dtype=dtype)
    frame = pd.DataFrame(data, columns=list(ANSWER_COLUMNS))
    frame.attrs["k"] = ws.k
    return frame
