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
    plurals,
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


# ------------------------------------------------------------------------ counts

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_count_has_each_plural_form_of_its_language(lang):
    from babel.messages.plurals import get_plural

    forms = plurals(lang)
    assert forms, "no count entry found"
    wrong = {k: len(v) for k, v in forms.items() if len(v) != get_plural(lang).num_plurals}
    assert wrong == {}
    empty = [k for k, v in forms.items() if not all(f.strip() for f in v)]
    assert empty == []
    # every form says the count and names the same things
    uneven = [k for k, v in forms.items()
              if "n" not in placeholders(v[0]) or len({frozenset(placeholders(f)) for f in v}) > 1]
    assert uneven == []


def test_counts_exist_in_both_languages_with_the_same_placeholders():
    fr, en = plurals("fr"), plurals("en")
    assert set(fr) == set(en)
    assert [k for k in fr if placeholders(fr[k][0]) != placeholders(en[k][0])] == []


@pytest.mark.parametrize(
    ("n", "french", "english"),
    [(0, "0 réponse sur 9", "0 of 9 questions answered"),
     (1, "1 réponse sur 9", "1 of 9 question answered"),
     (2, "2 réponses sur 9", "2 of 9 questions answered"),
     (1200, "1\u202f200 réponses sur 9", "1,200 of 9 questions answered")],
)
def test_tn_picks_the_form_that_fits_the_count(n, french, english):
    assert tn("app.form.progress", n, "fr", total=9) == french
    assert tn("app.form.progress", n, "en", total=9) == english


def test_tn_on_a_key_without_forms_behaves_like_t():
    assert tn("no.such.key", 3) == "no.such.key"
    assert tn("cli.validate.ok", 2, "fr", file="f", sections="s", items="i",
              languages="fr", hash="h") == t("cli.validate.ok", "fr", file="f", sections="s",
                                              items="i", languages="fr", hash="h")



def test_a_count_in_an_error_takes_the_plural():
    from coopkit.errors import fail

    one = fail("missing_answers", value="g1", count=1).problems[0]
    two = fail("missing_answers", value="g1, g2", count=2).problems[0]
    assert one.message("fr").startswith("Il reste 1 question obligatoire sans réponse")
    assert two.message("fr").startswith("Il reste 2 questions obligatoires sans réponse")
    assert one.message("en").startswith("1 required question has no answer yet")


def test_texts_by_prefix():
    assert texts("page", "fr")["loading"] == t("page.loading", "fr")
    assert texts("page.", "en")["reload"] == "Reload the page"

#: French nouns a count is written before: such a text must be a count's entry (tn).
_COUNTED = ("réponse", "participant", "question", "personne", "répondant", "proposition",
            "section", "page", "feuille", "problème", "affirmation", "groupe", "validé")


def test_no_french_text_writes_a_count_outside_a_plural_entry():
    counted = re.compile(r"\{[a-z_]+\}\s+(?:de\s+)?(?:" + "|".join(_COUNTED) + r")s?\b"
                         r"|\w\(s\)")
    offending = {key: text for key, text in catalogue("fr").items()
                 if key not in plurals("fr") and counted.search(text)}
    assert offending == {}
