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

#: elus (3) and users (2) are each under k = 5; hidden together they make 5, so the two
#: larger groups stay visible (complementary suppression hides nothing more).
GROUPS = {"direction_generale": 6, "personnel": 8, "elus_population": 3, "usager_patient": 2}


@pytest.fixture(scope="module")
def questionnaire():
    return synthetic.example_questionnaire()


@pytest.fixture(scope="module")
def answers(questionnaire):
    return synthetic.answers(questionnaire, GROUPS, seed=7, validated=1.0, skip=0.0)


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
    assert len(made["cells"]) == 4 * 9  # 4 groups x 3 themes x 3 feelings
    assert made["image"].get_array().shape == (4, 9)
    assert len(made["masked"]) == 2 * 9  # the whole "elus_population" and users' rows
    assert all(p.get_hatch() for p in made["masked"])
    assert texts(ax).count("masqué") == 2 * 9
    ok = fmap[fmap["status"] == OK]
    first = ok.iloc[0]
    assert f"n={int(first['n'])}" in made["cells"][0].get_text()
    assert f"{first['mean']:.2f}".replace(".", ",") in made["cells"][0].get_text()
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    assert ylabels == ["Direction générale", "Personnels des\nétablissements membres",
                       "Usagers, patients et\nleurs représentants\n(CDU, CVS)",
                       "Élus et population"]
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["Attraits", "Peurs",
                                                               "Tentations"]
    assert made["title"].get_text() == "Carte des ressentis"
    assert made["colorbar"] is not None


def test_feelings_map_in_english_and_one_feeling(answers):
    fmap = analysis.feelings_map(answers)
    ax = axes()
    made = charts.plot_feelings_map(ax, fmap, lang="en", feeling="peur", colorbar=False)
    assert len(made["cells"]) == 4 * 3
    assert made["title"].get_text() == "Feelings map: Fears"
    assert "General management" in [t.get_text() for t in ax.get_yticklabels()]
    assert "respondents" in ax.get_xlabel()


def test_feelings_map_marks_empty_cells_apart_from_masked_ones():
    rows = synthetic.answers(synthetic.example_questionnaire(), {"personnel": 5}, seed=1,
                             skip=0.0, validated=1.0)
    rows = rows[~((rows["feeling"] == "peur") & (rows["theme"] == "qualite"))]
    rows.attrs["k"] = 5
    made = charts.plot_feelings_map(axes(), analysis.feelings_map(rows))
    assert len(made["empty"]) == 1 and len(made["masked"]) == 0
    assert [c.get_text() for c in made["cells"]].count("—") == 1


# ----------------------------------------------------------------------- tendency

@pytest.fixture(scope="module")
def trust_answers():
    q = synthetic.example_questionnaire(trust=True)
    return synthetic.answers(q, GROUPS, seed=7, validated=1.0, skip=0.0)


def test_tendency_bars_and_readings_for_each_unmasked_group(trust_answers):
    tend = analysis.tendencies(trust_answers)
    ax = axes((13, 7))
    made = charts.plot_tendencies(ax, tend)
    draw(ax)
    shown = tend[tend["status"] == "ok"]
    assert len(shown) == 2  # elus masked
    for b in ("cooperatif", "opportuniste", "individualiste"):
        widths = [bar.get_width() for bar in made["bars"][b]]
        assert widths == pytest.approx(list(shown[f"pressure_{b}"]))
    assert [r.get_text().replace("\n", " ") for r in made["readings"]] == [
        analysis.tendency.phrase(r, "fr") for r in shown["reading"]]
    assert [bar.get_width() for bar in made["intensity"]] == pytest.approx(
        list(shown["intensity"]))
    assert "Élus et population" in made["masked"].get_text()
    assert "jamais un jugement" in made["caption"].get_text()
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("Direction générale") and "(n=6)" in t for t in texts)


def test_tendency_without_trust_says_so(answers):
    made = charts.plot_tendencies(axes(), analysis.tendencies(answers))
    assert {r.get_text().replace("\n", " ") for r in made["readings"]} == {
        "confiance non mesurée : tendance non lue"}


def test_tendency_in_english(trust_answers):
    made = charts.plot_tendencies(axes(), analysis.tendencies(trust_answers), lang="en")
    texts = [t.get_text() for t in made["readings"]]
    assert texts and all(t.replace("\n", " ") in {
        "leans towards cooperation", "leans towards opportunism", "leans towards individualism",
        "no clear tendency", "feelings too faint for a tendency"} for t in texts)
    assert "never a judgement" in made["caption"].get_text()


