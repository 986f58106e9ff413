"""Errors a user can cause, and the catalogue of their messages.

A :class:`Problem` names where (file, line, field), what (the bad value), the rule
broken and how to fix it; its text comes from the i18n catalogue (``error.<code>``
and ``fix.<code>``), in French by default. A :class:`CoopkitError` carries every
problem found at once, so a trainer fixes a file in one pass. Warnings are kept apart
and never stop a load.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coopkit.i18n import t


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a user's input."""

    code: str
    field: str = ""
    value: object = None
    file: str = ""
    line: int | None = None
    params: tuple[tuple[str, object], ...] = ()
    warning: bool = False

    def message(self, lang: str | None = None) -> str:
        """The sentence saying what is wrong and how to fix it."""
        values = {"field": self.field or "-", "value": _show(self.value), **dict(self.params)}
        text = t(f"error.{self.code}", lang, **values)
        fix = t(f"fix.{self.code}", lang, **values)
        return f"{text} {fix}" if fix and fix != f"fix.{self.code}" else text

    def location(self) -> str:
        where = self.file or "<input>"
        return f"{where}:{self.line}" if self.line else where

    def format(self, lang: str | None = None) -> str:
        """``FILE:LINE: message`` (``warning:`` inserted for warnings)."""
        kind = t("error.warning_prefix", lang) + " " if self.warning else ""
        return f"{self.location()}: {kind}{self.message(lang)}"


class CoopkitError(ValueError):
    """A user error: bad file, bad value, wrong code... never a bug of ours."""

    def __init__(self, problems: Problem | Sequence[Problem]):
        self.problems: tuple[Problem, ...] = (
            (problems,) if isinstance(problems, Problem) else tuple(problems)
        )
        super().__init__("\n".join(p.format() for p in self.problems))

    def format(self, lang: str | None = None) -> str:
        return "\n".join(p.format(lang) for p in self.problems)

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


def problem(code: str, field: str = "", value: object = None, **params: object) -> Problem:
    """Build a :class:`Problem` with extra message parameters."""
    return Problem(code=code, field=field, value=value, params=tuple(params.items()))


def fail(code: str, field: str = "", value: object = None, **params: object) -> CoopkitError:
    """Shortcut: a :class:`CoopkitError` with a single problem (to ``raise``)."""
    return CoopkitError(problem(code, field, value, **params))


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest valid spelling of ``word``, for "did you mean ...?"."""
    found = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


#: Where a field sits in a questionnaire mapping: ``("sections", 0, "items", 2, "id")``.
FieldPath = tuple[object, ...]


def dotted(path: FieldPath) -> str:
    """``("sections", 0, "id")`` -> ``"sections[0].id"``, as messages show a field."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def bad_character(text: str) -> tuple[int, str] | None:
    """The first character of ``text`` no database can store, as ``(position, "U+0000")``:
    a NUL (PostgreSQL refuses it in text) or a lone surrogate (not valid Unicode: it
    cannot be written in UTF-8). None when the text is fine."""
    for position, char in enumerate(text):
        code = ord(char)
        if code == 0 or 0xD800 <= code <= 0xDFFF:
            return position, f"U+{code:04X}"
    return None


def printable(text: str) -> str:
    """``text`` safe to print anywhere: control characters and lone surrogates escaped."""
    if bad_character(text) is None and text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF or (not char.isprintable() and char != " "):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def _show(value: object) -> str:
    if value is None:
        return "-"
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    text = printable(text)
    return text if len(text) <= 80 else text[:77] + "..."
