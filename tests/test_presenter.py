"""The presenter, headless, against a real SQLite store: each screen's ``value``,
reveal and hide, navigation and pages, the consultant's prompt, closing the session
with confirmation, the empty states of the app, masking under k, escaping, the
tendency switch, and the participant's page when the session closes."""

from __future__ import annotations

from html import unescape
from itertools import pairwise
from pathlib import Path

import pytest

from coopkit import analysis, load_questionnaire, open_store
from coopkit.consultant.presenter import Presenter, PresenterApp
from coopkit.consultant.presenter.screens import paginate, words
from coopkit.consultant.presenter.style import KEYS_JS, STYLESHEET, qr_svg
from coopkit.definitions import method
from coopkit.i18n import tn
from coopkit.participant.app import ParticipantApp
from coopkit.widgets.html import esc

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"
HOSTILE = "<img src=x onerror=alert(1)>"
URL = "http://192.168.1.20:8866/"


@pytest.fixture(scope="module")
def ressentis():
    return load_questionnaire(QUESTIONNAIRES / "ressentis.yaml")


@pytest.fixture
def store(tmp_path):
    with open_store(data=str(tmp_path)) as s:
        yield s


@pytest.fixture
def room(store, ressentis):
    """A project with its purpose and an open feelings workshop (k = 2)."""
    project = store.create_project("Salle", purpose="Mieux soigner ensemble, au plus près.")
    ws = store.open_workshop(project, ressentis, wave="T0", k=2)
    return project, ws


def participant(store, q, code, group, level, *, texts=(), vote=None, validate=True):
    """Join, answer every intensity item asked of ``group`` with ``level``, write
    ``texts`` ((item id, text) pairs), vote on the purpose, validate."""
    p = store.join(code, group)
    for item in q.items():
        if item.type == "intensity" and item.asked_of(group):
            store.save_answer(p.token, item.id, min(level, item.max or 0))
    for item_id, text in texts:
        store.save_answer(p.token, item_id, text)
    if vote is not None:
        store.save_answer(p.token, "finalite_accord", vote)
    if validate:
        store.validate(p.token)
    return p


def presenter(store, ws, **kwargs) -> Presenter:
    return Presenter(store, ws.id, participant_url=URL, **kwargs)


# ------------------------------------------------------------------------ welcome

def test_welcome_shows_the_link_code_and_live_counts(store, room, ressentis):
    _, ws = room
    deck = presenter(store, ws)
    welcome = deck.current
    assert deck.value["screen"] == "welcome" and not welcome.results
    assert welcome.value["url"] == f"{URL}?code={ws.code}"
    assert welcome.value["code"] == ws.code
    assert welcome.value["joined"] == 0 and welcome.value["groups"] == {}
    assert "<svg" in welcome.body.value and ws.code in welcome.body.value
    assert "Personne n'a encore rejoint" in unescape(welcome.body.value)
    assert deck.corner.value == ""  # the big QR code is on this screen

    for _ in range(2):
        participant(store, ressentis, ws.code, "personnel", 3)
        participant(store, ressentis, ws.code, "medical_soignant", 2, validate=False)
    assert deck.refresh() is True
    assert welcome.value["groups"] == {"personnel": [2, 2], "medical_soignant": [2, 0]}
    assert (welcome.value["joined"], welcome.value["validated"]) == (4, 2)
    assert welcome.value["answers"] > 0
    assert "Corps médical et soignant" in welcome.body.value
    assert "connectés" in welcome.body.value and "ont validé" in welcome.body.value
    draws = welcome.draws
    assert deck.refresh() is False and welcome.draws == draws  # nothing new, no redraw
    # one person alone in a group: not shown, nor the next smallest group (k = 2)
    store.join(ws.code, "direction_generale")
    deck.refresh()
    groups = welcome.value["groups"]
    assert groups["direction_generale"] == [None, 0]
    assert [None in counts for counts in groups.values()].count(True) == 2
    assert "&lt; 2" in welcome.body.value
    assert welcome.value["joined"] == 5  # the total stays: 5 >= k


