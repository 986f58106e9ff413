"""The paper fallback: a printable questionnaire, and typing paper answers back in.

Some participants have no phone, or the venue's Wi-Fi fails. :func:`paper_pages` lays
any questionnaire out on A4 pages with boxes to tick (matplotlib only, no new
dependency); :func:`write_paper_pdf` saves them as one PDF. Each printed sheet carries
the questionnaire's id and the start of its content hash, so a paper is never typed
into the wrong version.

:func:`enter_paper` stores one paper as its own anonymous participant, through the
store's public API only (``join``, ``save_answer`` for each answer, ``validate``): the
same checks as on a phone apply, and nothing is written when an answer is off the
scale. The consultant's entry widget lives in :mod:`coopkit.consultant.paper`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from coopkit.definitions import method
from coopkit.errors import CoopkitError, problem
from coopkit.i18n import get_language, normalise_language, t
from coopkit.definitions.questionnaire import DONT_KNOW, NOT_APPLICABLE, Item, Questionnaire, Section

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coopkit.store import Participant, Store

A4 = (8.27, 11.69)  # inches
_MARGIN = 0.7
_BOX = 0.13  # side of a tick box, inches
_LINE = 1.45  # line height as a multiple of the font size
_SPACING = 1.366  # matplotlib's linespacing giving that line height (DejaVu Sans)


def tex_safe(text: str) -> str:
    """``text`` as matplotlib shows it literally (no ``$...$`` maths)."""
    return text.replace("$", r"\$")


def group_choices(questionnaire: Questionnaire, lang: str | None = None,
                  groups: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(id, label) of the groups a participant may choose: the questionnaire's own,
    else ``groups`` (e.g. the project's), else every group of the method."""
    if questionnaire.groups:
        return [(g.id, g.label.get(lang)) for g in questionnaire.groups
                if groups is None or g.id in groups or not groups]
    ids = list(groups) if groups else list(method.GROUP_IDS)
    return [(g, t(f"method.group.{g}", lang)) for g in ids]


def choice_labels(item: Item, lang: str | None = None) -> list[tuple[object, str]]:
    """(stored value, label) of every box of a closed item, in order."""
    if item.type == "scale" and item.scale is not None:
        out: list[tuple[object, str]] = [(p.value, p.label.get(lang))
                                         for p in item.scale.points]
        if item.scale.not_applicable:
            out.append((NOT_APPLICABLE, t("paper.not_applicable", lang)))
        if item.scale.dont_know:
            out.append((DONT_KNOW, t("paper.dont_know", lang)))
        return out
    if item.type == "intensity":
        return [(n, str(n)) for n in range(0, (item.max or 0) + 1)]
    return [(c.id, c.label.get(lang)) for c in item.choices]


