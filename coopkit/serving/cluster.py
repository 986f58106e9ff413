"""``coopkit cluster up``: the team server's topology on one machine, as real processes.

PostgreSQL (the ``--database-url`` given, else a throw-away cluster of
:mod:`coopkit.store.pgtemp`), N participant servers (the Voilà of ``coopkit serve``,
each with its own preheated pool and culling, its own port and log folder, all on that
one database) and Debian's nginx in front of them, run as an ordinary process with its
own prefix, configuration, pid file and logs in ``<data>/cluster/nginx`` (never the
system's service). nginx's configuration is ``deploy/nginx/coopkit.conf`` filled in
(:func:`render_site`): the same file an IT department installs (``docs/deploy.md``).

For tests and demonstrations. ``<data>/cluster/cluster.json`` says which process is
where. An instance that dies is reported and the others carry on (nginx sends its
participants elsewhere: they reopen their resume link); nginx dying, or every instance,
ends the command. Ctrl-C or SIGTERM stops everything.

Knows nothing of what the instances serve.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from coopkit import config
from coopkit.errors import fail
from coopkit.i18n import t
from coopkit.serving import launch, serve

SITE_TEMPLATE = config.DEPLOY_DIR / "nginx" / "coopkit.conf"
DEFAULT_REPLICAS = 2
MAX_REPLICAS = 16
FOLDER = "cluster"
STATE_FILE = "cluster.json"
#: What one upstream line says: a refused or dead instance is left alone for 10 s.
SERVER_LINE = "server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;"
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx")


@dataclass(frozen=True)
class ClusterOptions:
    """What ``coopkit cluster up`` was asked for."""

    data: Path
    replicas: int = DEFAULT_REPLICAS
    #: nginx's port, the one participants are given; instances take the next ones.
    port: int = serve.DEFAULT_PORT
    database_url: str | None = None
    expect: int = serve.DEFAULT_EXPECT
    fill_delay: float = serve.DEFAULT_FILL_DELAY
    lang: str | None = None
    server_name: str = "_"

    @property
    def instance_ports(self) -> list[int]:
        return [self.port + 1 + i for i in range(self.replicas)]

    @property
    def folder(self) -> Path:
        return self.data / FOLDER


# ------------------------------------------------------------------ nginx configuration

def render_site(template: str, listen: int | str, ports: Sequence[int],
                server_name: str = "_") -> str:
    """``deploy/nginx/coopkit.conf`` with its three markers filled in (comment lines,
    which name the markers, are left as they are)."""
    servers = "\n    ".join(SERVER_LINE.format(port=p) for p in ports)
    lines = []
    for line in template.splitlines():
        if not line.lstrip().startswith("#"):
            line = (line.replace("@SERVERS@", servers).replace("@LISTEN@", str(listen))
                    .replace("@SERVER_NAME@", server_name))
        lines.append(line)
    return "\n".join(lines) + "\n"


def main_conf(prefix: Path, site: Path) -> str:
    """nginx's main file for an unprivileged nginx living in ``prefix``: its pid, logs
    and temporary files there, nothing under /var or /run."""
    temp = {name: prefix / "temp" / name for name in
            ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    return "\n".join([
        "# Written by coopkit cluster up; the site is deploy/nginx/coopkit.conf.",
        "daemon off;",
        "worker_processes 1;",
        f"pid {prefix / 'nginx.pid'};",
        f"error_log {prefix / 'error.log'} warn;",
        "events { worker_connections 4096; }",
        "http {",
        *(f"    {name}_temp_path {path};" for name, path in temp.items()),
        "    default_type application/octet-stream;",
        f"    include {site};",
        # which instance served what, for each route (a websocket: when it closes)
        "    log_format coopkit '$time_iso8601 $status \"$request\" '",
        "                       'upstream=$upstream_addr route=$coopkit_route';",
        f"    access_log {prefix / 'access.log'} coopkit;",
        "}",
        "",
    ])


def find_nginx() -> Path | None:
    found = shutil.which("nginx")
    if found:
        return Path(found)
    for candidate in NGINX_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def write_nginx(opts: ClusterOptions) -> Path:
    """Write the site and main files in ``<data>/cluster/nginx``; returns the main one."""
    if not SITE_TEMPLATE.is_file():
        raise fail("cluster_template_missing", value=str(SITE_TEMPLATE))
    prefix = opts.folder / "nginx"
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "temp" / name).mkdir(parents=True, exist_ok=True)
    site = prefix / "coopkit.conf"
    site.write_text(render_site(SITE_TEMPLATE.read_text(encoding="utf-8"), opts.port,
                                opts.instance_ports, opts.server_name), encoding="utf-8")
    main = prefix / "nginx.conf"
    main.write_text(main_conf(prefix, site), encoding="utf-8")
    if os.geteuid() == 0:  # root's nginx workers run as nobody: they write temp files
        for path in (prefix / "temp").rglob("*"):
            with contextlib.suppress(OSError, LookupError):
                shutil.chown(path, "nobody")
    return main


def nginx_command(program: Path, main: Path) -> list[str]:
    return [str(program), "-p", str(main.parent), "-c", str(main)]


def check_nginx(program: Path, main: Path) -> None:
    """``nginx -t`` on the written files; a bad file is a clear error, not a dead proxy."""
    done = subprocess.run([*nginx_command(program, main), "-t", "-q"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise fail("cluster_nginx_config", field="nginx -t", value=str(main),
                   detail=(done.stderr or done.stdout).strip()[-400:])


# ------------------------------------------------------------------ the processes

@dataclass
class Running:
    """The processes of one ``cluster up`` (not frozen: it is filled in as they start)."""

    nginx: subprocess.Popen | None = None
    instances: dict[int, subprocess.Popen] = field(default_factory=dict)
    database: object = None  # a TempPostgres, when coopkit started one
    database_url: str = ""
    database_shown: str = ""
    logs: list = field(default_factory=list)

    def state(self, opts: ClusterOptions) -> dict:
        return {
            "nginx": {"port": opts.port, "pid": self.nginx.pid if self.nginx else None,
                      "log": str(opts.folder / "nginx" / "error.log")},
            "instances": [{"port": port, "pid": proc.pid,
                           "log": str(instance_dir(opts, port) / serve.LOG_NAME)}
                          for port, proc in self.instances.items()],
            "database": self.database_shown,
            "temporary_database": self.database is not None,
        }


def instance_dir(opts: ClusterOptions, port: int) -> Path:
    return opts.folder / f"instance-{port}"


def start_database(opts: ClusterOptions, running: Running) -> str:
    """The database every instance shares, with coopkit's schema in place (created
    here once, not by N instances at the same moment)."""
    from coopkit.store import open_store
    from coopkit.store.pgtemp import TempPostgres, find_bindir

    url = opts.database_url
    if not url:
        bindir = find_bindir()
        if bindir is None:
            raise fail("cluster_postgres_missing")
        cluster = TempPostgres(bindir, durable=True, max_connections=200).start()
        running.database = cluster
        url = cluster.create_database("coopkit")
    with open_store(url) as store:
        running.database_shown = store.url  # never its password
    running.database_url = url
    return url


def start_instance(opts: ClusterOptions, port: int, url: str) -> subprocess.Popen:
    folder = instance_dir(opts, port)
    folder.mkdir(parents=True, exist_ok=True)
    options = serve.ServeOptions(data=folder, port=port, expect=opts.expect,
                                 fill_delay=opts.fill_delay, lang=opts.lang,
                                 database_url=url, quiet=True,
                                 bind="127.0.0.1")  # nginx only
    log = (folder / serve.LOG_NAME).open("a", encoding="utf-8")
    try:
        return serve.start_voila(options, log)
    finally:
        log.close()  # the child holds its own copy


def nginx_ready(port: int, timeout: float = 2.0) -> bool:
    """Whether nginx answers and reaches an instance (a static file, no kernel)."""
    try:
        with serve._DIRECT.open(serve.local_url(port, serve.READY_PATH),
                                timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(running: Running) -> None:
    """nginx first (no new arrivals), then the instances and their kernels, then the
    database coopkit started."""
    if running.nginx is not None and running.nginx.poll() is None:
        running.nginx.send_signal(signal.SIGQUIT)  # graceful: finishes open requests
        try:
            running.nginx.wait(10)
        except subprocess.TimeoutExpired:
            running.nginx.kill()
            running.nginx.wait()
    threads = [threading.Thread(target=serve.stop_voila, args=(proc,))
               for proc in running.instances.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if running.database is not None:
        running.database.stop()  # type: ignore[attr-defined]


def up(opts: ClusterOptions, out: TextIO = sys.stdout,
       ready_timeout: float = launch.READY_TIMEOUT) -> int:
    """Start the topology, print its addresses, run until Ctrl-C/SIGTERM."""
    if not 1 <= opts.replicas <= MAX_REPLICAS:
        raise fail("cluster_replicas_invalid", field="--replicas", value=opts.replicas,
                   maximum=MAX_REPLICAS)
    program = find_nginx()
    if program is None:
        raise fail("cluster_nginx_missing")
    for port in (opts.port, *opts.instance_ports):
        if not serve.port_free(port):
            raise fail("port_in_use", value=port)
    opts.folder.mkdir(parents=True, exist_ok=True)
    main = write_nginx(opts)
    check_nginx(program, main)
    stopping = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stopping.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    running = Running()
    try:
        print(t("cluster.starting", n=opts.replicas, folder=opts.folder), file=out,
              flush=True)
        url = start_database(opts, running)
        for port in opts.instance_ports:
            running.instances[port] = start_instance(opts, port, url)
        with (opts.folder / "nginx" / "nginx.out").open("a") as log:
            running.nginx = subprocess.Popen(nginx_command(program, main), stdout=log,
                                             stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL,
                                             start_new_session=True)
        (opts.folder / STATE_FILE).write_text(json.dumps(running.state(opts), indent=2),
                                             encoding="utf-8")
        if not _wait_ready(opts, running, stopping, time.monotonic() + ready_timeout, out):
            return 0 if stopping.is_set() else 1
        _print_addresses(opts, running, out)
        return _watch(opts, running, stopping, out)
    finally:
        print(t("start.stopping"), file=out, flush=True)
        stop(running)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _wait_ready(opts: ClusterOptions, running: Running, stopping: threading.Event,
                deadline: float, out: TextIO) -> bool:
    waiting = set(running.instances)
    while not stopping.is_set():
        for port in list(waiting):
            proc = running.instances[port]
            if proc.poll() is not None:
                _report(t("cluster.instance_name", port=port), proc,
                        instance_dir(opts, port) / serve.LOG_NAME, out)
                return False
            if serve.is_ready(port):
                waiting.discard(port)
        assert running.nginx is not None
        if running.nginx.poll() is not None:
            _report("nginx", running.nginx, opts.folder / "nginx" / "error.log", out)
            return False
        if not waiting and nginx_ready(opts.port):
            return True
        if time.monotonic() > deadline:
            print(t("start.not_ready", name="coopkit cluster", seconds=f"{launch.READY_TIMEOUT:g}",
                    log=opts.folder), file=out, flush=True)
            return False
        stopping.wait(0.25)
    return False


def _print_addresses(opts: ClusterOptions, running: Running, out: TextIO) -> None:
    host = serve.lan_address()
    entries = [(t("cluster.participants"), serve.participant_url(host, opts.port))]
    entries += [(t("cluster.instance_name", port=port), serve.local_url(port))
                for port in running.instances]
    entries.append((t("cluster.database"), running.database_shown))
    notes = [t("cluster.state", path=opts.folder / STATE_FILE)]
    if running.database is not None:
        notes.append(t("cluster.temporary_database"))
    notes.append(t("serve.stop_hint"))
    launch.print_addresses(entries, notes, out)


def _report(name: str, proc: subprocess.Popen, log: Path, out: TextIO) -> None:
    print(t("start.died", name=name, code=proc.returncode, log=log), file=out)
    tail = launch.log_tail(log)
    if tail:
        print(tail, file=out)
    out.flush()


def _watch(opts: ClusterOptions, running: Running, stopping: threading.Event,
           out: TextIO) -> int:
    reported: set[int] = set()
    while not stopping.wait(0.5):
        assert running.nginx is not None
        if running.nginx.poll() is not None:
            _report("nginx", running.nginx, opts.folder / "nginx" / "error.log", out)
            return 1
        for port, proc in running.instances.items():
            if port not in reported and proc.poll() is not None:
                reported.add(port)
                _report(t("cluster.instance_name", port=port), proc,
                        instance_dir(opts, port) / serve.LOG_NAME, out)
                if len(reported) < len(running.instances):
                    print(t("cluster.carry_on"), file=out, flush=True)
        if len(reported) == len(running.instances):
            print(t("cluster.all_died"), file=out, flush=True)
            return 1
    return 0
