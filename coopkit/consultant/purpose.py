"""Writing the common purpose together (principle 2), as a widget.

``PurposeEditor(store, project_id)`` holds the three steps the consultant takes after
the session:

1. **the wordings** participants proposed (from their phone, anonymous) or that the
   consultant noted: set aside the off-topic ones, put the similar ones in named groups
   (« Suggérer des groupes » proposes some, from shared words);
2. **the draft**: a statement written from those groups, saved as a new version of the
   purpose (dated; the previous versions are kept);
3. **each partner's decision** on the current version: accepted or declined, on a date,
   by whom (« conseil d'administration »...).

Its one ``value`` is ``{"draft": str, "clusters": {wording id: group name}}``: setting
it fills the draft and writes the groups to the store. Wordings are written by
participants: always escaped. Knows nothing of SQL.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets
import pandas as pd
import traitlets

from coopkit import analysis
from coopkit.errors import CoopkitError
from coopkit.i18n import get_language, t

if TYPE_CHECKING:
    from coopkit.store import Store

_PENDING, _ACCEPTED, _DECLINED = "", "accepted", "declined"


class PurposeEditor(widgets.VBox):
    """Group the wordings, draft a version, record each partner's decision."""

    value = traitlets.Dict()

    def __init__(self, store: Store, project_id: int, *, lang: str | None = None):
        self.store = store
        self.project_id = project_id
        self._lang = lang
        wide = {"description_width": "10em"}
        self.wordings = widgets.VBox()
        self.clusters: dict[int, widgets.Combobox] = {}
        self.kept: dict[int, widgets.Checkbox] = {}
        self.suggest_button = widgets.Button(description=t("purpose.suggest", lang),
                                             icon="magic",
                                             layout=widgets.Layout(width="auto"))
        self.suggest_button.on_click(lambda _b: self.suggest())
        self.groups = widgets.HTML()
        self.draft = widgets.Textarea(value=store.project(project_id).purpose,
                                      description=t("purpose.draft", lang), style=wide,
                                      layout=widgets.Layout(width="52em", height="6em"))
        self.note = widgets.Text(description=t("purpose.note", lang), style=wide,
                                 layout=widgets.Layout(width="52em"))
        self.drafted_on = widgets.DatePicker(description=t("purpose.drafted_on", lang),
                                             style=wide)
        self.save_button = widgets.Button(description=t("purpose.save", lang),
                                          button_style="primary",
                                          layout=widgets.Layout(width="auto"))
        self.save_button.on_click(lambda _b: self.save_version())
        self.decisions = widgets.VBox()
        self.history = widgets.HTML()
        self.message = widgets.HTML()
        self._syncing = False

        def title(key: str) -> widgets.HTML:
            return widgets.HTML(f"<h4>{escape(t(key, lang))}</h4>")

        super().__init__([
            title("purpose.step_wordings"), self.wordings, self.suggest_button, self.groups,
            title("purpose.step_draft"), self.draft, self.note, self.drafted_on,
            self.save_button, title("purpose.step_decisions"), self.decisions,
            title("purpose.step_history"), self.history, self.message])
        self.draft.observe(lambda _c: self._sync_value(), names="value")
        self.refresh()

    # ------------------------------------------------------------------ reading

    def refresh(self) -> None:
        """Read wordings, versions and decisions from the store again."""
        lang = self._lang
        found = [w for w in self.store.purpose_wordings(self.project_id)]
        rows = []
        self.clusters, self.kept = {}, {}
        names = sorted({w.cluster for w in found if w.cluster})
        for w in found:
            kept = widgets.Checkbox(value=w.moderation != "rejected", indent=False,
                                    description=t("purpose.keep", lang),
                                    layout=widgets.Layout(width="8em"))
            kept.observe(lambda change, wid=w.id: self._on_kept(wid, change["new"]),
                         names="value")
            cluster = widgets.Combobox(value=w.cluster or "", options=names,
                                       placeholder=t("purpose.cluster", lang),
                                       ensure_option=False,
                                       layout=widgets.Layout(width="16em"))
            cluster.observe(lambda change, wid=w.id: self._on_cluster(wid, change["new"]),
                            names="value")
            self.kept[w.id], self.clusters[w.id] = kept, cluster
            source = t(f"purpose.source.{w.source}", lang)
            rows.append(widgets.HBox([kept, cluster, widgets.HTML(
                f"{escape(w.text)} <small>({escape(source)})</small>",
                layout=widgets.Layout(width="36em"))]))
        if not rows:
            rows.append(widgets.HTML(f"<p>{escape(t('purpose.no_wordings', lang))}</p>"))
        self.wordings.children = rows
        self._show_groups()
        self._show_decisions()
        self._show_history()
        self._sync_value()

    def _show_groups(self) -> None:
        lang = self._lang
        by: dict[str, list[str]] = {}
        for w in self.store.purpose_wordings(self.project_id,
                                             moderation=("pending", "approved")):
            by.setdefault(w.cluster or t("purpose.ungrouped", lang), []).append(w.text)
        items = "".join(
            f"<li><b>{escape(name)}</b> ({len(texts)}) : "
            + " · ".join(f"« {escape(x)} »" for x in texts) + "</li>"
            for name, texts in by.items())
        self.groups.value = f"<ul>{items}</ul>" if items else ""

    def _show_decisions(self) -> None:
        lang = self._lang
        versions = self.store.purpose_versions(self.project_id)
        if not versions:
            self.decisions.children = [widgets.HTML(
                f"<p>{escape(t('purpose.no_version', lang))}</p>")]
            self._decision_fields = {}
            return
        current = versions[-1]
        known = {a.partner: a for a in self.store.purpose_acceptances(self.project_id)
                 if a.version == current.version}
        options = [(t("purpose.decision.pending", lang), _PENDING),
                   (t("purpose.decision.accepted", lang), _ACCEPTED),
                   (t("purpose.decision.declined", lang), _DECLINED)]
        heading = t("purpose.current", lang, version=current.version,
                    date=current.drafted_on.isoformat())
        rows = [widgets.HTML(f"<p>{escape(heading)}</p>")]
        self._decision_fields: dict[str, tuple] = {}
        for partner in self.store.partners(self.project_id):
            found = known.get(partner.name)
            choice = widgets.Dropdown(
                options=options,
                value=_PENDING if found is None else (_ACCEPTED if found.accepted
                                                      else _DECLINED),
                layout=widgets.Layout(width="11em"))
            day = widgets.DatePicker(value=found.decided_on if found else None)
            who = widgets.Text(value=(found.decided_by or "") if found else "",
                               placeholder=t("purpose.decided_by", lang),
                               layout=widgets.Layout(width="18em"))
            button = widgets.Button(description=t("purpose.record", lang),
                                    layout=widgets.Layout(width="auto"))
            button.on_click(lambda _b, name=partner.name: self.record_decision(name))
            self._decision_fields[partner.name] = (choice, day, who)
            rows.append(widgets.HBox([widgets.HTML(f"<b>{escape(partner.name)}</b>",
                                                   layout=widgets.Layout(width="18em")),
                                      choice, day, who, button]))
        self.decisions.children = rows

    def _show_history(self) -> None:
        lang = self._lang
        versions = self.store.purpose_versions_frame(self.project_id)
        acceptances = self.store.purpose_acceptances_frame(self.project_id)
        partners = [p.name for p in self.store.partners(self.project_id)]
        hist = analysis.purpose_history(versions, acceptances, partners)
        self.history.value = history_html(hist, lang)

    # ------------------------------------------------------------------ writing

    def _on_kept(self, wording_id: int, keep: bool) -> None:
        try:
            self.store.moderate_wording(wording_id, bool(keep))
        except CoopkitError as exc:
            self._say(exc.format(self._lang))
            return
        self._show_groups()

    def _on_cluster(self, wording_id: int, name: str) -> None:
        if self._syncing:
            return
        try:
            self.store.group_wordings({wording_id: name or None})
        except CoopkitError as exc:
            self._say(exc.format(self._lang))
            return
        self._show_groups()
        self._sync_value()

    def suggest(self) -> int:
        """Put each wording not yet in a group into a suggested group of similar ones
        (named by their shared words); returns how many were placed."""
        frame = self.store.purpose_wordings_frame(self.project_id,
                                                  moderation=("pending", "approved"))
        suggested = analysis.similar_wordings(frame)
        names = {}
        for _, row in suggested.iterrows():
            if row["id"] in self.clusters and not self.clusters[row["id"]].value:
                names[int(row["id"])] = row["shared"] or t("purpose.group_n", self._lang,
                                                            n=int(row["suggestion"]))
        if names:
            self.store.group_wordings(names)
        self.refresh()
        self._say(t("purpose.suggested", self._lang, count=len(names)))
        return len(names)

    def save_version(self) -> int | None:
        """Save the draft as a new version of the purpose; returns its number."""
        lang = self._lang
        kept = [w.id for w in self.store.purpose_wordings(self.project_id,
                                                          moderation=("pending", "approved"))]
        try:
            version = self.store.add_purpose_version(
                self.project_id, self.draft.value, drafted_on=self.drafted_on.value,
                note=self.note.value or None, wordings=kept)
        except CoopkitError as exc:
            self._say(exc.format(lang))
            return None
        self.note.value = ""
        self.refresh()
        self._say(t("purpose.saved", lang, version=version.version))
        return version.version

    def record_decision(self, partner: str, accepted: bool | None = None,
                        on: object = None, by: str | None = None) -> bool:
        """Record a partner's decision on the current version (from its row, or from
        the arguments); returns whether it was written."""
        lang = self._lang
        fields = getattr(self, "_decision_fields", {}).get(partner)
        if fields is None:
            self._say(t("purpose.no_version", lang))
            return False
        choice, day, who = fields
        if accepted is not None:
            choice.value = _ACCEPTED if accepted else _DECLINED
        if on is not None:
            day.value = on
        if by is not None:
            who.value = by
        if choice.value == _PENDING or day.value is None:
            self._say(t("purpose.decision_incomplete", lang, partner=partner))
            return False
        version = self.store.purpose_versions(self.project_id)[-1].version
        try:
            self.store.accept_purpose(self.project_id, version, partner, day.value,
                                      by=who.value or None,
                                      accepted=choice.value == _ACCEPTED)
        except CoopkitError as exc:
            self._say(exc.format(lang))
            return False
        self._show_history()
        self._say(t("purpose.decision_saved", lang, partner=partner))
        return True

    # ---------------------------------------------------------------- value

    def _sync_value(self) -> None:
        self._syncing = True
        try:
            self.value = {"draft": self.draft.value,
                          "clusters": {wid: box.value for wid, box in self.clusters.items()
                                       if box.value}}
        finally:
            self._syncing = False

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        if self._syncing:
            return
        new = change["new"]
        self._syncing = True
        try:
            if "draft" in new and self.draft.value != new["draft"]:
                self.draft.value = new["draft"]
            wanted = {int(k): v for k, v in (new.get("clusters") or {}).items()}
            changes = {wid: (wanted.get(wid) or None) for wid, box in self.clusters.items()
                       if (wanted.get(wid) or "") != box.value}
            for wid, name in changes.items():
                self.clusters[wid].value = name or ""
        finally:
            self._syncing = False
        if changes:
            try:
                self.store.group_wordings(changes)
            except CoopkitError as exc:
                self._say(exc.format(self._lang))
            self._show_groups()

    def _say(self, text: str) -> None:
        self.message.value = "<p>" + "<br>".join(escape(x) for x in text.splitlines()) \
            + "</p>"


