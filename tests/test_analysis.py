"""coopkit.analysis on tiny frames built row by row, against hand-computed figures.

Each expected number is worked out in the comment beside it, so a reader can check it
without running anything.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from coopkit import CoopkitError, analysis
from coopkit.analysis import ANSWER_COLUMNS, EMPTY, MASKED, OK
from coopkit.definitions.questionnaire import parse

approx = pytest.approx

# ----------------------------------------------------------------------- fixtures

SCALE = {"points": [{"value": v, "label": {"fr": str(v), "en": str(v)}} for v in range(1, 6)],
         "not_applicable": True, "dont_know": True}


def _item(iid: str, principles: list[int], **extra: object) -> dict:
    return {"id": iid, "type": "scale", "scale": "accord", "principles": principles,
            "text": {"fr": f"Énoncé {iid}", "en": f"Statement {iid}"},
            "feedback": {"fr": f"Conseil {iid}", "en": f"Advice {iid}"}, **extra}


#: s1 "Gouvernance" = sub-section s1a (a1, a2) + b1 directly in s1;
#: s2 "Décision" = c1, c2 (text), c3 (shown to medical staff only).
#: Scale 1..5: scores 0, .25, .5, .75, 1.
Q = parse({
    "id": "q", "version": "1", "kind": "readiness",
    "title": {"fr": "Prêts", "en": "Ready"},
    "groups": ["personnel", "medical_soignant", "direction_generale"],
    "scales": {"accord": SCALE},
    "sections": [
        {"id": "s1", "title": {"fr": "Gouvernance", "en": "Governance"},
         "items": [_item("b1", [9])],
         "subsections": [{"id": "s1a", "title": {"fr": "Organiser", "en": "Organise"},
                          "items": [_item("a1", [2]), _item("a2", [2, 9])]}]},
        {"id": "s2", "title": {"fr": "Décision", "en": "Decision"},
         "items": [_item("c1", [8]),
                   {"id": "c2", "type": "text", "required": False,
                    "text": {"fr": "Remarque", "en": "Remark"}},
                   _item("c3", [], groups=["medical_soignant"])]},
    ],
})


def answer(participant: int, group: str, item_id: str, value: object, *,
           establishment: str = "ch-nord", questionnaire=Q, **over: object) -> dict:
    """One row of the answers frame, scored by the questionnaire itself."""
    item = questionnaire.item(item_id)
    path = questionnaire.section_path(item_id)
    score = item.score(value)
    row = {
        "workshop_id": 1, "project_id": 1, "wave": "T0", "questionnaire_id": questionnaire.id,
        "questionnaire_hash": questionnaire.content_hash, "participant": participant,
        "group": group, "establishment": establishment, "validated": True,
        "item_id": item_id, "item_type": item.type, "section_id": path[0].id,
        "subsection_id": path[1].id if len(path) > 1 else None, "value": value,
        "score": math.nan if score is None else score, "weak": item.is_weak(value),
        "feeling": item.feeling, "theme": item.theme, "principles": item.principles,
        "factor": item.factor, "about": item.about, "mirrors": item.mirrors,
        "answered_at": pd.Timestamp("2025-01-01", tz="UTC"),
    }
    row.update(over)
    return row


def frame(rows: list[dict], k: int | None = 5) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(ANSWER_COLUMNS))
    if k is not None:
        out.attrs["k"] = k
    return out


def feeling(participant: int, group: str, score: float, feeling: str = "attrait",
            theme: str | None = "qualite", *, item: str | None = None,
            about: str | None = None, mirrors: str | None = None) -> dict:
    """A row of a feelings item (intensity 0..5: value = score * 5)."""
    return {
        "workshop_id": 1, "project_id": 1, "wave": "T0", "questionnaire_id": "ressentis",
        "questionnaire_hash": "h", "participant": participant, "group": group,
        "establishment": "ch-nord", "validated": True,
        "item_id": item or f"{feeling}-{theme}", "item_type": "intensity",
        "section_id": "ressentis", "subsection_id": None, "value": round(score * 5),
        "score": score, "weak": False, "feeling": feeling, "theme": theme, "principles": (),
        "factor": None, "about": about, "mirrors": mirrors,
        "answered_at": pd.Timestamp("2025-01-01", tz="UTC"),
    }


# P1, P2: personnel; P3: medical staff.
BASE_ROWS = [
    answer(1, "personnel", "a1", 5), answer(1, "personnel", "a2", 3),
    answer(1, "personnel", "b1", 1), answer(1, "personnel", "c1", 4),
    answer(1, "personnel", "c2", "rien à signaler"),
    answer(2, "personnel", "a1", 4), answer(2, "personnel", "a2", "dk"),
    answer(2, "personnel", "b1", 2),
    answer(3, "medical_soignant", "a1", 1), answer(3, "medical_soignant", "a2", 1),
    answer(3, "medical_soignant", "b1", 5), answer(3, "medical_soignant", "c1", 5),
    answer(3, "medical_soignant", "c3", 3),
]


def one(table: pd.DataFrame, **where: object) -> pd.Series:
    """The single row of ``table`` matching ``where``."""
    selected = table
    for col, value in where.items():
        selected = selected[selected[col] == value]
    assert len(selected) == 1, (where, selected)
    return selected.iloc[0]


# ------------------------------------------------------------------------ masking

def test_mask_sets_status_values_and_hides_small_counts():
    table = pd.DataFrame({"cell": list("abcd"), "n": [0, 4, 5, 6], "v": [np.nan, .1, .2, .3],
                          "label": [None, "x", "y", "z"]})
    out = analysis.mask(table, 5, ["v", "label"])
    assert out["status"].tolist() == [EMPTY, MASKED, OK, OK]
    assert out["masked"].tolist() == [False, True, False, False]
    assert out["v"].isna().tolist() == [True, True, False, False]
    assert out["label"].tolist() == [None, None, "y", "z"]
    assert out["n"].tolist()[0] == 0 and out["n"].isna().tolist() == [False, True, False, False]
    assert out.attrs["k"] == 5
    assert table["v"].tolist()[1] == .1  # the input is left alone


def test_mask_on_two_counts_uses_the_smallest():
    table = pd.DataFrame({"n0": [6, 6, 0], "n1": [4, 7, 9], "d": [1.0, 2.0, 3.0]})
    out = analysis.mask(table, 5, ["d"], n=("n0", "n1"))
    assert out["status"].tolist() == [MASKED, OK, EMPTY]
    assert out["n0"].tolist()[0] == 6 and pd.isna(out["n1"].iloc[0])
    assert out["d"].isna().tolist() == [True, False, True]


def test_k_defaults_to_5():
    assert analysis.anonymity_k(pd.DataFrame()) == analysis.DEFAULT_K == 5
    assert analysis.anonymity_k(frame([], k=3)) == 3


def _group_of(n: int, group: str = "personnel", start: int = 1) -> list[dict]:
    return [answer(p, group, "a1", 5) for p in range(start, start + n)]


@pytest.mark.parametrize(("n", "status"), [(2, MASKED), (3, OK), (4, OK)])
def test_group_readiness_masked_below_k(n, status):
    # k = 3: k-1 respondents are masked, k and k+1 are shown.
    table = analysis.readiness(frame(_group_of(n), k=3), Q, level="item", by="group")
    row = one(table, group="personnel", item_id="a1")
    assert row["status"] == status
    assert bool(row["masked"]) is (status == MASKED)
    if status == OK:
        assert row["score"] == 1.0 and row["n"] == n
    else:
        assert math.isnan(row["score"]) and pd.isna(row["n"])


@pytest.mark.parametrize(("n", "status"), [(4, MASKED), (5, OK), (6, OK)])
def test_whole_workshop_item_breakdown_masked_below_k(n, status):
    # Default k (5, no attrs): a whole-workshop breakdown by item is masked too.
    rows = frame(_group_of(n), k=None)
    table = analysis.readiness(rows, Q, level="item")
    assert one(table, item_id="a1")["status"] == status
    assert one(table, item_id="b1")["status"] == EMPTY  # nobody answered: not "masked"
    assert one(table, item_id="b1")["n"] == 0


def test_own_result_is_never_masked():
    table = analysis.readiness(frame(BASE_ROWS, k=5), Q, level="section", participant=2)
    s1 = one(table, section_id="s1")
    assert s1["status"] == OK and s1["score"] == approx(0.5) and s1["n"] == 1
    assert one(table, section_id="s2")["status"] == EMPTY  # P2 answered nothing in s2


# ---------------------------------------------------------------------- readiness

def test_readiness_per_item():
    table = analysis.readiness(frame(BASE_ROWS, k=1), Q, level="item")
    assert table["item_id"].tolist() == ["b1", "a1", "a2", "c1", "c3"]  # c2 has no score
    assert one(table, item_id="a1")["score"] == approx((1 + .75 + 0) / 3)
    a2 = one(table, item_id="a2")
    assert a2["score"] == approx((.5 + 0) / 2) and a2["n"] == 2  # P2 said "don't know"
    assert one(table, item_id="b1")["score"] == approx((0 + .25 + 1) / 3)
    assert one(table, item_id="c1")["score"] == approx((.75 + 1) / 2)
    assert one(table, item_id="a1")["label"] == "Énoncé a1"


def test_readiness_per_subsection_section_principle_and_overall():
    rows = frame(BASE_ROWS, k=1)
    sub = analysis.readiness(rows, Q, level="subsection")
    # s1a = a1, a2 per person: P1 (1+.5)/2=.75, P2 .75 (a2 "dk"), P3 (0+0)/2=0 -> .5
    assert sub["subsection_id"].tolist() == ["s1a"]
    assert one(sub, subsection_id="s1a")["score"] == approx(0.5)
    sec = analysis.readiness(rows, Q, level="section", lang="en")
    # s1 = a1, a2, b1: P1 (1+.5+0)/3=.5, P2 (.75+.25)/2=.5, P3 (0+0+1)/3=1/3
    s1 = one(sec, section_id="s1")
    assert s1["score"] == approx((.5 + .5 + 1 / 3) / 3) and s1["n"] == 3
    assert s1["spread"] == approx(np.std([.5, .5, 1 / 3]))
    assert s1["label"] == "Governance"
    # s2 = c1, c3: P1 .75, P3 (1+.5)/2=.75
    assert one(sec, section_id="s2")["score"] == approx(0.75)
    pri = analysis.readiness(rows, Q, level="principle")
    assert pri["principle"].tolist() == [2, 8, 9]
    assert one(pri, principle=2)["score"] == approx(0.5)  # same items as s1a
    # principle 9 = a2, b1: P1 (.5+0)/2=.25, P2 .25, P3 (0+1)/2=.5
    assert one(pri, principle=9)["score"] == approx((.25 + .25 + .5) / 3)
    assert one(pri, principle=8)["score"] == approx(.875)
    overall = analysis.readiness(rows, Q, level="overall")
    # P1 (1+.5+0+.75)/4=.5625, P2 (.75+.25)/2=.5, P3 (0+0+1+1+.5)/5=.5
    assert one(overall, unit="overall")["score"] == approx((.5625 + .5 + .5) / 3)


#: Two directors (P4, P5) beside BASE_ROWS: with k = 2, the medical group (P3 alone) is
#: hidden with the next smallest group (direction_generale, 2 people, before personnel
#: in name order), so that the room minus personnel never gives P3 away.
DIRECTORS = [answer(p, "direction_generale", i, 3) for p in (4, 5) for i in ("a1", "b1")]


def test_readiness_per_group_masks_small_groups():
    table = analysis.readiness(frame(BASE_ROWS + DIRECTORS, k=2), Q, level="section",
                               by="group")
    assert table["group"].tolist() == (["direction_generale"] * 2 + ["personnel"] * 2
                                       + ["medical_soignant"] * 2)  # the method's order
    assert one(table, group="personnel", section_id="s1")["score"] == approx(0.5)
    # only P1 has a score in s2: one respondent < k = 2
    assert one(table, group="personnel", section_id="s2")["status"] == MASKED
    assert set(table[table["group"] == "medical_soignant"]["status"]) == {MASKED}
    # hidden with the medical group everywhere, though 2 directors answered s1
    directors = one(table, group="direction_generale", section_id="s1")
    assert directors["status"] == MASKED and pd.isna(directors["n"])


def test_readiness_hides_the_other_group_when_only_two_groups_answered():
    # personnel (2) and medical staff (1): the room's score minus personnel's would be
    # P3's, so personnel is hidden too (complementary suppression)
    table = analysis.readiness(frame(BASE_ROWS, k=2), Q, level="section", by="group")
    assert set(table["status"]) == {MASKED}
    whole = analysis.readiness(frame(BASE_ROWS, k=2), Q, level="section")
    assert one(whole, section_id="s1")["status"] == OK


def test_unknown_level_is_explained():
    with pytest.raises(CoopkitError) as err:
        analysis.readiness(frame(BASE_ROWS), Q, level="chapter")
    assert err.value.codes == ["unknown_level"]
    assert "chapter" in str(err.value) and "section" in str(err.value)


def test_completion():
    table = analysis.completion(frame(BASE_ROWS, k=1), Q, level="section")
    # s1 (3 items): everyone answered all three ("dk" counts as an answer)
    assert one(table, section_id="s1")["completion"] == approx(1.0)
    # s2: P1 c1, c2 of 2 -> 1; P2 0 of 2 -> 0; P3 (c3 shown to medical staff) 2 of 3
    s2 = one(table, section_id="s2")
    assert s2["completion"] == approx((1 + 0 + 2 / 3) / 3) and s2["n"] == 3
    own = analysis.completion(frame(BASE_ROWS), Q, level="overall", participant=3)
    assert one(own, unit="overall")["completion"] == approx(5 / 6)  # 5 of 6 items shown
    groups = analysis.completion(frame(BASE_ROWS + DIRECTORS, k=2), Q, level="section",
                                 by="group")
    assert one(groups, group="personnel", section_id="s2")["completion"] == approx(0.5)
    assert one(groups, group="medical_soignant", section_id="s2")["status"] == MASKED


def test_weakest_items_with_recommendations():
    rows = frame(BASE_ROWS, k=1)
    # weak = score < .5: a1 {P3} 1/3, a2 {P3} 1/2 (P2's "dk" has no score),
    # b1 {P1, P2} 2/3, c1 and c3 none.
    table = analysis.weakest_items(rows, Q, limit=None)
    assert table["item_id"].tolist() == ["b1", "a2", "a1"]
    assert table["weak_share"].tolist() == approx([2 / 3, 1 / 2, 1 / 3])
    first = table.iloc[0]
    assert first["recommendation"] == "Conseil b1" and first["section"] == "Gouvernance"
    assert first["text"] == "Énoncé b1" and first["score"] == approx(1.25 / 3)
    assert analysis.weakest_items(rows, Q, limit=2)["item_id"].tolist() == ["b1", "a2"]
    mine = analysis.weakest_items(rows, Q, participant=1, lang="en")
    assert mine["item_id"].tolist() == ["b1"]  # a2 at 3/5 = .5 is not weak
    assert mine["recommendation"].tolist() == ["Advice b1"]


def test_weakest_items_leave_masked_items_out():
    assert analysis.weakest_items(frame(BASE_ROWS, k=5), Q).empty


# -------------------------------------------------------------------- feelings map

FEELING_ROWS = [
    # personnel, attraction / quality: P1 two items .8 and .4 -> .6; P2 .2
    feeling(1, "personnel", .8, item="fa1"), feeling(1, "personnel", .4, item="fa2"),
    feeling(2, "personnel", .2, item="fa1"),
    # personnel, fear / arbitration: P1 1.0, P2 .6
    feeling(1, "personnel", 1.0, "peur", "arbitrage"),
    feeling(2, "personnel", .6, "peur", "arbitrage"),
    # an estimate of another group is no own feeling
    feeling(1, "personnel", .9, "peur", "qualite", about="medical_soignant", item="e1"),
    # medical staff: a single respondent
    feeling(3, "medical_soignant", .4),
]


#: Two directors beside FEELING_ROWS: the medical respondent (alone) is hidden with
#: them, personnel stays visible.
FEELING_DIRECTORS = [feeling(p, "direction_generale", .5) for p in (4, 5)]


def test_feelings_map_mean_spread_n():
    fmap = analysis.feelings_map(frame(FEELING_ROWS + FEELING_DIRECTORS, k=2))
    assert len(fmap) == 3 * 9  # every group gets the 3 x 3 cells
    cell = one(fmap, group="personnel", theme="qualite", feeling="attrait")
    assert cell["mean"] == approx(0.4)  # persons .6 and .2
    assert cell["spread"] == approx(0.2)  # |.6 - .4| = |.2 - .4| = .2
    assert cell["n"] == 2 and cell["status"] == OK
    assert cell["value_mean"] == approx(2.0)  # raw: P1 (4+2)/2=3, P2 1
    fear = one(fmap, group="personnel", theme="arbitrage", feeling="peur")
    assert fear["mean"] == approx(0.8)
    # the estimate about medical staff did not land in personnel's fear / quality cell
    assert one(fmap, group="personnel", theme="qualite", feeling="peur")["status"] == EMPTY
    medical = one(fmap, group="medical_soignant", theme="qualite", feeling="attrait")
    assert medical["status"] == MASKED and math.isnan(medical["mean"])
    # a group hidden everywhere says "masked" even where it gave no answer: "no answer"
    # would tell which hidden group the pooled raw answers are not from
    empty = one(fmap, group="medical_soignant", theme="arbitrage", feeling="peur")
    assert empty["status"] == MASKED and empty["n"] == 0
    directors = one(fmap, group="direction_generale", theme="qualite", feeling="attrait")
    assert directors["status"] == MASKED and pd.isna(directors["n"])  # hidden with P3


@pytest.mark.parametrize(("n", "status"), [(3, MASKED), (4, OK), (5, OK)])
def test_feelings_map_masking_at_k(n, status):
    rows = [feeling(p, "personnel", .5) for p in range(1, n + 1)]
    cell = one(analysis.feelings_map(frame(rows, k=4)), theme="qualite", feeling="attrait")
    assert cell["status"] == status


def test_feelings_map_per_establishment_and_whole_room():
    rows = [feeling(1, "personnel", .2), feeling(2, "personnel", .4),
            {**feeling(3, "personnel", 1.0), "establishment": "ehpad-sud"}]
    fmap = analysis.feelings_map(frame(rows, k=1), by=("group", "establishment"))
    assert len(fmap) == 2 * 9
    cell = one(fmap, establishment="ch-nord", theme="qualite", feeling="attrait")
    assert cell["mean"] == approx(0.3)
    room = analysis.feelings_map(frame(rows, k=1), by=[])
    assert len(room) == 9
    assert one(room, theme="qualite", feeling="attrait")["mean"] == approx(1.6 / 3)


def test_feelings_map_lists_expected_groups_even_without_answers():
    fmap = analysis.feelings_map(frame(FEELING_ROWS, k=1),
                                 groups=["direction_generale", "personnel"])
    assert fmap["group"].drop_duplicates().tolist()[:2] == ["direction_generale", "personnel"]
    assert set(fmap[fmap["group"] == "direction_generale"]["status"]) == {EMPTY}


# ---------------------------------------------------------------------- tendencies

def _profile(group: str, a: float, f: float, tt: float, c: float | None = None,
             start: int = 1, n: int = 1):
    rows = []
    for p in range(start, start + n):
        rows += [feeling(p, group, a, "attrait"), feeling(p, group, f, "peur"),
                 feeling(p, group, tt, "tentation")]
        if c is not None:
            rows.append(feeling(p, group, c, "confiance"))
    return rows


def _read(a, f, tt, c=None, *, n=1, k=1):
    return one(analysis.tendencies(frame(_profile("personnel", a, f, tt, c, n=n), k=k)),
               group="personnel")


def test_tendency_formula():
    # A=.6, F=.8, T=.2, C=1: cooperative .6*(1-.8)*1=.12, opportunist .2*(1-1)=0,
    # individualist .8*(1-.6)=.32 -> leans individualist by .20 (margin .10)
    row = _read(.6, .8, .2, 1.0)
    assert row["confiance"] == approx(1.0) and row["trust_measured"] is True
    assert [row[f"pressure_{b}"] for b in ("cooperatif", "opportuniste", "individualiste")
            ] == approx([.12, 0, .32])
    assert row["leaning"] == row["reading"] == "individualiste"
    assert row["intensity"] == approx((.6 + .8 + .2) / 3)


def test_tendency_without_measured_trust_is_not_read():
    """No proxy presented as a measurement: « confiance non mesurée »."""
    row = _read(.8, .1, .1)
    assert math.isnan(row["confiance"]) and row["trust_measured"] is False
    assert row["reading"] == "confiance_non_mesuree" and row["leaning"] is None
    assert math.isnan(row["pressure_cooperatif"]) and math.isnan(row["pressure_opportuniste"])
    assert row["pressure_individualiste"] == approx(.1 * .2)
    assert analysis.tendency.phrase(row["reading"], "fr") == \
        "confiance non mesurée : tendance non lue"


@pytest.mark.parametrize("trust", [.2, .5, .9])
@pytest.mark.parametrize(("a", "f"), [(.6, .5), (.8, .2), (.4, .7)])
def test_admitting_temptation_never_lowers_the_cooperative_reading(a, f, trust):
    """Frankness at T1: raising T with measured trust unchanged leaves the cooperative
    pressure as it was (the questionnaire says admitting a temptation is a step
    towards trust)."""
    pressures = [_read(a, f, tt, trust)["pressure_cooperatif"] for tt in (0, .1, .2, .4, .8)]
    assert pressures == approx([pressures[0]] * 5)


def test_admitted_temptation_is_candour_when_trust_holds():
    before = analysis.tendencies(frame(_profile("personnel", .6, .4, .1, .7), k=1))
    frank = analysis.tendencies(frame(_profile("personnel", .6, .4, .4, .7), k=1))
    wary = analysis.tendencies(frame(_profile("personnel", .6, .4, .4, .4), k=1))
    assert one(analysis.tendency_change(before, frank), group="personnel")["note"] == \
        "franchise"
    assert one(analysis.tendency_change(before, wary), group="personnel")["note"] == \
        "vigilance"
    assert one(analysis.tendency_change(before, before), group="personnel")["note"] is None


@pytest.mark.parametrize("a", np.linspace(0, .95, 8))
@pytest.mark.parametrize("gap", [.05, .2, .5])
@pytest.mark.parametrize("tt", [0, .3])
@pytest.mark.parametrize("trust", [.3, 1.0])
def test_a_group_more_afraid_than_attracted_is_never_cooperative(a, gap, tt, trust):
    f = min(a + gap, 1.0)
    row = _read(a, f, tt, trust)
    assert row["reading"] != "cooperatif" and row["leaning"] != "cooperatif"
    assert row["pressure_individualiste"] > row["pressure_cooperatif"]


@pytest.mark.parametrize(("profile", "reading"), [
    ((.1, .05, 0, .5), "trop_faible"),      # indifferent: no behaviour read
    ((0, 0, 0, .5), "trop_faible"),
    ((.6, .5, .2, .7), "pas_nette"),         # .21 vs .20: too close to tell
    ((.9, .1, .9, 1), "cooperatif"),
    ((.9, .1, .9, .1), "opportuniste"),
    ((.8, .2, .3, .8), "cooperatif"),
    ((.3, .8, .1, .6), "individualiste"),
    ((1, 1, 1, 1), "trop_faible"),           # every push fully held in check
    ((.5, .5, .5, .5), "pas_nette"),        # opportunist .25 = individualist .25
])
def test_tendency_readings(profile, reading):
    row = _read(*profile)
    assert row["reading"] == reading
    assert row["leaning"] == (reading if reading in analysis.tendency.method.BEHAVIOUR_IDS
                              else None)


def test_near_ties_have_no_clear_tendency():
    # cooperative .8*(1-f)*c against individualist f*(1-.8): pick a pair .05 apart
    row = _read(.8, .45, 0, .6)   # coop .264, ind .09 -> clear
    assert row["reading"] == "cooperatif"
    row = _read(.6, .5, .2, .7)   # coop .21, ind .20
    assert abs(row["pressure_cooperatif"] - row["pressure_individualiste"]) < \
        analysis.tendency.MARGIN and row["reading"] == "pas_nette"


def test_tendency_averages_persons_then_group():
    # attractions .4 and .8 over two persons -> A = .6
    rows = [feeling(1, "personnel", .4), feeling(2, "personnel", .8),
            feeling(1, "personnel", .8, "peur"), feeling(2, "personnel", .8, "peur"),
            feeling(1, "personnel", .2, "tentation"), feeling(2, "personnel", .2, "tentation"),
            feeling(1, "personnel", 1, "confiance"), feeling(2, "personnel", 1, "confiance")]
    row = analysis.tendencies(frame(rows, k=2)).iloc[0]
    assert row["attrait"] == approx(.6) and row["n"] == 2 and row["n_confiance"] == 2
    assert row["pressure_cooperatif"] == approx(.12)


@pytest.mark.parametrize(("n", "status"), [(4, MASKED), (5, OK), (6, OK)])
def test_tendency_masked_below_k(n, status):
    rows = frame(_profile("personnel", .6, .8, .2, .5, n=n))  # k = 5
    row = analysis.tendencies(rows).iloc[0]
    assert row["status"] == status
    assert (row["reading"] is None) is (status == MASKED)


def test_each_component_must_reach_k():
    """Six answered attractions, but only two answered fears and temptations (and
    trust): no mean of two people is shown as a group's figure."""
    rows = [feeling(p, "personnel", .6, "attrait") for p in range(1, 7)]
    rows += [feeling(p, "personnel", x, f) for p in (1, 2)
             for f, x in (("peur", .7), ("tentation", .13), ("confiance", .5))]
    row = analysis.tendencies(frame(rows)).iloc[0]  # k = 5
    assert row["status"] == MASKED and row["reading"] is None
    for col in ("attrait", "peur", "tentation", "confiance", "pressure_individualiste"):
        assert math.isnan(row[col]), col
    assert pd.isna(row["n_peur"]) and pd.isna(row["n_tentation"])


