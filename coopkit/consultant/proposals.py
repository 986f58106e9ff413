"""Capturing action proposals from the room, moderating those sent from phones, and
the action register where their status is followed, dated and signed.

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


def _short(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class ProposalCapture(widgets.VBox):
    """A small form that adds a proposal to the store, and the list of proposals.

    ``value`` is the form's content: ``{"text": ..., "group": ..., "establishment":
    ..., "feeling": ..., "theme": ..., "plan": ..., "statements": [...]}`` (empty
    strings for "none"). Choosing a feeling proposes its usual plan; the plan menu
    changes it. The statements the action addresses are picked among the workshop's
    statements of that feeling (so that T1 can show whether they moved). :meth:`add`
    (the button) saves it.
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
        self.establishment = widgets.Dropdown(
            options=none + [(p.name, p.name) for p in store.partners(project_id)],
            description=t("actions.establishment", lang), style={"description_width": "10em"})
        self._statements = self._workshop_statements(lang)
        self.statements = widgets.SelectMultiple(
            options=[], description=t("actions.statements", lang), rows=5,
            style={"description_width": "10em"}, layout=widgets.Layout(width="52em"))
        self._on_statements_feeling()
        self.button = widgets.Button(description=t("actions.add", lang), icon="plus",
                                     button_style="primary",
                                     layout=widgets.Layout(width="auto"))
        self.message = widgets.HTML()
        self.listing = widgets.HTML()
        super().__init__([self.text, self.group, self.establishment, self.feeling, self.theme,
                          self.plan, self.statements, self.button, self.message,
                          self.listing])
        self.feeling.observe(self._on_feeling, names="value")
        self.feeling.observe(lambda _c: self._on_statements_feeling(), names="value")
        self.theme.observe(lambda _c: self._on_statements_feeling(), names="value")
        for field in (self.text, self.group, self.establishment, self.feeling, self.theme,
                      self.plan, self.statements):
            field.observe(self._on_field, names="value")
        self.button.on_click(lambda _b: self.add())
        self._on_field({})
        self.show()

    def _workshop_statements(self, lang: str | None) -> list[tuple[str, str, str, str]]:
        """(item id, text, feeling, theme) of the workshop's own-feeling statements."""
        if self.workshop_id is None:
            return []
        try:
            ws = self.store.workshop(self.workshop_id)
            q = self.store.questionnaire(ws.questionnaire_hash)
        except CoopkitError:
            return []
        return [(it.id, it.text.get(lang), it.feeling, it.theme or "") for it in q.items()
                if it.feeling and it.scored and not it.about]

    def _on_statements_feeling(self) -> None:
        feeling, theme = self.feeling.value, self.theme.value
        chosen = [(_short(text), item) for item, text, f, th in self._statements
                  if (not feeling or f == feeling) and (not theme or th == theme)]
        keep = tuple(v for v in self.statements.value if v in {i for _, i in chosen})
        self.statements.options = chosen
        self.statements.value = keep
        self.statements.layout.display = None if self._statements else "none"

    def _on_feeling(self, change: dict) -> None:
        self.plan.value = method.PLAN_OF_FEELING.get(change["new"], self.plan.value)

    def _on_field(self, _change: dict) -> None:
        self.value = {"text": self.text.value, "group": self.group.value or _NONE,
                      "establishment": self.establishment.value,
                      "feeling": self.feeling.value, "theme": self.theme.value,
                      "plan": self.plan.value, "statements": list(self.statements.value)}

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        new = change["new"]
        for key, field in (("text", self.text), ("group", self.group),
                           ("establishment", self.establishment),
                           ("feeling", self.feeling), ("theme", self.theme),
                           ("plan", self.plan)):
            if key in new and field.value != new[key]:
                field.value = new[key]
        wanted = tuple(new.get("statements") or ())
        if "statements" in new and self.statements.value != wanted:
            known = {v for _, v in self.statements.options}
            self.statements.value = tuple(v for v in wanted if v in known)

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
                plan=self.plan.value or None, workshop_id=self.workshop_id,
                establishment=self.establishment.value or None,
                statements=list(self.statements.value))
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(lang))}</p>"
            return None
        self.message.value = f"<p>{escape(t('actions.added', lang, text=text))}</p>"
        self.text.value = ""
        self.statements.value = ()
        self.show()
        return proposal_id

    def show(self) -> None:
        """Redraw the list of the project's proposals."""
        self.listing.value = proposals_html(self.store, self.project_id, lang=self._lang)


