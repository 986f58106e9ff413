"""The room view and the proposal capture, headless, against a real SQLite store."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tests_helpers import in_an_event_loop

from coopkit import load_questionnaire, open_store
from coopkit.consultant.proposals import ProposalCapture
from coopkit.consultant.room import RoomView

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"


@pytest.fixture
def store(tmp_path):
    with open_store(data=str(tmp_path)) as s:
        yield s


@pytest.fixture
def workshop(store):
    q = load_questionnaire(QUESTIONNAIRES / "ressentis.yaml")
    project = store.create_project("Salle")
    store.set_groups(project, ["personnel", "medical_soignant"])
    return q, project, store.open_workshop(project, q, wave="T0", k=2)


def answer_all(store, q, code, group, level):
    p = store.join(code, group)
    for item in q.items():
        if item.required and item.type == "intensity" and item.asked_of(group):
            store.save_answer(p.token, item.id, min(level, item.max or 0))
    return p


def test_refresh_redraws_only_on_change(store, workshop):
    q, _, ws = workshop
    room = RoomView(store, ws.id)
    assert room.refresh() is True
    assert "premières réponses" in room.notice.value
    assert bytes(room.feelings.value) == b""
    assert room.refresh() is False
    a = answer_all(store, q, ws.code, "personnel", 4)
    assert room.refresh() is True
    assert room.value["participation"] == {"personnel": [1, 0]}
    assert bytes(room.feelings.value) == b""  # nothing validated yet
    store.validate(a.token)
    store.validate(answer_all(store, q, ws.code, "personnel", 1).token)
    store.validate(answer_all(store, q, ws.code, "medical_soignant", 3).token)
    assert room.refresh() is True
    assert room.value["participation"] == {"medical_soignant": [1, 1], "personnel": [2, 2]}
    assert bytes(room.feelings.value).startswith(b"\x89PNG")
    assert bytes(room.tendencies.value) == b""  # tendencies off until turned on
    assert room.tendency_box.layout.display == "none"
    assert "Personnels des établissements membres" in room.table.value
    assert "<b>3</b>" in room.table.value
    assert room.redraws == 3
    store.set_workshop_settings(ws.id, show_tendencies=True)
    assert room.refresh() is True  # the setting is part of what is watched
    assert bytes(room.tendencies.value).startswith(b"\x89PNG")
    assert room.tendency_box.layout.display is None


def test_answers_not_yet_validated_redraw_no_chart(store, workshop):
    q, _, ws = workshop
    store.set_workshop_settings(ws.id, show_tendencies=True)
    room = RoomView(store, ws.id)
    for group, level in (("personnel", 4), ("personnel", 1), ("medical_soignant", 3)):
        store.validate(answer_all(store, q, ws.code, group, level).token)
    assert room.refresh() is True
    assert room.charts_cache.redrawn == 2  # the feelings map and the tendencies
    first = bytes(room.feelings.value)
    answer_all(store, q, ws.code, "medical_soignant", 0)  # answered, not validated
    assert room.refresh() is True  # the table changed...
    assert room.charts_cache.redrawn == 2  # ...not the charts of validated answers
    assert bytes(room.feelings.value) == first
    store.validate(answer_all(store, q, ws.code, "medical_soignant", 1).token)
    assert room.refresh() is True
    assert room.charts_cache.redrawn == 4
    assert bytes(room.feelings.value) != first


def test_english_labels(store, workshop):
    _, _, ws = workshop
    room = RoomView(store, ws.id, charts=False, lang="en")
    room.refresh()
    assert "Joined" in room.table.value and "Validated" in room.table.value


def test_start_and_stop_in_a_thread(store, workshop):
    _, _, ws = workshop
    room = RoomView(store, ws.id, interval=60, charts=False)
    room.start()
    assert room.running and room.redraws == 1
    room.start()  # a second start does not add a second poller
    room.stop()
    assert not room.running


def test_toggle_button_starts_and_pauses(store, workshop):
    _, _, ws = workshop
    room = RoomView(store, ws.id, interval=60, charts=False)
    assert not room.auto.value and "en pause" in room.auto.description
    room.auto.value = True  # what a click in the page does
    assert room.running and room.redraws == 1
    assert "en cours" in room.auto.description
    room.auto.value = False
    assert not room.running and "en pause" in room.auto.description
    room.start()  # from code, the button follows
    assert room.auto.value and room.running
    room.stop()
    assert not room.auto.value and not room.running


def test_start_and_stop_on_an_event_loop(store, workshop):
    _, _, ws = workshop
    room = RoomView(store, ws.id, interval=60, charts=False)

    async def scenario():
        room.start()
        assert room._poller.task is not None and room.running
        room.stop()
        await asyncio.sleep(0)  # let the cancellation land

    in_an_event_loop(scenario)
    assert not room.running


def test_proposal_capture_saves_and_escapes(store, workshop):
    _, project, ws = workshop
    capture = ProposalCapture(store, project, workshop_id=ws.id)
    assert [o[1] for o in capture.group.options] == ["personnel", "medical_soignant"]
    assert capture.add() is None
    assert "Écrivez la proposition" in capture.message.value
    capture.value = {"text": "<script>alert(1)</script> & co", "group": "medical_soignant",
                     "feeling": "peur", "theme": "accompagnement"}
    assert capture.text.value.startswith("<script>")
    proposal_id = capture.add()
    saved = store.proposal(proposal_id)
    assert (saved.group, saved.feeling, saved.plan, saved.status, saved.workshop_id) == (
        "medical_soignant", "peur", "risques", "proposed", ws.id)
    assert saved.text == "<script>alert(1)</script> & co"
    assert "<script>" not in capture.listing.value + capture.message.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in capture.listing.value
    assert capture.text.value == ""
    capture.value = {"text": "Un comité mensuel", "group": "personnel", "feeling": "peur",
                     "theme": "", "plan": "charte"}  # a fear answered by a charter rule
    assert store.proposal(capture.add()).plan == "charte"
    capture.feeling.value = "attrait"
    assert capture.plan.value == "objectifs" and capture.value["plan"] == "objectifs"


def test_register_writes_status_changes(store, workshop):
    from coopkit.consultant.proposals import ProposalRegister

    _, project, _ = workshop
    first = store.add_proposal(project, "Former les équipes <vite>", "personnel",
                               feeling="peur")
    second = store.add_proposal(project, "Charte", "medical_soignant", feeling="tentation")
    register = ProposalRegister(store, project, by="Le promoteur")
    assert register.value == {first: "proposed", second: "proposed"}
    assert "&lt;vite&gt;" in register.labels[first].value
    assert register.plans[first].value == "risques"  # the feeling's usual plan...
    register.plans[first].value = "objectifs"  # ...but any plan can take it
    assert store.proposal(first).plan == "objectifs"
    register.menus[first].value = "in_progress"
    assert store.proposal(first).status == "in_progress"
    last = store.proposal_events(project)[-1]
    assert (last.proposal_id, last.previous, last.status, last.changed_by) == (
        first, "proposed", "in_progress", "Le promoteur")
    assert "en cours le" in register.labels[first].value
    register.value = {first: "done", second: "dropped"}  # dropping needs a reason
    assert store.proposal(second).status == "proposed"
    assert register.value[second] == "proposed" and register.menus[second].value == "proposed"
    assert "motif" in register.message.value
    assert store.proposal(first).status == "done"
    register.menus[second].value = "dropped"  # the reason field opens, nothing written
    assert register._drop_boxes[second].layout.display is None
    assert not register.confirm(second) and store.proposal(second).status == "proposed"
    register.reasons[second].value = "Déjà couvert par la charte existante"
    assert register.confirm(second)
    dropped = store.proposal_events(project)[-1]
    assert (dropped.status, dropped.reason) == ("dropped",
                                                "Déjà couvert par la charte existante")
    assert register.value == {first: "done", second: "dropped"}
    assert store.proposal(second).updated_at >= store.proposal(second).created_at


def test_settings_widget_turns_tendencies_on_and_off(store, workshop):
    from coopkit.consultant.settings import WorkshopSettingsWidget

    _, _, ws = workshop
    box = WorkshopSettingsWidget(store, ws.id)
    assert box.value == {"show_tendencies": False} and box.tendencies.value is False
    assert "accusation" in box.children[1].value
    box.tendencies.value = True  # the consultant ticks the box
    assert store.workshop(ws.id).settings.show_tendencies is True
    assert "activées" in box.message.value
    box.value = {"show_tendencies": False}
    assert store.workshop(ws.id).settings.show_tendencies is False
    assert box.tendencies.value is False
    english = WorkshopSettingsWidget(store, ws.id, lang="en")
    assert "Show the groups' tendencies" in english.tendencies.description