def test_trust_answered_by_too_few_masks_the_row():
    rows = [r for p in range(1, 7) for r in _profile("personnel", .6, .4, .2, start=p)]
    rows += [feeling(p, "personnel", .9, "confiance") for p in (1, 2)]
    row = analysis.tendencies(frame(rows)).iloc[0]
    assert row["status"] == MASKED and math.isnan(row["confiance"])


def test_the_exercise_and_the_workshop_agree():
    """The awareness exercise runs the same model on the same numbers."""
    from coopkit.consultant.exercise import profile_tendency

    for profile in [(.9, .1, .9, 1), (.6, .8, .2, 1), (.6, .5, .2, .7), (.2, .1, .6, .2)]:
        a, f, tt, c = profile
        mine = profile_tendency({"attrait": a, "peur": f, "tentation": tt, "confiance": c})
        room = _read(*profile, n=5, k=5)
        assert mine["reading"] == room["reading"] and mine["leaning"] == room["leaning"]
        for b in ("cooperatif", "opportuniste", "individualiste"):
            assert mine[b] == approx(room[f"pressure_{b}"])


def test_trust_is_its_own_row_of_the_feelings_map_and_of_the_waves():
    rows = FEELING_ROWS + [feeling(p, "personnel", .5, "confiance") for p in (1, 2)]
    fmap = analysis.feelings_map(frame(rows, k=1))
    assert "confiance" in set(fmap["feeling"])
    assert list(dict.fromkeys(fmap["feeling"])) == ["attrait", "peur", "tentation",
                                                    "confiance"]
    assert "confiance" not in set(analysis.feelings_map(frame(FEELING_ROWS, k=1))["feeling"])
    w = analysis.waves(frame(rows, k=1), frame(rows, k=1))
    assert "confiance" in set(w["feeling"])