def test_without_a_participant_server_the_code_still_shows(store, room):
    _, ws = room
    deck = Presenter(store, ws.id, participant_url=None)
    assert deck.current.value["url"] is None
    assert "<svg" not in deck.current.body.value
    assert ws.code in deck.current.body.value
    assert "coopkit present" in deck.current.body.value


def test_the_qr_code_is_an_accessible_svg():
    svg = qr_svg("http://h:1/?code=ABC234", 'QR "code"')
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-label="QR &quot;code&quot;"' in svg
    assert 'width="' not in svg.split(">", 1)[0]  # sized by the stylesheet


# ------------------------------------------------------------------ reveal / hide

def test_results_screens_start_hidden_until_revealed(store, room, ressentis):
    _, ws = room
    for level, group in ((4, "personnel"), (1, "personnel"), (3, "medical_soignant"),
                         (2, "medical_soignant")):
        participant(store, ressentis, ws.code, group, level)
    deck = presenter(store, ws)
    deck.next()
    shown = deck.current
    assert shown.key == "map" and shown.results
    assert shown.value == {"key": "map", "revealed": False, "validated": 4}
    assert "Résultats masqués" in shown.body.value and "<td" not in shown.body.value
    assert "4 participants ont validé" in shown.body.value
    deck.reveal()
    assert shown.value["revealed"] is True and shown.value["status"] == "ok"
    groups = [g for g, _ in shown.value["rows"]]
    assert groups == ["personnel", "medical_soignant"]
    assert "Résultats masqués" not in shown.body.value and "<td" in shown.body.value
    assert deck.value["revealed"] == ["map"]
    assert deck.reveal_button.description == "Masquer"
    deck.hide()
    assert shown.value["revealed"] is False and "Résultats masqués" in shown.body.value
    deck.toggle_reveal()
    assert shown.value["revealed"] is True
    deck.next()  # a screen revealed stays revealed; the next one starts hidden
    assert deck.current.key == "divisive" and deck.current.value["revealed"] is False
    deck.previous()
    assert deck.current.value["revealed"] is True


def test_the_map_updates_after_a_validation(store, room, ressentis):
    _, ws = room
    participant(store, ressentis, ws.code, "personnel", 1)
    participant(store, ressentis, ws.code, "personnel", 1)
    deck = presenter(store, ws)
    deck.go("map")
    deck.reveal()
    before = deck.current.value["rows"]
    late = participant(store, ressentis, ws.code, "personnel", 5, validate=False)
    deck.refresh()
    assert deck.current.value["rows"] == before  # not validated: not shown
    store.validate(late.token)
    assert deck.refresh() is True
    assert deck.current.value["rows"] != before
    assert 'data-asof="' in deck.current.body.value


# --------------------------------------------------------------------- the screens

def test_every_screen_has_a_value_a_title_and_a_prompt(store, room, ressentis):
    project, ws = room
    texts = (("libre_peurs", "Perdre la proximité."), ("libre_attraits", HOSTILE))
    participant(store, ressentis, ws.code, "personnel", 4, texts=texts, vote="accepte")
    participant(store, ressentis, ws.code, "personnel", 1, vote="amende",
                texts=(("finalite_amendement", "Ajouter « les usagers »."),))
    participant(store, ressentis, ws.code, "medical_soignant", 3, vote="refuse")
    participant(store, ressentis, ws.code, "medical_soignant", 2, vote="accepte")
    store.add_proposal(project, "Un référent par site", "personnel", feeling="peur",
                       theme="qualite", workshop_id=ws.id)
    deck = presenter(store, ws)
    seen = {}
    while True:
        screen = deck.current
        assert screen.title() and screen.prompt()
        if screen.results:
            deck.reveal()
        seen.setdefault(screen.key, screen.value)
        if deck.next_button.disabled:
            break
        deck.next()
    assert list(seen) == ["welcome", "map", "divisive", "shoes", "texts", "purpose",
                          "proposals"]
    assert seen["divisive"]["status"] == "ok" and seen["divisive"]["items"]
    first = seen["divisive"]["items"][0]
    assert first["text"] == ressentis.item(first["item_id"]).text.get()  # full text
    assert seen["shoes"]["status"] == "ok"
    assert seen["texts"]["columns"]["peur"] == ["Perdre la proximité."]
    assert seen["texts"]["columns"]["attrait"] == [HOSTILE]
    assert "Ajouter" not in str(seen["texts"])  # the amendments are the purpose's
    purpose = seen["purpose"]
    assert purpose["purpose"] == "Mieux soigner ensemble, au plus près."
    assert purpose["acceptance"] == pytest.approx(0.75)  # accept, amend, accept of 4
    assert dict(purpose["choices"]) == {"accepte": 0.5, "amende": 0.25, "refuse": 0.25}
    assert purpose["amendments"] == ["Ajouter « les usagers »."]
    assert seen["proposals"]["proposals"] == ["Un référent par site"]


