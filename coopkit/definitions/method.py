"""The durable cooperation method, as data.

Identifiers are stable (they are stored and used as questionnaire tags); labels and
descriptions come from the i18n catalogue (``method.<kind>.<id>...``) in French and
English.
"""

from __future__ import annotations

from dataclasses import dataclass

from coopkit.i18n import t

#: The promoter commits to carry out at least this share of the stakeholders' proposals.
COMMITMENT_THRESHOLD = 0.60


@dataclass(frozen=True)
class Concept:
    """A named element of the method (feeling, theme, group, factor, plan...)."""

    kind: str
    id: str

    def label(self, lang: str | None = None) -> str:
        return t(f"method.{self.kind}.{self.id}", lang)

    def description(self, lang: str | None = None) -> str:
        return t(f"method.{self.kind}.{self.id}.desc", lang)


@dataclass(frozen=True)
class Behaviour(Concept):
    """A behaviour, the feeling that pushes towards it and what holds it in check."""

    pushed_by: str = ""
    held_by: str = ""


@dataclass(frozen=True)
class Principle:
    """One of the nine principles, phrased as a duty (« Reconnaître que… »), each
    readable on its own (no « ces plans » pointing at another principle)."""

    number: int
    #: The role the principle puts a duty on, when it names one (principle 7).
    role: str | None = None

    def label(self, lang: str | None = None) -> str:
        return t(f"method.principle.{self.number}", lang)


@dataclass(frozen=True)
class Prerequisite(Concept):
    """A condition set before the approach starts, owned by one role (not a principle)."""

    role: str = ""
    threshold: float = 0.0


def _concepts(kind: str, *ids: str) -> tuple[Concept, ...]:
    return tuple(Concept(kind, i) for i in ids)


FEELINGS = _concepts("feeling", "attrait", "peur", "tentation")
#: Trust is not one of the three feelings: it stabilises cooperation. It is measured by
#: statements about the partners (tagged ``feeling: confiance``) and shown as its own row.
TRUST = Concept("feeling", "confiance")
THEMES = _concepts("theme", "qualite", "accompagnement", "arbitrage")
BEHAVIOURS = (
    Behaviour("behaviour", "cooperatif", pushed_by="attrait", held_by="confiance"),
    Behaviour("behaviour", "opportuniste", pushed_by="tentation", held_by="peur"),
    Behaviour("behaviour", "individualiste", pushed_by="peur", held_by="attrait"),
)
PRINCIPLES = tuple(Principle(n, role="equipe_projet" if n == 7 else None)
                   for n in range(1, 10))
#: Roles of the method: the promoter carries the project and owns the 60 % prerequisite;
#: the project team writes the risk plan and the charter together (principle 7).
ROLES = _concepts("role", "promoteur", "equipe_projet")
#: The promoter's prerequisite (not a principle): carry out at least 60 % of the
#: stakeholders' action proposals. Items checking it carry ``prerequisite: engagement_60``.
PREREQUISITES = (Prerequisite("prerequisite", "engagement_60", role="promoteur",
                              threshold=COMMITMENT_THRESHOLD),)