# ---------------------------------------------------------------------- divergence

def _scores(item: str, groups: dict[str, list[float]], start: int = 1) -> list[dict]:
    rows, p = [], start
    for group, scores in groups.items():
        for s in scores:
            rows.append(feeling(p, group, s, item=item))
            p += 1
    return rows


def test_divergence_figures_and_order():
    rows = (_scores("x1", {"g1": [0, 0], "g2": [1, 1]})
            + _scores("x2", {"g1": [.5, .5], "g2": [.5, .5]})
            + _scores("x3", {"g1": [0, .25], "g2": [.75, 1]})
            + _scores("x4", {"g1": [.25, .5], "g2": [.5, .75]}))
    div = analysis.divergence(frame(rows, k=2))
    assert div["item_id"].tolist() == ["x1", "x3", "x4", "x2"]
    x1 = one(div, item_id="x1")
    # std .5; half at each extreme -> polarisation 1; groups 0 and 1 -> gap 1
    assert (x1["dispersion"], x1["polarisation"], x1["group_gap"]) == approx((.5, 1, 1))
    assert x1["index"] == approx((2 * .5 + 1 + 1) / 3)
    # Sarle, n=4, two points: skew 0, kurtosis ((5*-2)+6)*3/(2*1) = -6,
    # b = 1 / (-6 + 3*9/(2*1)) = 1/7.5
    assert x1["bimodality"] == approx(1 / 7.5)
    x3 = one(div, item_id="x3")
    std3 = math.sqrt((.25 + .0625 + .0625 + .25) / 4)
    assert x3["dispersion"] == approx(std3) and x3["group_gap"] == approx(.75)
    assert x3["index"] == approx((2 * std3 + 1 + .75) / 3)
    x4 = one(div, item_id="x4")
    # std sqrt(.03125); one answer at each extreme of four -> 2*min(.25,.25) = .5
    assert x4["polarisation"] == approx(.5) and x4["group_gap"] == approx(.25)
    x2 = one(div, item_id="x2")
    assert x2["index"] == 0 and math.isnan(x2["bimodality"])  # no variance


