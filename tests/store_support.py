"""Helpers for the store tests: a small questionnaire and deterministic valid answers.

Imported by the tests and by ``store_writer.py`` (a writer *process*), so it imports
nothing from pytest.
"""

from __future__ import annotations

import os
from pathlib import Path

from coopkit.definitions.questionnaire import Item, Questionnaire, parse
from coopkit.store.pgtemp import find_bindir, find_pgbouncer


def _t(text: str) -> dict[str, str]:
    return {"fr": text, "en": f"{text} (en)"}


def questionnaire_mapping(extra_items: int = 0, qid: str = "mini") -> dict:
    """A questionnaire with every item type, a sub-section, groups and tags.

    ``extra_items`` adds scale items to a second section (a longer questionnaire).
    """
    extra = [
        {"id": f"x{n:03d}", "type": "scale", "scale": "accord", "text": _t(f"extra {n}"),
         "feeling": ("attrait", "peur", "tentation")[n % 3],
         "theme": ("qualite", "accompagnement", "arbitrage")[n % 3]}
        for n in range(extra_items)
    ]
    sections = [
        {
            "id": "gouvernance", "title": _t("Gouvernance"),
            "items": [
                {"id": "attrait_qualite", "type": "scale", "scale": "accord",
                 "text": _t("Le projet améliore le service"), "feeling": "attrait",
                 "theme": "qualite", "principles": [2, 4]},
                {"id": "peur_autonomie", "type": "intensity", "max": 5,
                 "text": _t("Je crains de perdre en autonomie"), "feeling": "peur",
                 "theme": "arbitrage", "factor": "portage"},
            ],
            "subsections": [
                {
                    "id": "regles", "title": _t("Règles"),
                    "items": [
                        {"id": "regle_claire", "type": "single", "text": _t("Règles claires ?"),
                         "choices": [{"id": "oui", "label": _t("Oui"), "score": 1},
                                     {"id": "non", "label": _t("Non"), "score": 0}]},
                        {"id": "canaux", "type": "multiple", "text": _t("Canaux"),
                         "required": False,
                         "choices": [{"id": "mail", "label": _t("Courriel")},
                                     {"id": "reunion", "label": _t("Réunion")},
                                     {"id": "intranet", "label": _t("Intranet")}]},
                        {"id": "remarque", "type": "text", "text": _t("Une remarque ?"),
                         "required": False},
                    ],
                },
            ],
        },
    ]
    if extra:
        sections.append({"id": "suite", "title": _t("Suite"), "items": extra})
    return {
        "id": qid, "version": "1", "kind": "feelings", "title": _t("Mini questionnaire"),
        "languages": ["fr", "en"],
        "groups": ["direction_generale", "personnel", "medical_soignant"],
        "scales": {"accord": {
            "points": [{"value": v, "label": _t(f"point {v}")} for v in range(1, 5)],
            "not_applicable": True,
        }},
        "sections": sections,
    }


def make_questionnaire(extra_items: int = 0, qid: str = "mini") -> Questionnaire:
    return parse(questionnaire_mapping(extra_items, qid))


def value_for(item: Item, seed: int) -> object:
    """A valid answer to ``item``, different for different seeds."""
    if item.type == "scale":
        values = item.scale.values if item.scale else (1,)
        return values[seed % len(values)]
    if item.type == "intensity":
        return seed % ((item.max or 5) + 1)
    if item.type == "single":
        return item.choices[seed % len(item.choices)].id
    if item.type == "multiple":
        ids = [c.id for c in item.choices]
        return ids[: 1 + seed % len(ids)]
    return f"réponse {seed} à {item.id}"


def postgres_bindir_or_stop(bindir: Path | None = None, *, search: bool = True) -> Path:
    """The PostgreSQL server binaries; without them, skip the test locally but FAIL it
    in CI (``CI`` set), where PostgreSQL tests must run."""
    import pytest

    found = bindir or (find_bindir() if search else None)
    if found is None:
        message = ("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                   "(install the 'postgresql' package or set COOPKIT_PG_BINDIR)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def pgbouncer_or_stop() -> Path:
    """Debian's pgbouncer; without it, skip the test locally but FAIL it in CI."""
    import pytest

    found = find_pgbouncer()
    if found is None:
        message = "pgbouncer not found (install the 'pgbouncer' package: ./run.sh test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found
