"""Step 2 of the participant app: "see my result".

The participant's own result is computed here from their answers with
:meth:`Item.score` and :meth:`Item.is_weak` (their own answers: nothing to mask) and drawn
as HTML bars rather than a matplotlib picture: no ~50 MB and ~1 s of matplotlib import
in each page's kernel, a few hundred bytes instead of an image over a weak Wi-Fi, text
a screen reader reads and a phone reflows at any width.

The group's picture comes from :mod:`coopkit.analysis` (which masks every cell under
``k``), over *validated* answers only, and only once at least ``k`` participants of
the workshop have validated. pandas is imported only then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import ipywidgets as widgets
import traitlets

from coopkit.definitions import method
from coopkit.definitions.questionnaire import Item, Questionnaire
from coopkit.i18n import t
from coopkit.widgets.html import (
    Notice,
    bar,
    button,
    esc,
    guarded,
    heading,
    html_widget,
    paragraph,
    percent,
)
from coopkit.widgets.items import answered


@dataclass(frozen=True)
class SectionScore:
    id: str
    label: str
    score: float | None
    parts: tuple[SectionScore, ...] = ()


@dataclass(frozen=True)
class FeelingCell:
    theme: str
    feeling: str
    mean: float | None  # raw intensity, e.g. 0..5
    top: int  # the scale's maximum
    share: float | None  # 0..1


@dataclass(frozen=True)
class OwnResult:
    """One participant's result, from their own answers."""

    overall: float | None
    sections: tuple[SectionScore, ...]
    feelings: tuple[FeelingCell, ...]
    weak: tuple[Item, ...]
    texts: tuple[tuple[Item, str], ...] = field(default=())

    def as_value(self) -> dict:
        """A plain summary (the widget's ``value``)."""
        return {
            "overall": self.overall,
            "sections": {s.id: s.score for s in self.sections},
            "feelings": {f"{c.theme}/{c.feeling}": c.share for c in self.feelings},
            "weak": [it.id for it in self.weak],
        }