def test_divergence_group_gap_leaves_small_groups_out():
    # g3 (1 answer) is left out, and with it the next smallest group g1 (2 answers, before
    # g4 by size): the gap is g2 .75 minus g4 .5
    rows = _scores("y", {"g1": [.25, .25], "g2": [.75, .75, .75], "g3": [1.0],
                         "g4": [.5, .5, .5]})
    row = analysis.divergence(frame(rows, k=2)).iloc[0]
    assert row["group_gap"] == approx(.25) and row["n_groups"] == 2


def test_divergence_masks_items_answered_by_fewer_than_k_and_lists_them_last():
    rows = _scores("few", {"g1": [0, 1]}) + _scores("many", {"g1": [0, 1, 1]}, start=10)
    div = analysis.divergence(frame(rows, k=3))
    assert div["item_id"].tolist() == ["many", "few"]
    assert div["status"].tolist() == [OK, MASKED]
    assert math.isnan(div.iloc[1]["index"])


def test_divergence_with_questionnaire_labels_and_limit():
    div = analysis.divergence(frame(BASE_ROWS, k=1), Q, limit=2, lang="en")
    assert len(div) == 2 and div["label"].iloc[0].startswith("Statement")


# ---------------------------------------------------------------- other's shoes

SHOES = [
    # personnel estimate medical staff's fear / arbitration, mirroring item m1: .8, .6
    feeling(1, "personnel", .8, item="e1", feeling="peur", theme="arbitrage",
            about="medical_soignant", mirrors="m1"),
    feeling(2, "personnel", .6, item="e1", feeling="peur", theme="arbitrage",
            about="medical_soignant", mirrors="m1"),
    # ... and their attraction / quality, no mirror: compared with the map cell
    feeling(1, "personnel", .2, item="e2", about="medical_soignant"),
    feeling(2, "personnel", .4, item="e2", about="medical_soignant"),
    # what medical staff said: m1 .2, .4; attraction / quality .5, .7
    feeling(3, "medical_soignant", .2, "peur", "arbitrage", item="m1"),
    feeling(4, "medical_soignant", .4, "peur", "arbitrage", item="m1"),
    feeling(3, "medical_soignant", .5), feeling(4, "medical_soignant", .7),
]


