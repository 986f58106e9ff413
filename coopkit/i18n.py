"""User-facing strings in French (default) and English.

Every string a person reads goes through :func:`t`, and every count through
:func:`tn` (« 1 réponse », « 2 réponses », never « 1 réponses »). The catalogues are
gettext ``.po`` files, ``coopkit/locale/<lang>/<part>.po`` (one part per area), whose
``msgid`` is a stable key such as ``cli.validate.ok``; a count's entry has a
``msgid_plural`` (the same key) and one ``msgstr[i]`` per plural form of the language,
chosen by the language's gettext rule (French: singular for 0 and 1). Babel reads them
directly, so there is no compile step. ``tests/test_i18n.py`` fails when a key is
missing in either language or when code uses a key that no catalogue defines.

Numbers, percentages and dates are written the way each language writes them
(:func:`format_number`, :func:`format_percent`, :func:`format_date`): one decimal
separator and one percent spacing per language, in charts, tables and reports alike.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
_LOCALE_DIR = Path(str(resources.files("coopkit"))) / "locale"  # package data (the wheel too)
_current: str | None = None


@cache
def _read(lang: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]], str]:
    """(key -> text, key -> plural forms, the language's plural rule) of one language."""
    from babel.messages.plurals import get_plural
    from babel.messages.pofile import read_po

    merged: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    # Babel's rule for the language (CLDR): French has three forms, « 1 réponse »,
    # « 1 000 000 de réponses », « 2 réponses »; English two.
    rule = get_plural(lang).plural_expr
    for path in sorted((_LOCALE_DIR / lang).glob("*.po")):
        with path.open("rb") as handle:
            cat = read_po(handle, locale=lang)
        for m in cat:
            if not m.id:
                continue
            if isinstance(m.id, tuple | list):
                forms = tuple(str(s) for s in m.string)
                plural[str(m.id[0])] = forms
                merged[str(m.id[0])] = forms[0]  # t() on a count's key: its first form
            else:
                merged[str(m.id)] = str(m.string)
    return merged, plural, rule


def catalogue(lang: str) -> dict[str, str]:
    """Return the key -> text mapping of one language (a count's key: its first form)."""
    return _read(lang)[0]


def plurals(lang: str) -> dict[str, tuple[str, ...]]:
    """Return the key -> plural forms mapping of one language (the counts' entries)."""
    return _read(lang)[1]


@cache
def plural_rule(lang: str) -> Callable[[int], int]:
    """The language's gettext plural rule: a count -> the index of its form."""
    return gettext.c2py(_read(lang)[2])


def normalise_language(lang: str | None) -> str:
    """Map ``"en_GB"``, ``"EN"``, ``None``... to a supported language code."""
    if not lang:
        return DEFAULT_LANGUAGE
    code = lang.strip().lower().replace("-", "_").split("_")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def get_language() -> str:
    """The language in force: set_language(), else ``COOPKIT_LANG``, else French."""
    return _current or normalise_language(os.environ.get("COOPKIT_LANG"))


def set_language(lang: str | None) -> str:
    """Set the process-wide language; returns the normalised code."""
    global _current
    _current = normalise_language(lang) if lang else None
    return get_language()


def t(key: str, lang: str | None = None, /, **values: object) -> str:
    """Translate ``key`` into ``lang`` (default: the language in force).

    ``values`` fill ``{name}`` placeholders. An unknown key falls back to the other
    language, then to the key itself, so a missing string never crashes a workshop
    (the i18n test catches it before a release).
    """
    code = normalise_language(lang) if lang else get_language()
    text = catalogue(code).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def tn(key: str, n: int, lang: str | None = None, /, **values: object) -> str:
    """Translate a count: the plural form of ``key`` that fits ``n`` in ``lang``.

    ``{n}`` in the text is the count, written the language's way (« 1 200 »); ``values``
    fill the other placeholders. A key without plural forms behaves as :func:`t` (with
    ``n`` among the values), so a missing entry never crashes a workshop.
    """
    from babel.numbers import format_decimal

    code = normalise_language(lang) if lang else get_language()
    if not plurals(code).get(key) and plurals(DEFAULT_LANGUAGE).get(key):
        code = DEFAULT_LANGUAGE
    shown = format_decimal(n, locale=code)
    forms = plurals(code).get(key)
    if not forms:
        return t(key, code, n=shown, **values)
    index = min(plural_rule(code)(abs(int(n))), len(forms) - 1)
    return (forms[index] or forms[-1]).format(n=shown, **values)



def texts(prefix: str, lang: str | None = None) -> dict[str, str]:
    """Every text whose key starts with ``prefix.``, by the rest of its key
    (``texts("page")["loading"]`` is ``t("page.loading")``)."""
    code = normalise_language(lang) if lang else get_language()
    start = prefix.rstrip(".") + "."
    return {key[len(start):]: text for key, text in catalogue(code).items()
            if key.startswith(start)}


# ------------------------------------------------------------- numbers and dates
#: What stands between a number and its "%" sign: French sets a narrow no-break space
#: (« 26 % »), English nothing (26%).
PERCENT_SPACE = {"fr": "\u202f", "en": ""}
#: The decimal separator of each language: 0,53 in French, 0.53 in English.
DECIMAL_SEPARATOR = {"fr": ",", "en": "."}


def format_number(value: float, lang: str | None = None, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals and the language's decimal separator."""
    code = normalise_language(lang) if lang else get_language()
    text = f"{float(value):.{digits}f}"
    return text.replace(".", DECIMAL_SEPARATOR[code])


def format_percent(share: float, lang: str | None = None, digits: int = 0) -> str:
    """A share (0.26) as the language writes a percentage: « 26 % » or "26%"."""
    code = normalise_language(lang) if lang else get_language()
    return format_number(share * 100, code, digits) + PERCENT_SPACE[code] + "%"


def format_date(day: object, lang: str | None = None) -> str:
    """A date (or datetime) as a reader expects it: « 12 mars 2026 », "12 March 2026"."""
    from babel.dates import format_date as babel_date

    code = normalise_language(lang) if lang else get_language()
    return babel_date(day, format="d MMMM y", locale=code)
