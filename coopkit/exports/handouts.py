"""Printable handouts for trainers: the three feelings, the behaviours, the principles.

Each handout is one A4 page (or more if a translation runs long) laid out with
:class:`~coopkit.exports.layout.FlowLayout`, its texts taken from the method as data
(:mod:`coopkit.definitions.method`) and the ``handout.*`` entries of the catalogues, so
a reworded principle reads the same on paper, on screen and in the exports.
``coopkit fiches`` writes them as PDF (``docs/fiches/`` by default). Knows nothing of
questionnaires, the store or widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coopkit.definitions import method
from coopkit.exports.layout import FlowLayout
from coopkit.i18n import LANGUAGES, normalise_language, t

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: handout id -> file stem (one PDF per handout and language: ``<stem>.<lang>.pdf``).
HANDOUTS = {"ressentis": "fiche-ressentis", "comportements": "fiche-comportements",
            "principes": "fiche-principes"}


def _layout(title: str, lang: str) -> FlowLayout:
    lay = FlowLayout(lambda page: t("handout.footer", lang, title=title, page=page))
    lay.new_page()
    lay.paragraph(title, size=20, weight="bold", after=0.15)
    return lay


def feelings_pages(lang: str | None = None) -> list[Figure]:
    """The three feelings: what each is, examples, the plan it feeds; the themes; trust."""
    code = normalise_language(lang)
    lay = _layout(t("handout.feelings.title", code), code)
    lay.paragraph(t("handout.feelings.intro", code), size=11, after=0.2)
    rows = [(f.label(code), f.description(code), t(f"handout.examples.{f.id}", code),
             t(f"method.plan.{method.PLAN_OF_FEELING[f.id]}", code))
            for f in method.FEELINGS]
    lay.table([t(f"handout.col.{c}", code) for c in ("feeling", "what", "examples", "plan")],
              rows, (0.17, 0.23, 0.38, 0.22), size=10)
    lay.paragraph(t("handout.themes", code), size=13, weight="bold", after=0.08, keep=1.0)
    colon = " : " if code == "fr" else ": "
    for theme in method.THEMES:
        text = theme.description(code)
        lay.paragraph(f"• {theme.label(code)}{colon}{text[:1].lower()}{text[1:]}",
                      size=10.5, indent=0.1, after=0.04)
    lay.y += 0.15
    lay.paragraph(t("handout.trust", code), size=10.5, style="italic")
    return lay.pages


def behaviours_pages(lang: str | None = None) -> list[Figure]:
    """The three behaviours: what pushes towards each, what holds it in check."""
    code = normalise_language(lang)
    lay = _layout(t("handout.behaviours.title", code), code)
    lay.paragraph(t("handout.behaviours.intro", code), size=11, after=0.2)
    feeling = {c.id: c.label(code) for c in (*method.FEELINGS, method.TRUST)}
    rows = [(b.label(code), feeling[b.pushed_by], feeling[b.held_by])
            for b in method.BEHAVIOURS]
    lay.table([t(f"handout.col.{c}", code) for c in ("behaviour", "pushed", "held")],
              rows, (0.3, 0.3, 0.4), size=11)
    for b in method.BEHAVIOURS:
        lay.paragraph(f"• {b.label(code)} : {b.description(code)}" if code == "fr"
                      else f"• {b.label(code)}: {b.description(code)}", size=10.5, indent=0.1,
                      after=0.04)
    lay.y += 0.15
    lay.paragraph(t("handout.behaviours.lever", code), size=11, weight="bold", after=0.2)
    lay.paragraph(t("handout.behaviours.talk", code), size=13, weight="bold", after=0.08,
                  keep=1.0)
    for n in (1, 2, 3):
        lay.paragraph(f"• {t(f'handout.behaviours.talk.{n}', code)}", size=10.5, indent=0.1,
                      after=0.04)
    return lay.pages


def principles_pages(lang: str | None = None) -> list[Figure]:
    """The nine principles, each a duty, then the promoter's prerequisite."""
    code = normalise_language(lang)
    lay = _layout(t("handout.principles.title", code), code)
    lay.paragraph(t("handout.principles.intro", code), size=11, after=0.2)
    lay.table([t("handout.col.number", code), t("handout.col.principle", code)],
              [(p.number, p.label(code)) for p in method.PRINCIPLES], (0.08, 0.92), size=10.5)
    lay.paragraph(t("handout.prerequisite", code), size=13, weight="bold", after=0.08,
                  keep=0.8)
    prerequisite = method.PREREQUISITES[0]
    lay.paragraph(t(f"method.prerequisite.{prerequisite.id}", code) + ".", size=11)
    lay.paragraph(t(f"method.prerequisite.{prerequisite.id}.desc", code), size=10,
                  style="italic")
    return lay.pages


_PAGES: dict[str, Callable[[str | None], list[Figure]]] = {
    "ressentis": feelings_pages, "comportements": behaviours_pages,
    "principes": principles_pages,
}


def handout_pages(handout: str, lang: str | None = None) -> list[Figure]:
    """The pages of one handout (``ressentis``, ``comportements`` or ``principes``)."""
    return _PAGES[handout](lang)


def write_handouts(folder: str | Path, languages: tuple[str, ...] = LANGUAGES) -> list[Path]:
    """Write every handout in every language as PDF into ``folder``; returns the files."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for handout, stem in HANDOUTS.items():
        for lang in languages:
            path = out / f"{stem}.{lang}.pdf"
            pages = handout_pages(handout, lang)
            title = t(f"handout.{_TITLE_KEY[handout]}.title", lang)
            # Type 42 fonts keep the text selectable; no creation date: the same
            # texts give the same file, so a committed handout changes only with them.
            with rc_context({"pdf.fonttype": 42}), PdfPages(path, metadata={
                    "Title": title, "Creator": "coopkit", "CreationDate": None}) as pdf:
                for fig in pages:
                    pdf.savefig(fig)
            written.append(path)
    return written


_TITLE_KEY = {"ressentis": "feelings", "comportements": "behaviours",
              "principes": "principles"}
