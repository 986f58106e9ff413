"""« Clore la séance »: closing a workshop with one button and a confirmation.

Closing stops joins and answers (``Store.close_workshop``); what was saved stays, and
the results remain in ``03_evaluer``. The first click only asks: the confirmation says
which workshop, and how many participants have not validated yet (their answers are
not in the validated results). No Python to edit, in JupyterLab as in a Voilà page.

:class:`CloseWorkshopButton` is a widget with one ``value`` (whether the workshop is
closed), usable by any consultant screen (the session notebook, the presenter).
Knows nothing of SQL: it goes through the store.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets
import traitlets

from coopkit.errors import CoopkitError
from coopkit.i18n import t

if TYPE_CHECKING:
    from coopkit.store import Store


class CloseWorkshopButton(widgets.VBox):
    """A « Clore la séance » button, then « Oui, clore » / « Annuler ».

    ``value`` is True once the workshop is closed (it starts True for a workshop
    already closed, whose button is then disabled). Setting ``value = True`` from code
    closes without asking, as :meth:`close` does; a closed workshop is not reopened
    from here. Observe ``value`` to react to the closing (e.g. stop a live view).
    """

    value = traitlets.Bool(False)

    def __init__(self, store: Store, workshop_id: int, *, lang: str | None = None):
        self.store = store
        self.workshop_id = workshop_id
        self._lang = lang
        self.button = widgets.Button(description=t("closing.button", lang), icon="lock",
                                     tooltip=t("closing.button", lang),
                                     layout=widgets.Layout(width="auto"))
        self.question = widgets.HTML()
        self.confirm = widgets.Button(description=t("closing.confirm", lang),
                                      button_style="danger",
                                      layout=widgets.Layout(width="auto"))
        self.cancel = widgets.Button(description=t("closing.cancel", lang),
                                     layout=widgets.Layout(width="auto"))
        self.confirmation = widgets.VBox(
            [self.question, widgets.HBox([self.confirm, self.cancel])],
            layout=widgets.Layout(display="none"))
        self.message = widgets.HTML()
        for part, css in ((self, "coopkit-close"), (self.button, "coopkit-close-ask"),
                          (self.confirm, "coopkit-close-confirm"),
                          (self.cancel, "coopkit-close-cancel"),
                          (self.message, "coopkit-close-message")):
            part.add_class(css)
        super().__init__([self.button, self.confirmation, self.message])
        self.button.on_click(lambda _b: self.ask())
        self.confirm.on_click(lambda _b: self.close())
        self.cancel.on_click(lambda _b: self.dismiss())
        self.refresh()

    @property
    def asking(self) -> bool:
        """Whether the confirmation is on screen."""
        return self.confirmation.layout.display != "none"

    def refresh(self) -> None:
        """Read the workshop from the store again (it may have been closed elsewhere)."""
        try:
            workshop = self.store.workshop(self.workshop_id)
        except CoopkitError as exc:
            self._show(exc.format(self._lang))
            self.button.disabled = True
            return
        if not workshop.is_open:
            self._closed(workshop.code)

    def ask(self) -> None:
        """First click: say what closing does, and wait for « Oui, clore »."""
        lang = self._lang
        try:
            workshop = self.store.workshop(self.workshop_id)
            counts = self.store.participation(self.workshop_id).values()
        except CoopkitError as exc:
            self._show(exc.format(lang))
            return
        if not workshop.is_open:
            self._closed(workshop.code)
            return
        pending = sum(c.joined - c.validated for c in counts)
        lines = [t("closing.question", lang, code=workshop.code)]
        if pending:
            key = "closing.pending_one" if pending == 1 else "closing.pending_many"
            lines.append(t(key, lang, count=pending))
        self.question.value = "".join(f"<p>{escape(line)}</p>" for line in lines)
        self.message.value = ""
        self.button.layout.display = "none"
        self.confirmation.layout.display = None

    def dismiss(self) -> None:
        """« Annuler »: back to the button, nothing changed."""
        self.confirmation.layout.display = "none"
        self.button.layout.display = None

    def close(self) -> bool:
        """Close the workshop in the store; returns whether it is closed."""
        try:
            workshop = self.store.close_workshop(self.workshop_id)
        except CoopkitError as exc:
            self.dismiss()
            self._show(exc.format(self._lang))
            return False
        self._closed(workshop.code)
        return True

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        if change["new"] and self.button.disabled is False:
            if not self.close():
                self.value = False
        elif not change["new"] and self.button.disabled:
            self.value = True  # a closed workshop is not reopened from this button

    def _closed(self, code: str) -> None:
        self.confirmation.layout.display = "none"
        self.button.layout.display = None
        self.button.disabled = True
        self._show(t("closing.done", self._lang, code=code))
        self.value = True

    def _show(self, text: str) -> None:
        self.message.value = "<p role='status'>" + "<br>".join(
            escape(line) for line in text.splitlines()) + "</p>"
