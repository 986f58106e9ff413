"""Exports: the Excel workbook, the CSV of the raw answers and the PDF report, read back
with openpyxl, csv and pypdf; masking under k and formula escaping are checked in the
files themselves."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pypdf
import pytest

from coopkit import CoopkitError, cli
from coopkit.definitions.questionnaire import load
from coopkit.exports.csvfile import write_csv
from coopkit.exports.gather import gather, resolve
from coopkit.exports.tables import answers_table, tables
from coopkit.exports.write import export
from coopkit.i18n import t
from coopkit.store import open_store

QUESTIONNAIRE = """\
id: export-test
version: "1"
kind: survey
languages: [fr, en]
title: {fr: Ressentis et maturité, en: Feelings and readiness}
groups: [personnel, direction_generale, elus_population, usager_patient]
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
         text: {fr: Je crains pour mon poste, en: I fear for my job}}
      - {id: f_tentation, type: intensity, feeling: tentation, theme: arbitrage,
         text: {fr: Je garderais mes moyens, en: I would keep my means}}
  - id: gouvernance
    title: {fr: Gouvernance du projet, en: Project governance}
    items:
      - id: r_comite
        type: scale
        scale: accord
        principles: [2, 9]
        text: {fr: Le comité des directeurs se réunit, en: The directors' committee meets}
        feedback: {fr: Réunissez le comité chaque mois, en: Gather the committee monthly}
      - id: r_regles
        type: scale
        scale: accord
        principles: [9]
        text: {fr: Les règles de décision sont écrites, en: Decision rules are written}
        feedback: {fr: Écrivez les règles de décision, en: Write the decision rules}
      - id: c_choix
        type: single
        text: {fr: Le calendrier convient, en: The schedule suits}
        choices:
          - {id: oui, label: {fr: Oui, en: "Yes"}, score: 1}
          - {id: non, label: {fr: Non, en: "No"}, score: 0}
      - id: m_sujets
        type: multiple
        required: false
        text: {fr: Sujets à traiter, en: Topics}
        choices:
          - {id: achats, label: {fr: Achats, en: Purchasing}}
          - {id: si, label: {fr: Informatique, en: IT}}
      - {id: t_libre, type: text, required: false,
         text: {fr: "Autre chose ?", en: "Anything else?"}}
"""

# group, establishment, free text (several look like formulas). With k = 3, the two
# elected officials and the one user are under k: hidden together (3 people), nothing
# else needs hiding with them. Among personnel, EHPAD Sud (1) and CH Est (2) are under k:
# masked together (3), CH Nord (3) stays shown.
PEOPLE = [
    ("personnel", "CH Nord", '=HYPERLINK("http://evil.example","clic")'),
    ("personnel", "CH Nord", "+33 6 12 34 56 78"),
    ("personnel", "CH Nord", "-2 postes"),
    ("personnel", "EHPAD Sud", "@SUM(A1:A9)"),  # alone from EHPAD Sud in its group
    ("direction_generale", "CH Nord", "\tavec une tabulation"),
    ("direction_generale", "CH Nord", "Rien à signaler"),
    ("direction_generale", "CH Nord", "\rretour chariot"),
    ("elus_population", "EHPAD Sud", "Les élus hésitent"),  # a group of 2 < k = 3
    ("elus_population", "EHPAD Sud", "Ok"),
    ("usager_patient", "CH Nord", "Un usager"),  # alone in its group
    ("personnel", "CH Est", "Deux à l'est"),
    ("personnel", "CH Est", "Rien"),
]
K = 3
ACTION_FORMULA = "=cmd|' /C calc'!A0"


def _answers(i: int, wave: str) -> dict[str, object]:
    shift = 1 if wave == "T1" else 0
    return {"f_attrait": (i + 2 + shift) % 6, "f_peur": (5 - i - shift) % 6,
            "f_tentation": i % 3, "r_comite": 1 + (i + shift) % 4, "r_regles": 1 + i % 2,
            "c_choix": "oui" if i % 3 else "non", "m_sujets": ["achats", "si"][: 1 + i % 2]}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """A data folder with one project: the same questionnaire at T0 and T1."""
    folder = tmp_path_factory.mktemp("data")
    (folder / "q.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    q = load(folder / "q.yaml")
    with open_store(data=str(folder)) as store:
        project = store.create_project("Coopération =Nord", "Garder un service de proximité",
                                       "CH Nord")
        for name in ("CH Nord", "EHPAD Sud", "CH Est"):
            store.add_partner(project, name)
        for wave in ("T0", "T1"):
            ws = store.open_workshop(project, q, wave=wave, k=K)
            store.set_workshop_settings(ws.id, show_tendencies=True)  # off by default
            for i, (group, place, text) in enumerate(PEOPLE):
                person = store.join(ws.code, group, place)
                for item_id, value in _answers(i, wave).items():
                    store.save_answer(person.token, item_id, value)
                store.save_answer(person.token, "t_libre", text if wave == "T0" else "ok")
                store.validate(person.token)
        for text, group, status in [(ACTION_FORMULA, "personnel", "done"),
                                    ("Écrire la charte", "direction_generale", "done"),
                                    ("Réunir le comité", "direction_generale", "done"),
                                    ("Former les agents", "personnel", "proposed"),
                                    ("Fusionner les services", "elus_population", "dropped")]:
            store.add_proposal(project, text, group, feeling="peur", status=status,
                               reason="Hors du périmètre" if status == "dropped" else None)
    return folder


@pytest.fixture
def store(data):
    with open_store(data=str(data)) as opened:
        yield opened


def workshop_code(store, wave: str = "T0") -> str:
    return next(w.code for w in store.workshops() if w.wave == wave)


def rows_of(ws) -> list[dict[str, object]]:
    """The table of a sheet: the rows under the header, up to the first empty one (the
    sheet's note comes after it)."""
    values = list(ws.iter_rows(values_only=True))
    header, rows = values[0], []
    for row in values[1:]:
        if not any(v is not None for v in row):
            break
        rows.append(dict(zip(header, row, strict=True)))
    return rows


# -------------------------------------------------------------------------- target

def test_targets_resolve_by_code_id_or_name(store):
    code = workshop_code(store)
    ws_id = next(w.id for w in store.workshops() if w.code == code)
    assert resolve(store, code) == ("workshop", ws_id)
    assert resolve(store, code.lower()[:3] + "-" + code.lower()[3:]) == ("workshop", ws_id)
    assert resolve(store, f"workshop:{ws_id}") == ("workshop", ws_id)
    assert resolve(store, "project:1") == resolve(store, "Coopération =Nord") == ("project", 1)
    with pytest.raises(CoopkitError) as err:
        resolve(store, "project:99")
    assert err.value.codes == ["export_unknown_target"]
    assert "project:N" in err.value.format()


# ---------------------------------------------------------------------------- Excel

@pytest.fixture(scope="module")
def workbook(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "projet.xlsx"
    with open_store(data=str(data)) as store:
        export(store, "project:1", out)
    return openpyxl.load_workbook(out)


def test_workbook_has_one_sheet_per_analysis_in_french(workbook):
    assert workbook.sheetnames == [
        "Synthèse", "Participation", "Réponses", "Scores par section", "Scores par principe",
        "Recommandations", "Carte des ressentis", "Tendances", "Divergences", "Actions",
        "Engagement", "T0 et T1",
        # the follow-up (no action names a statement here: no « Actions et affirmations »)
        "Finalité commune", "Management des objectifs", "Gestion des risques",
        "Bonnes pratiques relationnelles",
        "Responsabilités", "Principe 9", "Engagement dans le temps", "Historique des statuts"]
    answers = rows_of(workbook["Réponses"])
    assert list(answers[0])[:7] == ["Séance", "Vague", "Questionnaire", "Participant (n°)",
                                    "Groupe", "Établissement", "Validé"]
    assert len(answers) == 2 * len(PEOPLE) * 8
    assert {r["Vague"] for r in answers} == {"T0", "T1"}
    assert workbook["Réponses"].freeze_panes == "A2"


def test_raw_answers_mask_small_groups_and_small_establishments(workbook):
    hidden = t("export.masked", k=K)
    answers = rows_of(workbook["Réponses"])
    by_person = {r["Participant (n°)"]: (r["Groupe"], r["Établissement"]) for r in answers}
    seen = sorted(set(by_person.values()), key=str)
    assert (hidden, hidden) in seen  # the two elected officials
    assert (t("method.group.personnel"), hidden) in seen  # alone from EHPAD Sud
    assert (t("method.group.personnel"), "CH Nord") in seen
    assert (t("method.group.direction_generale"), "CH Nord") in seen
    assert not any(g == t("method.group.elus_population") for g, _ in seen)
    assert not any(e == "EHPAD Sud" for _, e in seen)


def test_participant_text_is_never_a_formula(workbook):
    texts = {c.value: c for ws in workbook for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)}
    for _, _, text in PEOPLE[:5]:
        cell = texts[text.replace("\r", "")] if text.startswith("\r") else texts[text]
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert texts[ACTION_FORMULA].data_type == "s" and texts[ACTION_FORMULA].quotePrefix
    assert texts["Coopération =Nord"].data_type == "s"
    assert not any(c.data_type == "f" for ws in workbook for row in ws.iter_rows()
                   for c in row)


def test_analysis_sheets_keep_the_masking_of_the_frames(workbook):
    hidden = t("export.masked", k=K)
    elus = t("method.group.elus_population")
    participation = rows_of(workbook["Participation"])
    small = [r for r in participation if r["Groupe"] == elus]
    assert len(small) == 2 and all(r["Participants"] is None and r["Validé"] is None
                                   and r["Statut"] == hidden for r in small)
    total = next(r for r in participation if r["Groupe"] == t("export.total"))
    assert total["Participants"] == len(PEOPLE)
    fmap = rows_of(workbook["Carte des ressentis"])
    assert {r["Intensité"] for r in fmap if r["Groupe"] == elus} == {None}
    # 3 of the 9 cells are asked here, but a hidden group never says "no answer"
    assert {r["Statut"] for r in fmap if r["Groupe"] == elus} == {hidden}
    assert t("export.status.empty") in {r["Statut"] for r in fmap}  # visible groups do
    shown = [r for r in fmap if r["Groupe"] == t("method.group.personnel")
             and r["Statut"] == "ok"]
    assert shown and all(0 <= r["Intensité"] <= 1 for r in shown)
    pct = workbook["Carte des ressentis"]
    header = [c.value for c in pct[1]]
    col = header.index("Intensité") + 1
    assert any(pct.cell(r, col).number_format == "0%" for r in range(2, pct.max_row + 1))
    tend = rows_of(workbook["Tendances"])
    assert {r["Lecture"] for r in tend if r["Groupe"] == elus} == {None}
    assert {r["Confiance"] for r in tend} == {None}  # no trust statement: not measured
    hidden_groups = {elus, t("method.group.usager_patient")}  # pooled: 2 + 1 = k
    assert {r["Lecture"] for r in tend if r["Groupe"] in hidden_groups} == {None}
    assert {r["Lecture"] for r in tend if r["Groupe"] not in hidden_groups} == {
        "confiance non mesurée : tendance non lue"}
    scores = rows_of(workbook["Scores par section"])
    assert {r["Section"] for r in scores} >= {"Gouvernance du projet"}
    assert any(r["Groupe"] == t("export.everyone") and r["Score"] is not None for r in scores)
    waves = rows_of(workbook["T0 et T1"])
    assert {r["Statut"] for r in waves if r["Groupe"] == elus} == {hidden}


def test_actions_and_commitment_sheets(workbook):
    actions = rows_of(workbook["Actions"])
    assert [a["Action proposée"] for a in actions][:2] == [ACTION_FORMULA, "Écrire la charte"]
    assert {a["Plan"] for a in actions} == {t("method.plan.risques")}
    commitment = rows_of(workbook["Engagement"])
    overall = commitment[0]
    assert overall["Proposée par"] == t("export.everyone")
    assert (overall["Propositions"], overall["Réalisées"]) == (5, 3)
    assert overall["Part réalisée"] == pytest.approx(0.6)
    assert overall["Engagement tenu"] == "oui"


def test_workbook_in_english(store, tmp_path):
    out = export(store, workshop_code(store, "T1"), tmp_path / "w.xlsx", lang="en")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:3] == ["About", "Participation", "Answers"]
    assert "T0 and T1" in book.sheetnames  # the earlier wave is found for the comparison
    answers = rows_of(book["Answers"])
    assert {r["Wave"] for r in answers} == {"T1"}
    assert "Group" in answers[0] and t("export.masked", "en", k=K) in {
        r["Group"] for r in answers}


# ------------------------------------------------------------------------------ CSV

def test_csv_has_a_bom_escapes_formulas_and_masks(store, tmp_path):
    out = export(store, workshop_code(store), tmp_path / "r.csv", fmt="csv", sep=";")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == len(PEOPLE) * 8
    values = {r["Réponse (valeur)"] for r in rows if r["Code question"] == "t_libre"}
    assert "'" + PEOPLE[0][2] in values and "'+33 6 12 34 56 78" in values
    assert "'-2 postes" in values and "'@SUM(A1:A9)" in values
    assert "'\tavec une tabulation" in values and " retour chariot" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    intensities = {r["Réponse (valeur)"] for r in rows if r["Code question"] == "f_peur"}
    assert intensities <= set("012345")  # numbers stay numbers
    scores = {r["Score"] for r in rows if r["Code question"] == "r_comite"}
    assert any("," in s for s in scores)  # decimal comma with ";"
    hidden = t("export.masked", k=K)
    assert {r["Groupe"] for r in rows} == {hidden, t("method.group.personnel"),
                                          t("method.group.direction_generale")}
    assert "EHPAD Sud" not in raw.decode("utf-8-sig")


def test_csv_with_commas_and_the_pure_table(store, tmp_path):
    report = gather(store, "project:1")
    table = answers_table(report, "en")
    assert list(table.frame.columns)[:3] == ["Workshop", "Wave", "Questionnaire"]
    out = write_csv(report, tmp_path / "r.csv", "en")
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Workshop,Wave,Questionnaire,Participant")
    with pytest.raises(CoopkitError):
        write_csv(report, tmp_path / "x.csv", sep="|")
    assert [tb.key for tb in tables(report)][:3] == ["about", "participation", "answers"]


# ------------------------------------------------------------------------------ PDF

def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture(scope="module")
def report_text(data, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("pdf") / "rapport.pdf"
    with open_store(data=str(data)) as store:
        export(store, "project:1", out)
    return pdf_text(out)


def test_pdf_report_has_every_part_in_french(report_text):
    text = report_text
    for needle in ("Rapport au comité de pilotage", "Coopération =Nord",
                   "Garder un service de proximité", "Participation par groupe",
                   "Carte des ressentis", "Tendances des groupes", "Préparation par section",
                   "Principales recommandations", "Réunissez le comité chaque mois",
                   "Questions à mettre à l'ordre du jour", "Plan d'action",
                   ACTION_FORMULA, "Engagement du promoteur", "Évolution",
                   "CH Nord; EHPAD Sud"):
        assert needle in text, needle


def test_pdf_report_masks_small_groups(report_text):
    hidden = t("export.masked", k=K)
    elus = t("method.group.elus_population")
    assert f"{elus} {hidden} {hidden}" in report_text  # participation: no count shown
    assert "Les élus hésitent" not in report_text  # no free text in the report


def test_tendencies_are_left_out_unless_turned_on(data, tmp_path):
    """Off by default: no tendency sheet, no tendency page, until the consultant turns
    them on for the workshop."""
    folder = tmp_path / "copy"
    shutil.copytree(data, folder)
    with open_store(data=str(folder)) as store:
        for ws in store.workshops():
            store.set_workshop_settings(ws.id, show_tendencies=False)
        book = openpyxl.load_workbook(export(store, "project:1", tmp_path / "p.xlsx"))
        text = pdf_text(export(store, "project:1", tmp_path / "p.pdf"))
    assert "Tendances" not in book.sheetnames and "Carte des ressentis" in book.sheetnames
    assert "Tendances des groupes" not in text and "Vers quoi penchent" not in text
    assert "Carte des ressentis" in text


def test_pdf_report_in_english_for_one_workshop(store, tmp_path):
    out = export(store, workshop_code(store, "T1"), tmp_path / "r.pdf", lang="en")
    text = pdf_text(out)
    assert "Report to the steering committee" in text and "Feelings map" in text
    assert "Change" in text  # T0 against T1, found from the T1 workshop
    assert "Rapport au comité" not in text


# ------------------------------------------------------------------------------ CLI

def test_cli_export_each_format(data, tmp_path, capsys):
    with open_store(data=str(data)) as store:
        code = workshop_code(store)
    out = tmp_path / "a.csv"
    assert cli.main(["export", code, "--out", str(out), "--data", str(data), "--sep",
                     ";"]) == 0
    assert str(out) in capsys.readouterr().out and out.read_bytes().startswith(b"\xef\xbb")
    out = tmp_path / "report"
    assert cli.main(["export", "project:1", "--format", "xlsx", "--out", str(out),
                     "--data", str(data)]) == 0
    with out.open("rb") as handle:
        assert openpyxl.load_workbook(handle).sheetnames[0] == "Synthèse"
    assert cli.main(["export", "nothing", "--out", str(tmp_path / "x.pdf"),
                     "--data", str(data)]) == 1
    assert "nothing" in capsys.readouterr().err
    assert cli.main(["export", code, "--out", str(tmp_path / "x.doc"),
                     "--data", str(data)]) == 1
    assert "xlsx, csv, pdf" in capsys.readouterr().err
