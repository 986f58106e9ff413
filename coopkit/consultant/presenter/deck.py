"""The presenter: the screens of one workshop, projected full screen, live.

:class:`Presenter` shows one screen at a time with, around it, the screen's title, a
small QR code and the join code in a corner (for late arrivals), the consultant's
prompt for the screen (hidden with one button: the projector shows the room what the
page shows) and a control bar: previous / a menu of the screens / next (also the arrow
keys, space, page up / page down), « Révéler » / « Masquer » for results screens, the
tendency screen's switch (the workshop's own setting, ``show_tendencies``, the same as
``02_animer``'s), full screen, and « Clore la séance » (the consultant's
:class:`~coopkit.consultant.closing.CloseWorkshopButton`, which asks first).

**Live.** Twice a second it reads the workshop's :meth:`~coopkit.store.Store.activity`
(one short query); only when that changed does it read the answers again, and only the
screen on view is redrawn (each screen redraws only when what it shows changed; a
screen off view is redrawn when it comes into view). Measured by
``benchmarks/presenter_latency.py``.

Headless use (tests): build it, call :meth:`refresh`, :meth:`next`, :meth:`reveal`,
:meth:`close_session` / :meth:`confirm_close` and read ``value``. Knows nothing of SQL
nor of the participant app.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from coopkit.consultant.closing import CloseWorkshopButton
from coopkit.consultant.presenter.screens import SCREENS, RoomData, Screen, TendenciesScreen
from coopkit.consultant.presenter.style import KEYS_JS, PAGE_LOCK, STYLESHEET, qr_svg
from coopkit.i18n import normalise_language, t
from coopkit.widgets.html import esc, html_widget, server_log
from coopkit.widgets.polling import Poller

if TYPE_CHECKING:
    from coopkit.store import Activity, Store

#: Seconds between two looks at the store.
DEFAULT_INTERVAL = 0.5


class Presenter(widgets.VBox):
    """The projected screens of one workshop.

    ``value``: ``{"screen": key, "screens": [keys], "revealed": [keys], "prompt":
    bool, "open": bool, "confirming": bool, "tendencies": bool}``. ``tendencies``
    follows the workshop's setting ``show_tendencies`` (off by default), read with the
    rest of its :meth:`~coopkit.store.Store.activity`; the on-screen switch writes it.
    """

    value = traitlets.Dict()
    tendencies = traitlets.Bool(False)
    prompt_shown = traitlets.Bool(True)

    def __init__(self, store: Store, workshop_id: int, *, participant_url: str | None = None,
                 lang: str | None = None, prompt: bool = True,
                 interval: float = DEFAULT_INTERVAL):
        self.store = store
        self.workshop_id = workshop_id
        self.participant_url = participant_url
        self.lang = normalise_language(lang)
        self.interval = interval
        self.workshop = store.workshop(workshop_id)
        self.questionnaire = store.questionnaire(self.workshop.questionnaire_hash)
        self.data: RoomData | None = None
        self._following = False
        self.refreshes = 0
        self.errors = 0
        self._failing = False
        self._logged: set[tuple[str, str, str]] = set()
        self._poller = Poller(self._refresh_quietly, interval, "coopkit-presenter")
        self._lock = threading.RLock()
        self._corner_key: object = None
        lang = self.lang
        self.all_screens: list[Screen] = [cls(lang) for cls in SCREENS]
        self.tendency_screen = TendenciesScreen(lang)
        self.index = 0

        self.title = html_widget("", "coopkit-present-title")
        self.corner = html_widget("", "coopkit-present-corner")
        self.top = widgets.HBox([self.title, self.corner])
        self.top.add_class("coopkit-present-top")
        self.main = widgets.Box()
        self.main.add_class("coopkit-present-main")
        self.prompt = html_widget("", "coopkit-present-prompt")
        self.prev_button = self._button("present.prev", "coopkit-present-prev", self.previous)
        self.next_button = self._button("present.next", "coopkit-present-next", self.next)
        self.menu = widgets.Dropdown(options=[], description=t("present.menu", lang),
                                     style={"description_width": "initial"})
        self.menu.add_class("coopkit-present-menu")
        self.reveal_button = self._button("present.reveal", "coopkit-present-reveal",
                                          self.toggle_reveal, style="primary")
        text = t("present.prompt.toggle", lang)
        self.prompt_button = widgets.ToggleButton(value=True, description=text,
                                                  tooltip=t("present.prompt.tooltip", lang))
        self.prompt_button.add_class("coopkit-present-prompt-toggle")
        self.tendency_switch = widgets.Checkbox(
            value=False, description=t("present.tendencies.switch", lang), indent=False,
            tooltip=t("present.tendencies.switch_tip", lang))
        self.tendency_switch.add_class("coopkit-present-tendency-switch")
        self.full_button = self._button("present.fullscreen", "coopkit-present-fullscreen",
                                        None)
        self.reopen_button = self._button("present.reopen", "coopkit-present-reopen",
                                          self.reopen)
        self.reopen_button.layout.display = "none"
        self.closer = self._closer()
        self.status = html_widget("", "coopkit-present-status")
        self.bar = widgets.HBox([self.prev_button, self.menu, self.next_button,
                                 self.reveal_button, self.prompt_button, self.tendency_switch,
                                 self.full_button, self.closer.button, self.reopen_button,
                                 self.status])
        self.bar.add_class("coopkit-present-bar")
        self.script = widgets.Output(layout=widgets.Layout(display="none"))
        self.script.add_class("coopkit-present-script")
        super().__init__([widgets.HTML(f"<style>{STYLESHEET}{PAGE_LOCK}</style>"), self.script,
                          self.top, self.main, self.prompt, self.closer.confirmation,
                          self.bar])
        self.add_class("coopkit-presenter")
        self.menu.observe(self._on_menu, names="value")
        self.prompt_button.observe(self._on_prompt_button, names="value")
        self.tendency_switch.observe(self._on_switch, names="value")
        self.prompt_shown = bool(prompt)
        self._menu_options()
        self._keys()
        self.refresh()

    # ------------------------------------------------------------------ pieces

    def _button(self, key: str, css: str, action: Any, style: str = "") -> widgets.Button:
        text = t(key, self.lang)
        button = widgets.Button(description=text, tooltip=text, button_style=style)
        button.add_class(css)
        if action is not None:
            button.on_click(lambda _b: self._guard(action))
        return button

    def _closer(self) -> CloseWorkshopButton:
        """The shared « Clore la séance »: its button goes in the bar, its question
        above the bar (its own message is not shown: the status line says it)."""
        closer = CloseWorkshopButton(self.store, self.workshop_id, lang=self.lang)
        closer.button.add_class("coopkit-present-close")
        closer.confirm.add_class("coopkit-present-close-yes")
        closer.cancel.add_class("coopkit-present-close-no")
        closer.confirmation.add_class("coopkit-present-confirm")
        closer.button.icon = ""
        for part in (closer.button, closer.cancel):  # after the closer's own handlers
            part.on_click(lambda _b: self._value())
        closer.observe(lambda change: change["new"] and self._guard(self.refresh),
                       names="value")
        return closer

    def _guard(self, action: Any) -> None:
        """A button's action: a failure is said in the status line, never a traceback."""
        try:
            action()
        except Exception as exc:  # the projector must never show a traceback
            self._failed("button", exc)

    def _failed(self, where: str, exc: Exception) -> None:
        """Say it in the status line; log it once (not twice a second)."""
        import traceback

        self.errors += 1
        self._failing = True
        seen = (where, type(exc).__name__, str(exc))
        if seen not in self._logged:
            self._logged.add(seen)
            server_log(f"coopkit presenter: error in {where}\n{traceback.format_exc()}")
        self.status.value = f'<span class="cp-closed">{esc(t("present.error", self.lang))}</span>'

    def _keys(self) -> None:
        from IPython.display import Javascript

        self.script.outputs = ()
        self.script.append_display_data(Javascript(KEYS_JS))

    @property
    def screens(self) -> list[Screen]:
        """The screens in order (the tendency screen last, when turned on)."""
        return [*self.all_screens, *([self.tendency_screen] if self.tendencies else [])]

    @property
    def current(self) -> Screen:
        return self.screens[min(self.index, len(self.screens) - 1)]

    def screen(self, key: str) -> Screen:
        for s in [*self.all_screens, self.tendency_screen]:
            if s.key == key:
                return s
        raise KeyError(key)

    def _menu_options(self) -> None:
        options = [(f"{i + 1}. {s.title()}", s.key) for i, s in enumerate(self.screens)]
        self._menu_busy = True
        try:
            self.menu.options = options
            self.menu.value = self.current.key
        finally:
            self._menu_busy = False

    # --------------------------------------------------------------- reading

    def refresh(self) -> bool:
        """Look at the store; redraw what changed. True when something did."""
        with self._lock:
            read_at = time.time()
            activity = self.store.activity(self.workshop_id)
            self.refreshes += 1
            changed = self.data is None or activity != self.data.activity
            if changed:
                self.data = self._next_data(activity, read_at)
                if self.tendencies != activity.settings.show_tendencies:
                    self._following = True
                    try:
                        self.tendencies = activity.settings.show_tendencies
                    finally:
                        self._following = False
            self._show(force=False)
            if changed or self._failing:
                self._failing = False
                self._status()
            return changed

    def _next_data(self, activity: Activity, read_at: float) -> RoomData:
        old = self.data
        data = RoomData(self.store, self.workshop, activity, self.questionnaire, self.lang,
                        self.participant_url, read_at)
        if old is not None:
            if old.activity.results_key == activity.results_key:
                data._results = old._results  # validated answers are locked: same results
            if (old.activity.proposals, old.activity.last_proposal) == (
                    activity.proposals, activity.last_proposal):
                data._proposals = old._proposals
            data._project = old._project
        return data

    # --------------------------------------------------------------- showing

    def _show(self, force: bool) -> None:
        """Draw the current screen, then its controls, then put it on the page."""
        screen = self.current
        if self.data is not None:
            screen.show(self.data, force=force, defer=True)
        lang = self.lang
        subtitle = screen.subtitle(self.data)
        self.title.value = (f"<h1>{esc(screen.title())}</h1>"
                            + (f"<p>{esc(subtitle)}</p>" if subtitle else ""))
        self._corner(screen)
        if self.prompt_shown:
            self.prompt.value = (f'<div class="cp-prompt" role="note"><b>'
                                 f'{esc(t("present.prompt.label", lang))}</b>'
                                 f"{esc(screen.prompt())}</div>")
            self.prompt.layout.display = ""
        else:
            self.prompt.value = ""
            self.prompt.layout.display = "none"
        self.reveal_button.disabled = not screen.results
        key = "present.hide" if screen.results and screen.revealed else "present.reveal"
        self.reveal_button.description = self.reveal_button.tooltip = t(key, lang)
        if self.prompt_button.value != self.prompt_shown:
            self.prompt_button.value = self.prompt_shown
        last = self.index >= len(self.screens) - 1
        self.next_button.disabled = last and not (screen.page < screen.pages - 1
                                                 and not screen.hidden)
        self.prev_button.disabled = self.index == 0 and screen.page == 0
        if self.menu.value != screen.key:
            self._menu_busy = True
            try:
                self.menu.value = screen.key
            finally:
                self._menu_busy = False
        screen.flush()
        if tuple(self.main.children) != (screen,):
            self.main.children = (screen,)
        self._value()

    def _corner(self, screen: Screen) -> None:
        data = self.data
        if data is None or screen.key == "welcome":
            key: object = None
        else:
            key = (data.join_url, data.activity.code)
        if key == self._corner_key:
            return
        self._corner_key = key
        if key is None:
            self.corner.value = ""
            return
        url = data.join_url  # type: ignore[union-attr]
        code = data.activity.code  # type: ignore[union-attr]
        qr = qr_svg(url, t("present.welcome.qr_label", self.lang, url=url)) if url else ""
        short = url.split("://", 1)[-1].split("?", 1)[0].rstrip("/") if url else ""
        self.corner.value = (f'<div class="cp-corner">{qr}<div class="cp-corner-text">'
                             f'<div class="cp-corner-code">{esc(code)}</div>'
                             f'<div class="cp-corner-url">{esc(short)}</div></div></div>')

    def _status(self) -> None:
        data = self.data
        if data is None:
            return
        lang = self.lang
        now = datetime.now().strftime("%H:%M:%S")
        if data.activity.is_open:
            state = esc(t("present.status.open", lang, time=now))
        else:
            state = f'<span class="cp-closed">{esc(t("present.status.closed", lang))}</span>'
        self.status.value = state
        closed = not data.activity.is_open
        self.closer.button.layout.display = "none" if closed else None
        self.reopen_button.layout.display = None if closed else "none"

    def _value(self) -> None:
        self.value = {
            "screen": self.current.key, "page": self.current.page,
            "screens": [s.key for s in self.screens],
            "revealed": [s.key for s in self.screens if s.results and s.revealed],
            "prompt": self.prompt_shown, "confirming": self.closer.asking,
            "open": bool(self.data.activity.is_open) if self.data else None,
            "tendencies": self.tendencies,
        }

    # ------------------------------------------------------------ navigation

    def go(self, key: str) -> None:
        """Show the screen ``key`` (as the menu does)."""
        keys = [s.key for s in self.screens]
        self.index = keys.index(key)
        self._show(force=False)

    def next(self) -> None:
        """The next page of this screen, else the next screen."""
        if self.current.next_page():
            self._show(force=False)
        elif self.index < len(self.screens) - 1:
            self.index += 1
            self._show(force=False)

    def previous(self) -> None:
        """The previous page of this screen, else the previous screen."""
        if self.current.previous_page():
            self._show(force=False)
        elif self.index > 0:
            self.index -= 1
            self._show(force=False)

    def _on_menu(self, change: dict) -> None:
        if getattr(self, "_menu_busy", False) or change["new"] is None:
            return
        self._guard(lambda: self.go(change["new"]))

    # ---------------------------------------------------------------- reveal

    def reveal(self) -> None:
        """Show the figure of the current results screen."""
        if self.current.results:
            self.current.revealed = True
            self._show(force=False)

    def hide(self) -> None:
        """Hide it again."""
        if self.current.results:
            self.current.revealed = False
            self._show(force=False)

    def toggle_reveal(self) -> None:
        if self.current.results and self.current.revealed:
            self.hide()
        else:
            self.reveal()

    def toggle_prompt(self) -> None:
        """Show or hide the consultant's prompt (on every screen)."""
        self.prompt_shown = not self.prompt_shown
        self._show(force=False)

    def _on_prompt_button(self, change: dict) -> None:
        if bool(change["new"]) != self.prompt_shown:
            self._guard(self.toggle_prompt)

    def _on_switch(self, change: dict) -> None:
        if bool(change["new"]) != self.tendencies:
            self._guard(lambda: self.set_tendencies(bool(change["new"])))

    def set_tendencies(self, on: bool) -> None:
        """Turn the tendency screen on or off: the workshop's setting, in the store."""
        self.store.set_workshop_settings(self.workshop_id, show_tendencies=on)
        self.refresh()

    @traitlets.observe("tendencies")
    def _tendencies_changed(self, change: dict) -> None:
        if not hasattr(self, "menu"):
            return
        if self.tendency_switch.value != change["new"]:
            self.tendency_switch.value = change["new"]
        if not change["new"]:
            self.tendency_screen.revealed = False
        self.index = min(self.index, len(self.screens) - 1)
        self._menu_options()
        self._show(force=False)

    # ----------------------------------------------------------------- closing

    def close_session(self) -> None:
        """Ask for confirmation before closing the workshop (« Clore la séance »)."""
        self.closer.ask()
        self._value()

    def cancel_close(self) -> None:
        self.closer.dismiss()
        self._value()

    def confirm_close(self) -> None:
        """Close the workshop in the store (only once asked): no more joins nor
        answers; phones still open show a closed message."""
        if self.closer.asking:
            self.closer.close()
        self.refresh()

    def reopen(self) -> None:
        """Undo a mistaken close: the workshop accepts answers again (its code may
        change if another open workshop took it meanwhile)."""
        self.store.reopen_workshop(self.workshop_id)
        old, self.closer = self.closer, self._closer()
        self.bar.children = tuple(self.closer.button if c is old.button else c
                                  for c in self.bar.children)
        self.children = tuple(self.closer.confirmation if c is old.confirmation else c
                              for c in self.children)
        self.refresh()

    # ----------------------------------------------------------------- polling

    @property
    def running(self) -> bool:
        return self._poller.running

    def start(self) -> None:
        """Look at the store every ``interval`` seconds until :meth:`stop` (an asyncio
        task on the kernel's loop, so widget messages stay on its thread)."""
        self._poller.start()

    def stop(self) -> None:
        self._poller.stop()

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        except Exception as exc:  # a lost connection must not kill the projector
            self._failed("refresh", exc)
