"""The paper fallback: a printable questionnaire.

Some participants have no phone, or the venue's Wi-Fi fails. :func:`paper_pages` lays
any questionnaire out on A4 pages with boxes to tick (matplotlib only, no new
dependency); :func:`write_paper_pdf` saves them as one PDF. Each printed sheet carries
the questionnaire's id and the start of its content hash, so a paper is never typed
into the wrong version.

Typing paper answers back in is the consultant's (:mod:`coopkit.consultant.paper`),
numbered by :func:`numbered_items` as on the sheet.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coopkit.definitions import method
from coopkit.definitions.questionnaire import (
    DONT_KNOW,
    NOT_APPLICABLE,
    Item,
    Questionnaire,
    Section,
)
from coopkit.exports.layout import FlowLayout
from coopkit.i18n import get_language, normalise_language, t

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
        out = [(n, str(n)) for n in range(0, (item.max or 0) + 1)]
        if item.not_concerned:
            out.append((NOT_APPLICABLE, t("paper.not_concerned", lang)))
        return out
    return [(c.id, c.label.get(lang)) for c in item.choices]


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
        asked = [label for gid, label in group_choices(q, code) if it.asked_of(gid)]
        if len(asked) < len(group_choices(q, code)):  # not every group answers it
            lay.paragraph(t("paper.audience", code, groups=", ".join(asked)), size=8,
                          style="italic", indent=0.25, after=0.04)
        if it.type == "text":
            lay.writing_lines(3)
            continue
        labels = [label for _, label in choice_labels(it, code)]
        if it.type == "intensity" and it.low is not None:
            labels[0] = f"{labels[0]} {it.low.get(code)}"
        if it.type == "intensity" and it.high is not None:
            top = it.max or 0
            labels[top] = f"{labels[top]} {it.high.get(code)}"
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