def test_tendency_with_no_answer_says_so():
    empty = analysis.tendencies(synthetic.answers(synthetic.example_questionnaire(), {}))
    made = charts.plot_tendencies(axes(), empty)
    assert made["note"] is not None and made["bars"]["cooperatif"] == []


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
    assert len(made["masked"]) == int((rdy["status"] == MASKED).sum()) == 2 * len(sections)
    first = rdy[rdy["status"] == OK].iloc[0]
    assert made["bars"][0].get_width() == pytest.approx(first["score"] * 100)
    assert made["values"][0].get_text() == f"{first['score'] * 100:.0f}\u202f%"
    assert [t.get_text() for t in made["legend"].get_texts()] == [
        "Direction générale", "Personnels des établissements membres",
        "Usagers, patients et leurs représentants (CDU, CVS)", "Élus et population"]


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
    assert made["labels"] == [charts._wrap(x, 48, None) for x in top["label"]]
    assert [" ".join(n.split()) for n in made["labels"]] == list(top["label"])  # in full
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
    assert made["masked"].get_text().startswith(f"{len(div)} questions not shown")


# -------------------------------------------------------------------------- waves

def test_waves_dots_arrows_and_masks(questionnaire):
    # at T0 middle managers (3) are hidden with the users (2): together they make k = 5
    t0 = synthetic.answers(questionnaire, {"personnel": 6, "encadrement": 3,
                                           "usager_patient": 2}, seed=3, validated=1.0,
                           skip=0.0)
    t1 = synthetic.answers(questionnaire, {"personnel": 7, "encadrement": 6,
                                           "usager_patient": 2}, seed=4, wave="T1",
                           validated=1.0, skip=0.0)
    wv = analysis.waves(t0, t1)
    ax = axes((13, 8))
    made = charts.plot_waves(ax, wv, feeling="peur")
    draw(ax)
    shown = wv[wv["feeling"] == "peur"]
    ok = int((shown["status"] == OK).sum())
    assert len(made["before"].get_offsets()) == len(made["after"].get_offsets()) == ok == 3
    assert len(made["arrows"]) == ok
    assert len(made["masked"]) == 6  # encadrement had 3 < 5 at T0; users 2 at each
    assert made["labels"][0].startswith("Cadres intermédiaires")  # method order
    assert made["deltas"][0].get_text() == "masqué"
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
        "Ensemble", "Cadres intermédiaires", "Personnels des\nétablissements membres"]
    assert len(made["bars"]) == 3
    meets = dict(zip(com["group"], com["meets_commitment"], strict=True))
    for bar, (_, row) in zip(made["bars"], com.iterrows(), strict=True):
        assert bar.get_width() == pytest.approx(row["share_done"] * 100)
        assert bool(bar.get_hatch()) is (not meets[row["group"]])  # not only colour
    assert made["values"][2].get_text() == \
        "retenues : 10 sur 10 (100\u202f%)\nréalisées : 10 (100\u202f%)"
    for wide, (_, row) in zip(made["retained_bars"], com.iterrows(), strict=True):
        assert wide.get_width() == pytest.approx(row["share_retained"] * 100)
        assert wide.get_hatch() == ".."  # retained: dotted, wider, behind the realised bar
    # no commitment recorded: the gauge says so, whatever the figures
    assert made["state"].get_text().startswith("Engagement non pris")
    english = charts.plot_commitment(axes(), com, lang="en")
    assert english["line_label"].get_text() == "Commitment: 60%"
    assert english["title"].get_text() == "Action proposals retained and carried out"
    assert english["state"].get_text().startswith("Commitment not taken")


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


@pytest.mark.parametrize("by", [None, "group", ("group", "establishment")])
def test_every_chart_of_a_workshop_nobody_answered_says_so(questionnaire, by):
    """No ZeroDivisionError, no empty axes: « Pas encore de réponse. » on each chart."""
    rows = synthetic.answers(questionnaire, {}, seed=1)
    rows.attrs["k"] = 5
    drawn = {
        "readiness": charts.plot_readiness(
            axes(), analysis.readiness(rows, questionnaire, level="section", by=by)),
        "tendencies": charts.plot_tendencies(axes(), analysis.tendencies(rows, by=by)),
        "divergence": charts.plot_divergence(axes(), analysis.divergence(rows, questionnaire)),
        "waves": charts.plot_waves(axes(), analysis.waves(rows, rows)),
        "feelings": charts.plot_feelings_map(axes(), analysis.feelings_map(
            rows, by=by if by is not None else [])),
    }
    for name, made in drawn.items():
        assert made["note"].get_text() == "Pas encore de réponse.", name
        ax = made["title"].axes
        assert not ax.axison, name  # no empty axes drawn
        draw(ax)


def test_charts_of_answers_not_validated_yet_say_so(questionnaire):
    rows = synthetic.answers(questionnaire, {"personnel": 6}, seed=1, validated=0.0)
    made = charts.plot_tendencies(axes(), analysis.tendencies(rows), lang="en")
    assert made["note"].get_text() == "No answers yet."  # only validated answers count


