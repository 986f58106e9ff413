"""The participant app's widgets, headless: build, set ``value``, ``click()``, then look
at the widgets and at the store (a real SQLite file in tmp_path)."""

from __future__ import annotations

import asyncio
import gc
import html
import os
import threading
import time
import warnings
from pathlib import Path

import ipywidgets as widgets
import pytest
from tests_helpers import in_an_event_loop

from coopkit import open_store
from coopkit.definitions.questionnaire import Item, load, parse
from coopkit.errors import fail
from coopkit.i18n import set_language
from coopkit.participant.app import ParticipantApp, resume_href
from coopkit.participant.form import pages_of
from coopkit.participant.result import own_result
from coopkit.participant.url import QUERY_ENV, parse_query, url_parameters
from coopkit.widgets import items
from coopkit.widgets.items import answered, item_widget

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "apps" / "participer.ipynb"
XSS = "<img src=x onerror=alert(1)>"


def text(fr: str, en: str | None = None) -> dict:
    return {"fr": fr, "en": en or f"{fr} (en)"}


#: Every item type, a sub-section, optional items and an item shown to one group only.
DEFINITION = {
    "id": "essai",
    "version": "1",
    "kind": "readiness",
    "title": text("Essai <b>gras</b>", "Trial <b>bold</b>"),
    "intro": text("Bienvenue", "Welcome"),
    "groups": ["personnel", "medical_soignant"],
    "scales": {"accord": {"points": [
        {"value": 1, "label": text("Non", "No")},
        {"value": 2, "label": text("Plutôt non", "Rather not")},
        {"value": 3, "label": text("Plutôt oui", "Rather yes")},
        {"value": 4, "label": text("Oui", "Yes")},
    ], "dont_know": True}},
    "sections": [
        {"id": "gouvernance", "title": text("Gouvernance", "Governance"), "items": [
            {"id": "g1", "type": "scale", "scale": "accord",
             "text": text("Le comité décide", "The committee decides"),
             "feedback": text("Réunissez le comité", "Gather the committee")},
            {"id": "g2", "type": "single", "text": text("Un choix", "A choice"),
             "choices": [{"id": "a", "label": text("A"), "score": 1},
                         {"id": "b", "label": text("B"), "score": 0}],
             "feedback": text("Pensez à A", "Think of A")},
        ], "subsections": [
            {"id": "regles", "title": text("Règles", "Rules"), "items": [
                {"id": "r1", "type": "intensity", "max": 5, "text": text("Peur", "Fear"),
                 "feeling": "peur", "theme": "arbitrage", "weak_above": 3,
                 "low": text("Pas du tout", "Not at all"),
                 "high": text("Très fort", "Very strongly"),
                 "feedback": text("Parlez-en", "Talk about it")},
                {"id": "r2", "type": "multiple", "required": False,
                 "text": text("Plusieurs", "Several"),
                 "choices": [{"id": "x", "label": text("X")},
                             {"id": "y", "label": text("Y")}]},
                {"id": "r3", "type": "scale", "scale": "accord", "audience": ["medical_soignant"],
                 "text": text("Pour les soignants", "For care staff"),
                 "feedback": text("Voir", "See")},
            ]},
        ]},
        {"id": "mots", "title": text("En quelques mots", "In a few words"), "items": [
            {"id": "t1", "type": "text", "required": False,
             "text": text("Autre chose ?", "Anything else?")},
        ]},
    ],
}


@pytest.fixture(autouse=True)
def french_by_default(monkeypatch):
    monkeypatch.delenv("COOPKIT_LANG", raising=False)
    set_language(None)


@pytest.fixture
def questionnaire():
    return parse(DEFINITION)


@pytest.fixture
def store(tmp_path):
    with open_store(data=tmp_path) as s:
        yield s


@pytest.fixture
def workshop(store, questionnaire):
    project = store.create_project("Projet")
    store.add_partner(project, "Hôpital <Nord>")
    store.add_partner(project, "EHPAD Les Tilleuls")
    return store.open_workshop(project, questionnaire, k=2, title="Atelier <i>1</i>")


