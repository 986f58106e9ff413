"""XLSForm import and export: round trips keep the content hash, forms written by hand
import and validate, unsupported features are explained with sheet, row and column."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from tests_helpers import BASE_QUESTIONNAIRE

from coopkit import CoopkitError, cli
from coopkit.definitions.questionnaire import load, parse
from coopkit.definitions.xlsform import (
    load_xlsform,
    parse_sheets,
    read_sheets,
    sheet,
    to_sheets,
    write_xlsform,
    write_yaml,
)
from coopkit.i18n import t

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = sorted((ROOT / "questionnaires").glob("*.yaml"))

# Every item type and every optional field, two levels of sections, an unused scale
# with "not applicable", custom and catalogue groups, a text that looks like a formula.
EVERYTHING = """\
id: tout
version: "2.3"
kind: readiness
languages: [fr, en]
title: {fr: "=Tout le format", en: Every field}
intro: {fr: Bonjour, en: Hello}
groups:
  - personnel
  - {id: externes, label: {fr: Partenaires externes, en: External partners}}
scales:
  accord:
    points:
      - {value: 1, label: {fr: Non, en: "No"}}
      - {value: 2, label: {fr: Un peu, en: A little}}
      - {value: 3, label: {fr: Oui, en: "Yes"}}
    dont_know: true
  inutile:
    points:
      - {value: -1, label: {fr: Moins, en: Less}}
      - {value: 1, label: {fr: Plus, en: More}}
    not_applicable: true
    dont_know: true
sections:
  - id: s1
    title: {fr: Première, en: First}
    intro: {fr: "+Intro", en: "@Intro"}
    items:
      - id: echelle
        type: scale
        scale: accord
        text: {fr: "-Le comité décide", en: The committee decides}
        principles: [2, 9]
        factor: portage
        weak_below: 2
        feedback: {fr: Réunissez-le, en: Gather it}
        help: {fr: Aide, en: Help}
      - id: force
        type: intensity
        max: 7
        low: {fr: Rien, en: Nothing}
        high: {fr: Beaucoup, en: A lot}
        text: {fr: Peur, en: Fear}
        feeling: peur
        theme: arbitrage
        groups: [personnel, externes]
        weak_above: 4.5
        feedback: {fr: Parlez-en, en: Talk about it}
    subsections:
      - id: s1a
        title: {fr: Sous-partie, en: Sub-part}
        items:
          - id: choix
            type: single
            required: false
            text: {fr: Choix, en: Choice}
            choices:
              - {id: "1", label: {fr: Un, en: One}, score: 1}
              - {id: b, label: {fr: B, en: B}, score: 0.25}
            feedback: {fr: Voir B, en: See B}
          - id: chiffres
            type: single
            text: {fr: Chiffres, en: Digits}
            choices:
              - {id: "1", label: {fr: Un, en: One}}
              - {id: "2", label: {fr: Deux, en: Two}}
      - id: s1b
        title: {fr: Autre sous-partie, en: Another sub-part}
        items:
          - id: miroir
            type: intensity
            text: {fr: Leur peur, en: Their fear}
            about: externes
            mirrors: force
            feedback: {fr: Comparez, en: Compare}
  - id: s2
    title: {fr: Seconde, en: Second}
    items:
      - id: plusieurs
        type: multiple
        required: false
        text: {fr: Plusieurs, en: Several}
        choices:
          - {id: x, label: {fr: "=X", en: X}}
          - {id: y, label: {fr: Y, en: Y}}
      - id: accord
        type: multiple
        text: {fr: Même nom qu'une échelle, en: Same name as a scale}
        choices:
          - {id: p, label: {fr: P, en: P}}
          - {id: q, label: {fr: Q, en: Q}}
      - id: libre
        type: text
        required: false
        text: {fr: "\\tAutre chose ?", en: "Anything else?"}
"""

FRENCH_ONLY = """\
id: seul
version: "1"
languages: [fr]
title: Français seulement
groups: [personnel, medical_soignant]
sections:
  - id: s
    title: Partie
    items:
      - {id: a, type: intensity, text: Intensité}
      - {id: b, type: text, text: Libre, required: false}
"""


def write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def round_trip(q, tmp_path: Path):
    path = write_xlsform(q, tmp_path / f"{q.id}.xlsx")
    return load_xlsform(path)


def model_codes(problems) -> list[str]:
    """Problems' codes; a model check said in spreadsheet terms gives its own code."""
    return [dict(p.params).get("model", p.code) for p in problems]


# ------------------------------------------------------------------- round trips

@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=[p.stem for p in QUESTIONNAIRES])
def test_real_questionnaires_round_trip_with_the_same_hash(path, tmp_path):
    q = load(path)
    again = round_trip(q, tmp_path)
    assert again.content_hash == q.content_hash
    assert again == q
    assert model_codes(again.warnings) == [w.code for w in q.warnings]


