"""The participant app: join, then the three steps of the original online tool
(1. fill in, 2. see my result, 3. validate my result), then a thank-you where one may
send a wording of the common purpose and an action proposal.

``ParticipantApp(store, code=..., resume=..., lang=...)`` is all the app notebook
builds (without ``store``, ``open_store()`` is called when first needed). ``value`` is
the current step: ``"join"``, ``"fill"``, ``"result"`` or ``"thanks"``, or
``"closed"`` once the consultant has closed the workshop (« Clore la séance »): a page
left open on the form or the result then says so politely, within
:data:`CLOSED_CHECK` seconds or at the next answer.

No traceback ever reaches the page: a user error shows its message; any other error
shows a generic "your answers are saved, reload the page", and its traceback goes to
the server log (stderr).

For browser tests: stable CSS classes, and the button texts (French / English)
--------------------------------------------------------------------------------
=============================  ===============================================
class                          what
=============================  ===============================================
``coopkit-app``                the whole app (root)
``coopkit-header``             title (``h1``) and the three steps (``nav``)
``coopkit-message``            the message area (``role="alert"`` on errors)
``coopkit-resume``             resume link (``a.coopkit-resume-link``) + code, under
                               the page (folded after the first part;
                               gone once validated)
``coopkit-join``               join page; ``coopkit-code`` the code field,
                               labelled "Code de l'atelier" / "Workshop code"
``coopkit-join-continue``      "Continuer" / "Continue"
``coopkit-group``              radio buttons of the stakeholder groups
``coopkit-establishment``      radio buttons of the establishments
``coopkit-join-submit``        "Commencer" / "Start"
``coopkit-resume-field``       "Code de reprise" / "Resume code" field
``coopkit-resume-submit``      "Reprendre" / "Resume"
``coopkit-form``               step 1; ``coopkit-progress``, ``coopkit-page-title``
                               (``h2``; ``coopkit-intro`` the folded introduction),
                               ``coopkit-page``, ``coopkit-overview``
``coopkit-item``               one question (+ ``coopkit-item-<type>``); its text
                               is an ``h3.coopkit-question``; ``coopkit-missing``
                               when a required one is flagged
``coopkit-back``               "Précédent" / "Back"
``coopkit-next``               "Suivant" / "Next"
``coopkit-finish``             "Voir mon résultat" / "See my result" (last page)
``coopkit-saved``              "Réponse enregistrée" / "Answer saved"
``coopkit-result``             step 2; ``coopkit-own-result``, ``coopkit-group-result``
``coopkit-edit``               "Modifier mes réponses" / "Change my answers"
``coopkit-actionbar``          stays at the bottom of the screen on the result:
                               a reminder and ``coopkit-validate``
``coopkit-validate``           "Valider mon résultat" / "Validate my result"
``coopkit-thanks``             the thank-you, after validation; « Vous avez une
                               idée ? » (``coopkit-ideas``, see
                               :mod:`coopkit.participant.ideas`) comes next, then
                               the group's picture, then one's own result
``coopkit-closed``             the workshop was closed: a polite goodbye
``coopkit-refresh``            "Actualiser le résultat du groupe" / "Refresh the group's
                               picture"
``coopkit-page-script``        hidden Output: scrolls to the top on a new page; once
                               joined, puts ``?resume=<token>`` in the address bar;
                               sets the page's language and title; once
                               validated, frees the kernel when the page is left
=============================  ===============================================
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlencode

import ipywidgets as widgets
import traitlets

from coopkit.errors import CoopkitError
from coopkit.i18n import get_language, normalise_language, t
from coopkit.participant.form import FormWidget
from coopkit.participant.ideas import IdeasWidget
from coopkit.participant.join import JoinWidget
from coopkit.participant.result import ResultWidget
from coopkit.widgets.html import (
    Notice,
    PageScript,
    button,
    esc,
    guarded,
    heading,
    html_widget,
    log_unexpected,
    page_head,
    paragraph,
    stylesheet,
)

STEPS = ("fill", "result", "thanks")
#: Seconds between two looks at whether the workshop is still open (form and result).
CLOSED_CHECK = 8.0


class LazyStore:
    """The store, opened at its first use (``open_store()``: ``$COOPKIT_DATABASE_URL``,
    else the SQLite file in ``$COOPKIT_DATA``). A page without a code or a resume link
    never touches the database (nbval runs the app notebook this way)."""

    def __init__(self) -> None:
        self._store: object = None

    def __getattr__(self, name: str) -> object:
        if self._store is None:
            from coopkit.store import open_store

            self._store = open_store()
        return getattr(self._store, name)


def resume_href(token: str, lang: str | None = None) -> str:
    """A link relative to the page (``?resume=...``): it works whatever the address."""
    query = {"resume": token, **({"lang": lang} if lang else {})}
    return "?" + urlencode(query)


class ParticipantApp(widgets.VBox):
    """Join -> fill in -> see my result -> validate -> thank-you."""

    value = traitlets.Unicode("join")

    def __init__(self, store: object = None, *, code: str | None = None,
                 resume: str | None = None, lang: str | None = None):
        self.store = LazyStore() if store is None else store
        self.url_lang = normalise_language(lang) if lang else None
        self.lang = self.url_lang or get_language()
        self.notice = Notice()
        self.script = PageScript()
        self.header = html_widget("", "coopkit-header")
        self.resume_info = html_widget("", "coopkit-resume")
        self.body = widgets.VBox()
        self.body.add_class("coopkit-body")
        super().__init__([stylesheet(), self.script.widget, self.header, self.notice.widget,
                          self.body, self.resume_info])
        self.add_class("coopkit-app")
        self.participant = None
        self.workshop = None
        self.questionnaire = None
        self.join: JoinWidget | None = None
        self.form: FormWidget | None = None
        self.result: ResultWidget | None = None
        self.ideas: IdeasWidget | None = None
        self.thanks = html_widget("", "coopkit-thanks")
        self.closed = html_widget("", "coopkit-closed")
        self._watch: asyncio.Task | None = None
        self.edit_button = button(t("app.result.edit", self.lang), "coopkit-edit")
        self.validate_button = button(t("app.result.validate", self.lang),
                                      "coopkit-validate", primary=True)
        self.validate_reminder = html_widget("", "coopkit-validate-reminder")
        self.action_bar = widgets.VBox([self.validate_reminder, self.validate_button])
        self.action_bar.add_class("coopkit-actionbar")
        self._safe = guarded(self.notice, lambda: self.lang)
        self.edit_button.on_click(self._safe(lambda _b: self.show_form()))
        self.validate_button.on_click(self._safe(lambda _b: self.validate()))
        self._header()
        try:
            self._start(code, resume)
        except Exception:  # the app must always show something
            log_unexpected("ParticipantApp")
            self.notice.show(t("app.unexpected", self.lang), "error")

    # ------------------------------------------------------------------ start

    def prepare(self) -> None:
        """Open the store and read the open workshops' questionnaires ahead of time.

        A preheated Voilà kernel runs this before anyone arrives, so a participant's
        request only pays for what depends on their URL. Never raises: a store that
        cannot be opened yet is reported when the participant acts.
        """
        try:
            for workshop in self.store.workshops():  # type: ignore[attr-defined]
                if workshop.is_open:
                    self.store.questionnaire(  # type: ignore[attr-defined]
                        workshop.questionnaire_hash)
        except Exception:
            log_unexpected("ParticipantApp.prepare")

    def page_head(self) -> object:
        """An HTML output for the page around the app: the participant's language, the
        title, and the workshop's name on the loading screen (the notebook shows it
        right after :meth:`start`, before the app itself)."""
        return page_head(self.lang, self.page_title(), self._workshop_title())

    def start(self, *, code: str | None = None, resume: str | None = None,
              lang: str | None = None) -> None:
        """Apply the page's URL parameters to an app built before the request came.

        Measured with 30 arrivals within a second (``benchmarks/join_burst.py``):
        building the app before ``wait_for_request`` and only applying the parameters
        afterwards cuts the p95 time to interactive about threefold.
        """
        try:
            if lang:
                self.url_lang = normalise_language(lang)
                self._set_lang(self.url_lang)
            if resume or self.join is None or self.value != "join":
                self._start(code, resume)
                return
            if self.url_lang:
                self.join.fixed_lang = self.url_lang
                self.join.lang = self.url_lang
            if code:
                self.join.code_text.value = code[:64]
                self._safe(self.join.find)()
            self._header()
        except Exception:  # the app must always show something
            log_unexpected("ParticipantApp.start")
            self.notice.show(t("app.unexpected", self.lang), "error")

    def _start(self, code: str | None, resume: str | None) -> None:
        if resume:
            try:
                self.enter(self.store.resume(resume))  # type: ignore[attr-defined]
                return
            except CoopkitError as err:
                self.show_join(code)
                self.notice.error(err, self.lang)
                return
        self.show_join(code)

    def show_join(self, code: str | None = None) -> None:
        """The join page (code, group, establishment; or a resume code)."""
        self.join = JoinWidget(self.store, code, lang=self.url_lang, notice=self.notice)
        self.join.observe(self._safe(self._on_join_lang), names="lang")
        self.join.observe(self._safe(self._on_joined), names="value")
        self.join.observe(self._safe(lambda _c: self._header()), names="workshop")
        self.lang = self.join.lang
        self.body.children = [self.join]
        self.value = "join"
        self._header()

    def _on_join_lang(self, change: dict) -> None:
        self._set_lang(change["new"])

    def _on_joined(self, change: dict) -> None:
        if change["new"] is not None:
            self.enter(change["new"])

    def enter(self, participant: object) -> None:
        """Open the app for a participant (just joined, or back with a resume link)."""
        store = self.store
        workshop = store.workshop(participant.workshop_id)  # type: ignore[attr-defined]
        questionnaire = store.questionnaire(  # type: ignore[attr-defined]
            workshop.questionnaire_hash)
        answers = store.answers(participant.token)  # type: ignore[attr-defined]
        self.participant, self.workshop, self.questionnaire = participant, workshop, \
            questionnaire
        self._set_lang(self.url_lang or normalise_language(workshop.lang))
        self.form = FormWidget(questionnaire, store, participant.token,  # type: ignore[attr-defined]
                               group=participant.group,  # type: ignore[attr-defined]
                               lang=self.lang, notice=self.notice, answers=answers,
                               to_top=self.script.to_top)
        self.form.on_finish(self.show_result)
        self.form.on_locked(self._validated_elsewhere)
        self.form.observe(self._safe(lambda _c: self._resume_info()), names="page")
        self.form.observe(self._safe(lambda change: change["new"] and self.show_closed()),
                          names="closed")
        self._resume_info()
        self.script.set_address(resume_href(participant.token,  # type: ignore[attr-defined]
                                            self.url_lang))
        if participant.validated_at is not None:  # type: ignore[attr-defined]
            self.form.lock()
            self.show_thanks()
        elif not workshop.is_open:
            self.show_closed()
        else:
            self.show_form()
            self._watch_closing()

    # ------------------------------------------------------------------ steps

    def show_form(self) -> None:
        """Step 1: fill in."""
        if self.form is None:
            return
        self.body.children = [self.form]
        self._step("fill")

    def show_result(self) -> None:
        """Step 2: see my result; « Valider » stays at the bottom of the screen (with a
        reminder that only validated answers count) while the result scrolls by."""
        if self.form is None:
            return
        self.result = ResultWidget(self.questionnaire, self.form.value,  # type: ignore[arg-type]
                                   group=self.participant.group,  # type: ignore[attr-defined]
                                   lang=self.lang, notice=self.notice)
        intro = html_widget(paragraph(t("app.result.before_validate", self.lang),
                                      "coopkit-hint"), "coopkit-validate-intro")
        self.body.children = [intro, self.result, self.edit_button, self.action_bar]
        self._step("result")

    def validate(self) -> None:
        """Step 3: validate my result; the answers are locked afterwards."""
        if self.form is None:
            return
        if not self.form.flush():
            self.notice.show(t("app.form.unsaved_before_result", self.lang), "error")
            return
        try:
            self.participant = self.store.validate(self.participant.token)  # type: ignore[attr-defined]
        except CoopkitError as err:
            if "workshop_closed" in err.codes:
                self.show_closed()
                return
            if "missing_answers" in err.codes:
                self.show_form()
                self.form.finish()
                return
            self.notice.error(err, self.lang)
            return
        self.form.lock()
        self.show_thanks()

    def _validated_elsewhere(self) -> None:
        """The form found the answers validated on another page: thank-you here too."""
        with contextlib.suppress(CoopkitError):  # keep the one we have
            self.participant = self.store.resume(self.participant.token)  # type: ignore[attr-defined]
        self.show_thanks()
        self.notice.show(t("app.locked_elsewhere", self.lang), "info")

    def show_thanks(self) -> None:
        """After validation: a thank-you, « Vous avez une idée ? » (a wording of the
        common purpose, an action proposal: :class:`~coopkit.participant.ideas.
        IdeasWidget`, while the workshop is open), the group's picture, then one's own
        result.
        No resume link any more (nothing is left to do); the page, once left, frees its
        kernel (the address still reopens this thank-you)."""
        self.notice.clear()
        self.thanks.value = (heading(t("app.thanks.title", self.lang), 2)
                             + paragraph(t("app.thanks.body", self.lang)))
        self.result = ResultWidget(self.questionnaire, self.form.value,  # type: ignore[union-attr, arg-type]
                                   group=self.participant.group,  # type: ignore[attr-defined]
                                   lang=self.lang, store=self.store, workshop=self.workshop,
                                   show_group=True, notice=self.notice)
        self.ideas = None
        if self.workshop is not None and self._still_open():
            self.ideas = IdeasWidget(self.store, self.participant.token,  # type: ignore[attr-defined]
                                     lang=self.lang)
        self.body.children = [self.thanks, *([self.ideas] if self.ideas else []),
                              self.result]
        self._step("thanks")
        self._resume_info()
        self.script.release_on_leave()
        self.result.draw_group()

    def _still_open(self) -> bool:
        """Whether the workshop still takes ideas (a blip of the database: yes, the
        store refuses a send politely if it is closed after all)."""
        try:
            return bool(self.store.workshop(self.workshop.id).is_open)  # type: ignore[attr-defined]
        except Exception:
            return True

    def show_closed(self) -> None:
        """The workshop was closed while this page was open: say so politely (the
        answers already saved are kept)."""
        if self.value == "closed":
            return
        self.notice.clear()
        self.closed.value = (heading(t("app.closed.title", self.lang), 2)
                             + paragraph(t("app.closed.body", self.lang)))
        self.closed.add_class("coopkit-note")
        self.closed.add_class("coopkit-note-info")
        self.body.children = [self.closed]
        self._step("closed")

    def check_open(self) -> bool:
        """Whether the workshop still accepts answers; shows :meth:`show_closed` when it
        does not. A validated participant's thank-you stays as it is."""
        if self.workshop is None or self.value in ("thanks", "closed", "join"):
            return True
        try:
            is_open = self.store.workshop(self.workshop.id).is_open  # type: ignore[attr-defined]
        except Exception:  # a blip of the database is not a closed workshop
            return True
        if not is_open:
            self.show_closed()
        return bool(is_open)

    def _watch_closing(self) -> None:
        """In a page served by Voilà (a running event loop), look every
        :data:`CLOSED_CHECK` seconds while the participant fills in or reads."""
        if self._watch is not None and not self._watch.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._watch = loop.create_task(self._watch_loop())

    async def _watch_loop(self) -> None:
        while self.value in ("fill", "result"):
            await asyncio.sleep(CLOSED_CHECK)
            self.check_open()

    # ---------------------------------------------------------------- pieces

    def _step(self, step: str) -> None:
        self.value = step
        self._header()
        self._resume_info()
        self.script.to_top()

    def _set_lang(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.lang = lang
        self.edit_button.description = self.edit_button.tooltip = t("app.result.edit", lang)
        self.validate_button.description = self.validate_button.tooltip = t(
            "app.result.validate", lang)
        self._header()

    def _workshop_title(self) -> str | None:
        """The workshop's title (else its questionnaire's), once known."""
        workshop = self.workshop
        questionnaire = self.questionnaire
        if workshop is None and self.join is not None:
            workshop, questionnaire = self.join.workshop, self.join.questionnaire
        if workshop is None:
            return None
        if getattr(workshop, "title", None):
            return str(workshop.title)
        return questionnaire.title.get(self.lang) if questionnaire is not None else None

    def page_title(self) -> str:
        """The title of the page (its browser tab): the workshop's, else the app's."""
        return self._workshop_title() or t("app.title", self.lang)

    def _header(self) -> None:
        lang = self.lang
        title = t("app.title", lang)
        if self.workshop is not None and self.questionnaire is not None:
            title = self.workshop.title or self.questionnaire.title.get(lang)
        self.validate_reminder.value = paragraph(t("app.result.validate_reminder", lang))
        self.script.set_page(lang, self.page_title())
        steps = ""
        if self.value in STEPS:
            current = STEPS.index(self.value)
            items = []
            for n, key in enumerate(("app.step.fill", "app.step.result", "app.step.validate")):
                mark = ' aria-current="step"' if n == current else ""
                items.append(f"<li{mark}>{esc(t(key, lang))}</li>")
            steps = (f'<nav class="coopkit-steps" aria-label="{esc(t("app.steps", lang))}">'
                     f"<ol>{''.join(items)}</ol></nav>")
        self.header.value = heading(title, 1) + steps

    def _resume_info(self) -> None:
        """Under the page: how to come back later. In full on the first part, folded on
        the others, gone once validated (nothing is left to come back for)."""
        if self.participant is None or self.value == "thanks" or \
                getattr(self.participant, "validated_at", None) is not None:
            self.resume_info.value = ""
            return
        lang = self.lang
        token = self.participant.token  # type: ignore[attr-defined]
        code = getattr(self.participant, "resume_code", None)
        href = resume_href(token, self.url_lang)
        link = (f'<a class="coopkit-resume-link" href="{esc(href)}">'
                f'{esc(t("app.resume.link", lang))}</a>')
        text = f'<p class="coopkit-hint">{esc(t("app.resume.keep", lang))} {link}'
        if code:
            text += (f'<br>{esc(t("app.resume.code", lang))} '
                     f'<span class="coopkit-resume-code">{esc(code)}</span>')
        text += "</p>"
        first = self.form is None or (self.value == "fill" and self.form.page == 0)
        if not first:
            text = (f'<details><summary>{esc(t("app.resume.later", lang))}</summary>'
                    f"{text}</details>")
        self.resume_info.value = text
