"""Voilà as ``coopkit serve`` runs it: Voilà's own application with two web settings.

* **Compressed responses.** The page and its scripts weigh about 4.8 MB; on a venue's
  shared Wi-Fi, 40 phones joining at once would pull 190 MB through it. Voilà 0.5 adds
  its ``tornado_settings`` to the application *after* creating it, too late for
  ``compress_response`` (tornado chooses its output transforms at creation), so this
  subclass passes the setting at creation.
* **A Content-Security-Policy** on the pages: the browser loads nothing from another
  site (Voilà's lab template links Font Awesome from a CDN; the app uses no icon), no
  other site may frame the app, and no form posts elsewhere. Scripts stay as Voilà needs
  them (inline page configuration, widget code that evaluates).

Everything else is Voilà's, configured by :func:`coopkit.serving.serve.voila_command`:
``python -m coopkit.serving.voila_app`` takes the same options as ``python -m voila``.
"""

from __future__ import annotations

from typing import Any

from voila.app import Voila

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


class CoopkitVoila(Voila):
    """Voilà with compressed responses and a strict Content-Security-Policy."""

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        settings["compress_response"] = True
        headers = dict(settings.get("headers") or {})
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        settings["headers"] = headers
        return settings


main = CoopkitVoila.launch_instance

if __name__ == "__main__":
    main()
