"""Joining a workshop: the code (pre-filled from the URL), then one's stakeholder group
and establishment; or coming back with a resume code.

``value`` is the :class:`~coopkit.store.Participant` once joined (or resumed), None
before. ``workshop`` is the workshop found from the code. ``lang`` is the URL's
language if it gives one; else the server's (``COOPKIT_LANG``, set by
``coopkit serve --lang``; French by default) until the code is known, then the
workshop's.
"""

from __future__ import annotations

import ipywidgets as widgets
import traitlets

from coopkit.definitions import method
from coopkit.definitions.questionnaire import Questionnaire
from coopkit.errors import QUOTES, CoopkitError
from coopkit.i18n import get_language, normalise_language, t
from coopkit.widgets.html import Notice, button, guarded, heading, html_widget, paragraph

#: The "I'd rather not say" establishment (stored as None).
NO_ESTABLISHMENT = "-"
_MAX_CODE_LENGTH = 64


def group_choices(questionnaire: Questionnaire, project_groups: tuple[str, ...] = (),
                  lang: str | None = None) -> list[tuple[str, str]]:
    """(label, id) of the groups a participant may choose: the questionnaire's groups
    (else the method's), narrowed to the project's groups when it names some."""
    if questionnaire.groups:
        found = [(g.label.get(lang), g.id) for g in questionnaire.groups]
    else:
        found = [(g.label(lang), g.id) for g in method.GROUPS]
    narrowed = [(label, gid) for label, gid in found if gid in project_groups]
    return narrowed or found


#: A resume code is 10 characters (``ABCDE-FGHJK``); what is longer may be a token
#: pasted from a link, never repeated on screen.
_ECHO_LENGTH = 12


def unknown_resume_code(typed: str, lang: str | None = None) -> str:
    """The message for a resume code that matches nobody: about a code (the field asks
    for one), repeating it between the language's quotes when it is short enough to be
    one."""
    shown = "".join(ch for ch in typed.upper() if not ch.isspace())
    if not shown or len(shown.replace("-", "")) > _ECHO_LENGTH:
        return t("app.resume.unknown_text", lang)
    opening, closing = QUOTES.get(normalise_language(lang or get_language()), ("", ""))
    return t("app.resume.unknown_code", lang, code=f"{opening}{shown}{closing}")


