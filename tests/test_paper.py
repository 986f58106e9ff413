"""The paper fallback: a printable PDF of any questionnaire, and typing papers back in
(a function and a widget), each paper stored as its own anonymous participant."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pypdf
import pytest
from test_xlsform import EVERYTHING
from tests_helpers import BASE_QUESTIONNAIRE

from coopkit import CoopkitError
from coopkit.consultant.paper import enter_paper
from coopkit.definitions.questionnaire import load
from coopkit.exports.paper import numbered_items, write_paper_pdf
from coopkit.i18n import t
from coopkit.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def pdf_text(path: Path) -> str:
    """The PDF's text with line breaks and runs of spaces folded to one space."""
    reader = pypdf.PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def words(text: str, n: int = 4) -> str:
    return " ".join(text.split()[:n])


@pytest.fixture
def everything(tmp_path):
    path = tmp_path / "tout.yaml"
    text = EVERYTHING.replace("fr: Bonjour", 'fr: "Bonjour, 5 $ par mois"')
    path.write_text(text, encoding="utf-8")
    return load(path)


def test_printable_pdf_has_every_question_box_label_and_the_version(everything, tmp_path):
    path = write_paper_pdf(everything, tmp_path / "papier.pdf")
    text = pdf_text(path)
    assert text.count("empreinte " + everything.content_hash[:8]) == len(
        pypdf.PdfReader(path).pages)
    assert "=Tout le format" in text and "5 $ par mois" in text  # literal, no maths
    assert "Partenaires externes" in text and t("method.group.personnel") in text
    for number, item in numbered_items(everything):
        assert f"{number}. {words(item.text.fr)}" in text, item.id
    for label in ("Un peu", "Je ne sais pas", "Deux", "=X", "0 Rien", "7 Beaucoup",
                  "Plusieurs cases possibles", "(facultatif)", "Première", "Sous-partie"):
        assert label in text, label
    assert "Sans objet" not in text  # the scale offering it is unused


def test_printable_pdf_in_english(everything, tmp_path):
    text = pdf_text(write_paper_pdf(everything, tmp_path / "paper.pdf", lang="en"))
    assert "Every field" in text and "The committee decides" in text
    assert "Your group" in text and "Votre groupe" not in text


def test_a_real_questionnaire_prints(tmp_path):
    q = load(ROOT / "questionnaires" / "pret-cooperation.yaml")
    path = write_paper_pdf(q, tmp_path / "q.pdf", establishments=["CH Nord", "EHPAD Sud"])
    text = pdf_text(path)
    items = numbered_items(q)
    assert f"{len(items)}. {words(items[-1][1].text.fr)}" in text
    assert "CH Nord" in text
    assert 2 <= len(pypdf.PdfReader(path).pages) <= 2 + len(items) // 4


# -------------------------------------------------------------------- paper entry

@pytest.fixture
def workshop(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'coopkit.sqlite'}")
    (tmp_path / "q.yaml").write_text(BASE_QUESTIONNAIRE, encoding="utf-8")
    q = load(tmp_path / "q.yaml")
    project = store.create_project("Projet", "Un but commun")
    ws = store.open_workshop(project, q, k=2)
    yield store, ws
    store.close()


GOOD = {"g1": 3, "g2": 4, "g3": "a", "g4": ["y"], "g5": "=1+1 sur papier"}


def test_enter_paper_stores_one_validated_anonymous_participant(workshop):
    store, ws = workshop
    first = enter_paper(store, ws.code, "personnel", GOOD, establishment=None)
    second = enter_paper(store, ws.code, "personnel", {**GOOD, "g4": [], "g5": ""})
    assert first.validated and second.validated and first.token != second.token
    assert store.answers(first.token) == GOOD
    assert store.answers(second.token) == {"g1": 3, "g2": 4, "g3": "a"}  # blanks skipped
    assert store.participation(ws.id)["personnel"] == (2, 2)


@pytest.mark.parametrize(("answers", "code"), [
    ({**GOOD, "g1": 9}, "value_invalid"),
    ({**GOOD, "g9": 1}, "unknown_item"),
    ({"g5": "seulement du texte"}, "missing_answers"),
])
def test_a_wrong_paper_writes_nothing(workshop, answers, code):
    store, ws = workshop
    with pytest.raises(CoopkitError) as err:
        enter_paper(store, ws.code, "personnel", answers)
    assert code in err.value.codes
    assert store.participation(ws.id) == {}


def test_an_incomplete_paper_can_be_kept_unvalidated(workshop):
    store, ws = workshop
    kept = enter_paper(store, ws.code, "medical_soignant", {"g1": 1}, validate=False)
    assert not kept.validated and store.answers(kept.token) == {"g1": 1}


def test_entry_widget_saves_each_paper_and_clears_the_form(workshop):
    from coopkit.consultant.paper import PaperEntryWidget

    store, ws = workshop
    entry = PaperEntryWidget(store, ws.code)
    assert entry.value == {"group": None, "establishment": None, "answers": {}}
    entry.save.click()
    assert html.escape(t("paper.entry.no_group")) in entry.status.value
    # typing through the item widgets (the participant form's own) ...
    entry.group.value = "personnel"
    entry.establishment.value = "CH <Nord>"
    for item_id, value in GOOD.items():
        entry.items[item_id].value = value
    assert entry.value == {"group": "personnel", "establishment": "CH <Nord>",
                           "answers": GOOD}
    entry.save.click()
    assert entry.saved == 1 and "1" in entry.status.value
    assert entry.value["answers"] == {} and entry.items["g1"].value is None
    # ... or by setting the one value
    entry.value = {"group": "medical_soignant", "answers": {"g1": 2, "g2": 0, "g3": "b"}}
    assert entry.items["g3"].value == "b"
    entry.save.click()
    assert entry.saved == 2
    frame = store.answers_frame(ws.id)
    assert frame["participant"].nunique() == 2 and frame["validated"].all()
    assert set(frame["establishment"].dropna()) == {"CH <Nord>"}
    # a missing required answer is explained, nothing is written, the form is kept
    entry.value = {"group": "personnel", "answers": {"g1": 2}}
    entry.save.click()
    assert "g2" in entry.status.value and entry.value["answers"] == {"g1": 2}
    assert store.participation(ws.id)["personnel"] == (1, 1)
