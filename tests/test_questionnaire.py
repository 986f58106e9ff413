"""The questionnaire format: good files load, broken files are explained."""

from __future__ import annotations

import dataclasses
import re
import textwrap
from pathlib import Path

import pytest
from tests_helpers import BASE_QUESTIONNAIRE

from coopkit import CoopkitError, load_questionnaire
from coopkit.definitions.questionnaire import DONT_KNOW, NOT_APPLICABLE, parse, to_mapping

BASE = BASE_QUESTIONNAIRE


def write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_base_file_loads(tmp_path):
    q = load_questionnaire(write(tmp_path, BASE))
    assert q.id == "atelier" and q.kind == "readiness"
    assert q.summary() == (1, 5)
    assert [it.id for it in q.items()] == ["g1", "g2", "g3", "g4", "g5"]
    assert q.item("g1").scale.values == (1, 2, 3, 4)
    assert q.item("g1").scale.points[3].label.get("en") == "Yes"
    assert q.item("g1").scale.points[0].label.get("fr") == "Non"  # YAML 1.2: not False
    assert q.item("g2").feeling == "peur" and q.item("g2").theme == "arbitrage"
    assert [g.id for g in q.groups] == ["personnel", "medical_soignant"]
    assert q.groups[1].label.get("fr") == "Corps médical et soignant"
    assert len(q.content_hash) == 64 and q.warnings == ()


def test_model_is_frozen(tmp_path):
    q = load_questionnaire(write(tmp_path, BASE))
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.id = "other"  # type: ignore[misc]


def test_hash_ignores_comments_and_layout_but_not_content(tmp_path):
    a = load_questionnaire(write(tmp_path, BASE, "a.yaml"))
    b = load_questionnaire(write(tmp_path, "# a comment\n" + BASE + "\n\n", "b.yaml"))
    c = load_questionnaire(write(tmp_path, BASE.replace("Le comité décide", "Le comité tranche"),
                                 "c.yaml"))
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash


def test_round_trip_through_a_mapping(tmp_path):
    q = load_questionnaire(write(tmp_path, BASE))
    again = parse(to_mapping(q))
    assert again.content_hash == q.content_hash
    assert again == q


@pytest.mark.parametrize(
    ("item", "value", "stored"),
    [("g1", 1, 1), ("g1", 4, 4), ("g1", 3.0, 3), ("g1", DONT_KNOW, DONT_KNOW),
     ("g2", 0, 0), ("g2", 5, 5), ("g3", "a", "a"), ("g4", ["y", "x"], ["x", "y"]),
     ("g4", [], []), ("g5", "<b>libre</b>", "<b>libre</b>")],
)
def test_good_answers(tmp_path, item, value, stored):
    q = load_questionnaire(write(tmp_path, BASE))
    assert q.check_answer(item, value) == stored


@pytest.mark.parametrize(
    ("item", "value"),
    [("g1", 0), ("g1", 5), ("g1", True), ("g1", NOT_APPLICABLE), ("g1", "3"), ("g1", 2.5),
     ("g2", -1), ("g2", 6), ("g2", None), ("g3", "c"), ("g3", 1), ("g4", ["x", "x"]),
     ("g4", "x"), ("g4", ["z"]), ("g5", 12), ("g5", "x" * 5000)],
)
def test_bad_answers_are_refused_with_the_allowed_values(tmp_path, item, value):
    q = load_questionnaire(write(tmp_path, BASE))
    with pytest.raises(CoopkitError) as err:
        q.check_answer(item, value)
    assert item in str(err.value)


def test_unknown_item_is_refused(tmp_path):
    q = load_questionnaire(write(tmp_path, BASE))
    with pytest.raises(CoopkitError, match="g9"):
        q.check_answer("g9", 1)


def test_scores_and_weak_answers(tmp_path):
    q = load_questionnaire(write(tmp_path, BASE))
    g1, g2, g3 = q.item("g1"), q.item("g2"), q.item("g3")
    assert [g1.score(v) for v in (1, 2, 3, 4)] == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert g1.score(DONT_KNOW) is None and not g1.is_weak(DONT_KNOW)
    assert [g1.is_weak(v) for v in (1, 2, 3, 4)] == [True, True, False, False]
    assert [g2.is_weak(v) for v in (3, 4)] == [False, True]  # weak_above: 3
    assert g3.score("a") == 1 and g3.is_weak("b")
    assert q.item("g5").score("x") is None and not q.item("g5").scored