def test_others_shoes_gap():
    table = analysis.others_shoes(frame(SHOES, k=2))
    mirrored = one(table, item_id="e1")
    assert (mirrored["group"], mirrored["about"]) == ("personnel", "medical_soignant")
    assert mirrored["estimate"] == approx(.7) and mirrored["actual"] == approx(.3)
    assert mirrored["gap"] == approx(.4)  # they think the others fear more than they say
    cell = one(table, item_id="e2")
    assert cell["actual"] == approx(.6) and cell["gap"] == approx(-.3)
    assert cell["n_estimate"] == 2 and cell["n_actual"] == 2


def test_a_group_estimating_itself_is_left_out():
    # medical staff "estimating" themselves (e.g. entered from paper) is no estimate
    selves = [feeling(3, "medical_soignant", 1.0, item="e2", about="medical_soignant"),
              feeling(4, "medical_soignant", 1.0, item="e2", about="medical_soignant")]
    table = analysis.others_shoes(frame(SHOES + selves, k=2))
    assert set(zip(table["group"], table["item_id"], strict=True)) == {
        ("personnel", "e1"), ("personnel", "e2")}
    assert one(table, item_id="e2")["estimate"] == approx(.3)


@pytest.mark.parametrize(("k", "status"), [(1, OK), (2, OK), (3, MASKED)])
def test_others_shoes_masked_when_either_side_is_small(k, status):
    # both sides have 2 respondents: k-1 and k show, k+1 masks
    row = one(analysis.others_shoes(frame(SHOES, k=k)), item_id="e1")
    assert row["status"] == status


