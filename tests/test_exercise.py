"""The awareness exercise and the quiz widgets, headless: set ``value``, click, read."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopkit import CoopkitError
from coopkit.consultant.exercise import KEYS, FeelingsExercise, profile_tendency
from coopkit.consultant.quiz import Quiz, load_quiz, parse_quiz
from coopkit.definitions import method

QUIZ = Path(__file__).resolve().parent.parent / "notebooks" / "quiz" / "sensibiliser.yaml"


@pytest.mark.parametrize(
    ("profile", "leaning"),
    [
        ({"attrait": 0.9, "peur": 0.1, "tentation": 0.1, "confiance": 0.9}, "cooperatif"),
        ({"attrait": 0.1, "peur": 0.9, "tentation": 0.1, "confiance": 0.5}, "individualiste"),
        ({"attrait": 0.2, "peur": 0.0, "tentation": 0.9, "confiance": 0.1}, "opportuniste"),
        ({"attrait": 1.0, "peur": 1.0, "tentation": 1.0, "confiance": 0.0}, "opportuniste"),
        ({"attrait": 1.0, "peur": 1.0, "tentation": 1.0, "confiance": 1.0}, None),
    ],
)
def test_profile_tendency(profile, leaning):
    result = profile_tendency(profile)
    assert result["leaning"] == leaning
    assert all(0 <= result[b] <= 1 for b in method.BEHAVIOUR_IDS)


def test_no_feeling_no_tendency():
    result = profile_tendency(dict.fromkeys(KEYS, 0.0))
    assert result["leaning"] is None and result["reading"] == "trop_faible"
    assert all(result[b] == 0 for b in method.BEHAVIOUR_IDS)


def test_exercise_value_moves_sliders_and_explains():
    w = FeelingsExercise(lang="fr")
    w.value = {"attrait": 0.1, "peur": 0.9, "tentation": 0.1, "confiance": 0.5}
    assert w.sliders["peur"].value == 0.9
    assert w.result["leaning"] == "individualiste"
    assert "Ce profil penche vers l'individualisme." in w.explanation.value \
        or "Ce profil penche vers l&#x27;individualisme." in w.explanation.value
    assert w.bars["individualiste"].value > w.bars["cooperatif"].value


def test_exercise_sliders_update_value():
    w = FeelingsExercise(lang="en")
    w.sliders["attrait"].value = 1.0
    w.sliders["confiance"].value = 1.0
    w.sliders["peur"].value = 0.0
    assert w.value["attrait"] == 1.0
    assert w.result["leaning"] == "cooperatif"
    assert "This profile leans towards cooperation." in w.explanation.value


def test_exercise_trust_can_grow_in_the_room_too():
    """What the trainer teaches (trust can grow) happens with the workshops' model:
    the same feelings with more trust lean further to cooperation."""
    w = FeelingsExercise({"attrait": 0.9, "peur": 0.1, "tentation": 0.9, "confiance": 0.1})
    assert w.result["leaning"] == "opportuniste"
    w.sliders["confiance"].value = 1.0
    assert w.result["leaning"] == "cooperatif"


def test_exercise_close_pressures_say_no_clear_tendency():
    w = FeelingsExercise({"attrait": 0.6, "peur": 0.5, "tentation": 0.2, "confiance": 0.7})
    assert w.result["reading"] == "pas_nette"
    assert "Pas de tendance nette" in w.explanation.value


def test_exercise_nothing_expressed():
    w = FeelingsExercise(dict.fromkeys(KEYS, 0.0))
    assert "trop faibles" in w.explanation.value


def test_quiz_file_loads_and_scores():
    definition = load_quiz(QUIZ)
    assert len(definition.questions) >= 4
    quiz = Quiz(definition)
    assert quiz.value == (None,) * len(definition.questions)
    right = tuple(next(j for j, c in enumerate(q.choices) if c.correct)
                  for q in definition.questions)
    quiz.value = right
    assert quiz.radios[0].value == right[0]
    quiz.button.click()
    assert quiz.score == len(right)
    assert f"{len(right)} bonne(s) réponse(s)" in quiz.summary.value


def test_quiz_feedback_escaped_and_unanswered():
    definition = parse_quiz({"questions": [
        {"question": "<b>Q</b>", "choices": [
            {"text": "a", "correct": True, "feedback": "ok"},
            {"text": "b", "feedback": "<script>x</script>"}]},
        {"question": "Q2", "choices": [{"text": "a", "correct": True}, {"text": "b"}]},
    ]})
    quiz = Quiz(definition)
    quiz.radios[0].value = 1
    assert quiz.check() == 0
    assert "&lt;script&gt;" in quiz.feedbacks[0].value
    assert "<script>" not in quiz.feedbacks[0].value
    assert "Choisissez une réponse" in quiz.feedbacks[1].value
    assert "&lt;b&gt;Q&lt;/b&gt;" in quiz.children[0].value


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"questions": []},
        {"questions": [{"question": "x", "choices": [{"text": "a", "correct": True}]}]},
        {"questions": [{"question": "x", "choices": [{"text": "a"}, {"text": "b"}]}]},
        {"questions": [{"choices": [{"text": "a", "correct": True}, {"text": "b"}]}]},
    ],
)
def test_bad_quiz_files_are_refused(data):
    with pytest.raises(CoopkitError) as info:
        parse_quiz(data, "quiz.yaml")
    assert info.value.codes[0] == "quiz_invalid"
    assert "quiz.yaml" in str(info.value)
