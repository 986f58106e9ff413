"""« Vous avez une idée ? » on the phone, headless: after validating, a participant sends
a wording of the common purpose and an action proposal tied to a feeling and a theme
(coopkit/participant/ideas.py). Real SQLite store; a store whose writes fail (a
database out of reach) is a thin wrapper that raises, to check that the text is kept.
"""

from __future__ import annotations

from html import unescape

import ipywidgets as widgets
import pytest
import traitlets
from sqlalchemy.exc import OperationalError

from coopkit import open_store
from coopkit.definitions.questionnaire import parse
from coopkit.i18n import set_language
from coopkit.participant.app import ParticipantApp
from coopkit.participant.ideas import PROPOSAL_LIMIT, PURPOSE_LIMIT, IdeasWidget

XSS = "<img src=x onerror=alert(1)>"
DEFINITION = {
    "id": "idees", "version": "1", "kind": "readiness",
    "title": {"fr": "Idées", "en": "Ideas"},
    "groups": ["personnel", "medical_soignant"],
    "scales": {"accord": {"points": [{"value": 1, "label": {"fr": "Non", "en": "No"}},
                                     {"value": 2, "label": {"fr": "Oui", "en": "Yes"}}]}},
    "sections": [{"id": "s", "title": {"fr": "Section", "en": "Section"}, "items": [
        {"id": "g1", "type": "scale", "scale": "accord",
         "text": {"fr": "Le comité décide", "en": "The committee decides"}}]}],
}


@pytest.fixture(autouse=True)
def french_by_default(monkeypatch):
    monkeypatch.delenv("COOPKIT_LANG", raising=False)
    set_language(None)


@pytest.fixture
def store(tmp_path):
    with open_store(data=tmp_path) as s:
        yield s


@pytest.fixture
def workshop(store):
    project = store.create_project("Projet")
    store.add_partner(project, "Hôpital Nord")
    return store.open_workshop(project, parse(DEFINITION), k=1)


def validated(store, workshop, lang=None) -> ParticipantApp:
    """A participant who joined (with an establishment), answered and validated."""
    app = ParticipantApp(store, code=workshop.code, lang=lang)
    app.join.group_radio.value = "personnel"
    app.join.place_radio.value = "Hôpital Nord"
    app.join.join_button.click()
    app.form.widgets["g1"].value = 2
    app.form.finish_button.click()
    app.validate_button.click()
    assert app.value == "thanks", app.notice.text
    return app


def html_of(widget) -> str:
    """Every HTML text and every control's label and options under ``widget``."""
    found, stack = [], [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, widgets.HTML):
            found.append(unescape(w.value))
        for name in ("description", "placeholder", "value"):
            value = getattr(w, name, None)
            if isinstance(value, str):
                found.append(value)
        found.extend(str(o) for o in getattr(w, "options", ()) or ())
        stack.extend(getattr(w, "children", ()))
    return "\n".join(found)


def test_after_validating_a_participant_sends_a_purpose_wording(store, workshop):
    app = validated(store, workshop)
    ideas = app.ideas
    assert isinstance(ideas, IdeasWidget)
    assert list(app.body.children).index(ideas) == 1  # right after the thank-you
    text = html_of(ideas)
    assert "Vous avez une idée ?" in text and "finalité commune" in text
    assert "proposition d'actions" in text and "séance" in text
    assert ideas.forms["purpose"].layout.display == "none"  # folded until asked
    ideas.open_buttons["purpose"].click()
    assert ideas.value["open"] == "purpose" and ideas.forms["purpose"].layout.display is None
    assert ideas.forms["proposal"].layout.display == "none"
    ideas.purpose_text.value = "  Mieux soigner ensemble, au plus près des habitants.  "
    assert ideas.value["purpose"].startswith("  Mieux soigner")
    ideas.purpose_send.click()
    assert ideas.purpose_notice.kind == "ok", ideas.purpose_notice.text
    assert "relue par le consultant avant d'être montrée" in ideas.purpose_notice.text
    assert ideas.purpose_text.value == "" and ideas.value["purpose"] == ""
    confirmation = ideas.purpose_notice.text
    ideas.purpose_send.click()  # a second tap, the field now empty: the confirmation stays
    assert ideas.purpose_notice.text == confirmation
    [wording] = store.purpose_wordings(workshop.project_id)
    assert (wording.text, wording.moderation, wording.source, wording.workshop_id) == (
        "Mieux soigner ensemble, au plus près des habitants.", "pending", "participant",
        workshop.id)
    assert ideas.sent == [("purpose", wording.id)]