# --------------------------------------------------------------------------- waves

def _wave(scores: list[float], wave: str, start: int = 1, project: int = 1) -> pd.DataFrame:
    rows = [{**feeling(start + i, "personnel", s, "peur"), "wave": wave, "project_id": project}
            for i, s in enumerate(scores)]
    return frame(rows, k=2)


def test_waves_delta_and_n():
    table = analysis.waves(_wave([.8, .6], "T0"), _wave([.4, .2, .3], "T1", start=10))
    row = one(table, group="personnel", theme="qualite", feeling="peur")
    assert (row["mean0"], row["mean1"], row["delta"]) == approx((.7, .3, -.4))
    assert (row["n0"], row["n1"]) == (2, 3) and row["status"] == OK


@pytest.mark.parametrize(("n0", "status"), [(1, MASKED), (2, OK), (3, OK)])
def test_waves_masked_when_either_wave_is_small(n0, status):
    table = analysis.waves(_wave([.5] * n0, "T0"), _wave([.4, .2, .3], "T1", start=10))
    row = table.iloc[0]
    assert row["status"] == status
    assert math.isnan(row["delta"]) is (status == MASKED)
    assert row["n1"] == 3  # the large side keeps its count


def test_waves_refuse_two_projects():
    with pytest.raises(CoopkitError) as err:
        analysis.waves(_wave([.5, .5], "T0"), _wave([.5, .5], "T1", project=2))
    assert err.value.codes == ["waves_mismatch"]