def test_phone_proposals_show_once_approved_never_when_refused(store, room, ressentis):
    """Sent from phones, proposals wait in moderation: the proposals screen shows only
    those the consultant approves, and an approval reaches the screen through the
    activity it polls (no reload)."""
    from coopkit.consultant.proposals import ProposalModeration

    project, ws = room
    phone = participant(store, ressentis, ws.code, "personnel", 3)
    kept = store.add_participant_proposal(phone.token, "Un référent par site",
                                          feeling="peur", theme="qualite")
    refused = store.add_participant_proposal(phone.token, "Hors sujet",
                                             feeling="tentation", theme="arbitrage")
    deck = presenter(store, ws)
    deck.go("proposals")
    assert deck.current.value["status"] == "none"  # both wait
    moderation = ProposalModeration(store, project)
    assert moderation.value == [kept, refused]
    before = store.activity(ws.id)
    moderation.decide(refused, False)
    assert store.activity(ws.id) != before  # a moderation is a change the screen sees
    deck.refresh()
    assert deck.current.value["status"] == "none"
    moderation.decide(kept, True)
    assert moderation.value == []
    assert deck.refresh() is True
    assert deck.current.value["proposals"] == ["Un référent par site"]
    body = unescape(deck.current.body.value)
    assert "Un référent par site" in body and "Hors sujet" not in body
    assert "Personnels" not in body  # no group, nor anything of the sender


def test_free_texts_are_escaped(store, room, ressentis):
    _, ws = room
    participant(store, ressentis, ws.code, "personnel", 2, texts=(("libre_peurs", HOSTILE),))
    participant(store, ressentis, ws.code, "personnel", 3)
    deck = presenter(store, ws)
    deck.go("texts")
    deck.reveal()
    body = deck.current.body.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert HOSTILE not in body


def test_groups_under_k_are_masked(store, ressentis):
    project = store.create_project("Petit groupe")
    ws = store.open_workshop(project, ressentis, k=3)
    for level in (4, 2, 3, 1):
        participant(store, ressentis, ws.code, "personnel", level,
                    texts=(("libre_peurs", f"texte {level}"),), vote="accepte")
    for level in (1, 2, 3):
        participant(store, ressentis, ws.code, "direction_generale", level)
    participant(store, ressentis, ws.code, "medical_soignant", 5)  # alone: under k
    deck = presenter(store, ws)
    deck.go("map")
    deck.reveal()
    rows = dict(deck.current.value["rows"])
    assert set(rows["medical_soignant"]) == {"masked"}
    # and its complement: the next smallest group, so that nothing subtracts back to it
    assert set(rows["direction_generale"]) == {"masked"}
    assert "masked" not in rows["personnel"]
    assert "&lt; 3" in deck.current.body.value
    assert "1 participant" not in deck.current.body.value  # no small count shown
    frame = analysis.feelings_map(analysis.select(store.answers_frame(ws.id),
                                                  validated_only=True))
    assert frame.loc[frame["group"] == "medical_soignant", "n"].isna().all()


def test_texts_and_votes_wait_for_k_people(store, ressentis):
    project = store.create_project("Trop tôt")
    ws = store.open_workshop(project, ressentis, k=3)
    participant(store, ressentis, ws.code, "personnel", 3,
                texts=(("libre_peurs", "un texte qui dirait qui l'a écrit"),), vote="refuse")
    deck = presenter(store, ws)
    deck.go("texts")
    deck.reveal()
    assert deck.current.value["status"] == "masked"
    assert "un texte" not in deck.current.body.value
    deck.go("purpose")
    deck.reveal()
    assert deck.current.value["status"] == "masked"
    assert deck.current.value["acceptance"] is None
    deck.go("divisive")
    deck.reveal()
    assert deck.current.value["items"] == []