def test_every_item_type_and_field_round_trips(tmp_path):
    q = load(write(tmp_path, EVERYTHING))
    assert {it.type for it in q.items()} == {"scale", "intensity", "single", "multiple",
                                            "text"}
    again = round_trip(q, tmp_path)
    assert again.content_hash == q.content_hash
    assert again == q
    assert model_codes(again.warnings) == ["unused_scale"]
    assert again.warnings[0].file.endswith("[choices]") and again.warnings[0].line


@pytest.mark.parametrize("text", [BASE_QUESTIONNAIRE, FRENCH_ONLY], ids=["base", "fr-only"])
def test_small_questionnaires_round_trip(text, tmp_path):
    q = load(write(tmp_path, text))
    assert round_trip(q, tmp_path).content_hash == q.content_hash


def test_the_exported_workbook_is_a_plain_xlsform(tmp_path):
    q = load(write(tmp_path, EVERYTHING))
    book = openpyxl.load_workbook(write_xlsform(q, tmp_path / "f.xlsx"))
    assert book.sheetnames == ["survey", "choices", "settings"]
    survey = [[c.value for c in row] for row in book["survey"].iter_rows()]
    head = survey[0]
    assert head[:7] == ["type", "name", "label::Français (fr)", "label::English (en)",
                        "hint::Français (fr)", "hint::English (en)", "required"]
    types = [row[0] for row in survey[1:]]
    assert types[:4] == ["begin_group", "select_one accord", "integer", "begin_group"]
    assert types.count("begin_group") == types.count("end_group") == 4
    assert "select_multiple accord_2" in types  # an item list never hides a scale list
    row = dict(zip(head, survey[3], strict=True))
    assert row["coopkit_max"] == 7 and row["feeling"] == "peur"
    assert row["groups"] == "personnel externes"
    settings = [[c.value for c in row] for row in book["settings"].iter_rows()]
    assert dict(zip(*settings, strict=True))["form_id"] == "tout"
    # texts that look like formulas stay texts
    title = book["settings"]["C2"]
    assert title.value == "=Tout le format" and title.data_type == "s" and title.quotePrefix
    assert not any(c.data_type == "f" for ws in book for row in ws.iter_rows() for c in row)


def test_yaml_written_from_an_xlsform_loads_to_the_same_hash(tmp_path):
    q = load(write(tmp_path, EVERYTHING))
    sheets = read_sheets(write_xlsform(q, tmp_path / "f.xlsx"))
    again, mapping = parse_sheets(sheets, "f.xlsx")
    out = write_yaml(mapping, tmp_path / "back.yaml", comment="from f.xlsx")
    assert out.read_text(encoding="utf-8").startswith("# from f.xlsx\n")
    assert "Première" in out.read_text(encoding="utf-8")  # allow_unicode
    assert load(out).content_hash == q.content_hash == again.content_hash


# ------------------------------------------------------------ a form made by hand