# ---------------------------------------------------------------------- commitment

def _proposals(statuses: dict[str, list[str]]) -> pd.DataFrame:
    rows = [{"id": i, "project_id": 1, "workshop_id": 1, "text": "x", "group": g,
             "feeling": "peur", "theme": "qualite", "principle": 1, "plan": "risques",
             "status": s, "owner": None, "due": None, "created_at": None, "updated_at": None}
            for i, (g, s) in enumerate((g, s) for g, ss in statuses.items() for s in ss)]
    return pd.DataFrame(rows)


def test_commitment_against_60_percent():
    table = analysis.commitment(_proposals({
        "personnel": ["done", "done", "done", "dropped", "proposed"],   # 3/5 = 60 %
        "encadrement": ["done", "in_progress", "dropped"],              # 1/3
    }))
    overall = one(table, scope="all")
    assert overall["group"] is None
    assert (overall["total"], overall["done"], overall["open"], overall["dropped"]) == (
        8, 4, 2, 2)
    assert overall["share_done"] == approx(.5) and not overall["meets_commitment"]
    personnel = one(table, group="personnel")
    assert personnel["share_done"] == approx(.6) and personnel["meets_commitment"]
    assert not one(table, group="encadrement")["meets_commitment"]
    assert table["group"].tolist() == [None, "encadrement", "personnel"]  # method order
    assert set(table["threshold"]) == {0.6}


