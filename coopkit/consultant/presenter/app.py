"""The presenter app: finds the store and the workshop to project, then shows the
:class:`~coopkit.consultant.presenter.deck.Presenter`.

``notebooks/apps/presenter.ipynb`` builds ``PresenterApp()`` and nothing else; ``coopkit
present`` serves that notebook with Voilà on this computer only. Everything comes from
the environment ``coopkit present`` sets, the same as every other coopkit command:

* the data folder ``$COOPKIT_DATA`` and the database ``$COOPKIT_DATABASE_URL``
  (:func:`coopkit.config.database_url`);
* the participants' address ``$COOPKIT_PARTICIPANT_URL`` (for the QR code);
* ``$COOPKIT_LANG``;
* the page's query string: ``?workshop=<id>`` to project that workshop, ``&lang=en``.

It never creates a store: when the data folder holds no database, no project or no
open workshop, a screen says what to do, and the app looks again every few seconds (it
turns into the presenter as soon as a workshop is opened). With several open
workshops, the consultant picks one. ``value`` is the state: ``"no_data"``,
``"no_project"``, ``"no_workshop"``, ``"choose"``, ``"present"`` or ``"error"``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import ipywidgets as widgets
import traitlets

from coopkit import config
from coopkit.consultant.presenter.deck import DEFAULT_INTERVAL, Presenter
from coopkit.consultant.presenter.style import STYLESHEET
from coopkit.i18n import get_language, normalise_language, t
from coopkit.widgets.html import esc, server_log
from coopkit.widgets.polling import Poller

if TYPE_CHECKING:
    from coopkit.store import Store, Workshop

PARTICIPANT_URL_ENV = config.PARTICIPANT_URL_ENV
#: Seconds between two looks for a store or an open workshop while there is none.
RECHECK = 3.0


class PresenterApp(widgets.VBox):
    """The presenter page: an empty-state screen, the choice of a workshop, or the
    presenter itself (:attr:`presenter`)."""

    value = traitlets.Unicode("starting")

    def __init__(self, store: Store | None = None, *, data: str | os.PathLike[str] | None = None,
                 database_url: str | None = None, participant_url: str | None = None,
                 lang: str | None = None, workshop_id: int | None = None,
                 query: str | None = None,
                 interval: float = DEFAULT_INTERVAL, recheck: float = RECHECK):
        params = parse_qs(os.environ.get("QUERY_STRING", "") if query is None else query)
        self.lang = normalise_language(lang or (params.get("lang") or [None])[0]
                                       or get_language())
        if workshop_id is None and params.get("workshop"):
            raw = params["workshop"][0]
            workshop_id = int(raw) if raw.isdigit() else None
        self.wanted = workshop_id
        self.store = store
        self.data = config.data_dir(data)
        self.database_url = database_url
        self.participant_url = participant_url or os.environ.get(PARTICIPANT_URL_ENV) or None
        self.interval = interval
        self.recheck = recheck
        self.presenter: Presenter | None = None
        self.message = widgets.HTML()
        self.message.add_class("coopkit-present-message")
        self.choices = widgets.VBox()
        self.choices.add_class("coopkit-present-choices")
        self._choice_ids: tuple[int, ...] = ()
        # an empty-state page looks again until the presenter is shown
        self._poller = Poller(self._check_again, recheck, "coopkit-presenter-app",
                              keep_going=lambda: self.value != "present")
        super().__init__([widgets.HTML(f"<style>{STYLESHEET}</style>"), self.message,
                          self.choices])
        self.add_class("coopkit-present-app")

    # ------------------------------------------------------------------ finding

    def _open_store(self) -> Store | None:
        """The store if there is one: an SQLite file is never created here."""
        if self.store is not None:
            return self.store
        url = config.database_url(self.database_url, self.data)
        if url.startswith("sqlite"):
            path = Path(url.split(":///", 1)[-1])
            if not path.is_file():
                return None
        from coopkit.store import open_store

        self.store = open_store(url, data=self.data)
        return self.store

    def check(self) -> str:
        """Look for the store and the open workshops; show what fits. Returns ``value``."""
        try:
            store = self._open_store()
            if store is None:
                return self._say("no_data", data=str(self.data))
            if not store.projects():
                return self._say("no_project", data=str(self.data))
            open_ = [w for w in store.workshops() if w.is_open]
            wanted = [w for w in open_ if w.id == self.wanted]
            if wanted:
                return self.present(wanted[0].id)
            if not open_:
                return self._say("no_workshop")
            if len(open_) == 1:
                return self.present(open_[0].id)
            return self._choose(open_)
        except Exception:
            import traceback

            server_log(f"coopkit presenter: cannot start\n{traceback.format_exc()}")
            return self._say("error")

    def _say(self, state: str, **values: object) -> str:
        lang = self.lang
        steps = t(f"present.app.{state}.steps", lang, **values).split("\n")
        items = "".join(f"<li>{_code(esc(step))}</li>" for step in steps if step.strip())
        self.message.value = (f'<div class="cp-message" role="status"><h1>'
                              f'{esc(t(f"present.app.{state}.title", lang))}</h1>'
                              f'<p>{esc(t(f"present.app.{state}.body", lang, **values))}</p>'
                              f"<ul>{items}</ul></div>")
        self.choices.children = ()
        self._choice_ids = ()
        self.value = state
        return state

    def _choose(self, open_: list[Workshop]) -> str:
        ids = tuple(w.id for w in open_)
        if ids != self._choice_ids:
            store = self.store
            assert store is not None
            names = {p.id: p.name for p in store.projects()}
            buttons = []
            for w in open_:
                q = store.questionnaire(w.questionnaire_hash)
                joined = sum(c.joined for c in store.participation(w.id).values())
                text = t("present.app.choice", self.lang, project=names.get(w.project_id, ""),
                         title=w.title or q.title.get(self.lang), wave=w.wave, code=w.code,
                         joined=joined)
                button = widgets.Button(description=text, tooltip=text)
                button.add_class("coopkit-present-choice")
                button.on_click(lambda _b, wid=w.id: self._picked(wid))
                buttons.append(button)
            self.choices.children = buttons
            self._choice_ids = ids
        self.message.value = (f'<div class="cp-message"><h1>'
                              f'{esc(t("present.app.choose.title", self.lang))}</h1>'
                              f'<p>{esc(t("present.app.choose.body", self.lang))}</p></div>')
        self.value = "choose"
        return "choose"

    def _picked(self, workshop_id: int) -> None:
        try:
            self.present(workshop_id)
        except Exception:
            import traceback

            server_log(f"coopkit presenter: cannot present\n{traceback.format_exc()}")
            self._say("error")

    def present(self, workshop_id: int) -> str:
        """Show the presenter of this workshop (and keep it live once started)."""
        assert self.store is not None
        self.stop()
        self.presenter = Presenter(self.store, workshop_id,
                                   participant_url=self.participant_url, lang=self.lang,
                                   interval=self.interval)
        self.message.value = ""
        self.choices.children = ()
        self.children = (self.presenter,)
        self.value = "present"
        if self._started:
            self.presenter.start()
        return "present"

    # ------------------------------------------------------------------ running

    _started = False

    def start(self) -> PresenterApp:
        """Check now, then keep the page live (the presenter polls the workshop; an
        empty-state screen looks again every ``recheck`` seconds). Returns itself."""
        self._started = True
        state = self.check()
        if state == "present" and self.presenter is not None:
            self.presenter.start()
        elif state != "error":
            self._watch()
        return self

    def _watch(self) -> None:
        self._poller.start()

    def stop(self) -> None:
        """Stop looking (and stop the presenter's polling)."""
        self._poller.stop()
        if self.presenter is not None:
            self.presenter.stop()

    def _check_again(self) -> None:
        state = self.check()
        if state == "present" and self.presenter is not None:
            self.presenter.start()



def _code(text: str) -> str:
    """`command` in a step -> <code>command</code> (on an already escaped text)."""
    parts = text.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
