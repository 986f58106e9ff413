"""Charts of the analysis frames, for the room's screen and for reports.

Every function has the shape ``plot_x(ax, frame, *, lang=None, ...)``: it draws on the
matplotlib ``ax`` it is given, from a frame returned by :mod:`coopkit.analysis`, and
returns a dict of the artists it made (for tests and for callers who restyle them). It
never calls ``plt.show()`` nor creates a figure, and does not touch global settings.

Made to be read on a projector: large type, colour-blind-safe colours (the Okabe-Ito
palette for categories, ``cividis`` for intensities) and never colour alone to carry a
meaning (hatches and text too). Labels are French by default, English with
``lang="en"`` (through :func:`coopkit.i18n.t`), numbers too: one decimal separator and
one percent spacing per language (0,53 and 26 % in French, 0.53 and 26% in English), on
the values, the axes and the colour bars alike. Groups are named by their label: the
method's catalogue for its own groups, ``groups={id: label}`` for a questionnaire's own
groups (``coopkit.exports`` passes them). Cells hidden for anonymity (fewer than k
respondents, or hidden with a small group: see :func:`coopkit.analysis.mask`) are
hatched grey and marked "masqué" / "hidden", the same for both reasons so that a
reader cannot tell the small one; cells with no answer show "—"; a chart with no
answer at all says « Pas encore de réponse. » instead of drawing empty axes.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory

from coopkit.analysis import DEFAULT_K, EMPTY, MASKED, OK
from coopkit.analysis.tendency import phrase as tendency_phrase
from coopkit.definitions import method
from coopkit.i18n import (
    format_number,
    format_percent,
    get_language,
    normalise_language,
    t,
    tn,
)

#: Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
CMAP = "cividis"
MASK_FACE, MASK_EDGE, MASK_HATCH = "#e0e0e0", "#7f7f7f", "///"
FONT, SMALL, TITLE = 14, 12, 17

Artists = dict[str, Any]
#: Readable group names by id (a questionnaire's own groups), see the module doc.
GroupNames = Mapping[str, str] | None


# ------------------------------------------------------------------------- helpers

def _lang(lang: str | None) -> str:
    return normalise_language(lang) if lang else get_language()


def _k(frame: pd.DataFrame) -> int:
    return int(frame.attrs.get("k", DEFAULT_K))


def _label(kind: str, ident: object, lang: str, groups: GroupNames = None) -> str:
    """A method label (group, theme, feeling...) or the id itself when unknown; a
    group's name from ``groups`` first."""
    if ident is None or (isinstance(ident, float) and math.isnan(ident)):
        return "—"
    if kind == "group" and groups and str(ident) in groups:
        return str(groups[str(ident)])
    key = f"method.{kind}.{ident}"
    text = t(key, lang)
    return str(ident) if text == key else text


def _number(value: float, lang: str, digits: int = 2) -> str:
    return format_number(value, lang, digits)


def _percent(value: float, lang: str) -> str:
    return format_percent(value, lang)


def _decimal_axis(axis: Any, lang: str, digits: int) -> None:
    """Tick labels of ``axis`` with the language's decimal separator."""
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v, lang, digits)))


def _wrap(text: str, width: int, lines: int | None = 3) -> str:
    """``text`` on lines of ``width`` characters; past ``lines`` lines it is cut with
    "…" (``lines=None``: never cut). Words are never broken."""
    return "\n".join(textwrap.wrap(str(text), width, max_lines=lines, placeholder="…",
                                    break_long_words=False, break_on_hyphens=False))


def _title(ax: Axes, title: str, subtitle: str | None = None, *,
           pad: float | None = None) -> list[Any]:
    made = [ax.set_title(title, fontsize=TITLE, fontweight="bold", loc="left",
                         pad=pad if pad is not None else 30 if subtitle else 12)]
    if subtitle:
        made.append(ax.text(0, 1.02, _wrap(subtitle, 80, None), transform=ax.transAxes,
                            fontsize=SMALL,
                            va="bottom", ha="left", color="#333333"))
    return made


def _no_answer(ax: Axes, title: str, lang: str) -> Any:
    """An empty picture saying so: « Pas encore de réponse. » in the middle, no axes."""
    ax.axis("off")
    return ax.text(0.5, 0.5, t("chart.no_answer", lang), ha="center", va="center",
                   fontsize=FONT, transform=ax.transAxes)


