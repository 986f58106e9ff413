"""Widgets: composites with one ``value`` each, testable without a browser.

The participant app (``notebooks/apps/participer.ipynb``) is built from
:mod:`~coopkit.widgets.join`, :mod:`~coopkit.widgets.form`,
:mod:`~coopkit.widgets.result` and :mod:`~coopkit.widgets.app`; the item widgets are in
:mod:`~coopkit.widgets.items`. Nothing is imported here eagerly, so that importing one
widget module (e.g. the quiz) does not pull in the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ParticipantApp": "coopkit.widgets.app",
    "JoinWidget": "coopkit.widgets.join",
    "FormWidget": "coopkit.widgets.form",
    "ResultWidget": "coopkit.widgets.result",
    "item_widget": "coopkit.widgets.items",
    "url_parameters": "coopkit.widgets.url",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'coopkit.widgets' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