# ---------------------------------------------- what a committee reads on every chart

def tick_texts(axis) -> list[str]:
    return [label.get_text() for label in axis.get_ticklabels() if label.get_text()]


def test_numbers_follow_the_language_on_values_and_axes(answers, questionnaire):
    div = analysis.divergence(answers, questionnaire)
    for lang, sep, other in (("fr", ",", "."), ("en", ".", ",")):
        ax = axes((13, 7))
        made = charts.plot_divergence(ax, div, lang=lang)
        draw(ax)
        shown = [*tick_texts(ax.xaxis), *(v.get_text() for v in made["values"])]
        assert shown and all(sep in s and other not in s for s in shown if s != "0")
        ax = axes()
        made = charts.plot_feelings_map(ax, analysis.feelings_map(answers), lang=lang)
        draw(ax)
        bar = tick_texts(made["colorbar"].ax.yaxis)
        assert bar and all(other not in s for s in bar) and any(sep in s for s in bar)


def test_a_questionnaires_own_groups_are_named_by_their_label(answers, questionnaire):
    names = {"personnel": "Équipes des sites", "direction_generale": "Directeurs"}
    ax = axes()
    charts.plot_feelings_map(ax, analysis.feelings_map(answers), groups=names)
    labels = tick_texts(ax.yaxis)
    assert "Équipes des sites" in labels and "Directeurs" in labels
    ax = axes()
    charts.plot_tendencies(ax, analysis.tendencies(answers, by="group"), groups=names)
    assert any(text.startswith("Directeurs") for text in texts(ax))
    t0 = synthetic.answers(questionnaire, {"personnel": 6}, seed=3)
    t1 = synthetic.answers(questionnaire, {"personnel": 6}, seed=4, wave="T1")
    made = charts.plot_waves(axes(), analysis.waves(t0, t1), groups=names)
    assert all(name.startswith("Équipes des sites") for name in made["labels"])


def test_waves_say_what_the_axis_measures_and_keep_the_last_row_clear(questionnaire):
    t0 = synthetic.answers(questionnaire, {"personnel": 6, "encadrement": 6}, seed=3,
                           validated=1.0)
    t1 = synthetic.answers(questionnaire, {"personnel": 6, "encadrement": 6}, seed=4,
                           wave="T1", validated=1.0)
    feelings = analysis.waves(t0, t1, by=("group", "feeling"))
    scores = analysis.waves(t0, t1, by=("group",))
    ax = axes((13, 8))
    made = charts.plot_waves(ax, feelings)
    draw(ax)
    assert ax.get_xlabel() == "Intensité moyenne (0 à 1)"
    bottom, top = ax.get_ylim()
    assert bottom >= len(feelings) - 1 + 0.3 and top <= -0.3  # rows clear of the axes
    assert tick_texts(ax.xaxis) == ["0,00", "0,25", "0,50", "0,75", "1,00"]
    assert made["deltas"][0].get_text()[1:].startswith("0,")
    ax = axes()
    charts.plot_waves(ax, scores, lang="en")
    assert ax.get_xlabel() == "Mean readiness score (0 to 1)"


def test_a_group_seen_at_t0_only_keeps_its_t0_dot_and_says_t1_is_missing(questionnaire):
    t0 = synthetic.answers(questionnaire, {"personnel": 6, "encadrement": 6}, seed=3)
    t1 = synthetic.answers(questionnaire, {"personnel": 6}, seed=4, wave="T1")
    wv = analysis.waves(t0, t1, by=("group",))
    alone = wv[wv["group"] == "encadrement"].iloc[0]
    assert alone["status"] == analysis.EMPTY and alone["n1"] == 0
    assert alone["mean0"] == pytest.approx(analysis.waves(t0, t0, by=("group",)).set_index(
        "group").loc["encadrement", "mean0"])  # the T0 figure, as T0 shows it
    made = charts.plot_waves(axes(), wv)
    assert len(made["before"].get_offsets()) == 2 and len(made["after"].get_offsets()) == 1
    assert "pas de réponse à la seconde mesure" in [d.get_text() for d in made["deltas"]]
    few = synthetic.answers(questionnaire, {"personnel": 6, "encadrement": 3}, seed=5)
    masked = analysis.waves(few, t1, by=("group",))  # 3 < k at T0, none at T1
    assert masked.set_index("group")["mean0"].isna()["encadrement"]
def test_intensity_colour_follows_the_maps_palette():
    """The presenter's HTML map uses the chart's palette, with the more legible ink."""
    assert charts.intensity_colour(0)[0] != charts.intensity_colour(1)[0]
    assert charts.intensity_colour(0)[1] == "white" and charts.intensity_colour(1)[1] == "black"
    assert charts.intensity_colour(-3) == charts.intensity_colour(0)
