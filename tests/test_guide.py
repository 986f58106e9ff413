"""The facilitation guide and the trainers' handouts: every presenter screen has its
prompt in both languages, word for word in ``docs/animer.md``; the handouts carry the
method's texts and are written by ``coopkit fiches``; README and notebooks link to them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coopkit.cli import main
from coopkit.definitions import method
from coopkit.exports.handouts import HANDOUTS, handout_pages, write_handouts
from coopkit.i18n import LANGUAGES, catalogue

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "animer.md"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_presenter_screen_has_its_prompt(lang):
    for screen in method.PRESENTER_SCREENS:
        key = f"presenter.prompt.{screen}"
        assert key in catalogue(lang), key
        assert len(method.presenter_prompt(screen, lang)) > 80
    with pytest.raises(KeyError):
        method.presenter_prompt("no_such_screen")


def test_the_guide_shows_each_prompt_word_for_word():
    guide = GUIDE.read_text("utf-8")
    french, english = guide.split("# Facilitating a session", 1)
    for screen in method.PRESENTER_SCREENS:
        assert f"> {method.presenter_prompt(screen, 'fr')}" in french, screen
        assert f"> {method.presenter_prompt(screen, 'en')}" in english, screen


def test_the_guide_covers_what_facilitators_asked_for():
    guide = GUIDE.read_text("utf-8")
    headings = [line for line in guide.splitlines() if line.startswith("## ")]
    french = " ".join(headings[: len(headings) // 2]).lower()
    for topic in ("règles du jeu", "tentations", "projette", "masqués", "propositions",
                  "durée", "prêts pour une coopération", "absents"):
        assert topic in french, topic
    for point in ("autorités de tarification", "Confidentialité", "Aucun jugement",
                  "Aucune représaille", "GHT", "GCSMS", "direction commune", "60 %"):
        assert point in guide, point
    assert guide.index("# Animer") < guide.index("# Facilitating")  # French first


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("handout", list(HANDOUTS))
def test_each_handout_is_a_page_of_the_methods_texts(handout, lang):
    pages = handout_pages(handout, lang)
    assert 1 <= len(pages) <= 2
    raw = " ".join(t.get_text() for fig in pages for t in fig.texts).replace("-\n", "-")
    text = " ".join(raw.split())  # as a reader reads it, lines joined
    if handout == "principes":
        for principle in method.PRINCIPLES:
            assert principle.label(lang) in text, principle.number
        assert "60" in text
    elif handout == "ressentis":
        assert all(f.label(lang) in text for f in method.FEELINGS)
        assert all(th.label(lang) in text for th in method.THEMES)
    else:
        assert all(b.label(lang) in text for b in method.BEHAVIOURS)


def test_coopkit_fiches_writes_every_handout(tmp_path, capsys):
    assert main(["fiches", "--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert written == sorted(f"{stem}.{lang}.pdf" for stem in HANDOUTS.values()
                             for lang in LANGUAGES)
    assert all((tmp_path / name).read_bytes().startswith(b"%PDF") for name in written)
    assert capsys.readouterr().out.count("Fiche écrite") == len(written)
    again = write_handouts(tmp_path / "again")
    assert [p.read_bytes() for p in again] == [  # same texts, same files
        (tmp_path / p.name).read_bytes() for p in again]


def test_the_committed_handouts_are_there_and_small():
    for stem in HANDOUTS.values():
        for lang in LANGUAGES:
            path = ROOT / "docs" / "fiches" / f"{stem}.{lang}.pdf"
            assert path.is_file() and path.stat().st_size < 100_000, path


def test_readme_and_notebooks_link_the_guide_and_the_handouts():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "docs/animer.md" in readme and "docs/fiches/" in readme
    assert "docs/glossaire.md" in readme
    for name in ("00_sensibiliser", "01_preparer", "02_animer", "03_evaluer"):
        cells = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text("utf-8"))["cells"]
        markdown = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert "docs/animer.md" in markdown, name
    sensibiliser = json.loads((ROOT / "notebooks" / "00_sensibiliser.ipynb").read_text("utf-8"))
    text = " ".join("".join(c["source"]) for c in sensibiliser["cells"])
    assert "fiche-ressentis" in text and "fiche-principes" in text