def test_empty_workshop_screens_say_they_wait(store, room):
    _, ws = room
    deck = presenter(store, ws)
    for key in ("map", "divisive", "shoes", "texts", "purpose"):
        deck.go(key)
        deck.reveal()
        assert deck.current.value["status"] in ("waiting", "none", "masked"), key
        assert "<td" not in deck.current.body.value
    deck.go("proposals")
    assert deck.current.value["status"] == "none"
    assert "Aucune proposition" in deck.current.body.value


def test_long_lists_are_cut_into_pages_not_scrolled(store, room, ressentis):
    _, ws = room
    for n in range(30):
        participant(store, ressentis, ws.code, "personnel", n % 6,
                    texts=(("libre_peurs", f"Une crainte assez longue, numéro {n:02d}, "
                                           "écrite pour remplir la colonne."),))
    deck = presenter(store, ws)
    deck.go("texts")
    deck.reveal()
    texts = deck.current
    assert texts.pages > 1 and texts.value["page"] == 0
    first = texts.value["columns"]["peur"]
    deck.next()  # the next page of the same screen
    assert deck.current is texts and texts.value["page"] == 1
    assert texts.value["columns"]["peur"] != first
    assert f"Page 2 sur {texts.pages}" in texts.body.value
    for _ in range(texts.pages - 1):  # the last page, then the next screen
        deck.next()
    assert deck.current.key == "purpose"
    deck.previous()
    assert deck.current is texts and texts.value["page"] == texts.pages - 1


def test_paginate_and_plurals():
    assert paginate([1, 2, 3, 4], lambda x: x, 5) == [[1, 2], [3], [4]]
    assert paginate([9], lambda x: x, 5) == [[9]]
    assert paginate([], lambda x: x, 5) == [[]]
    assert tn("present.answers", 0, "fr") == "0 réponse"
    assert tn("present.answers", 1, "fr") == "1 réponse"
    assert tn("present.answers", 2, "fr") == "2 réponses"
    assert tn("present.answers", 0, "en") == "0 answers"
    assert tn("present.answers", 1, "en") == "1 answer"
    assert (words("present.welcome.joined_total", 1, "fr"),
            words("present.welcome.joined_total", 2, "fr")) == ("connecté", "connectés")


# ------------------------------------------------------------------- the controls

def test_navigation_menu_keys_and_prompt(store, room):
    _, ws = room
    deck = presenter(store, ws)
    assert deck.prev_button.disabled and not deck.next_button.disabled
    deck.menu.value = "shoes"  # as the on-screen menu does
    assert deck.value["screen"] == "shoes"
    assert deck.title.value.startswith("<h1>Se mettre à la place de l&#x27;autre</h1>")
    assert ws.code in deck.corner.value and "<svg" in deck.corner.value
    deck.next()
    assert deck.menu.value == "texts"
    code = deck.script.outputs[0]["data"]["application/javascript"]
    assert code == KEYS_JS and "ArrowRight" in code and "' '" in code
    assert "position: fixed" in STYLESHEET
    assert "Pour vous, consultant" in deck.prompt.value
    assert esc(method.presenter_prompt("texts", "fr")) in deck.prompt.value  # the guide's
    deck.prompt_button.value = False  # the on-screen toggle
    assert deck.value["prompt"] is False and deck.prompt.value == ""
    assert deck.prompt.layout.display == "none"
    deck.next()
    assert deck.prompt.value == ""  # stays hidden on every screen
    deck.toggle_prompt()
    assert method.presenter_prompt("purpose", "fr") in unescape(deck.prompt.value)
    deck.go("proposals")
    assert deck.next_button.disabled and deck.reveal_button.disabled


