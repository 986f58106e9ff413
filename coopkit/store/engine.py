"""Engines for the two backends, with the settings that make "loses nothing" true.

SQLite (the embedded default, one file in the data folder):

* WAL journal: readers never block the writer, and a killed process leaves no damage
  (uncommitted frames are ignored at the next open).
* ``synchronous = FULL``: each commit waits for the WAL to reach the disk. In WAL mode
  ``NORMAL`` already survives a killed *process* (the OS still holds the pages), but may
  lose the last commits on a power cut or an OS crash of the consultant's laptop.
  ``save_answer`` promises the answer is durable when it returns, and the cost measured
  here is 0.2 to 1.5 ms per commit (depending on the load of the disk), so FULL.
* ``BEGIN IMMEDIATE`` for every write transaction: the write lock is taken up front.
  A plain ``BEGIN`` that reads and then writes fails with ``SQLITE_BUSY_SNAPSHOT`` under
  many writer processes, whatever the busy timeout.
* a busy timeout: a writer waits its turn instead of failing.
* no queue of our own in front of SQLite's lock. A ``flock`` gate (waiters queued in
  the kernel, woken in turn) was tried and measured: it prevents starvation under an
  absurd overload, but on a busy 2-core machine every hand-over waits for the woken
  process to get a CPU (a lock convoy): with 100 writers at a fast human pace, p95
  was 700-800 ms with the gate against 17-220 ms without. What keeps the wait short
  instead is a short lock: ``save_answer`` is a single statement, built before the
  transaction starts.
* ``COOPKIT_SQLITE_SYNCHRONOUS=NORMAL`` trades the power-cut guarantee for speed on
  a very slow disk (see docs/backup.md).

PostgreSQL: no pool kept open (``NullPool``): each operation opens a short connection
and closes it, since a hundred kernels each holding connections would exhaust
``max_connections``. When the server still answers "too many clients", connecting is
retried with a jittered back-off.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    OperationalError,
    StatementError,
)
from sqlalchemy.pool import NullPool

from coopkit.errors import fail

#: How long a SQLite writer waits for the lock before giving up (ms).
BUSY_TIMEOUT_MS = 30_000
#: How long connecting to PostgreSQL keeps retrying "too many clients" (s).
PG_CONNECT_PATIENCE = 30.0
_WRITE = "coopkit_write"
_PG_RETRY_MESSAGES = (
    "too many clients",
    "remaining connection slots are reserved",
    "the database system is starting up",
)


def normalise_url(url: str) -> URL:
    """Parse a database URL; ``postgresql://`` and ``postgres://`` use psycopg 3."""
    text = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if text.startswith(prefix):
            text = "postgresql+psycopg://" + text[len(prefix):]
    try:
        return make_url(text)
    except ArgumentError:
        raise fail("unsupported_database", field="url", value=_hide(text)) from None


def make_engine(url: str) -> Engine:
    """An engine for a SQLite file or a PostgreSQL server."""
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        return _postgres_engine(parsed)
    raise fail("unsupported_database", field="url",
               value=parsed.render_as_string(hide_password=True))


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction (``BEGIN IMMEDIATE`` on SQLite).

    Commits when the block ends, rolls back if it raises: nothing half-written. A
    database that stays locked or refuses connections becomes a clear ``store_busy``
    error instead of a driver traceback.
    """
    with busy_as_error(), engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


def dispose(engine: Engine) -> None:
    """Close every connection of ``engine``."""
    engine.dispose()


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for reading (one consistent snapshot on SQLite)."""
    with busy_as_error(), engine.connect() as conn:
        yield conn


@contextmanager
def busy_as_error() -> Iterator[None]:
    """Driver errors as coopkit's own, never with the statement's values.

    A locked or saturated database is ``store_busy``; any other refusal of the driver
    (a value it cannot store or compare...) is ``store_refused``, naming only the kind
    of error. The parameters of the statement (a token, an answer) are never part of
    the message, nor of the chained exception: the engines are made with
    ``hide_parameters=True`` and the driver's error is not chained (``from None``).
    Checks before each query (:mod:`coopkit.store.checks`) should make this rare; it is
    the safety net. ``IntegrityError`` (a unique key taken) passes through unchanged:
    callers catch it to draw another code or report a duplicate.
    """
    try:
        yield
    except IntegrityError:
        raise
    except OperationalError as exc:
        text = str(exc.orig).lower()
        if "database is locked" in text or any(m in text for m in _PG_RETRY_MESSAGES):
            raise fail("store_busy") from None
        raise fail("store_refused", value=type(exc.orig).__name__) from None
    except DBAPIError as exc:
        raise fail("store_refused", value=type(exc.orig).__name__) from None
    except StatementError as exc:  # a value the driver could not even send
        raise fail("store_refused", value=type(exc.orig).__name__) from None
    except UnicodeError as exc:  # a lone surrogate, refused by the driver's encoder
        raise fail("store_refused", value=type(exc).__name__) from None


# --------------------------------------------------------------------------- SQLite

def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        raise fail("unsupported_database", field="url", value=str(url))
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_size=2, max_overflow=8, hide_parameters=True,
                           connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        # We emit BEGIN ourselves (below): the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {_synchronous()}")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _synchronous() -> str:
    chosen = os.environ.get("COOPKIT_SQLITE_SYNCHRONOUS", "FULL").upper()
    return chosen if chosen in ("FULL", "NORMAL") else "FULL"


# ----------------------------------------------------------------------- PostgreSQL

def _postgres_engine(url: URL) -> Engine:
    engine = create_engine(
        url, poolclass=NullPool, hide_parameters=True,
        connect_args={"connect_timeout": 10, "application_name": "coopkit"},
    )

    @event.listens_for(engine, "do_connect")
    def _connect_patiently(dialect, _record, cargs, cparams):
        deadline = time.monotonic() + PG_CONNECT_PATIENCE
        pause = 0.01
        while True:
            try:
                return dialect.loaded_dbapi.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError as exc:
                text = str(exc).lower()
                if time.monotonic() > deadline or not any(
                    m in text for m in _PG_RETRY_MESSAGES
                ):
                    raise
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 0.5)

    return engine


def _hide(text: str) -> str:
    """A URL for messages, without its password."""
    if "@" in text and "://" in text:
        scheme, rest = text.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return text
