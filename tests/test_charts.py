"""coopkit.charts: assertions on the artists (labels, cells, masks, lines), never on
pixels. Figures are plain matplotlib ``Figure`` objects with the Agg canvas: no pyplot,
no display."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from coopkit import analysis, charts, synthetic
from coopkit.analysis import MASKED, OK

GROUPS = {"direction_generale": 6, "personnel": 8, "elus_population": 3}  # elus < k = 5


@pytest.fixture(scope="module")
def questionnaire():
    return synthetic.example_questionnaire()


@pytest.fixture(scope="module")
def answers(questionnaire):
    return synthetic.answers(questionnaire, GROUPS, seed=7)


def axes(size=(12, 6)):
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def draw(ax) -> None:
    """Lay out and render once: catches errors that only show when drawing."""
    ax.figure.canvas.draw()


# ------------------------------------------------------------------- feelings map

def test_feelings_map_cells_masks_and_labels(answers):
    fmap = analysis.feelings_map(answers)
    ax = axes()
    made = charts.plot_feelings_map(ax, fmap)
    draw(ax)
    assert len(made["cells"]) == 3 * 9  # 3 groups x 3 themes x 3 feelings
    assert made["image"].get_array().shape == (3, 9)
    assert len(made["masked"]) == 9  # the whole "elus_population" row
    assert all(p.get_hatch() for p in made["masked"])
    assert texts(ax).count("< 5") == 9
    ok = fmap[fmap["status"] == OK]
    first = ok.iloc[0]
    assert f"n={int(first['n'])}" in made["cells"][0].get_text()
    assert f"{first['mean']:.2f}".replace(".", ",") in made["cells"][0].get_text()
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    assert ylabels == ["Direction générale", "Personnels des\nétablissements",
                       "Élus et population"]
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["Attraits", "Peurs",
                                                               "Tentations"]
    assert made["title"].get_text() == "Carte des ressentis"
    assert made["colorbar"] is not None


def test_feelings_map_in_english_and_one_feeling(answers):
    fmap = analysis.feelings_map(answers)
    ax = axes()
    made = charts.plot_feelings_map(ax, fmap, lang="en", feeling="peur", colorbar=False)
    assert len(made["cells"]) == 3 * 3
    assert made["title"].get_text() == "Feelings map: Fears"
    assert "General management" in [t.get_text() for t in ax.get_yticklabels()]
    assert "respondents" in ax.get_xlabel()


def test_feelings_map_marks_empty_cells_apart_from_masked_ones():
    rows = synthetic.answers(synthetic.example_questionnaire(), {"personnel": 5}, seed=1,
                             skip=0.0)
    rows = rows[~((rows["feeling"] == "peur") & (rows["theme"] == "qualite"))]
    rows.attrs["k"] = 5
    made = charts.plot_feelings_map(axes(), analysis.feelings_map(rows))
    assert len(made["empty"]) == 1 and len(made["masked"]) == 0
    assert [c.get_text() for c in made["cells"]].count("—") == 1


# ----------------------------------------------------------------------- tendency

def test_tendency_places_each_unmasked_group(answers):
    tend = analysis.tendencies(answers)
    ax = axes((13, 7))
    made = charts.plot_tendencies(ax, tend)
    draw(ax)
    assert len(made["points"]) == 2 and len(made["labels"]) == 2  # elus masked
    assert [c.get_text() for c in made["corners"]] == ["Coopératif", "Opportuniste",
                                                       "Individualiste"]
    assert "Élus et population" in made["masked"].get_text()
    assert "jamais un jugement" in " ".join(made["caption"].get_text().split())
    label = made["labels"][0].get_text()
    assert label.startswith("1. Direction générale") and "(n=6)" in label
    # the point sits at the barycentre of the corners weighted by the shares
    row = tend.iloc[0]
    x, y = made["points"][0].get_offsets()[0]
    assert x == pytest.approx(0.5 * row["cooperatif"] + row["individualiste"])
    assert y == pytest.approx(0.8660254 * row["cooperatif"])


def test_tendency_in_english(answers):
    made = charts.plot_tendencies(axes(), analysis.tendencies(answers), lang="en")
    assert [c.get_text() for c in made["corners"]] == ["Cooperative", "Opportunist",
                                                       "Individualist"]
    assert "never a judgement" in " ".join(made["caption"].get_text().split())


# ---------------------------------------------------------------------- readiness

def test_readiness_bars_and_masked_groups(answers, questionnaire):
    rdy = analysis.readiness(answers, questionnaire, level="section", by="group")
    ax = axes()
    made = charts.plot_readiness(ax, rdy)
    draw(ax)
    sections = rdy["label"].drop_duplicates().tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        charts._wrap(s, 32) for s in sections]
    assert len(made["bars"]) == int((rdy["status"] == OK).sum()) == 2 * len(sections)
    assert len(made["masked"]) == int((rdy["status"] == MASKED).sum()) == len(sections)
    first = rdy[rdy["status"] == OK].iloc[0]
    assert made["bars"][0].get_width() == pytest.approx(first["score"] * 100)
    assert made["values"][0].get_text() == f"{first['score'] * 100:.0f}\u202f%"
    assert [t.get_text() for t in made["legend"].get_texts()] == [
        "Direction générale", "Personnels des établissements", "Élus et population"]


def test_readiness_one_series_in_english(answers, questionnaire):
    rdy = analysis.readiness(answers, questionnaire, level="section", lang="en")
    made = charts.plot_readiness(axes(), rdy, lang="en")
    assert made["legend"] is None and len(made["bars"]) == len(rdy)
    assert made["title"].get_text() == "Ready to cooperate? Score by section"
    assert made["values"][0].get_text().endswith("%")


# --------------------------------------------------------------------- divergence

def test_divergence_bars_follow_the_agenda(answers, questionnaire):
    div = analysis.divergence(answers, questionnaire)
    ax = axes((13, 7))
    made = charts.plot_divergence(ax, div, limit=5)
    draw(ax)
    assert len(made["segments"]) == 3 and all(len(s) == 5 for s in made["segments"])
    top = div.head(5)
    assert made["labels"] == [charts._wrap(x, 40, 2) for x in top["label"]]
    ends = [sum(s[i].get_width() for s in made["segments"]) for i in range(5)]
    assert ends == pytest.approx(top["index"].tolist())
    assert [t.get_text() for t in made["legend"].get_texts()] == [
        "Dispersion des réponses", "Réponses aux deux extrêmes", "Écart entre groupes"]


def test_divergence_counts_masked_items():
    rows = synthetic.answers(synthetic.example_questionnaire(), {"personnel": 4}, seed=2)
    rows.attrs["k"] = 5
    div = analysis.divergence(rows)
    made = charts.plot_divergence(axes(), div, lang="en")
    assert all(len(s) == 0 for s in made["segments"])
    assert made["masked"].get_text().startswith(f"{len(div)} question(s) not shown")


# -------------------------------------------------------------------------- waves

def test_waves_dots_arrows_and_masks(questionnaire):
    t0 = synthetic.answers(questionnaire, {"personnel": 6, "encadrement": 3}, seed=3)
    t1 = synthetic.answers(questionnaire, {"personnel": 7, "encadrement": 6}, seed=4,
                           wave="T1")
    wv = analysis.waves(t0, t1)
    ax = axes((13, 8))
    made = charts.plot_waves(ax, wv, feeling="peur")
    draw(ax)
    shown = wv[wv["feeling"] == "peur"]
    ok = int((shown["status"] == OK).sum())
    assert len(made["before"].get_offsets()) == len(made["after"].get_offsets()) == ok == 3
    assert len(made["arrows"]) == ok
    assert len(made["masked"]) == 3  # encadrement had 3 < 5 at T0
    assert made["labels"][0].startswith("Cadres intermédiaires")  # method order
    assert made["deltas"][0].get_text() == "< 5"
    first = shown.iloc[3]
    assert first["group"] == "personnel" and first["status"] == OK
    assert f"n {int(first['n0'])}→{int(first['n1'])}" in made["deltas"][3].get_text()
    assert made["title"].get_text().endswith("Peurs")
    english = charts.plot_waves(axes(), wv, lang="en")
    assert [t.get_text() for t in english["legend"].get_texts()] == [
        "First wave (T0)", "Second wave (T1)"]


# --------------------------------------------------------------------- commitment

def test_commitment_gauge_has_the_60_percent_line():
    com = analysis.commitment(synthetic.proposals(
        {"personnel": 10, "encadrement": 5}, done_share={"personnel": 1.0,
                                                         "encadrement": 0.0}, seed=1))
    ax = axes()
    made = charts.plot_commitment(ax, com)
    draw(ax)
    assert list(made["line"].get_xdata()) == [60, 60]
    assert made["line_label"].get_text() == "Engagement : 60\u202f%"
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Ensemble", "Cadres intermédiaires", "Personnels des\nétablissements"]
    assert len(made["bars"]) == 3
    meets = dict(zip(com["group"], com["meets_commitment"], strict=True))
    for bar, (_, row) in zip(made["bars"], com.iterrows(), strict=True):
        assert bar.get_width() == pytest.approx(row["share_done"] * 100)
        assert bool(bar.get_hatch()) is (not meets[row["group"]])  # not only colour
    assert made["values"][2].get_text() == "10 sur 10 (100\u202f%)"
    english = charts.plot_commitment(axes(), com, lang="en")
    assert english["line_label"].get_text() == "Commitment: 60%"
    assert english["title"].get_text() == "Action proposals carried out"


def test_commitment_without_proposals_says_so():
    com = analysis.commitment(pd.DataFrame({"group": [], "status": []}))
    made = charts.plot_commitment(axes(), com)
    assert made["bars"] == [] and made["values"][0].get_text() == "aucune proposition"


def test_charts_return_artists_on_the_given_axes_only(answers):
    ax = axes()
    made = charts.plot_feelings_map(ax, analysis.feelings_map(answers), colorbar=False)
    assert made["image"].axes is ax
    assert all(isinstance(p, Rectangle) and p.axes is ax for p in made["masked"])
    assert len(ax.figure.axes) == 1  # no colorbar axes, no new figure


def test_feelings_map_without_answers_says_so(questionnaire):
    rows = synthetic.answers(questionnaire, {}, seed=1)
    made = charts.plot_feelings_map(axes(), analysis.feelings_map(rows), lang="en")
    assert made["cells"] == [] and made["note"].get_text() == "No answers yet."


# ------------------------------------------------- tendency: nothing drawn on top

def _overlap(a, b) -> bool:
    return not (a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0)


def test_tendency_close_groups_are_spread_and_the_list_clears_the_caption(questionnaire):
    """Two groups with the same feelings used to sit on one another; seven groups
    pushed the list of groups under the caption."""
    groups = {g: 6 for g in ("direction_generale", "direction_fonctionnelle", "encadrement",
                             "personnel", "medical_soignant", "instances",
                             "elus_population")}
    same = synthetic.Profile()
    profiles = {g: same for g in groups}  # every group alike: their points coincide
    tend = analysis.tendencies(synthetic.answers(questionnaire, groups, profiles=profiles,
                                                 seed=3))
    ax = axes((13, 7))
    made = charts.plot_tendencies(ax, tend)
    draw(ax)
    renderer = ax.figure.canvas.get_renderer()
    centres = [p.get_offsets()[0] for p in made["points"]]
    assert len(centres) == 7
    for i in range(7):
        for j in range(i + 1, 7):
            gap = ((centres[i][0] - centres[j][0]) ** 2
                   + (centres[i][1] - centres[j][1]) ** 2) ** 0.5
            assert gap >= charts.TENDENCY_GAP * 0.99, (i, j)
    assert made["anchors"]  # spread points are tied to their true places
    boxes = [label.get_window_extent(renderer) for label in made["labels"]]
    caption = made["caption"].get_window_extent(renderer)
    assert not any(_overlap(box, caption) for box in boxes)
    assert not any(_overlap(boxes[i], boxes[i + 1]) for i in range(len(boxes) - 1))
    figure = ax.figure.bbox
    assert all(figure.y0 <= box.y0 and box.y1 <= figure.y1 for box in boxes)


def test_tendency_far_groups_stay_at_their_place(answers):
    tend = analysis.tendencies(answers)
    made = charts.plot_tendencies(axes((13, 7)), tend)
    assert made["anchors"] == []
    drawn = [float(v) for p in made["points"] for v in p.get_offsets()[0]]
    assert drawn == pytest.approx([float(v) for xy in made["positions"] for v in xy])


def test_intensity_colour_follows_the_maps_palette():
    assert charts.intensity_colour(0)[0] != charts.intensity_colour(1)[0]
    assert charts.intensity_colour(0)[1] == "white" and charts.intensity_colour(1)[1] == "black"
    assert charts.intensity_colour(-3) == charts.intensity_colour(0)