def _mask_patch(ax: Axes, x: float, y: float, width: float, height: float) -> Rectangle:
    patch = Rectangle((x, y), width, height, facecolor=MASK_FACE, edgecolor=MASK_EDGE,
                      hatch=MASK_HATCH, linewidth=0.8, zorder=2)
    ax.add_patch(patch)
    return patch


def _text_colour(value: float) -> str:
    """Black or white, whichever reads better on the cividis colour for ``value``."""
    r, g, b, _ = colormaps[CMAP](float(value))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def intensity_colour(value: float) -> tuple[str, str]:
    """The feelings map's colour for an intensity (0..1) and the text colour that reads
    best on it (WCAG contrast): ``("#rrggbb", "black" | "white")``. For views drawn
    without an ``ax`` (the presenter's HTML map), so both maps share one palette."""
    from matplotlib.colors import to_hex

    value = min(max(float(value), 0.0), 1.0)
    rgb = colormaps[CMAP](value)[:3]

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
    ink = "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"
    return to_hex(rgb), ink


def _ink(colour: str) -> str:
    """Black or white text on a filled ``colour``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _breakdown(frame: pd.DataFrame, stop: str) -> list[str]:
    """The breakdown columns (group, establishment...) that come before ``stop``."""
    cols = list(frame.columns)
    return cols[: cols.index(stop)] if stop in cols else []


def _row_name(row: pd.Series, by: Sequence[str], lang: str, groups: GroupNames = None) -> str:
    parts = []
    for col in by:
        value = row[col]
        parts.append(_label("group", value, lang, groups) if col == "group" else
                     ("—" if value is None or pd.isna(value) else str(value)))
    return " · ".join(parts)


# ------------------------------------------------------------------- feelings map

def plot_feelings_map(ax: Axes, fmap: pd.DataFrame, *, lang: str | None = None,
                      feeling: str | None = None, colorbar: bool = True,
                      groups: GroupNames = None) -> Artists:
    """Heatmap of :func:`coopkit.analysis.feelings_map`: breakdowns (groups) in rows,
    theme x feeling in columns, trust beside them when it was measured (or the three
    themes of one ``feeling``).

    Each cell shows the mean intensity and ``n``; masked cells are hatched and say
    "masqué", empty cells "—". Returns ``image``, ``cells`` (one text per cell), ``masked``
    and ``empty`` (their patches), ``colorbar``, ``title``.
    """
    lang = _lang(lang)
    k = _k(fmap)
    by = _breakdown(fmap, "theme")
    data = fmap if feeling is None else fmap[fmap["feeling"] == feeling]
    present = set(fmap["feeling"]) if "feeling" in fmap else set()
    rows_ids = [f for f in method.MAP_ROWS if f in present or f in method.FEELING_IDS]
    columns = [(th, f) for th in method.THEME_IDS for f in rows_ids
               if feeling is None or f == feeling]
    rows = data[by].drop_duplicates().reset_index(drop=True) if by else pd.DataFrame(index=[0])
    if data.empty or data["status"].eq(EMPTY).all():
        note = _no_answer(ax, t("chart.feelings_map.title", lang), lang)
        made = _title(ax, t("chart.feelings_map.title", lang))
        return {"image": None, "cells": [], "masked": [], "empty": [], "colorbar": None,
                "title": made[0], "note": note}
    index = {tuple(r): i for i, r in enumerate(rows.itertuples(index=False, name=None))}
    values = np.full((len(rows), len(columns)), np.nan)
    cells: dict[tuple[int, int], pd.Series] = {}
    for _, row in data.iterrows():
        i = index[tuple(row[c] for c in by)] if by else 0
        j = columns.index((row["theme"], row["feeling"]))
        values[i, j] = row["mean"]
        cells[(i, j)] = row
    image = ax.imshow(np.ma.masked_invalid(values), cmap=CMAP, vmin=0, vmax=1, aspect="auto")
    texts, masked, empty = [], [], []
    for (i, j), row in sorted(cells.items()):
        if row["status"] == OK:
            texts.append(ax.text(j, i, f"{_number(row['mean'], lang)}\nn={int(row['n'])}",
                                 ha="center", va="center", fontsize=FONT,
                                 color=_text_colour(row["mean"])))
        elif row["status"] == MASKED:
            masked.append(_mask_patch(ax, j - 0.5, i - 0.5, 1, 1))
            texts.append(ax.text(j, i, t("chart.masked", lang, k=k), ha="center",
                                 va="center", fontsize=SMALL - 1, color="black", zorder=3))
        else:
            patch = Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white",
                              edgecolor="#bbbbbb", zorder=2)
            ax.add_patch(patch)
            empty.append(patch)
            texts.append(ax.text(j, i, "—", ha="center", va="center", fontsize=FONT,
                                 color="#555555", zorder=3))
    ax.set_xticks(range(len(columns)))
    if feeling is None:
        per = len(rows_ids)  # 3 feelings, or 4 with trust: smaller labels then
        ax.set_xticklabels([_label("feeling", f, lang) for _, f in columns],
                           fontsize=SMALL if per <= 3 else SMALL - 2, rotation=0)
        blend = blended_transform_factory(ax.transData, ax.transAxes)
        for n, theme in enumerate(method.THEME_IDS):
            ax.text(per * n + (per - 1) / 2, 1.01, _wrap(_label("theme", theme, lang), 26),
                    ha="center", va="bottom", fontsize=SMALL, fontweight="bold",
                    transform=blend)
            if n:
                ax.axvline(per * n - 0.5, color="white", linewidth=4)
    else:
        ax.set_xticklabels([_wrap(_label("theme", th, lang), 18) for th, _ in columns],
                           fontsize=SMALL)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_wrap(_row_name(r, by, lang, groups), 24) for _, r in rows.iterrows()]
                       if by else [t("analysis.overall", lang)], fontsize=FONT)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    title = t("chart.feelings_map.title", lang)
    if feeling is not None:
        title = f"{title} : {_label('feeling', feeling, lang)}" if lang == "fr" else \
            f"{title}: {_label('feeling', feeling, lang)}"
    made = _title(ax, title, pad=58 if feeling is None else 12)
    ax.set_xlabel(_wrap(t("chart.feelings_map.legend", lang, k=k), 100, None), fontsize=SMALL,
                  labelpad=10)
    bar = None
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.035, pad=0.02)
        bar.set_label(t("chart.feelings_map.colorbar", lang), fontsize=SMALL)
        bar.ax.tick_params(labelsize=SMALL)
        _decimal_axis(bar.ax.yaxis, lang, 1)
    return {"image": image, "cells": texts, "masked": masked, "empty": empty,
            "colorbar": bar, "title": made[0]}


# ----------------------------------------------------------------------- tendency

#: One colour and one hatch per behaviour (never colour alone).
BEHAVIOUR_STYLE = {"cooperatif": ("#009E73", ""), "opportuniste": ("#D55E00", "xx"),
                   "individualiste": ("#0072B2", "..")}
#: Where, in data units of the 0..1 pressure axis, the group names and readings start.
_NAME_X, _READING_X = -1.0, 1.2


def plot_tendencies(ax: Axes, tend: pd.DataFrame, *, lang: str | None = None,
                    groups: GroupNames = None) -> Artists:
    """Each group's three pressures as bars, with what they lean towards in words
    (:func:`coopkit.analysis.tendencies`).

    One band per group: the cooperative, opportunist and individualist pressures (0..1)
    side by side, the reading beside them (« penche vers… », « pas de tendance nette »,
    « confiance non mesurée »), and the group's overall intensity (how strongly it
    feels anything) as a grey bar underneath: direction and magnitude are read
    together. Masked groups are named below, not drawn. Returns ``bars`` (per
    behaviour), ``readings`` (texts), ``intensity`` (bars), ``masked`` (the note or
    None), ``caption``, ``title``, ``note`` (when there is nothing to draw).
    """
    lang = _lang(lang)
    k = _k(tend)
    by = _breakdown(tend, "attrait")
    shown = tend[tend["status"].eq(OK)] if "status" in tend else tend.iloc[0:0]
    hidden = [(_row_name(r, by, lang, groups) if by else t("analysis.overall", lang))
              for _, r in tend.iterrows() if r.get("status") == MASKED]
    made_title = _title(ax, t("chart.tendency.title", lang))
    bars: dict[str, list[Any]] = {b: [] for b in method.BEHAVIOUR_IDS}
    readings, intensity = [], []
    note = None
    if shown.empty:
        ax.axis("off")
        note = ax.text(0.5, 0.5, t("chart.no_answer", lang), ha="center", va="center",
                       fontsize=FONT, transform=ax.transAxes)
    height = 0.22
    for i, (_, row) in enumerate(shown.iterrows()):
        y = -i * 1.25
        for j, b in enumerate(method.BEHAVIOUR_IDS):
            value = row[f"pressure_{b}"]
            colour, hatch = BEHAVIOUR_STYLE[b]
            known = not pd.isna(value)
            bar = ax.barh(y + (1 - j) * height, value if known else 0, height=height * 0.9,
                          color=colour, hatch=hatch, edgecolor="white", linewidth=0)
            bars[b].append(bar[0])
            ax.text(-0.01, y + (1 - j) * height, _label("behaviour", b, lang), ha="right",
                    va="center", fontsize=SMALL)
            ax.text((value if known else 0) + 0.01, y + (1 - j) * height,
                    _number(value, lang) if known else t("tendency.not_read", lang),
                    ha="left", va="center", fontsize=SMALL)
        level = row["intensity"]
        intensity.append(ax.barh(y - 2.1 * height, level, height=height * 0.5,
                                 color="#999999")[0])
        ax.text(level + 0.01, y - 2.1 * height,
                t("tendency.intensity", lang, value=_number(level, lang)), ha="left",
                va="center", fontsize=SMALL - 1, color="#333333")
        name = _row_name(row, by, lang, groups) if by else t("analysis.overall", lang)
        ax.text(_NAME_X, y, f"{_wrap(name, 20, 2)}\n(n={int(row['n'])})", ha="left",
                va="center", fontsize=FONT, fontweight="bold")
        readings.append(ax.text(_READING_X, y, _wrap(tendency_phrase(row["reading"], lang),
                                                     22),
                                ha="left", va="center", fontsize=FONT, fontweight="bold"))
    if not shown.empty:
        ax.set_xlim(_NAME_X - 0.02, _READING_X + 0.75)
        ax.spines["bottom"].set_bounds(0, 1)
        ax.set_ylim(-(len(shown) - 1) * 1.25 - 0.75, 0.55)
        ax.set_yticks([])
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_xticklabels([_number(v, lang, 2) for v in (0, 0.25, 0.5, 0.75, 1)],
                           fontsize=SMALL)
        for spine in ("top", "right", "left"):
            ax.spines[spine].set_visible(False)
        ax.set_xlabel(t("chart.tendency.axis", lang), fontsize=SMALL)
    masked_note = None
    if hidden:
        masked_note = ax.text(0, -0.24 if not shown.empty else 0.2,
                              _wrap(t("chart.tendency.masked", lang, k=k,
                                      groups=", ".join(hidden)), 90),
                              transform=ax.transAxes, ha="left", va="top", fontsize=SMALL,
                              color="#333333")
    caption = ax.text(0, -0.13 if not shown.empty else 0.1,
                      _wrap(t("chart.tendency.caption", lang), 110),
                      transform=ax.transAxes, ha="left", va="top", fontsize=SMALL,
                      style="italic")
    return {"bars": bars, "readings": readings, "intensity": intensity,
            "masked": masked_note, "caption": caption, "title": made_title[0], "note": note}


# ---------------------------------------------------------------------- readiness

def plot_readiness(ax: Axes, rdy: pd.DataFrame, *, lang: str | None = None,
                   groups: GroupNames = None) -> Artists:
    """Horizontal bars of :func:`coopkit.analysis.readiness` (any level): one bar per
    unit, grouped by breakdown (e.g. per group) when the frame has one.

    Scores are shown in %; masked bars are hatched and say "masqué", empty ones "—".
    Returns ``bars`` (drawn scores), ``masked`` (patches), ``values`` (texts),
    ``legend`` (None without breakdown), ``title``.
    """
    lang = _lang(lang)
    k = _k(rdy)
    by = _breakdown(rdy, "label")
    by = [c for c in by if c not in ("item_id", "section_id", "subsection_id", "principle",
                                     "unit")]
    if rdy.empty or rdy["status"].eq(EMPTY).all():
        note = _no_answer(ax, t("chart.readiness.title", lang), lang)
        made = _title(ax, t("chart.readiness.title", lang))
        return {"bars": [], "masked": [], "values": [], "legend": None, "title": made[0],
                "note": note}
    units = rdy["label"].drop_duplicates().tolist()
    series = rdy[by].drop_duplicates().reset_index(drop=True) if by else pd.DataFrame(index=[0])
    height = 0.8 / max(len(series), 1)
    bars, masked, values, handles = [], [], [], []
    for s, (_, key) in enumerate(series.iterrows()):
        part = rdy
        for col in by:
            part = part[part[col] == key[col]]
        colour = OKABE_ITO[s % len(OKABE_ITO)]
        hatch = ("", "..", "xx", "--", "oo", "++")[s % 6]
        for _, row in part.iterrows():
            y = units.index(row["label"]) + (s - (len(series) - 1) / 2) * height
            if row["status"] == OK:
                (bar,) = ax.barh([y], [row["score"] * 100], height=height * 0.9, color=colour,
                                 hatch=hatch, edgecolor="white")
                bars.append(bar)
                values.append(ax.text(row["score"] * 100 + 1, y, _percent(row["score"], lang),
                                      va="center", fontsize=SMALL))
            elif row["status"] == MASKED:
                masked.append(_mask_patch(ax, 0, y - height * 0.45, 100, height * 0.9))
                values.append(ax.text(50, y, t("chart.masked", lang, k=k), va="center",
                                      ha="center", fontsize=SMALL, zorder=3))
            else:
                values.append(ax.text(1, y, "—", va="center", fontsize=SMALL))
        if by:
            name = _row_name(key, by, lang, groups)
            handles.append(Rectangle((0, 0), 1, 1, facecolor=colour, hatch=hatch,
                                     edgecolor="white", label=name))
    ax.set_yticks(range(len(units)))
    ax.set_yticklabels([_wrap(u, 32) for u in units], fontsize=SMALL)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.tick_params(axis="x", labelsize=SMALL)
    ax.set_xlabel(t("chart.readiness.axis", lang), fontsize=SMALL)
    ax.spines[["top", "right"]].set_visible(False)
    legend = None
    if handles:
        legend = ax.legend(handles=handles, fontsize=SMALL, loc="upper left",
                           bbox_to_anchor=(1.01, 1.0), frameon=False)
    made = _title(ax, t("chart.readiness.title", lang), t("chart.masked_legend", lang, k=k))
    return {"bars": bars, "masked": masked, "values": values, "legend": legend,
            "title": made[0]}


# --------------------------------------------------------------------- divergence

_PARTS = (("dispersion", 2 / 3, "chart.divergence.dispersion", ""),
          ("polarisation", 1 / 3, "chart.divergence.polarisation", ".."),
          ("group_gap", 1 / 3, "chart.divergence.gap", "xx"))


def plot_divergence(ax: Axes, div: pd.DataFrame, *, lang: str | None = None,
                    limit: int = 8, label_lines: int | None = None) -> Artists:
    """The most divisive items of :func:`coopkit.analysis.divergence`, most divisive on
    top: each bar is the divergence index split into its three parts (spread of
    answers, answers at both extremes, gap between groups). Statements are shown in
    full, wrapped (``label_lines`` cuts them after that many lines, e.g. on a small
    screen).

    Masked items are not drawn; a note counts them. Returns ``segments`` (one list of
    bars per part), ``labels`` (the item labels shown), ``values``, ``legend``,
    ``masked`` (the note or None), ``title``.
    """
    lang = _lang(lang)
    k = _k(div)
    if div.empty or div["status"].eq(EMPTY).all():
        note = _no_answer(ax, t("chart.divergence.title", lang), lang)
        made = _title(ax, t("chart.divergence.title", lang))
        return {"segments": [[] for _ in _PARTS], "labels": [], "values": [], "legend": None,
                "masked": None, "title": made[0], "note": note}
    shown = div[div["status"] == OK].head(limit)
    names = [_wrap(n, 48, label_lines) for n in (shown["label"] if "label" in shown else
                                                 shown["item_id"])]
    y = np.arange(len(shown))
    left = np.zeros(len(shown))
    segments = []
    for (col, weight, key, hatch), colour in zip(_PARTS, OKABE_ITO, strict=False):
        width = shown[col].fillna(0).to_numpy(float) * weight
        container = ax.barh(y, width, left=left, color=colour, hatch=hatch, edgecolor="white",
                            label=t(key, lang), height=0.7)
        segments.append(list(container))
        left = left + width
    values = [ax.text(x + 0.01, yy, _number(v, lang), va="center", fontsize=SMALL)
              for x, yy, v in zip(left, y, shown["index"], strict=True)]
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=SMALL)
    ax.set_xlim(0, 1.05)
    ax.set_ylim(max(len(shown), 1) - 0.5, -0.5)
    ax.tick_params(axis="x", labelsize=SMALL)
    _decimal_axis(ax.xaxis, lang, 1)
    ax.set_xlabel(t("chart.divergence.axis", lang), fontsize=SMALL)
    ax.spines[["top", "right"]].set_visible(False)
    legend = ax.legend(fontsize=SMALL, loc="lower right", frameon=True)
    hidden = int((div["status"] == MASKED).sum())
    note = None
    if hidden:
        note = ax.text(1.0, -0.12, tn("chart.divergence.hidden", hidden, lang, k=k),
                       transform=ax.transAxes, ha="right", va="top", fontsize=SMALL)
    made = _title(ax, t("chart.divergence.title", lang))
    return {"segments": segments, "labels": names, "values": values, "legend": legend,
            "masked": note, "title": made[0]}


# ---------------------------------------------------------------------------- waves

def plot_waves(ax: Axes, wv: pd.DataFrame, *, lang: str | None = None,
               feeling: str | None = None, groups: GroupNames = None,
               labels: bool = True) -> Artists:
    """T0 against T1 (:func:`coopkit.analysis.waves`): one line per group x theme
    (x feeling), an open dot for T0, a filled one for T1 and an arrow for what moved,
    with the change and ``n``. Masked lines say "masqué"; a line one wave has no answer
    for shows the other wave's dot and says which wave is missing.

    The axis is the mean intensity of feelings when the frame is broken down by theme
    or feeling, else the mean score. ``labels=False`` leaves the row names out (for a
    panel beside another one that shows them). Returns ``before`` and ``after``
    (scatter collections), ``arrows``, ``deltas`` (texts), ``masked`` (patches),
    ``labels`` (row names), ``legend``, ``title``.
    """
    lang = _lang(lang)
    k = _k(wv)
    data = wv if feeling is None or "feeling" not in wv else wv[wv["feeling"] == feeling]
    data = data.reset_index(drop=True)
    if data.empty or data["status"].eq(EMPTY).all():
        note = _no_answer(ax, t("chart.waves.title", lang), lang)
        made = _title(ax, t("chart.waves.title", lang))
        return {"before": None, "after": None, "arrows": [], "deltas": [], "masked": [],
                "labels": [], "legend": None, "title": made[0], "note": note}
    keys = _breakdown(data, "mean0")
    names = []
    for _, row in data.iterrows():
        parts = []
        for col in keys:
            if col == "feeling" and feeling is not None:
                continue
            kind = {"group": "group", "theme": "theme", "feeling": "feeling"}.get(col)
            parts.append(_label(kind, row[col], lang, groups) if kind else str(row[col]))
        names.append(_wrap(" · ".join(parts), 60, None))
    y = np.arange(len(data))
    seen0 = data["mean0"].notna().to_numpy()
    seen1 = data["mean1"].notna().to_numpy()
    before = ax.scatter(data.loc[seen0, "mean0"], y[seen0], s=120, facecolor="white",
                        edgecolor=OKABE_ITO[0], linewidth=2, zorder=3,
                        label=t("chart.waves.before", lang))
    after = ax.scatter(data.loc[seen1, "mean1"], y[seen1], s=120, color=OKABE_ITO[5],
                       marker="D", zorder=4, label=t("chart.waves.after", lang))
    arrows, deltas, masked = [], [], []
    for i, row in data.iterrows():
        if row["status"] == OK:
            arrows.append(ax.annotate("", xy=(row["mean1"], i), xytext=(row["mean0"], i),
                                      arrowprops={"arrowstyle": "->", "color": "#444444",
                                                  "linewidth": 1.5}))
            sign = "+" if row["delta"] >= 0 else "−"
            deltas.append(ax.text(1.03, i, f"{sign}{_number(abs(row['delta']), lang)}  "
                                  f"(n {int(row['n0'])}→{int(row['n1'])})", va="center",
                                  fontsize=SMALL))
            continue
        if row["status"] == MASKED:
            masked.append(_mask_patch(ax, 0, i - 0.35, 1, 0.7))
            text = t("chart.masked", lang, k=k)
        elif _count(row["n1"]) == 0 and _count(row["n0"]) > 0:
            text = t("chart.waves.missing_after", lang)
        elif _count(row["n0"]) == 0 and _count(row["n1"]) > 0:
            text = t("chart.waves.missing_before", lang)
        else:
            text = "—"
        deltas.append(ax.text(1.03, i, text, va="center", fontsize=SMALL))
    ax.set_yticks(y)
    ax.set_yticklabels(names if labels else [], fontsize=SMALL)
    ax.set_ylim(max(len(data), 1) - 0.4, -0.6)  # the last row clear of the axis
    ax.set_xlim(0, 1.35)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    _decimal_axis(ax.xaxis, lang, 2)
    ax.tick_params(axis="x", labelsize=SMALL)
    feelings = bool({"theme", "feeling"} & set(keys))
    ax.set_xlabel(t("chart.waves.axis" if feelings else "chart.waves.axis_score", lang),
                  fontsize=SMALL)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd")
    legend = ax.legend(fontsize=SMALL, loc="upper center", bbox_to_anchor=(0.5, -0.09),
                       ncol=2, frameon=False)
    title = t("chart.waves.title", lang)
    if feeling is not None:
        title = f"{title} — {_label('feeling', feeling, lang)}"
    made = _title(ax, title, t("chart.masked_legend", lang, k=k))
    return {"before": before, "after": after, "arrows": arrows, "deltas": deltas,
            "masked": masked, "labels": names, "legend": legend, "title": made[0]}


def _count(value: object) -> int:
    """A count column's value as an int (a masked count, 1 to k-1, as 1)."""
    return 1 if value is None or pd.isna(value) else int(value)


