"""Recording the promoter's commitment to carry out at least 60 % of the proposals.

The method's prerequisite: without it, participants have no reason to say what they
feel. ``CommitmentForm(store, project_id)`` shows where the commitment stands (« non
pris » until recorded) and a small form: the date, who committed (e.g. « le directeur
du centre hospitalier, en comité de pilotage »), the share (60 % or more). Its one
``value`` is ``{"committed_on": date | None, "by": str, "threshold": float}`` as
recorded in the store; :meth:`record` (the button) writes the form. Knows nothing of
SQL: it goes through the store.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets
import traitlets

from coopkit.definitions import method
from coopkit.errors import CoopkitError
from coopkit.i18n import get_language, t

if TYPE_CHECKING:
    from coopkit.store import Store


def commitment_status(store: Store, project_id: int, lang: str | None = None) -> str:
    """One sentence: « Engagement non pris… » or « Le promoteur s'est engagé le… »."""
    record = store.promoter_commitment(project_id)
    if record is None:
        return t("plans.commitment.not_taken", lang,
                 pct=_pct(method.COMMITMENT_THRESHOLD, lang))
    return t("plans.commitment.taken", lang, pct=_pct(record.threshold, lang),
             date=record.committed_on.isoformat(), by=record.committed_by)


def _pct(value: float, lang: str | None) -> str:
    text = f"{value:.0%}"
    return text if (lang or get_language()) == "en" else text.replace("%", "\u202f%")


class CommitmentForm(widgets.VBox):
    """Where the promoter's commitment stands, and the form to record it."""

    value = traitlets.Dict()

    def __init__(self, store: Store, project_id: int, *, lang: str | None = None):
        self.store = store
        self.project_id = project_id
        self._lang = lang
        wide = {"description_width": "12em"}
        self.status = widgets.HTML()
        self.committed_on = widgets.DatePicker(description=t("commitment.on", lang),
                                               style=wide)
        self.by = widgets.Text(description=t("commitment.by", lang), style=wide,
                               placeholder=t("commitment.by_placeholder", lang),
                               layout=widgets.Layout(width="40em"))
        self.threshold = widgets.BoundedIntText(
            value=round(method.COMMITMENT_THRESHOLD * 100), min=60, max=100,
            description=t("commitment.threshold", lang), style=wide)
        self.button = widgets.Button(description=t("commitment.record", lang),
                                     button_style="primary",
                                     layout=widgets.Layout(width="auto"))
        self.button.on_click(lambda _b: self.record())
        self.message = widgets.HTML()
        super().__init__([self.status, self.committed_on, self.by, self.threshold,
                          self.button, self.message])
        self.refresh()

    def refresh(self) -> None:
        record = self.store.promoter_commitment(self.project_id)
        status = commitment_status(self.store, self.project_id, self._lang)
        self.status.value = f"<p><b>{escape(status)}</b></p>"
        self.value = {"committed_on": record.committed_on if record else None,
                      "by": record.committed_by if record else "",
                      "threshold": record.threshold if record
                      else method.COMMITMENT_THRESHOLD}

    def record(self) -> bool:
        """Record the commitment typed in the form; returns whether it was written."""
        lang = self._lang
        if self.committed_on.value is None or not self.by.value.strip():
            self.message.value = f"<p>{escape(t('commitment.incomplete', lang))}</p>"
            return False
        try:
            self.store.record_commitment(self.project_id, self.committed_on.value,
                                         self.by.value, threshold=self.threshold.value / 100)
        except CoopkitError as exc:
            self.message.value = f"<p>{escape(exc.format(lang))}</p>"
            return False
        self.message.value = f"<p>{escape(t('commitment.recorded', lang))}</p>"
        self.refresh()
        return True
