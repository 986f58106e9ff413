"""The participant app's URL parameters: ``?code=ABC234``, ``?resume=<token or code>``,
``&lang=en``.

Voilà gives a kernel its page's query string in ``$QUERY_STRING``. A *preheated* kernel
(``--preheat_kernel=True``, what ``coopkit serve`` uses) runs the notebook before anyone
asks for it, so the query string only exists once the request has been handed to the
kernel: :func:`wait_for_request` comes first here.

It speaks the protocol of :func:`voila.utils.wait_for_request` (voila 0.5.x: a
websocket on ``<server>/voila/query/<kernel id>`` that sends the request's
environment once a page is assigned to this kernel) without importing ``voila.utils``:
that module pulls in jupyter_server and jupyterlab_server, measured here at +45 MB and
~4 s of imports per kernel (a pool of 33 kernels: 1.5 GB), against 1 MB and 0.06 s for
``websockets`` alone. ``tests/test_widgets.py`` checks both read the same thing.

A burst of preheating (a server started with a pool of 220 pages on two cores) can
keep Voilà from answering that websocket's handshake for many seconds: the kernel tries
again (:data:`OPEN_TIMEOUT` per attempt, for :data:`RETRY_FOR` in all) instead of
giving up, which would leave a page in the pool that ignores its participant's code and
resume link.

Outside Voilà (nbval, a test, JupyterLab) there is no request: ``$COOPKIT_APP_QUERY``
may hold a query string instead (e.g. ``code=ABC234&lang=en``), else no parameter.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs

from coopkit.i18n import LANGUAGES
from coopkit.widgets.html import server_log

#: Fallback query string outside Voilà (tests, nbval).
QUERY_ENV = "COOPKIT_APP_QUERY"
#: Seconds one attempt at Voilà's query websocket may take to open.
OPEN_TIMEOUT = 30.0
#: Seconds a preheated kernel keeps trying to reach Voilà before it gives up.
RETRY_FOR = 600.0
_MAX_LENGTH = 128


@dataclass(frozen=True)
class UrlParameters:
    """What the participant's URL says (None when it says nothing)."""

    code: str | None = None
    resume: str | None = None
    lang: str | None = None


def voila_query_url() -> str:
    """Where a preheated kernel asks Voilà for its request (as ``voila.utils`` does)."""
    env = os.environ
    protocol = env.get("VOILA_WS_PROTOCOL", "ws")
    host = env.get("VOILA_APP_IP", "127.0.0.1")
    port = env.get("VOILA_APP_PORT", "8866")
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{host}:{port}{base}voila/query/{env.get('VOILA_KERNEL_ID')}"


async def _receive(url: str) -> str | bytes:
    """The request's environment, sent by Voilà on ``url`` once a page is assigned to this
    kernel. Opening the websocket is tried again (a busy server, a refused handshake)
    until :data:`RETRY_FOR` seconds have passed; the wait for a page itself has no
    limit."""
    import time

    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake

    deadline = time.monotonic() + RETRY_FOR
    pause = 0.2
    while True:
        try:
            socket = await connect(url, open_timeout=OPEN_TIMEOUT, max_size=None)
        except (OSError, TimeoutError, InvalidHandshake):
            if time.monotonic() + pause >= deadline:
                raise
            await asyncio.sleep(pause)  # back off: the server is busy starting kernels
            pause = min(pause * 2, 5.0)
            continue
        async with socket:
            return await socket.recv()


def wait_for_request() -> None:
    """In a preheated Voilà kernel, wait until a participant's request is handed to this
    kernel, then put its environment (``QUERY_STRING``...) in ``os.environ``. Does
    nothing anywhere else."""
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return
    url = voila_query_url()
    found: dict[str, object] = {}

    def run() -> None:  # the kernel's own event loop is running: use another thread
        try:
            found["info"] = asyncio.run(_receive(url))
        except Exception as exc:  # logged below; the page then opens without parameters
            found["error"] = exc

    thread = threading.Thread(target=run, name="coopkit-wait-for-request", daemon=True)
    thread.start()
    thread.join()
    if "error" in found:
        server_log(f"coopkit participant app: no request info from {url}: "
                   f"{found['error']!r}\n")
        return
    for key, value in json.loads(found["info"]).items():  # type: ignore[arg-type]
        os.environ[str(key)] = str(value)


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
