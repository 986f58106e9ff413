"""Voilà as ``coopkit serve`` runs it: Voilà's own application with a few web settings.

* **Compressed responses.** Voilà 0.5 adds its ``tornado_settings`` to the application
  *after* creating it, too late for ``compress_response`` (tornado chooses its output
  transforms at creation), so this subclass passes the setting at creation.
* **Compressed websocket messages** (permessage-deflate, when the browser offers it):
  the widgets' state a page receives when it opens is JSON, ~100 kB uncompressed.
* **A Content-Security-Policy** on the pages: the browser loads nothing from another
  site, no other site may frame the app, and no form posts elsewhere. Scripts stay as
  Voilà needs them (inline page configuration, widget code that evaluates).
* **coopkit's page template** (``--template=coopkit``, the default of ``coopkit serve``):
  ``share/jupyter/voila/templates/coopkit`` in this folder, found by Voilà through
  ``JUPYTER_PATH``. It loads one script and one stylesheet (ipywidgets' own widgets,
  built from ``frontend/``) instead of JupyterLab's front end; see the template's
  header. Its texts (loading screen, error pages) are coopkit's, in the server's
  language (``COOPKIT_LANG``). Any Voilà process of coopkit (the participants', a
  presenter's) can use it by passing ``--template=coopkit`` to this module.
* **Static files sent pre-compressed, cached for a year.** A template's files whose
  address carries a version (``?v=``, what ``static_url`` writes) are cached by the
  phone for a year, and a ``.gz`` beside a file is sent as is to a browser that accepts
  gzip: no compression work per phone while a room joins.
* **A Unix socket instead of a port** (``--CoopkitVoila.unix_socket=PATH``): the
  presenter of a consultant on the team server (``coopkit present --socket``, started by
  their JupyterLab's jupyter-server-proxy) listens on a socket in a folder only that
  consultant can open, so another account on the server cannot reach it through
  ``127.0.0.1``; the hub's login stands in front of it.
* **Room for hundreds of kernels.** Every page costs the Voilà process about ten
  ZeroMQ sockets (its kernel's channels, the preheating client's, the page's websocket
  channels); libzmq allows 1023 per context by default, so one instance with a pool of
  220 pages failed a third of a 200-arrival burst ("Too many open files" in ZeroMQ, a
  500 or a closed websocket on the phone). :class:`WideKernelManager` gives the
  kernels a context of :data:`MAX_SOCKETS`, and the process raises its open-files
  limit to match (:func:`raise_open_files_limit`).
* **The XSRF cookie on every page**, so that a page can ask Voilà to shut its own
  kernel down (``/voila/api/shutdown/<kernel>``, which refuses a request without the
  token): see ``coopkitPage.releaseOnLeave`` in ``frontend/src/index.js``.

Everything else is Voilà's, configured by :func:`coopkit.serving.serve.voila_command`:
``python -m coopkit.serving.voila_app`` takes the same options as ``python -m voila``.
Knows nothing of the participant app: it serves whatever notebook it is given.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import traitlets
import zmq
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from voila.app import Voila
from voila.static_file_handler import AllowListFileHandler, TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from coopkit.i18n import get_language, texts

#: The Jupyter data folder holding coopkit's Voilà template (``voila/templates/coopkit``).
SHARE = Path(__file__).resolve().parent / "share" / "jupyter"
TEMPLATE = "coopkit"
#: Sent with every page; checked by the browser tests (no request leaves the server).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def use_coopkit_templates(environ: dict[str, str] | None = None) -> None:
    """Put coopkit's Jupyter data folder first in ``JUPYTER_PATH`` (where Voilà looks
    templates up, at start and at every static file request)."""
    env = os.environ if environ is None else environ
    paths = [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    if str(SHARE) not in paths:
        env["JUPYTER_PATH"] = os.pathsep.join([str(SHARE), *paths])


def page_resources(lang: str | None = None) -> dict[str, Any]:
    """What coopkit's templates read as ``resources.coopkit``: language and texts."""
    lang = lang or get_language()
    page = texts("page", lang)
    return {"lang": lang, "title": page["title"], "noscript": page["noscript"],
            "texts": page}


def error_page(status: int, lang: str | None = None) -> str:
    """A short error page in coopkit's words (a file handler's errors: a mistyped
    address ends there), with no server detail."""
    from html import escape

    page = page_resources(lang)
    words = page["texts"]
    title, text = ((words["not_found_title"], words["not_found"]) if status in (403, 404)
                   else (words["error_title"], words["error"]))
    return (f'<!DOCTYPE html><html lang="{escape(page["lang"])}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title></head><body style=\"font-family:system-ui,"
            'sans-serif;font-size:16px;padding:32px 16px;text-align:center">'
            f"<h1 style=\"font-size:1.3rem\">{escape(title)}</h1><p>{escape(text)}</p>"
            "</body></html>")


#: ZeroMQ sockets the kernels of one Voilà process may hold: about ten per page, for
#: ``coopkit serve --expect`` up to its maximum (500) with room to spare.
MAX_SOCKETS = 16384