def good_value(item: Item) -> object:
    """A valid answer to any item (strong, so nothing is weak unless said)."""
    if item.type == "scale":
        return max(item.scale.values)
    if item.type == "intensity":
        return 1
    if item.type == "single":
        return item.choices[0].id
    if item.type == "multiple":
        return [item.choices[-1].id]
    return "Rien à ajouter"


def joined(store, workshop, group="personnel", lang=None, place="Hôpital <Nord>"):
    app = ParticipantApp(store, code=workshop.code, lang=lang)
    app.join.group_radio.value = group
    app.join.place_radio.value = place
    app.join.join_button.click()
    assert app.value == "fill", app.notice.text
    return app


def answer_page(app, override=None):
    for w in app.form.page_widgets():
        w.value = (override or {}).get(w.item.id, good_value(w.item))


def fill_all(app, override=None):
    form = app.form
    while True:
        answer_page(app, override)
        if form.page == len(form.pages) - 1:
            form.finish_button.click()
            return
        form.next_button.click()


def html_values(widget) -> list[str]:
    """The value of every HTML widget under ``widget``."""
    found = []
    stack = [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, widgets.HTML):
            found.append(w.value)
        stack.extend(getattr(w, "children", ()))
    return found


# ----------------------------------------------------------------------- items

@pytest.mark.parametrize(("item_id", "value"), [
    ("g1", 3), ("g1", "dk"), ("g2", "b"), ("r1", 0), ("r1", 5), ("r2", ["x", "y"]),
    ("r2", []), ("t1", "bonjour"),
])
def test_item_widget_value_follows_control_and_back(questionnaire, item_id, value):
    w = item_widget(questionnaire.item(item_id), "fr")
    assert w.value is None  # nothing preselected
    w.value = value
    assert w.value == value
    if item_id == "r2":
        assert [c for c, box in w.boxes.items() if box.value] == value
    else:
        assert w.control.value == value
    w.value = None
    assert w.value is None


def test_item_widget_from_control(questionnaire):
    radio = item_widget(questionnaire.item("g2"), "fr")
    radio.control.value = "a"
    assert radio.value == "a"
    multiple = item_widget(questionnaire.item("r2"), "fr")
    multiple.boxes["y"].value = True
    multiple.boxes["x"].value = True
    assert multiple.value == ["x", "y"]  # in the choices' order
    area = item_widget(questionnaire.item("t1"), "fr")
    # Text follows after a pause in typing when an event loop runs (a kernel's; here,
    # maybe Playwright's, which never runs the timer): commit() takes it at once.
    area.control.value = "un mot"
    area.commit()
    assert area.value == "un mot"
    area.control.value = ""
    area.commit()
    assert area.value == ""  # erased: saved as erased


def test_question_is_an_escaped_heading(questionnaire):
    item = parse({**DEFINITION, "sections": [{"id": "s", "title": text("S"), "items": [
        {"id": "q", "type": "text", "text": text(XSS)}]}]}).item("q")
    w = item_widget(item, "fr", 4)
    assert f'<h3 class="coopkit-question">4. {html.escape(XSS)}</h3>' in w.head.value
    assert XSS not in w.head.value


def test_answered():
    assert not any(answered(v) for v in (None, "", "  ", [], ()))
    assert all(answered(v) for v in (0, "dk", "a", ["x"], "mot"))


# ------------------------------------------------------------------------ join

def test_wrong_code_shows_a_message_and_the_join_page(store, workshop):
    app = ParticipantApp(store, code="zz-zz-zz")
    assert app.value == "join"
    assert app.notice.kind == "error"
    assert "ZZZZZZ" in app.notice.text
    assert "<input>" not in app.notice.text  # no file location for a participant
    assert app.join.code_text.value == "zz-zz-zz"
    assert app.join.code_text.description == "Code de la séance"
    app.join.code_text.value = "  "
    app.join.continue_button.click()
    assert "Saisissez d'abord le code" in app.notice.text
    app.join.code_text.value = workshop.code.lower()
    app.join.continue_button.click()
    assert app.notice.text == ""
    assert app.join.children == (app.join.who_box,)