def test_commitment_without_proposals():
    table = analysis.commitment(_proposals({}).reindex(columns=["group", "status"]))
    row = table.iloc[0]
    assert row["total"] == 0 and math.isnan(row["share_done"])
    assert not row["meets_commitment"]


# ----------------------------------------------------------------------- contracts

def test_inputs_are_not_modified():
    rows = frame(BASE_ROWS + FEELING_ROWS, k=1)
    before = rows.copy(deep=True)
    analysis.readiness(rows, Q, by="group")
    analysis.completion(rows, Q)
    analysis.feelings_map(rows)
    analysis.tendencies(rows)
    analysis.divergence(rows)
    pd.testing.assert_frame_equal(rows, before)


def test_select_keeps_one_questionnaire_and_validated_answers():
    rows = frame(BASE_ROWS + FEELING_ROWS, k=1)
    rows.loc[0, "validated"] = False
    assert set(analysis.select(rows, Q)["questionnaire_id"]) == {"q"}
    assert len(analysis.select(rows, "q", validated_only=True)) == len(BASE_ROWS) - 1
    assert analysis.select(rows, Q).attrs["k"] == 1


def test_analysis_never_imports_matplotlib():
    code = ("import sys, coopkit.analysis, coopkit.synthetic; "
            "sys.exit('matplotlib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_the_worked_examples_of_docs_tendency_are_what_coopkit_computes():
    """Both tables of docs/tendency.md, row by row (so the guide cannot drift)."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "tendency.md").read_text()
    words = {"fr": {"penche vers la coopération": "cooperatif",
                    "penche vers l'opportunisme": "opportuniste",
                    "penche vers l'individualisme": "individualiste",
                    "pas de tendance nette": "pas_nette", "ressentis trop faibles": "trop_faible",
                    "confiance non mesurée": "confiance_non_mesuree"},
             "en": {"leans towards cooperation": "cooperatif",
                    "leans towards opportunism": "opportuniste",
                    "leans towards individualism": "individualiste",
                    "no clear tendency": "pas_nette", "feelings too faint": "trop_faible",
                    "trust not measured": "confiance_non_mesuree"}}
    checked = 0
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 9 or not cells[1][:1].isdigit():
            continue
        a, f, tt = (float(c.replace(",", ".")) for c in cells[1:4])
        c = None if cells[4] == "—" else float(cells[4].replace(",", "."))
        expected = next(r for lang in words for w, r in words[lang].items() if w == cells[8])
        row = _read(a, f, tt, c)
        assert row["reading"] == expected, line
        for col, text in zip(("cooperatif", "opportuniste", "individualiste"), cells[5:8],
                             strict=True):
            value = row[f"pressure_{col}"]
            if text == "—":
                assert math.isnan(value), line
            else:
                assert value == approx(float(text.replace(",", ".")), abs=0.006), line
        checked += 1
    assert checked == 12
