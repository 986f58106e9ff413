"""``coopkit present``: the presenter (what the projector shows) on this computer only.

A standalone ``voila`` process serves ``notebooks/apps/presenter.ipynb`` and nothing
else, bound to ``127.0.0.1`` (the projector is plugged into the consultant's computer;
nobody on the venue's network can open it), with the participant server's safety
settings (:mod:`coopkit.serving.serve`): Voilà's launcher with coopkit's response
headers, no traceback and no source code in the page, no template or theme from the
URL, voila.json/.py read from nowhere else, kernels over IPC, closed pages' kernels
culled. No preheated pool: one page, opened by the consultant.

The notebook reads the same data folder and database as every other command
(``--data`` / ``$COOPKIT_DATA``, ``$COOPKIT_DATABASE_URL``) and gets the participants'
address for its QR code (``$COOPKIT_PARTICIPANT_URL``: this computer's address on the
local network and the participant server's port, as ``coopkit serve`` prints it).
Ctrl-C or SIGTERM stops Voilà and its kernel.

**On the team server** (JupyterHub, ``deploy/jupyterhub``), each consultant's JupyterLab
starts their own presenter through jupyter-server-proxy (:func:`proxy_servers`): at
``/user/<login>/coopkit-presenter/``, behind the hub's login (only that consultant may
open it), on a Unix socket in a folder only their account can open (``--socket``; no
port on ``127.0.0.1`` that another account could reach), under that address as Voilà's
base URL (``--base-url``), with the team's public participant address for the QR code
(``--participant-url`` or ``$COOPKIT_PARTICIPANT_URL``). Its kernel is the consultant's
and reads the database as their role: the presenter shows their projects only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from coopkit import config
from coopkit.errors import fail
from coopkit.i18n import t
from coopkit.serving import serve

PRESENTER_NOTEBOOK = config.PRESENTER_NOTEBOOK
DEFAULT_PORT = config.DEFAULT_PRESENTER_PORT
LOG_NAME = "present.log"
#: The presenter's name under a consultant's JupyterLab on the team server.
PROXY_NAME = "coopkit-presenter"
ICON = Path(__file__).resolve().parent / "presenter.svg"


@dataclass(frozen=True)
class PresentOptions:
    """What ``coopkit present`` was asked for."""

    data: Path
    port: int = DEFAULT_PORT
    #: The participant server's port (``coopkit serve --port``), for the QR code.
    app_port: int = serve.DEFAULT_PORT
    #: The participants' host; None: this computer's address on the local network.
    host: str | None = None
    lang: str | None = None
    notebook: Path = PRESENTER_NOTEBOOK
    #: Print nothing but failures (``coopkit start`` prints one block for every server).
    quiet: bool = False
    #: Listen on this Unix socket instead of ``port`` (the team server's presenter).
    socket: Path | None = None
    #: The address path the presenter is served under (behind a proxy), ``/…/``.
    base_url: str = "/"
    #: The participants' address for the QR code, as they reach it (the team server's
    #: public one); None: ``$COOPKIT_PARTICIPANT_URL``, else ``host`` and ``app_port``.
    participant_url: str | None = None


def presenter_url(port: int) -> str:
    """The presenter's address (this computer only)."""
    return f"http://127.0.0.1:{port}/"


def normalise_base_url(base_url: str) -> str:
    """``user/a/x`` → ``/user/a/x/``: Voilà's base URL starts and ends with a slash."""
    return "/" + "/".join(part for part in base_url.split("/") if part) + (
        "/" if base_url.strip("/") else "")


def voila_command(opts: PresentOptions, python: str = sys.executable) -> list[str]:
    """The ``voila`` command line: the participant server's safety settings, bound to
    this computer, one page without a preheated pool."""
    if opts.socket is not None:  # a folder only the consultant opens, no port at all
        where = [f"--CoopkitVoila.unix_socket={opts.socket}"]
    else:
        where = [f"--port={opts.port}", "--Voila.port_retries=0",
                 "--Voila.ip=127.0.0.1"]  # the projector's computer only
    return [
        python, "-m", "coopkit.serving.voila_app", str(opts.notebook),
        "--no-browser",
        *where,
        f"--Voila.base_url={normalise_base_url(opts.base_url)}",
        f"--Voila.config_file_paths={serve.VOILA_CONFIG_DIR}",
        "--KernelManager.transport=ipc",
        f"--VoilaExecutor.iopub_timeout={serve.IOPUB_TIMEOUT}",
        f"--VoilaExecutor.startup_timeout={serve.STARTUP_TIMEOUT}",
        f"--MappingKernelManager.cull_idle_timeout={serve.CULL_IDLE_TIMEOUT}",
        f"--MappingKernelManager.cull_interval={serve.CULL_INTERVAL}",
        "--show_tracebacks=False",
        "--strip_sources=True",
        "--template=lab",
        "--theme=light",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
    ]