def test_join_needs_a_group_and_offers_the_establishments(store, workshop):
    app = ParticipantApp(store, code=workshop.code)
    assert app.join.group_radio.value is None and app.join.place_radio.value is None
    assert [v for _, v in app.join.group_radio.options] == ["personnel", "medical_soignant"]
    assert [v for _, v in app.join.place_radio.options][:2] == ["Hôpital <Nord>",
                                                                "EHPAD Les Tilleuls"]
    app.join.join_button.click()
    assert app.value == "join" and "groupe" in app.notice.text
    app.join.group_radio.value = "personnel"
    app.join.place_radio.value = "-"  # rather not say
    app.join.join_button.click()
    assert app.value == "fill"
    assert app.participant.group == "personnel" and app.participant.establishment is None
    assert store.participation(workshop.id)["personnel"].joined == 1


def test_without_code_nothing_touches_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPKIT_DATA", str(tmp_path / "data"))
    app = ParticipantApp()
    assert app.value == "join" and app.notice.text == ""
    assert not (tmp_path / "data").exists()


# ------------------------------------------------------------------------ form

def test_every_answer_is_saved_when_given(store, workshop):
    app = joined(store, workshop)
    form, token = app.form, app.participant.token
    assert form.value == {} and all(w.value is None for w in form.page_widgets())
    assert "coopkit-resume-link" in app.resume_info.value
    assert app.script.address == resume_href(token)  # a reload resumes
    for w in form.page_widgets():
        w.value = good_value(w.item)
        assert store.answers(token)[w.item.id] == w.value
        assert "Réponse enregistrée" in form.saved.value
    w = form.page_widgets()[0]
    w.value = "dk"  # a change replaces the answer
    assert store.answers(token)["g1"] == "dk"


def test_typed_text_is_saved_after_a_pause_and_at_once_on_a_page_turn(
        store, workshop, monkeypatch):
    monkeypatch.setattr(items, "TEXT_PAUSE", 0.3)
    app = joined(store, workshop)
    form, token = app.form, app.participant.token
    form.go(next(i for i, p in enumerate(form.pages) if any(it.id == "t1" for it in p.items)))
    area = form.widgets["t1"].control

    async def scenario() -> None:
        area.value, area.value = "Bon", "Bonjour"  # key strokes, sent as typed
        assert "t1" not in store.answers(token)  # still typing: nothing saved per letter
        deadline = time.monotonic() + 10
        while store.answers(token).get("t1") != "Bonjour":
            assert time.monotonic() < deadline, "the pause did not save the text"
            await asyncio.sleep(0.05)
        area.value = "Bonjour à tous"
        form.go(form.page)  # a page turn does not wait for the pause
        assert store.answers(token)["t1"] == "Bonjour à tous"

    in_an_event_loop(scenario)


def test_pages_next_back_and_progress(store, workshop, questionnaire):
    app = joined(store, workshop)
    form = app.form
    assert [p.title.id for p in form.pages] == ["gouvernance", "regles", "mots"]
    assert [it.id for it in form.pages[1].items] == ["r1", "r2"]  # r3: other group
    assert form.back_button.layout.display == "none"
    assert form.finish_button.layout.display == "none"
    moves = app.script.moves
    form.next_button.click()
    assert form.page == 1 and app.script.moves == moves + 1
    assert "<h2>Règles</h2>" in form.title.value
    assert form.back_button.layout.display is None
    form.next_button.click()
    assert form.page == 2
    assert form.next_button.layout.display == "none"
    assert form.finish_button.layout.display is None
    form.back_button.click()
    assert form.page == 1
    form.page_widgets()[0].value = 2
    assert "1 réponse sur 5" in form.progress.value  # French plural: 0 and 1 singular
    assert "Règles : 50\u00a0%" in form.overview.value
    form.page_widgets()[1].value = ["x"]
    assert "2 réponses sur 5" in form.progress.value


def test_required_questions_are_flagged_before_the_result(store, workshop):
    app = joined(store, workshop)
    form = app.form
    form.page_widgets()[0].value = 4  # g1 answered, g2 (required) not
    form.next_button.click()
    form.next_button.click()
    form.finish_button.click()
    assert app.value == "fill"
    assert "Il reste 2 questions obligatoires sans réponse" in app.notice.text
    assert form.page == 0  # the first page holding a missing answer
    g2 = form.widgets["g2"]
    assert "coopkit-missing" in g2._dom_classes
    assert "Merci de répondre à cette question." in g2.head.value
    assert "coopkit-missing" not in form.widgets["g1"]._dom_classes
    g2.value = "a"
    assert "coopkit-missing" not in g2._dom_classes
    form.next_button.click()
    assert "coopkit-missing" in form.widgets["r1"]._dom_classes
    form.widgets["r1"].value = 2
    form.next_button.click()
    form.finish_button.click()
    assert app.value == "result"


