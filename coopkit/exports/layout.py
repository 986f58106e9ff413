"""Page layout for the PDFs coopkit writes: text that flows from page to page.

:class:`FlowLayout` places wrapped paragraphs, tick boxes and writing lines on A4 pages
with matplotlib only (no new dependency), starting a new page when one is full; the
printed questionnaire (:mod:`~coopkit.exports.paper`) and the committee report
(:mod:`~coopkit.exports.pdf`) both use it. Knows nothing of questionnaires or the store.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

A4 = (8.27, 11.69)  # inches
_MARGIN = 0.7
_BOX = 0.13  # side of a tick box, inches
_LINE = 1.45  # line height as a multiple of the font size
_SPACING = 1.366  # matplotlib's linespacing giving that line height (DejaVu Sans)


def tex_safe(text: str) -> str:
    """``text`` as matplotlib shows it literally (no ``$...$`` maths)."""
    return text.replace("$", r"\$")


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
        wrap between words (never inside one: a column too narrow for its longest
        word is widened, taking room from the others); the header is repeated on
        each new page."""
        step = size * _LINE / 72
        texts = [[("" if v is None else str(v)) for v in row] for row in rows]
        heads = [str(h) for h in header]
        columns = fit_columns([share * self.width for share in widths],
                              [[heads[c], *(row[c] for row in texts)]
                               for c in range(len(heads))], size)

        def cells(values: Sequence[str], bold: bool) -> None:
            weight = "bold" if bold else "normal"
            wrapped = [wrap_to_width(text, width - 0.1, size, weight) or [""]
                       for text, width in zip(values, columns, strict=True)]
            height = max(len(w) for w in wrapped) * step
            if self.fig is None or self.y + height > A4[1] - _MARGIN:
                self.new_page()
                if not bold:
                    cells(heads, True)
            x = _MARGIN
            for lines, width in zip(wrapped, columns, strict=True):
                self.put(x, self.y, "\n".join(lines), size=size, linespacing=_SPACING,
                         weight=weight)
                x += width
            self.y += height + 0.04
            assert self.fig is not None
            self.fig.add_artist(_hline(self.fig, _MARGIN, A4[0] - _MARGIN, self.y - 0.02))

        cells(heads, True)
        for row in texts:
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
        widths = [_BOX + 0.1 + text_width(label, size) + 0.2 for label in labels]
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


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """The width of ``text`` in inches at ``size`` points (matplotlib's default font):
    the sum of its characters' advances (no kerning: a hair wider at most)."""
    return sum(_advance(char, size, weight) for char in text)


@cache
def _advance(char: str, size: float, weight: str) -> float:
    from matplotlib import ft2font
    from matplotlib.font_manager import FontProperties, findfont, get_font

    flags = (ft2font.LoadFlags.NO_HINTING if hasattr(ft2font, "LoadFlags")  # matplotlib 3.10+
             else ft2font.LOAD_NO_HINTING)
    font = get_font(findfont(FontProperties(size=size, weight=weight)))
    font.set_size(size, 72)
    glyph = font.load_char(ord(char), flags=flags)
    return glyph.linearHoriAdvance / 65536 / 72


def wrap_to_width(text: str, width: float, size: float, weight: str = "normal") -> list[str]:
    """``text`` in lines no wider than ``width`` inches, broken between words only
    (a word wider than ``width`` gets a line of its own); its own line breaks kept."""
    space = text_width(" ", size, weight) if text else 0.0
    lines: list[str] = []
    for part in text.splitlines() or [""]:
        line, used = "", 0.0
        for word in part.split():
            need = text_width(word, size, weight)
            if line and used + space + need > width:
                lines.append(line)
                line, used = "", 0.0
            line, used = (f"{line} {word}", used + space + need) if line else (word, need)
        lines.append(line)
    return lines


def fit_columns(widths: Sequence[float], columns: Sequence[Sequence[str]],
                size: float) -> list[float]:
    """Column widths (inches, same total as ``widths``) in which each column's longest
    word fits: a narrow column takes room from the columns that can spare it."""
    pad = 0.14
    needed = [max((text_width(word, size, "bold") for text in texts for word in text.split()),
                  default=0.0) + pad for texts in columns]
    out = list(widths)
    total = sum(out)
    if sum(needed) >= total:  # cannot fit every word: share out in proportion
        return [total * n / sum(needed) for n in needed]
    for _ in range(len(out)):
        short = sum(max(0.0, n - w) for n, w in zip(needed, out, strict=True))
        if short <= 1e-9:
            break
        spare = [max(0.0, w - n) for n, w in zip(needed, out, strict=True)]
        room = sum(spare)
        out = [max(w, n) - (short * s / room if room else 0.0)
               for w, n, s in zip(out, needed, spare, strict=True)]
    return out


def _hline(fig: Figure, x0: float, x1: float, y: float):
    from matplotlib.lines import Line2D

    return Line2D([x0 / A4[0], x1 / A4[0]], [1 - y / A4[1]] * 2, transform=fig.transFigure,
                  linewidth=0.5, color="0.4")


