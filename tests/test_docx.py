"""The method's documents as Word files, read back with python-docx in French and in
English; converted to PDF by a real headless LibreOffice (Debian's
libreoffice-writer-nogui); and the same follow-up in the Excel workbook and the PDF
committee report."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest

from coopkit import cli
from coopkit.definitions.questionnaire import load
from coopkit.exports.write import export, export_docx
from coopkit.store import open_store

QUESTIONNAIRE = """\
id: docx-test
version: "1"
kind: survey
languages: [fr, en]
title: {fr: Ressentis et maturité, en: Feelings and readiness}
groups: [personnel, direction_generale, medical_soignant]
scales:
  accord:
    points:
      - {value: 1, label: {fr: Non, en: "No"}}
      - {value: 2, label: {fr: Plutôt non, en: Rather not}}
      - {value: 3, label: {fr: Plutôt oui, en: Rather yes}}
      - {value: 4, label: {fr: Oui, en: "Yes"}}
sections:
  - id: ressentis
    title: {fr: Mes ressentis, en: My feelings}
    items:
      - {id: f_attrait, type: intensity, feeling: attrait, theme: qualite,
         text: {fr: Le service sera meilleur, en: The service will be better}}
      - {id: f_peur, type: intensity, feeling: peur, theme: accompagnement,
         text: {fr: Je crains pour mes plannings, en: I fear for my rosters}}
      - {id: f_tentation, type: intensity, feeling: tentation, theme: arbitrage,
         text: {fr: Je garderais mes moyens, en: I would keep my means}}
  - id: gouvernance
    title: {fr: Gouvernance, en: Governance}
    items:
      - {id: r_tableau, type: scale, scale: accord, principles: [9],
         text: {fr: Un tableau dit qui décide quoi, en: A table says who decides what}}
      - {id: r_delegations, type: scale, scale: accord, principles: [9],
         text: {fr: Les délégations sont écrites, en: Delegations are written}}