def test_reload_with_the_resume_link_restores_every_answer(store, workshop):
    app = joined(store, workshop)
    answer_page(app)
    app.form.next_button.click()
    answer_page(app, {"r2": ["x", "y"]})
    given = dict(app.form.value)
    assert given == store.answers(app.participant.token)
    assert resume_href(app.participant.token) in html.unescape(app.resume_info.value)

    again = ParticipantApp(store, resume=app.participant.token)
    assert again.value == "fill"
    assert again.form.value == given
    assert again.form.page == 2  # where answers are still missing
    for index in range(len(again.form.pages)):
        again.form.go(index)
        for w in again.form.page_widgets():
            assert w.value == given.get(w.item.id)


def test_unknown_resume_token_shows_the_join_page(store, workshop):
    app = ParticipantApp(store, resume="not-a-token", code=workshop.code)
    assert app.value == "join"
    assert "lien de reprise" in app.notice.text
    assert app.join.workshop == workshop


def test_resume_code_field_resumes(store, workshop):
    first = joined(store, workshop)
    answer_page(first)
    app = ParticipantApp(store)
    app.join.resume_button.click()
    assert "code de reprise" in app.notice.text
    code = first.participant.resume_code
    assert code in first.resume_info.value  # shown from the first page on
    app.join.resume_text.value = f"  {code.lower()} "
    app.join.resume_button.click()
    assert app.value == "fill" and app.form.value == first.form.value


def test_a_failed_save_is_shown_kept_and_retried(store, workshop, capsys):
    app = joined(store, workshop)

    class Flaky:
        """The store, refusing the next ``failures`` saves."""

        def __init__(self, failures):
            self.failures = list(failures)

        def __getattr__(self, name):
            return getattr(store, name)

        def save_answer(self, token, item_id, value):
            if self.failures:
                raise self.failures.pop(0)
            return store.save_answer(token, item_id, value)

    app.form.store = Flaky([fail("store_busy"), RuntimeError("disk on fire")])
    g1, g2 = app.form.page_widgets()[:2]
    g1.value = 3
    assert g1.value == 3 and app.form.pending == {"g1": 3}
    assert "pas encore enregistrée" in app.form.saved.value
    g2.value = "a"  # the retry fails again, unexpectedly: logged, kept
    assert app.form.pending == {"g1": 3, "g2": "a"}
    assert "disk on fire" in capsys.readouterr().err
    assert not any("disk on fire" in v or "Traceback" in v for v in html_values(app))
    app.form.next_button.click()  # the next page turn retries, and succeeds
    assert app.form.pending == {}
    assert store.answers(app.participant.token) == {"g1": 3, "g2": "a"}
    assert "Réponse enregistrée" in app.form.saved.value


def test_unexpected_errors_show_a_polite_message_and_go_to_the_log(store, workshop, capsys):
    class Broken:
        def __getattr__(self, name):
            return getattr(store, name)

        def workshop_by_code(self, code):
            raise KeyError("boom")

    app = ParticipantApp(Broken(), code=workshop.code)
    assert app.value == "join"
    assert "Un incident technique est survenu de notre côté" in app.notice.text
    assert "Traceback" in capsys.readouterr().err
    assert not any("boom" in v or "Traceback" in v for v in html_values(app))


# --------------------------------------------------------- result and validation

