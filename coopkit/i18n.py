"""User-facing strings in French (default) and English.

Every string a person reads goes through :func:`t`. The catalogues are gettext
``.po`` files, ``coopkit/locale/<lang>/<part>.po`` (one part per area), whose
``msgid`` is a stable key such as ``cli.validate.ok``. Babel reads them directly,
so there is no compile step. ``tests/test_i18n.py`` fails when a key is missing in
either language or when code uses a key that no catalogue defines.

Counts take the language's plural: :func:`tn` reads an entry written with
``msgid_plural`` / ``msgstr[0]`` / ``msgstr[1]`` and picks the form with the
catalogue's own rule (French: 0 and 1 singular; English: 1 only), from Babel.

Numbers, percentages and dates are written the way each language writes them
(:func:`format_number`, :func:`format_percent`, :func:`format_date`): one decimal
separator and one percent spacing per language, in charts, tables and reports alike.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
_LOCALE_DIR = Path(__file__).with_name("locale")
_current: str | None = None


@cache
def _read(lang: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]], str]:
    """(key -> text, key -> plural forms, the plural rule as a C expression in n)."""
    from babel.messages.pofile import read_po

    merged: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    rule = "(n != 1)"
    for path in sorted((_LOCALE_DIR / lang).glob("*.po")):
        with path.open("rb") as handle:
            cat = read_po(handle, locale=lang)
        for m in cat:
            if not m.id:
                continue
            if m.pluralizable:
                # the file's Plural-Forms header says how its forms are numbered
                rule = cat.plural_expr
                key = str(m.id[0])
                forms = tuple(str(f) for f in m.string if f) or (key,)
                plurals[key] = forms
                merged[key] = forms[-1]  # t() of a plural key: its plural form
            else:
                merged[str(m.id)] = str(m.string)
    return merged, plurals, rule


def catalogue(lang: str) -> dict[str, str]:
    """Return the key -> text mapping of one language (a plural key: its plural)."""
    return _read(lang)[0]


def plural_forms(lang: str) -> dict[str, tuple[str, ...]]:
    """The keys written with plural forms, and their forms, in one language."""
    return _read(lang)[1]


@cache
def _plural_index(lang: str):
    import gettext

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


def tn(key: str, count: int, lang: str | None = None, /, **values: object) -> str:
    """Translate ``key`` for ``count`` things: « 1 réponse », « 2 réponses ».

    ``count`` is also a placeholder (``{count}``). A key without plural forms is
    translated as :func:`t` would.
    """
    code = normalise_language(lang) if lang else get_language()
    forms = plural_forms(code).get(key)
    if forms is None:
        code, forms = DEFAULT_LANGUAGE, plural_forms(DEFAULT_LANGUAGE).get(key)
    values = {"count": count, **values}
    if not forms:
        return t(key, lang, **values)
    text = forms[min(_plural_index(code)(int(count)), len(forms) - 1)]
    return text.format(**values)


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