GROUPS = _concepts(
    "group",
    "equipe_projet",
    "direction_generale",
    "direction_fonctionnelle",
    "direction_adjointe",
    "encadrement",
    "referent_technique",
    "prestataire",
    "personnel",
    "medical_soignant",
    "instances",
    "beneficiaire",
    "usager_patient",
    "elus_population",
    "financeur",
)
FACTORS = _concepts(
    "factor", "portage", "perception", "declencheur", "maturite", "securisation"
)
PLANS = _concepts("plan", "objectifs", "risques", "charte")
ACTION_STATUSES = _concepts(
    "status", "proposed", "accepted", "in_progress", "done", "dropped"
)
#: Where a proposal or a purpose wording came from: typed by the consultant (from the
#: room's discussion, a paper form...) or sent by a participant from their phone.
SOURCES = ("consultant", "participant")
#: Moderation of what participants send: « pending » until the consultant approves it
#: (then it may be shown to the room and counts for the 60 %) or sets it aside.
MODERATION = ("pending", "approved", "rejected")
#: The commitment's two measures: a proposal is *retained* once the promoter accepted it
#: (accepted, in progress or done) and *realised* once done.
RETAINED_STATUSES = ("accepted", "in_progress", "done")
REALISED_STATUSES = ("done",)
#: The fields of a row of each plan (principle 6), in the order of the documents.
PLAN_FIELDS: dict[str, tuple[str, ...]] = {
    "objectifs": ("objective", "indicator", "baseline", "target", "owner", "due"),
    "risques": ("risk", "likelihood", "impact", "prevention", "owner"),
    "charte": ("rule", "origin", "protects"),
}
#: A risk's likelihood and impact, on a three-step scale.
LEVEL_IDS = ("low", "medium", "high")
#: The roles of a responsibility matrix (principle 9), one letter each in a cell.
RESPONSIBILITY_ROLES = _concepts("role", "decides", "consulted", "informed", "carries_out")
#: The letter of each role in a cell of the matrix (the same in French and English).
ROLE_LETTERS = {"decides": "D", "consulted": "C", "informed": "I", "carries_out": "R"}
#: A row of the responsibility matrix is a decision or a task.
RESPONSIBILITY_KINDS = ("decision", "task")
#: The bodies a cooperation usually has, offered as columns of the matrix beside the
#: partner establishments (the consultant renames, removes or adds).
BODIES = _concepts("body", "comite_pilotage", "comite_directeurs", "equipe_projet")

FEELING_IDS = tuple(c.id for c in FEELINGS)
#: The rows of the feelings map: the three feelings, then trust, measured apart by
#: statements tagged ``feeling: confiance`` (it is not a feeling; it stabilises).
MAP_ROWS = (*FEELING_IDS, TRUST.id)
THEME_IDS = tuple(c.id for c in THEMES)
GROUP_IDS = tuple(c.id for c in GROUPS)
FACTOR_IDS = tuple(c.id for c in FACTORS)
PREREQUISITE_IDS = tuple(c.id for c in PREREQUISITES)

#: Directors of the partner establishments. ``direction_adjointe`` is kept so that older
#: questionnaires still read; shipped ones offer ``direction_fonctionnelle`` only (one
#: group for functional and deputy directors: an HR director is both).
DIRECTION_GROUPS = ("direction_generale", "direction_fonctionnelle", "direction_adjointe")
#: Who steers the project and can say how far it is prepared.
STEERING_GROUPS = ("equipe_projet", *DIRECTION_GROUPS)
#: Groups that do not work in, nor speak for, a partner establishment: statements about
#: « mon établissement » or « mes conditions de travail » are not put to them.
OUTSIDE_GROUPS = ("usager_patient", "elus_population", "financeur")
ESTABLISHMENT_GROUPS = tuple(g for g in (c.id for c in GROUPS) if g not in OUTSIDE_GROUPS)
#: Groups retired from the shipped questionnaires (still readable in older ones).
LEGACY_GROUPS = ("direction_adjointe",)
PLAN_IDS = tuple(c.id for c in PLANS)
STATUS_IDS = tuple(c.id for c in ACTION_STATUSES)
BEHAVIOUR_IDS = tuple(b.id for b in BEHAVIOURS)
ROLE_IDS = tuple(c.id for c in RESPONSIBILITY_ROLES)  # the matrix's letters
PRINCIPLE_NUMBERS = tuple(p.number for p in PRINCIPLES)

#: Which plan each feeling feeds (principle 6): attractions become objectives, fears
#: risks to manage, temptations rules of the relational charter.
PLAN_OF_FEELING = {"attrait": "objectifs", "peur": "risques", "tentation": "charte"}


def behaviour(behaviour_id: str) -> Behaviour:
    """Look a behaviour up by id."""
    return next(b for b in BEHAVIOURS if b.id == behaviour_id)


#: The presenter's screens, each with the facilitator's prompt from ``docs/animer.md``
#: (catalogue key ``presenter.prompt.<screen>``), shown to the consultant only.
PRESENTER_SCREENS = ("welcome", "map", "divisive", "shoes", "texts", "purpose",
                     "proposals", "tendencies")


def presenter_prompt(screen: str, lang: str | None = None) -> str:
    """What the facilitator says or asks on one presenter screen (the guide's prompt)."""
    if screen not in PRESENTER_SCREENS:
        raise KeyError(screen)
    return t(f"presenter.prompt.{screen}", lang)
