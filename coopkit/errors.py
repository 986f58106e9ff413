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

from coopkit.i18n import get_language, normalise_language, t, tn


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

    def message(self, lang: str | None = None, *, typographic: bool = False) -> str:
        """The sentence saying what is wrong and how to fix it. ``typographic``: the bad
        value between the language's own quotes (« ABC » in French), for a reader who
        is not editing a file (a participant); else between straight quotes, as it is
        typed in a file."""
        shown = _show(self.value, normalise_language(lang or get_language())
                      if typographic else None)
        values = {"field": self.field or "-", "value": shown,
                  **{k: _said(v, lang) for k, v in self.params}}
        count = dict(self.params).get("count")
        text = (tn(f"error.{self.code}", count, lang, **values)  # « 1 question », « 2 questions »
                if isinstance(count, int) and not isinstance(count, bool)
                else t(f"error.{self.code}", lang, **values))
        fix = t(f"fix.{self.code}", lang, **values)
        return f"{text} {fix}" if fix and fix != f"fix.{self.code}" else text

    def location(self) -> str:
        where = self.file or "<input>"
        return f"{where}:{self.line}" if self.line else where

    def format(self, lang: str | None = None) -> str:
        """``FILE:LINE: message`` (``warning:`` inserted for warnings)."""
        kind = t("error.warning_prefix", lang) + " " if self.warning else ""
        return f"{self.location()}: {kind}{self.message(lang)}"


@dataclass(frozen=True)
class Phrase:
    """A text of the catalogue quoted inside a problem's message, translated only when
    the message is shown (so a problem keeps speaking its reader's language)."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str | None = None) -> str:
        return t(self.key, lang, **{k: _said(v, lang) for k, v in self.params})


def phrase(key: str, **params: object) -> Phrase:
    """Build a :class:`Phrase` (parameters may be phrases too)."""
    return Phrase(key, tuple(params.items()))


def _said(value: object, lang: str | None) -> object:
    return value.text(lang) if isinstance(value, Phrase) else value


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

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop what was asked (the others are warnings)."""
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


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


#: Quotes around a value shown to someone who is not editing a file.
QUOTES = {"fr": ("«\u00a0", "\u00a0»"), "en": ("\u201c", "\u201d")}


def _show(value: object, quotes: str | None = None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        opening, closing = QUOTES.get(quotes or "", ("'", "'"))
        body = printable(value)
        body = body if len(body) <= 78 else body[:75] + "..."
        return f"{opening}{body}{closing}"
    text = printable(repr(value))
    return text if len(text) <= 80 else text[:77] + "..."
