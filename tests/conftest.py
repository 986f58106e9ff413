"""Shared fixtures.

PostgreSQL: one throw-away cluster per test session, started from the server binaries
of the machine (``/usr/lib/postgresql/*/bin``), as user ``postgres`` when the tests run
as root, listening on a Unix socket in a temporary folder; stopped at the end. Without
the binaries the PostgreSQL tests are skipped locally but FAIL when ``CI`` is set.
The same for pgbouncer (transaction mode, in front of that cluster), started the first
time a test asks for ``pgbouncer_url``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from store_support import pgbouncer_or_stop, postgres_bindir_or_stop

from coopkit.store import Store, open_store
from coopkit.store.pgtemp import TempPgBouncer, TempPostgres

_database_numbers = itertools.count()
_TEMPLATE = "coopkit_template"
pytest_plugins = ["browser_fixtures"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[TempPostgres]:
    """A running throw-away PostgreSQL cluster for the whole session."""
    cluster = TempPostgres(postgres_bindir_or_stop()).start()
    try:
        with open_store(cluster.create_database(_TEMPLATE)):
            pass  # the template holds the current schema: each test copies it
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres: TempPostgres) -> Iterator[str]:
    """A fresh PostgreSQL database holding the current (empty) coopkit schema."""
    name = f"coopkit_test_{next(_database_numbers)}"
    url = postgres.create_database(name, template=_TEMPLATE)
    yield url
    postgres.drop_database(name)


@pytest.fixture(scope="session")
def pgbouncer(postgres: TempPostgres) -> Iterator[TempPgBouncer]:
    """pgbouncer in transaction mode in front of the session's cluster."""
    bouncer = TempPgBouncer(postgres, pgbouncer_or_stop()).start()
    try:
        yield bouncer
    finally:
        bouncer.stop()


@pytest.fixture
def pgbouncer_url(postgres: TempPostgres, pgbouncer: TempPgBouncer) -> Iterator[str]:
    """A fresh database holding the current schema, reached through pgbouncer."""
    name = f"coopkit_pooled_{next(_database_numbers)}"
    postgres.create_database(name, template=_TEMPLATE)
    yield pgbouncer.url(name)
    postgres.drop_database(name)


@pytest.fixture
def postgres_empty_url(postgres: TempPostgres) -> Iterator[str]:
    """A fresh, completely empty PostgreSQL database."""
    name = f"coopkit_empty_{next(_database_numbers)}"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of an empty store, on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'coopkit.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open, empty store, on each backend in turn."""
    with open_store(store_url) as opened:
        yield opened