def history_html(history: pd.DataFrame, lang: str | None = None) -> str:
    """The purpose's versions as an HTML list, the current one first (texts escaped)."""
    if history.empty:
        return f"<p>{escape(t('purpose.no_version', lang))}</p>"
    items = []
    for _, row in history.iloc[::-1].iterrows():
        state = _state(row, lang)
        current = t("purpose.is_current", lang) if row["current"] else ""
        name = t("purpose.version", lang, version=int(row["version"]),
                 date=row["drafted_on"].isoformat())
        items.append(f"<li><b>{escape(name)}</b>"
                     f"{escape(current)} : « {escape(row['text'])} »<br><small>"
                     f"{escape(state)}</small></li>")
    return "<ul>" + "".join(items) + "</ul>"


def _state(row: pd.Series, lang: str | None) -> str:
    parts = []
    for partner, day, by in row["accepted_by"]:
        parts.append(t("purpose.accepted_by", lang, partner=partner, date=day.isoformat(),
                       by=f" ({by})" if by else ""))
    for partner, day, by in row["declined_by"]:
        parts.append(t("purpose.declined_by", lang, partner=partner, date=day.isoformat(),
                       by=f" ({by})" if by else ""))
    if row["pending"]:
        parts.append(t("purpose.pending", lang, partners=", ".join(row["pending"])))
    return " ; ".join(parts) if (lang or get_language()) != "en" else "; ".join(parts)