# ------------------------------------------------------------------ broken files
# (name, transform of BASE, expected line, text that must appear in the message)
BROKEN = [
    ("misspelt key", lambda s: s.replace("      - value: 2\n        label:",
                                          "      - value: 2\n        lable:"),
     14, ["'lable'", "label"]),
    ("duplicate item id", lambda s: s.replace("id: g3", "id: g1"),
     38, ["'g1'", "ligne 24"]),
    ("unknown scale", lambda s: s.replace("scale: accord", "scale: acord"),
     26, ["'acord'", "accord"]),
    ("unknown feeling", lambda s: s.replace("feeling: peur", "feeling: peurs"),
     34, ["'peurs'", "peur"]),
    ("unknown theme", lambda s: s.replace("theme: arbitrage", "theme: budget"),
     35, ["'budget'", "qualite, accompagnement, arbitrage"]),
    ("principle out of range", lambda s: s.replace("principles: [2, 9]", "principles: [2, 10]"),
     28, ["10", "1 à 9"]),
    ("missing translation", lambda s: s.replace("en: Choice}", "}").replace(
        "{fr: Choix, }", "{fr: Choix}"), 40, ["(en)", "fr: ..."]),
    ("text without languages", lambda s: s.replace("text: {fr: Peur, en: Fear}", "text: Peur"),
     33, ["'Peur'", "en: ..."]),
    ("empty section", lambda s: s + "  - id: vide\n    title: {fr: Vide, en: Empty}\n",
     56, ["'vide'", "items:"]),
    ("wrong value type", lambda s: s.replace("max: 5", "max: cinq"),
     32, ["'cinq'", "integer"]),
    ("unknown item type", lambda s: s.replace("type: multiple", "type: multi"),
     46, ["'multi'", "multiple"]),
    ("invalid id", lambda s: s.replace("id: g5", "id: Question 5"),
     52, ["'Question 5'", "minuscules"]),
    ("invalid yaml", lambda s: s.replace("    title: {fr: Gouvernance, en: Governance}",
                                         "    title: {fr: Gouvernance, en: Governance"),
     None, ["YAML", "indentation"]),
    ("tab indentation", lambda s: s.replace("  accord:\n", "\taccord:\n"),
     None, ["YAML", "tabulations"]),
    ("duplicate key", lambda s: s.replace("kind: readiness", "kind: readiness\nkind: feelings"),
     4, ["'kind'", "une seule fois"]),
    ("unknown group", lambda s: s.replace("groups: [personnel, medical_soignant]",
                                          "groups: [personnel, medecins]"),
     7, ["'medecins'", "medical_soignant"]),
    ("field for another type", lambda s: s.replace("        max: 5\n", "        max: 5\n"
                                                   "        scale: accord\n"),
     33, ["'scale'", "intensity"]),
    ("scale with one point", lambda s: s.replace(
        "      - value: 2\n        label: {fr: Plutôt non, en: Rather not}\n"
        "      - value: 3\n        label: {fr: Plutôt oui, en: Rather yes}\n"
        "      - value: 4\n        label: {fr: Oui, en: \"Yes\"}\n", ""),
     10, ["1", "value:"]),
    ("duplicate scale value", lambda s: s.replace("value: 3", "value: 2"),
     15, ["2", "différente"]),
    ("missing required field", lambda s: s.replace('version: "1.0"\n', ""),
     None, ["version", "version: ..."]),
    ("choice score out of range", lambda s: s.replace("score: 1}", "score: 10}"),
     42, ["10.0", "0.5"]),
    ("mirror of an unknown item", lambda s: s.replace(
        "        weak_above: 3\n", "        weak_above: 3\n        about: personnel\n"
        "        mirrors: g1x\n"), 38, ["'g1x'", "g1"]),
    ("threshold outside the scale", lambda s: s.replace("weak_above: 3", "weak_above: 7"),
     36, ["7", "entre 0 et 5"]),
    ("threshold on a text item", lambda s: s + "        weak_below: 2\n",
     56, ["'weak_below'", "scale, intensity"]),
    ("boolean expected", lambda s: s.replace("dont_know: true", "dont_know: peut-être"),
     19, ["peut-être", "true / false"]),
    ("label reused before it is named", lambda s: s.replace(
        "text: {fr: Peur, en: Fear}", "text: *peur"), 33, ["*peur", "&peur"]),
]


