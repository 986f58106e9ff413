"""The store's answers frame, built column by column (issue 18), is exactly the frame the
row-by-row reference builds (``frames_reference.py``): on every item type, on the demo
project, and on a campaign of 10 000 participants x 60 items, on both backends."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from frames_reference import answers_frame as reference_frame
from sqlalchemy import insert
from store_support import make_questionnaire, value_for

from coopkit import synthetic
from coopkit.cli import main
from coopkit.store import open_store, reads
from coopkit.store.bulk import BulkParticipant, load_participants
from coopkit.store.schema import answers, utcnow


def same(store, workshop_id: int) -> pd.DataFrame:
    """The store's frame, checked against the reference; returned for more checks."""
    new = store.answers_frame(workshop_id)
    old = reference_frame(store, workshop_id)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert new.attrs == old.attrs
    # same Python types cell by cell where pandas compares loosely (lists, tuples, None)
    for column in ("value", "principles", "establishment", "subsection_id", "about"):
        assert [type(v) for v in new[column]] == [type(v) for v in old[column]], column
    return new


def test_every_item_type_and_odd_texts(store):
    q = make_questionnaire(extra_items=2)
    ws = store.open_workshop(store.create_project("Formes"), q)
    odd = ["virgule, \"guillemets\" et ;", "ligne 1\nligne 2", "sép\x1eara\x1fteur",
           "null", "", "NA", "é€😀", "\\N"]
    people = [store.join(ws.code, g) for g in ("personnel", "medical_soignant",
                                                "direction_generale", "personnel")]
    for seed, person in enumerate(people):
        for item in q.items():
            value = value_for(item, seed)
            if item.type == "text":
                value = odd[seed]
            store.save_answer(person.token, item.id, value)
    store.save_answer(people[0].token, "attrait_qualite", "na")
    store.save_answer(people[1].token, "remarque", odd[4])
    store.validate(people[2].token)
    frame = same(store, ws.id)
    assert set(frame["value"][frame["item_id"] == "remarque"]) == {odd[0], odd[4], odd[2],
                                                                    odd[3]}
    lists = frame["value"][frame["item_type"] == "multiple"].tolist()
    assert lists and all(isinstance(v, list) for v in lists)
    assert len({id(v) for v in lists}) == len(lists)  # each row its own list


def test_an_answer_to_an_item_the_questionnaire_lacks(store):
    """An answer row whose item is not in the workshop's questionnaire (written by hand
    in the database) gets no tags, no score, not weak: as before."""
    q = make_questionnaire()
    ws = store.open_workshop(store.create_project("Orphelin"), q)
    person = store.join(ws.code, "personnel")
    store.save_answer(person.token, "attrait_qualite", 3)
    with store._write() as conn:
        pid = conn.exec_driver_sql("SELECT id FROM participants").scalar()
        conn.execute(insert(answers).values(participant_id=pid, item_id="zz_disparu",
                                            value=2, answered_at=utcnow()))
    frame = same(store, ws.id)
    gone = frame[frame["item_id"] == "zz_disparu"].iloc[0]
    assert gone["item_type"] is None and np.isnan(gone["score"]) and not gone["weak"]
    assert gone["principles"] == ()


def test_an_empty_workshop(store):
    ws = store.open_workshop(store.create_project("Vide"), make_questionnaire())
    store.join(ws.code, "personnel")  # joined, answered nothing
    assert same(store, ws.id).empty


def test_the_demo_project(tmp_path):
    assert main(["demo", "--data", str(tmp_path)]) == 0
    with open_store(data=str(tmp_path)) as store:
        workshops = store.workshops()
        assert len(workshops) >= 4
        for ws in workshops:
            assert len(same(store, ws.id)) > 0


def test_rows_out_of_order_are_put_back_in_order():
    rows = ([2, 1, 1, 2], ["b", "b", "a", "a"], ["1", "2", "3", "4"], ["t1", "t2", "t3", "t4"])
    fixed = reads._columns(*rows, in_order=False)
    assert fixed.participant.tolist() == [1, 1, 2, 2]
    assert fixed.item_id() == ["a", "b", "a", "b"] and fixed.value == ["3", "2", "4", "1"]
    assert fixed.answered_at == ["t3", "t2", "t4", "t1"]
    kept = reads._columns(*rows, in_order=True)  # the server's order, as it came
    assert kept.participant.tolist() == [2, 1, 1, 2] and kept.item_id() == rows[1]


def test_the_one_statement_read_equals_the_row_by_row_read(store):
    q = make_questionnaire(extra_items=5)
    ws = store.open_workshop(store.create_project("Lecture"), q)
    for seed in range(6):
        p = store.join(ws.code, ("personnel", "medical_soignant")[seed % 2])
        for item in list(q.items())[seed:]:
            store.save_answer(p.token, item.id, value_for(item, seed))
    store.join(ws.code, "personnel")  # no answer: not among the people read
    fast_read = reads._read_postgres if store.backend == "postgresql" else reads._read_sqlite
    with store._read() as conn, conn.begin():
        both = fast_read(conn, ws.id)
        slow = reads._read_rows(conn, ws.id)
        people = reads.read_people(conn, ws.id)
    assert both is not None
    fast_people, fast = both
    assert fast_people.id.tolist() == people.id.tolist()[:6]
    assert fast_people.group == people.group[:6]
    assert fast.participant.tolist() == slow.participant.tolist()
    assert (fast.item_id(), fast.value) == (slow.item_id(), slow.value)
    def instants(texts):
        return np.array(texts, dtype="datetime64[us]").tolist()

    assert instants(fast.answered_at) == instants(slow.answered_at)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_campaign_of_ten_thousand(store):
    """10 000 participants x 60 items (about 576 000 answers), loaded in bulk."""
    q = synthetic.example_questionnaire(readiness_items=45)
    frame = synthetic.answers(q, {g: 2_000 for g in synthetic.DEMO_GROUPS}, seed=3)
    ws = store.open_workshop(store.create_project("Campagne"), q)
    load_participants(store, ws.id, synthetic.store_participants(frame))
    new = same(store, ws.id)
    assert len(new) == len(frame) and new["participant"].nunique() == 10_000
    # the values came back as loaded (the store orders by participant, then item id)
    loaded = frame.sort_values(["participant", "item_id"], kind="stable")
    assert new["value"].map(json.dumps).tolist() == loaded["value"].map(json.dumps).tolist()
    assert new["score"].tolist() == pytest.approx(loaded["score"].tolist(), nan_ok=True)


def test_bulk_load_checks_before_writing(store):
    from coopkit.errors import CoopkitError

    q = make_questionnaire()
    ws = store.open_workshop(store.create_project("Vrac"), q)
    good = BulkParticipant("personnel", {"attrait_qualite": 2})
    with pytest.raises(CoopkitError) as bad_value:
        load_participants(store, ws.id, [good, BulkParticipant("personnel",
                                                               {"attrait_qualite": 9})])
    assert bad_value.value.codes == ["value_invalid"]
    with pytest.raises(CoopkitError) as bad_group:
        load_participants(store, ws.id, [BulkParticipant("martiens", {})])
    assert bad_group.value.codes == ["not_allowed"]
    assert store.answers_frame(ws.id).empty  # nothing written
    ids = load_participants(store, ws.id, [good, BulkParticipant(
        "medical_soignant", {"canaux": ["reunion", "mail"]}, validated=True)])
    frame = store.answers_frame(ws.id)
    assert frame["participant"].tolist() == ids
    assert frame["value"].tolist() == [2, ["mail", "reunion"]]
    assert frame["validated"].tolist() == [False, True]
