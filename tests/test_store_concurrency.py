"""Many writer *processes* at once, a writer killed mid-questionnaire, a backup under load.

Each writer is ``store_writer.py`` in its own Python process, as each participant
page is its own Voilà kernel. Waits are conditions polled on the store, never a guess.
Each test runs on SQLite, on PostgreSQL, and on PostgreSQL through pgbouncer in
transaction mode (what docs/postgresql.md advises for hundreds of kernels): every
transaction may land on another server connection there.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from store_support import make_questionnaire, value_for

from coopkit.errors import CoopkitError
from coopkit.store import open_store

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
                        pytest.param("pgbouncer", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of an empty store: SQLite, PostgreSQL, PostgreSQL through pgbouncer."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'coopkit.sqlite'}"
    return request.getfixturevalue(f"{request.param}_url")

WRITERS = 50
WRITER = Path(__file__).with_name("store_writer.py")
GROUPS = ("direction_generale", "personnel", "medical_soignant")


@contextmanager
def writers(url: str, code: str, seeds: range, *extra: str
            ) -> Iterator[list[subprocess.Popen]]:
    """Start one writer process per seed; kill any still running on the way out."""
    procs: list[subprocess.Popen] = []
    try:
        for seed in seeds:
            procs.append(subprocess.Popen(
                [sys.executable, str(WRITER), url, code, GROUPS[seed % 3], str(seed), *extra],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ))
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


def finish(procs: list[subprocess.Popen], timeout: float = 180) -> list[str]:
    """Wait for every writer; return their outputs (each must have succeeded)."""
    deadline = time.monotonic() + timeout
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        assert proc.returncode == 0, err
        outputs.append(out)
    return outputs


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    """Poll ``condition`` until it holds (fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


def token_of(output: str) -> str:
    return next(line.split()[1] for line in output.splitlines() if line.startswith("token"))


@pytest.mark.timeout(300)
def test_fifty_writer_processes_lose_no_answer(store_url):
    questionnaire = make_questionnaire(extra_items=3)
    items = list(questionnaire.items())
    with open_store(store_url) as store:
        workshop = store.open_workshop(store.create_project("Charge"), questionnaire)
        with writers(store_url, workshop.code, range(WRITERS)) as procs:
            outputs = finish(procs)
        for seed, output in enumerate(outputs):
            assert output.splitlines()[-1] == "done"
            assert output.count("\nsaved ") == len(items)
            token = token_of(output)
            assert store.answers(token) == {it.id: value_for(it, seed) for it in items}
            assert store.resume(token).validated
        frame = store.answers_frame(workshop.id)
        assert len(frame) == WRITERS * len(items)
        assert frame["participant"].nunique() == WRITERS and frame["validated"].all()
        counts = store.participation(workshop.id)
        assert sum(c.joined for c in counts.values()) == WRITERS
        assert sum(c.validated for c in counts.values()) == WRITERS


@pytest.mark.timeout(120)
def test_a_writer_killed_mid_questionnaire_keeps_what_it_saved(store_url):
    questionnaire = make_questionnaire(extra_items=40)
    items = list(questionnaire.items())
    seed = 7
    with open_store(store_url) as store:
        workshop = store.open_workshop(store.create_project("Coupure"), questionnaire)
        with writers(store_url, workshop.code, range(seed, seed + 1), "--forever") as procs:
            proc = procs[0]
            first = proc.stdout.readline()
            assert first.startswith("token "), proc.stderr.read()
            token = first.split()[1]
            wait_until(lambda: len(store.answers(token)) >= 12)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            acknowledged = proc.stdout.read()
        assert proc.returncode == -signal.SIGKILL

        saves = [(int(r), item) for _, r, item in
                 (line.split() for line in acknowledged.splitlines() if line)]
        assert saves, "the writer was killed before acknowledging any answer"
        last_round = {item: r for r, item in saves}
        done_round, done_item = saves[-1]
        at = [it.id for it in items].index(done_item) + 1
        in_flight = (done_round, items[at].id) if at < len(items) else (done_round + 1,
                                                                         items[0].id)
        saved = store.answers(token)
        for item in items:
            allowed = []
            if item.id in last_round:
                allowed.append(value_for(item, seed + last_round[item.id]))
            if item.id == in_flight[1]:  # killed during this save: either outcome is fine
                allowed.append(value_for(item, seed + in_flight[0]))
            if item.id in saved:
                assert saved[item.id] in allowed, item.id
            else:
                assert not allowed or item.id == in_flight[1], f"{item.id} lost"

    with open_store(store_url) as later:  # a new kernel resumes with the token
        participant = later.resume(token)
        assert not participant.validated
        assert later.answers(token) == saved
        for item in items:
            later.save_answer(token, item.id, value_for(item, 0))
        assert later.validate(token).validated
    if store_url.startswith("sqlite"):
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


@pytest.mark.timeout(180)
def test_backup_while_a_workshop_runs(tmp_path):
    questionnaire = make_questionnaire(extra_items=30)
    items = list(questionnaire.items())
    url = f"sqlite:///{tmp_path / 'data' / 'coopkit.sqlite'}"
    with open_store(url) as store:
        workshop = store.open_workshop(store.create_project("Sauvegarde"), questionnaire)

        def answered() -> int:
            return len(store.answers_frame(workshop.id))

        with writers(url, workshop.code, range(12)) as procs:
            wait_until(lambda: answered() >= 60)
            before = answered()
            copy = store.backup(tmp_path / "backups")
            after = answered()
            outputs = finish(procs)
        final = {token_of(out): store.answers(token_of(out)) for out in outputs}
        assert sum(len(a) for a in final.values()) == 12 * len(items)

    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with open_store(f"sqlite:///{copy}") as restored:
        frame = restored.answers_frame(workshop.id)
        assert before <= len(frame) <= after
        for token, answers in final.items():  # every copied answer is a real one
            try:
                copied = restored.answers(token)
            except CoopkitError:  # this writer had not joined yet at the time of the copy
                continue
            assert copied.items() <= answers.items()