# ----------------------------------------------------------------------- commitment

def plot_commitment(ax: Axes, com: pd.DataFrame, *, lang: str | None = None,
                    groups: GroupNames = None) -> Artists:
    """Gauge of :func:`coopkit.analysis.commitment`: for the whole room then per
    proposing group, the share of proposals **retained** by the promoter (wide, light,
    dotted bar) and **realised** (narrow bar over it), against the commitment line
    (60 %). Above the bars, the state: « engagement non pris » until the promoter's
    commitment is recorded.

    Realised bars that reach the line are blue, the others vermilion and hatched (never
    colour alone). Returns ``bars`` (realised), ``retained_bars``, ``values`` (texts),
    ``line`` (the commitment line), ``line_label``, ``state`` (text), ``legend``,
    ``title``.
    """
    lang = _lang(lang)
    threshold = float(com["threshold"].iloc[0]) if len(com) else method.COMMITMENT_THRESHOLD
    names = [t("analysis.overall", lang) if row["scope"] == "all"
             else _label("group", row["group"], lang, groups) for _, row in com.iterrows()]
    bars, retained_bars, values = [], [], []
    for i, (_, row) in enumerate(com.iterrows()):
        share = row["share_done"]
        if row["total"] == 0 or pd.isna(share):
            values.append(ax.text(1, i, t("chart.commitment.none", lang), va="center",
                                  fontsize=SMALL))
            continue
        kept = float(row.get("share_retained", share))
        (wide,) = ax.barh([i], [kept * 100], height=0.72, color="#cfe3f3", hatch="..",
                          edgecolor=OKABE_ITO[4], linewidth=1,
                          label=t("chart.commitment.retained", lang) if not retained_bars
                          else None)
        retained_bars.append(wide)
        good = bool(row["meets_commitment"])
        (bar,) = ax.barh([i], [share * 100], height=0.36,
                         color=OKABE_ITO[0] if good else OKABE_ITO[5],
                         hatch="" if good else "//", edgecolor="white",
                         label=t("chart.commitment.realised", lang) if not bars else None)
        bars.append(bar)
        values.append(ax.text(103, i, t(
            "chart.commitment.values", lang, retained=int(row.get("retained", row["done"])),
            done=int(row["done"]), total=int(row["total"]),
            pct_retained=_percent(kept, lang), pct=_percent(share, lang)),
            va="center", fontsize=SMALL))
    line = ax.axvline(threshold * 100, color="black", linestyle="--", linewidth=2, zorder=4)
    line_label = ax.text(threshold * 100, -0.7, t("chart.commitment.line", lang,
                                                  pct=_percent(threshold, lang)),
                         ha="center", va="bottom", fontsize=SMALL, fontweight="bold")
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels([_wrap(n, 26) for n in names], fontsize=SMALL)
    ax.set_ylim(len(names) - 0.5, -1.0)
    ax.set_xlim(0, 150)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.tick_params(axis="x", labelsize=SMALL)
    ax.set_xlabel(t("chart.commitment.axis", lang), fontsize=SMALL)
    ax.spines[["top", "right"]].set_visible(False)
    legend = ax.legend(fontsize=SMALL, loc="upper center", bbox_to_anchor=(0.5, -0.12),
                       ncol=2, frameon=False) if bars else None
    state = com["state"].iloc[0] if len(com) and "state" in com else None
    subtitle = t(f"chart.commitment.state.{state}", lang, pct=_percent(threshold, lang)) \
        if state else None
    made = _title(ax, t("chart.commitment.title", lang), subtitle)
    return {"bars": bars, "retained_bars": retained_bars, "values": values, "line": line,
            "line_label": line_label, "state": made[1] if subtitle else None,
            "legend": legend, "title": made[0]}


