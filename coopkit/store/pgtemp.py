"""A throw-away PostgreSQL cluster in a temporary folder, for tests and benchmarks,
and a pgbouncer in front of it.

Uses the server binaries of the machine (Debian: ``/usr/lib/postgresql/<v>/bin``).
The server refuses to run as root: when we are root, every server command runs as
the ``postgres`` user through ``runuser`` and the folder is handed over to it. The
server listens on a Unix socket inside the folder only (no TCP), so clusters of
parallel sessions never collide. :class:`TempPgBouncer` does the same for Debian's
``pgbouncer`` (transaction pooling, as docs/postgresql.md advises in production).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BINDIR_ENV = "COOPKIT_PG_BINDIR"


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest version), or None."""
    candidates: list[Path] = []
    if os.environ.get(BINDIR_ENV):
        candidates.append(Path(os.environ[BINDIR_ENV]))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version,
                         reverse=True)
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


class TempPostgres:
    """Start with :meth:`start` (or ``with``), stop and delete with :meth:`stop`."""

    def __init__(self, bindir: Path, *, durable: bool = False, max_connections: int = 100):
        self.bindir = Path(bindir)
        self.durable = durable
        self.max_connections = max_connections
        self.root: Path | None = None
        self.port = 0
        self._as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0

    # ------------------------------------------------------------------ control

    def start(self) -> TempPostgres:
        self.root = Path(tempfile.mkdtemp(prefix="coopkit-pg-"))
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        self.port = _free_port()
        options = [f"-k {self.root}", f"-p {self.port}", "-c listen_addresses=''",
                   f"-c max_connections={self.max_connections}"]
        if not self.durable:  # a test cluster: speed over crash safety
            options += ["-c fsync=off", "-c synchronous_commit=off",
                        "-c full_page_writes=off"]
        try:
            self._run("pg_ctl", "-D", str(data), "-l", str(self.root / "server.log"), "-w",
                      "-t", "60", "-o", " ".join(options), "start")
        except RuntimeError:
            self._cleanup()
            raise
        return self

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self.root is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")
        finally:
            self._cleanup()

    def __enter__(self) -> TempPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- databases

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of a database of this cluster (over the Unix socket)."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}&port={self.port}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create a database (empty, or a copy of ``template``); returns its URL."""
        copy = f' TEMPLATE "{template}"' if template else ""
        self._admin(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.root), port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)

    # ------------------------------------------------------------------ helpers

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              cwd=self.root)
        if done.returncode != 0:
            log = ""
            if self.root is not None and (self.root / "server.log").exists():
                log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout}\n"
                               f"{done.stderr}\n{log}")

    def _cleanup(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


def find_pgbouncer() -> Path | None:
    """The ``pgbouncer`` program (Debian: /usr/sbin/pgbouncer), or None."""
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/sbin")
    return Path(found) if found else None


class TempPgBouncer:
    """pgbouncer in transaction mode in front of a :class:`TempPostgres`, listening on a
    Unix socket in its own temporary folder. :meth:`url` is the cluster's URL through it.

    ``pool_size`` server connections per database (pgbouncer's ``default_pool_size``),
    shared by up to ``max_clients`` client connections.
    """

    def __init__(self, cluster: TempPostgres, program: Path, *, pool_size: int = 20,
                 max_clients: int = 2000):
        self.cluster = cluster
        self.program = Path(program)
        self.pool_size = pool_size
        self.max_clients = max_clients
        self.root: Path | None = None
        self.port = 0
        self._as_postgres = cluster._as_postgres

    def start(self) -> TempPgBouncer:
        if self.cluster.root is None:
            raise RuntimeError("start the PostgreSQL cluster first")
        self.root = Path(tempfile.mkdtemp(prefix="coopkit-pgbouncer-"))
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.port = _free_port()
        config = self.root / "pgbouncer.ini"
        config.write_text("\n".join([
            "[databases]",
            f"* = host={self.cluster.root} port={self.cluster.port} user=postgres",
            "[pgbouncer]",
            "listen_addr =",  # no TCP: the Unix socket only
            f"listen_port = {self.port}",
            f"unix_socket_dir = {self.root}",
            "auth_type = any",  # a test cluster: the server trusts local connections
            "pool_mode = transaction",
            f"default_pool_size = {self.pool_size}",
            f"max_client_conn = {self.max_clients}",
            f"max_db_connections = {self.pool_size}",
            "log_connections = 0",
            "log_disconnections = 0",
            f"logfile = {self.root / 'pgbouncer.log'}",
            f"pidfile = {self.root / 'pgbouncer.pid'}",
            "",
        ]))
        command = [str(self.program), "-d", str(config)]
        if self._as_postgres:
            command[1:1] = ["-u", "postgres"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not self._wait_ready():
            log = self._log()
            self.stop()
            raise RuntimeError(f"pgbouncer failed ({done.returncode}):\n{done.stdout}\n"
                               f"{done.stderr}\n{log}")
        return self

    def url(self, database: str = "postgres") -> str:
        """The URL of a database of the cluster, through pgbouncer."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}&port={self.port}"

    def stop(self) -> None:
        """Stop pgbouncer (SIGINT: it closes its connections first) and delete its folder."""
        if self.root is None:
            return
        pid = self._pid()
        if pid is not None:
            import signal
            import time

            try:
                os.kill(pid, signal.SIGINT)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    os.kill(pid, 0)  # raises once it is gone
                    time.sleep(0.02)
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> TempPgBouncer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _pid(self) -> int | None:
        try:
            return int((self.root / "pgbouncer.pid").read_text().strip())
        except (OSError, ValueError, TypeError):
            return None

    def _log(self) -> str:
        try:
            return (self.root / "pgbouncer.log").read_text(errors="replace")[-2000:]
        except (OSError, TypeError):
            return ""

    def _wait_ready(self, timeout: float = 30.0) -> bool:
        """Wait until a query goes through pgbouncer to the server."""
        import time

        import psycopg

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(host=str(self.root), port=self.port, user="postgres",
                                     dbname="postgres", connect_timeout=2,
                                     prepare_threshold=None) as conn:
                    conn.execute("SELECT 1")
                return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