def test_an_action_proposal_carries_its_feeling_and_theme_and_waits(store, workshop):
    app = validated(store, workshop)
    ideas = app.ideas
    ideas.value = {"open": "proposal", "proposal": XSS + " Un référent par site",
                   "feeling": "peur", "theme": "arbitrage"}
    assert ideas.forms["proposal"].layout.display is None
    assert (ideas.proposal_text.value, ideas.feeling.value, ideas.theme.value) == (
        XSS + " Un référent par site", "peur", "arbitrage")
    new_id = ideas.send_proposal()
    assert ideas.proposal_notice.kind == "ok"
    assert "Votre proposition d'actions est envoyée" in ideas.proposal_notice.text
    assert "relue par le consultant" in ideas.proposal_notice.text
    assert ideas.value == {"open": "proposal", "purpose": "", "proposal": "",
                           "feeling": "", "theme": ""}
    assert store.proposals(workshop.project_id) == []  # not shown before moderation
    [p] = store.proposals(workshop.project_id, moderation="pending")
    assert p.id == new_id and p.text == XSS + " Un référent par site"
    assert (p.feeling, p.theme, p.plan, p.source, p.workshop_id, p.group) == (
        "peur", "arbitrage", "risques", "participant", workshop.id, "personnel")
    # nothing on the page ties it to the participant: not their text, group, place, token
    shown = html_of(app.body)
    assert XSS not in shown and "Un référent" not in shown
    assert app.participant.token not in shown and app.participant.resume_code not in shown


def test_empty_or_too_long_texts_are_refused_and_kept(store, workshop):
    ideas = validated(store, workshop).ideas
    ideas.purpose_text.value = "   "
    assert ideas.send_purpose() is None
    assert ideas.purpose_notice.kind == "error"
    assert "« Votre formulation » est vide" in ideas.purpose_notice.text
    long = "x" * (PURPOSE_LIMIT + 1)
    ideas.purpose_text.value = long
    assert ideas.send_purpose() is None
    assert f"{PURPOSE_LIMIT + 1} caractères, {PURPOSE_LIMIT} au plus" in \
        ideas.purpose_notice.text
    assert ideas.purpose_text.value == long  # kept, to shorten
    ideas.proposal_text.value = "y" * (PROPOSAL_LIMIT + 1)
    ideas.feeling.value, ideas.theme.value = "attrait", "qualite"
    assert ideas.send_proposal() is None
    assert "« Votre proposition »" in ideas.proposal_notice.text
    assert ideas.proposal_text.value == "y" * (PROPOSAL_LIMIT + 1)
    ideas.proposal_text.value = "Un agenda partagé\u0000"
    assert ideas.send_proposal() is None
    assert "caractère qui ne peut pas être enregistré" in ideas.proposal_notice.text
    assert store.purpose_wordings(workshop.project_id) == []
    assert store.proposals(workshop.project_id, moderation=None) == []


def test_a_proposal_needs_its_feeling_and_theme(store, workshop):
    ideas = validated(store, workshop).ideas
    ideas.proposal_text.value = "Un agenda partagé"
    assert ideas.send_proposal() is None
    assert "choisissez un ressenti" in ideas.proposal_notice.text
    ideas.feeling.value = "attrait"
    assert ideas.send_proposal() is None
    assert "choisissez un thème" in ideas.proposal_notice.text
    assert ideas.value["proposal"] == "Un agenda partagé" and ideas.value["feeling"] == "attrait"
    ideas.theme.value = "qualite"
    assert ideas.send_proposal() is not None
    assert store.proposals(workshop.project_id, moderation="pending")[0].plan == "objectifs"


