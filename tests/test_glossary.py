"""One vocabulary everywhere a user reads: the words of ``docs/glossaire.md``.

Every user-facing text is scanned: the locale catalogues, the questionnaires and the
quiz, the notebooks (markdown, code that prints, stored outputs), the documentation and
the README, the demo's texts, and the texts of a real export. A variant the glossary
sets aside fails the test, naming the file, the line and the word to write instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopkit.definitions import method
from coopkit.i18n import catalogue

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossaire.md"


@dataclass(frozen=True)
class Banned:
    pattern: str
    #: what the glossary's "À ne pas écrire" column shows for it
    shown: str
    write: str
    flags: int = 0

    def search(self, text: str) -> re.Match | None:
        return re.search(self.pattern, text, self.flags)


#: The variants left aside (the issue's list and a few more), with the word to use.
BANNED = (
    Banned(r"\bateliers?\b", "atelier", "séance", re.IGNORECASE),
    Banned(r"Prestataires? de service", "Prestataires de service", "Offreurs de service"),
    Banned(r"Financeurs? \(ARS", "Financeurs (ARS, département)",
           "Autorités de tarification (ARS, conseil départemental)"),
    Banned(r"ARS, département\)", "« ARS, département »", "ARS, conseil départemental"),
    Banned(r"contrat pluriannuel(?! d'objectifs et de moyens)", "contrat pluriannuel (seul)",
           "contrat pluriannuel d'objectifs et de moyens (CPOM)", re.IGNORECASE),
    Banned(r"Non concernée?s?\b", "Non concerné", "« Sans objet » ou « Ne me concerne pas »",
           re.IGNORECASE),
    Banned(r"Arbitrages et prise de décision|Modalités d'arbitrage et de décision"
           r"|arbitrage et décision", "Modalités d'arbitrage et de décision",
           "Modalités d'arbitrage et de prise de décision", re.IGNORECASE),
    Banned(r"Prêts pour la coopération", "« Prêts pour la coopération ? »",
           "« Prêts pour une coopération ? »", re.IGNORECASE),
    Banned(r"\bmaturité\b", "maturité (pour ce score)",
           "« degré de préparation » ou « niveau de compétence équivalent »", re.IGNORECASE),
    Banned(r"niveau de maturité", "niveau de maturité comparable",
           "Un niveau de compétence équivalent", re.IGNORECASE),
    Banned(r"propositions? d'action\b", "propositions d'action", "propositions d'actions",
           re.IGNORECASE),
    Banned(r"plans? (?:des|de) risques", "plan des risques", "plan de gestion des risques",
           re.IGNORECASE),
    Banned(r"plans? (?:des|d') ?objectifs|gestion des objectifs", "plan des objectifs",
           "plan de management des objectifs", re.IGNORECASE),
    Banned(r"Représentants du personnel \(CME", "Représentants du personnel (CME, CSE…)",
           "Membres des instances (CSE, CME, CSIRMT)"),
    Banned(r"s'est mal passé", "Désolés, quelque chose s'est mal passé",
           "Un incident technique est survenu", re.IGNORECASE),
    Banned(r"moins de quelques personnes", "moins de quelques personnes",
           "moins de k personnes"),
    Banned(r"la confiance parie", "la confiance parie", "une phrase simple"),
    Banned(r"[Ll]'image du groupe", "L'image du groupe", "le résultat du groupe"),
    Banned(r"ne se demande pas comme un ressenti", "ne se demande pas comme un ressenti",
           "une phrase simple"),
    Banned(r"équipe-projet", "équipe-projet", "équipe projet", re.IGNORECASE),
    Banned(r"porteur (?:de|du) projet", "porteur de projet", "promoteur", re.IGNORECASE),
    Banned(r"carte de ressentis", "carte de ressentis", "carte des ressentis", re.IGNORECASE),
    Banned(r"\battirances?\b", "attirances", "attraits", re.IGNORECASE),
    Banned(r"\bCTE\b", "CTE", "CSE"),
    Banned(r"\bNe sait pas\b", "Ne sait pas", "Je ne sais pas"),
    Banned(r"charte relationnelle|relational charter", "charte relationnelle",
           "charte des bonnes pratiques relationnelles", re.IGNORECASE),
    Banned(r"\bobjectives plan\b", "plan des objectifs", "objectives management plan",
           re.IGNORECASE),
    Banned(r"\bFunders \(ARS", "Financeurs (ARS, département)", "Tariff authorities"),
    Banned(r"\bService providers\b", "Prestataires de service", "Shared-service providers"),
    # counts: the plural form goes through i18n.tn
    Banned(r"\w\(s\)", "réponse(s)", "the count's plural form (i18n.tn)"),
    Banned(r"(?<![\d,.])1 (?:réponses|participants|questions|propositions"
           r"|personnes|répondants|sections|problèmes|answers|proposals|respondents)\b",
           "1 réponses", "1 réponse"),
)


def _po_texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every msgstr of a .po file."""
    out = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        found = re.match(r'msgstr(?:\[\d\])? "(.*)"$', line)
        if found and found.group(1):
            out.append((number, found.group(1)))
    return out


