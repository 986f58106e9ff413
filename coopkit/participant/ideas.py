"""« Vous avez une idée ? »: what a participant may send from the phone once their result
is validated (the thank-you step): a wording of the common purpose, and an action
proposal tied to a feeling and a theme.

``IdeasWidget(store, token, lang=...)`` shows a short invitation and two buttons; each
unfolds its form (a labelled text field, for a proposal also the feeling and the
theme it answers, and « Envoyer »). Its one ``value`` is the forms' content:
``{"open": "" | "purpose" | "proposal", "purpose": str, "proposal": str, "feeling":
str, "theme": str}`` (empty strings for nothing); setting it fills the forms.
:meth:`send_purpose` and :meth:`send_proposal` (the buttons) send one.

What is sent goes through the store's API (:meth:`~coopkit.store.Store.
add_purpose_wording`, :meth:`~coopkit.store.Store.add_participant_proposal`): anonymous
(nothing ties the text to the participant) and waiting in moderation until the
consultant reads it; this page never shows it back with anything about the sender.
A text empty, longer than :data:`PURPOSE_LIMIT` / :data:`PROPOSAL_LIMIT` or with a
character that cannot be stored, a proposal without its feeling or theme: refused with
a :class:`~coopkit.errors.CoopkitError` naming the field, before anything is sent. A
send that fails (the database out of reach, a weak Wi-Fi) says so and keeps the text in
its field, to send again; only a text sent is cleared, with « envoyée, elle sera relue
par le consultant avant d'être montrée ». Knows nothing of SQL nor of the consultant's
tools.

For browser tests: ``coopkit-ideas`` (the whole), ``coopkit-ideas-purpose-open`` and
``coopkit-ideas-proposal-open`` (the buttons that unfold each form),
``coopkit-ideas-purpose`` and ``coopkit-ideas-proposal`` (the forms),
``coopkit-ideas-purpose-send`` and ``coopkit-ideas-proposal-send`` (« Envoyer… »);
each form's message area is a ``coopkit-ideas-message`` inside it.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import traitlets

from coopkit.definitions import method
from coopkit.errors import CoopkitError, bad_character, fail
from coopkit.i18n import t
from coopkit.widgets.html import (
    Notice,
    button,
    esc,
    heading,
    html_widget,
    log_unexpected,
    paragraph,
)

#: Longest wording of the common purpose sent from a phone: one or two sentences (the
#: store accepts longer ones, typed by the consultant).
PURPOSE_LIMIT = 500
#: Longest action proposal sent from a phone.
PROPOSAL_LIMIT = 1000
KINDS = ("purpose", "proposal")
_EMPTY = {"open": "", "purpose": "", "proposal": "", "feeling": "", "theme": ""}


def checked_text(text: object, limit: int, field: str) -> str:
    """``text`` stripped, or a :class:`CoopkitError` naming ``field`` (the label the
    participant reads): empty, too long, or with a character that cannot be stored."""
    clean = text.strip() if isinstance(text, str) else ""
    if not clean:
        raise fail("idea_empty", field=field)
    if len(clean) > limit:
        raise fail("idea_too_long", field=field, value=len(clean), limit=limit)
    found = bad_character(clean)
    if found is not None:
        raise fail("bad_character", field=field, position=found[0] + 1, char=found[1])
    return clean


def _form_notice() -> Notice:
    """A form's own message area (``coopkit-ideas-message``: the page's one
    ``coopkit-message`` stays the app's)."""
    notice = Notice()
    notice.widget.remove_class("coopkit-message")
    notice.widget.add_class("coopkit-ideas-message")
    return notice


def _again(notice: Notice, text: str) -> bool:
    """A second tap on « Envoyer » right after a send (a slow Wi-Fi makes people tap
    twice): the field is empty and the confirmation is on screen; keep it."""
    return notice.kind == "ok" and not text.strip()