class ProposalRegister(widgets.VBox):
    """The action register: one row per approved proposal, with a status menu that
    writes to the store as soon as it changes, dated and signed.

    ``value`` maps proposal id -> status as the store holds it; setting it (or using a
    menu) changes the status in the store. Every change is kept in the proposal's
    history with the date of the decision (``on``, empty: today) and who decided it
    (``by``, e.g. « le promoteur en comité de pilotage »). Dropping a proposal needs a
    reason: choosing « Abandonnée » opens its reason field, and nothing is written
    until the reason is given and confirmed (``reasons[id]``, ``confirm(id)``). Each
    row also has a plan menu (``plans[id]``): any proposal can feed any of the three
    plans, whatever the feeling it came from. Texts are escaped.
    """

    value = traitlets.Dict()

    def __init__(self, store: Store, project_id: int, *, lang: str | None = None,
                 by: str = ""):
        self.store = store
        self.project_id = project_id
        self._lang = lang
        options = [(c.label(lang), c.id) for c in method.ACTION_STATUSES]
        plan_options = [(t("actions.none", lang), _NONE)] + [
            (c.label(lang), c.id) for c in method.PLANS]
        wide = {"description_width": "12em"}
        self.by = widgets.Text(value=by, description=t("register.by", lang), style=wide,
                               placeholder=t("register.by_placeholder", lang),
                               layout=widgets.Layout(width="36em"))
        self.on = widgets.DatePicker(description=t("register.on", lang), style=wide)
        self.menus: dict[int, widgets.Dropdown] = {}
        self.plans: dict[int, widgets.Dropdown] = {}
        self.reasons: dict[int, widgets.Text] = {}
        self.labels: dict[int, widgets.HTML] = {}
        self._drop_boxes: dict[int, widgets.HBox] = {}
        self._stored: dict[int, str] = {}
        events = {}
        for event in store.proposal_events(project_id):
            events[event.proposal_id] = event
        rows = []
        for p in store.proposals(project_id):
            self._stored[p.id] = p.status
            menu = widgets.Dropdown(options=options, value=p.status,
                                    layout=widgets.Layout(width="11em"))
            menu.observe(lambda change, pid=p.id: self._on_menu(pid, change["new"]),
                         names="value")
            self.menus[p.id] = menu
            plan = widgets.Dropdown(options=plan_options, value=p.plan or _NONE,
                                    layout=widgets.Layout(width="16em"))
            plan.observe(lambda change, pid=p.id: self._on_plan(pid, change["new"]),
                         names="value")
            self.plans[p.id] = plan
            label = widgets.HTML(self._label(p, events.get(p.id)),
                                 layout=widgets.Layout(width="40em"))
            self.labels[p.id] = label
            reason = widgets.Text(placeholder=t("register.reason", lang),
                                  layout=widgets.Layout(width="36em"))
            confirm = widgets.Button(description=t("register.confirm_drop", lang),
                                     button_style="warning",
                                     layout=widgets.Layout(width="auto"))
            confirm.on_click(lambda _b, pid=p.id: self.confirm(pid))
            self.reasons[p.id] = reason
            box = widgets.HBox([reason, confirm], layout=widgets.Layout(display="none"))
            self._drop_boxes[p.id] = box
            rows.append(widgets.VBox([widgets.HBox([menu, plan, label]), box]))
        self.message = widgets.HTML()
        self._syncing = False
        super().__init__([widgets.HBox([self.by, self.on]), *rows, self.message])
        self.value = dict(self._stored)

    def _label(self, p, last) -> str:
        lang = self._lang
        who = [t(f"method.group.{p.group}", lang)]
        if p.establishment:
            who.append(p.establishment)
        text = (f"<b>{p.id}.</b> {escape(p.text)} "
                f"<small>({escape(' · '.join(who))})</small>")
        if last is not None and last.status != "proposed":
            detail = t("register.last_change", lang,
                       status=t(f"method.status.{last.status}", lang).lower(),
                       date=last.changed_at.strftime("%Y-%m-%d"))
            if last.changed_by:
                detail += " " + t("register.last_by", lang, by=last.changed_by)
            text += f"<br><small>{escape(detail)}</small>"
        return text

    def _on_plan(self, proposal_id: int, plan: str) -> None:
        try:
            self.store.update_proposal(proposal_id, plan=plan or None)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"

    def _on_menu(self, proposal_id: int, status: str) -> None:
        if self._syncing:
            return
        box = self._drop_boxes[proposal_id]
        if status == "dropped" and not self.reasons[proposal_id].value.strip():
            box.layout.display = None
            self.message.value = "<p>" + escape(t("register.reason_needed", self._lang)) \
                + "</p>"
            return
        box.layout.display = "none"
        self._apply(proposal_id, status)

    def confirm(self, proposal_id: int) -> bool:
        """« Confirmer l'abandon »: drop the proposal with the reason typed; returns
        whether it was written."""
        if not self.reasons[proposal_id].value.strip():
            self.message.value = "<p>" + escape(t("register.reason_needed", self._lang)) \
                + "</p>"
            return False
        return self._apply(proposal_id, "dropped")

    def _apply(self, proposal_id: int, status: str) -> bool:
        """Write one status change; on refusal, put the menu back and say why."""
        if self._stored.get(proposal_id) == status:
            return True
        reason = self.reasons[proposal_id].value.strip() or None
        try:
            saved = self.store.set_proposal_status(
                proposal_id, status, by=self.by.value.strip() or None,
                reason=reason if status == "dropped" else None, on=self.on.value)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
            self._sync_menu(proposal_id, self._stored[proposal_id])
            self._sync_value()
            return False
        self._stored[proposal_id] = saved.status
        self._drop_boxes[proposal_id].layout.display = "none"
        last = next((e for e in reversed(self.store.proposal_events(self.project_id))
                     if e.proposal_id == proposal_id), None)
        self.labels[proposal_id].value = self._label(saved, last)
        self.message.value = "<p>" + escape(t(
            "register.saved", self._lang, number=proposal_id,
            status=t(f"method.status.{saved.status}", self._lang).lower())) + "</p>"
        self._sync_menu(proposal_id, saved.status)
        self._sync_value()
        return True

    def _sync_menu(self, proposal_id: int, status: str) -> None:
        menu = self.menus[proposal_id]
        if menu.value != status:
            self._syncing = True
            try:
                menu.value = status
            finally:
                self._syncing = False

    def _sync_value(self) -> None:
        self._syncing = True
        try:
            self.value = dict(self._stored)
        finally:
            self._syncing = False

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        if self._syncing:
            return
        for pid, status in change["new"].items():
            pid = int(pid)
            if pid not in self.menus or self._stored.get(pid) == status:
                continue
            self._sync_menu(pid, status)
            self._apply(pid, status)
        self._sync_value()


