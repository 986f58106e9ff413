"""What the store hands back: small frozen records, no database handles inside."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple


@dataclass(frozen=True)
class Project:
    """A cooperation project: its common purpose statement and its promoter."""

    id: int
    name: str
    purpose: str
    promoter: str
    created_at: datetime


@dataclass(frozen=True)
class Partner:
    """A partner establishment of a project."""

    id: int
    project_id: int
    name: str


@dataclass(frozen=True)
class WorkshopSettings:
    """What the consultant chose for one workshop; every setting has a safe default.

    ``show_tendencies``: the groups' tendencies appear on the presenter, the room view
    and in the exports only when the consultant turns them on: read alone, « Direction
    générale : penche vers l'opportunisme » for five directors in the room is an
    accusation, whatever the caption says (``docs/tendency.md``).
    """

    show_tendencies: bool = False

    @classmethod
    def from_mapping(cls, data: object) -> WorkshopSettings:
        """From the stored JSON object; unknown keys (a newer coopkit's) are ignored."""
        data = data if isinstance(data, dict) else {}
        return cls(show_tendencies=data.get("show_tendencies") is True)

    def to_mapping(self) -> dict[str, object]:
        return {"show_tendencies": self.show_tendencies}


@dataclass(frozen=True)
class Workshop:
    """One run of one questionnaire (by content hash) for a project, in one wave."""

    id: int
    project_id: int
    code: str
    questionnaire_id: str
    questionnaire_hash: str
    wave: str
    k: int
    lang: str
    is_open: bool
    created_at: datetime
    title: str | None = None
    closed_at: datetime | None = None
    settings: WorkshopSettings = field(default_factory=WorkshopSettings)


@dataclass(frozen=True)
class Participant:
    """A participant: a random token (a secret resume credential), never a name."""

    token: str = field(repr=False)
    workshop_id: int
    group: str
    establishment: str | None
    validated_at: datetime | None
    #: Short code (``ABCDE-FGHJK``) to resume from another device; a secret too.
    resume_code: str | None = field(default=None, repr=False)

    @property
    def validated(self) -> bool:
        return self.validated_at is not None


class GroupCount(NamedTuple):
    """How many participants of a group joined, and how many validated."""

    joined: int
    validated: int


@dataclass(frozen=True)
class Activity:
    """A workshop's activity, read in one go and cheaply: what a live screen polls to
    know whether anything changed before it reads the answers again.

    Two readings are equal when nothing a screen shows can have changed: a join, an
    answer given or changed, a validation, an erasure, a proposal added, edited or
    moderated (approved or set aside), the workshop closed or reopened (its code may change then).
    """

    workshop_id: int
    code: str
    is_open: bool
    #: group -> (joined, validated), groups in alphabetical order
    groups: tuple[tuple[str, GroupCount], ...]
    answers: int
    last_answer: datetime | None
    last_validation: datetime | None
    proposals: int
    last_proposal: datetime | None
    #: The consultant's settings (e.g. whether the tendencies are shown).
    settings: WorkshopSettings = field(default_factory=WorkshopSettings)

    @property
    def joined(self) -> int:
        return sum(c.joined for _, c in self.groups)

    @property
    def validated(self) -> int:
        return sum(c.validated for _, c in self.groups)

    @property
    def results_key(self) -> tuple:
        """What validated answers depend on: equal keys, equal results figures (a
        validated participant's answers are locked)."""
        return (tuple((g, c.validated) for g, c in self.groups), self.last_validation)


@dataclass(frozen=True)
class Proposal:
    """An action proposal made by a stakeholder group."""

    id: int
    project_id: int
    workshop_id: int | None
    text: str
    group: str
    feeling: str | None
    theme: str | None
    principle: int | None
    plan: str | None
    status: str
    owner: str | None
    due: date | None
    created_at: datetime
    updated_at: datetime
    #: the partner establishment the proposing people came from (None: not said)
    establishment: str | None = None
    #: ``"consultant"`` (typed in the notebook) or ``"participant"`` (sent from a phone)
    source: str = "consultant"
    #: ``"pending"``, ``"approved"`` (shown, counted) or ``"rejected"`` (set aside)
    moderation: str = "approved"
    moderated_at: datetime | None = None
    #: the statements (item ids) the action addresses
    statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProposalEvent:
    """One status change of a proposal: when, by whom, why."""

    id: int
    proposal_id: int
    status: str
    previous: str | None
    changed_at: datetime
    changed_by: str | None
    reason: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class Commitment:
    """The promoter's commitment to carry out at least ``threshold`` of the proposals."""

    id: int
    project_id: int
    committed_on: date
    committed_by: str
    threshold: float
    note: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class PurposeWording:
    """A wording of the common purpose: proposed by a participant (anonymous: only its
    workshop is kept) or noted by the consultant; ``cluster`` is the consultant's name
    for the group of similar wordings it belongs to."""

    id: int
    project_id: int
    workshop_id: int | None
    text: str
    source: str
    moderation: str
    cluster: str | None
    created_at: datetime


@dataclass(frozen=True)
class PurposeVersion:
    """One version of the common purpose statement (1, 2, ... per project)."""

    id: int
    project_id: int
    version: int
    text: str
    drafted_on: date
    note: str | None
    wordings: tuple[int, ...]
    created_at: datetime


@dataclass(frozen=True)
class PurposeAcceptance:
    """A partner establishment's decision on a version of the purpose."""

    id: int
    version: int
    partner: str
    accepted: bool
    decided_on: date
    decided_by: str | None
    note: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class PlanRow:
    """A row of one of the three plans: ``fields`` holds the plan's columns
    (:data:`coopkit.definitions.method.PLAN_FIELDS`); ``source`` says where it was
    drawn from (``"statement"`` with the item id, ``"proposal"`` with its id, or
    ``"manual"``); ``groups`` the groups that put it forward."""

    id: int
    project_id: int
    plan: str
    position: int
    fields: dict
    source: str
    source_ref: str | None
    groups: tuple[str, ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ResponsibilityActor:
    """A column of the responsibility matrix: a partner establishment or a body."""

    id: int
    project_id: int
    name: str
    kind: str
    position: int


@dataclass(frozen=True)
class Responsibility:
    """A row of the responsibility matrix: a decision or a task, and the roles of each
    actor (actor id -> role ids)."""

    id: int
    project_id: int
    subject: str
    kind: str
    position: int
    roles: dict
    created_at: datetime
    updated_at: datetime


# ------------------------------------------------------------ from database rows

def project_from(row) -> Project:
    return Project(row.id, row.name, row.purpose, row.promoter, row.created_at)


def workshop_from(row) -> Workshop:
    return Workshop(
        id=row.id, project_id=row.project_id, code=row.code,
        questionnaire_id=row.questionnaire_id, questionnaire_hash=row.questionnaire_hash,
        wave=row.wave, k=row.k, lang=row.lang, is_open=bool(row.is_open),
        created_at=row.created_at, title=row.title, closed_at=row.closed_at,
        settings=WorkshopSettings.from_mapping(row.settings),
    )


def proposal_from(row) -> Proposal:
    return Proposal(
        id=row.id, project_id=row.project_id, workshop_id=row.workshop_id, text=row.text,
        group=row.group_id, feeling=row.feeling, theme=row.theme, principle=row.principle,
        plan=row.plan, status=row.status, owner=row.owner, due=row.due,
        created_at=row.created_at, updated_at=row.updated_at,
        establishment=row.establishment, source=row.source, moderation=row.moderation,
        moderated_at=row.moderated_at, statements=tuple(row.statements or ()),
    )
