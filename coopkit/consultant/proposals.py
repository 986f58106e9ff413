"""Capturing action proposals from the room, and listing them.

The consultant types what a group proposes (from the discussion of the feelings map),
picks the group and, when it answers one, the feeling and theme; the proposal goes to
the store with ``status="proposed"``. Its plan starts as the one that feeling feeds
(attractions → objectives, fears → risks, temptations → charter: a practical starting
point) and the consultant may put it in any of the three plans, here and in the action
register. Proposal texts are written by participants: they are always escaped before
being shown.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets
import traitlets

from coopkit.definitions import method
from coopkit.errors import CoopkitError
from coopkit.i18n import t

if TYPE_CHECKING:
    from coopkit.store import Store

_NONE = ""


def proposals_html(store: Store, project_id: int, *, lang: str | None = None) -> str:
    """The project's proposals as an HTML table (texts escaped)."""
    rows = []
    for p in store.proposals(project_id):
        status = t(f"method.status.{p.status}", lang)
        group = t(f"method.group.{p.group}", lang)
        plan = t(f"method.plan.{p.plan}", lang) if p.plan else t("actions.none", lang)
        owner = p.owner or t("actions.none", lang)
        cells = (str(p.id), p.text, group, plan, status, owner)
        rows.append("<tr>" + "".join(f"<td style='padding:2px 8px'>{escape(c)}</td>"
                                     for c in cells) + "</tr>")
    head = ("#", t("actions.text", lang), t("actions.group", lang), t("room.plan", lang),
            t("room.status", lang), t("room.owner", lang))
    header = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape(h)}</th>"
                     for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


class ProposalCapture(widgets.VBox):
    """A small form that adds a proposal to the store, and the list of proposals.

    ``value`` is the form's content: ``{"text": ..., "group": ..., "feeling": ...,
    "theme": ..., "plan": ...}`` (empty strings for "none"). Choosing a feeling proposes
    its usual plan; the plan menu changes it. :meth:`add` (the button) saves it.
    """

    value = traitlets.Dict()

    def __init__(self, store: Store, project_id: int, *, workshop_id: int | None = None,
                 groups: tuple[str, ...] | None = None, lang: str | None = None):
        self.store = store
        self.project_id = project_id
        self.workshop_id = workshop_id
        self._lang = lang
        groups = groups or store.groups(project_id) or method.GROUP_IDS
        none = [(t("actions.none", lang), _NONE)]
        self.text = widgets.Textarea(placeholder=t("actions.placeholder", lang),
                                     description=t("actions.text", lang),
                                     layout=widgets.Layout(width="40em", height="4em"),
                                     style={"description_width": "10em"})
        self.group = widgets.Dropdown(
            options=[(t(f"method.group.{g}", lang), g) for g in groups],
            description=t("actions.group", lang), style={"description_width": "10em"})
        self.feeling = widgets.Dropdown(
            options=none + [(c.label(lang), c.id) for c in method.FEELINGS],
            description=t("actions.feeling", lang), style={"description_width": "10em"})
        self.theme = widgets.Dropdown(
            options=none + [(c.label(lang), c.id) for c in method.THEMES],
            description=t("actions.theme", lang), style={"description_width": "10em"})
        self.plan = widgets.Dropdown(
            options=none + [(c.label(lang), c.id) for c in method.PLANS],
            description=t("room.plan", lang), style={"description_width": "10em"})
        self.button = widgets.Button(description=t("actions.add", lang), icon="plus",
                                     button_style="primary",
                                     layout=widgets.Layout(width="auto"))
        self.message = widgets.HTML()
        self.listing = widgets.HTML()
        super().__init__([self.text, self.group, self.feeling, self.theme, self.plan,
                          self.button, self.message, self.listing])
        self.feeling.observe(self._on_feeling, names="value")
        for field in (self.text, self.group, self.feeling, self.theme, self.plan):
            field.observe(self._on_field, names="value")
        self.button.on_click(lambda _b: self.add())
        self._on_field({})
        self.show()

    def _on_feeling(self, change: dict) -> None:
        self.plan.value = method.PLAN_OF_FEELING.get(change["new"], self.plan.value)

    def _on_field(self, _change: dict) -> None:
        self.value = {"text": self.text.value, "group": self.group.value or _NONE,
                      "feeling": self.feeling.value, "theme": self.theme.value,
                      "plan": self.plan.value}

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        new = change["new"]
        for key, field in (("text", self.text), ("group", self.group),
                           ("feeling", self.feeling), ("theme", self.theme),
                           ("plan", self.plan)):
            if key in new and field.value != new[key]:
                field.value = new[key]

    def add(self) -> int | None:
        """Save the proposal; returns its id (None when the text is empty or refused)."""
        lang = self._lang
        text = self.text.value.strip()
        if not text:
            self.message.value = f"<p>{escape(t('actions.empty', lang))}</p>"
            return None
        try:
            proposal_id = self.store.add_proposal(
                self.project_id, text, self.group.value,
                feeling=self.feeling.value or None, theme=self.theme.value or None,
                plan=self.plan.value or None, workshop_id=self.workshop_id)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(lang))}</p>"
            return None
        self.message.value = f"<p>{escape(t('actions.added', lang, text=text))}</p>"
        self.text.value = ""
        self.show()
        return proposal_id

    def show(self) -> None:
        """Redraw the list of the project's proposals."""
        self.listing.value = proposals_html(self.store, self.project_id, lang=self._lang)