def test_the_three_steps_lock_and_thank(store, workshop):
    app = joined(store, workshop)
    fill_all(app, {"g2": "b", "r1": 5, "t1": XSS})
    assert app.value == "result"
    assert '<li aria-current="step">2. Je vois mon résultat</li>' in app.header.value
    result = app.result.own.value
    assert "Mon résultat" in result and "Pistes pour avancer" in result
    assert "Pensez à A" in result and "Parlez-en" in result  # weak items' feedback
    assert "Réunissez le comité" not in result  # g1 is strong
    assert app.result.value["weak"] == ["g2", "r1"]
    assert app.validate_button.description == "Valider mon résultat"

    app.edit_button.click()  # step 2 -> back to step 1, nothing lost
    assert app.value == "fill" and app.form.value["t1"] == XSS
    app.form.finish_button.click()
    app.validate_button.click()
    assert app.value == "thanks"
    assert "Merci !" in app.thanks.value
    assert store.resume(app.participant.token).validated_at is not None
    assert app.participant.validated
    saved = store.answers(app.participant.token)

    w = app.form.widgets["g1"]
    assert w.control.disabled
    w.value = 1  # a later change: refused politely, nothing stored
    assert "ne peuvent plus être modifiées" in app.notice.text
    assert w.value == saved["g1"]
    assert store.answers(app.participant.token) == saved

    back = ParticipantApp(store, resume=app.participant.token)
    assert back.value == "thanks" and back.form.locked


def test_group_picture_waits_for_k_validations(store, workshop):
    first = joined(store, workshop)
    fill_all(first)
    assert first.result.group_picture.value == ""  # not before validating
    assert first.result.group_picture.layout.display == "none"
    first.validate_button.click()
    picture = html.unescape(first.result.group_picture.value)
    assert "au moins 2 participants" in picture and "pour l'instant : 1" in picture

    second = joined(store, workshop, group="medical_soignant", place="EHPAD Les Tilleuls")
    fill_all(second, {"r3": 1})
    second.validate_button.click()
    picture = html.unescape(second.result.group_picture.value)
    assert "D'après les 2 participants" in picture
    assert 'class="coopkit-bar"' in picture
    first.result.refresh_button.click()
    assert "D'après les 2 participants" in html.unescape(first.result.group_picture.value)


def test_every_text_is_escaped_in_every_html_widget(store, questionnaire):
    project = store.create_project("P")
    store.add_partner(project, XSS)
    workshop = store.open_workshop(project, questionnaire, k=1, title=XSS)
    app = joined(store, workshop, place=XSS)
    assert app.participant.establishment == XSS
    fill_all(app, {"t1": XSS})
    app.validate_button.click()
    values = html_values(app)
    assert all(XSS not in v for v in values)
    escaped = html.escape(XSS)
    assert any(escaped in v for v in values)  # the header's title, "your words"
    assert escaped in app.header.value
    assert escaped in app.result.own.value


def test_english_from_the_url_or_the_workshop(store, workshop, questionnaire):
    app = joined(store, workshop, lang="en")
    assert app.form.next_button.description == "Next"
    assert "The committee decides" in app.form.widgets["g1"].head.value
    assert [label for label, _ in app.form.widgets["g1"].control.options][-1] == \
        "I don't know"
    fill_all(app)
    assert app.validate_button.description == "Validate my result"
    assert "lang=en" in app.resume_info.value

    english = store.open_workshop(workshop.project_id, questionnaire, lang="en")
    app = ParticipantApp(store, code=english.code)
    assert app.join.join_button.description == "Start"
    app.join.group_radio.value = "personnel"
    app.join.join_button.click()
    assert app.form.back_button.description == "Back"
    french = ParticipantApp(store, code=english.code, lang="fr")
    assert french.join.join_button.description == "Commencer"


def test_server_language_before_the_code_is_known(store, workshop, monkeypatch):
    monkeypatch.setenv("COOPKIT_LANG", "en")  # coopkit serve --lang en
    app = ParticipantApp(store)
    assert app.join.continue_button.description == "Continue"
    assert app.join.code_text.description == "Workshop code"
    assert "Cooperation workshop" in app.header.value
    app.join.code_text.value = workshop.code
    app.join.continue_button.click()  # a French workshop: its language wins
    assert app.join.join_button.description == "Commencer"
    assert "Séance de coopération" in app.header.value