def test_close_asks_first_then_closes_the_workshop(store, room, ressentis):
    _, ws = room
    participant(store, ressentis, ws.code, "personnel", 3, validate=False)
    deck = presenter(store, ws)
    deck.closer.button.click()  # « Clore la séance »
    assert deck.value["confirming"] is True
    question = unescape(deck.closer.question.value)
    assert f"Clore la séance {ws.code} ?" in question
    assert "1 participant n'a pas encore validé" in question
    assert store.workshop(ws.id).is_open  # nothing closed yet
    deck.closer.cancel.click()
    assert deck.value["confirming"] is False and store.workshop(ws.id).is_open
    deck.confirm_close()  # without the question: nothing happens
    assert store.workshop(ws.id).is_open
    deck.close_session()
    deck.closer.confirm.click()  # « Oui, clore la séance »
    assert not store.workshop(ws.id).is_open
    assert deck.value["open"] is False and deck.value["confirming"] is False
    assert "Séance close" in deck.status.value
    assert deck.closer.button.layout.display == "none"
    assert deck.reopen_button.layout.display is None
    assert "Séance close" in deck.all_screens[0].body.value
    with pytest.raises(Exception, match=r"fermé|close"):
        store.join(ws.code, "personnel")
    deck.reopen_button.click()  # a mistaken close is undone in one click
    assert store.workshop(ws.id).is_open and deck.value["open"] is True
    assert deck.closer.button in deck.bar.children and deck.closer.value is False
    assert deck.closer.confirmation in deck.children


def test_tendency_screen_follows_the_workshop_setting(store, room, ressentis):
    _, ws = room
    for level in (1, 4):
        participant(store, ressentis, ws.code, "personnel", level)
    deck = presenter(store, ws)
    assert "tendencies" not in deck.value["screens"]  # off by default
    assert [o[1] for o in deck.menu.options][-1] == "proposals"
    deck.tendency_switch.value = True  # the on-screen switch writes the setting
    assert store.workshop(ws.id).settings.show_tendencies is True
    assert deck.value["screens"][-1] == "tendencies" and deck.tendencies
    deck.go("tendencies")
    assert deck.current.value["revealed"] is False  # hidden until revealed, too
    deck.reveal()
    assert deck.current.value["groups"] == ["personnel"]
    assert deck.current.value["png"] > 1000
    assert '<img class="cp-chart" alt="Tendance' in deck.current.body.value
    assert "data:image/png;base64," in deck.current.body.value
    # turned off elsewhere (02_animer's setting): the presenter follows
    store.set_workshop_settings(ws.id, show_tendencies=False)
    deck.refresh()
    assert "tendencies" not in deck.value["screens"]
    assert deck.current.key == "proposals" and deck.tendency_switch.value is False
    store.set_workshop_settings(ws.id, show_tendencies=True)
    assert presenter(store, ws).value["screens"][-1] == "tendencies"


def test_english(store, room):
    _, ws = room
    deck = presenter(store, ws, lang="en")
    assert deck.title.value.startswith("<h1>Join the session</h1>")
    assert deck.next_button.description == "Next ▶"
    deck.go("map")
    assert "Results hidden" in deck.current.body.value


def test_a_broken_store_shows_a_status_not_a_traceback(store, room, monkeypatch):
    _, ws = room
    deck = presenter(store, ws)

    def broken(_workshop_id):
        raise OSError("disk gone")

    monkeypatch.setattr(store, "activity", broken)
    deck._refresh_quietly()
    assert "Problème de lecture" in deck.status.value
    assert "disk gone" not in deck.status.value and "Traceback" not in deck.status.value
    monkeypatch.undo()
    deck.refresh()
    assert "Ouverte ·" in deck.status.value


# ------------------------------------------------------------------------ the app

def test_app_with_no_data_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("COOPKIT_DATABASE_URL", raising=False)
    app = PresenterApp(data=tmp_path / "vide", query="")
    assert app.check() == "no_data"
    assert not (tmp_path / "vide").exists()  # never a silently created store
    assert "coopkit demo" in app.message.value and "01_preparer" in app.message.value
    assert str(tmp_path / "vide") in app.message.value


