"""Checks of the values people give the store: each mistake becomes a clear
:class:`~coopkit.errors.CoopkitError` naming the field, the value and what is allowed."""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from coopkit.definitions import method
from coopkit.errors import bad_character, fail, suggest

NAME_LIMIT = 200
PURPOSE_LIMIT = 4000
PROPOSAL_LIMIT = 2000
WAVE_LIMIT = 32
MAX_K = 100
#: The largest id either backend stores (PostgreSQL ``integer``).
MAX_ID = 2**31 - 1
PROPOSAL_FIELDS = ("text", "group", "feeling", "theme", "principle", "plan", "status",
                   "owner", "due", "workshop_id")
#: A questionnaire may define its own groups: any well-formed id is a group.
_GROUP_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def text(field: str, value: object, limit: int, *, required: bool = True) -> str | None:
    """A stripped text of at most ``limit`` characters (None when empty and optional)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise fail("empty_text", field=field, value=value)
        return None
    if not isinstance(value, str):
        raise fail("not_text", field=field, value=value)
    clean = value.strip()
    if len(clean) > limit:
        raise fail("too_long", field=field, value=len(clean), limit=limit)
    found = bad_character(clean)
    if found is not None:  # refused alike by SQLite and PostgreSQL (it cannot store NUL)
        raise fail("bad_character", field=field, position=found[0] + 1, char=found[1])
    return clean


def ident(field: str, value: object, unknown: str) -> int:
    """A record's id: a whole number (``numpy`` integers accepted), else an error
    naming the field and the value. An id no record can have (0, negative, beyond what
    the database stores) raises ``unknown`` ("no such workshop"...), as a missing one
    does, before any query."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise fail("not_an_id", field=field, value=value)
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise fail(unknown, field=field, value=number)
    return number


def optional_ident(field: str, value: object, unknown: str) -> int | None:
    return None if value is None else ident(field, value, unknown)


def allowed(field: str, value: object, choices: Iterable[object]) -> Any:
    """``value`` if it is one of ``choices``; else an error listing them."""
    options = tuple(choices)
    if value in options and not isinstance(value, bool):
        return value
    listed = ", ".join(map(str, options))
    hint = suggest(value, [str(o) for o in options]) if isinstance(value, str) else None
    if hint:
        raise fail("not_allowed_hint", field=field, value=value, suggestion=hint,
                   allowed=listed)
    raise fail("not_allowed", field=field, value=value, allowed=listed)


def known_field(key: str, fields: tuple[str, ...]) -> None:
    """An error (with "did you mean") when ``key`` is not one of ``fields``."""
    if key not in fields:
        hint = suggest(key, fields)
        if hint:
            raise fail("unknown_field_hint", field=key, value=key, suggestion=hint,
                       allowed=", ".join(fields))
        raise fail("unknown_field", field=key, value=key, allowed=", ".join(fields))


def anonymity_k(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) \
            or not 1 <= value <= MAX_K:
        raise fail("invalid_k", field="k", value=value, limit=MAX_K)
    return int(value)


def due_date(value: object) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail("invalid_date", field="due", value=value)


def partner_name(place: str, names: list[str]) -> str:
    for name in names:
        if name.casefold() == place.casefold():
            return name
    allowed("establishment", place, names)
    return place  # pragma: no cover - _allowed raised


def proposal_values(fields: Mapping[str, object]) -> dict[str, Any]:
    """Check proposal fields; returns column -> value for those given."""
    checks = {
        "text": lambda v: text("text", v, PROPOSAL_LIMIT),
        "group": lambda v: group_id(v),
        "feeling": lambda v: None if v is None else allowed("feeling", v, method.FEELING_IDS),
        "theme": lambda v: None if v is None else allowed("theme", v, method.THEME_IDS),
        "principle": lambda v: None if v is None else int(allowed(
            "principle", v, method.PRINCIPLE_NUMBERS)),
        "plan": lambda v: None if v is None else allowed("plan", v, method.PLAN_IDS),
        "status": lambda v: allowed("status", v, method.STATUS_IDS),
        "owner": lambda v: text("owner", v, NAME_LIMIT, required=False),
        "due": due_date,
        "workshop_id": lambda v: optional_ident("workshop_id", v, "unknown_workshop"),
    }
    columns = {"group": "group_id"}
    return {columns.get(k, k): checks[k](v) for k, v in fields.items()}


def group_id(value: object) -> str:
    if isinstance(value, str) and _GROUP_ID.match(value):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        raise fail("empty_text", field="group", value=value)
    allowed("group", value, method.GROUP_IDS)
    return str(value)  # pragma: no cover - _allowed raised