@pytest.mark.parametrize("name", ["ressentis", "pret-cooperation"])
def test_whole_real_questionnaire(store, name):
    questionnaire = load(ROOT / "questionnaires" / f"{name}.yaml")
    project = store.create_project(name)
    workshop = store.open_workshop(project, questionnaire, k=1)
    app = joined(store, workshop, group="medical_soignant", place=None)
    shown = [it for p in pages_of(questionnaire, "medical_soignant") for it in p.items]
    fill_all(app)
    assert app.value == "result", app.notice.text
    app.validate_button.click()
    assert app.value == "thanks", app.notice.text
    assert store.answers(app.participant.token) == {it.id: good_value(it) for it in shown}
    assert "coopkit-bar" in app.result.group_picture.value
    mine = own_result(questionnaire, app.form.value, "medical_soignant")
    assert app.result.value == mine.as_value()


def test_nobody_is_asked_to_estimate_their_own_group():
    questionnaire = load(ROOT / "questionnaires" / "ressentis.yaml")
    about = {it.id: it.about for it in questionnaire.items() if it.about}
    assert "medical_soignant" in about.values()
    for group in ("medical_soignant", "personnel", None):
        asked = {it.id for p in pages_of(questionnaire, group) for it in p.items}
        assert {i for i in about if i in asked} == {
            i for i, whom in about.items() if whom != group}, group


# ------------------------------------------------------------------- URL, notebook

@pytest.mark.parametrize(("query", "code", "resume", "lang"), [
    ("", None, None, None),
    ("code=ABC234", "ABC234", None, None),
    ("?code=abc-234&lang=en", "abc-234", None, "en"),
    ("resume=tok_EN-1&lang=EN", None, "tok_EN-1", "en"),
    ("lang=de&code=", None, None, None),
    ("code=" + "A" * 500, "A" * 128, None, None),
])
def test_parse_query(query, code, resume, lang):
    params = parse_query(query)
    assert (params.code, params.resume, params.lang) == (code, resume, lang)