def test_app_states_no_project_no_workshop_choose_present(tmp_path, ressentis, monkeypatch):
    monkeypatch.delenv("COOPKIT_DATABASE_URL", raising=False)
    with open_store(data=str(tmp_path)) as store:
        app = PresenterApp(data=tmp_path, query="", participant_url=URL)
        assert app.check() == "no_project"
        assert "Aucun projet" in app.message.value
        project = store.create_project("Deux séances")
        first = store.open_workshop(project, ressentis, wave="T0")
        store.close_workshop(first.id)
        assert app.check() == "no_workshop"
        assert "Aucune séance ouverte" in app.message.value
        store.reopen_workshop(first.id)
        assert app.check() == "present"
        assert app.presenter is not None and app.presenter.workshop_id == first.id
        second = store.open_workshop(project, ressentis, wave="T1")
        app = PresenterApp(data=tmp_path, query="", participant_url=URL)
        assert app.check() == "choose"
        buttons = app.choices.children
        assert len(buttons) == 2 and second.code in buttons[1].description
        buttons[1].click()
        assert app.value == "present" and app.presenter.workshop_id == second.id
        chosen = PresenterApp(data=tmp_path, query=f"workshop={first.id}&lang=en")
        assert chosen.check() == "present" and chosen.presenter.workshop_id == first.id
        assert chosen.presenter.lang == "en"


def test_app_reads_the_environment(tmp_path, ressentis, monkeypatch):
    with open_store(data=str(tmp_path)) as store:
        project = store.create_project("Env")
        store.open_workshop(project, ressentis)
    monkeypatch.setenv("COOPKIT_DATA", str(tmp_path))
    monkeypatch.delenv("COOPKIT_DATABASE_URL", raising=False)
    monkeypatch.setenv("COOPKIT_PARTICIPANT_URL", URL)
    monkeypatch.setenv("QUERY_STRING", "lang=en")
    app = PresenterApp()
    assert app.check() == "present"
    assert app.presenter.participant_url == URL
    assert app.presenter.lang == "en"


# ----------------------------------------------- the participant's page closes too

def test_a_phone_left_open_sees_a_polite_closed_message(store, room, ressentis):
    _, ws = room
    phone = ParticipantApp(store, code=ws.code)
    phone.join.group_radio.value = "personnel"
    phone.join.join()
    assert phone.value == "fill"
    assert phone.check_open() is True
    store.close_workshop(ws.id)
    assert phone.check_open() is False
    assert phone.value == "closed"
    assert "La séance est close" in phone.closed.value
    assert "Merci" in phone.closed.value and "conservées" in phone.closed.value
    assert phone.notice.kind is None  # no red error


def test_an_answer_after_the_close_shows_the_closed_message(store, room, ressentis):
    _, ws = room
    phone = ParticipantApp(store, code=ws.code)
    phone.join.group_radio.value = "personnel"
    phone.join.join()
    store.close_workshop(ws.id)
    item = next(w for w in phone.form.page_widgets() if w.item.type == "intensity")
    item.value = 3
    assert phone.value == "closed" and phone.notice.kind is None


# ------------------------------------------------------------ what it is built on

def test_activity_changes_with_everything_a_screen_shows(store, room, ressentis):
    project, ws = room
    seen = [store.activity(ws.id)]
    assert (seen[0].joined, seen[0].answers, seen[0].code) == (0, 0, ws.code)
    p = store.join(ws.code, "personnel")
    seen.append(store.activity(ws.id))
    store.save_answer(p.token, "libre_peurs", "un")
    seen.append(store.activity(ws.id))
    store.save_answer(p.token, "libre_peurs", "deux")  # a changed answer, same count
    seen.append(store.activity(ws.id))
    assert seen[-1].answers == seen[-2].answers and seen[-1] != seen[-2]
    participant(store, ressentis, ws.code, "personnel", 3)
    seen.append(store.activity(ws.id))
    assert seen[-1].validated == 1 and seen[-1].results_key != seen[-2].results_key
    store.add_proposal(project, "Une idée", "personnel", workshop_id=ws.id)
    seen.append(store.activity(ws.id))
    assert seen[-1].proposals == 1 and seen[-1].results_key == seen[-2].results_key
    store.close_workshop(ws.id)
    seen.append(store.activity(ws.id))
    assert not seen[-1].is_open
    assert all(a != b for a, b in pairwise(seen))
    assert store.activity(ws.id) == seen[-1]  # nothing new: equal
    with pytest.raises(Exception, match="workshop"):
        store.activity(999)