@pytest.mark.parametrize(("name", "transform", "line", "needles"), BROKEN,
                         ids=[b[0] for b in BROKEN])
def test_broken_file_is_explained(tmp_path, name, transform, line, needles):
    broken = transform(BASE)
    assert broken != BASE, "the transform must change the file"
    path = write(tmp_path, broken)
    with pytest.raises(CoopkitError) as err:
        load_questionnaire(path)
    lines = err.value.format().splitlines()
    assert all(ln.startswith(f"{path}:") for ln in lines), lines
    matching = [ln for ln in lines if all(n in ln for n in needles)]
    assert matching, f"no message with {needles} in:\n" + "\n".join(lines)
    if line is not None:
        assert any(ln.startswith(f"{path}:{line}: ") for ln in matching), matching
    else:
        assert all(re.match(rf"^{re.escape(str(path))}(:\d+)?: ", ln) for ln in matching)


def test_a_label_named_once_and_reused_reads_as_written_out(tmp_path):
    named = BASE.replace("text: {fr: Peur, en: Fear}", "text: &peur {fr: Peur, en: Fear}", 1)
    reused = named + "      - id: g6\n        type: text\n        required: false\n" \
        "        text: *peur\n"
    written = BASE + "      - id: g6\n        type: text\n        required: false\n" \
        "        text: {fr: Peur, en: Fear}\n"
    a, b = (load_questionnaire(write(tmp_path, text)) for text in (reused, written))
    assert a.item("g6").text == b.item("g6").text == a.item("g2").text
    assert a.content_hash == b.content_hash


def test_at_least_fifteen_distinct_broken_files():
    assert len({b[0] for b in BROKEN}) >= 15


def test_every_error_is_listed_at_once(tmp_path):
    broken = (BASE.replace("scale: accord", "scale: acord")
              .replace("feeling: peur", "feeling: peurs")
              .replace("id: g3", "id: g1"))
    with pytest.raises(CoopkitError) as err:
        load_questionnaire(write(tmp_path, broken))
    assert set(err.value.codes) >= {"unknown_tag_hint", "duplicate_id"}
    assert len(err.value.problems) >= 3


def test_messages_in_english(tmp_path):
    path = write(tmp_path, BASE.replace("scale: accord", "scale: acord"))
    with pytest.raises(CoopkitError) as err:
        load_questionnaire(path)
    assert "did you mean 'accord'" in err.value.format("en")
    assert "vouliez-vous dire « accord »" in err.value.format("fr")


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "vide"), (b"# only a comment\n\n", "vide"), (b"\xff\xfe\x00t\x00i", "UTF-8"),
     (b"- a\n- b\n", "mapping"), (b"id: x\r\nversion: '1'\r\ntitle: \xe9t\xe9\n", "UTF-8")],
    ids=["empty", "only comments", "utf-16", "a list", "latin-1"],
)
def test_unreadable_files(tmp_path, content, needle):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(CoopkitError) as err:
        load_questionnaire(path)
    assert needle in err.value.format()
    assert str(path) in err.value.format()


def test_missing_file(tmp_path):
    with pytest.raises(CoopkitError, match="introuvable"):
        load_questionnaire(tmp_path / "nope.yaml")


def test_warnings_are_kept_apart(tmp_path):
    text = BASE.replace("scales:\n", "scales:\n  inutile:\n    points:\n"
                        "      - {value: 0, label: {fr: a, en: a}}\n"
                        "      - {value: 1, label: {fr: b, en: b}}\n")
    text = text.replace("        feedback: {fr: Réunissez le comité, en: Gather the committee}\n",
                        "")
    q = load_questionnaire(write(tmp_path, text))
    assert {w.code for w in q.warnings} == {"unused_scale", "no_feedback"}
    assert all(w.warning for w in q.warnings)
    assert "avertissement" in q.warnings[0].format()


