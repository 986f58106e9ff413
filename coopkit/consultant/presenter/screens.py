"""The presenter's screens: one widget per screen, each with one ``value``.

A screen is shown with :meth:`Screen.show`, given the :class:`RoomData` of the last
look at the store; it redraws only when what it shows has changed (its
:meth:`Screen.draw_key`). Results screens start hidden: until :attr:`Screen.revealed`
is set they show how many people have validated, never a figure (early answers sway a
room). Long contents are cut into pages (``page`` / ``pages``) rather than scrolled:
the presenter's "next" goes through a screen's pages before moving on.

Every figure comes from a :mod:`coopkit.analysis` frame, masked under k there; only
validated answers are used (:attr:`RoomData.results`). Every text that comes from a
participant, a questionnaire or the consultant goes through :func:`esc`. Knows
nothing of SQL (the store's API only) nor of the participant app.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from coopkit import analysis, charts
from coopkit.consultant.presenter.style import unit
from coopkit.definitions import method
from coopkit.i18n import normalise_language, plural_rule, t, tn
from coopkit.widgets.html import esc, html_widget

if TYPE_CHECKING:
    from coopkit.definitions.questionnaire import Item, Questionnaire
    from coopkit.store import Activity, Project, Proposal, Store, Workshop

#: Longest text shown whole; a longer one is shortened (the notebook shows it whole).
LONG_TEXT = 600


# ------------------------------------------------------------------ words and numbers

def number(value: float, lang: str, digits: int = 1) -> str:
    """``3.24`` -> ``"3,2"`` in French, ``"3.2"`` in English."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


def percent(share: float, lang: str) -> str:
    """``0.62`` -> ``"62 %"`` (narrow no-break space) in French, ``"62%"`` in English."""
    value = round(float(share) * 100)
    return f"{value}\u202f%" if lang == "fr" else f"{value}%"


def words(key: str, count: int, lang: str) -> str:
    """The words written beside a big number shown apart (``key.one`` / ``key.other``,
    « connecté » / « connectés »), by the language's plural rule; a sentence that
    says its count is a plural entry read by :func:`~coopkit.i18n.tn`."""
    return t(f"{key}.{'one' if plural_rule(lang)(abs(int(count))) == 0 else 'other'}", lang)


def group_label(questionnaire: Questionnaire | None, group: object, lang: str) -> str:
    """A group's name: the method's label, else the questionnaire's own group label."""
    if group is None or (isinstance(group, float) and math.isnan(group)):
        return "—"
    key = f"method.group.{group}"
    text = t(key, lang)
    if text != key:
        return text
    found = questionnaire.group(str(group)) if questionnaire is not None else None
    return found.label.get(lang) if found is not None else str(group)


def concept(kind: str, ident: object, lang: str) -> str:
    """A feeling, theme, plan... label, or ``"—"``."""
    if ident is None or (isinstance(ident, float) and math.isnan(ident)):
        return "—"
    key = f"method.{kind}.{ident}"
    text = t(key, lang)
    return str(ident) if text == key else text


def on_scale(score: float, item: Item | None) -> tuple[float, int] | None:
    """A 0..1 score back on the item's own scale: ``(value, top)`` (e.g. 3.2 on 0..5),
    or None when the item has no numeric scale."""
    if item is None or score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    if item.type == "intensity" and item.max:
        return float(score) * item.max, item.max
    if item.type == "scale" and item.scale is not None and item.scale.values:
        low, high = min(item.scale.values), max(item.scale.values)
        return low + float(score) * (high - low), high
    return None


def lines(text: str, per_line: int) -> float:
    """Estimated height of ``text`` in lines (plus the gap after it)."""
    return max(1, math.ceil(len(text) / max(per_line, 8))) + 0.45


def paginate(entries: Sequence[Any], weigh: Callable[[Any], float], budget: float
             ) -> list[list[Any]]:
    """Cut ``entries`` into pages whose weights fit ``budget`` (an entry heavier than
    the budget gets a page of its own). Always at least one (possibly empty) page."""
    pages: list[list[Any]] = [[]]
    used = 0.0
    for entry in entries:
        weight = weigh(entry)
        if pages[-1] and used + weight > budget:
            pages.append([])
            used = 0.0
        pages[-1].append(entry)
        used += weight
    return pages


def shorten(text: str, limit: int = LONG_TEXT) -> str:
    """The text, or its first ``limit`` characters and an ellipsis."""
    return text if len(text) <= limit else text[:limit].rstrip() + " […]"


# ------------------------------------------------------------------------ the data

