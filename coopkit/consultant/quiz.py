"""A short multiple-choice quiz with feedback, read from a YAML file trainers edit.

The file format (see ``notebooks/quiz/sensibiliser.yaml``)::

    title: Petit quiz
    questions:
      - question: Qu'est-ce qui oriente les comportements ?
        choices:
          - text: Les représentations et les ressentis
            correct: true
            feedback: Oui : ...
          - text: Le règlement intérieur
            feedback: Non : ...

Texts are shown escaped (a trainer's ``<`` or ``&`` is displayed, never interpreted).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import ipywidgets as widgets
import traitlets
import yaml

from coopkit.errors import CoopkitError, Problem, problem
from coopkit.i18n import t, tn


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[Choice, ...]

    def is_right(self, index: int | None) -> bool:
        return index is not None and 0 <= index < len(self.choices) and \
            self.choices[index].correct


@dataclass(frozen=True)
class QuizDefinition:
    title: str
    questions: tuple[Question, ...]


def parse_quiz(data: object, source: str = "<quiz>") -> QuizDefinition:
    """Turn the YAML mapping into a :class:`QuizDefinition`, or raise every problem."""
    problems: list[Problem] = []

    def bad(where: str, value: object, rule: str) -> None:
        found = problem("quiz_invalid", field=where, value=value, rule=t(f"quiz.rule.{rule}"))
        problems.append(Problem(found.code, found.field, found.value, source, None,
                                found.params))

    if not isinstance(data, dict):
        bad("-", data, "mapping")
        raise CoopkitError(problems)
    title = str(data.get("title") or "")
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        bad("questions", raw, "list")
        raise CoopkitError(problems)
    questions = []
    for i, q in enumerate(raw, start=1):
        where = f"questions[{i}]"
        if not isinstance(q, dict) or not isinstance(q.get("question"), str):
            bad(where, q, "question")
            continue
        choices = q.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            bad(f"{where}.choices", choices, "choices")
            continue
        parsed = []
        for j, c in enumerate(choices, start=1):
            if not isinstance(c, dict) or not isinstance(c.get("text"), str):
                bad(f"{where}.choices[{j}]", c, "text")
                continue
            parsed.append(Choice(c["text"], bool(c.get("correct", False)),
                                 str(c.get("feedback") or "")))
        if not any(c.correct for c in parsed):
            bad(f"{where}.choices", q["question"], "correct")
            continue
        questions.append(Question(q["question"], tuple(parsed)))
    if problems:
        raise CoopkitError(problems)
    return QuizDefinition(title, tuple(questions))


def load_quiz(path: str | Path) -> QuizDefinition:
    """Read a quiz file (UTF-8 YAML)."""
    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        return parse_quiz(yaml.safe_load(handle), str(path))


class Quiz(widgets.VBox):
    """The questions as radio buttons, a check button, feedback per question and a score.

    ``value`` is a tuple with the chosen choice index per question (None: unanswered).
    ``score`` is the number of right answers (shown after :meth:`check`).
    """

    value = traitlets.Tuple()

    def __init__(self, definition: QuizDefinition, *, lang: str | None = None):
        self.definition = definition
        self._lang = lang
        self.radios = [
            widgets.RadioButtons(options=[(c.text, j) for j, c in enumerate(q.choices)],
                                 value=None, layout=widgets.Layout(width="auto"))
            for q in definition.questions
        ]
        self.feedbacks = [widgets.HTML() for _ in definition.questions]
        self.button = widgets.Button(description=t("quiz.check", lang), icon="check",
                                     button_style="primary",
                                     layout=widgets.Layout(width="auto"))
        self.summary = widgets.HTML()
        children: list[widgets.Widget] = []
        if definition.title:
            children.append(widgets.HTML(f"<h3>{escape(definition.title)}</h3>"))
        for n, (q, radio, fb) in enumerate(
                zip(definition.questions, self.radios, self.feedbacks, strict=True), 1):
            children += [widgets.HTML(f"<p><b>{n}. {escape(q.text)}</b></p>"), radio, fb]
        super().__init__([*children, self.button, self.summary])
        for radio in self.radios:
            radio.observe(self._on_radio, names="value")
        self.button.on_click(lambda _b: self.check())
        self.value = tuple(None for _ in self.radios)

    def _on_radio(self, _change: dict) -> None:
        self.value = tuple(r.value for r in self.radios)

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        for radio, chosen in zip(self.radios, change["new"], strict=False):
            if radio.value != chosen:
                radio.value = chosen

    @property
    def score(self) -> int:
        return sum(q.is_right(v) for q, v in
                   zip(self.definition.questions, self.value, strict=False))

    def check(self) -> int:
        """Show the feedback of each answer and the score; returns the score."""
        lang = self._lang
        for q, chosen, fb in zip(self.definition.questions, self.value, self.feedbacks,
                                 strict=False):
            if chosen is None:
                fb.value = f"<p><i>{escape(t('quiz.unanswered', lang))}</i></p>"
                continue
            verdict = t("quiz.right" if q.is_right(chosen) else "quiz.wrong", lang)
            colour = "#1b7f3b" if q.is_right(chosen) else "#b3261e"
            detail = q.choices[chosen].feedback
            fb.value = (f"<p style='color:{colour}'><b>{escape(verdict)}</b> "
                        f"{escape(detail)}</p>")
        total = len(self.definition.questions)
        score = tn("quiz.score", self.score, lang, total=total)
        self.summary.value = f"<p><b>{escape(score)}</b></p>"
        return self.score
