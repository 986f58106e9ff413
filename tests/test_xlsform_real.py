"""Real public XLSForms (tests/data/xlsforms, sources in its README): each imports, or is
refused with messages that name the unsupported feature in spreadsheet terms.

Table-driven: one row per form, with what it must give. Every message of every form is
also checked for what a spreadsheet's author cannot act on: YAML paths
(``sections[0].items[2]``), YAML advice (« Ajoutez « text: … » »), one « Traduction
manquante » per text. How long each form takes is printed by
``benchmarks/xlsform_real.py`` (no timed assertion here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coopkit import CoopkitError, cli
from coopkit.definitions.xlsform import load_xlsform

FORMS = Path(__file__).resolve().parent / "data" / "xlsforms"


@dataclass(frozen=True)
class Expect:
    """What a form gives: ``items`` (ids) when it imports; else ``named``: problem code
    -> a text its message must contain (the feature, in the file's own words)."""

    items: tuple[str, ...] = ()
    named: dict[str, str] = field(default_factory=dict)
    absent: tuple[str, ...] = ()  # codes that must not appear


EXPECTED: dict[str, Expect] = {
    "pyxform_case_insensitivity.xlsx": Expect(
        named={"xlsform_unsupported_type": "'osm c1'", "xlsform_no_french": "LABEL::EN",
               "xlsform_form_id": "'YesNo'"},
        absent=("xlsform_missing_column", "xlsform_missing_sheet", "xlsform_missing_cell")),
    "pyxform_text_and_integer.xlsx": Expect(
        named={"xlsform_no_french": "label:english", "xlsform_integer_max": "integer"},
        absent=("xlsform_missing_translations", "xlsform_missing_cell")),
    "pyxform_xl_date_ambiguous_v1.xlsx": Expect(
        named={"xlsform_form_id": "'XLDateAmbiguous-v1'", "xlsform_unsupported_type": "'date'"}),
    "pyxform_choice_filter_test.xlsx": Expect(
        named={"xlsform_unsupported_column_rows": "choice_filter",
               "xlsform_model": "'king'"}),
    "pyxform_survey_no_name.xlsx": Expect(items=("state",)),
    "pyxform_UCL_Biomass_Plot_Form.xlsx": Expect(
        named={"xlsform_stopped": "152", "xlsform_unsupported_type": "'geopoint'",
               "xlsform_unsupported_type_rows": "'begin repeat'",
               "xlsform_no_french": "label::Swahili (sw)"}),
    "pyxform_field-list.xlsx": Expect(
        named={"xlsform_missing_translations": "label::Français (fr)",
               "xlsform_group_without_label": "'name'",
               "xlsform_unknown_language": "label::chinese"}),
    "pyxform_yes_or_no_question.xlsx": Expect(
        named={"xlsform_no_french": "label:english"},
        absent=("xlsform_missing_column", "xlsform_missing_cell")),
    "pyxform_or_other.xlsx": Expect(
        named={"xlsform_unsupported_type": "'select_one colors or_other'"}),
    "pyxform_extra_sheet_names.xlsx": Expect(items=("test",)),
    "openmapkit_buildings.xlsx": Expect(
        named={"xlsform_unsupported_type": "'osm building_tags'",
               "xlsform_skipped_type_rows": "'deviceid'"}),
    "odk_central_simple.xlsx": Expect(named={"xlsform_integer_max": "coopkit_max"}),
}

#: What a spreadsheet's author cannot act on: the YAML the form becomes.
YAML_WORDS = re.compile(r"(sections|items|choices|scales|groups|points)\[\d+\]|Ajoutez « |"
                        r"\bAdd \"|« text|« max|\bmax vaut\b|\.max\b|Traduction manquante|"
                        r"Missing translation|: \.\.\. »")


def test_every_fixture_is_in_the_table():
    assert sorted(p.name for p in FORMS.glob("*.xlsx")) == sorted(EXPECTED)
    readme = (FORMS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in EXPECTED)  # each one's source is named


def problems_of(path: Path):
    try:
        q = load_xlsform(path)
    except CoopkitError as exc:
        return None, list(exc.problems)
    return q, list(q.warnings)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_form_imports_or_names_what_coopkit_lacks(name):
    expect = EXPECTED[name]
    q, problems = problems_of(FORMS / name)
    if expect.items:
        assert q is not None, "\n".join(p.format() for p in problems)
        assert [it.id for it in q.items()] == list(expect.items)
        assert q.languages[0] == "fr"
    else:
        assert q is None, f"{name} imported"
        assert any(not p.warning for p in problems)
    codes = [p.code for p in problems]
    for code, named in expect.named.items():
        said = [p.format() for p in problems if p.code == code]
        assert said, (code, codes)
        assert any(named in text for text in said), (code, named, said)
    for code in expect.absent:
        assert code not in codes, [p.format() for p in problems if p.code == code]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_message_speaks_of_sheets_rows_and_columns(name, lang):
    _, problems = problems_of(FORMS / name)
    where = ("Feuille ", "Le formulaire", "Le classeur", "Dans le formulaire") if lang == "fr" \
        else ("Sheet ", "The form", "The workbook", "In the form")
    for p in problems:
        text = p.message(lang)
        assert not YAML_WORDS.search(text), text
        assert text.startswith(where), text
        assert p.location().startswith(str(FORMS / name)), p.location()


def test_an_english_only_form_gets_one_message_not_one_per_text():
    _, problems = problems_of(FORMS / "pyxform_UCL_Biomass_Plot_Form.xlsx")
    french = [p for p in problems if p.code in ("xlsform_no_french",
                                                "xlsform_missing_translations")]
    assert [p.code for p in french] == ["xlsform_no_french"]


def test_a_formula_is_read_as_its_saved_value():
    _, problems = problems_of(FORMS / "pyxform_xl_date_ambiguous_v1.xlsx")
    text = "\n".join(p.format() for p in problems)
    assert "$B2" not in text  # the formula of form_id, never its text
    renamed = next(p for p in problems if p.code == "xlsform_form_id")
    assert dict(renamed.params)["id"] == "xldateambiguous-v1"


def test_a_sheet_formatted_to_the_last_row_is_read_to_its_data_only():
    _, problems = problems_of(FORMS / "pyxform_UCL_Biomass_Plot_Form.xlsx")
    stops = {dict(p.params)["sheet"]: p.line for p in problems if p.code == "xlsform_stopped"}
    assert stops["survey"] < 1000 and all(p.warning for p in problems
                                          if p.code == "xlsform_stopped")
    assert max(p.line or 0 for p in problems
               if dict(p.params).get("sheet") == "survey") <= stops["survey"]


def test_the_command_says_warnings_apart_from_the_error(tmp_path, capsys):
    form = FORMS / "pyxform_choice_filter_test.xlsx"
    assert cli.main(["import-xlsform", str(form), "--out", str(tmp_path / "q.yaml")]) == 1
    err = capsys.readouterr().err
    error_part = err[err.index("Erreur :"):]
    assert "« cf »" in err and "« cf »" not in error_part  # a skipped column: a warning
    assert "avertissement" not in error_part and "choice_filter" in error_part
    assert "Traceback" not in err and not (tmp_path / "q.yaml").exists()