@dataclass
class RoomData:
    """What one look at the store gives the screens, read lazily and shared by them.

    ``read_at`` is when the look began (``time.time()``): whatever was saved before it
    is in what the screens draw from this data (written on each screen as
    ``data-asof``, which ``benchmarks/presenter_latency.py`` reads).
    """

    store: Store
    workshop: Workshop
    activity: Activity
    questionnaire: Questionnaire
    lang: str
    participant_url: str | None = None
    read_at: float = field(default_factory=time.time)
    _results: pd.DataFrame | None = None
    _proposals: list[Proposal] | None = None
    _project: Project | None = None
    _participation: pd.DataFrame | None = None

    def results(self) -> pd.DataFrame:
        """The answers every figure is computed from (validated only,
        :func:`coopkit.analysis.counted`), with their k."""
        if self._results is None:
            self._results = analysis.counted(self.store.answers_frame(self.workshop.id))
        return self._results

    def participation(self) -> pd.DataFrame:
        """Joined and validated per group and in all, masked like every figure
        (:func:`coopkit.analysis.participation`)."""
        if self._participation is None:
            self._participation = analysis.participation(
                {g: tuple(c) for g, c in self.activity.groups}, self.workshop.k)
        return self._participation

    def validated(self) -> int | None:
        """How many have validated, as it may be shown (None: between 1 and k-1)."""
        total = self.participation().iloc[-1]["validated"]
        return None if total is pd.NA or pd.isna(total) else int(total)

    def proposals(self) -> list[Proposal]:
        """This workshop's action proposals, newest first."""
        if self._proposals is None:
            found = self.store.proposals(self.workshop.project_id)
            self._proposals = [p for p in reversed(found) if p.workshop_id == self.workshop.id]
        return self._proposals

    def project(self) -> Project:
        if self._project is None:
            self._project = self.store.project(self.workshop.project_id)
        return self._project

    @property
    def join_url(self) -> str | None:
        """The link that opens this workshop on a phone (None: no participant server)."""
        if not self.participant_url:
            return None
        return f"{self.participant_url.rstrip('/')}/?code={self.activity.code}"


# ---------------------------------------------------------------------- the screens

class Screen(widgets.VBox):
    """One screen of the presenter. ``value`` says what it shows (for tests)."""

    key = "screen"
    #: Results screens start hidden until the consultant reveals them.
    results = True

    value = traitlets.Dict()
    revealed = traitlets.Bool(False)
    page = traitlets.Int(0)

    def __init__(self, lang: str | None = None):
        self.lang = normalise_language(lang)
        self.body = html_widget("", "coopkit-present-body")
        self.pages = 1
        self.draws = 0
        self._drawn: object = None
        self._pending: str | None = None
        super().__init__(self.parts())
        self.add_class("coopkit-present-screen")
        self.add_class(f"coopkit-present-{self.key}")

    def parts(self) -> list[widgets.Widget]:
        return [self.body]

    # ----------------------------------------------------------- texts of the frame

    def title(self) -> str:
        return t(f"present.{self.key}.title", self.lang)

    def subtitle(self, data: RoomData | None) -> str:
        if data is None or not self.results:
            return ""
        shown = data.validated()
        if shown is None:
            return tn("present.validated_note.few", data.workshop.k, self.lang)
        return tn("present.validated_note", shown, self.lang)

    def prompt(self) -> str:
        """What the consultant may ask the room on this screen (not for the room): the
        facilitation guide's prompt (docs/animer.md), one text for both."""
        return method.presenter_prompt(self.key, self.lang)

    # ------------------------------------------------------------------- showing

    @property
    def hidden(self) -> bool:
        return self.results and not self.revealed

    def draw_key(self, data: RoomData) -> object:
        """Equal keys, same picture: what this screen's drawing depends on."""
        if self.hidden:
            return ("hidden", data.activity.validated)
        return ("shown", self.page, data.activity.results_key)

    def show(self, data: RoomData, *, force: bool = False, defer: bool = False) -> bool:
        """Draw from ``data`` if what it shows changed; True when redrawn. With
        ``defer``, the new picture waits for :meth:`flush` (the presenter updates its
        controls first, so that a page never shows a screen with the previous one's
        buttons)."""
        drawn = self.draw_key(data)
        if not force and drawn == self._drawn:
            return False
        if self.hidden:
            self.value = {"key": self.key, "revealed": False,
                          "validated": data.activity.validated}
            markup = self._hidden_html(data)
        else:
            value, markup = self.render(data)
            self.page = min(self.page, self.pages - 1)
            self.value = {"key": self.key, "revealed": True, "page": self.page,
                          "pages": self.pages, **value}
        css = f"cp-screen cp-screen-{self.key}"
        self._pending = (f'<div class="{css}" data-asof="{data.read_at:.3f}">'
                         f"{markup}{self._pager()}</div>")
        self._drawn = self.draw_key(data)
        self.draws += 1
        if not defer:
            self.flush()
        return True

    def flush(self) -> None:
        """Put the picture drawn by :meth:`show` on the page."""
        if self._pending is not None:
            self.body.value, self._pending = self._pending, None

    def _pager(self) -> str:
        if self.hidden or self.pages <= 1:
            return ""
        return (f'<p class="cp-page">'
                f'{esc(t("present.page", self.lang, page=self.page + 1, pages=self.pages))}'
                "</p>")

    def _hidden_html(self, data: RoomData) -> str:
        lang = self.lang
        shown = data.validated()
        count = tn("present.hidden.count", shown, lang) if shown is not None else \
            tn("present.hidden.count.few", data.workshop.k, lang)
        return (f'<div class="cp-centre"><div class="cp-hidden-box">'
                f'<p class="cp-big">{esc(t("present.hidden.title", lang))}</p>'
                f'<p class="cp-mid">{esc(count)}</p>'
                f'<p class="cp-small">{esc(t("present.hidden.hint", lang))}</p>'
                "</div></div>")

    def render(self, data: RoomData) -> tuple[dict[str, Any], str]:  # pragma: no cover
        """``(value, html)`` of what the screen shows (sets ``self.pages``)."""
        raise NotImplementedError

    # ------------------------------------------------------------------- pages

    def next_page(self) -> bool:
        """Go to the next page of this screen; False when on the last one (or hidden)."""
        if self.hidden or self.page >= self.pages - 1:
            return False
        self.page += 1
        return True

    def previous_page(self) -> bool:
        if self.hidden or self.page <= 0:
            return False
        self.page -= 1
        return True

    def _empty(self, key: str, count: int | None = None, **values: object) -> str:
        text = t(key, self.lang, **values) if count is None else tn(key, count, self.lang,
                                                                    **values)
        return f'<div class="cp-centre"><p class="cp-mid">{esc(text)}</p></div>'


