"""The subtraction attack, tried on everything coopkit shows: nothing under k comes back.

A project with groups of 4, 5, 6 and 22 participants (k = 5) answers the feelings
questionnaire at T0 and T1 and the readiness self-assessment, through the real store;
two more participants answer without validating. Then, for every output (the frames the
room, the presenter and the notebooks draw; the Excel workbook read back with
openpyxl; the CSV; the PDF read back with pypdf), the attack a reader can make is
tried: each figure for everyone (« Ensemble », a total, the room's answers to a
question) minus every figure shown for a part of it. What is left must be nobody or at
least k people. The raw answers must not let a reader tie a masked answer to a group.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pypdf
import pytest

from coopkit import analysis, load_questionnaire, synthetic
from coopkit.analysis import MASKED, OK
from coopkit.consultant.room import RoomView
from coopkit.exports.write import export
from coopkit.i18n import t
from coopkit.store import open_store

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"
K = 5
#: (group, establishments of its members): sizes around k. elus (4) is under k and is
#: hidden with direction (5), the next smallest: 9 people hidden together.
PEOPLE = {
    "elus_population": ["CH Nord", "CH Nord", "EHPAD Sud", "EHPAD Sud"],
    "direction_generale": ["CH Nord"] * 3 + ["EHPAD Sud"] * 2,
    "medical_soignant": ["CH Nord"] * 4 + ["CH Est"] * 2,
    "personnel": ["CH Nord"] * 16 + ["EHPAD Sud"] * 3 + ["CH Est"] * 3,
}
POOL = {"elus_population", "direction_generale"}
GROUP_LABELS = {t(f"method.group.{g}"): g for g in PEOPLE}
HIDDEN = t("export.masked", k=K)
N = t("export.col.n")


def _python(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _fill(store, project: int, questionnaire, wave: str, seed: int):
    """One workshop: every participant of PEOPLE answers (synthetic answers, saved one
    by one through the store) and validates; two more personnel answer, unvalidated."""
    ws = store.open_workshop(project, questionnaire, wave=wave, k=K)
    store.set_workshop_settings(ws.id, show_tendencies=True)  # shown: attack them too
    sizes = {g: len(places) for g, places in PEOPLE.items()}
    sizes["personnel"] += 2
    rows = synthetic.answers(questionnaire, sizes, seed=seed, skip=0.0, validated=1.0)
    people = rows.drop_duplicates("participant")[["participant", "group"]]
    seen: dict[str, int] = defaultdict(int)
    for person, group in people.itertuples(index=False):
        index = seen[group]
        seen[group] += 1
        places = PEOPLE[group]
        joined = store.join(ws.code, group, places[index % len(places)])
        for item_id, value in rows.loc[rows["participant"] == person,
                                       ["item_id", "value"]].itertuples(index=False):
            if item_id.startswith("libre_") and index % 3:
                continue  # a few free texts only
            store.save_answer(joined.token, item_id, _python(value))
        if index < len(places):  # the two extra personnel leave without validating
            store.validate(joined.token)
    return ws


@pytest.fixture(scope="module")
def world(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("COOPKIT_SQLITE_SYNCHRONOUS", "NORMAL")  # speed, tests only
    folder = tmp_path_factory.mktemp("anonymity")
    feelings = load_questionnaire(QUESTIONNAIRES / "ressentis.yaml")
    readiness = load_questionnaire(QUESTIONNAIRES / "pret-cooperation.yaml")
    with open_store(data=str(folder)) as store:
        project = store.create_project("Coopération Nord-Sud", "Un service commun", "GHT")
        for name in ("CH Nord", "EHPAD Sud", "CH Est"):
            store.add_partner(project, name)
        t0 = _fill(store, project, feelings, "T0", seed=11)
        t1 = _fill(store, project, feelings, "T1", seed=12)
        ready = _fill(store, project, readiness, "T0", seed=13)
        frames = {w.id: store.answers_frame(w.id) for w in (t0, t1, ready)}
    return {"folder": folder, "project": project, "t0": t0, "t1": t1, "ready": ready,
            "frames": frames, "feelings": feelings, "readiness": readiness}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def unmasked(frame: pd.DataFrame) -> pd.DataFrame:
    """The same answers with k = 1: the truth a reader must not get back."""
    out = frame.copy()
    out.attrs = {**frame.attrs, "k": 1}
    return out


# ------------------------------------------------------------ the attack on frames

def attack(shown: pd.DataFrame, everyone: pd.DataFrame, truth: pd.DataFrame,
           units: list[str], value: str, n: str = "n", by: str = "group") -> int:
    """Everyone's figure (as coopkit shows it: « Ensemble », the room's answers to a
    question) minus every part shown, unit by unit; returns how many units were
    attacked. Fails when the remainder holds 1 to k-1 people. Also checks that the
    attack works: the remainder's figure is the hidden groups' pooled figure (``truth``
    is the breakdown with k = 1)."""
    attacked = 0
    for key, part in shown.groupby(units, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        where = dict(zip(units, key, strict=True))
        whole = everyone
        cells = truth
        for col, v in where.items():
            whole = whole[whole[col] == v]
            cells = cells[cells[col] == v]
        if whole.empty or pd.isna(whole[n].iloc[0]):
            continue
        total_n, total = float(whole[n].iloc[0]), float(whole[value].iloc[0]) \
            if pd.notna(whole[value].iloc[0]) else None
        visible = part[part["status"] == OK]
        rest_n = total_n - float(visible[n].sum())
        assert rest_n == 0 or rest_n >= K, (where, rest_n)  # the attack recovers nothing
        hidden_groups = set(part.loc[part["status"] != OK, by])
        true_rest = cells[cells[by].isin(hidden_groups)]
        assert rest_n == float(pd.to_numeric(true_rest[n]).fillna(0).sum()), where
        if rest_n and total is not None:
            recovered = (total * total_n - float((visible[value] * visible[n]).sum())) / rest_n
            pooled = float((true_rest[value] * true_rest[n]).sum()) / rest_n
            assert recovered == pytest.approx(pooled), where  # the attack does work...
            attacked += 1
    return attacked


def test_frames_drawn_in_the_room_presenter_and_notebooks(world):
    """Every breakdown by group, against the same figure for everyone."""
    q, ready = world["feelings"], world["readiness"]
    attacked = 0
    for wid in (world["t0"].id, world["t1"].id):
        frame = world["frames"][wid]
        fmap = analysis.feelings_map(frame)
        attacked += attack(fmap, analysis.feelings_map(frame, by=[]),
                           analysis.feelings_map(unmasked(frame)), ["theme", "feeling"],
                           "mean")
        tend = analysis.tendencies(frame)
        whole = analysis.tendencies(frame, by=None)
        truth = analysis.tendencies(unmasked(frame))
        for f in ("attrait", "peur", "tentation"):
            attacked += attack(tend.assign(u=f), whole.assign(u=f), truth.assign(u=f), ["u"],
                               f, n=f"n_{f}")
        # in the other's shoes: the estimates of one item by each group, against the
        # item's figure for everyone (the divergence table gives it)
        everyone = analysis.divergence(frame, q).rename(
            columns={"mean": "estimate", "n": "n_estimate"})
        attacked += attack(analysis.others_shoes(frame), everyone,
                           analysis.others_shoes(unmasked(frame)), ["item_id"], "estimate",
                           n="n_estimate")
    frame = world["frames"][world["ready"].id]
    for level in ("section", "subsection", "principle", "item", "overall"):
        keys = {"section": ["section_id"], "subsection": ["subsection_id"],
                "principle": ["principle"], "item": ["item_id"], "overall": ["unit"]}[level]
        rdy = analysis.readiness(frame, ready, level=level, by="group")
        attacked += attack(rdy, analysis.readiness(frame, ready, level=level),
                           analysis.readiness(unmasked(frame), ready, level=level, by="group"),
                           keys, "score")
        done = analysis.completion(frame, ready, level=level, by="group")
        attacked += attack(done, analysis.completion(frame, ready, level=level),
                           analysis.completion(unmasked(frame), ready, level=level,
                                               by="group"), keys, "completion")
    assert attacked > 100  # the attack was really made, unit after unit


def test_the_pool_is_hidden_in_every_figure_and_says_masked(world):
    for wid, frame in world["frames"].items():
        assert analysis.hidden_groups(frame) == POOL
        if wid == world["ready"].id:
            continue
        fmap = analysis.feelings_map(frame)
        assert set(fmap.loc[fmap["group"].isin(POOL), "status"]) == {MASKED}
        assert fmap.loc[fmap["group"] == "personnel", "status"].eq(OK).all(), wid


def test_tendency_components_each_need_k(world):
    """4 of 6 answer attractions only: fears and temptations rest on 2 people."""
    frame = world["frames"][world["t1"].id]
    medical = frame[frame["group"] == "medical_soignant"]
    ids = sorted(medical["participant"].unique())
    drop = (frame["participant"].isin(ids[:4]) & frame["feeling"].isin(["peur", "tentation"])
            & frame["about"].isna())
    trimmed = frame[~drop.to_numpy()]
    trimmed.attrs = dict(frame.attrs)
    row = analysis.tendencies(trimmed).set_index("group").loc["medical_soignant"]
    assert row["status"] == MASKED and pd.isna(row["peur"]) and pd.isna(row["tentation"])
    assert pd.isna(row["n_peur"])  # 2 < k, not shown
    assert analysis.tendencies(frame).set_index("group").loc["medical_soignant", "status"] == OK


def test_waves_never_show_what_a_wave_hides(world):
    """The same figure in two frames of one output (PDF: feelings map and waves) is
    hidden at least as much in both, so their union leaves nothing to subtract."""
    t0, t1 = (world["frames"][world[w].id] for w in ("t0", "t1"))
    wv = analysis.waves(t0, t1)
    for wave, frame in ((0, t0), (1, t1)):
        fmap = analysis.feelings_map(frame)
        hidden = set(map(tuple, fmap.loc[fmap["status"] != OK,
                                         ["group", "theme", "feeling"]].to_numpy()))
        shown = set(map(tuple, wv.loc[wv["status"] == OK,
                                      ["group", "theme", "feeling"]].to_numpy()))
        assert not hidden & shown, wave
    # the PDF shows the tendencies and the waves by group x feeling: a feeling's mean for
    # a group is the same figure in both; what either shows leaves 0 or >= k hidden
    by_feeling = analysis.waves(t0, t1, by=("group", "feeling"))
    tend = analysis.tendencies(t1)
    truth = analysis.tendencies(unmasked(t1))
    for f in ("attrait", "peur", "tentation"):
        shown = set(by_feeling.loc[(by_feeling["feeling"] == f)
                                   & (by_feeling["status"] == OK), "group"])
        shown |= set(tend.loc[tend["status"] == OK, "group"])
        rest = truth.loc[~truth["group"].isin(shown), f"n_{f}"].sum()
        assert rest == 0 or rest >= K, f


def test_room_participation_and_counting(world):
    with open_store(data=str(world["folder"])) as store:
        room = RoomView(store, world["t1"].id, charts=False)
        room.refresh()
        table = room.participation()
    total = table[table["group"].isna()].iloc[0]
    groups = table[table["group"].notna()]
    for col in ("joined", "validated"):
        rest = int(total[col]) - int(groups[col].dropna().sum())
        assert rest == 0 or rest >= K, col
    assert set(groups.loc[groups["validated"].isna(), "group"]) == POOL
    assert "<b>39</b>" in room.table.value and "<b>37</b>" in room.table.value
    # the room counts validated answers, as every export does
    frame = world["frames"][world["t1"].id]
    fmap = analysis.feelings_map(frame)
    personnel = fmap[(fmap["group"] == "personnel") & (fmap["status"] == OK)]
    assert set(personnel["n"]) == {22}  # 24 answered, 22 validated


# --------------------------------------------------------------- the workbook

def sheet(book, name: str) -> list[dict]:
    values = list(book[name].iter_rows(values_only=True))
    header, rows = values[0], []
    for row in values[1:]:
        if not any(v is not None for v in row):
            break
        rows.append(dict(zip(header, row, strict=True)))
    return rows


@pytest.fixture(scope="module")
def workbook(world, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "projet.xlsx"
    with open_store(data=str(world["folder"])) as store:
        export(store, f"project:{world['project']}", out)
    return openpyxl.load_workbook(out)


def _by_workshop(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["Séance"] if "Séance" in r else r["Atelier"]].append(r)
    return out


def test_workbook_participation_total_minus_groups(workbook):
    for code, rows in _by_workshop(sheet(workbook, "Participation")).items():
        total = next(r for r in rows if r["Groupe"] == t("export.total"))
        parts = [r for r in rows if r["Groupe"] != t("export.total")]
        for col in ("Participants", "Validé"):
            shown = sum(r[col] for r in parts if isinstance(r[col], int))
            rest = total[col] - shown
            assert rest == 0 or rest >= K, (code, col, rest)
        masked = [GROUP_LABELS[r["Groupe"]] for r in parts if r["Validé"] is None]
        assert set(masked) == POOL  # two groups at least: masked rows name no one group


def test_workbook_everyone_minus_groups_in_scores(workbook):
    attacked = 0
    for name, unit in (("Scores par section", "Section"), ("Scores par principe", "Principe")):
        rows = sheet(workbook, name)
        units: dict[tuple, list[dict]] = defaultdict(list)
        for r in rows:
            units[(r.get("Atelier") or r.get("Séance"), r[unit])].append(r)
        for key, part in units.items():
            whole = [r for r in part if r["Groupe"] == t("export.everyone")]
            if not whole or whole[0][N] is None:
                continue
            visible = [r for r in part if r["Groupe"] != t("export.everyone")
                       and r[N] is not None and r["Score"] is not None]
            rest = whole[0][N] - sum(r[N] for r in visible)
            assert rest == 0 or rest >= K, (name, key, rest)
            assert not {GROUP_LABELS.get(r["Groupe"]) for r in visible} & POOL
            attacked += 1
    assert attacked > 10


def _raw(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    return frame.rename(columns={"Atelier": "ws", "Séance": "ws", "Participant (n°)": "who",
                                 "Code question": "item", "Groupe": "group",
                                 "Établissement": "place", "Score": "score",
                                 "Répondu le (UTC)": "when"})


def test_workbook_everyone_minus_raw_answers_per_question(workbook, world):
    """Divergences and recommendations give each question's figure for everyone; the
    raw answers sheet gives every answer shown. Their difference is 0 or >= k people."""
    raw = _raw(sheet(workbook, "Réponses"))
    scored = raw[raw["score"].notna() & (raw["score"] != "")]
    per_item = scored.groupby(["ws", "item"])["who"].nunique()
    attacked = 0
    for r in sheet(workbook, "Divergences"):
        code = r.get("Atelier") or r.get("Séance")
        if r[N] is None:
            continue
        rest = r[N] - int(per_item.get((code, r["Code question"]), 0))
        assert rest == 0 or rest >= K, (code, r["Code question"], rest)
        attacked += 1
    texts = {it.text.get("fr"): it.id for q in (world["feelings"], world["readiness"])
             for it in q.items()}
    for r in sheet(workbook, "Recommandations"):
        code = r.get("Atelier") or r.get("Séance")
        rest = r[N] - int(per_item.get((code, texts[r["Question"]]), 0))
        assert rest == 0 or rest >= K, (code, r["Question"], rest)
        attacked += 1
    assert attacked > 50


def test_workbook_group_sheets_never_show_a_hidden_group(workbook):
    for name, value in (("Carte des ressentis", "Intensité"), ("Tendances", "Attraits"),
                        ("T0 et T1", "Moyenne après")):
        for r in sheet(workbook, name):
            group = GROUP_LABELS.get(r["Groupe"])
            if group in POOL:
                assert r[value] is None and r["Statut"] == HIDDEN, (name, r)


def attributable(raw: pd.DataFrame, questionnaire, label: str = HIDDEN) -> list[str]:
    """The masked participants a reader can tie to one group: those whose answered
    questions are asked of only one of the groups that could be hidden (the
    questionnaire's groups, none seen unmasked in the same workshop)."""
    found = []
    items = {it.id: it for it in questionnaire.items()}
    visible = set(raw.loc[raw["group"] != label, "group"])
    candidates = [g.id for g in questionnaire.groups
                  if t(f"method.group.{g.id}") not in visible]
    for who, rows in raw[raw["group"] == label].groupby("who"):
        answered = [items[i] for i in rows["item"]]
        possible = [g for g in candidates if all(it.asked_of(g) for it in answered)]
        assert rows["place"].eq(label).all()  # no establishment either
        assert rows["when"].isna().all() or rows["when"].eq("").all()  # no answer times
        if len(set(possible) & POOL) < 2:  # the reader can rule out all hidden groups but one
            found.append(f"{who}: {possible}")
    return found


def test_workbook_raw_answers_tie_no_masked_answer_to_a_group(workbook, world):
    raw = _raw(sheet(workbook, "Réponses"))
    assert "Oui" not in set(raw["Validé"]) or set(raw["Validé"]) == {"oui"}
    for code, q in ((world["t1"].code, world["feelings"]),
                    (world["ready"].code, world["readiness"])):
        part = raw[raw["ws"] == code]
        masked = part[part["group"] == HIDDEN]
        assert masked["who"].nunique() == 9  # elus and directors pooled: 9 >= k
        assert attributable(part, q) == []
        # the items of elected officials only (and users) are not shown for the pool
        if q is world["readiness"]:
            assert not {"elus_benefices", "elus_proximite"} & set(masked["item"])


# --------------------------------------------------------------------- the CSV

@pytest.mark.parametrize("sep", [";", ","])
def test_csv_ties_no_masked_answer_to_a_group(world, tmp_path, sep):
    with open_store(data=str(world["folder"])) as store:
        out = export(store, world["ready"].code, tmp_path / "r.csv", fmt="csv", sep=sep)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")),
                               delimiter=sep))
    raw = _raw(rows)
    assert raw["who"].nunique() == 37  # validated participants only, not the two others
    assert attributable(raw, world["readiness"]) == []
    assert raw.loc[raw["group"] == HIDDEN, "who"].nunique() >= K
    numbers = sorted(map(int, raw["who"].unique()))
    assert numbers == list(range(1, 38))  # fresh numbers, not the store's ids