class Failing:
    """The real store, whose participants' writes fail while ``down`` (the database out
    of reach over a weak network)."""

    def __init__(self, store):
        self.store, self.down = store, True

    def __getattr__(self, name):
        if self.down and name in ("add_purpose_wording", "add_participant_proposal"):
            def fail(*_a, **_k):
                raise OperationalError("INSERT", {}, Exception("database is unreachable"))
            return fail
        return getattr(self.store, name)


def test_a_failed_send_says_so_and_keeps_the_text(store, workshop, capsys):
    app = validated(store, workshop)
    flaky = Failing(store)
    ideas = IdeasWidget(flaky, app.participant.token)
    ideas.purpose_text.value = "Ensemble, mieux soigner"
    ideas.value = {"proposal": "Un référent", "feeling": "tentation", "theme": "qualite"}
    assert ideas.send_purpose() is None and ideas.send_proposal() is None
    for notice in (ideas.purpose_notice, ideas.proposal_notice):
        assert notice.kind == "error"
        assert "L'envoi n'a pas abouti" in notice.text and "conservé" in notice.text
        assert "unreachable" not in notice.text and "Traceback" not in notice.text
    assert ideas.value["purpose"] == "Ensemble, mieux soigner"
    assert (ideas.value["proposal"], ideas.value["feeling"], ideas.value["theme"]) == (
        "Un référent", "tentation", "qualite")
    assert "database is unreachable" in capsys.readouterr().err  # the server log
    flaky.down = False  # the network is back: the same tap sends
    assert ideas.send_purpose() is not None and ideas.send_proposal() is not None
    assert [w.text for w in store.purpose_wordings(workshop.project_id)] == [
        "Ensemble, mieux soigner"]
    assert [p.text for p in store.proposals(workshop.project_id, moderation="pending")] == [
        "Un référent"]


def test_a_closed_session_takes_no_more_ideas(store, workshop):
    app = validated(store, workshop)
    ideas = app.ideas
    store.close_workshop(workshop.id)
    ideas.purpose_text.value = "Mieux soigner"
    assert ideas.send_purpose() is None
    assert "est close" in ideas.purpose_notice.text
    assert ideas.purpose_text.value == "Mieux soigner"
    back = ParticipantApp(store, resume=app.participant.token)
    assert back.value == "thanks" and back.ideas is None
    assert back.ideas not in back.body.children


def test_ideas_in_english(store, workshop):
    app = validated(store, workshop, lang="en")
    ideas = app.ideas
    text = html_of(ideas)
    assert "Have an idea?" in text and "common purpose" in text and "action proposal" in text
    assert "Attractions" in text and "Fears" in text and "Temptations" in text
    assert "finalité" not in text
    ideas.send_purpose()
    assert "The field “Your wording” is empty." in ideas.purpose_notice.text
    ideas.value = {"proposal": "Shared agenda", "feeling": "attrait"}
    ideas.send_proposal()
    assert "choose a theme" in ideas.proposal_notice.text
    ideas.theme.value = "qualite"
    ideas.send_proposal()
    assert ideas.proposal_notice.text.startswith("Your action proposal is sent: the consultant "
                                                 "will read it before it is shown.")


def test_value_is_checked():
    ideas = IdeasWidget(None, "token")
    with pytest.raises(traitlets.TraitError):
        ideas.value = {"feeling": "colère"}
    with pytest.raises(traitlets.TraitError):
        ideas.value = {"open": "autre"}
    with pytest.raises(traitlets.TraitError):
        ideas.value = {"name": "x"}
    ideas.toggle("proposal")
    ideas.toggle("purpose")
    assert ideas.value["open"] == "purpose"
    ideas.toggle("purpose")
    assert ideas.value["open"] == "" and all(
        f.layout.display == "none" for f in ideas.forms.values())
