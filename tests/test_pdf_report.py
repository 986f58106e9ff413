"""The steering committee's PDF, read back with pypdf: what a committee reads is right.

One project, a questionnaire with its own groups (« Étudiants et stagiaires », id
``etudiants``), long statements, a group that answered at T0 only, actions in every plan
and status. Each test names a defect an outside check found in the report and looks for
it in the PDF's text: groups by label, one decimal separator and one percent spacing per
language, sessions named by title/wave/date (no join code), statements in full, no word
broken, one page size, the right axis and no doubled title on chart pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from coopkit.definitions.questionnaire import parse
from coopkit.exports.gather import gather
from coopkit.exports.pdf import write_report
from coopkit.i18n import t
from coopkit.store import open_store

LONG = ("Je crains que les économies annoncées ne se réalisent pas, ou qu'elles se "
        "fassent au détriment de la qualité du service rendu aux personnes accueillies "
        "dans nos établissements.")
QUESTIONNAIRE = {
    "id": "rapport", "version": "1", "kind": "survey", "languages": ["fr", "en"],
    "title": {"fr": "Ce que la coopération m'inspire", "en": "What cooperation means to me"},
    "groups": [
        {"id": "etudiants", "label": {"fr": "Étudiants et stagiaires",
                                      "en": "Students and trainees"}},
        "personnel", "direction_generale"],
    "scales": {"accord": {"points": [
        {"value": v, "label": {"fr": f"Niveau {v}", "en": f"Level {v}"}} for v in range(1, 5)]}},
    "sections": [
        {"id": "ressentis", "title": {"fr": "Ressentis", "en": "Feelings"}, "items": [
            {"id": f"f_{f}_{th}", "type": "intensity", "feeling": f, "theme": th,
             "text": {"fr": f"{f} {th}", "en": f"{f} {th}"}}
            for f in ("attrait", "peur", "tentation")
            for th in ("qualite", "accompagnement", "arbitrage")]},
        {"id": "gouvernance", "title": {"fr": "Gouvernance", "en": "Governance"}, "items": [
            {"id": "r_long", "type": "scale", "scale": "accord", "principles": [2],
             "text": {"fr": LONG, "en": "I fear the announced savings will not come, or "
                      "will come at the cost of the quality of the service we give to the "
                      "people our establishments look after."},
             "feedback": {"fr": "Montrez les économies", "en": "Show the savings"}},
            {"id": "r_court", "type": "scale", "scale": "accord", "principles": [9],
             "text": {"fr": "Les règles de décision sont écrites",
                      "en": "Decision rules are written"},
             "feedback": {"fr": "Écrivez-les", "en": "Write them"}}]}],
}
K = 3
WAVES = {"T0": {"etudiants": 4, "personnel": 4, "direction_generale": 3},
         "T1": {"etudiants": 4, "personnel": 4}}  # the directors did not answer at T1
ACTIONS = [("Former les nouveaux agents au logiciel commun", "personnel", "attrait", "done"),
           ("Écrire ensemble la charte", "etudiants", "tentation", "dropped"),
           ("Réunir le comité tous les mois", "direction_generale", "peur", "in_progress")]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    q = parse(QUESTIONNAIRE)
    with open_store(data=str(folder)) as store:
        project = store.create_project("Coopération du territoire", "Garder un service",
                                       "CH Nord")
        for wave, sizes in WAVES.items():
            ws = store.open_workshop(project, q, wave=wave, k=K)
            store.set_workshop_settings(ws.id, show_tendencies=True)
            n = 0
            for group, size in sizes.items():
                for _ in range(size):
                    n += 1
                    person = store.join(ws.code, group)
                    for item in q.items():
                        if item.type == "intensity":
                            value = (n * 7 + len(item.id) + (wave == "T1")) % 6
                        else:
                            value = 1 + (n * 3 + len(item.id)) % 4
                        store.save_answer(person.token, item.id, value)
                    store.validate(person.token)
        for text, group, feeling, status in ACTIONS:
            store.add_proposal(project, text, group, feeling=feeling, status=status,
                               reason="Reportée au prochain projet"
                               if status == "dropped" else None)
    return folder


def pages_text(path: Path) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in pypdf.PdfReader(path).pages]


@pytest.fixture(scope="module", params=["fr", "en"])
def report(request, data, tmp_path_factory):
    lang = request.param
    out = tmp_path_factory.mktemp("out") / f"rapport-{lang}.pdf"
    with open_store(data=str(data)) as store:
        gathered = gather(store, "project:1")
        codes = [w.code for w in store.workshops()]
    write_report(gathered, out, lang)
    return {"lang": lang, "path": out, "pages": pages_text(out), "codes": codes,
            "report": gathered}


def chart_page(report, key: str) -> str:
    """The text of the chart page titled by ``key`` (chart pages are landscape)."""
    reader = pypdf.PdfReader(report["path"])
    title = t(key, report["lang"])
    found = [text for text, page in zip(report["pages"], reader.pages, strict=True)
             if page.mediabox.width > page.mediabox.height and title in text]
    assert found, title
    return found[0]


def test_custom_groups_are_named_by_their_label_in_charts_and_tables(report):
    label = "Étudiants et stagiaires" if report["lang"] == "fr" else "Students and trainees"
    for key in ("report.feelings", "report.tendency_chart", "report.waves",
                "report.commitment"):
        assert label in chart_page(report, key), key
    text = " ".join(report["pages"])
    assert "etudiants" not in text


def test_one_decimal_separator_and_one_percent_spacing_per_language(report):
    text = " ".join(report["pages"])
    if report["lang"] == "fr":
        assert re.search(r"\d,\d\d", text) and re.search(r"\d\s%", text)
        assert not re.findall(r"\d\.\d", text)  # 0.53, 0.2 on an axis...
        assert not re.findall(r"\d%", text)  # 26% (French: 26 %)
    else:
        assert re.search(r"\d\.\d\d", text) and re.search(r"\d%", text)
        assert not re.findall(r"\d,\d", text)
        assert not re.findall(r"\d\s%", text)


def test_sessions_are_named_by_title_wave_and_date_never_by_join_code(report):
    text = " ".join(report["pages"])
    for code in report["codes"]:
        assert code not in text
    wd = report["report"].workshops[-1]
    assert wd.label(report["lang"]) in text
    assert wd.date(report["lang"]) in chart_page(report, "report.feelings")


def test_divisive_statements_are_shown_in_full(report):
    statement = LONG if report["lang"] == "fr" else QUESTIONNAIRE["sections"][1]["items"][0][
        "text"]["en"]
    page = chart_page(report, "report.divisive")
    assert statement in page  # on the chart, wrapped, not cut
    assert "…" not in page


def test_no_word_is_broken_in_the_action_table(report):
    lang = report["lang"]
    words = {w for key in ("method.status.done", "method.status.dropped",
                           "method.status.in_progress", "method.plan.charte",
                           "method.plan.risques", "method.plan.objectifs",
                           "method.group.direction_generale")
             for w in t(key, lang).split()}
    words |= {w for text, *_ in ACTIONS for w in text.split()}
    tokens = set(" ".join(report["pages"]).split())
    assert {w for w in words if len(w) > 3} <= tokens


def test_every_page_is_a4(report):
    for page in pypdf.PdfReader(report["path"]).pages:
        size = sorted((round(float(page.mediabox.width)), round(float(page.mediabox.height))))
        assert size == [595, 842]


def test_the_readiness_comparison_is_on_a_score_axis(report):
    lang = report["lang"]
    reader = pypdf.PdfReader(report["path"])
    waves = [text for text, page in zip(report["pages"], reader.pages, strict=True)
             if t("report.waves", lang) in text]
    assert len(waves) == 1  # this questionnaire has feelings: one page, on intensity
    assert t("chart.waves.axis", lang) in waves[0]
    assert t("chart.waves.axis_score", lang) not in waves[0]


def test_a_group_that_answered_at_t0_only_is_explained_not_dashed(report):
    lang = report["lang"]
    page = chart_page(report, "report.waves")
    legend = t("chart.masked_legend", lang, k=K)
    assert page.count(t("chart.waves.missing_after", lang)) == 3  # directors x 3 feelings
    assert page.replace(re.sub(r"\s+", " ", legend), "").count("—") == 0


def test_chart_pages_carry_one_title(report):
    lang = report["lang"]
    for page_key, chart_key in (("report.feelings", "chart.feelings_map.title"),
                                ("report.tendency_chart", "chart.tendency.title"),
                                ("report.divisive", "chart.divergence.title"),
                                ("report.waves", "chart.waves.title"),
                                ("report.commitment", "chart.commitment.title")):
        page = chart_page(report, page_key)
        assert page.count(t(page_key, lang)) == 1
        own = t(chart_key, lang)
        assert own == t(page_key, lang) or own not in page, chart_key
