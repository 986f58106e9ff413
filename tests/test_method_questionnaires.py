"""The method's questionnaires cover the method: every principle, every theme x feeling,
every text in French and English, a recommendation on every scored readiness item."""

from __future__ import annotations

import re
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


# ------------------------------------------------ statements that fit each participant

def own_statements(q: Questionnaire, feeling: str | None = None) -> list:
    """First-person intensity statements of the three feelings (not estimates)."""
    return [it for it in q.items() if it.type == "intensity" and it.about is None
            and it.feeling in method.FEELING_IDS and (feeling is None or it.feeling == feeling)]


def test_every_group_has_two_statements_per_feeling_that_fit_it(ressentis):
    counts = {(g.id, f): sum(1 for it in own_statements(ressentis, f) if it.asked_of(g.id))
              for g in ressentis.groups for f in method.FEELING_IDS}
    assert {k: n for k, n in counts.items() if n < 2} == {}
    for group in ("elus_population", "usager_patient", "financeur", "medical_soignant"):
        written_for = [it for it in own_statements(ressentis) if group in it.groups
                       and it.asked_of(group)]
        assert len(written_for) >= 2, group  # statements about their own stake


#: Words that presume the participant works in, or speaks for, a partner establishment.
ESTABLISHMENT_WORDS = re.compile(r"\b(mon établissement|mon équipe|mon service|mes conditions"
                                 r" de travail|mon poste|mes missions|mes collègues)\b")


def test_statements_about_ones_establishment_are_not_put_to_outside_groups(ressentis):
    wrong = [(it.id, g) for it in own_statements(ressentis) for g in method.OUTSIDE_GROUPS
             if ESTABLISHMENT_WORDS.search(it.text.fr) and it.asked_of(g)]
    assert wrong == []
    assert sum(1 for it in own_statements(ressentis) if ESTABLISHMENT_WORDS.search(it.text.fr)
               ) >= 10  # the check above looks at something


def test_every_statement_put_to_several_groups_offers_not_concerned(ressentis):
    offered = [g.id for g in ressentis.groups]
    several = [it for it in ressentis.items() if it.type == "intensity" and it.about is None
               and sum(1 for g in offered if it.asked_of(g)) > 1]
    assert [it.id for it in several if not it.not_concerned] == []
    assert len(several) > 20


def test_temptations_share_one_stem_anyone_can_answer(ressentis):
    stem = ("Il pourrait m'arriver de ", "Il pourrait m'arriver d'")
    stems = {it.id: it.text.fr for it in own_statements(ressentis, "tentation")
             if not it.text.fr.startswith(stem)}
    assert stems == {}
    english = [it.id for it in own_statements(ressentis, "tentation")
               if not it.text.en.startswith("I might ")]
    assert english == []
    for_everyone = [it for it in own_statements(ressentis, "tentation")
                    if all(it.asked_of(g.id) for g in ressentis.groups)]
    assert len(for_everyone) >= 2  # a nurse as well as a director can answer them


def test_anchors_fit_the_stems(ressentis):
    own = {(it.low.fr, it.high.fr) for it in own_statements(ressentis)}
    assert own == {("Pas du tout", "Tout à fait")}  # « à quel point cela me correspond »
    estimates = {(it.low.fr, it.high.fr) for it in ressentis.items() if it.about}
    assert estimates == {("Pas du tout", "Très fortement")}  # « à quel point ils craignent »


def test_no_item_is_asked_of_a_group_only_to_grade_itself():
    for name in ("ressentis.yaml", "pret-cooperation.yaml", "exemple-formation.yaml"):
        q = load_questionnaire(QUESTIONNAIRES / name)
        offered = [g.id for g in q.groups] or list(method.GROUP_IDS)
        grading = [it.id for it in q.items()
                   if it.scored and it.feeling is None and it.about is None and it.groups
                   and set(g for g in offered if it.asked_of(g)) <= set(it.groups)
                   and not it.self_assessment]
        assert grading == [], name


# ----------------------------------------------------------------- the readiness part

PILOTAGE = ("equipe_projet", "direction_generale", "direction_fonctionnelle")


def test_the_mobilisation_section_is_answered_by_the_project_team_and_the_directors(readiness):
    mobilisation = next(s for s in readiness.sections if s.id == "mobiliser_acteurs")
    items = list(mobilisation.all_items())
    assert len(items) >= 20
    assert [it.id for it in items if not all(it.asked_of(g) for g in PILOTAGE)] == []
    # each is about a stakeholder group, which is not the one asked
    assert [it.id for it in items if not it.groups] == []
    assert not any(it.asked_of("elus_population") for it in items)


def test_the_funding_authorities_items_are_asked_of_all_partners(readiness):
    funding = [it for it in readiness.items() if "financeur" in it.groups]
    assert funding
    assert [it.id for it in funding if not all(it.asked_of(g.id) for g in readiness.groups)] == []


def test_a_director_is_not_asked_alone_whether_the_directors_support_the_project(readiness):
    support = [it for it in readiness.items() if it.factor == "portage"
               and "direction_generale" in it.groups]
    assert support
    for it in support:
        assert any(it.asked_of(g.id) for g in readiness.groups if g.id not in it.groups)


def test_clinical_items_are_an_optional_module(readiness):
    clinical = re.compile(r"PDSES|consultations avancées|temps partagés?|gardes")
    found = [it for it in readiness.items() if clinical.search(it.text.fr)]
    assert found
    module = {s.id: s for s in readiness.sections[5].subsections}["mob_soins"]
    assert "organisation des soins" in module.title.fr
    ids = {it.id for it in module.items}
    assert [it.id for it in found if it.id not in ids] == []
    assert not any(it.required for it in module.items)


def test_the_60_percent_rule_is_the_promoters_prerequisite_not_a_principle(readiness):
    tagged = [it for it in readiness.items() if it.prerequisite == "engagement_60"]
    assert [it.id for it in tagged] == ["gouv_engagement_60"]
    assert tagged[0].principles == () and "promoteur" in tagged[0].text.fr
    assert method.PREREQUISITES[0].role == "promoteur"
    assert method.PREREQUISITES[0].threshold == method.COMMITMENT_THRESHOLD


def test_readiness_is_offered_to_the_groups_that_steer_the_project(readiness):
    offered = {g.id for g in readiness.groups}
    assert set(PILOTAGE) <= offered
    assert offered.isdisjoint(method.OUTSIDE_GROUPS)
    # a user representative is never told to set up a directors' committee
    steering_only = [it for it in readiness.items() if "comité des directeurs" in
                     (it.feedback.fr if it.feedback else "") and it.text.fr.startswith("Un comité")]
    assert all(not it.asked_of("encadrement") for it in steering_only)


def test_the_sources_lessons_are_in_the_questionnaire(readiness):
    texts = " ".join(it.text.fr + " " + (it.feedback.fr if it.feedback else "")
                     for it in readiness.items())
    for lesson in ("habitudes de travail en réseau", "pas contraignante", "bassins de vie",
                   "autorités de tarification", "créativité", "vision du projet",
                   "valeur d'usage", "établissements de proximité attractifs",
                   "à qui s'adresser (ARS", "GHT", "GCSMS", "direction commune"):
        assert lesson in texts + readiness.intro.fr, lesson