def test_url_parameters_outside_voila(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv(QUERY_ENV, raising=False)
    assert url_parameters().code is None
    monkeypatch.setenv(QUERY_ENV, "code=ABC234&lang=en")
    assert url_parameters().lang == "en"
    monkeypatch.setenv("QUERY_STRING", "resume=xyz")  # what Voilà sets wins
    assert url_parameters().resume == "xyz"


@pytest.fixture
def fake_voila(monkeypatch):
    """A websocket server standing for Voilà's ``/voila/query/<kernel id>`` handler, and
    the environment of a preheated kernel pointing at it."""
    import asyncio
    import json
    from http import HTTPStatus
    from types import SimpleNamespace

    from websockets.asyncio.server import serve

    info = {"QUERY_STRING": "code=ABC234&lang=en", "SCRIPT_NAME": "/", "SERVER_PORT": "1"}
    paths: list[str] = []
    #: handshakes to refuse first (a server too busy starting kernels to answer)
    state = SimpleNamespace(paths=paths, refuse=0, refused=0)

    async def handler(socket):
        paths.append(socket.request.path)
        await socket.send(json.dumps(info))

    def process_request(connection, request):
        if state.refused < state.refuse:
            state.refused += 1
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "busy\n")
        return None

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start():
        return await serve(handler, "127.0.0.1", 0, process_request=process_request)

    server = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    for name in ("VOILA_WS_BASE_URL", "VOILA_APP_IP", "VOILA_WS_PROTOCOL", "QUERY_STRING",
                 QUERY_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_KERNEL_ID", "kernel-1")
    monkeypatch.setenv("VOILA_SERVER_URL", "/")
    monkeypatch.setenv("VOILA_APP_PORT", str(server.sockets[0].getsockname()[1]))
    for key in info:  # os.environ is written by the code under test: restored after
        monkeypatch.setenv(key, "")
        monkeypatch.delenv(key)
    yield state
    server.close()
    asyncio.run_coroutine_threadsafe(server.wait_closed(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def test_preheated_kernel_reads_the_request_like_voila(fake_voila):
    params = url_parameters()
    assert (params.code, params.lang) == ("ABC234", "en")
    assert fake_voila.paths == ["/voila/query/kernel-1"]
    mine = {k: os.environ[k] for k in ("QUERY_STRING", "SCRIPT_NAME", "SERVER_PORT")}
    for key in mine:
        del os.environ[key]
    from voila.utils import wait_for_request  # the reference (heavy: tests only)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        wait_for_request()
        gc.collect()  # voila.utils leaves its event loop unclosed: let it go quietly here
    assert fake_voila.paths == ["/voila/query/kernel-1"] * 2
    assert {k: os.environ[k] for k in mine} == mine


def test_a_busy_server_is_tried_again_until_it_answers(fake_voila, monkeypatch):
    """A pool of 220 pages filling at once on two cores kept Voilà from answering the
    query websocket's handshake in time: 54 kernels gave up and would have shown their
    participants a page ignoring the code and the resume link in their address."""
    from coopkit.participant import url

    fake_voila.refuse = 3
    monkeypatch.setattr(url, "OPEN_TIMEOUT", 5.0)
    params = url_parameters()
    assert fake_voila.refused == 3
    assert (params.code, params.lang) == ("ABC234", "en")
    assert fake_voila.paths == ["/voila/query/kernel-1"]


def test_no_request_info_means_no_parameter_and_a_log_line(monkeypatch, capsys):
    from coopkit.participant import url

    monkeypatch.setattr(url, "RETRY_FOR", 1.0)  # tried again for a second, then given up
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_PORT", "9")  # nothing listens there
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv(QUERY_ENV, raising=False)
    assert url_parameters() == parse_query("")
    assert "no request info" in capsys.readouterr().err


def test_notebook_is_thin_and_stripped():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        assert cell.cell_type == "code"  # Voilà would show markdown to participants
        assert not cell.get("outputs") and cell.get("execution_count") is None
        assert "def " not in cell.source and "class " not in cell.source
    assert "url_parameters()" in nb.cells[1].source


@pytest.mark.slow
def test_app_notebook_runs_headless(tmp_path, monkeypatch, questionnaire):
    import nbformat
    from nbclient import NotebookClient

    data = tmp_path / "data"
    with open_store(data=data) as s:
        project = s.create_project("P")
        code = s.open_workshop(project, questionnaire).code
    monkeypatch.setenv("COOPKIT_DATA", str(data))
    monkeypatch.setenv(QUERY_ENV, f"code={code}&lang=en")
    monkeypatch.delenv("COOPKIT_DATABASE_URL", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells for o in cell.outputs]
    assert not [o for o in outputs if o.output_type in ("error", "stream")]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in outputs)
    assert os.listdir(data)


def test_app_built_ahead_then_started_with_the_url(store, workshop):
    """A preheated kernel builds the app and prepares it before the request comes."""
    app = ParticipantApp(store)
    app.prepare()
    assert workshop.questionnaire_hash in store._questionnaires  # read ahead
    assert app.value == "join" and app.join.children[0] is app.join.code_box
    app.start(code=workshop.code.lower(), lang="en")
    assert app.join.children == (app.join.who_box,)
    assert app.join.join_button.description == "Start"
    assert app.notice.text == ""


def test_app_started_with_a_wrong_code_or_a_resume_link(store, workshop):
    app = ParticipantApp(store)
    app.start(code="nope42")
    assert app.value == "join" and app.notice.kind == "error" and "NOPE42" in app.notice.text
    participant = store.join(workshop.code, "personnel")
    again = ParticipantApp(store)
    again.start(resume=participant.token)
    assert again.value == "fill" and again.participant.token == participant.token


def test_prepare_never_raises(tmp_path):
    class Broken:
        def workshops(self):
            raise OSError("disk gone")

    app = ParticipantApp(Broken())
    app.prepare()
    assert app.value == "join"


# ------------------------------------------------------------- the phone's screen

def test_intensity_is_a_radio_group_drawn_as_a_row(questionnaire):
    item = next(it for it in questionnaire.items() if it.type == "intensity")
    w = item_widget(item, "fr")
    assert isinstance(w.control, widgets.RadioButtons)
    assert "coopkit-scale-row" in w.control._dom_classes
    assert [label for label, _ in w.control.options] == ["0", "1", "2", "3", "4", "5"]
    assert w.value is None and w.control.value is None  # nothing preselected
    w.control.value = 4
    assert w.value == 4


def test_the_questions_come_first_on_a_phone(store, workshop):
    app = joined(store, workshop)
    form = app.form
    assert form.children.index(form.body) < form.children.index(form.overview)
    assert form.children[-1] is form.overview  # per-part completion after the buttons
    assert '<details class="coopkit-intro">' in form.title.value  # folded introduction
    assert "<p>Bienvenue</p>" in form.title.value
    assert app.children.index(app.body) < app.children.index(app.resume_info)
    assert "<details>" not in app.resume_info.value  # in full on the first part
    assert "ou notez ce code de reprise" in app.resume_info.value
    form.next_button.click()
    assert "coopkit-intro" not in form.title.value  # shown once
    assert app.resume_info.value.startswith("<details><summary>Reprendre plus tard")


def test_validate_stays_within_reach_and_the_thank_you_shows_the_group_first(store,
                                                                             workshop):
    app = joined(store, workshop)
    fill_all(app)
    assert app.value == "result"
    assert app.body.children[-1] is app.action_bar
    assert app.validate_button in app.action_bar.children
    assert "Seules les réponses validées comptent" in app.validate_reminder.value
    assert not app.script.released
    app.validate_button.click()
    assert app.value == "thanks"
    assert app.resume_info.value == ""  # nothing left to come back for
    columns = app.result.children[0]
    assert columns.children[0].children[0] is app.result.group_picture
    assert columns.children[1] is app.result.own
    assert app.script.released  # the page, once left, frees its kernel


def test_the_page_gets_the_participants_language_and_the_workshops_title(store, workshop):
    app = ParticipantApp(store)
    app.start(code=workshop.code, lang="en")
    assert app.page_title() == "Atelier <i>1</i>"
    assert app.script.page == ("en", "Atelier <i>1</i>")
    head = app.page_head().data
    assert head.startswith("<script>window.coopkitPage&&coopkitPage.head(")
    assert '"lang": "en"' in head and '"loading": "Preparing your questionnaire…"' in head
    assert "<i>" not in head  # "<" written \u003c: no element can be closed or opened
    assert "Atelier \\u003ci>1\\u003c/i>" in head


def test_another_page_locks_itself_once_validated_elsewhere(store, workshop):
    """Two pages of one participant: after validating on one, the other's next tap is
    refused, the control shows what is stored, and the page thanks without ids."""
    first = joined(store, workshop)
    first.form.page_widgets()[0].value = 4
    second = ParticipantApp(store, resume=first.participant.token)
    assert second.form.widgets["g1"].value == 4
    fill_all(first)
    first.validate_button.click()
    assert first.value == "thanks"

    second.form.widgets["g1"].value = 1  # refused by the store
    assert second.form.widgets["g1"].value == 4  # what is stored, not what was tapped
    assert second.form.widgets["g1"].control.value == 4
    assert second.form.locked and second.form.widgets["g1"].control.disabled
    assert second.value == "thanks"
    assert "déjà été validées" in second.notice.text
    assert "g1" not in second.notice.text and "question " not in second.notice.text
    assert store.answers(first.participant.token)["g1"] == 4


def test_another_page_locks_itself_at_a_page_turn(store, workshop):
    first = joined(store, workshop)
    second = ParticipantApp(store, resume=first.participant.token)
    fill_all(first)
    first.validate_button.click()
    second.form.next_button.click()
    assert second.form.page == 0 and second.value == "thanks"


def test_a_mistyped_resume_code_gets_a_message_about_a_code(store, workshop):
    app = ParticipantApp(store)
    app.join.resume_text.value = "abcde-fghjk"
    app.join.resume_button.click()
    assert app.notice.kind == "error"
    assert "Le code de reprise «\u00a0ABCDE-FGHJK\u00a0»" in app.notice.text
    assert "lien" not in app.notice.text
    long = "x" * 40  # perhaps a token pasted from a link: never repeated
    app.join.resume_text.value = long
    app.join.resume_button.click()
    assert "Ce code de reprise ne correspond" in app.notice.text and long not in \
        app.notice.text


def test_a_wrong_join_code_is_shown_between_french_quotes(store, workshop):
    app = ParticipantApp(store, code="qqq999")
    assert "Le code «\u00a0QQQ999\u00a0» ne correspond à aucune séance." in app.notice.text
    assert "'QQQ999'" not in app.notice.text