def test_parse_is_pure_and_accepts_a_mapping():
    q = parse({
        "id": "mini", "version": 1, "title": {"fr": "Mini", "en": "Mini"},
        "sections": [{"id": "s", "title": {"fr": "S", "en": "S"}, "items": [
            {"id": "t", "type": "text", "text": {"fr": "?", "en": "?"}}]}],
    })
    assert q.version == "1" and q.kind == "survey" and q.source == "<input>"


def test_french_only_questionnaire_is_allowed():
    q = parse(textwrap_yaml("""
        id: fr-seul
        version: "1"
        languages: [fr]
        title: {fr: Seulement en français}
        sections:
          - id: s
            title: {fr: S}
            items:
              - {id: t, type: text, text: {fr: "?"}}
    """))
    assert q.languages == ("fr",) and q.title.get("en") == "Seulement en français"


def textwrap_yaml(text: str) -> object:
    import yaml

    return yaml.safe_load(textwrap.dedent(text))



def test_builtin_group_labels_stay_out_of_the_hash(tmp_path, monkeypatch):
    from coopkit import i18n

    q = load_questionnaire(write(tmp_path, BASE))
    reworded = {**i18n.catalogue("fr"), "method.group.personnel": "Les personnels"}
    monkeypatch.setattr(i18n, "catalogue", lambda lang: reworded)
    again = load_questionnaire(write(tmp_path, BASE, "again.yaml"))
    assert again.groups[0].label.fr == "Les personnels"
    assert again.content_hash == q.content_hash
    assert to_mapping(q)["groups"] == ["personnel", "medical_soignant"]


def test_strong_fears_and_temptations_call_for_a_recommendation_by_default():
    q = parse(textwrap_yaml("""
        id: f
        version: "1"
        kind: feelings
        title: {fr: F, en: F}
        sections:
          - id: s
            title: {fr: S, en: S}
            items:
              - {id: a, type: intensity, max: 4, feeling: attrait, text: {fr: a, en: a}}
              - {id: p, type: intensity, max: 4, feeling: peur, text: {fr: p, en: p}}
              - {id: t, type: intensity, max: 4, feeling: tentation, text: {fr: t, en: t}}
    """))
    assert [q.item("a").is_weak(v) for v in (1, 2, 3)] == [True, False, False]
    assert [q.item("p").is_weak(v) for v in (1, 2, 3)] == [False, False, True]
    assert [q.item("t").is_weak(v) for v in (2, 3)] == [False, True]


# ------------------------------------------------- who is asked, whom it is about

def _with(text: str, item: str, extra: str) -> str:
    """BASE with ``extra`` YAML lines added to item ``item``."""
    marker = f"      - id: {item}\n"
    lines = "".join(f"        {line}\n" for line in extra.strip().splitlines())
    return text.replace(marker, marker + lines)


def test_audience_decides_who_is_asked_and_groups_only_tag(tmp_path):
    q = load_questionnaire(write(tmp_path, _with(
        _with(BASE, "g2", "audience: [medical_soignant]"), "g1", "groups: [medical_soignant]")))
    g1, g2 = q.item("g1"), q.item("g2")
    assert g1.groups == ("medical_soignant",) and g1.audience == ()
    assert g1.asked_of("personnel") and g1.asked_of("medical_soignant")  # a tag only
    assert g2.asked_of("medical_soignant") and not g2.asked_of("personnel")
    assert [it.id for it in q.required_of("personnel")] == ["g1", "g3"]
    assert "g2" in [it.id for it in q.required_of("medical_soignant")]


def test_an_unknown_audience_group_is_explained(tmp_path):
    with pytest.raises(CoopkitError) as err:
        load_questionnaire(write(tmp_path, _with(BASE, "g2", "audience: [medecins]")))
    assert err.value.codes == ["unknown_tag"]
    assert "medecins" in str(err.value) and "audience" in str(err.value)