class WelcomeScreen(Screen):
    """A large QR code, the address and the join code, and who joined / validated."""

    key = "welcome"
    results = False

    def __init__(self, lang: str | None = None):
        self._qr: tuple[str, str] | None = None
        super().__init__(lang)

    def subtitle(self, data: RoomData | None) -> str:
        return t("present.welcome.subtitle", self.lang)

    def draw_key(self, data: RoomData) -> object:
        act = data.activity
        return (act.code, act.is_open, act.groups, act.answers, data.join_url)

    def qr(self, url: str) -> str:
        if self._qr is None or self._qr[0] != url:
            from coopkit.consultant.presenter.style import qr_svg

            self._qr = (url, qr_svg(url, t("present.welcome.qr_label", self.lang, url=url)))
        return self._qr[1]

    def render(self, data: RoomData) -> tuple[dict[str, Any], str]:
        lang, act = self.lang, data.activity
        url = data.join_url
        self.pages = 1
        if url:
            join = (self.qr(url)
                    + f'<p class="cp-join-url">{esc(url)}</p>')
        else:
            join = f'<p class="cp-note">{esc(t("present.welcome.no_server", lang))}</p>'
        join += (f'<p class="cp-join-code">{esc(t("present.welcome.code", lang))} '
                 f"<b>{esc(act.code)}</b></p>")
        if not act.is_open:
            join += f'<p class="cp-closed">{esc(t("present.closed", lang))}</p>'
        # Counts masked like every figure: a group's size between 1 and k-1 is not
        # shown, nor the next smallest with it, nor a total under k.
        part = data.participation()
        k = data.workshop.k

        def shown(value: object) -> str:
            return t("present.masked_cell", lang, k=k) if value is pd.NA or pd.isna(value) \
                else str(int(value))

        groups = [r for r in part.itertuples(index=False) if r.group is not None]
        total = part.iloc[-1]
        size = min(2.8, 46 / max(len(groups) + 1, 1) * 0.55)
        rows = "".join(f"<tr><td>{esc(group_label(data.questionnaire, r.group, lang))}</td>"
                       f'<td class="cp-num">{esc(shown(r.joined))}</td>'
                       f'<td class="cp-num">{esc(shown(r.validated))}</td></tr>'
                       for r in groups)
        if groups:
            table = (f'<table class="cp-table" style="--cp-row:{unit(size)}">'
                     '<thead><tr>'
                     f'<th scope="col">{esc(t("present.welcome.group", lang))}</th>'
                     f'<th scope="col" class="cp-num">{esc(t("present.welcome.joined", lang))}'
                     f'</th><th scope="col" class="cp-num">'
                     f'{esc(t("present.welcome.validated", lang))}</th></tr></thead>'
                     f"<tbody>{rows}</tbody></table>")
        else:
            table = f'<p class="cp-note">{esc(t("present.welcome.nobody", lang))}</p>'
        joined = None if pd.isna(total["joined"]) else int(total["joined"])
        validated = data.validated()
        # the number of answers would tell a small room's size: shown with the total
        answers = act.answers if joined is not None else None

        def big(value: int | None, key: str) -> str:
            number = esc(shown(value if value is not None else pd.NA))
            said = esc(words(key, value if value is not None else 2, lang))
            return f'<div class="cp-total"><b>{number}</b><span>{said}</span></div>'

        totals = (f'<div class="cp-totals">{big(joined, "present.welcome.joined_total")}'
                  f'{big(validated, "present.welcome.validated_total")}'
                  f'{big(answers, "present.welcome.answers_total")}</div>')
        value = {"code": act.code, "url": url, "open": act.is_open,
                 "groups": {r.group: [None if pd.isna(r.joined) else int(r.joined),
                                      None if pd.isna(r.validated) else int(r.validated)]
                            for r in groups},
                 "joined": joined, "validated": validated, "answers": answers}
        markup = (f'<div class="cp-join">{join}</div>'
                  f'<div class="cp-counts">{totals}{table}</div>')
        return value, markup


