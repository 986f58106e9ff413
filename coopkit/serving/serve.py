"""``coopkit serve``: the participant app on the venue's network.

A standalone ``voila`` process serves the participant notebook only
(``notebooks/apps/participer.ipynb``), never a folder that holds consultants' notebooks
and never Voilà as a JupyterLab extension (that mode lets a page run arbitrary code).
Every option passed to Voilà is in :func:`voila_command`, each with the reason for it;
``benchmarks/join_burst.py`` measures the result under a burst of arrivals.

The command prints the address to give participants, one link and one QR code per open
workshop (also saved as PNG files in the data folder), then waits. Ctrl-C or SIGTERM
stops Voilà and its kernels cleanly: answers are already on disk when they are saved.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from coopkit import config
from coopkit.errors import fail
from coopkit.i18n import t, tn

APP_NOTEBOOK = config.APP_NOTEBOOK
#: A static file Voilà answers without starting a kernel (``/`` starts one per request);
#: every Voilà has it, whatever its page template.
READY_PATH = "voila/templates/lab/static/voila.js"
#: coopkit's page template's built files (``voila_app.py``; ``npm run build``).
TEMPLATE_STATIC = (Path(__file__).resolve().parent / "share" / "jupyter" / "voila"
                   / "templates" / "coopkit" / "static")
DEFAULT_PORT = 8866
DEFAULT_EXPECT = 30
MAX_EXPECT = 500
#: Seconds before a used pool kernel is replaced, so refills don't compete with a burst
#: of arrivals for the CPU (each kernel start costs ~3 CPU-seconds).
DEFAULT_FILL_DELAY = 60.0
#: Voilà's default (4 s) turns a slow cell under load into a silently missing form.
IOPUB_TIMEOUT = 60
#: nbclient's wait for a kernel to answer; 60 s is short when 60 kernels start at once.
STARTUP_TIMEOUT = 180
#: A page closed, reloaded or asleep for this long frees its kernel (~70 MB). Closing a
#: page does not free it (Voilà's page-close beacon is refused for a missing ``_xsrf``):
#: without culling, every reload leaves a kernel behind for the whole workshop. A phone
#: back after longer reloads the page, whose address is the resume link.
CULL_IDLE_TIMEOUT = 600
CULL_INTERVAL = 60
#: How long Voilà gets to shut its kernels down after SIGTERM before they are killed.
STOP_TIMEOUT = 30.0
LOG_NAME = "serve.log"
#: The only folder Voilà may read a ``voila.json``/``voila.py`` from: this package's,
#: which holds none. (``config_file_paths=[]`` on a command line means ``["[]"]``.)
VOILA_CONFIG_DIR = Path(__file__).resolve().parent
_KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


@dataclass(frozen=True)
class ServeOptions:
    """What ``coopkit serve`` was asked for."""

    data: Path
    port: int = DEFAULT_PORT
    expect: int = DEFAULT_EXPECT
    fill_delay: float = DEFAULT_FILL_DELAY
    notebook: Path = APP_NOTEBOOK
    lang: str | None = None
    #: For ``coopkit start``, which prints one block for every server and saves the QR
    #: codes itself: only problems and the "pages ready" line are printed.
    quiet: bool = False
    #: Voilà template of the pages: ``"coopkit"`` (one script, ~200 kB; see
    #: ``voila_app.py``) or Voilà's ``"lab"`` (JupyterLab's front end, ~1.4 MB), kept to
    #: measure the two side by side (``benchmarks/phone_tti.py``).
    template: str = "coopkit"
    #: The database of the kernels, when it is not the data folder's SQLite file nor
    #: ``$COOPKIT_DATABASE_URL`` (``coopkit cluster up``: N instances on one database).
    database_url: str | None = None
    #: The interface Voilà listens on: every one (the venue's network), or
    #: ``127.0.0.1`` behind nginx on a team server (``coopkit cluster up``, systemd).
    bind: str = "0.0.0.0"

    @property
    def pool_size(self) -> int:
        return pool_size(self.expect)


def pool_size(expect: int) -> int:
    """Preheated pages for ``expect`` arrivals: all of them, plus a margin for reloads and
    late-comers (10 %, at least 2) served while the pool waits ``fill_delay`` to refill."""
    expect = max(expect, 1)
    return expect + max(2, math.ceil(expect / 10))


def voila_command(opts: ServeOptions, python: str = sys.executable) -> list[str]:
    """The ``voila`` command line, every option checked against voila 0.5.x."""
    return [
        # Voilà with compressed responses and a Content-Security-Policy (voila_app.py);
        # one notebook: no tree, no other file
        python, "-m", "coopkit.serving.voila_app", str(opts.notebook),
        "--no-browser",
        f"--port={opts.port}",
        "--Voila.port_retries=0",          # fail rather than move to a port nobody was given
        f"--Voila.ip={opts.bind}",          # the venue's network (``--ip`` is ignored)
        # voila.json/.py are looked for here only (there are none), not in the cwd or the
        # Jupyter config folders: nothing on the machine can change these settings
        f"--Voila.config_file_paths={VOILA_CONFIG_DIR}",
        "--preheat_kernel=True",           # kernels started and run before people arrive
        f"--pool_size={opts.pool_size}",
        f"--VoilaKernelManager.fill_delay={opts.fill_delay:g}",
        "--KernelManager.transport=ipc",   # no TCP port clashes when many kernels start
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT}",
        f"--VoilaExecutor.startup_timeout={STARTUP_TIMEOUT}",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_TIMEOUT}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL}",
        "--show_tracebacks=False",         # no server internals shown to participants
        "--strip_sources=True",            # no source code in the page
        f"--template={opts.template}",  # coopkit's: a page a phone on weak Wi-Fi can take
        "--theme=light",
        "--VoilaConfiguration.allow_template_override=NO",  # no ?template= from a URL
        "--VoilaConfiguration.allow_theme_override=NO",     # no ?theme= either
    ]


def kernel_env(opts: ServeOptions) -> dict[str, str]:
    """Environment of Voilà, inherited by every kernel: the data folder and language."""
    env = {**os.environ, config.DATA_ENV: str(opts.data)}
    if opts.lang:
        env["COOPKIT_LANG"] = opts.lang
    if opts.database_url:
        env[config.DATABASE_ENV] = opts.database_url
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


# ------------------------------------------------------------------ addresses and codes

def lan_address() -> str:
    """This machine's address on the local network, found without sending anything.

    ``connect()`` on a UDP socket only asks the kernel for a route; no packet leaves.
    Falls back to the host name's addresses, then to 127.0.0.1.
    """
    for target in ("10.255.255.255", "192.168.255.255", "172.31.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect((target, 9))
                address = sock.getsockname()[0]
        except OSError:
            continue
        if address and not address.startswith(("127.", "0.")):
            return address
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    for info in infos:
        address = str(info[4][0])
        if not address.startswith("127."):
            return address
    return "127.0.0.1"


def participant_url(host: str, port: int, code: str | None = None) -> str:
    """The link to give participants; with ``code``, it opens that workshop directly
    (Voilà hands the query string to the notebook as ``QUERY_STRING``)."""
    base = f"http://{host}:{port}/"
    return f"{base}?code={code}" if code else base


def open_workshop_codes(data: Path) -> list[str]:
    """Join codes of the workshops open in the store (the data folder's SQLite file, or
    ``$COOPKIT_DATABASE_URL``, as the kernels will see it)."""
    from coopkit.store import open_store

    with open_store(None, data=str(data)) as store:
        return [w.code for w in store.workshops() if w.is_open]


def print_qr(url: str, out: TextIO) -> None:
    """Draw a QR code of ``url`` in the terminal: coloured blocks on a terminal (readable
    whatever its colours), plain characters when the output is a file or a pipe."""
    import qrcode

    qr = qrcode.QRCode(border=2)
    qr.add_data(url)
    qr.make(fit=True)
    tty = bool(getattr(out, "isatty", lambda: False)())
    qr.print_ascii(out=out, tty=tty)


def save_qr_png(url: str, path: Path) -> Path:
    """Save a QR code of ``url`` as a PNG (for a slide or a printed sheet)."""
    import qrcode

    image = qrcode.make(url, box_size=12, border=4)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        image.save(handle)
    return path


def qr_targets(opts: ServeOptions, codes: Sequence[str]) -> list[tuple[str | None, Path]]:
    """(join code or None, PNG file) for each QR code to save: one per open workshop,
    else one of the bare address."""
    if not codes:
        return [(None, opts.data / "qr.png")]
    return [(code, opts.data / f"qr-{code}.png") for code in codes]


def print_banner(opts: ServeOptions, host: str, codes: Sequence[str], out: TextIO) -> None:
    """Address, one link and QR code per open workshop, and where the PNG files are."""
    print(t("serve.address", url=participant_url(host, opts.port)), file=out)
    if host.startswith("127."):
        print(t("serve.no_network"), file=out)
    if not codes:
        print(t("serve.no_workshop"), file=out)
    for code, png in qr_targets(opts, codes):
        url = participant_url(host, opts.port, code)
        if code:
            print(t("serve.workshop", code=code, url=url), file=out)
        print_qr(url, out)
        save_qr_png(url, png)
        print(t("serve.qr_saved", path=png), file=out)
    print(t("serve.stop_hint"), file=out)
    out.flush()


# ------------------------------------------------------------------ readiness

def local_url(port: int, path: str = "") -> str:
    return f"http://127.0.0.1:{port}/{path}"


#: Straight to 127.0.0.1, whatever ``http_proxy`` says (hospital networks often set one).
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def is_ready(port: int, timeout: float = 2.0) -> bool:
    """Whether Voilà answers a static file (no kernel is started by this request)."""
    try:
        with _DIRECT.open(local_url(port, READY_PATH), timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(port: int, deadline: float, alive: Callable[[], bool] = lambda: True,
               interval: float = 0.2, check: Callable[[], bool] | None = None) -> bool:
    """Poll :func:`is_ready` (or ``check()``, for a server on a Unix socket) until
    ``deadline`` (a ``time.monotonic()`` value); stop early if ``alive()`` turns false
    (the server died)."""
    ready = check or (lambda: is_ready(port))
    while time.monotonic() < deadline:
        if not alive():
            return False
        if ready():
            return True
        time.sleep(interval)
    return False


def kernel_processes(server_pid: int) -> list:
    """The kernel processes started by the Voilà process ``server_pid``."""
    import psutil

    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    kernels = []
    for child in children:
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                kernels.append(child)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return kernels


def warm_kernels(server_pid: int, port: int) -> int:
    """How many preheated pages are ready: kernels that ran the app up to
    ``voila.utils.wait_for_request()`` hold a websocket open to the server's port."""
    import psutil

    pids = {k.pid for k in kernel_processes(server_pid)}
    if not pids:
        return 0
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.AccessDenied:
        return 0
    waiting = {
        c.pid for c in connections
        if c.pid in pids and c.status == psutil.CONN_ESTABLISHED and c.raddr
        and c.raddr.port == port
    }
    return len(waiting)