def test_an_audience_nobody_offered_can_join_warns(tmp_path):
    q = load_questionnaire(write(tmp_path, _with(BASE, "g2", "audience: [elus_population]")))
    assert [w.code for w in q.warnings] == ["audience_not_offered"]
    assert not any(q.item("g2").asked_of(g.id) for g in q.groups)


def test_a_group_grading_itself_warns_unless_meant(tmp_path):
    grading = _with(BASE, "g1", "groups: [personnel]\naudience: [personnel]")
    q = load_questionnaire(write(tmp_path, grading))
    assert [w.code for w in q.warnings] == ["self_grading"]
    assert "g1" in q.warnings[0].message("fr") and "personnel" in q.warnings[0].message("fr")
    meant = load_questionnaire(write(tmp_path, _with(BASE, "g1", "groups: [personnel]\n"
                                                     "audience: [personnel]\n"
                                                     "self_assessment: true"), "m.yaml"))
    assert meant.warnings == () and meant.item("g1").self_assessment
    observed = load_questionnaire(write(tmp_path, _with(BASE, "g1", "groups: [personnel]"),
                                        "o.yaml"))
    assert observed.warnings == ()  # asked of everyone, about the staff: no self-grading


def test_not_concerned_is_an_answer_of_intensity_items_that_offer_it(tmp_path):
    plain = load_questionnaire(write(tmp_path, BASE)).item("g2")
    offered = load_questionnaire(write(tmp_path, _with(BASE, "g2", "not_concerned: true"),
                                       "n.yaml")).item("g2")
    with pytest.raises(CoopkitError):
        plain.check(NOT_APPLICABLE)
    assert offered.check(NOT_APPLICABLE) == NOT_APPLICABLE
    assert offered.score(NOT_APPLICABLE) is None and not offered.is_weak(NOT_APPLICABLE)
    assert offered.expected() == "0..5, na"
    with pytest.raises(CoopkitError):
        offered.check(DONT_KNOW)
    with pytest.raises(CoopkitError) as err:
        load_questionnaire(write(tmp_path, _with(BASE, "g1", "not_concerned: true"), "s.yaml"))
    assert err.value.codes == ["field_not_for_type"]


def test_prerequisite_is_a_tag_of_its_own(tmp_path):
    q = load_questionnaire(write(tmp_path, _with(BASE, "g1", "prerequisite: engagement_60")))
    assert q.item("g1").prerequisite == "engagement_60"
    with pytest.raises(CoopkitError) as err:
        load_questionnaire(write(tmp_path, _with(BASE, "g1", "prerequisite: engagement_70"),
                                 "p.yaml"))
    assert "engagement_60" in str(err.value)


def test_new_fields_at_their_default_leave_the_hash_alone(tmp_path):
    base = load_questionnaire(write(tmp_path, BASE))
    same = load_questionnaire(write(tmp_path, _with(
        BASE, "g2", "audience: []\nnot_concerned: false\nself_assessment: false"), "d.yaml"))
    assert same.content_hash == base.content_hash
    other = load_questionnaire(write(tmp_path, _with(BASE, "g2", "not_concerned: true"),
                                     "e.yaml"))
    assert other.content_hash != base.content_hash
    again = parse(to_mapping(other))
    assert again == other and again.content_hash == other.content_hash


def test_an_older_mapping_is_upgraded_with_its_meaning():
    from coopkit.definitions.questionnaire import MAPPING_FORMAT, upgrade_mapping

    old = {"sections": [{"id": "s", "items": [{"id": "a", "groups": ["personnel"]},
                                              {"id": "b"}],
                         "subsections": [{"id": "t", "items": [
                             {"id": "c", "groups": ["elus_population"]}]}]}]}
    new = upgrade_mapping(old, 1)
    assert new["sections"][0]["items"][0]["audience"] == ["personnel"]
    assert "audience" not in new["sections"][0]["items"][1]
    assert new["sections"][0]["subsections"][0]["items"][0]["audience"] == ["elus_population"]
    assert upgrade_mapping(old, MAPPING_FORMAT) is old
    assert "audience" not in old["sections"][0]["items"][0]  # the input is left alone