class FeelingsMapScreen(Screen):
    """The feelings map: groups in rows, theme × feeling in columns, live."""

    key = "map"

    def render(self, data: RoomData) -> tuple[dict[str, Any], str]:
        lang = self.lang
        self.pages = 1
        rows = data.results()
        if rows.empty:
            return {"status": "waiting", "rows": []}, self._empty("present.waiting")
        fmap = analysis.feelings_map(rows)
        k = analysis.anonymity_k(fmap)
        q = data.questionnaire
        top = next((it.max for it in q.items() if it.type == "intensity" and it.max), None)
        groups = list(dict.fromkeys(fmap["group"]))
        present = set(fmap["feeling"])
        # the three feelings, and trust when the questionnaire asks it (its own column)
        feelings = [f for f in method.MAP_ROWS if f in method.FEELING_IDS or f in present]
        cells: dict[tuple[str, str, str], Any] = {}
        for row in fmap.itertuples(index=False):
            cells[(row.group, row.theme, row.feeling)] = row
        # 1280×720 with the prompt shown leaves ~64 % of the height to the screen:
        # headers and legend take ~14 %, the rows share the rest.
        rows_n = max(len(groups), 1)
        cell_h = min(6.0, (44.0 - 0.4 * rows_n) / rows_n)
        font = min(3.2, cell_h * 0.5)
        label_size = max(1.3, min(2.2, cell_h / 2.35))
        head1 = '<th class="cp-group" rowspan="2"></th>' + "".join(
            f'<th class="cp-theme" colspan="{len(feelings)}" scope="colgroup">'
            f'{esc(concept("theme", th, lang))}</th>' for th in method.THEME_IDS)
        head2 = "".join(f'<th scope="col" class="cp-feeling">'
                        f'{esc(concept("feeling", f, lang))}</th>'
                        for _ in method.THEME_IDS for f in feelings)
        body, shown = [], []
        for g in groups:
            counts = [c.n for (gg, _, _), c in cells.items() if gg == g and c.status == "ok"]
            name = group_label(q, g, lang)
            label = f"{esc(name)} <span class=\"cp-times\">(n={max(counts)})</span>" \
                if counts else esc(name)
            tds, row_value = [], []
            for th in method.THEME_IDS:
                for f in feelings:
                    c = cells.get((g, th, f))
                    tip = f"{concept('feeling', f, lang)} · {concept('theme', th, lang)}"
                    if c is None or c.status == "empty":
                        tds.append(f'<td class="cp-empty" title="{esc(tip)}">—</td>')
                        row_value.append(None)
                    elif c.status == "masked":
                        tds.append(f'<td class="cp-masked" title="{esc(tip)}">'
                                   f'{esc(t("present.masked_cell", lang, k=k))}</td>')
                        row_value.append("masked")
                    else:
                        bg, fg = charts.intensity_colour(c.mean)
                        shown_value = c.value_mean if top and not _nan(c.value_mean) \
                            else c.mean
                        text = number(shown_value, lang, 1 if top else 2)
                        tds.append(f'<td style="background:{bg};color:{fg}" '
                                   f'title="{esc(tip)}">{esc(text)}</td>')
                        row_value.append(round(float(c.mean), 4))
            body.append(f'<tr><th class="cp-group" scope="row">{label}</th>{"".join(tds)}'
                        "</tr>")
            shown.append([g, row_value])
        scale = t("present.map.scale", lang, top=top) if top else \
            t("present.map.scale_share", lang)
        stops = ", ".join(charts.intensity_colour(x / 4)[0] for x in range(5))
        legend = (f'<p class="cp-legend"><span class="cp-scale" aria-hidden="true" '
                  f'style="background:linear-gradient(90deg, {stops})"></span>'
                  f"{esc(scale)} <span class=\"cp-swatch\" aria-hidden=\"true\"></span>"
                  f'{esc(tn("present.masked_legend", k, lang))}</p>')
        table = (f'<table class="cp-map" style="--cp-cell:{unit(cell_h)};'
                 f'--cp-row:{unit(font)};'
                 f'--cp-label:{unit(label_size)}"><thead>'
                 f'<tr>{head1}</tr><tr>{head2}</tr></thead>'
                 f'<tbody>{"".join(body)}</tbody></table>')
        return {"status": "ok", "rows": shown, "k": k}, table + legend


