"""The consultant's paper entry: type one paper questionnaire in, save, next.

:func:`enter_paper` stores one paper as its own anonymous participant, through the
store's public API only (``join``, ``save_answer`` for each answer, ``validate``): the
same checks as on a phone apply, and nothing is written when an answer is off the
scale.

``PaperEntryWidget(store, code)`` shows the group and establishment boxes and every
question, numbered as on the printed sheet (:mod:`coopkit.exports.paper`), with the participant
form's own item widgets. "Save this paper" stores it as its own anonymous participant
through :func:`enter_paper` (join, one ``save_answer`` per answer,
validate) and clears the form for the next paper. Its one ``value`` is
``{"group": ..., "establishment": ..., "answers": {item_id: value}}``; setting it fills
the form. Headless-testable: set ``value``, call ``save.click()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from coopkit.errors import CoopkitError, problem
from coopkit.exports.paper import group_choices, numbered_items
from coopkit.i18n import t
from coopkit.widgets.html import esc
from coopkit.widgets.items import answered, item_widget

if TYPE_CHECKING:
    from coopkit.definitions.questionnaire import Questionnaire
    from coopkit.store import Participant, Store


def enter_paper(store: Store, code: str, group: str, answers: Mapping[str, object], *,
                establishment: str | None = None, validate: bool = True) -> Participant:
    """Store one paper questionnaire as its own anonymous participant.

    ``code`` is the workshop's join code (the workshop must be open), ``answers`` maps
    item ids to values (``None`` or an empty text = not answered). Every answer is
    checked before anything is written, so a typing mistake leaves no half-entered
    paper; then ``join``, one ``save_answer`` per answer and, when ``validate``,
    ``validate`` (which requires every required question: pass ``validate=False`` to
    keep an incomplete paper, unvalidated). Returns the participant.
    """
    workshop = store.workshop_by_code(code)
    q = store.questionnaire(workshop.questionnaire_hash)
    given = {k: v for k, v in answers.items() if not _blank(v)}
    problems = []
    for item_id, value in given.items():
        try:
            q.check_answer(item_id, value, group)
        except CoopkitError as exc:
            problems.extend(exc.problems)
    missing = missing_required(q, group, given) if validate else []
    if missing:
        shown = ", ".join(missing[:8]) + (", …" if len(missing) > 8 else "")
        problems.append(problem("missing_answers", field="validate", value=shown,
                                count=len(missing)))
    if problems:
        raise CoopkitError(problems)
    participant = store.join(code, group, establishment)
    for item_id, value in given.items():
        store.save_answer(participant.token, item_id, value)
    if validate:
        try:
            return store.validate(participant.token)
        except CoopkitError:
            store.erase_participant(participant.token)
            raise
    return participant


def _blank(value: object) -> bool:
    """Nothing ticked or written: an unanswered question on paper."""
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, list | tuple) and not value)


def missing_required(questionnaire: Questionnaire, group: str,
                     answers: Mapping[str, object]) -> list[str]:
    """The required questions asked to ``group`` that have no answer."""
    return [it.id for it in questionnaire.required_of(group)
            if _blank(answers.get(it.id))]


def _blank_value() -> dict[str, Any]:
    return {"group": None, "establishment": None, "answers": {}}


class PaperEntryWidget(widgets.VBox):
    """Type paper questionnaires in, one anonymous participant per paper."""

    value = traitlets.Dict()

    def __init__(self, store: Store, code: str, lang: str | None = None):
        self.store = store
        self.code = code
        self.lang = lang
        workshop = store.workshop_by_code(code)
        self.questionnaire = q = store.questionnaire(workshop.questionnaire_hash)
        self.saved = 0
        self._syncing = False
        project_groups = store.groups(workshop.project_id)
        self.group = widgets.Dropdown(
            options=[(label, gid) for gid, label in group_choices(q, lang, project_groups)],
            value=None, description=t("paper.entry.group", lang),
            style={"description_width": "initial"})
        partners = [p.name for p in store.partners(workshop.project_id)]
        if partners:
            self.establishment: widgets.ValueWidget = widgets.Dropdown(
                options=[(t("paper.entry.no_establishment", lang), None),
                         *[(name, name) for name in partners]],
                value=None, description=t("paper.entry.establishment", lang),
                style={"description_width": "initial"})
        else:
            self.establishment = widgets.Text(
                value="", description=t("paper.entry.establishment", lang),
                style={"description_width": "initial"})
        self.items = {it.id: item_widget(it, lang, number)
                      for number, it in numbered_items(q)}
        self.save = widgets.Button(description=t("paper.entry.save", lang),
                                   button_style="primary", icon="save")
        self.clear = widgets.Button(description=t("paper.entry.clear", lang))
        self.status = widgets.HTML("")
        self.validate_paper = widgets.Checkbox(
            value=True, description=t("paper.entry.validate", lang), indent=False)
        head = widgets.HTML(
            f"<h2>{esc(t('paper.entry.title', lang, title=q.title.get(lang)))}</h2>"
            f"<p>{esc(t('paper.entry.intro', lang, hash=q.content_hash[:8]))}</p>")
        super().__init__([
            head, self.group, self.establishment, *self.items.values(),
            self.validate_paper, widgets.HBox([self.save, self.clear]), self.status,
        ])
        self.add_class("coopkit-paper-entry")
        for child in (self.group, self.establishment, *self.items.values()):
            child.observe(self._on_child, names="value")
        self.save.on_click(self._on_save)
        self.clear.on_click(lambda _b: self.reset())
        self.value = _blank_value()

    # -- value <-> children
    def _read(self) -> dict[str, Any]:
        place = self.establishment.value
        return {
            "group": self.group.value,
            "establishment": place.strip() or None if isinstance(place, str) else place,
            "answers": {iid: w.value for iid, w in self.items.items() if answered(w.value)},
        }

    def _on_child(self, _change: dict) -> None:
        if not self._syncing:
            self.value = self._read()

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        if self._syncing:
            return
        new = {**_blank_value(), **(change["new"] or {})}
        self._syncing = True
        try:
            self.group.value = new["group"]
            place = new["establishment"]
            self.establishment.value = (place or "") if isinstance(
                self.establishment, widgets.Text) else place
            for iid, w in self.items.items():
                w.value = new["answers"].get(iid)
        finally:
            self._syncing = False
        self.value = self._read()

    # -- actions
    def reset(self) -> None:
        """Empty the form for the next paper."""
        self.value = _blank_value()

    def _on_save(self, _button: widgets.Button) -> None:
        current = self._read()
        if current["group"] is None:
            self._say(t("paper.entry.no_group", self.lang), ok=False)
            return
        try:
            enter_paper(self.store, self.code, current["group"], current["answers"],
                        establishment=current["establishment"],
                        validate=self.validate_paper.value)
        except CoopkitError as exc:
            self._say(exc.format(self.lang), ok=False)
            return
        self.saved += 1
        self.reset()
        self._say(t("paper.entry.saved", self.lang, count=self.saved,
                    answers=len(current["answers"])), ok=True)

    def _say(self, text: str, *, ok: bool) -> None:
        color = "#1b6e3a" if ok else "#a4262c"
        lines = "<br>".join(esc(line) for line in text.splitlines())
        self.status.value = f'<p role="status" style="color:{color}">{lines}</p>'