def wait_warm(server_pid: int, port: int, count: int, deadline: float,
              interval: float = 0.5) -> bool:
    """Wait until ``count`` preheated pages are ready, or ``deadline`` passes."""
    while time.monotonic() < deadline:
        if warm_kernels(server_pid, port) >= count:
            return True
        time.sleep(interval)
    return False


def kernel_id_in(html: str) -> str | None:
    """The kernel id a served page talks to (from Voilà's page config)."""
    found = _KERNEL_ID.search(html)
    return found.group(1) if found else None


# ------------------------------------------------------------------ process control

def port_free(port: int) -> bool:
    """Whether ``port`` can be bound on every interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def start_voila(opts: ServeOptions, log: TextIO) -> subprocess.Popen:
    """Start Voilà in its own session, so a Ctrl-C in the terminal reaches us only and
    we stop it with SIGTERM (Voilà then shuts its kernels down)."""
    return subprocess.Popen(
        voila_command(opts), env=kernel_env(opts), cwd=str(opts.data),
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_voila(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> int:
    """SIGTERM Voilà, wait for it, and make sure none of its kernels outlives it."""
    import psutil

    kernels = kernel_processes(proc.pid)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _, alive = psutil.wait_procs(kernels, timeout=5)
    for leftover in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()
    return proc.returncode


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class _StopFlag:
    """SIGINT and SIGTERM set a flag the main loop checks (nothing raised mid-call)."""

    def __init__(self, signals: Iterable[int] = (signal.SIGINT, signal.SIGTERM)):
        self.event = threading.Event()
        self._previous = {sig: signal.signal(sig, self._set) for sig in signals}

    def _set(self, signum, frame) -> None:
        self.event.set()

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def serve(opts: ServeOptions, out: TextIO = sys.stdout, ready_timeout: float = 120.0) -> int:
    """Run the participant server until Ctrl-C / SIGTERM; returns an exit status."""
    if not opts.notebook.is_file():
        raise fail("app_notebook_missing", value=str(opts.notebook))
    if not port_free(opts.port):
        raise fail("port_in_use", value=opts.port)
    opts.data.mkdir(parents=True, exist_ok=True)
    codes = open_workshop_codes(opts.data)
    log_path = opts.data / LOG_NAME
    stop = _StopFlag()
    try:
        with log_path.open("a", encoding="utf-8") as log:
            if not opts.quiet:
                print(tn("serve.starting", opts.pool_size, log=log_path), file=out,
                      flush=True)
            proc = start_voila(opts, log)
            try:
                return _run(opts, proc, codes, stop, out, log_path, ready_timeout)
            finally:
                if not opts.quiet:
                    print(t("serve.stopping"), file=out, flush=True)
                stop_voila(proc)
                if not opts.quiet:
                    print(t("serve.stopped"), file=out, flush=True)
    finally:
        stop.restore()


def _run(opts: ServeOptions, proc: subprocess.Popen, codes: Sequence[str], stop: _StopFlag,
         out: TextIO, log_path: Path, ready_timeout: float) -> int:
    deadline = time.monotonic() + ready_timeout

    def alive() -> bool:
        return proc.poll() is None and not stop.event.is_set()

    if not wait_ready(opts.port, deadline, alive):
        if stop.event.is_set():
            return 0
        print(t("serve.failed", log=log_path), file=out)
        print(_log_tail(log_path), file=out, flush=True)
        return 1
    if not opts.quiet:
        print_banner(opts, lan_address() if opts.bind == "0.0.0.0" else opts.bind, codes,
                     out)
    announced = False
    while not stop.event.wait(1.0):
        if proc.poll() is not None:
            print(t("serve.died", code=proc.returncode, log=log_path), file=out)
            print(_log_tail(log_path), file=out, flush=True)
            return 1
        if not announced and warm_kernels(proc.pid, opts.port) >= opts.pool_size:
            print(tn("serve.warm", opts.pool_size), file=out, flush=True)
            announced = True
    return 0