def _lines(path: Path) -> list[tuple[int, str]]:
    return list(enumerate(path.read_text("utf-8").splitlines(), start=1))


def _notebook_texts(path: Path) -> list[tuple[int, str]]:
    """(cell number, text) of every cell's source and stored text outputs."""
    out = []
    for number, cell in enumerate(json.loads(path.read_text("utf-8"))["cells"], start=1):
        out.append((number, "".join(cell["source"])))
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")]
            texts += [v for k, v in output.get("data", {}).items() if k.startswith("text/")]
            out.extend((number, "".join(t) if isinstance(t, list) else str(t)) for t in texts)
    return out


def user_facing_texts() -> dict[str, list[tuple[int, str]]]:
    """Where users read text: file (relative) -> [(line or cell, text)]."""
    files: dict[str, list[tuple[int, str]]] = {}
    for path in sorted((ROOT / "coopkit" / "locale").glob("*/*.po")):
        files[str(path.relative_to(ROOT))] = _po_texts(path)
    plain = [*(ROOT / "questionnaires").glob("*.yaml"), *(ROOT / "notebooks").rglob("*.yaml"),
             *(ROOT / "docs").glob("*.md"), ROOT / "README.md",
             ROOT / "coopkit" / "demo.py", ROOT / "coopkit" / "synthetic.py"]
    for path in sorted(plain):
        if path != GLOSSARY:  # the glossary lists the variants on purpose
            files[str(path.relative_to(ROOT))] = _lines(path)
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" not in path.parts:
            files[str(path.relative_to(ROOT))] = _notebook_texts(path)
    return files


def offences(files: dict[str, list[tuple[int, str]]]) -> list[str]:
    found = []
    for name, lines in files.items():
        for number, text in lines:
            for rule in BANNED:
                hit = rule.search(text)
                if hit:
                    found.append(f"{name}:{number}: « {hit.group(0)} » → {rule.write}")
    return found


def test_user_facing_texts_use_the_glossary_words():
    files = user_facing_texts()
    assert len(files) > 30 and sum(len(v) for v in files.values()) > 3000  # scanned
    assert offences(files) == []


def test_the_scan_catches_each_variant():
    samples = {
        "Code de l'atelier": "séance", "Prestataires de service": "Offreurs",
        "Financeurs (ARS, département)": "Autorités", "un contrat pluriannuel": "CPOM",
        "Non concerné": "Sans objet", "Arbitrages et prise de décision": "Modalités",
        "Prêts pour la coopération ?": "une coopération", "Score de maturité": "préparation",
        "les propositions d'action": "d'actions", "le plan des risques": "gestion",
        "le plan des objectifs": "management", "Il y a 1 réponses.": "1 réponse",
        "2 question(s)": "tn", "Désolés, quelque chose s'est mal passé": "incident",
        "relational charter": "charte", "Représentants du personnel (CME, CSE)": "instances",
    }
    for text, hint in samples.items():
        hits = offences({"sample": [(1, text)]})
        assert hits and hint.lower() in " ".join(hits).lower(), text
    fine = ("Code de la séance", "propositions d'actions", "plan de gestion des risques",
            "plan de management des objectifs", "1 réponse", "21 réponses", "11 participants",
            "contrat pluriannuel d'objectifs et de moyens (CPOM)", "Sans objet",
            "Ne me concerne pas", "Tariff authorities (ARS, département council)",
            "Shared-service providers", "Modalités d'arbitrage et de prise de décision")
    assert offences({"sample": [(1, text) for text in fine]}) == []