class ProposalRegister(widgets.VBox):
    """The action register: one row per proposal with a status menu that writes to the
    store as soon as it changes.

    ``value`` maps proposal id -> status; setting it (or using a menu) updates the store.
    Each row also has a plan menu (``plans[id]``): any proposal can feed any of the three
    plans, whatever the feeling it came from. Texts are escaped.
    """

    value = traitlets.Dict()

    def __init__(self, store: Store, project_id: int, *, lang: str | None = None):
        self.store = store
        self.project_id = project_id
        self._lang = lang
        options = [(c.label(lang), c.id) for c in method.ACTION_STATUSES]
        plan_options = [(t("actions.none", lang), _NONE)] + [
            (c.label(lang), c.id) for c in method.PLANS]
        self.menus: dict[int, widgets.Dropdown] = {}
        self.plans: dict[int, widgets.Dropdown] = {}
        rows = []
        for p in store.proposals(project_id):
            menu = widgets.Dropdown(options=options, value=p.status,
                                    layout=widgets.Layout(width="11em"))
            menu.observe(self._on_menu, names="value")
            self.menus[p.id] = menu
            plan = widgets.Dropdown(options=plan_options, value=p.plan or _NONE,
                                    layout=widgets.Layout(width="16em"))
            plan.observe(lambda change, pid=p.id: self._on_plan(pid, change["new"]),
                         names="value")
            self.plans[p.id] = plan
            group = t(f"method.group.{p.group}", lang)
            label = widgets.HTML(f"<b>{p.id}.</b> {escape(p.text)} "
                                 f"<small>({escape(group)})</small>",
                                 layout=widgets.Layout(width="38em"))
            rows.append(widgets.HBox([menu, plan, label]))
        self.message = widgets.HTML()
        self._syncing = False
        super().__init__([*rows, self.message])
        self.value = {pid: m.value for pid, m in self.menus.items()}

    def _on_plan(self, proposal_id: int, plan: str) -> None:
        try:
            self.store.update_proposal(proposal_id, plan=plan or None)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"

    def _on_menu(self, _change: dict) -> None:
        if not self._syncing:
            self.value = {pid: m.value for pid, m in self.menus.items()}

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        old = change["old"] if isinstance(change["old"], dict) else {}
        for pid, status in change["new"].items():
            menu = self.menus.get(int(pid))
            if menu is None:
                continue
            if menu.value != status:
                self._syncing = True
                try:
                    menu.value = status
                finally:
                    self._syncing = False
            if old and old.get(pid) != status:
                try:
                    self.store.update_proposal(int(pid), status=status)
                except CoopkitError as exc:
                    self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