"""
GROUPS = ["personnel"] * 3 + ["direction_generale"] * 3 + ["medical_soignant"] * 3
PARTNERS = ("CH Nord", "EHPAD Sud")
K = 3


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """A project followed after its map: T0 and T1, proposals with their history, the
    promoter's commitment, two versions of the purpose, edited plans, a matrix."""
    folder = tmp_path_factory.mktemp("docx-data")
    (folder / "q.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    q = load(folder / "q.yaml")
    with open_store(data=str(folder)) as store:
        project = store.create_project("Coopération Nord-Sud", promoter="CH Nord")
        for name in PARTNERS:
            store.add_partner(project, name)
        for wave, fear in (("T0", 5), ("T1", 2)):
            ws = store.open_workshop(project, q, wave=wave, k=K)
            for i, group in enumerate(GROUPS):
                person = store.join(ws.code, group, PARTNERS[i % 2])
                for item, value in (("f_attrait", 3 + i % 2), ("f_peur", fear - i % 2),
                                    ("f_tentation", 1 + i % 3), ("r_tableau", 1 + i % 2),
                                    ("r_delegations", 3 + i % 2)):
                    store.save_answer(person.token, item, value)
                store.validate(person.token)
        plannings = store.add_proposal(
            project, "Groupe de travail sur les plannings", "medical_soignant",
            feeling="peur", theme="accompagnement", owner="Cadre de santé",
            establishment="EHPAD Sud", statements=["f_peur"], on=date(2024, 1, 10))
        store.set_proposal_status(plannings, "accepted", by="Le promoteur",
                                  on=date(2024, 1, 18))
        store.set_proposal_status(plannings, "done", on=date(2024, 4, 2))
        fusion = store.add_proposal(project, "Fusionner les services\x0b<b>", "personnel",
                                    feeling="tentation", theme="arbitrage",
                                    on=date(2024, 1, 10))
        store.set_proposal_status(fusion, "dropped", by="Comité de pilotage",
                                  reason="Contraire à la règle des deux avis",
                                  on=date(2024, 2, 1))
        store.add_proposal(project, "Mesurer les délais", "direction_generale",
                           feeling="attrait", theme="qualite", on=date(2024, 1, 10))
        store.add_purpose_version(project, "Mutualiser les achats", drafted_on="2024-01-05")
        store.accept_purpose(project, 1, "EHPAD Sud", "2024-01-20", accepted=False,
                             by="Conseil d'administration")
        store.add_purpose_version(project, "Que chacun soit soigné près de chez lui",
                                  drafted_on="2024-02-20")
        store.accept_purpose(project, 2, "CH Nord", "2024-03-05", by="Directoire")
        store.accept_purpose(project, 2, "EHPAD Sud", "2024-03-12")
        store.add_plan_row(project, "objectifs", {"objective": "Réduire les délais",
                                                  "indicator": "Délai moyen",
                                                  "target": "10 jours", "due": "2025-06-30"})
        store.add_plan_row(project, "risques", {"risk": "Plannings imposés",
                                                "likelihood": "high", "impact": "medium",
                                                "prevention": "Groupe mixte"})
        store.add_plan_row(project, "charte", {"rule": "Aucun choix imposé sans avis",
                                               "origin": "Orienter les décisions",
                                               "protects": "Les petits établissements"})
        for name in PARTNERS:
            store.add_responsibility_actor(project, name, "partner")
        store.add_responsibility_actor(project, "Comité de pilotage")
        store.add_responsibility(project, "Choisir les fournisseurs",
                                 roles={"CH Nord": ["decides", "carries_out"],
                                        "EHPAD Sud": ["consulted"]})
        store.add_responsibility(project, "Arbitrer un désaccord",
                                 roles={"Comité de pilotage": ["informed"]})
    return folder


@pytest.fixture
def store(data):
    with open_store(data=str(data)) as opened:
        yield opened


def texts(document: docx.document.Document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.fixture(scope="module")
def french(data, tmp_path_factory) -> list[Path]:
    with open_store(data=str(data)) as store:
        return export_docx(store, "project:1", tmp_path_factory.mktemp("fr"), lang="fr")


@pytest.fixture(scope="module")
def english(data, tmp_path_factory) -> list[Path]:
    with open_store(data=str(data)) as store:
        return export_docx(store, "project:1", tmp_path_factory.mktemp("en"), lang="en")


def test_four_documents_each_open_with_the_project(french, english):
    assert [p.name for p in french] == [
        "plan-des-objectifs.docx", "plan-des-risques.docx", "charte-relationnelle.docx",
        "matrice-des-responsabilites.docx"]
    assert [p.name for p in english] == [
        "objectives-plan.docx", "risk-plan.docx", "relational-charter.docx",
        "responsibility-matrix.docx"]
    for path in french:
        body = texts(docx.Document(str(path)))
        assert "Coopération Nord-Sud" in body
        assert "Que chacun soit soigné près de chez lui" in body  # the current purpose
        assert "Version 2 du 2024-02-20 : acceptée par tous les partenaires" in body
        assert "CH Nord" in body and "EHPAD Sud" in body
        assert "Promoteur du projet : CH Nord" in body


def test_the_objectives_plan_in_french_and_english(french, english):
    doc = docx.Document(str(french[0]))
    assert doc.paragraphs[0].text == "Plan de management des objectifs"
    assert doc.core_properties.title.startswith("Plan de management des objectifs")
    assert doc.sections[0].page_width > doc.sections[0].page_height  # landscape
    rows = table_rows(doc.tables[0])
    assert rows[0] == ["Objectif", "Indicateur", "Situation de départ", "Cible",
                       "Responsable", "Échéance", "Portée par"]
    assert rows[1][:6] == ["Réduire les délais", "Délai moyen", "", "10 jours", "",
                           "2025-06-30"]
    assert "chaque groupe y pèse autant que les autres" in texts(doc)
    en = docx.Document(str(english[0]))
    assert en.paragraphs[0].text == "Objectives management plan"
    assert table_rows(en.tables[0])[0] == ["Objective", "Indicator", "Baseline", "Target",
                                           "Owner", "Due date", "Put forward by"]
    assert "every group weighs the same" in texts(en)


def test_the_risk_plan_and_the_charter(french, english):
    risks = table_rows(docx.Document(str(french[1])).tables[0])
    assert risks[0] == ["Risque", "Probabilité", "Impact", "Prévention", "Responsable",
                        "Portée par"]
    assert risks[1][:4] == ["Plannings imposés", "forte", "moyen", "Groupe mixte"]
    assert table_rows(docx.Document(str(english[1])).tables[0])[1][1:3] == ["high", "medium"]
    charter = docx.Document(str(french[2]))
    rules, signatures = charter.tables
    assert table_rows(rules)[0] == ["Règle", "D'où vient la règle", "Qui elle protège",
                                    "Portée par"]
    assert table_rows(rules)[1][:3] == ["Aucun choix imposé sans avis",
                                        "Orienter les décisions", "Les petits établissements"]
    assert [r[0] for r in table_rows(signatures)] == ["Établissement partenaire", *PARTNERS]
    assert "Engagement des partenaires" in texts(charter)
    assert charter.sections[0].page_height > charter.sections[0].page_width  # portrait
    en_rules = table_rows(docx.Document(str(english[2])).tables[0])[0]
    assert en_rules == ["Rule", "Where the rule comes from", "Whom it protects",
                        "Put forward by"]


def test_the_responsibility_matrix_and_its_check(french, english):
    doc = docx.Document(str(french[3]))
    grid = table_rows(doc.tables[0])
    assert grid[0] == ["Décision ou tâche", "Nature", "CH Nord", "EHPAD Sud",
                       "Comité de pilotage"]
    assert grid[1] == ["Choisir les fournisseurs", "décision", "D, R", "C", ""]
    assert grid[2] == ["Arbitrer un désaccord", "décision", "", "", "I"]
    body = texts(doc)
    assert "D = décide · C = est consulté · I = est informé · R = réalise" in body
    assert "Personne ne décide encore : Arbitrer un désaccord." in body
    assert "Un tableau dit qui décide quoi" in body  # the principle-9 readiness items
    en = docx.Document(str(english[3]))
    assert table_rows(en.tables[0])[1][1] == "decision"
    assert "Nobody decides yet: Arbitrer un désaccord." in texts(en)


def test_participant_text_is_written_safely(store, tmp_path):
    from coopkit.exports.docx import write_plan
    from coopkit.exports.gather import gather

    report = gather(store, "project:1")
    store.add_plan_row(1, "charte", {"rule": "Fusionner\x0b les <services>\x1f"})
    path = write_plan(gather(store, "project:1"), "charte", tmp_path / "c.docx")
    rules = table_rows(docx.Document(str(path)).tables[0])
    assert [r[0] for r in rules if "Fusionner" in r[0]] == ["Fusionner les <services>"]
    assert report.plan_rows is not None
    store.delete_plan_row(store.plan_rows(1, "charte")[-1].id)


def test_a_plan_never_edited_is_prefilled_from_the_workshop(store, tmp_path):
    from coopkit.exports import followup
    from coopkit.exports.gather import gather

    saved = store.plan_rows(1, "risques")
    store.delete_plan_row(saved[0].id)
    try:
        rows = followup.plan_rows(gather(store, "project:1"), "fr")
        risks = rows[rows["plan"] == "risques"]
        assert list(risks["risk"]) == ["Je crains pour mes plannings"]
        assert list(risks["prevention"]) == ["Groupe de travail sur les plannings"]
    finally:
        fields = saved[0].fields
        store.add_plan_row(1, "risques", fields)


@pytest.mark.slow
def test_libreoffice_converts_every_document_to_pdf(french, english, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice Writer is installed by run.sh test_env"
    for paths, title in ((french, "Plan de management des objectifs"),
                         (english, "Objectives management plan")):
        out = tmp_path / paths[0].parent.name
        done = subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
             "--convert-to", "pdf", "--outdir", str(out), *map(str, paths)],
            capture_output=True, text=True, timeout=240, check=False)
        assert done.returncode == 0, done.stderr
        pdfs = sorted(out.glob("*.pdf"))
        assert [p.stem for p in pdfs] == sorted(p.stem for p in paths), done.stdout
        first = pypdf.PdfReader(out / f"{paths[0].stem}.pdf")
        assert title in first.pages[0].extract_text()


def test_the_workbook_carries_the_same_tables(store, tmp_path):
    path = export(store, "project:1", tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(path)
    for sheet in ("Finalité commune", "Management des objectifs", "Gestion des risques",
                  "Bonnes pratiques relationnelles", "Responsabilités", "Principe 9",
                  "Engagement dans le temps", "Historique des statuts",
                  "Actions et affirmations"):
        assert sheet in book.sheetnames, book.sheetnames
    objectives = [[c.value for c in row] for row in book["Management des objectifs"].iter_rows()]
    assert objectives[0][:4] == ["Objectif", "Indicateur", "Situation de départ", "Cible"]
    assert objectives[1][0] == "Réduire les délais"
    matrix = [[c.value for c in row] for row in book["Responsabilités"].iter_rows()]
    assert matrix[1][:3] == ["Choisir les fournisseurs", "décision", "D, R"]
    history = [[c.value for c in row] for row in book["Historique des statuts"].iter_rows()]
    assert ["Fusionner les services<b>" in str(r[1]) and r[-1] for r in history
            if r[4] == "Abandonnée"] == ["Contraire à la règle des deux avis"]
    purpose = [[c.value for c in row] for row in book["Finalité commune"].iter_rows()]
    assert purpose[1][3] == "refusée par : EHPAD Sud"
    moved = [[c.value for c in row] for row in book["Actions et affirmations"].iter_rows()]
    assert moved[1][0] == "Groupe de travail sur les plannings"
    assert moved[1][-1] == "en baisse (comme espéré)"
    commitment = [[c.value for c in row] for row in book["Engagement"].iter_rows()]
    assert "Engagement non pris" in commitment[1][-1]
    note = [r[0] for r in commitment if r[0] and "Engagement non pris" in str(r[0])]
    assert note, commitment


def test_the_committee_report_shows_the_follow_up(store, tmp_path):
    path = export(store, "project:1", tmp_path / "p.pdf")
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
                    .split())
    for fragment in ("Historique de la finalité commune", "Mutualiser les achats",
                     "Engagement non pris", "Propositions abandonnées et leurs motifs",
                     "Contraire à la règle des deux avis",
                     "Propositions retenues et réalisées au fil du temps",
                     "Actions et affirmations", "Matrice des responsabilités",
                     "Personne ne décide encore"):
        assert fragment in text, fragment


def test_the_command_writes_the_documents(data, tmp_path, capsys):
    out = tmp_path / "docs"
    assert cli.main(["export", "project:1", "--format", "docx", "--out", str(out),
                     "--data", str(data), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "objectives-plan.docx", "relational-charter.docx", "responsibility-matrix.docx",
        "risk-plan.docx"]
    assert printed.count(".docx") == 4
