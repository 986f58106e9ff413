"""The room view: who joined and validated, the feelings map and the tendencies,
refreshed by themselves while participants answer.

:class:`RoomView` polls the store every ``interval`` seconds (an asyncio task on the
kernel's event loop, else a daemon thread) and redraws only when something changed.
A toggle button above the table starts and pauses the polling, so the consultant can
freeze the picture for the discussion without running a cell (in Voilà there is no
cell to run). Tests call :meth:`RoomView.refresh` directly. Charts are drawn on a plain matplotlib
``Figure`` (no pyplot state) and shown as PNG images, which works the same in
JupyterLab, in Voilà and from a background thread. Only group labels and numbers are
shown here; every text goes through :func:`html.escape`.
"""

from __future__ import annotations

import io
import threading
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from coopkit.i18n import t, tn
from coopkit.widgets.polling import Poller

if TYPE_CHECKING:
    from coopkit.store import Store

#: Seconds between two looks at the store.
DEFAULT_INTERVAL = 5.0


def figure_png(draw: Any, frame: pd.DataFrame, *, size: tuple[float, float],
               lang: str | None = None) -> bytes:
    """Draw ``draw(ax, frame, lang=lang)`` on a fresh figure and return it as PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=80, layout="constrained")
    FigureCanvasAgg(fig)
    draw(fig.add_subplot(), frame, lang=lang)
    buffer = io.BytesIO()
    # zlib level 1: a tenth of the drawing time saved for a PNG about 10 % larger
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


class ChartCache:
    """Each chart's PNG, drawn again only when the frame it shows has changed.

    A live screen refreshes every few seconds, and drawing is its dearest step (about
    0.3 s a chart, whatever the number of participants); most refreshes during a
    session follow answers of people who have not validated yet, which change no chart
    of validated answers. ``redrawn`` counts the drawings made.
    """

    def __init__(self) -> None:
        self._last: dict[str, tuple[tuple, pd.DataFrame, bytes]] = {}
        self.redrawn = 0

    def png(self, name: str, draw: Any, frame: pd.DataFrame, *, size: tuple[float, float],
            lang: str | None = None) -> bytes:
        """``figure_png(draw, frame, ...)``, or the last PNG of ``name`` if it was drawn
        by the same function, at the same size and language, from an equal frame."""
        key = (draw, size, lang)
        last = self._last.get(name)
        if last is not None and last[0] == key and last[1].attrs == frame.attrs \
                and last[1].equals(frame):
            return last[2]
        image = figure_png(draw, frame, size=size, lang=lang)
        self._last[name] = (key, frame.copy(), image)
        self.redrawn += 1
        return image


class RoomView(widgets.VBox):
    """Live participation, feelings map and tendencies of one workshop.

    ``value`` is the last snapshot read from the store: ``{"participation": {group:
    [joined, validated]}, "answers": number of answers, "last": latest answer time,
    "show_tendencies": the workshop's setting}``. What the room is shown follows
    coopkit's rules for everything shown to others: validated answers only
    (:func:`coopkit.analysis.counted`), and the participation table masks a small
    group's counts with what would give them back (:meth:`participation`). The
    tendencies are drawn only when the workshop's setting ``show_tendencies`` is on
    (``store.set_workshop_settings``): off by default, since this view is projected.
    """

    value = traitlets.Dict()

    def __init__(self, store: Store, workshop_id: int, *,
                 interval: float = DEFAULT_INTERVAL,
                 charts: bool = True, lang: str | None = None):
        self.store = store
        self.workshop_id = workshop_id
        self.interval = interval
        self.charts = charts
        self._lang = lang
        self._workshop_k: int | None = None
        # On the kernel's own loop: widget messages stay on the kernel's thread.
        self._poller = Poller(self._refresh_quietly, interval, "coopkit-room")
        self._lock = threading.Lock()
        self.redraws = 0
        self.charts_cache = ChartCache()
        self.table = widgets.HTML()
        self.table.add_class("coopkit-room-table")
        self.status = widgets.HTML()
        self.feelings = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.tendencies = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.feelings.add_class("coopkit-room-feelings")
        self.tendencies.add_class("coopkit-room-tendencies")
        self.notice = widgets.HTML()
        self.auto = widgets.ToggleButton(
            value=False, description=t("room.auto_off", lang),
            layout=widgets.Layout(width="auto", align_self="flex-start"))
        self.auto.add_class("coopkit-room-auto")
        self.auto.observe(self._on_auto, names="value")
        parts: list[widgets.Widget] = [self.auto, self.table, self.status]
        if charts:
            self.tendency_box = widgets.VBox(
                [widgets.HTML(f"<h3>{escape(t('room.tendencies_title', lang))}</h3>"),
                 self.tendencies], layout=widgets.Layout(display="none"))
            parts += [widgets.HTML(f"<h3>{escape(t('room.feelings_title', lang))}</h3>"),
                      self.feelings, self.tendency_box, self.notice]
        super().__init__(parts)
        self.add_class("coopkit-room")

    # ---------------------------------------------------------------- reading

    def snapshot(self) -> tuple[dict[str, Any], pd.DataFrame]:
        """Read participation and answers from the store."""
        counts = self.store.participation(self.workshop_id)
        frame = self.store.answers_frame(self.workshop_id)
        last = frame["answered_at"].max() if len(frame) else None
        value = {
            "participation": {g: [c.joined, c.validated] for g, c in counts.items()},
            "answers": len(frame),
            "last": str(last) if last is not None else None,
            "show_tendencies": self.store.workshop(self.workshop_id).settings.show_tendencies,
        }
        return value, frame

    def refresh(self) -> bool:
        """Look at the store; redraw when something changed. Returns True if redrawn."""
        with self._lock:
            value, frame = self.snapshot()
            changed = value != self.value or self.redraws == 0
            if changed:
                self.value = value
                self._draw(frame)
                self.redraws += 1
            now = datetime.now().strftime("%H:%M:%S")
            self.status.value = f"<small>{escape(t('room.updated', self._lang, time=now))}</small>"
            return changed

    # ---------------------------------------------------------------- drawing

    def _draw(self, frame: pd.DataFrame) -> None:
        self.table.value = self._table_html()
        if not self.charts:
            return
        from coopkit import analysis, charts

        rows = analysis.counted(frame)
        lang = self._lang
        if rows.empty:
            self.notice.value = f"<p>{escape(t('room.waiting', lang))}</p>"
            self.feelings.value = b""
            self.tendencies.value = b""
            return
        k = analysis.anonymity_k(frame)
        self.notice.value = (f"<p><small>{escape(tn('room.masked', k, lang))} "
                             f"{escape(t('export.note.counting', lang))}</small></p>")
        fmap = analysis.feelings_map(rows)
        # answers of people who have not validated change neither chart: not redrawn
        cache = self.charts_cache
        self.feelings.value = cache.png("feelings", charts.plot_feelings_map, fmap,
                                        size=(13, 6.5), lang=lang)
        shown = bool(self.value.get("show_tendencies"))
        self.tendency_box.layout.display = None if shown else "none"
        self.tendencies.value = cache.png("tendencies", charts.plot_tendencies,
                                          analysis.tendencies(rows), size=(13, 7),
                                          lang=lang) if shown else b""

    def participation(self) -> pd.DataFrame:
        """The table's figures: :func:`coopkit.analysis.participation` of the last
        snapshot (a small group's count hidden, with what would give it back)."""
        from coopkit import analysis

        counts = {g: tuple(c) for g, c in self.value.get("participation", {}).items()}
        return analysis.participation(counts, self._k())

    def _k(self) -> int:
        if self._workshop_k is None:
            self._workshop_k = self.store.workshop(self.workshop_id).k
        return self._workshop_k

    def _table_html(self) -> str:
        lang = self._lang
        head = "".join(f"<th style='text-align:left;padding:2px 12px'>{escape(h)}</th>"
                       for h in (t("room.group", lang), t("room.joined", lang),
                                 t("room.validated", lang)))
        hidden = t("room.hidden", lang)
        rows = []
        for _, row in self.participation().iterrows():
            total = row["group"] is None
            label = t("room.total", lang) if total else t(f"method.group.{row['group']}", lang)
            cells = [escape(label), *(escape(hidden) if pd.isna(row[c]) else str(int(row[c]))
                                      for c in ("joined", "validated"))]
            if total:
                cells = [f"<b>{c}</b>" for c in cells]
            rows.append("<tr>" + "".join(f"<td style='padding:2px 12px'>{c}</td>"
                                         for c in cells) + "</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    # ---------------------------------------------------------------- polling

    def _on_auto(self, change: dict) -> None:
        """The toggle was pressed (or set by :meth:`start` / :meth:`stop`)."""
        on = bool(change["new"])
        self.auto.description = t("room.auto_on" if on else "room.auto_off", self._lang)
        if on and not self.running:
            self.start()
        elif not on and self.running:
            self.stop()

    @property
    def running(self) -> bool:
        return self._poller.running

    def start(self) -> None:
        """Refresh now, then every ``interval`` seconds until :meth:`stop`."""
        if self.running:
            return
        self.refresh()
        self._poller.start()
        self.auto.value = True  # after the poller exists: _on_auto sees it running

    def stop(self) -> None:
        """Stop polling (the view keeps its last picture)."""
        self._poller.stop()
        self.auto.value = False  # after the poller is gone: _on_auto sees it stopped

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        except Exception as exc:  # a lost connection must not kill the room's screen
            self.status.value = f"<small>{escape(str(exc))}</small>"
