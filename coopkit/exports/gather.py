"""Gathering what an export shows: a workshop or a project read from the store, once.

:func:`gather` is the only function of :mod:`coopkit.exports` that talks to the store: it
returns a :class:`Report` (the project, its workshops with their answers frames and
participation, the proposals with their history, the commitment, the purpose's history,
the plans and the responsibility matrix), which the tables and the writers only read. Knows
nothing of files, formats or widgets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import TYPE_CHECKING

import pandas as pd

from coopkit import analysis
from coopkit.definitions.questionnaire import Questionnaire
from coopkit.errors import CoopkitError, fail
from coopkit.i18n import format_date, t

if TYPE_CHECKING:
    from coopkit.store import Commitment, GroupCount, Project, Store, Workshop


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class WorkshopData:
    """One workshop with its questionnaire, answers frame and participation."""

    workshop: Workshop
    questionnaire: Questionnaire
    answers: pd.DataFrame
    participation: Mapping[str, GroupCount]

    @property
    def k(self) -> int:
        return analysis.anonymity_k(self.answers) if "k" in self.answers.attrs \
            else self.workshop.k

    @property
    def name(self) -> str:
        """``"ABC234 (T0)"``: the workshop's join code and wave (for spreadsheets, where
        the code finds the workshop again)."""
        return f"{self.workshop.code} ({self.workshop.wave})"

    def title(self, lang: str) -> str:
        """The session's title: its own, else its questionnaire's."""
        return self.workshop.title or self.questionnaire.title.get(lang)

    def date(self, lang: str) -> str:
        """The day the session was opened, as a reader writes it (« 12 mars 2026 »)."""
        return format_date(self.workshop.created_at, lang)

    def label(self, lang: str) -> str:
        """The name a steering committee understands: title, wave and date
        (« Ce que le projet m'inspire – T1 – 12 mars 2026 »), never the join code."""
        return t("report.workshop_name", lang, title=self.title(lang),
                 wave=self.workshop.wave, date=self.date(lang))


@dataclass(frozen=True)
class Report:
    """Everything an export shows: a project and some of its workshops."""

    project: Project
    workshops: tuple[WorkshopData, ...]
    proposals: pd.DataFrame
    partners: tuple[str, ...] = ()
    scope: str = "project"  # or "workshop"
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Other waves of the same questionnaires, to compare with (T0 against T1).
    baselines: tuple[WorkshopData, ...] = ()
    #: The follow-up (see :mod:`coopkit.store.followup`): every status change of the
    #: proposals, the promoter's commitment (None: not recorded), the purpose's
    #: versions and acceptances, the plans' rows and the responsibility matrix.
    events: pd.DataFrame | None = None
    commitment: Commitment | None = None
    purpose_versions: pd.DataFrame | None = None
    purpose_acceptances: pd.DataFrame | None = None
    plan_rows: pd.DataFrame | None = None
    responsibilities: pd.DataFrame | None = None

    @property
    def k(self) -> int:
        return max((w.k for w in self.workshops), default=analysis.DEFAULT_K)


# ------------------------------------------------------------------- the target

def resolve(store: Store, target: str | int) -> tuple[str, int]:
    """``("workshop", id)`` or ``("project", id)`` for what the user typed.

    Accepted: a workshop's join code (``ABC234``, open or closed), ``workshop:12`` /
    ``w12``, ``project:3`` / ``p3``, or a project's exact name.
    """
    from coopkit.store.codes import looks_like_code, normalise_code

    text = str(target).strip()
    lowered = text.lower()
    for kind, prefixes in (("workshop", ("workshop:", "atelier:", "w")),
                           ("project", ("project:", "projet:", "p"))):
        for prefix in prefixes:
            rest = lowered[len(prefix):].strip()
            if lowered.startswith(prefix) and rest.isdigit():
                number = int(rest)
                try:
                    (store.workshop if kind == "workshop" else store.project)(number)
                except CoopkitError:  # reported below, with the accepted forms
                    break
                return kind, number
    code = normalise_code(text)
    if looks_like_code(code):
        found = [w for w in store.workshops() if w.code == code]
        if found:
            return "workshop", max(found, key=lambda w: (w.is_open, w.id)).id
    named = [p for p in store.projects() if p.name.strip().lower() == lowered]
    if len(named) == 1:
        return "project", named[0].id
    raise fail("export_unknown_target", field="target", value=text)


def gather(store: Store, target: str | int, *, kind: str | None = None) -> Report:
    """Read a workshop or a project from the store (``target`` as for :func:`resolve`,
    or an id with ``kind="workshop"`` / ``"project"``)."""
    if kind is None:
        kind, ident = resolve(store, target)
    else:
        ident = int(target)
    if kind == "workshop":
        chosen = [store.workshop(ident)]
        project = store.project(chosen[0].project_id)
    else:
        project = store.project(ident)
        chosen = store.workshops(project.id)
    everything = store.workshops(project.id)

    def load(ws: Workshop) -> WorkshopData:
        return WorkshopData(ws, store.questionnaire(ws.questionnaire_hash),
                            store.answers_frame(ws.id), store.participation(ws.id))

    data = tuple(load(ws) for ws in chosen)
    ids = {ws.id for ws in chosen}
    wanted = {ws.questionnaire_id for ws in chosen}
    baselines = tuple(load(ws) for ws in everything
                      if ws.id not in ids and ws.questionnaire_id in wanted
                      and kind == "workshop")
    return Report(project=project, workshops=data, proposals=store.proposals_frame(project.id),
                  partners=tuple(p.name for p in store.partners(project.id)), scope=kind,
                  baselines=baselines, events=store.proposal_events_frame(project.id),
                  commitment=store.promoter_commitment(project.id),
                  purpose_versions=store.purpose_versions_frame(project.id),
                  purpose_acceptances=store.purpose_acceptances_frame(project.id),
                  plan_rows=store.plan_rows_frame(project.id),
                  responsibilities=store.responsibility_frame(project.id))


def wave_pairs(report: Report) -> list[tuple[WorkshopData, WorkshopData]]:
    """(earlier, later) workshops of the same questionnaire and project, in wave order."""
    pool = sorted({wd.workshop.id: wd for wd in (*report.baselines, *report.workshops)}
                  .values(), key=lambda wd: (wd.workshop.wave, wd.workshop.id))
    shown = {wd.workshop.id for wd in report.workshops}
    pairs = []
    for qid in dict.fromkeys(wd.workshop.questionnaire_id for wd in pool):
        same = [wd for wd in pool if wd.workshop.questionnaire_id == qid
                and not wd.answers.empty]
        for before, after in pairwise(same):
            if before.workshop.wave != after.workshop.wave and (
                    before.workshop.id in shown or after.workshop.id in shown):
                pairs.append((before, after))
    return pairs