def _nan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class DivisiveScreen(Screen):
    """The statements that divide the room most, in full, three to a page."""

    key = "divisive"
    per_page = 3
    limit = 6

    def render(self, data: RoomData) -> tuple[dict[str, Any], str]:
        lang = self.lang
        rows = data.results()
        q = data.questionnaire
        if rows.empty:
            self.pages = 1
            return {"status": "waiting", "items": []}, self._empty("present.waiting")
        div = analysis.divergence(rows, q, lang=lang)
        k = analysis.anonymity_k(div)
        ok = div[div["status"] == analysis.OK].head(self.limit)
        hidden = int((div["status"] == analysis.MASKED).sum())
        if ok.empty:
            self.pages = 1
            return ({"status": "masked" if hidden else "waiting", "items": []},
                    self._empty("present.divisive.none", k=k))
        entries = list(ok.itertuples(index=False))
        pages = [entries[i:i + self.per_page] for i in range(0, len(entries), self.per_page)]
        self.pages = len(pages)
        page = pages[min(self.page, self.pages - 1)]
        first = min(self.page, self.pages - 1) * self.per_page
        items, shown = [], []
        for rank, row in enumerate(page, start=first + 1):
            item = q.item(row.item_id)
            parts = {"dispersion": 2 * row.dispersion / 3, "polarisation": row.polarisation / 3,
                     "gap": (0 if _nan(row.group_gap) else row.group_gap) / 3}
            why = max(parts, key=lambda p: parts[p])
            mean = on_scale(row.mean, item)
            meta = [f'<span class="cp-bar" role="img" aria-label="'
                    f'{esc(t("present.divisive.index", lang, value=number(row.index, lang, 2)))}'
                    f'"><span style="width:{min(max(row.index, 0), 1) * 100:.0f}%"></span>'
                    "</span>",
                    f'<span class="cp-pill">{esc(t(f"present.divisive.why.{why}", lang))}</span>']
            if mean is not None:
                meta.append(esc(t("present.divisive.mean", lang, value=number(mean[0], lang),
                                  top=mean[1])))
            meta.append(esc(tn("present.answers", int(row.n), lang)))
            items.append(f'<li><span class="cp-rank" aria-hidden="true">{rank}</span>'
                         f'<div class="cp-item"><p class="cp-statement">{esc(row.label)}</p>'
                         f'<p class="cp-meta">{meta[0]}{meta[1]}'
                         f'<span>{" · ".join(meta[2:])}</span></p></div></li>')
            shown.append({"item_id": row.item_id, "text": row.label,
                          "index": round(float(row.index), 4)})
        note = ""
        if hidden:
            note = tn("present.divisive.hidden", hidden, lang, k=k)
            note = f'<p class="cp-note">{esc(note)}</p>'
        return ({"status": "ok", "items": shown, "total": len(entries), "masked": hidden},
                f'<ol class="cp-list">{"".join(items)}</ol>{note}')