def kernel_env(opts: PresentOptions, participant_url: str) -> dict[str, str]:
    """Environment of Voilà and its kernel: data folder, participants' address and
    language (``$COOPKIT_DATABASE_URL`` is inherited)."""
    return {**serve.kernel_env(serve.ServeOptions(data=opts.data, lang=opts.lang)),
            config.PARTICIPANT_URL_ENV: participant_url}


def socket_ready(path: Path, url_path: str, timeout: float = 2.0) -> bool:
    """Whether a Voilà on the Unix socket ``path`` answers ``url_path`` (a static file)."""
    import http.client
    import socket

    class Connection(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(str(path))

    connection = Connection("localhost", timeout=timeout)
    try:
        connection.request("GET", url_path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def ready_check(opts: PresentOptions) -> Callable[[], bool]:
    """How to tell the presenter's Voilà answers (on its port or its socket)."""
    if opts.socket is not None:
        url_path = normalise_base_url(opts.base_url) + serve.READY_PATH
        return lambda: socket_ready(opts.socket, url_path)
    return lambda: serve.is_ready(opts.port)


def participants_address(opts: PresentOptions) -> str:
    """The participants' address the QR code shows."""
    given = opts.participant_url or os.environ.get(config.PARTICIPANT_URL_ENV)
    if given:
        return given
    return serve.participant_url(opts.host or serve.lan_address(), opts.app_port)


def proxy_servers(lang: str | None = None, python: str = sys.executable
                  ) -> dict[str, dict[str, Any]]:
    """jupyter-server-proxy's ``ServerProxy.servers`` for a consultant's JupyterLab on the
    team server: their presenter at ``<their server>/coopkit-presenter/``, started on
    first visit (``coopkit present --socket``), behind their server's login, with a tile
    in JupyterLab's launcher. The participants' address comes from the environment
    (``$COOPKIT_PARTICIPANT_URL``, set by the hub's configuration)."""
    entry: dict[str, Any] = {"title": t("present.launcher", lang=lang), "category": "Other"}
    if ICON.is_file():
        entry["icon_path"] = str(ICON)
    return {PROXY_NAME: {
        "command": [python, "-m", "coopkit.cli", "present", "--quiet",
                    "--socket", "{unix_socket}",
                    "--base-url", "{base_url}" + PROXY_NAME + "/"],
        "unix_socket": True,      # a new folder of mode 700: this account only
        "absolute_url": True,     # Voilà serves under its whole address (--base-url)
        "timeout": 120,           # Voilà and its first kernel on a busy server
        "new_browser_tab": True,  # the tab that goes on the projector (full screen)
        "launcher_entry": entry,
    }}


def port_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_voila(opts: PresentOptions, participant_url: str, log: TextIO) -> subprocess.Popen:
    """Voilà in its own session (a Ctrl-C reaches us only; we stop it with SIGTERM)."""
    return subprocess.Popen(
        voila_command(opts), env=kernel_env(opts, participant_url), cwd=str(opts.data),
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def present(opts: PresentOptions, out: TextIO = sys.stdout, ready_timeout: float = 120.0
            ) -> int:
    """Run the presenter until Ctrl-C / SIGTERM; returns an exit status."""
    if not opts.notebook.is_file():
        raise fail("presenter_notebook_missing", value=str(opts.notebook))
    if opts.socket is None and not port_free(opts.port):
        raise fail("port_in_use", value=opts.port)
    opts.data.mkdir(parents=True, exist_ok=True)
    participants = participants_address(opts)
    log_path = opts.data / LOG_NAME
    stop = serve._StopFlag()
    try:
        with log_path.open("a", encoding="utf-8") as log:
            if not opts.quiet:
                print(t("present.starting", log=log_path), file=out, flush=True)
            proc = start_voila(opts, participants, log)
            try:
                return _run(opts, proc, stop, out, log_path, ready_timeout)
            finally:
                serve.stop_voila(proc)
                if not opts.quiet:
                    print(t("present.stopped"), file=out, flush=True)
    finally:
        stop.restore()


def _run(opts: PresentOptions, proc: subprocess.Popen, stop: serve._StopFlag, out: TextIO,
         log_path: Path, ready_timeout: float) -> int:
    deadline = time.monotonic() + ready_timeout

    def alive() -> bool:
        return proc.poll() is None and not stop.event.is_set()

    if not serve.wait_ready(opts.port, deadline, alive, check=ready_check(opts)):
        if stop.event.is_set():
            return 0
        print(t("present.failed", log=log_path), file=out)
        print(serve._log_tail(log_path), file=out, flush=True)
        return 1
    if not opts.quiet:
        where = (normalise_base_url(opts.base_url) if opts.socket is not None
                 else presenter_url(opts.port))
        print(t("present.address", url=where), file=out)
        print(t("present.hint"), file=out, flush=True)
    while not stop.event.wait(1.0):
        if proc.poll() is not None:
            print(t("present.died", code=proc.returncode, log=log_path), file=out)
            print(serve._log_tail(log_path), file=out, flush=True)
            return 1
    return 0