def test_free_texts_frame(ressentis, store, room):
    _, ws = room
    participant(store, ressentis, ws.code, "personnel", 2,
                texts=(("libre_peurs", "  zèbre "), ("libre_attraits", "Abeille")))
    participant(store, ressentis, ws.code, "personnel", 3,
                texts=(("libre_peurs", "zèbre"), ("libre_tentations", "")))
    participant(store, ressentis, ws.code, "medical_soignant", 3,
                texts=(("libre_peurs", "Âne"), ("finalite_amendement", "Plus court.")))
    frame = analysis.select(store.answers_frame(ws.id), validated_only=True)
    texts = analysis.free_texts(frame, ressentis)
    assert list(zip(texts["feeling"], texts["text"], texts["count"], strict=True)) == [
        ("attrait", "Abeille", 1), ("peur", "Âne", 1), ("peur", "zèbre", 2)]
    assert set(texts.columns) >= {"n", "masked", "status"}
    assert "participant" not in texts.columns and "group" not in texts.columns
    amendments = analysis.purpose_amendments(frame, ressentis)
    assert amendments["text"].tolist() == ["Plus court."]
    frame.attrs["k"] = 4  # 3 respondents: every text masked
    masked = analysis.free_texts(frame, ressentis)
    assert (masked["status"] == "masked").all() and masked["text"].isna().all()


def test_purpose_vote_frame(ressentis, store, room):
    _, ws = room
    for vote in ("accepte", "accepte", "amende", "refuse"):
        participant(store, ressentis, ws.code, "personnel", 3, vote=vote)
    frame = analysis.select(store.answers_frame(ws.id), validated_only=True)
    vote = analysis.purpose_vote(frame, ressentis)
    assert vote["choice"].tolist() == ["accepte", "amende", "refuse"]
    assert vote["share"].tolist() == [0.5, 0.25, 0.25]
    assert vote["accepts"].tolist() == [True, True, False]
    assert vote.loc[vote["accepts"], "share"].sum() == pytest.approx(0.75)
    frame.attrs["k"] = 5
    assert analysis.purpose_vote(frame, ressentis)["share"].isna().all()
    readiness = load_questionnaire(QUESTIONNAIRES / "pret-cooperation.yaml")
    assert analysis.purpose_items(readiness)[0] is None  # scale items: not a vote
    assert analysis.purpose_vote(frame, readiness).empty


def test_present_command_line_is_local_and_safe(tmp_path):
    from coopkit.cli import build_parser
    from coopkit.serving import present, serve

    opts = present.PresentOptions(data=tmp_path, port=9001, app_port=9002, lang="en")
    command = present.voila_command(opts)
    assert str(present.PRESENTER_NOTEBOOK) in command
    for option in ("--Voila.ip=127.0.0.1", "--show_tracebacks=False", "--strip_sources=True",
                   "--VoilaConfiguration.allow_template_override=NO", "--port=9001",
                   "--KernelManager.transport=ipc"):
        assert option in command
    assert not any(part.startswith("--preheat_kernel") for part in command)
    assert "--Voila.ip=0.0.0.0" not in command
    env = present.kernel_env(opts, serve.participant_url("10.1.2.3", 9002))
    assert env["COOPKIT_DATA"] == str(tmp_path)
    assert env["COOPKIT_PARTICIPANT_URL"] == "http://10.1.2.3:9002/"
    assert env["COOPKIT_LANG"] == "en"
    args = build_parser().parse_args(["present", "--data", str(tmp_path)])
    assert (args.port, args.app_port) == (present.DEFAULT_PORT, serve.DEFAULT_PORT)
    start = build_parser().parse_args(["start", "--present-port", "9100"])
    assert start.present_port == 9100
    assert present.presenter_url(9100) == "http://127.0.0.1:9100/"


