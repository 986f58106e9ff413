"""A consistent copy of the SQLite database while participants keep answering.

SQLite's online backup API reads one snapshot of the database (in WAL mode writers
keep committing meanwhile) and writes it to a new file. Copying ``coopkit.sqlite``
with ``cp`` while a workshop runs is *not* safe: recent answers live in the ``-wal``
file beside it, and a copy taken mid-write can be torn.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from coopkit.store.schema import utcnow


def default_name() -> str:
    """``coopkit-20250314-101500.sqlite`` (UTC time of the copy)."""
    return f"coopkit-{utcnow():%Y%m%d-%H%M%S-%f}.sqlite"


def backup_sqlite(engine: Engine, target: Path) -> Path:
    """Copy the database behind ``engine`` into ``target`` (a new file); returns it.

    The copy is written beside the target then renamed, so a crash never leaves a
    half-written file under the final name; it is checked (``quick_check``) first.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(partial)
        try:
            source.driver_connection.backup(copy)  # all pages in one step: one snapshot
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if verdict != "ok":  # pragma: no cover - would mean a damaged source
        raise RuntimeError(f"backup check failed: {verdict}")
    os.replace(partial, target)
    return target