def plot_commitment_timeline(ax: Axes, timeline: pd.DataFrame, *, lang: str | None = None,
                             committed_on: object = None) -> Artists:
    """Retained and realised over time (:func:`coopkit.analysis.commitment_timeline`):
    two step lines, in % of the proposals made by each date (retained: solid with
    dots; realised: dashed with squares), the commitment line, and a vertical mark on
    the day the promoter committed (``committed_on``) when given.

    Returns ``retained`` and ``realised`` (lines), ``line`` (threshold), ``committed``
    (the vertical mark or None), ``ends`` (texts of the last values), ``legend``,
    ``title``; ``empty`` (a text) when there is nothing to draw.
    """
    import matplotlib.dates as mdates

    lang = _lang(lang)
    threshold = float(timeline["threshold"].iloc[0]) if len(timeline) \
        else method.COMMITMENT_THRESHOLD
    made_title = _title(ax, t("chart.timeline.title", lang))
    if timeline.empty:
        empty = ax.text(0.5, 0.5, t("chart.commitment.none", lang), ha="center",
                        va="center", fontsize=FONT, transform=ax.transAxes)
        ax.set_axis_off()
        return {"retained": None, "realised": None, "line": None, "committed": None,
                "ends": [], "legend": None, "title": made_title[0], "empty": empty}
    days = pd.to_datetime(timeline["date"])
    (retained,) = ax.step(days, timeline["share_retained"] * 100, where="post",
                          color=OKABE_ITO[0], linewidth=2.5, marker="o",
                          label=t("chart.commitment.retained", lang))
    (realised,) = ax.step(days, timeline["share_done"] * 100, where="post",
                          color=OKABE_ITO[5], linewidth=2.5, linestyle="--", marker="s",
                          label=t("chart.commitment.realised", lang))
    line = ax.axhline(threshold * 100, color="black", linestyle=":", linewidth=2,
                      label=t("chart.commitment.line", lang, pct=_percent(threshold, lang)))
    committed = None
    if committed_on is not None:
        committed = ax.axvline(pd.Timestamp(committed_on), color="#555555", linewidth=1.5)
        ax.text(pd.Timestamp(committed_on), 102, t("chart.timeline.committed", lang),
                fontsize=SMALL, ha="left", va="bottom", color="#333333")
    last = timeline.iloc[-1]
    ends = [ax.text(days.iloc[-1], float(last[col]) * 100 + offset,
                    f" {_percent(float(last[col]), lang)}", fontsize=SMALL, va="center")
            for col, offset in (("share_retained", 3), ("share_done", -3))]
    ax.set_ylim(0, 110)
    ax.set_yticks([0, 20, 40, 60, 80, 100])
    ax.set_ylabel(t("chart.timeline.axis", lang), fontsize=SMALL)
    ax.tick_params(labelsize=SMALL)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(axis="y", color="#dddddd")
    ax.spines[["top", "right"]].set_visible(False)
    legend = ax.legend(fontsize=SMALL, loc="upper right", frameon=True)
    return {"retained": retained, "realised": realised, "line": line,
            "committed": committed, "ends": ends, "legend": legend, "title": made_title[0],
            "empty": None}


__all__ = ["CMAP", "MARKERS", "OKABE_ITO", "intensity_colour", "plot_commitment",
           "plot_commitment_timeline",
           "plot_divergence",
           "plot_feelings_map", "plot_readiness", "plot_tendencies", "plot_waves"]