def raise_open_files_limit(wanted: int = 2 * MAX_SOCKETS) -> int:
    """Raise this process's soft limit of open files towards ``wanted`` (each ZeroMQ
    socket holds a file descriptor or two; a systemd service starts at 1024); returns
    the limit now in force."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class WideKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager, its kernels sharing a ZeroMQ context sized for
    hundreds of pages (:data:`MAX_SOCKETS`, not libzmq's 1023)."""

    @traitlets.default("context")
    def _context_default(self) -> zmq.Context:
        context = super()._context_default()  # no socket yet: the size still applies
        context.set(zmq.MAX_SOCKETS, min(MAX_SOCKETS, context.get(zmq.SOCKET_LIMIT)))
        return context


class CoopkitErrors:
    """Errors of a file handler shown as :func:`error_page`."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(error_page(status_code))


class PrecompressedStaticHandler(CoopkitErrors, TemplateStaticFileHandler):
    """A template's static file; its ``.gz`` twin when the browser accepts gzip; a year
    of cache when the address is versioned."""

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        found = super().validate_absolute_path(root, absolute_path)
        self.original_path = found
        self.encoded = False
        accepts = self.request.headers.get("Accept-Encoding", "")
        if found and "gzip" in accepts and os.path.isfile(found + ".gz"):
            self.encoded = True
            self._stat_result = os.stat(found + ".gz")  # tornado's size and date of it
            return found + ".gz"
        return found

    def get_content_type(self) -> str:
        if getattr(self, "encoded", False):
            import mimetypes

            kind, _ = mimetypes.guess_type(self.original_path or "")
            return kind or "application/octet-stream"
        return super().get_content_type()

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Vary", "Accept-Encoding")
        if getattr(self, "encoded", False):
            self.set_header("Content-Encoding", "gzip")
        if "v" in self.request.arguments:
            self.set_header("Cache-Control", f"max-age={self.CACHE_MAX_AGE}, immutable")

class FilesHandler(CoopkitErrors, AllowListFileHandler):
    """Voilà's ``/voila/files/`` (where a mistyped address is redirected; nothing is
    allowed there): its refusal in coopkit's words."""


class PageHandler(TornadoVoilaHandler):
    """Voilà's notebook page, which also sets the XSRF cookie (tornado sets it the first
    time the token is read) before the page starts streaming."""

    async def get(self, path: str | None = None) -> None:
        self.xsrf_token  # noqa: B018 - reading it sets the cookie
        await super().get(path)


class CoopkitVoila(Voila):
    """Voilà with compressed responses, a strict Content-Security-Policy, coopkit's
    templates, pre-compressed static files, the XSRF cookie on pages and room for
    hundreds of kernels; on a Unix socket when asked."""

    unix_socket = traitlets.Unicode(
        "", config=True,
        help="Listen on this Unix socket (mode 600) instead of a TCP port.")

    def initialize(self, argv: Any = None) -> None:
        use_coopkit_templates()
        super().initialize(argv)
        raise_open_files_limit()
        if self.voila_configuration.multi_kernel_manager_class is AsyncMappingKernelManager:
            self.voila_configuration.multi_kernel_manager_class = WideKernelManager
        config = self.config.VoilaConfiguration
        resources = dict(config.resources) if "resources" in config else {}
        resources["coopkit"] = page_resources()
        config.resources = resources

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        settings["compress_response"] = True
        # the widgets' state crosses the kernel's websocket as JSON (~100 kB when a page
        # opens, mostly repeated keys): permessage-deflate sends a fraction of it
        settings["websocket_compression_options"] = {}
        headers = dict(settings.get("headers") or {})
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        settings["headers"] = headers
        # error pages (404, 500) rendered from the template's error.html, in our words
        template_vars = dict(settings.get("jinja_template_vars") or {})
        template_vars["coopkit"] = page_resources()
        settings["jinja_template_vars"] = template_vars
        return settings

    def init_handlers(self) -> list:
        swap = {TemplateStaticFileHandler: PrecompressedStaticHandler,
                TornadoVoilaHandler: PageHandler, AllowListFileHandler: FilesHandler}
        handlers = []
        for spec in super().init_handlers():
            if isinstance(spec, tuple) and len(spec) >= 2 and spec[1] in swap:
                spec = (spec[0], swap[spec[1]], *spec[2:])
            handlers.append(spec)
        return handlers

    def listen(self) -> None:
        if not self.unix_socket:
            super().listen()
            return
        import tornado.ioloop
        from tornado.httpserver import HTTPServer
        from tornado.netutil import bind_unix_socket

        server = HTTPServer(self.app)
        server.add_socket(bind_unix_socket(self.unix_socket, mode=0o600))
        self.log.info("Voilà is running on the Unix socket %s", self.unix_socket)
        self.ioloop = tornado.ioloop.IOLoop.current()
        try:
            self.ioloop.start()
        except KeyboardInterrupt:
            self.log.info("Stopping...")
        finally:
            self.stop()


main = CoopkitVoila.launch_instance

if __name__ == "__main__":
    main()
