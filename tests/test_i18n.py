"""Every user-facing key exists, non-empty, in French and English, with the same
placeholders; every key the code uses is in the catalogues."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from coopkit.definitions import method
from coopkit.i18n import (
    LANGUAGES,
    catalogue,
    normalise_language,
    plural_forms,
    set_language,
    t,
    texts,
    tn,
)

PACKAGE = Path(__file__).resolve().parent.parent / "coopkit"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_same_keys_in_every_language():
    fr, en = catalogue("fr"), catalogue("en")
    assert set(fr) - set(en) == set(), "keys missing in English"
    assert set(en) - set(fr) == set(), "keys missing in French"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_text(lang):
    empty = [key for key, text in catalogue(lang).items() if not text.strip()]
    assert empty == []


def test_same_placeholders_in_every_language():
    fr, en = catalogue("fr"), catalogue("en")
    differing = [k for k in fr if placeholders(fr[k]) != placeholders(en.get(k, ""))]
    assert differing == []


def _used_literal_keys() -> set[str]:
    keys = set()
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""\btn?\(\s*["']([a-z0-9_]+\.[a-z0-9_.]+)["']""", source))
        for code in re.findall(
            r"""\b(?:fail|problem|add|unknown_code)\(\s*["']([a-z0-9_]+)["']""", source
        ):
            keys.add(f"error.{code}")
    return keys


def test_every_key_used_in_code_exists():
    known = set(catalogue("fr"))
    missing = sorted(_used_literal_keys() - known)
    assert missing == []
    assert len(_used_literal_keys()) > 20  # the scan itself found the code's keys


def test_method_labels_exist_in_both_languages():
    concepts = [*method.FEELINGS, method.TRUST, *method.THEMES, *method.BEHAVIOURS,
                *method.GROUPS, *method.FACTORS, *method.PLANS, *method.ACTION_STATUSES]
    for lang in LANGUAGES:
        cat = catalogue(lang)
        for c in concepts:
            assert f"method.{c.kind}.{c.id}" in cat, (lang, c)
        for p in method.PRINCIPLES:
            assert f"method.principle.{p.number}" in cat


def test_french_is_default_and_english_available(monkeypatch):
    monkeypatch.delenv("COOPKIT_LANG", raising=False)
    set_language(None)
    assert t("method.feeling.peur") == "Peurs"
    assert t("method.feeling.peur", "en") == "Fears"
    monkeypatch.setenv("COOPKIT_LANG", "en")
    assert t("method.feeling.peur") == "Fears"


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, "fr"), ("", "fr"), ("en", "en"), ("EN", "en"), ("en-GB", "en"), ("fr_FR", "fr"),
     ("de", "fr")],
)
def test_normalise_language(given, expected):
    assert normalise_language(given) == expected


def test_unknown_key_falls_back_to_key_not_crash():
    assert t("no.such.key") == "no.such.key"


def test_plural_keys_have_every_form_in_every_language():
    fr, en = plural_forms("fr"), plural_forms("en")
    assert set(fr) == set(en) and len(fr) >= 5
    for key in fr:
        for forms in (fr[key], en[key]):
            assert len(forms) == 2 and all(f.strip() for f in forms), key
            assert placeholders(forms[0]) == placeholders(forms[1]), key


@pytest.mark.parametrize(("lang", "count", "expected"), [
    ("fr", 0, "0 réponse sur 41"), ("fr", 1, "1 réponse sur 41"),
    ("fr", 2, "2 réponses sur 41"), ("en", 1, "1 of 41 questions answered"),
])
def test_counts_take_the_languages_plural(lang, count, expected):
    assert tn("app.form.progress", count, lang, done=count, total=41) == expected


def test_a_count_in_an_error_takes_the_plural():
    from coopkit.errors import fail

    one = fail("missing_answers", value="g1", count=1).problems[0]
    two = fail("missing_answers", value="g1, g2", count=2).problems[0]
    assert one.message("fr").startswith("Il reste 1 question obligatoire sans réponse")
    assert two.message("fr").startswith("Il reste 2 questions obligatoires sans réponse")
    assert one.message("en").startswith("1 required question still unanswered")


def test_texts_by_prefix():
    assert texts("page", "fr")["loading"] == t("page.loading", "fr")
    assert texts("page.", "en")["reload"] == "Reload the page"