class IdeasWidget(widgets.VBox):
    """« Vous avez une idée ? »: propose a wording of the common purpose, send an action
    proposal (see the module's docstring)."""

    value = traitlets.Dict()

    def __init__(self, store: object, token: str, *, lang: str | None = None):
        self.store = store
        self.token = token
        self.lang = lang
        self.sent: list[tuple[str, int]] = []  # (kind, id) of what was sent from here
        self._syncing = False
        intro = html_widget(heading(t("app.idea.title", lang), 2)
                            + paragraph(t("app.idea.intro", lang), "coopkit-hint"),
                            "coopkit-ideas-intro")
        self.open_buttons = {
            kind: button(t(f"app.idea.{kind}_open", lang), f"coopkit-ideas-{kind}-open")
            for kind in KINDS}
        # the purpose
        self.purpose_text = widgets.Textarea(
            value="", continuous_update=True, description=t("app.idea.purpose_label", lang),
            placeholder=t("app.idea.purpose_placeholder", lang))
        self.purpose_send = button(t("app.idea.purpose_send", lang),
                                   "coopkit-ideas-purpose-send", primary=True)
        self.purpose_notice = _form_notice()
        # the proposal
        self.feeling = widgets.RadioButtons(
            options=[(t("app.idea.feeling_option", lang,
                        name=t(f"method.feeling.{f}", lang),
                        desc=t(f"method.feeling.{f}.desc", lang)), f)
                     for f in method.FEELING_IDS], value=None)
        self.feeling.add_class("coopkit-choices")
        self.theme = widgets.RadioButtons(
            options=[(t(f"method.theme.{th}", lang), th) for th in method.THEME_IDS],
            value=None)
        self.theme.add_class("coopkit-choices")
        self.proposal_text = widgets.Textarea(
            value="", continuous_update=True, description=t("app.idea.proposal_label", lang),
            placeholder=t("app.idea.proposal_placeholder", lang))
        self.proposal_send = button(t("app.idea.proposal_send", lang),
                                    "coopkit-ideas-proposal-send", primary=True)
        self.proposal_notice = _form_notice()

        self.forms = {
            "purpose": widgets.VBox([
                html_widget(heading(t("app.idea.purpose_title", lang), 3)
                            + paragraph(t("app.idea.purpose_hint", lang,
                                          limit=PURPOSE_LIMIT), "coopkit-hint")),
                self.purpose_text, self.purpose_send, self.purpose_notice.widget]),
            "proposal": widgets.VBox([
                html_widget(heading(t("app.idea.proposal_title", lang), 3)
                            + paragraph(t("app.idea.proposal_hint", lang,
                                          limit=PROPOSAL_LIMIT), "coopkit-hint")),
                html_widget(f'<p class="coopkit-question">'
                            f'{esc(t("app.idea.feeling_question", lang))}</p>'),
                self.feeling,
                html_widget(f'<p class="coopkit-question">'
                            f'{esc(t("app.idea.theme_question", lang))}</p>'),
                self.theme, self.proposal_text, self.proposal_send,
                self.proposal_notice.widget]),
        }
        for kind, form in self.forms.items():
            form.add_class(f"coopkit-ideas-{kind}")
            form.add_class("coopkit-ideas-form")
            form.layout.display = "none"
        super().__init__([intro, self.open_buttons["purpose"], self.forms["purpose"],
                          self.open_buttons["proposal"], self.forms["proposal"]])
        self.add_class("coopkit-ideas")
        for kind, b in self.open_buttons.items():
            b.on_click(lambda _b, kind=kind: self.toggle(kind))
        self.purpose_send.on_click(lambda _b: self.send_purpose())
        self.proposal_send.on_click(lambda _b: self.send_proposal())
        for field in (self.purpose_text, self.proposal_text, self.feeling, self.theme):
            field.observe(lambda _c: self._sync_value(), names="value")
        self._open = ""
        self._sync_value()

    # ------------------------------------------------------------------ value

    def _sync_value(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self.value = {"open": self._open, "purpose": self.purpose_text.value,
                          "proposal": self.proposal_text.value,
                          "feeling": self.feeling.value or "", "theme": self.theme.value or ""}
        finally:
            self._syncing = False

    @traitlets.validate("value")
    def _valid_value(self, proposal: dict) -> dict:
        new = {**_EMPTY, **(self.value or {}), **dict(proposal["value"])}
        unknown = set(new) - set(_EMPTY)
        if unknown:
            raise traitlets.TraitError(f"unknown keys: {sorted(unknown)}")
        if new["open"] not in ("", *KINDS):
            raise traitlets.TraitError(f"open must be one of {KINDS} or empty")
        if new["feeling"] not in ("", *method.FEELING_IDS):
            raise traitlets.TraitError(f"unknown feeling {new['feeling']!r}")
        if new["theme"] not in ("", *method.THEME_IDS):
            raise traitlets.TraitError(f"unknown theme {new['theme']!r}")
        return new

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        if self._syncing:
            return
        new = change["new"]
        self._syncing = True
        try:
            self.purpose_text.value = str(new["purpose"])
            self.proposal_text.value = str(new["proposal"])
            self.feeling.value = new["feeling"] or None
            self.theme.value = new["theme"] or None
            self._show(new["open"])
        finally:
            self._syncing = False

    # ------------------------------------------------------------------ forms

    def toggle(self, kind: str) -> None:
        """Unfold the form of ``kind`` (``"purpose"`` or ``"proposal"``), fold it if it
        was open; one form at a time, what was typed in the other is kept."""
        self._show("" if self._open == kind else kind)
        self._sync_value()

    def _show(self, kind: str) -> None:
        self._open = kind
        for name, form in self.forms.items():
            form.layout.display = None if name == kind else "none"
            b = self.open_buttons[name]
            (b.add_class if name == kind else b.remove_class)("coopkit-ideas-opened")

    def send_purpose(self) -> int | None:
        """Send the wording typed; returns its id, or None (the reason is shown, the
        text kept)."""
        lang = self.lang
        notice = self.purpose_notice
        if _again(notice, self.purpose_text.value):
            return None
        def send() -> int:
            text = checked_text(self.purpose_text.value, PURPOSE_LIMIT,
                                t("app.idea.purpose_label", lang))
            return int(self.store.add_purpose_wording(  # type: ignore[attr-defined]
                self.token, text))

        new_id = self._attempt(send, notice, "IdeasWidget.send_purpose")
        if new_id is None:
            return None
        self.sent.append(("purpose", new_id))
        self.purpose_text.value = ""
        notice.show(t("app.idea.purpose_sent", lang), "ok")
        return new_id

    def _attempt(self, send: Callable[[], int], notice: Notice, where: str) -> int | None:
        """``send()``'s id, or None with the reason in ``notice``: coopkit's own message
        for bad input, « l'envoi n'a pas abouti » when the database is out of reach (the
        traceback to the server's log only). Nothing typed is cleared here."""
        try:
            return send()
        except CoopkitError as err:
            notice.error(err, self.lang)
        except Exception:  # the database out of reach: say so, keep the text
            log_unexpected(where)
            notice.show(t("app.idea.failed", self.lang), "error")
        return None

    def send_proposal(self) -> int | None:
        """Send the action proposal typed, with its feeling and theme; returns its id,
        or None (the reason is shown, nothing chosen or typed is lost)."""
        lang = self.lang
        notice = self.proposal_notice
        if _again(notice, self.proposal_text.value):
            return None
        def send() -> int:
            text = checked_text(self.proposal_text.value, PROPOSAL_LIMIT,
                                t("app.idea.proposal_label", lang))
            if self.feeling.value is None:
                raise fail("idea_feeling", field=t("app.idea.feeling_question", lang))
            if self.theme.value is None:
                raise fail("idea_theme", field=t("app.idea.theme_question", lang))
            return int(self.store.add_participant_proposal(  # type: ignore[attr-defined]
                self.token, text, feeling=self.feeling.value, theme=self.theme.value))

        new_id = self._attempt(send, notice, "IdeasWidget.send_proposal")
        if new_id is None:
            return None
        self.sent.append(("proposal", new_id))
        self._syncing = True
        try:
            self.proposal_text.value = ""
            self.feeling.value = None
            self.theme.value = None
        finally:
            self._syncing = False
        self._sync_value()
        notice.show(t("app.idea.proposal_sent", lang), "ok")
        return new_id
