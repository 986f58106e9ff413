"""The consultant's settings of one workshop, as a widget: no Python to edit.

``WorkshopSettingsWidget(store, workshop_id)`` shows one checkbox per setting of
:class:`coopkit.store.WorkshopSettings` (today: whether the groups' tendencies are
shown on the presenter, the room view and in the exports), with the facilitation note
that goes with it. Its one ``value`` is ``{"show_tendencies": bool}``; setting it (or
ticking the box) writes to the store at once. Headless-testable.
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


class WorkshopSettingsWidget(widgets.VBox):
    """Turn a workshop's tendencies on or off, with the note on how to present them."""

    value = traitlets.Dict()

    def __init__(self, store: Store, workshop_id: int, *, lang: str | None = None):
        self.store = store
        self.workshop_id = workshop_id
        self._lang = lang
        current = store.workshop(workshop_id).settings
        self.tendencies = widgets.Checkbox(
            value=current.show_tendencies, indent=False,
            description=t("settings.show_tendencies", lang),
            layout=widgets.Layout(width="auto"))
        self.tendencies.add_class("coopkit-setting-tendencies")
        note = widgets.HTML(f"<p><small>{escape(t('settings.tendencies_note', lang))}"
                            "</small></p>")
        self.message = widgets.HTML()
        super().__init__([self.tendencies, note, self.message])
        self.value = {"show_tendencies": current.show_tendencies}
        self.tendencies.observe(self._on_box, names="value")

    def _on_box(self, change: dict) -> None:
        self.value = {**self.value, "show_tendencies": bool(change["new"])}

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        old = change["old"] if isinstance(change["old"], dict) else {}
        new = change["new"]
        if self.tendencies.value != new.get("show_tendencies", False):
            self.tendencies.value = bool(new.get("show_tendencies"))
        if not old or old == new:
            return
        try:
            saved = self.store.set_workshop_settings(
                self.workshop_id, show_tendencies=bool(new.get("show_tendencies")))
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
            return
        key = "settings.tendencies_on" if saved.settings.show_tendencies \
            else "settings.tendencies_off"
        self.message.value = f"<p>{escape(t(key, self._lang))}</p>"