def _mean(values: Iterable[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return sum(found) / len(found) if found else None


def is_readiness(item: Item) -> bool:
    """A scored item that measures readiness: not a feeling, not an estimate about
    another group (the rule of :mod:`coopkit.analysis`, where a strong fear is not a
    "better" answer)."""
    return item.scored and item.feeling is None and item.about is None


def own_result(questionnaire: Questionnaire, answers: Mapping[str, object],
               group: str | None = None, lang: str | None = None) -> OwnResult:
    """Scores per section and sub-section (mean of the readiness answers, 0..1), the
    feelings map cells (own feelings only, not estimates about another group), the
    items whose answer calls for their recommendation, and the free texts."""

    def scores(items: Iterable[Item]) -> list[float | None]:
        return [it.score(answers.get(it.id)) for it in items
                if is_readiness(it) and it.asked_of(group)]

    sections = tuple(
        SectionScore(s.id, s.title.get(lang), _mean(scores(s.all_items())), tuple(
            SectionScore(u.id, u.title.get(lang), _mean(scores(u.all_items())))
            for u in s.subsections))
        for s in questionnaire.sections
    )
    all_items = [it for it in questionnaire.items() if it.asked_of(group)]
    cells = []
    for theme in method.THEME_IDS:
        for feeling in method.MAP_ROWS:
            items = [it for it in all_items if it.type == "intensity" and it.theme == theme
                     and it.feeling == feeling and it.about is None]
            if not items:
                continue
            values = [answers.get(it.id) for it in items]
            raw = _mean(float(v) for v in values if isinstance(v, int | float))
            cells.append(FeelingCell(theme, feeling, raw, max(it.max or 0 for it in items),
                                     _mean(it.score(v) for it, v in zip(items, values,
                                                                          strict=True))))
    weak = tuple(it for it in all_items
                 if it.feedback is not None and it.is_weak(answers.get(it.id)))
    texts = tuple((it, str(answers[it.id])) for it in all_items
                  if it.type == "text" and answered(answers.get(it.id)))
    return OwnResult(_mean(scores(all_items)), sections, tuple(cells), weak, texts)


def _number(value: float, lang: str | None) -> str:
    text = f"{value:.1f}"
    return text if lang == "en" else text.replace(".", ",")


def _lines(text: str) -> str:
    """A participant's text, escaped, its line breaks kept."""
    return "<br>".join(esc(line) for line in text.splitlines())


def _note(label: str, note: str, lang: str | None) -> str:
    text = t("app.result.note_row", lang, label=label, note=note)
    return f'<p class="coopkit-hint">{esc(text)}</p>'


def _score_line(label: str, score: float | None, lang: str | None, level: int) -> str:
    """``label : 42 %`` and its bar; ``level`` 0 is a heading (a section), 1 a line."""
    if score is None:
        return _note(label, t("app.result.no_score", lang), lang)
    shown = t("app.result.score_row", lang, label=label, share=percent(score, lang))
    line = heading(shown, 3) if level == 0 else paragraph(shown)
    return line + bar(score, shown)


#: Map rows drawn in the cool colour: what draws partners together (attractions, trust).
_COOL = ("attrait", "confiance")


def _feelings_html(cells: Iterable[FeelingCell], lang: str | None) -> str:
    parts = []
    current = None
    for cell in cells:
        if cell.theme != current:
            current = cell.theme
            parts.append(heading(t(f"method.theme.{cell.theme}", lang), 3))
        label = t(f"method.feeling.{cell.feeling}", lang)
        if cell.mean is None or cell.share is None:
            parts.append(_note(label, t("app.result.no_score", lang), lang))
            continue
        shown = t("app.result.intensity_row", lang, label=label,
                  value=_number(cell.mean, lang), max=cell.top)
        css = "coopkit-bar" if cell.feeling in _COOL else "coopkit-bar coopkit-bar-warm"
        parts.append(f"<p>{esc(shown)}</p>{bar(cell.share, shown, css)}")
    return "".join(parts)


def own_result_html(result: OwnResult, questionnaire: Questionnaire,
                    lang: str | None = None) -> str:
    """The participant's own result: bars, then recommendations, then their own words.
    Every questionnaire and participant text is escaped."""
    parts = [heading(t("app.result.own_title", lang), 2)]
    if questionnaire.kind == "feelings" and result.feelings:
        parts.append(paragraph(t("app.result.feelings_intro", lang), "coopkit-hint"))
        parts.append(_feelings_html(result.feelings, lang))
    elif result.overall is not None:
        parts.append(paragraph(t("app.result.readiness_intro", lang), "coopkit-hint"))
        parts.append(_score_line(t("app.result.overall", lang), result.overall, lang, 0))
        for section in result.sections:
            if section.score is None:
                continue
            parts.append(_score_line(section.label, section.score, lang, 0))
            for part in section.parts:
                if part.score is not None:
                    parts.append(_score_line(part.label, part.score, lang, 1))
    parts.append(heading(t("app.result.recommendations", lang), 2))
    if result.weak:
        rows = "".join(
            f"<li><strong>{esc(it.text.get(lang))}</strong>"
            f"{paragraph(it.feedback.get(lang) if it.feedback else '')}</li>"
            for it in result.weak)
        parts.append(f'<ul class="coopkit-recommendations">{rows}</ul>')
    else:
        parts.append(paragraph(t("app.result.no_recommendation", lang)))
    if result.texts:
        parts.append(heading(t("app.result.your_words", lang), 2))
        rows = "".join(f"<li><strong>{esc(it.text.get(lang))}</strong>"
                       f'<p class="coopkit-words">{_lines(text)}</p></li>'
                       for it, text in result.texts)
        parts.append(f'<ul class="coopkit-your-words">{rows}</ul>')
    return "".join(parts)


# ------------------------------------------------------------------ group picture

def validated_count(store: object, workshop_id: int) -> int:
    """How many participants of the workshop have validated."""
    counts = store.participation(workshop_id)  # type: ignore[attr-defined]
    return sum(c.validated for c in counts.values())


def group_picture_html(store: object, workshop: object, questionnaire: Questionnaire,
                       lang: str | None = None) -> str:
    """The group's picture (validated answers, masked under k), or a note saying when it
    will appear."""
    k = int(workshop.k)  # type: ignore[attr-defined]
    done = validated_count(store, workshop.id)  # type: ignore[attr-defined]
    title = heading(t("app.result.group_title", lang), 2)
    if done < k:
        return title + paragraph(t("app.result.group_waiting", lang, k=k, n=done),
                                 "coopkit-hint")
    from coopkit import analysis  # pandas: only once there is a picture to draw

    frame = analysis.select(store.answers_frame(workshop.id),  # type: ignore[attr-defined]
                            validated_only=True)
    parts = [title, paragraph(t("app.result.group_intro", lang, n=done), "coopkit-hint")]
    masked = t("app.result.masked", lang, k=k)
    if questionnaire.kind == "feelings":
        table = analysis.feelings_map(frame, by=[])
        top = max((it.max or 0 for it in questionnaire.items() if it.type == "intensity"),
                  default=5)
        current = None
        for row in table.itertuples(index=False):
            if row.theme != current:
                current = row.theme
                parts.append(heading(t(f"method.theme.{row.theme}", lang), 3))
            label = t(f"method.feeling.{row.feeling}", lang)
            if row.status != analysis.OK:
                note = masked if row.status == analysis.MASKED else t("app.result.no_score",
                                                                      lang)
                parts.append(_note(label, note, lang))
                continue
            shown = t("app.result.intensity_row", lang, label=label,
                      value=_number(row.value_mean, lang), max=top)
            css = "coopkit-bar" if row.feeling in _COOL else "coopkit-bar coopkit-bar-warm"
            parts.append(f"<p>{esc(shown)}</p>{bar(row.mean, shown, css)}")
    else:
        table = analysis.readiness(frame, questionnaire, level="section", lang=lang)
        for row in table.itertuples(index=False):
            if row.status != analysis.OK:
                note = masked if row.status == analysis.MASKED else t("app.result.no_score",
                                                                      lang)
                parts.append(_note(row.label, note, lang))
                continue
            shown = t("app.result.score_row", lang, label=row.label,
                      share=percent(row.score, lang))
            parts.append(f"<p>{esc(shown)}</p>{bar(row.score, shown)}")
    return "".join(parts)


class ResultWidget(widgets.VBox):
    """The participant's own result and, when allowed, the group's picture beside it.

    ``value`` is the own result as a plain dict (overall, sections, feelings, weak item
    ids). ``show_group`` adds room for the group's picture and a refresh button; the
    picture is drawn by :meth:`refresh_group` (called once the widget is on screen, so
    the participant reads their own result while pandas loads).
    """

    value = traitlets.Dict()

    def __init__(self, questionnaire: Questionnaire, answers: Mapping[str, object], *,
                 group: str | None = None, lang: str | None = None,
                 store: object = None, workshop: object = None, show_group: bool = False,
                 notice: Notice | None = None):
        self.questionnaire = questionnaire
        self.lang = lang
        self.store = store
        self.workshop = workshop
        self.result = own_result(questionnaire, answers, group, lang)
        self.own = html_widget(own_result_html(self.result, questionnaire, lang),
                               "coopkit-own-result")
        self.group_picture = html_widget("", "coopkit-group-result")
        self.refresh_button = button(t("app.result.refresh", lang), "coopkit-refresh")
        self.notice = notice or Notice()
        safe = guarded(self.notice, lambda: self.lang)
        self.refresh_button.on_click(lambda _b: self.draw_group())
        columns = widgets.HBox([self.own, self.group_picture])
        columns.add_class("coopkit-columns")
        children: list[widgets.Widget] = [columns]
        if show_group and store is not None and workshop is not None:
            children.append(self.refresh_button)
        super().__init__(children)
        self.add_class("coopkit-result")
        self.value = self.result.as_value()
        self.draw_group = safe(self.refresh_group)
        if not show_group:  # no empty half-page beside the result on a wide screen
            self.group_picture.layout.display = "none"
        if show_group and store is not None and workshop is not None:
            self.group_picture.value = heading(t("app.result.group_title", lang), 2) + \
                paragraph(t("app.result.group_loading", lang), "coopkit-hint")

    def refresh_group(self) -> None:
        """Draw the group's picture again (more participants may have validated)."""
        self.group_picture.value = group_picture_html(self.store, self.workshop,
                                                      self.questionnaire, self.lang)
