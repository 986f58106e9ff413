"""Editing the three plans before they are exported as Word documents.

``PlanEditor(store, project_id, draft=..., proposals=...)`` shows one tab per plan
(objectives management plan, risk management plan, charter of good relational practice),
one row per entry with a field per column (:data:`coopkit.definitions.method.PLAN_FIELDS`),
« Ajouter une ligne » and « Supprimer ». A plan never edited is first pre-filled from
the workshop (:func:`coopkit.analysis.plans.prefill`: every group weighing the same)
and the rows are written to the store at once; every edit is saved as soon as the field
loses focus, so nothing typed is lost and the exports read the same rows.

Its one ``value`` is ``{row id: {field: value}}`` for every row; setting it writes the
changed fields. Knows nothing of SQL: it goes through the store.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets
import pandas as pd
import traitlets

from coopkit.analysis.plans import prefill
from coopkit.definitions import method
from coopkit.errors import CoopkitError
from coopkit.i18n import t

if TYPE_CHECKING:
    from coopkit.store import PlanRow, Store

#: Fields written in a larger box.
_LONG = {"objective", "indicator", "risk", "prevention", "rule", "origin"}
_WIDTHS = {"objective": "20em", "indicator": "14em", "baseline": "8em", "target": "8em",
           "owner": "10em", "due": "11em", "risk": "20em", "likelihood": "8em",
           "impact": "8em", "prevention": "20em", "rule": "22em", "origin": "18em",
           "protects": "14em"}


class PlanEditor(widgets.VBox):
    """The rows of the three plans, editable, saved as they are typed."""

    value = traitlets.Dict()

    def __init__(self, store: Store, project_id: int, *, draft: pd.DataFrame | None = None,
                 proposals: pd.DataFrame | None = None, wave: str | None = None,
                 lang: str | None = None):
        self.store = store
        self.project_id = project_id
        self._lang = lang
        self.added = 0
        if draft is not None:
            rows = prefill(draft, proposals if proposals is not None
                           else store.proposals_frame(project_id), wave=wave, lang=lang)
            self.added = store.fill_plans(project_id, rows.to_dict("records"))
        self.fields: dict[int, dict[str, widgets.Widget]] = {}
        self.tabs = widgets.Tab()
        self.message = widgets.HTML()
        self._syncing = False
        super().__init__([self.tabs, self.message])
        self.refresh()

    def refresh(self) -> None:
        """Read the rows from the store again and redraw the tabs."""
        lang = self._lang
        self.fields = {}
        pages = []
        for plan in method.PLAN_IDS:
            rows = [self._row(r) for r in self.store.plan_rows(self.project_id, plan)]
            add = widgets.Button(description=t("plans.editor.add", lang), icon="plus",
                                 layout=widgets.Layout(width="auto"))
            add.on_click(lambda _b, p=plan: self.add_row(p))
            head = widgets.HBox([widgets.HTML(
                f"<b>{escape(t(f'plans.field.{f}', lang))}</b>",
                layout=widgets.Layout(width=_WIDTHS[f])) for f in method.PLAN_FIELDS[plan]])
            pages.append(widgets.VBox([head, *rows, add]))
        self.tabs.children = pages
        for i, plan in enumerate(method.PLAN_IDS):
            self.tabs.set_title(i, t(f"plans.title.{plan}", lang))
        self.tabs.selected_index = self.tabs.selected_index or 0
        self._sync_value()

    def _row(self, row: PlanRow) -> widgets.Widget:
        lang = self._lang
        boxes: dict[str, widgets.Widget] = {}
        for field in method.PLAN_FIELDS[row.plan]:
            value = row.fields.get(field)
            layout = widgets.Layout(width=_WIDTHS[field])
            if field in ("likelihood", "impact"):
                box = widgets.Dropdown(options=[("—", "")] + [
                    (t(f"plans.level.{field}.{lv}", lang), lv) for lv in method.LEVEL_IDS],
                    value=value or "", layout=layout)
            elif field == "due":
                box = widgets.DatePicker(value=date.fromisoformat(value) if value else None,
                                         layout=layout)
            elif field in _LONG:
                box = widgets.Textarea(value=value or "", continuous_update=False,
                                       layout=widgets.Layout(width=_WIDTHS[field],
                                                             height="5em"))
            else:
                box = widgets.Text(value=value or "", continuous_update=False,
                                   layout=layout)
            box.observe(lambda change, rid=row.id, f=field: self._on_field(rid, f,
                                                                           change["new"]),
                        names="value")
            boxes[field] = box
        self.fields[row.id] = boxes
        remove = widgets.Button(description=t("plans.editor.delete", lang), icon="trash",
                                layout=widgets.Layout(width="auto"))
        remove.on_click(lambda _b, rid=row.id: self.delete_row(rid))
        groups = ", ".join(t(f"method.group.{g}", lang) for g in row.groups)
        by = widgets.HTML(f"<small>{escape(t('plans.editor.by', lang, groups=groups))}"
                          "</small>" if groups else "")
        return widgets.VBox([widgets.HBox(list(boxes.values())), widgets.HBox([by, remove])],
                            layout=widgets.Layout(border_bottom="1px solid #ddd",
                                                  padding="4px 0"))

    def _on_field(self, row_id: int, field: str, value: object) -> None:
        if self._syncing:
            return
        stored = None if value in ("", None) else value
        if isinstance(stored, date):
            stored = stored.isoformat()
        try:
            self.store.update_plan_row(row_id, **{field: stored})
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
            return
        self.message.value = f"<p><small>{escape(t('plans.editor.saved', self._lang))}" \
            "</small></p>"
        self._sync_value()

    def add_row(self, plan: str, **fields: object) -> int | None:
        """A new row at the end of ``plan``; returns its id."""
        try:
            row = self.store.add_plan_row(self.project_id, plan, fields)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
            return None
        selected = method.PLAN_IDS.index(plan)
        self.refresh()
        self.tabs.selected_index = selected
        return row.id

    def delete_row(self, row_id: int) -> None:
        selected = self.tabs.selected_index
        try:
            self.store.delete_plan_row(row_id)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
            return
        self.refresh()
        self.tabs.selected_index = selected

    def _read(self, box: widgets.Widget) -> object:
        value = box.value
        if isinstance(value, date):
            return value.isoformat()
        return value or None

    def _sync_value(self) -> None:
        self._syncing = True
        try:
            self.value = {rid: {f: self._read(b) for f, b in boxes.items()}
                          for rid, boxes in self.fields.items()}
        finally:
            self._syncing = False

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        if self._syncing:
            return
        for rid, fields in change["new"].items():
            boxes = self.fields.get(int(rid), {})
            changed = {}
            for field, value in fields.items():
                box = boxes.get(field)
                if box is None or self._read(box) == (value or None):
                    continue
                changed[field] = value or None
                self._syncing = True
                try:
                    box.value = (date.fromisoformat(value) if field == "due" and value
                                 else value or ("" if field != "due" else None))
                finally:
                    self._syncing = False
            if changed:
                try:
                    self.store.update_plan_row(int(rid), **changed)
                except CoopkitError as exc:
                    self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
        self._sync_value()
