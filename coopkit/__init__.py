"""coopkit: facilitation toolkit for durable cooperation between establishments.

Public API used in notebooks (kept stable): :func:`load_questionnaire` and
:func:`open_store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coopkit.definitions.questionnaire import Questionnaire
from coopkit.definitions.questionnaire import load as load_questionnaire
from coopkit.errors import CoopkitError

if TYPE_CHECKING:
    from coopkit.store import Store

__version__ = "0.1.0"
__all__ = ["CoopkitError", "Questionnaire", "load_questionnaire", "open_store"]


def open_store(url: str | None = None, *, data: str | None = None) -> Store:
    """Open the answers store: ``url`` (e.g. ``postgresql://...``), else
    ``$COOPKIT_DATABASE_URL``, else the embedded SQLite file in the data folder."""
    from coopkit.store import open_store as _open

    return _open(url, data=data)