class ShoesScreen(Screen):
    """« Se mettre à la place de l'autre »: what a group is thought to feel, against
    what it says; the largest gaps first."""

    key = "shoes"
    per_page = 4
    limit = 8

    def render(self, data: RoomData) -> tuple[dict[str, Any], str]:
        lang = self.lang
        rows = data.results()
        q = data.questionnaire
        self.pages = 1
        if rows.empty:
            return {"status": "waiting", "rows": []}, self._empty("present.waiting")
        shoes = analysis.others_shoes(rows)
        k = analysis.anonymity_k(shoes)
        ok = shoes[shoes["status"] == analysis.OK]
        if ok.empty:
            return ({"status": "none", "rows": []},
                    self._empty("present.shoes.none", count=k))
        ok = ok.loc[ok["gap"].abs().sort_values(ascending=False, kind="stable").index]
        entries = list(ok.head(self.limit).itertuples(index=False))
        pages = [entries[i:i + self.per_page] for i in range(0, len(entries), self.per_page)]
        self.pages = len(pages)
        page = pages[min(self.page, self.pages - 1)]
        items, shown = [], []
        for row in page:
            item = _item(q, row.item_id)
            est, act = on_scale(row.estimate, item), on_scale(row.actual, item)
            top = est[1] if est else None
            fmt = (lambda s, v: number(v[0], lang)) if top else \
                (lambda s, v: percent(s, lang))
            e_text = fmt(row.estimate, est)
            a_text = fmt(row.actual, act)
            gap = (est[0] - act[0]) if (est and act) else row.gap
            sign = "+" if gap >= 0 else "−"
            gap_text = f"{sign}{number(abs(gap), lang) if top else percent(abs(gap), lang)}"
            about = group_label(q, row.about, lang)
            track = (f'<div class="cp-track" role="img" aria-label="'
                     f'{esc(t("present.shoes.aria", lang, actual=a_text, estimate=e_text))}">'
                     f'<span class="cp-mark cp-mark-actual" style="left:'
                     f'{_clip(row.actual) * 100:.1f}%"></span>'
                     f'<span class="cp-mark cp-mark-estimate" style="left:'
                     f'{_clip(row.estimate) * 100:.1f}%"></span></div>')
            by = group_label(q, row.group, lang)
            items.append(
                f'<li><div class="cp-item"><p class="cp-statement">{esc(about)} '
                f'<span class="cp-pill">{esc(concept("feeling", row.feeling, lang))} · '
                f'{esc(concept("theme", row.theme, lang))}</span> '
                f'<span class="cp-by">{esc(t("present.shoes.by", lang, group=by))}</span></p>'
                f'<div class="cp-shoe">{track}<p class="cp-meta">'
                f'<span>● {esc(t("present.shoes.actual", lang, value=a_text))}</span>'
                f'<span>◆ {esc(t("present.shoes.estimate", lang, value=e_text))}</span>'
                f'<b>{esc(t("present.shoes.gap", lang, value=gap_text))}</b></p></div>'
                "</div></li>")
            shown.append({"group": row.group, "about": row.about, "item_id": row.item_id,
                          "gap": round(float(row.gap), 4)})
        legend = (f'<p class="cp-note">{esc(t("present.shoes.legend", lang))}</p>')
        return ({"status": "ok", "rows": shown, "total": len(entries)},
                f'<ul class="cp-list">{"".join(items)}</ul>{legend}')


def _clip(value: float) -> float:
    return min(max(float(value), 0.0), 1.0)


def _item(q: Questionnaire, item_id: str) -> Item | None:
    try:
        return q.item(item_id)
    except Exception:  # an answer to an item the questionnaire no longer has
        return None