# --------------------------------------------------------------------- the PDF

@pytest.fixture(scope="module")
def report_text(world, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("pdf") / "r.pdf"
    with open_store(data=str(world["folder"])) as store:
        export(store, world["t1"].code, out)
    reader = pypdf.PdfReader(out)
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def test_pdf_cover_total_minus_groups(report_text):
    number = rf"(\d+|{re.escape(HIDDEN)})"
    shown = {}
    for label, group in GROUP_LABELS.items():
        found = re.search(rf"{re.escape(label)} {number} {number}", report_text)
        assert found, label
        shown[group] = found.groups()
    total = re.search(rf"{re.escape(t('export.total'))} (\d+) (\d+)", report_text)
    assert total
    for column in (0, 1):
        visible = sum(int(v[column]) for v in shown.values() if v[column].isdigit())
        rest = int(total.groups()[column]) - visible
        assert rest == 0 or rest >= K, (column, rest)
    assert {g for g, v in shown.items() if not v[1].isdigit()} == POOL
    assert t("export.note.counting") in report_text  # says what is counted


def test_pdf_tendency_table_hides_the_pool(report_text):
    """The tendencies table (turned on for this project): a hidden group's row holds
    no percentage, a visible group's row does."""
    start = report_text.index(t("report.tendencies"))
    page = report_text[start:]
    labels = sorted(GROUP_LABELS, key=page.find)
    for i, label in enumerate(labels):
        begin = page.index(label) + len(label)
        end = page.find(labels[i + 1]) if i + 1 < len(labels) else begin + 200
        row = page[begin:end]
        has_figures = re.search(r"\d+\s?%", row) is not None
        assert has_figures == (GROUP_LABELS[label] not in POOL), (label, row)
