"""« Ne me concerne pas » on an intensity item, along the whole path: the phone's button,
the store, the means (left out), the feelings map (counted), the participant's result,
the paper form and the exports (shown as such)."""

from __future__ import annotations

import pytest

from coopkit import analysis
from coopkit.definitions.questionnaire import NOT_APPLICABLE, parse
from coopkit.exports.gather import gather
from coopkit.exports.paper import choice_labels, paper_pages
from coopkit.exports.tables import answers_table, tables
from coopkit.participant.result import own_result, own_result_html
from coopkit.widgets.items import item_widget


def _text(fr: str, en: str) -> dict:
    return {"fr": fr, "en": en}


def _intensity(iid: str, **extra: object) -> dict:
    return {"id": iid, "type": "intensity", "max": 5, "feeling": "peur", "theme": "qualite",
            "low": _text("Pas du tout", "Not at all"), "high": _text("Tout à fait", "Completely"),
            "text": _text(f"J'ai peur ({iid}).", f"I fear ({iid})."), **extra}


QUESTIONNAIRE = parse({
    "id": "nmcp", "version": "1", "kind": "feelings", "title": _text("Test", "Test"),
    "groups": ["personnel", "elus_population"],
    "sections": [{"id": "s", "title": _text("Section", "Section"), "items": [
        _intensity("offert", not_concerned=True),
        _intensity("sans"),
        _intensity("pour_elus", audience=["elus_population"], not_concerned=True),
    ]}],
})


def test_the_button_is_there_only_where_offered():
    offered = item_widget(QUESTIONNAIRE.item("offert"), "fr")
    labels = [label for label, _ in offered.control.options]
    assert labels[-1] == "Ne me concerne pas" and offered.control.options[-1][1] == NOT_APPLICABLE
    assert offered.control.value is None  # nothing preselected
    offered.value = NOT_APPLICABLE
    assert offered.control.value == NOT_APPLICABLE
    plain = item_widget(QUESTIONNAIRE.item("sans"), "en")
    assert [v for _, v in plain.control.options] == list(range(6))
    assert item_widget(QUESTIONNAIRE.item("offert"), "en").control.options[-1][0] == \
        "Does not concern me"


@pytest.fixture
def answered(store):
    project = store.create_project("Projet")
    ws = store.open_workshop(project, QUESTIONNAIRE, k=2)
    people = [store.join(ws.code, "personnel") for _ in range(3)]
    for p, value in zip(people, (NOT_APPLICABLE, 4, 2), strict=True):
        store.save_answer(p.token, "offert", value)
        store.save_answer(p.token, "sans", 3)
        store.validate(p.token)
    return store, ws, people


def test_the_store_keeps_it_and_the_means_leave_it_out(answered):
    store, ws, people = answered
    assert store.answers(people[0].token)["offert"] == NOT_APPLICABLE
    with pytest.raises(Exception) as err:  # not offered: refused, nothing written
        store.save_answer(people[0].token, "sans", NOT_APPLICABLE)
    assert "0..5" in str(err.value)
    frame = store.answers_frame(ws.id)
    fmap = analysis.feelings_map(frame)
    cell = fmap[(fmap["group"] == "personnel") & (fmap["theme"] == "qualite")
                & (fmap["feeling"] == "peur")].iloc[0]
    # person 1: only "sans" (3/5); persons 2 and 3: (4+3)/2 and (2+3)/2, out of 5
    assert cell["mean"] == pytest.approx((0.6 + 0.7 + 0.5) / 3)
    assert cell["not_concerned"] == 1 and cell["n"] == 3


def test_a_masked_cell_hides_its_count_too(answered):
    store, ws, _ = answered
    frame = store.answers_frame(ws.id)
    frame.attrs["k"] = 5
    fmap = analysis.feelings_map(frame)
    assert fmap["not_concerned"].isna().all() and set(fmap["status"]) <= {"masked", "empty"}


def test_the_participants_result_says_it():
    answers = {"offert": NOT_APPLICABLE, "sans": 4}
    result = own_result(QUESTIONNAIRE, answers, "personnel", "fr")
    cell = next(c for c in result.feelings if c.feeling == "peur")
    assert cell.mean == 4 and cell.not_concerned == 1
    html = own_result_html(result, QUESTIONNAIRE, "fr")
    assert "1 affirmation « Ne me concerne pas », hors moyenne" in html
    only = own_result(QUESTIONNAIRE, {"offert": NOT_APPLICABLE}, "personnel", "en")
    assert "1 statement" in own_result_html(only, QUESTIONNAIRE, "en")


def test_paper_has_the_box_and_says_who_answers():
    assert choice_labels(QUESTIONNAIRE.item("offert"), "fr")[-1] == (NOT_APPLICABLE,
                                                                     "Ne me concerne pas")
    assert len(choice_labels(QUESTIONNAIRE.item("sans"), "fr")) == 6
    pages = paper_pages(QUESTIONNAIRE, "fr")
    text = " ".join(t.get_text() for fig in pages for t in fig.texts)
    assert "Ne me concerne pas" in text
    assert "Question posée seulement à : Élus et population." in text


def test_exports_show_it_as_such(answered):
    store, ws, _ = answered
    report = gather(store, f"workshop:{ws.id}")
    answers = answers_table(report, "fr").frame
    labels = answers.loc[answers["Code question"] == "offert", "Réponse (libellé)"]
    assert "Ne me concerne pas" in set(labels)
    feelings = next(t for t in tables(report, "fr") if t.key == "feelings").frame
    column = "« Ne me concerne pas » (réponses)"
    assert column in feelings.columns and feelings[column].max() == 1