class FreeTextsScreen(Screen):
    """What the room wrote, one column per feeling, page after page."""

    key = "texts"
    #: Lines of text a column holds on one page (1280×720 and 1920×1080 alike).
    budget = 12.5

    def render(self, data: RoomData) -> tuple[dict[str, Any], str]:
        lang = self.lang
        rows = data.results()
        self.pages = 1
        texts = analysis.free_texts(rows, data.questionnaire)
        k = analysis.anonymity_k(texts)
        if texts.empty:
            return {"status": "waiting", "columns": {}}, self._empty("present.texts.none")
        if (texts["status"] == analysis.MASKED).any():
            return ({"status": "masked", "columns": {}},
                    self._empty("present.texts.masked", count=k))
        feelings: list[object] = list(method.FEELING_IDS)
        if texts["feeling"].isna().any():
            feelings.append(None)
        per_line = max(12, int(104 / len(feelings)))
        columns = {}
        for f in feelings:
            part = texts[texts["feeling"].isna()] if f is None else \
                texts[texts["feeling"] == f]
            entries = [(shorten(str(r.text)), int(r.count)) for r in part.itertuples()]
            columns[f] = paginate(entries, lambda e: lines(e[0], per_line), self.budget)
        self.pages = max(len(p) for p in columns.values())
        page = min(self.page, self.pages - 1)
        html_columns, shown = [], {}
        for f, pages in columns.items():
            entries = pages[page] if page < len(pages) else []
            title = concept("feeling", f, lang) if f is not None else \
                t("present.texts.other", lang)
            items = "".join(
                f'<li class="{"cp-long" if lines(text, per_line) > self.budget / 2 else ""}">'
                f"{esc(text)}"
                + (f' <span class="cp-times">×{count}</span>' if count > 1 else "")
                + "</li>" for text, count in entries)
            if not items and page == 0:
                items = f'<li class="cp-note">{esc(t("present.texts.column_empty", lang))}</li>'
            html_columns.append(f'<div class="cp-column"><h2>{esc(title)}</h2>'
                                f"<ul>{items}</ul></div>")
            shown[str(f) if f is not None else "other"] = [text for text, _ in entries]
        return ({"status": "ok", "columns": shown, "total": len(texts)},
                f'<div class="cp-columns">{"".join(html_columns)}</div>')


class PurposeScreen(Screen):
    """The common purpose statement, how the room voted on it, and the amendments."""

    key = "purpose"
    budget = 7.0

    def render(self, data: RoomData) -> tuple[dict[str, Any], str]:
        lang = self.lang
        q = data.questionnaire
        rows = data.results()
        purpose = (data.project().purpose or "").strip()
        if purpose:
            size = 3.6 if len(purpose) <= 260 else max(2.4, 3.6 * math.sqrt(260 / len(purpose)))
            statement = (f'<blockquote class="cp-statement-box" '
                         f'style="font-size:{unit(size)}">'
                         f"{esc(shorten(purpose, 900))}</blockquote>")
        else:
            statement = f'<p class="cp-note">{esc(t("present.purpose.no_statement", lang))}</p>'
        vote_item, _ = analysis.purpose_items(q)
        value: dict[str, Any] = {"purpose": purpose, "acceptance": None, "choices": [],
                                 "amendments": []}
        self.pages = 1
        if vote_item is None:
            value["status"] = "no_vote"
            return value, statement + (f'<p class="cp-mid">'
                                       f'{esc(t("present.purpose.no_vote", lang))}</p>')
        votes = analysis.purpose_vote(rows, q, lang=lang)
        k = analysis.anonymity_k(votes)
        n = int(votes["n"].fillna(0).max()) if len(votes) and votes["n"].notna().any() else 0
        if votes.empty or (votes["status"] != analysis.OK).all():
            value["status"] = "masked" if (votes["status"] == analysis.MASKED).any() \
                else "waiting"
            block = f'<p class="cp-note">{esc(tn("present.purpose.waiting", k, lang))}</p>'
        else:
            accepted = float(votes.loc[votes["accepts"], "share"].sum())
            value.update(status="ok", acceptance=round(accepted, 4),
                         choices=[[r.choice, round(float(r.share), 4)]
                                  for r in votes.itertuples()])
            bars = "".join(
                f'<div class="cp-choice"><span>{esc(r.label)}</span>'
                f'<span class="cp-bar{"" if r.accepts else " cp-no"}" aria-hidden="true">'
                f'<span style="width:{_clip(r.share) * 100:.0f}%"></span></span>'
                f'<b>{esc(percent(r.share, lang))}</b></div>' for r in votes.itertuples())
            block = (f'<div class="cp-votes"><div class="cp-accept"><b>'
                     f'{esc(percent(accepted, lang))}</b><span>'
                     f'{esc(t("present.purpose.accept", lang))} · '
                     f'{esc(tn("present.answers", n, lang))}</span></div>'
                     f'<div class="cp-choices">{bars}</div></div>')
        amendments = analysis.purpose_amendments(rows, q)
        listing = ""
        if len(amendments) and (amendments["status"] == analysis.OK).all():
            entries = [(shorten(str(r.text), 300), int(r.count))
                       for r in amendments.itertuples()]
            pages = paginate(entries, lambda e: lines(e[0], 100), self.budget)
            self.pages = len(pages)
            page = pages[min(self.page, self.pages - 1)]
            value["amendments"] = [text for text, _ in page]
            items = "".join(f"<li>{esc(text)}"
                            + (f' <span class="cp-times">×{c}</span>' if c > 1 else "")
                            + "</li>" for text, c in page)
            listing = (f'<div class="cp-column cp-amendments"><h2>'
                       f'{esc(tn("present.purpose.amendments", len(entries), lang))}'
                       f"</h2><ul>{items}</ul></div>")
        elif len(amendments):
            listing = f'<p class="cp-note">{esc(tn("present.texts.masked", k, lang))}</p>'
        return value, statement + block + listing


