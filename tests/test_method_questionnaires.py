"""The method's questionnaires cover the method: every principle, every theme x feeling,
every text in French and English, a recommendation on every scored readiness item."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coopkit import load_questionnaire
from coopkit.definitions import method
from coopkit.definitions.questionnaire import Questionnaire, Section, Text

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"


@pytest.fixture(scope="module")
def ressentis() -> Questionnaire:
    return load_questionnaire(QUESTIONNAIRES / "ressentis.yaml")


@pytest.fixture(scope="module")
def readiness() -> Questionnaire:
    return load_questionnaire(QUESTIONNAIRES / "pret-cooperation.yaml")


def all_texts(q: Questionnaire) -> list[tuple[str, Text]]:
    texts: list[tuple[str, Text]] = [("title", q.title)]
    if q.intro:
        texts.append(("intro", q.intro))
    texts += [(f"group {g.id}", g.label) for g in q.groups]
    texts += [(f"scale {s.id}", p.label) for s in q.scales for p in s.points]

    def walk(sections: tuple[Section, ...]) -> None:
        for s in sections:
            texts.append((f"section {s.id}", s.title))
            if s.intro:
                texts.append((f"section {s.id} intro", s.intro))
            for it in s.items:
                for name in ("text", "feedback", "low", "high", "help"):
                    value = getattr(it, name)
                    if value is not None:
                        texts.append((f"{it.id}.{name}", value))
                texts.extend((f"{it.id}.{c.id}", c.label) for c in it.choices)
            walk(s.subsections)

    walk(q.sections)
    return texts


@pytest.mark.parametrize("name", ["ressentis.yaml", "pret-cooperation.yaml"])
def test_every_text_in_french_and_english(name):
    q = load_questionnaire(QUESTIONNAIRES / name)
    assert q.languages == ("fr", "en")
    missing = [where for where, text in all_texts(q) if not text.fr or not text.en]
    assert missing == []
    same = [where for where, text in all_texts(q)
            if text.fr == text.en and len(text.fr) > 25]
    assert same == [], "texts left untranslated"


@pytest.mark.parametrize("name", ["ressentis.yaml", "pret-cooperation.yaml"])
def test_no_warnings(name):
    assert load_questionnaire(QUESTIONNAIRES / name).warnings == ()


def test_feelings_map_covers_every_theme_and_feeling(ressentis):
    assert ressentis.kind == "feelings"
    statements = Counter(
        (it.theme, it.feeling) for it in ressentis.items()
        if it.type == "intensity" and it.about is None
    )
    for theme in method.THEME_IDS:
        for feeling in method.FEELING_IDS:
            assert statements[(theme, feeling)] >= 2, (theme, feeling)


def test_feelings_map_has_free_text_and_other_shoes_items(ressentis):
    items = list(ressentis.items())
    free = [it for it in items if it.type == "text"]
    assert len(free) >= 3 and not any(it.required for it in free)
    about = [it for it in items if it.about]
    assert len({it.about for it in about}) >= 2
    assert all(it.feeling and not it.required for it in about)
    assert {g.id for g in ressentis.groups} >= {"medical_soignant", "personnel"}


def test_readiness_covers_every_principle_twice(readiness):
    assert readiness.kind == "readiness"
    per_principle = Counter(p for it in readiness.items() for p in it.principles)
    for number in method.PRINCIPLE_NUMBERS:
        assert per_principle[number] >= 2, f"principle {number}"


def test_readiness_covers_factors_and_actor_groups(readiness):
    items = list(readiness.items())
    assert {it.factor for it in items if it.factor} == set(method.FACTOR_IDS)
    concerned = {g for it in items for g in it.groups}
    assert concerned >= {"medical_soignant", "personnel", "elus_population"}


def test_every_scored_readiness_item_has_a_recommendation(readiness):
    missing = [it.id for it in readiness.items() if it.scored and it.feedback is None]
    assert missing == []


def test_the_trainers_guide_shows_the_example_file_as_it_is():
    guide = (QUESTIONNAIRES.parent / "docs" / "questionnaire-format.md").read_text("utf-8")
    example = (QUESTIONNAIRES / "exemple-formation.yaml").read_text("utf-8").strip()
    blocks = [b.split("```", 1)[0].strip() for b in guide.split("```yaml")[1:]]
    assert example in blocks