def test_the_glossary_lists_every_variant_it_sets_aside():
    glossary = " ".join(GLOSSARY.read_text("utf-8").split())
    missing = [rule.shown for rule in BANNED if rule.shown not in glossary]
    assert missing == []
    for word in ("séance", "promoteur", "équipe projet", "propositions d'actions",
                 "plan de management des objectifs", "plan de gestion des risques",
                 "charte des bonnes pratiques relationnelles", "Se mettre à la place de l'autre",
                 "Offreurs de service", "Autorités de tarification", "CPOM", "GHT", "GCSMS",
                 "direction commune", "CSIRMT", "CDU", "CVS", "Ne me concerne pas",
                 "Sans objet"):
        assert word in glossary, word


def test_the_glossary_gives_the_method_labels_as_written_in_the_catalogue():
    glossary = GLOSSARY.read_text("utf-8")
    fr = catalogue("fr")
    for concept in (*method.THEMES, *method.FACTORS, *method.PLANS):
        assert fr[f"method.{concept.kind}.{concept.id}"].lower() in glossary.lower(), concept
    offered = [g for g in method.GROUP_IDS if g not in method.LEGACY_GROUPS]
    for group in offered:
        assert fr[f"method.group.{group}"] in glossary, group


#: The duty each principle starts with (the sources' verbs, kept).
DUTIES = ("Reconnaître", "Rédiger", "Tenir compte", "Construire", "Se servir", "Établir",
          "Veiller", "Garantir", "S'assurer")


@pytest.mark.parametrize("principle", method.PRINCIPLES, ids=lambda p: f"principle {p.number}")
def test_each_principle_is_a_duty_that_reads_on_its_own(principle):
    text = principle.label("fr")
    assert text.startswith(DUTIES[principle.number - 1])
    assert not re.search(r"\b(ces plans|cette représentation|ces documents)\b", text)
    english = principle.label("en")
    assert not re.search(r"\b(these plans|that shared picture|this representation)\b", english)


def test_the_promoters_prerequisite_and_the_roles_are_named():
    fr = catalogue("fr")
    assert "60 %" in fr["method.prerequisite.engagement_60"]
    assert "promoteur" in fr["method.prerequisite.engagement_60"].lower()
    assert fr["method.group.equipe_projet"] == "Équipe projet"
    assert {r.id for r in method.ROLES} == {"promoteur", "equipe_projet"}
    assert method.PRINCIPLES[6].role == "equipe_projet"


def test_an_export_speaks_the_glossary_too(tmp_path):
    """The texts of a real workbook: sheet names, headers, notes, labels."""
    import openpyxl
    from store_support import make_questionnaire, value_for

    from coopkit import exports, open_store

    with open_store(data=str(tmp_path)) as store:
        project = store.create_project("Projet", purpose="Finalité", promoter="CH")
        questionnaire = make_questionnaire()
        ws = store.open_workshop(project, questionnaire, k=1)
        for seed, group in enumerate(("personnel", "medical_soignant")):
            p = store.join(ws.code, group)
            for item in questionnaire.required_of(group):
                store.save_answer(p.token, item.id, value_for(item, seed))
            store.validate(p.token)
        store.add_proposal(project, "Une action", "personnel", feeling="peur")
        path = exports.export(store, f"project:{project}", tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    texts = [(0, name) for name in book.sheetnames]
    texts += [(0, str(cell)) for sheet in book.worksheets for row in sheet.iter_rows(
        values_only=True) for cell in row if isinstance(cell, str)]
    assert len(texts) > 50
    assert offences({"export": texts}) == []
