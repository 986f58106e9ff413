"""Analysis: pure functions over the answers frame (see :mod:`coopkit.analysis.core`).

``coopkit.analysis.<figure>(frame, ...)`` is the notebooks' entry point; the figures
live in the modules of this package, masking under k included. Knows nothing of SQL,
widgets, matplotlib or exports (``tests/test_layout.py`` checks it).
"""

from coopkit.analysis.core import (
    ANSWER_COLUMNS,
    DEFAULT_K,
    EMPTY,
    LEVELS,
    MASKED,
    OK,
    STATUSES,
    anonymity_k,
    commitment,
    completion,
    divergence,
    feelings_map,
    mask,
    others_shoes,
    readiness,
    select,
    tendencies,
    waves,
    weakest_items,
)

__all__ = [
    "ANSWER_COLUMNS", "DEFAULT_K", "EMPTY", "LEVELS", "MASKED", "OK", "STATUSES",
    "anonymity_k", "commitment", "completion", "divergence", "feelings_map", "mask",
    "others_shoes", "readiness", "select", "tendencies", "waves", "weakest_items",
]
