"""The consultant's side of the presenter, for ``02_animer``: a link that opens the
presenter on this workshop, and each screen's prompt (what to ask the room), to read on
one's own screen while the projector shows the room.

The presenter's address comes from ``$COOPKIT_PRESENTER_URL`` (set by ``coopkit
start``), else ``http://127.0.0.1:8870/``, ``coopkit present``'s default. Knows nothing
of the store.
"""

from __future__ import annotations

import os

import ipywidgets as widgets
import traitlets

from coopkit import config
from coopkit.consultant.presenter.screens import SCREENS, TendenciesScreen
from coopkit.i18n import normalise_language, t
from coopkit.widgets.html import esc


def presenter_url(explicit: str | None = None) -> str:
    """The presenter's address: ``explicit``, else ``$COOPKIT_PRESENTER_URL``, else the
    default port on this computer."""
    return (explicit or os.environ.get(config.PRESENTER_URL_ENV)
            or f"http://127.0.0.1:{config.DEFAULT_PRESENTER_PORT}/")


class PresenterGuide(widgets.HTML):
    """« Ouvrir le présentateur » (a link to the presenter on ``workshop_id``, in a new
    tab) and the screens with their prompts. ``value`` is the HTML; ``url`` the link."""

    url = traitlets.Unicode()

    def __init__(self, workshop_id: int | None = None, *, url: str | None = None,
                 lang: str | None = None, tendencies: bool = False):
        lang = normalise_language(lang)
        base = presenter_url(url)
        link = f"{base.rstrip('/')}/?workshop={workshop_id}" if workshop_id else base
        screens = [cls(lang) for cls in SCREENS]
        if tendencies:
            screens.append(TendenciesScreen(lang))
        rows = "".join(f"<tr><td>{n}. {esc(s.title())}</td><td>{esc(s.prompt())}</td></tr>"
                       for n, s in enumerate(screens, 1))
        html = (f'<p><a class="coopkit-presenter-link" href="{esc(link)}" target="_blank" '
                f'rel="noopener" style="display:inline-block;padding:10px 18px;'
                f'background:#1f5f99;color:#fff;border-radius:6px;font-weight:600;'
                f'text-decoration:none">{esc(t("present.guide.open", lang))}</a> '
                f"<code>{esc(link)}</code></p>"
                f'<p>{esc(t("present.guide.hint", lang))}</p>'
                f'<table><thead><tr><th style="text-align:left">'
                f'{esc(t("present.guide.screen", lang))}</th><th style="text-align:left">'
                f'{esc(t("present.guide.prompt", lang))}</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>")
        super().__init__(value=html)
        self.url = link
        self.add_class("coopkit-presenter-guide")
