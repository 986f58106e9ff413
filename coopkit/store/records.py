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
    answer given or changed, a validation, an erasure, a proposal added or edited, the
    workshop closed or reopened (its code may change then).
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
    )