def test_team_servers_presenter_listens_on_a_socket_under_its_proxy_address(
        tmp_path, monkeypatch):
    """The hub's presenter: no TCP port at all, Voilà under the proxy's address, and the
    jupyter-server-proxy entry the hub passes on the command line (a Python literal,
    read back as traitlets reads it) accepted by jupyter-server-proxy itself."""
    import ast

    from jupyter_server_proxy.config import ServerProxy, make_server_process

    from coopkit.cli import build_parser
    from coopkit.serving import present

    sock = tmp_path / "presenter.sock"
    opts = present.PresentOptions(data=tmp_path, socket=sock,
                                  base_url="user/alice/coopkit-presenter")
    command = present.voila_command(opts)
    assert f"--CoopkitVoila.unix_socket={sock}" in command
    assert "--Voila.base_url=/user/alice/coopkit-presenter/" in command
    assert not any(part.startswith(("--port", "--Voila.ip")) for part in command)
    assert present.normalise_base_url("/") == "/"
    assert present.normalise_base_url("//a//b") == "/a/b/"

    monkeypatch.setenv("COOPKIT_PARTICIPANT_URL", "https://participants.exemple.fr/")
    assert present.participants_address(opts) == "https://participants.exemple.fr/"
    given = present.PresentOptions(data=tmp_path, participant_url="https://p.test/")
    assert present.participants_address(given) == "https://p.test/"

    servers = ast.literal_eval(repr(present.proxy_servers("fr")))
    (name, entry), = servers.items()
    process = make_server_process(name, entry, ServerProxy())
    assert process.unix_socket is True and process.absolute_url
    assert process.launcher_entry.title == "Présentateur (écran projeté)"
    assert Path(process.launcher_entry.icon_path).is_file()
    filled = [part.format(unix_socket=str(sock), base_url="/user/alice/")
              for part in process.command]
    args = build_parser().parse_args(filled[3:])  # after "python -m coopkit.cli"
    assert (args.socket, args.base_url) == (sock, "/user/alice/coopkit-presenter/")
    assert args.func.__name__ == "cmd_present" and args.quiet


def test_present_refuses_a_busy_port_and_a_missing_notebook(tmp_path):
    import socket

    from coopkit.errors import CoopkitError
    from coopkit.serving import present

    missing = present.PresentOptions(data=tmp_path, notebook=tmp_path / "nope.ipynb")
    with pytest.raises(CoopkitError, match="présentateur est introuvable"):
        present.present(missing)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = present.PresentOptions(data=tmp_path, port=sock.getsockname()[1])
        with pytest.raises(CoopkitError, match="déjà utilisé"):
            present.present(busy)


def test_02_animer_opens_the_presenter_and_lists_the_prompts(monkeypatch):
    from coopkit.consultant.presenter import PresenterGuide

    monkeypatch.delenv("COOPKIT_PRESENTER_URL", raising=False)
    guide = PresenterGuide(7)
    assert guide.url == "http://127.0.0.1:8870/?workshop=7"
    assert 'href="http://127.0.0.1:8870/?workshop=7" target="_blank"' in guide.value
    assert "Ouvrir le présentateur" in guide.value
    for screen in method.PRESENTER_SCREENS[:-1]:  # the facilitation guide's prompts
        assert esc(method.presenter_prompt(screen, "fr")) in guide.value, screen
    tendencies = esc(method.presenter_prompt("tendencies", "fr"))
    assert tendencies not in guide.value  # the tendencies only when the setting shows them
    assert tendencies in PresenterGuide(7, tendencies=True).value
    monkeypatch.setenv("COOPKIT_PRESENTER_URL", "http://127.0.0.1:9999/")
    assert PresenterGuide(3).url == "http://127.0.0.1:9999/?workshop=3"


def test_the_presenter_notebook_is_thin_wiring():
    import json

    cells = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / "apps"
                        / "presenter.ipynb").read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert "def " not in source and "class " not in source
    imports = [line for line in source.splitlines() if line.startswith(("import", "from"))]
    assert imports == ["from coopkit.consultant.presenter import PresenterApp"]
    assert all(not c.get("outputs") for c in cells)