class JoinWidget(widgets.VBox):
    """The join page (class ``coopkit-join``)."""

    value = traitlets.Any(None, allow_none=True)
    workshop = traitlets.Any(None, allow_none=True)
    lang = traitlets.Unicode("fr")

    def __init__(self, store: object, code: str | None = None, *, lang: str | None = None,
                 notice: Notice | None = None):
        self.store = store
        self.fixed_lang = normalise_language(lang) if lang else None
        self.notice = notice or Notice()
        self.questionnaire: Questionnaire | None = None
        safe = guarded(self.notice, lambda: self.lang)

        self.code_text = widgets.Text(value=(code or "")[:_MAX_CODE_LENGTH],
                                      continuous_update=False)
        self.code_text.add_class("coopkit-code")
        self.continue_button = button("", "coopkit-join-continue", primary=True)
        self.code_intro = html_widget("", "coopkit-join-intro")
        self.code_box = widgets.VBox([self.code_intro, self.code_text,
                                      self.continue_button])
        self.resume_text = widgets.Text(value="", continuous_update=False)
        self.resume_text.add_class("coopkit-resume-field")
        self.resume_button = button("", "coopkit-resume-submit")
        self.resume_intro = html_widget("", "coopkit-resume-intro")
        self.resume_box = widgets.VBox([self.resume_intro, self.resume_text,
                                        self.resume_button])
        self.workshop_intro = html_widget("", "coopkit-workshop-intro")
        self.group_radio = widgets.RadioButtons(options=[], value=None)
        self.group_radio.add_class("coopkit-group")
        self.place_radio = widgets.RadioButtons(options=[], value=None)
        self.place_radio.add_class("coopkit-establishment")
        self.group_head = html_widget("", "coopkit-group-head")
        self.place_head = html_widget("", "coopkit-establishment-head")
        self.join_button = button("", "coopkit-join-submit", primary=True)
        self.who_box = widgets.VBox([self.workshop_intro, self.group_head, self.group_radio,
                                     self.place_head, self.place_radio, self.join_button])
        super().__init__([self.code_box, self.resume_box])
        self.add_class("coopkit-join")

        self.continue_button.on_click(safe(lambda _b: self.find()))
        self.resume_button.on_click(safe(lambda _b: self.resume()))
        self.join_button.on_click(safe(lambda _b: self.join()))
        self.lang = self.fixed_lang or get_language()
        self._texts()
        if code:
            safe(self.find)()

    # ------------------------------------------------------------------- texts

    @traitlets.observe("lang")
    def _on_lang(self, _change: dict) -> None:
        if hasattr(self, "join_button"):
            self._texts()

    def _texts(self) -> None:
        lang = self.lang
        self.code_intro.value = heading(t("app.join.title", lang), 2) + paragraph(
            t("app.join.code_intro", lang))
        self.code_text.description = t("app.join.code_label", lang)
        self.code_text.placeholder = t("app.join.code_placeholder", lang)
        self.continue_button.description = t("app.join.continue", lang)
        self.continue_button.tooltip = self.continue_button.description
        self.resume_intro.value = heading(t("app.resume.title", lang), 2) + paragraph(
            t("app.resume.intro", lang))
        self.resume_text.description = t("app.resume.label", lang)
        self.resume_button.description = t("app.resume.submit", lang)
        self.resume_button.tooltip = self.resume_button.description
        self.join_button.description = t("app.join.submit", lang)
        self.join_button.tooltip = self.join_button.description
        self.group_head.value = heading(t("app.join.group_question", lang), 3)
        self.place_head.value = heading(t("app.join.establishment_question", lang), 3) \
            + paragraph(t("app.join.establishment_hint", lang), "coopkit-hint")
        if self.workshop is not None:
            self._who()

    # ---------------------------------------------------------------- actions

    def find(self) -> None:
        """Look the code up; show the group and establishment choices when it is right."""
        self.notice.clear()
        if not self.code_text.value.strip():
            self.notice.show(t("app.join.empty_code", self.lang), "error")
            return
        workshop = self.store.workshop_by_code(self.code_text.value)  # type: ignore[attr-defined]
        self.questionnaire = self.store.questionnaire(  # type: ignore[attr-defined]
            workshop.questionnaire_hash)
        self.workshop = workshop
        self.code_text.value = workshop.code
        if self.fixed_lang is None:
            self.lang = normalise_language(workshop.lang)
        self._who()
        self.children = [self.who_box]

    def _who(self) -> None:
        workshop, q, lang = self.workshop, self.questionnaire, self.lang
        if workshop is None or q is None:
            return
        title = workshop.title or q.title.get(lang)
        self.workshop_intro.value = heading(title, 2) + (
            paragraph(t("app.join.who_intro", lang)))
        project_groups = self.store.groups(workshop.project_id)  # type: ignore[attr-defined]
        chosen = self.group_radio.value
        options = group_choices(q, project_groups, lang)
        self.group_radio.options = options
        self.group_radio.value = chosen if chosen in [o[1] for o in options] else None
        names = [p.name for p in self.store.partners(workshop.project_id)]  # type: ignore[attr-defined]
        place = self.place_radio.value
        self.place_radio.options = [*((n, n) for n in names),
                                    (t("app.join.no_establishment", lang), NO_ESTABLISHMENT)]
        self.place_radio.value = place if place in [*names, NO_ESTABLISHMENT] else None
        shown = None if names else "none"
        self.place_head.layout.display = shown
        self.place_radio.layout.display = shown

    def join(self) -> None:
        """Join with the chosen group and establishment."""
        if self.workshop is None:
            self.find()
            return
        if self.group_radio.value is None:
            self.notice.show(t("app.join.choose_group", self.lang), "error")
            return
        place = self.place_radio.value
        participant = self.store.join(  # type: ignore[attr-defined]
            self.workshop.code, self.group_radio.value,
            None if place in (None, NO_ESTABLISHMENT) else place)
        self.notice.clear()
        self.value = participant

    def resume(self) -> None:
        """Come back with a resume code (or the token of a resume link)."""
        self.notice.clear()
        text = self.resume_text.value.strip()[:_MAX_CODE_LENGTH]
        if not text:
            self.notice.show(t("app.resume.empty", self.lang), "error")
            return
        try:
            self.value = self.store.resume(text)  # type: ignore[attr-defined]
        except CoopkitError as err:
            if "unknown_token" not in err.codes:
                raise
            self.notice.show(unknown_resume_code(text, self.lang), "error")

