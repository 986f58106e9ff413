"""The participant's phone app: join, fill in, see my result, validate, send an idea.

Built from :mod:`~coopkit.participant.join`, :mod:`~coopkit.participant.form`,
:mod:`~coopkit.participant.result`, :mod:`~coopkit.participant.ideas` (after validation:
a wording of the common purpose, an action proposal) and
:mod:`~coopkit.participant.app`, wired by the thin Voilà notebook
``notebooks/apps/participer.ipynb``; the answer controls and the shared widget helpers
are in :mod:`coopkit.widgets`. Knows nothing of the consultant's tools
and never touches SQL: every answer goes through the store's API
(``tests/test_layout.py`` checks both). Nothing is imported here eagerly, so that a
participant's kernel loads only what its page needs.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ParticipantApp": "coopkit.participant.app",
    "JoinWidget": "coopkit.participant.join",
    "FormWidget": "coopkit.participant.form",
    "ResultWidget": "coopkit.participant.result",
    "IdeasWidget": "coopkit.participant.ideas",
    "url_parameters": "coopkit.participant.url",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'coopkit.participant' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