class ProposalModeration(widgets.VBox):
    """The queue of proposals sent from phones: approve (the room may see it, it counts
    for the 60 %) or set aside (a duplicate, off-topic or abusive text).

    ``value`` is the list of the ids still waiting; :meth:`decide` (the buttons)
    moderates one; « Actualiser » (:meth:`refresh`) reads the queue again, for the
    proposals sent since. An approved proposal of an open session appears on the
    presenter's proposals screen within its next look (the moderation changes the
    session's :meth:`~coopkit.store.Store.activity`). Texts are escaped; the sender is
    never known (only their group).
    """

    value = traitlets.List()

    def __init__(self, store: Store, project_id: int, *, lang: str | None = None):
        self.store = store
        self.project_id = project_id
        self._lang = lang
        self.rows = widgets.VBox()
        self.message = widgets.HTML()
        self.refresh_button = widgets.Button(description=t("moderation.refresh", lang),
                                             icon="refresh",
                                             layout=widgets.Layout(width="auto"))
        self.refresh_button.on_click(lambda _b: self.refresh())
        super().__init__([self.refresh_button, self.rows, self.message])
        self.refresh()

    def refresh(self) -> None:
        """Read the waiting proposals again."""
        lang = self._lang
        waiting = self.store.proposals(self.project_id, moderation="pending")
        rows = []
        for p in waiting:
            approve = widgets.Button(description=t("moderation.approve", lang),
                                     button_style="success",
                                     layout=widgets.Layout(width="auto"))
            reject = widgets.Button(description=t("moderation.reject", lang),
                                    layout=widgets.Layout(width="auto"))
            approve.on_click(lambda _b, pid=p.id: self.decide(pid, True))
            reject.on_click(lambda _b, pid=p.id: self.decide(pid, False))
            group = t(f"method.group.{p.group}", lang)
            rows.append(widgets.HBox([approve, reject, widgets.HTML(
                f"<b>{p.id}.</b> {escape(p.text)} <small>({escape(group)})</small>")]))
        if not rows:
            rows.append(widgets.HTML(f"<p>{escape(t('moderation.empty', lang))}</p>"))
        self.rows.children = rows
        self.value = [p.id for p in waiting]

    def decide(self, proposal_id: int, accepted: bool) -> None:
        try:
            self.store.moderate_proposal(proposal_id, accepted)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(self._lang))}</p>"
            return
        key = "moderation.approved" if accepted else "moderation.rejected"
        self.message.value = f"<p>{escape(t(key, self._lang, number=proposal_id))}</p>"
        self.refresh()