class FlowLayout:
    """Flows text, tick boxes and tables down A4 pages (inches from the top).

    ``footer`` gets the page number and returns the footer's text; ``corner`` is
    written at the top right of every page. Also used by :mod:`coopkit.exports.pdf`.
    """

    def __init__(self, footer: Callable[[int], str], corner: str = ""):
        self.footer = footer
        self.corner = corner
        self.pages: list[Figure] = []
        self.fig: Figure | None = None
        self.y = 0.0
        self.width = A4[0] - 2 * _MARGIN

    # -- pages
    def new_page(self) -> Figure:
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=A4)
        self.pages.append(self.fig)
        self.y = _MARGIN
        self.put(_MARGIN, A4[1] - _MARGIN / 2, self.footer(len(self.pages)), size=7,
                 color="0.35")
        if self.corner:
            self.put(A4[0] - _MARGIN, _MARGIN / 2, self.corner, size=8, ha="right")
        return self.fig

    def area(self, height: float) -> tuple[float, float, float, float]:
        """Reserve ``height`` inches of the page for an axes; returns its figure
        rectangle ``(left, bottom, width, height)`` (a new page if it does not fit)."""
        self.need(height)
        rect = (_MARGIN / A4[0], 1 - (self.y + height) / A4[1], self.width / A4[0],
                height / A4[1])
        self.y += height
        return rect

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]],
              widths: Sequence[float], *, size: float = 8.5) -> None:
        """A simple table: ``widths`` are fractions of the text width; long cells
        wrap; the header is repeated on each new page."""
        step = size * _LINE / 72

        def cells(values: Sequence[object], bold: bool) -> None:
            wrapped = []
            for value, share in zip(values, widths, strict=True):
                chars = max(4, int((share * self.width - 0.1) * 72 / (size * 0.6)))
                text = "" if value is None else str(value)
                wrapped.append(textwrap.wrap(text, chars) or [""])
            height = max(len(w) for w in wrapped) * step
            if self.fig is None or self.y + height > A4[1] - _MARGIN:
                self.new_page()
                if not bold:
                    cells(header, True)
            x = _MARGIN
            for lines, share in zip(wrapped, widths, strict=True):
                self.put(x, self.y, "\n".join(lines), size=size, linespacing=_SPACING,
                         weight="bold" if bold else "normal")
                x += share * self.width
            self.y += height + 0.04
            assert self.fig is not None
            self.fig.add_artist(_hline(self.fig, _MARGIN, A4[0] - _MARGIN, self.y - 0.02))

        cells(header, True)
        for row in rows:
            cells(row, False)
        self.y += 0.1

    def need(self, height: float) -> None:
        if self.fig is None or self.y + height > A4[1] - _MARGIN:
            self.new_page()

    def put(self, x: float, y: float, text: str, *, size: float = 10, ha: str = "left",
            weight: str = "normal", style: str = "normal", color: str = "black",
            va: str = "top", linespacing: float = 1.2) -> None:
        assert self.fig is not None
        self.fig.text(x / A4[0], 1 - y / A4[1], tex_safe(text), fontsize=size, ha=ha,
                      va=va, linespacing=linespacing, fontweight=weight, fontstyle=style,
                      color=color)

    def box(self, x: float, y: float) -> None:
        from matplotlib.patches import Rectangle

        assert self.fig is not None
        self.fig.add_artist(Rectangle(
            (x / A4[0], 1 - (y + _BOX) / A4[1]), _BOX / A4[0], _BOX / A4[1],
            transform=self.fig.transFigure, fill=False, linewidth=0.8))

    # -- flowing content
    def paragraph(self, text: str, *, size: float = 10, indent: float = 0.0,
                  weight: str = "normal", style: str = "normal", after: float = 0.05,
                  keep: float = 0.0) -> None:
        chars = max(20, int((self.width - indent) * 72 / (size * 0.56)))
        lines = [ln for part in text.splitlines() for ln in (textwrap.wrap(part, chars) or [""])]
        step = size * _LINE / 72
        self.need(min(len(lines), 3) * step + keep)
        while lines:  # one text per page-sized run of lines (fewer artists, faster PDFs)
            room = max(1, int((A4[1] - _MARGIN - self.y) // step))
            run, lines = lines[:room], lines[room:]
            self.put(_MARGIN + indent, self.y, "\n".join(run), size=size, weight=weight,
                     style=style, linespacing=_SPACING)
            self.y += step * len(run)
            if lines:
                self.new_page()
        self.y += after

    def boxes(self, labels: Sequence[str], *, indent: float = 0.25, size: float = 9,
              vertical: bool = False) -> None:
        """Tick boxes with their labels in aligned columns (one per line if
        ``vertical`` or when the labels are long)."""
        step = size * _LINE / 72 + 0.04
        room = self.width - indent
        widths = [_BOX + 0.1 + _text_width(label, size) + 0.2 for label in labels]
        if not vertical and sum(widths) <= room:  # one row, spread out
            extra = min((room - sum(widths)) / max(len(labels), 1), 0.6)
            self.need(step)
            x = _MARGIN + indent
            for label, width in zip(labels, widths, strict=True):
                self.box(x, self.y)
                self.put(x + _BOX + 0.08, self.y + _BOX / 2, label, size=size, va="center_baseline")
                x += width + extra
            self.y += step + 0.04
            return
        cell = max(widths, default=1.0)
        columns = 1 if vertical else max(1, min(len(labels), int(room // cell)))
        cell = room / columns
        for i, label in enumerate(labels):
            if i % columns == 0:
                self.need(step)
                if i:
                    self.y += step
            x = _MARGIN + indent + (i % columns) * cell
            self.box(x, self.y)
            self.put(x + _BOX + 0.08, self.y + _BOX / 2, label, size=size, va="center_baseline")
        self.y += step + 0.04

    def writing_lines(self, count: int = 3, indent: float = 0.25) -> None:
        self.need(count * 0.32)
        assert self.fig is not None
        for _ in range(count):
            self.y += 0.32
            self.fig.add_artist(_hline(self.fig, _MARGIN + indent, A4[0] - _MARGIN, self.y))
        self.y += 0.12


@cache
def _text_width(text: str, size: float) -> float:
    """The width of ``text`` in inches at ``size`` points (matplotlib's default font)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, _, _ = TextToPath().get_text_width_height_descent(
        tex_safe(text), FontProperties(size=size), ismath=False)
    return width / 72


def _hline(fig: Figure, x0: float, x1: float, y: float):
    from matplotlib.lines import Line2D

    return Line2D([x0 / A4[0], x1 / A4[0]], [1 - y / A4[1]] * 2, transform=fig.transFigure,
                  linewidth=0.5, color="0.4")


def _walk(sections: Sequence[Section], depth: int = 0
          ) -> Iterator[tuple[int, Section | Item]]:
    for s in sections:
        yield depth, s
        for it in s.items:
            yield depth, it
        yield from _walk(s.subsections, depth + 1)


def numbered_items(questionnaire: Questionnaire) -> list[tuple[int, Item]]:
    """Items with the number printed beside them on paper (1, 2, 3...)."""
    return list(enumerate(questionnaire.items(), start=1))


def paper_pages(questionnaire: Questionnaire, lang: str | None = None, *,
                groups: Sequence[str] | None = None,
                establishments: Sequence[str] = ()) -> list[Figure]:
    """The printable questionnaire as A4 matplotlib figures (no file written).

    ``groups`` limits the groups offered (e.g. the project's); ``establishments`` are
    the partner establishments to tick (a writing line when empty).
    """
    code = normalise_language(lang or get_language())
    if code not in questionnaire.languages:
        code = questionnaire.languages[0]
    q = questionnaire
    lay = FlowLayout(lambda page: t("paper.footer", code, id=q.id, version=q.version,
                                    hash=q.content_hash[:8], page=page),
                     t("paper.sheet_number", code))
    lay.new_page()
    lay.paragraph(q.title.get(code), size=16, weight="bold", after=0.12)
    if q.intro is not None:
        lay.paragraph(q.intro.get(code), size=9.5, after=0.1)
    lay.paragraph(t("paper.instructions", code), size=9.5, style="italic", after=0.15)
    lay.paragraph(t("paper.your_group", code), size=11, weight="bold", keep=0.3)
    lay.boxes([label for _, label in group_choices(q, code, groups)])
    lay.paragraph(t("paper.your_establishment", code), size=11, weight="bold", keep=0.3)
    if establishments:
        lay.boxes(list(establishments))
    else:
        lay.writing_lines(1)
    lay.y += 0.1
    numbers = {it.id: n for n, it in numbered_items(q)}
    for depth, part in _walk(q.sections):
        if isinstance(part, Section):
            lay.paragraph(part.title.get(code), size=13 if depth == 0 else 11.5,
                          weight="bold", after=0.06, keep=0.8)
            if part.intro is not None:
                lay.paragraph(part.intro.get(code), size=9, style="italic", after=0.08)
            continue
        it = part
        hint = t(f"paper.hint.{it.type}", code, max=it.max or 0)
        if not it.required:
            hint = f"{hint} {t('paper.optional', code)}"
        lay.paragraph(f"{numbers[it.id]}. {it.text.get(code)}", size=10,
                      keep=1.3 if it.type == "text" else 0.6, after=0.0)
        lay.paragraph(hint, size=8, style="italic", indent=0.25, after=0.04)
        if it.help is not None:
            lay.paragraph(it.help.get(code), size=8, style="italic", indent=0.25, after=0.04)
        if it.type == "text":
            lay.writing_lines(3)
            continue
        labels = [label for _, label in choice_labels(it, code)]
        if it.type == "intensity" and it.low is not None:
            labels[0] = f"{labels[0]} {it.low.get(code)}"
        if it.type == "intensity" and it.high is not None:
            labels[-1] = f"{labels[-1]} {it.high.get(code)}"
        lay.boxes(labels, vertical=it.type in ("single", "multiple") and
                  sum(len(x) for x in labels) > 70)
        lay.y += 0.06
    return lay.pages


def write_paper_pdf(questionnaire: Questionnaire, path: str | Path, lang: str | None = None,
                    *, groups: Sequence[str] | None = None,
                    establishments: Sequence[str] = ()) -> Path:
    """Write the printable questionnaire as a PDF file; returns its path."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    out = Path(path)
    pages = paper_pages(questionnaire, lang, groups=groups, establishments=establishments)
    with rc_context({"pdf.fonttype": 42}), PdfPages(out, metadata={
            "Title": questionnaire.title.get(lang), "Creator": "coopkit"}) as pdf:
        for fig in pages:
            pdf.savefig(fig)
    return out


# ------------------------------------------------------------------ paper entry

def enter_paper(store: Store, code: str, group: str, answers: Mapping[str, object], *,
                establishment: str | None = None, validate: bool = True) -> Participant:
    """Store one paper questionnaire as its own anonymous participant.

    ``code`` is the workshop's join code (the workshop must be open), ``answers`` maps
    item ids to values (``None`` or an empty text = not answered). Every answer is
    checked before anything is written, so a typing mistake leaves no half-entered
    paper; then ``join``, one ``save_answer`` per answer and, when ``validate``,
    ``validate`` (which requires every required question: pass ``validate=False`` to
    keep an incomplete paper, unvalidated). Returns the participant.
    """
    workshop = store.workshop_by_code(code)
    q = store.questionnaire(workshop.questionnaire_hash)
    given = {k: v for k, v in answers.items() if not _blank(v)}
    problems = []
    for item_id, value in given.items():
        try:
            q.check_answer(item_id, value)
        except CoopkitError as exc:
            problems.extend(exc.problems)
    missing = missing_required(q, group, given) if validate else []
    if missing:
        shown = ", ".join(missing[:8]) + (", …" if len(missing) > 8 else "")
        problems.append(problem("missing_answers", field="validate", value=shown,
                                count=len(missing)))
    if problems:
        raise CoopkitError(problems)
    participant = store.join(code, group, establishment)
    for item_id, value in given.items():
        store.save_answer(participant.token, item_id, value)
    if validate:
        try:
            return store.validate(participant.token)
        except CoopkitError:
            store.erase_participant(participant.token)
            raise
    return participant


def _blank(value: object) -> bool:
    """Nothing ticked or written: an unanswered question on paper."""
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, list | tuple) and not value)


def missing_required(questionnaire: Questionnaire, group: str,
                     answers: Mapping[str, object]) -> list[str]:
    """The required questions asked to ``group`` that have no answer."""
    return [it.id for it in questionnaire.required_of(group)
            if _blank(answers.get(it.id))]
