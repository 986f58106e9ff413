"""The participant app's URL parameters: ``?code=ABC234``, ``?resume=<token or code>``,
``&lang=en``.

Voilà gives a kernel its page's query string in ``$QUERY_STRING``. A *preheated* kernel
(``--preheat_kernel=True``) runs the notebook before anyone asks for it, so the query
string only exists after :func:`voila.utils.wait_for_request` returns: that wait comes
first here. ``voila.utils`` is imported only in that case (it costs ~60 MB and ~2 s of
imports, paid during the preheat, never by a page without a pool).

Outside Voilà (nbval, a test, JupyterLab) there is no request: ``$COOPKIT_APP_QUERY``
may hold a query string instead (e.g. ``code=ABC234&lang=en``), else no parameter.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qs

from coopkit.i18n import LANGUAGES

#: Fallback query string outside Voilà (tests, nbval).
QUERY_ENV = "COOPKIT_APP_QUERY"
_MAX_LENGTH = 128


@dataclass(frozen=True)
class UrlParameters:
    """What the participant's URL says (None when it says nothing)."""

    code: str | None = None
    resume: str | None = None
    lang: str | None = None


def wait_for_request() -> None:
    """In a preheated Voilà kernel, wait until a participant's request is assigned to
    it (then ``$QUERY_STRING`` and friends are set). Does nothing anywhere else."""
    if os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import wait_for_request as voila_wait

        voila_wait()


def query_string() -> str:
    """The page's query string (after :func:`wait_for_request`), else
    ``$COOPKIT_APP_QUERY``, else ``""``."""
    wait_for_request()
    return os.environ.get("QUERY_STRING") or os.environ.get(QUERY_ENV) or ""


def parse_query(query: str) -> UrlParameters:
    """Read ``code``, ``resume`` and ``lang`` from a query string; ignore the rest.

    Values are only trimmed and shortened here (the store checks codes and tokens); a
    language other than ``fr`` or ``en`` is ignored (the workshop's language applies).
    """
    found = parse_qs(query.lstrip("?"), keep_blank_values=False)

    def first(name: str) -> str | None:
        values = found.get(name)
        if not values:
            return None
        value = values[0].strip()[:_MAX_LENGTH]
        return value or None

    lang = first("lang")
    lang = lang.lower()[:2] if lang else None
    return UrlParameters(code=first("code"), resume=first("resume"),
                         lang=lang if lang in LANGUAGES else None)


def url_parameters() -> UrlParameters:
    """The participant's URL parameters (waits for the request in a preheated kernel)."""
    return parse_query(query_string())
