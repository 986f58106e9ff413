"""« Clore la séance »: the button asks first, then closes the workshop in a real store;
the phones are refused afterwards. Headless (the widget's ``value`` and its buttons)."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from coopkit import load_questionnaire, open_store
from coopkit.consultant.closing import CloseWorkshopButton
from coopkit.errors import CoopkitError

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"


@pytest.fixture
def store(tmp_path):
    with open_store(data=str(tmp_path)) as s:
        yield s


@pytest.fixture
def workshop(store):
    q = load_questionnaire(QUESTIONNAIRES / "ressentis.yaml")
    project = store.create_project("Clôture")
    return store.open_workshop(project, q, wave="T0", k=2)


def validated(store, workshop, group):
    """A participant who answered every required item, then validated."""
    q = store.questionnaire(workshop.questionnaire_hash)
    p = store.join(workshop.code, group)
    for item in q.items():
        if item.required and item.type == "intensity" and item.asked_of(group):
            store.save_answer(p.token, item.id, 1)
    store.validate(p.token)
    return p


def shown(widget) -> bool:
    return widget.layout.display != "none"


def test_first_click_asks_and_cancel_changes_nothing(store, workshop):
    button = CloseWorkshopButton(store, workshop.id, lang="fr")
    assert button.value is False and not button.asking
    button.button.click()
    assert button.asking and not shown(button.button)
    assert f"Clore la séance {workshop.code} ?" in unescape(button.question.value)
    assert "n'a pas encore validé" not in unescape(button.question.value)  # nobody joined
    button.cancel.click()
    assert not button.asking and shown(button.button)
    assert store.workshop(workshop.id).is_open and button.value is False


def test_confirm_closes_the_workshop_and_phones_are_refused(store, workshop):
    validated(store, workshop, "personnel")
    store.join(workshop.code, "personnel")
    store.join(workshop.code, "medical_soignant")
    button = CloseWorkshopButton(store, workshop.id, lang="fr")
    button.button.click()
    assert "2 participants n'ont pas encore validé" in unescape(button.question.value)
    button.confirm.click()
    assert button.value is True and button.button.disabled and not button.asking
    assert not store.workshop(workshop.id).is_open
    assert f"La séance {workshop.code} est close" in unescape(button.message.value)
    with pytest.raises(CoopkitError):
        store.join(workshop.code, "personnel")


def test_one_pending_participant_is_singular(store, workshop):
    store.join(workshop.code, "personnel")
    button = CloseWorkshopButton(store, workshop.id, lang="fr")
    button.ask()
    assert "1 participant n'a pas encore validé ses réponses" in unescape(button.question.value)


def test_value_closes_from_code_and_cannot_reopen(store, workshop):
    button = CloseWorkshopButton(store, workshop.id, lang="en")
    seen = []
    button.observe(lambda change: seen.append(change["new"]), names="value")
    button.value = True
    assert not store.workshop(workshop.id).is_open and seen == [True]
    assert "is closed" in unescape(button.message.value)
    button.value = False  # a closed workshop is not reopened from here
    assert button.value is True and not store.workshop(workshop.id).is_open


def test_a_workshop_closed_elsewhere_shows_closed(store, workshop):
    button = CloseWorkshopButton(store, workshop.id, lang="fr")
    store.close_workshop(workshop.id)  # e.g. from the presenter's screen
    button.button.click()  # the click finds it closed: no question asked
    assert button.value is True and not button.asking and button.button.disabled
    again = CloseWorkshopButton(store, workshop.id)
    assert again.value is True and again.button.disabled


def test_an_unknown_workshop_is_a_message_not_a_traceback(store):
    button = CloseWorkshopButton(store, 999, lang="fr")
    assert button.button.disabled and button.value is False
    message = unescape(button.message.value)
    assert "999" in message and "Traceback" not in message