def hand_made_form(path: Path, **changes: object) -> Path:
    """An XLSForm as a trainer would write it in Excel (KoboToolbox conventions)."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Français (fr)", "label::English (en)",
                   "hint::Français (fr)", "hint::English (en)", "required", "constraint",
                   "appearance", "feeling", "theme", "principles", "feedback::Français (fr)",
                   "feedback::English (en)"])
    rows = [
        ["begin group", "ressentis", "Ressentis", "Feelings", "Dites-nous", "Tell us",
         None, None, "field-list"],
        ["note", "bienvenue", "Bienvenue", "Welcome"],
        ["integer", "peur_perte", "Je crains de perdre mon autonomie",
         "I fear losing my autonomy", None, None, "yes", ". >= 0 and . <= 5", None,
         "peur", "arbitrage", "4, 6", "Parlons-en", "Let us talk"],
        ["begin_group", "avis", "Avis", "Opinion"],
        ["select_one accord", "accord_but", "Le but est partagé", "The purpose is shared",
         None, None, "yes", None, None, None, None, "2"],
        ["select_multiple apports", "apports", "Ce que j'attends", "What I expect",
         None, None, "no"],
        ["end group"],
        ["text", "libre", "Autre chose ?", "Anything else?"],
        ["end group"],
    ]
    for key, value in changes.items():
        r, c = key.split("_")[1:]
        while len(rows[int(r)]) <= int(c):
            rows[int(r)].append(None)
        rows[int(r)][int(c)] = value
    for row in rows:
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Français (fr)", "label::English (en)"])
    for i, (fr, en) in enumerate([("Pas du tout", "Not at all"), ("Peu", "A little"),
                                  ("Assez", "Rather"), ("Tout à fait", "Fully")], start=1):
        choices.append(["accord", i, fr, en])  # integer names, as Excel stores them
    choices.append(["accord", "dk", "Je ne sais pas", "I don't know"])
    choices.append(["apports", "competences", "Des compétences", "Skills"])
    choices.append(["apports", "moyens", "Des moyens", "Means"])
    choices.append(["coopkit_groups", "personnel", "Personnel", "Staff"])
    choices.append(["coopkit_groups", "medical_soignant", "Soignants", "Carers"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version", "form_title", "form_title::English (en)",
                     "default_language"])
    settings.append(["atelier_main", 2024051501, "Atelier", "Workshop", "Français (fr)"])
    book.save(path)
    return path


def test_a_hand_made_form_imports_and_validates(tmp_path):
    q = load_xlsform(hand_made_form(tmp_path / "form.xlsx"))
    assert (q.id, q.version, q.title.fr, q.title.en) == (
        "atelier_main", "2024051501", "Atelier", "Workshop")
    assert q.languages == ("fr", "en")
    assert [(s.id, [sub.id for sub in s.subsections]) for s in q.sections] == [
        ("ressentis", ["avis"])]
    assert [(it.id, it.type) for it in q.items()] == [
        ("peur_perte", "intensity"), ("libre", "text"), ("accord_but", "scale"),
        ("apports", "multiple")]
    peur = q.item("peur_perte")
    assert (peur.max, peur.feeling, peur.principles, peur.required) == (5, "peur", (4, 6), True)
    assert peur.feedback.en == "Let us talk"
    assert q.sections[0].intro.fr == "Dites-nous"
    scale = q.item("accord_but").scale
    assert scale.values == (1, 2, 3, 4) and scale.dont_know and not scale.not_applicable
    assert q.item("libre").required is False
    assert [g.label.en for g in q.groups] == ["Staff", "Carers"]
    codes = sorted(w.code for w in q.warnings)
    assert codes == ["xlsform_ignored_column", "xlsform_item_after_subgroup",
                     "xlsform_skipped_type"]
    note = next(w for w in q.warnings if w.code == "xlsform_skipped_type")
    assert note.location() == f"{tmp_path / 'form.xlsx'}[survey]:3"
    # answers are checked by the questionnaire the form became
    assert q.check_answer("accord_but", "dk") == "dk"
    assert q.check_answer("apports", ["moyens", "competences"]) == ["competences", "moyens"]
    with pytest.raises(CoopkitError):
        q.check_answer("peur_perte", 6)


# (name, changes to the hand-made form, code, sheet, row, column)
UNSUPPORTED = [
    ("geopoint", {"r_2_0": "geopoint"}, "xlsform_unsupported_type", "survey", 4, "type"),
    ("image", {"r_7_0": "image"}, "xlsform_unsupported_type", "survey", 9, "type"),
    ("repeat", {"r_3_0": "begin_repeat"}, "xlsform_unsupported_type", "survey", 5, "type"),
    ("calculate", {"r_7_0": "calculate"}, "xlsform_unsupported_type", "survey", 9, "type"),
    ("or_other", {"r_4_0": "select_one accord or_other"}, "xlsform_unsupported_type",
     "survey", 6, "type"),
    ("relevant", {"r_5_7": "${peur_perte} > 2"}, "xlsform_unsupported_column", "survey", 7,
     "constraint"),
    ("constraint", {"r_2_7": "regex(., '^[0-9]+$')"}, "xlsform_unsupported_column", "survey",
     4, "constraint"),
    ("no maximum", {"r_2_7": None}, "xlsform_integer_max", "survey", 4, "coopkit_max"),
    ("unknown list", {"r_4_0": "select_one acord"}, "xlsform_unknown_list", "survey", 6,
     "type"),
    ("required condition", {"r_4_6": "${peur_perte} > 1"}, "xlsform_bad_required", "survey",
     6, "required"),
    ("unclosed group", {"r_8_0": None, "r_8_1": "x"}, "xlsform_unclosed_group", "survey", 2,
     "name"),
    ("end without begin", {"r_0_0": "text"}, "xlsform_unmatched_end", "survey", 10, "type"),
    ("empty type", {"r_7_0": None}, "xlsform_missing_cell", "survey", 9, "type"),
]


@pytest.mark.parametrize(("name", "changes", "code", "sheet_name", "row", "column"),
                         UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
def test_unsupported_features_name_sheet_row_column_and_fix(
        tmp_path, name, changes, code, sheet_name, row, column):
    path = hand_made_form(tmp_path / "form.xlsx", **changes)
    with pytest.raises(CoopkitError) as err:
        load_xlsform(path)
    found = [p for p in err.value.problems if p.code == code]
    assert found, err.value.format()
    p = found[0]
    params = dict(p.params)
    assert (params["sheet"], params["row"], params["column"]) == (sheet_name, row, column)
    assert p.location() == f"{path}[{sheet_name}]:{row}"
    text = p.format()
    assert f"Feuille {sheet_name}, ligne {row}" in text
    assert "Feuille" not in p.format("en") and f"Sheet {sheet_name}, row {row}" in p.format("en")


def test_unsupported_media_column_and_deep_groups():
    survey = sheet("survey", ["type", "name", "label", "media::image::English (en)"], [
        ["begin_group", "a", "A"], ["begin_group", "b", "B"], ["begin_group", "c", "C"],
        ["text", "t", "T", "photo.png"],
        ["end_group"], ["end_group"], ["end_group"]])
    settings = sheet("settings", ["form_id", "version", "form_title"], [["f", "1", "F"]])
    with pytest.raises(CoopkitError) as err:
        parse_sheets({"survey": survey, "settings": settings}, "f.xlsx")
    codes = {(p.code, p.line) for p in err.value.problems}
    assert ("xlsform_too_deep", 4) in codes
    assert ("xlsform_unsupported_column", 5) in codes
    media = next(p for p in err.value.problems if p.code == "xlsform_unsupported_column")
    assert "'photo.png'" in media.format()


def test_model_errors_point_to_the_sheet_and_row():
    survey = sheet("survey", ["type", "name", "label", "feeling", "coopkit_max"], [
        ["begin_group", "s", "S"],
        ["integer", "a", "A", "peurr", 5],
        ["select_one oui_non", "b", "B"],
        ["end_group"]])
    choices = sheet("choices", ["list_name", "name", "label", "score"], [
        ["oui_non", "oui", "Oui", 1], ["oui_non", "non", "Non", 3]])
    settings = sheet("settings", ["form_id", "version", "form_title"], [["f", "1", "F"]])
    with pytest.raises(CoopkitError) as err:
        parse_sheets({"survey": survey, "choices": choices, "settings": settings}, "f.xlsx")
    lines = err.value.format().splitlines()
    assert any(ln.startswith("f.xlsx[survey]:3: ") and "'peurr'" in ln and "peur" in ln
               for ln in lines), lines
    assert any(ln.startswith("f.xlsx[choices]:3: ") and "3" in ln for ln in lines), lines


def test_an_integer_named_list_is_a_scale_unless_marked_no():
    def form(mark: str | None):
        survey = sheet("survey", ["type", "name", "label"], [
            ["begin_group", "s", "S"], ["select_one l", "a", "A"], ["end_group"]])
        head = ["list_name", "name", "label", "coopkit_scale"]
        choices = sheet("choices", head, [["l", 1, "Un", mark], ["l", 2, "Deux", mark],
                                          ["l", "na", "Sans objet", mark]])
        return parse_sheets({"survey": survey, "choices": choices}, "demo-form.xlsx")[0]

    q = form(None)
    assert q.id == "demo-form" and q.title.fr == "demo-form"  # pyxform's defaults
    assert q.item("a").type == "scale" and q.item("a").scale.not_applicable
    assert form("no").item("a").type == "single"
    assert [c.id for c in form("no").item("a").choices] == ["1", "2", "na"]


def test_a_file_that_is_not_xlsx_is_explained(tmp_path):
    bad = write(tmp_path, "type,name\n", "form.xlsx")
    with pytest.raises(CoopkitError) as err:
        load_xlsform(bad)
    assert err.value.codes == ["xlsform_unreadable"]
    assert "Classeur Excel (.xlsx)" in err.value.format()
    with pytest.raises(CoopkitError) as err:
        load_xlsform(tmp_path / "missing.xlsx")
    assert err.value.codes == ["file_not_found"]


def test_a_workbook_without_survey_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "questions"
    book.save(tmp_path / "f.xlsx")
    with pytest.raises(CoopkitError) as err:
        load_xlsform(tmp_path / "f.xlsx")
    assert "xlsform_missing_sheet" in err.value.codes
    assert "questions" in err.value.format()


def test_to_sheets_is_pure_and_lists_the_languages():
    q = parse(_mapping(FRENCH_ONLY))
    sheets = to_sheets(q)
    assert sheets["survey"][0] == ["type", "name", "label::Français (fr)", "required",
                                   "coopkit_max"]
    assert sheets["choices"][1][:3] == ["coopkit_groups", "personnel",
                                        t("method.group.personnel", "fr")]


def _mapping(text: str) -> dict:
    import yaml

    return yaml.safe_load(text)


# ---------------------------------------------------------------------------- CLI

def test_cli_import_then_export(tmp_path, capsys):
    form = hand_made_form(tmp_path / "form.xlsx")
    out = tmp_path / "atelier.yaml"
    assert cli.main(["import-xlsform", str(form), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert str(out) in captured.out and "xlsform_skipped" not in captured.err
    assert "[survey]:3" in captured.err  # the skipped note, as a warning
    q = load(out)
    assert q.id == "atelier_main"
    back = tmp_path / "back.xlsx"
    assert cli.main(["export-xlsform", str(out), "--out", str(back), "--lang", "en"]) == 0
    assert str(back) in capsys.readouterr().out
    assert load_xlsform(back).content_hash == q.content_hash


def test_cli_import_of_a_broken_form_exits_1_without_traceback(tmp_path, capsys):
    form = hand_made_form(tmp_path / "form.xlsx", r_2_0="geopoint")
    out = tmp_path / "x.yaml"
    assert cli.main(["import-xlsform", str(form), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "geopoint" in err and "[survey]:4" in err and "Traceback" not in err
    assert not out.exists()


def test_a_hand_made_form_is_answered_through_the_participant_form(tmp_path):
    from coopkit.participant.form import FormWidget
    from coopkit.store import open_store

    q = load_xlsform(hand_made_form(tmp_path / "form.xlsx"))
    chosen = {"peur_perte": 4, "libre": "=2+2 en papier", "accord_but": "dk",
              "apports": ["moyens"]}
    with open_store(f"sqlite:///{tmp_path / 'coopkit.sqlite'}") as store:
        project = store.create_project("Atelier XLSForm")
        workshop = store.open_workshop(project, q, k=1)
        person = store.join(workshop.code, "medical_soignant")
        form = FormWidget(q, store, person.token, group="medical_soignant")
        for index in range(len(form.pages)):
            assert form.page == index
            for w in form.page_widgets():
                w.value = chosen[w.item.id]
            (form.finish_button if index == len(form.pages) - 1 else form.next_button).click()
        assert form.pending == {} and form.missing() == []
        assert store.validate(person.token).validated
        assert store.answers(person.token) == chosen
        frame = store.answers_frame(workshop.id)
    assert set(frame["section_id"]) == {"ressentis"}
    assert frame.set_index("item_id").loc["peur_perte", "feeling"] == "peur"


# ----------------------------------------------- pyxform's reading rules, by hand

def _book(path: Path, survey: list[list[object]], choices: list[list[object]] | None = None,
          settings: list[list[object]] | None = None, *, names=("survey", "choices",
                                                                  "settings")) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in zip(names, (survey, choices, settings), strict=True):
        if rows is None:
            continue
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def test_headers_in_any_case_and_pyxforms_aliases_import(tmp_path):
    path = _book(tmp_path / "f.xlsx", [
        ["TYPE", "Name", "LABEL::Français (fr)", "Label::English (en)", "Coopkit Max"],
        ["Begin Group", "s", "Section", "Section"],
        ["select one from accord", "a", "D'accord ?", "Agree?"],
        ["int", "b", "Intensité", "Intensity", 5],
        ["string", "c", "Texte", "Text"],
        ["END GROUP"]],
        [["LIST NAME", "value", "caption::Français (fr)", "caption::English (en)"],
         ["accord", "oui", "Oui", "Yes"], ["accord", "non", "Non", "No"]],
        [["Set_Form_Title", "FORM_ID"], ["Atelier bilingue", "Atelier"]],
        names=("SURVEY", "Choices", "Settings"))
    q = load_xlsform(path)
    assert [(it.id, it.type) for it in q.items()] == [("a", "single"), ("b", "intensity"),
                                                      ("c", "text")]
    assert q.item("b").max == 5 and [c.label.en for c in q.item("a").choices] == ["Yes", "No"]
    # one form_title, XLSForm's way, titles every language; the id is made coopkit's
    assert (q.id, q.title.fr, q.title.en) == ("atelier", "Atelier bilingue", "Atelier bilingue")


def test_a_bilingual_form_with_one_title_and_questions_outside_groups(tmp_path):
    path = _book(tmp_path / "f.xlsx", [
        ["type", "name", "label::Français (fr)", "label::English (en)"],
        ["text", "t", "Remarque", "Remark"]],
        None, [["form_title", "form_id"], ["Un titre", "f"]])
    q = load_xlsform(path)
    assert q.languages == ("fr", "en") and q.title.en == "Un titre"
    section = q.sections[0]  # made by coopkit: titled in both languages
    assert (section.title.fr, section.title.en) == ("Questions", "Questions")


def test_a_formula_without_a_saved_value_is_named_not_read_as_text(tmp_path):
    path = _book(tmp_path / "f.xlsx", [
        ["type", "name", "label"], ["begin_group", "s", "S"],
        ["text", "=LOWER(\"ABC\")", "Texte"], ["end_group"]])  # openpyxl saves no value
    with pytest.raises(CoopkitError) as err:
        load_xlsform(path)
    problem_ = next(p for p in err.value.problems if p.code == "xlsform_formula_without_value")
    assert problem_.line == 3 and dict(problem_.params)["column"] == "name"
    assert "=LOWER" in problem_.format() and "LibreOffice" in problem_.format()


def test_reading_stops_after_sixty_empty_rows_and_says_so(tmp_path):
    rows = [["type", "name", "label"], ["begin_group", "s", "S"], ["text", "t", "T"],
            ["end_group"], *[[None]] * 70, ["text", "late", "Trop bas"]]
    q = load_xlsform(_book(tmp_path / "f.xlsx", rows))
    assert [it.id for it in q.items()] == ["t"]  # as ODK reads it
    stop = next(w for w in q.warnings if w.code == "xlsform_stopped")
    assert stop.line == 65 and "60" in stop.format()


def test_a_label_only_in_a_language_coopkit_lacks_is_named(tmp_path):
    path = _book(tmp_path / "f.xlsx", [
        ["type", "name", "label::Français (fr)", "label::Español (es)"],
        ["begin_group", "s", "Section", "Sección"],
        ["text", "a", "Texte", "Texto"], ["text", "b", None, "Solo en español"],
        ["end_group"]])
    with pytest.raises(CoopkitError) as err:
        load_xlsform(path)
    found = [p for p in err.value.problems if p.code == "xlsform_foreign_label"]
    assert [p.line for p in found] == [4]
    assert "label::Español (es)" in found[0].format() and "label::Français (fr)" in \
        found[0].format()
    assert not [p for p in err.value.problems if p.code == "xlsform_model"]


def test_two_spellings_of_one_column_are_refused(tmp_path):
    path = _book(tmp_path / "f.xlsx", [["type", "name", "label", "Label"],
                                       ["text", "t", "T", "U"]])
    with pytest.raises(CoopkitError) as err:
        load_xlsform(path)
    dup = next(p for p in err.value.problems if p.code == "xlsform_duplicate_column")
    assert "« label » et « Label »" in dup.format()


def test_many_rows_with_one_problem_make_one_message(tmp_path):
    rows = [["type", "name", "label", "relevant"], ["begin_group", "s", "S"],
            *[["text", f"t{i}", "T", "${x} = 1"] for i in range(30)], ["end_group"]]
    with pytest.raises(CoopkitError) as err:
        load_xlsform(_book(tmp_path / "f.xlsx", rows))
    assert err.value.codes == ["xlsform_unsupported_column_rows"]
    assert "30 lignes : 3, 4, 5" in err.value.format()


# (a row of the survey sheet, the column the message must name, words it must say)
MODEL_ERRORS = [
    (["integer", "a", None, 5], "label", "la cellule est vide"),
    (["integer", "a", "A", 130], "coopkit_max", "130 n'est pas un maximum possible"),
    (["integer", "a", "A", 5, "peurr"], "feeling", "vouliez-vous dire « peur »"),
    (["integer", "Mon Nom", "A", 5], "name", "'Mon Nom' n'est pas un nom possible"),
    (["integer", "a", "A", 5, None, "12"], "principles", "principe inconnu 12"),
]


@pytest.mark.parametrize(("row", "column", "said"), MODEL_ERRORS,
                         ids=[m[1] for m in MODEL_ERRORS])
def test_the_models_checks_are_said_in_spreadsheet_terms(row, column, said):
    survey = sheet("survey", ["type", "name", "label", "coopkit_max", "feeling", "principles"],
                   [["begin_group", "s", "S"], row, ["end_group"]])
    settings = sheet("settings", ["form_id", "form_title"], [["f", "F"]])
    with pytest.raises(CoopkitError) as err:
        parse_sheets({"survey": survey, "settings": settings}, "f.xlsx")
    p = next(p for p in err.value.problems if p.line == 3)
    text = p.format()
    assert text.startswith(f"f.xlsx[survey]:3: Feuille survey, ligne 3, colonne « {column} » :")
    assert said in text, text
    assert not re.search(r"sections\[|items\[|Ajoutez « |\bvaut\b", text), text
    assert f"Sheet survey, row 3, column \"{column}\"" in p.format("en")