class ProposalsScreen(Screen):
    """The action proposals captured during this workshop, newest first."""

    key = "proposals"
    results = False
    budget = 11.0

    def subtitle(self, data: RoomData | None) -> str:
        if data is None:
            return ""
        return tn("present.proposals.count", len(data.proposals()), self.lang)

    def draw_key(self, data: RoomData) -> object:
        act = data.activity
        return (self.page, act.proposals, act.last_proposal)

    def render(self, data: RoomData) -> tuple[dict[str, Any], str]:
        lang = self.lang
        found = data.proposals()
        self.pages = 1
        if not found:
            return {"status": "none", "proposals": []}, self._empty("present.proposals.none")
        pages = paginate(found, lambda p: lines(shorten(p.text, 400), 84) + 0.9, self.budget)
        self.pages = len(pages)
        page = pages[min(self.page, self.pages - 1)]
        items = []
        for p in page:
            tags = [concept("plan", p.plan, lang)] if p.plan else []
            if p.feeling:
                tags.append(concept("feeling", p.feeling, lang))
            if p.theme:
                tags.append(concept("theme", p.theme, lang))
            pills = " ".join(f'<span class="cp-pill">{esc(x)}</span>' for x in tags)
            items.append(f'<li><div class="cp-item"><p class="cp-statement">'
                         f"{esc(shorten(p.text, 400))}</p>"
                         f'<p class="cp-meta">{pills}</p></div></li>')
        return ({"status": "ok", "proposals": [p.text for p in page], "total": len(found)},
                f'<ul class="cp-list">{"".join(items)}</ul>')


class TendenciesScreen(Screen):
    """Each group's behaviour tendency (the chart of :func:`coopkit.charts.
    plot_tendencies`, as an image with a text alternative); only when the consultant
    turns the screen on (``Presenter.tendencies``)."""

    key = "tendencies"
    per_page = 4

    def render(self, data: RoomData) -> tuple[dict[str, Any], str]:
        import base64

        from coopkit.consultant.room import figure_png

        lang = self.lang
        rows = data.results()
        self.pages = 1
        if rows.empty:
            return {"status": "waiting", "groups": []}, self._empty("present.waiting")
        tend = analysis.tendencies(rows)
        ok = tend[(tend["status"] == analysis.OK).to_numpy()]
        others = tend[(tend["status"] != analysis.OK).to_numpy()]
        # four groups a page: the chart stays legible from the back of the room
        chunks = [ok.iloc[i:i + self.per_page] for i in range(0, len(ok), self.per_page)]
        chunks = chunks or [ok]
        self.pages = len(chunks)
        page = min(self.page, self.pages - 1)
        shown = chunks[page]
        if page == self.pages - 1:  # the masked groups are named under the last page
            shown = pd.concat([shown, others])
        shown.attrs = dict(tend.attrs)
        png = figure_png(charts.plot_tendencies, shown, size=(14, 6.4), lang=lang)
        placed = [g for g, s in zip(tend["group"], tend["status"], strict=True)
                  if s == analysis.OK]
        masked = [g for g, s in zip(tend["group"], tend["status"], strict=True)
                  if s == analysis.MASKED]
        q = data.questionnaire
        sep = " : " if lang == "fr" else ": "
        described = [f"{group_label(q, row.group, lang)}{sep}"
                     f"{analysis.tendency.phrase(row.reading, lang)}"
                     for row in chunks[page].itertuples(index=False)]
        alt = t("present.tendencies.alt", lang, groups="; ".join(described) or "—")
        image = (f'<img class="cp-chart" alt="{esc(alt)}" '
                 f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">')
        return {"status": "ok", "groups": placed, "masked": masked, "png": len(png)}, image


#: The screens in the order they are shown; the tendencies come last, when turned on.
SCREENS: tuple[type[Screen], ...] = (WelcomeScreen, FeelingsMapScreen, DivisiveScreen,
                                     ShoesScreen, FreeTextsScreen, PurposeScreen,
                                     ProposalsScreen)
