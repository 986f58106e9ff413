"""The responsibility matrix (principle 9), filled in as a widget.

``ResponsibilityMatrix(store, project_id)`` shows one row per decision or task and one
column per partner establishment or body (comité de pilotage...), each cell four small
toggles: D (décide), C (est consulté), I (est informé), R (réalise). A click writes to
the store at once. A matrix opened for the first time gets the project's partners and
the usual bodies as columns and a few typical decisions as rows, all of which the
consultant renames, removes or completes.

Its one ``value`` is ``{row id: {actor id: [role ids]}}``; setting it writes the changed
cells. :meth:`check` reads it against principle 9 (``coopkit.analysis.matrix_check``).
Knows nothing of SQL: it goes through the store.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets
import pandas as pd
import traitlets

from coopkit import analysis
from coopkit.definitions import method
from coopkit.errors import CoopkitError
from coopkit.i18n import t

if TYPE_CHECKING:
    from coopkit.store import Store

#: Typical rows offered in a new matrix (keys of ``matrix.template.*``).
TEMPLATE = (("suppliers", "decision"), ("tools", "decision"), ("organisation", "decision"),
            ("disagreement", "decision"), ("budget", "task"), ("communication", "task"))


class ResponsibilityMatrix(widgets.VBox):
    """Who decides, is consulted, is informed, carries out: decision by decision."""

    value = traitlets.Dict()

    def __init__(self, store: Store, project_id: int, *, lang: str | None = None,
                 template: bool = True):
        self.store = store
        self.project_id = project_id
        self._lang = lang
        if template and not store.responsibility_actors(project_id) \
                and not store.responsibilities(project_id):
            self._start(lang)
        self.cells: dict[tuple[int, int], dict[str, widgets.ToggleButton]] = {}
        self.grid = widgets.VBox()
        wide = {"description_width": "8em"}
        self.new_subject = widgets.Text(description=t("matrix.subject", lang), style=wide,
                                        layout=widgets.Layout(width="36em"))
        self.new_kind = widgets.Dropdown(
            options=[(t(f"plans.kind.{k}", lang), k) for k in method.RESPONSIBILITY_KINDS],
            layout=widgets.Layout(width="10em"))
        self.add_button = widgets.Button(description=t("matrix.add_row", lang), icon="plus",
                                         layout=widgets.Layout(width="auto"))
        self.add_button.on_click(lambda _b: self.add_row(self.new_subject.value,
                                                         self.new_kind.value))
        self.new_actor = widgets.Text(description=t("matrix.actor", lang), style=wide,
                                      layout=widgets.Layout(width="30em"))
        self.actor_button = widgets.Button(description=t("matrix.add_actor", lang),
                                           icon="plus", layout=widgets.Layout(width="auto"))
        self.actor_button.on_click(lambda _b: self.add_actor(self.new_actor.value))
        legend = " · ".join(f"{method.ROLE_LETTERS[r]} = {t(f'method.role.{r}', lang)}"
                            for r in method.ROLE_IDS)
        self.message = widgets.HTML()
        self._syncing = False
        super().__init__([widgets.HTML(f"<p>{escape(legend)}</p>"), self.grid,
                          widgets.HBox([self.new_subject, self.new_kind, self.add_button]),
                          widgets.HBox([self.new_actor, self.actor_button]), self.message])
        self.refresh()

    def _start(self, lang: str | None) -> None:
        for partner in self.store.partners(self.project_id):
            self.store.add_responsibility_actor(self.project_id, partner.name, "partner")
        for body in method.BODIES:
            self.store.add_responsibility_actor(self.project_id, body.label(lang), "body")
        for key, kind in TEMPLATE:
            self.store.add_responsibility(self.project_id, t(f"matrix.template.{key}", lang),
                                          kind=kind)

    def refresh(self) -> None:
        """Read the matrix from the store again and redraw it."""
        lang = self._lang
        actors = self.store.responsibility_actors(self.project_id)
        rows = self.store.responsibilities(self.project_id)
        marks = method.ROLE_LETTERS
        self.cells = {}
        head = [widgets.HTML(f"<b>{escape(t('plans.col.subject', lang))}</b>",
                             layout=widgets.Layout(width="22em"))]
        for actor in actors:
            remove = widgets.Button(icon="times", tooltip=t("matrix.remove_actor", lang),
                                    layout=widgets.Layout(width="2.5em"))
            remove.on_click(lambda _b, aid=actor.id: self.remove_actor(aid))
            head.append(widgets.VBox([widgets.HTML(f"<b>{escape(actor.name)}</b>"), remove],
                                     layout=widgets.Layout(width="11em")))
        lines = [widgets.HBox(head)]
        for row in rows:
            parts = [widgets.HTML(
                f"{escape(row.subject)} <small>({escape(t(f'plans.kind.{row.kind}', lang))})"
                "</small>", layout=widgets.Layout(width="18em"))]
            delete = widgets.Button(icon="trash", tooltip=t("matrix.delete_row", lang),
                                    layout=widgets.Layout(width="2.5em"))
            delete.on_click(lambda _b, rid=row.id: self.delete_row(rid))
            parts.append(delete)
            for actor in actors:
                toggles = {}
                for role in method.ROLE_IDS:
                    toggle = widgets.ToggleButton(
                        value=role in row.roles.get(actor.id, []), description=marks[role],
                        tooltip=f"{actor.name} {t(f'method.role.{role}', lang)}",
                        layout=widgets.Layout(width="2.6em"))
                    toggle.observe(lambda _c, rid=row.id, aid=actor.id: self._on_toggle(
                        rid, aid), names="value")
                    toggles[role] = toggle
                self.cells[(row.id, actor.id)] = toggles
                parts.append(widgets.HBox(list(toggles.values()),
                                          layout=widgets.Layout(width="11em")))
            lines.append(widgets.HBox(parts))
        self.grid.children = lines
        self._sync_value()

    def _roles(self, row_id: int, actor_id: int) -> list[str]:
        toggles = self.cells[(row_id, actor_id)]
        return [r for r in method.ROLE_IDS if toggles[r].value]

    def _on_toggle(self, row_id: int, actor_id: int) -> None:
        if self._syncing:
            return
        try:
            self.store.update_responsibility(row_id,
                                             roles={actor_id: self._roles(row_id, actor_id)})
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
            return
        self._sync_value()

    def add_row(self, subject: str, kind: str = "decision") -> int | None:
        try:
            row = self.store.add_responsibility(self.project_id, subject, kind=kind)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
            return None
        self.new_subject.value = ""
        self.refresh()
        return row.id

    def delete_row(self, row_id: int) -> None:
        self.store.delete_responsibility(row_id)
        self.refresh()

    def add_actor(self, name: str, kind: str = "body") -> int | None:
        try:
            actor = self.store.add_responsibility_actor(self.project_id, name, kind)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
            return None
        self.new_actor.value = ""
        self.refresh()
        return actor.id

    def remove_actor(self, actor_id: int) -> None:
        self.store.remove_responsibility_actor(actor_id)
        self.refresh()

    def check(self, items: pd.DataFrame | None = None) -> pd.DataFrame:
        """:func:`coopkit.analysis.matrix_check` of the matrix as stored, against the
        project's partners (``items``: :func:`coopkit.analysis.principle_items`)."""
        partners = [p.name for p in self.store.partners(self.project_id)]
        return analysis.matrix_check(self.store.responsibility_frame(self.project_id),
                                     partners, items)

    def _sync_value(self) -> None:
        self._syncing = True
        try:
            value: dict[int, dict[int, list[str]]] = {}
            for (rid, aid) in self.cells:
                roles = self._roles(rid, aid)
                value.setdefault(rid, {})
                if roles:
                    value[rid][aid] = roles
            self.value = value
        finally:
            self._syncing = False

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        if self._syncing:
            return
        for rid, cells in change["new"].items():
            for (row_id, actor_id), toggles in self.cells.items():
                if row_id != int(rid):
                    continue
                wanted = set(cells.get(actor_id, cells.get(str(actor_id), [])))
                if wanted == set(self._roles(row_id, actor_id)):
                    continue
                self._syncing = True
                try:
                    for role, toggle in toggles.items():
                        toggle.value = role in wanted
                finally:
                    self._syncing = False
                try:
                    self.store.update_responsibility(row_id, roles={actor_id: sorted(
                        wanted, key=method.ROLE_IDS.index)})
                except CoopkitError as exc:
                    self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
        self._sync_value()
