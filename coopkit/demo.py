"""A realistic demo project, written through the store's public API.

Three establishments of one territory share their purchasing and IT: a hospital, a
nursing home (EHPAD) and a home-care service, in a direction commune. Seven
stakeholder groups answer the feelings map at T0 and again at T1, each with its own
plausible pattern (medical and care staff fear for their working conditions at T0,
less at T1; directors are strongly attracted; elected officials fear losing local
services...), a few answering « Ne me concerne pas » where a statement does not fit
them; the project team and six other steering groups answer the readiness
self-assessment. Action proposals exist in every status, each with its dated history (who
retained it, who dropped it and why), its proposing establishment and the statements it
addresses; the promoter's commitment is recorded. The common purpose has a history: a
first version that stated a means (« mutualiser les achats... ») and that the nursing
home declined, then the purpose proper, drafted from the participants' wordings and
accepted by the three partners. A responsibility matrix is half filled in: one decision
still has nobody who decides.

Every answer goes through ``join`` + ``save_answer`` + ``validate``, the path a
participant's phone takes, with a seeded random generator: two builds give the same
answers (only tokens and timestamps differ). :func:`build_demo` leaves an existing demo
project alone unless ``reset`` is true.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from coopkit import config
from coopkit.definitions.method import GROUP_IDS, PLAN_OF_FEELING
from coopkit.definitions.questionnaire import DONT_KNOW, NOT_APPLICABLE, Item, Questionnaire
from coopkit.definitions.questionnaire import load as load_questionnaire

if TYPE_CHECKING:
    from coopkit.store import Store

#: The demo project is found again by this exact name.
DEMO_NAME = "Démo – Coopération achats et SI du territoire de Montval"
#: The common purpose as the three partners accepted it: what they want to achieve
#: together for the people they serve (version 2 of its history).
DEMO_PURPOSE = (
    "Que chaque habitant du territoire de Montval, chez lui comme en établissement, "
    "continue d'être soigné et accompagné près de chez lui, par des équipes qui ont les "
    "moyens de bien faire leur travail, chaque partenaire gardant la maîtrise des "
    "décisions qui le concernent."
)
#: The first draft, which stated a means rather than a purpose (version 1).
DEMO_FIRST_PURPOSE = (
    "Mutualiser les achats et le système d'information du centre hospitalier, de "
    "l'EHPAD et du SSIAD de Montval."
)
#: Amendments to the purpose statement, as the demo's participants propose them.
PURPOSE_AMENDMENTS = (
    "Ajouter « au bénéfice des usagers et des professionnels ».",
    "Préciser que chaque établissement garde sa propre gouvernance.",
    "Dire aussi que les économies réalisées restent sur le territoire.",
)
DEMO_PROMOTER = "Centre hospitalier de Montval"
SEED = 20240607
WAVES = ("T0", "T1")
QUESTIONNAIRES_DIR = config.QUESTIONNAIRES_DIR
QUESTIONNAIRE_FILES = ("ressentis.yaml", "pret-cooperation.yaml")

HOSPITAL = "Centre hospitalier de Montval"
EHPAD = "EHPAD Les Tilleuls"
SSIAD = "SSIAD du Pays de Montval"
PARTNERS = (HOSPITAL, EHPAD, SSIAD)


@dataclass(frozen=True)
class GroupProfile:
    """How one stakeholder group answers, per wave.

    ``feelings[wave][feeling]`` is the mean intensity (0..1) of the group's feeling;
    ``themes`` shifts it for one theme (e.g. fears on the support of professionals);
    ``readiness[wave]`` is the mean readiness score (0..1); ``sites`` says which
    establishments the group's members come from (in turn); ``trust[wave]`` its trust
    in the other partners (the trust statements).
    """

    group: str
    size: int
    feelings: dict[str, dict[str, float]]
    themes: dict[tuple[str, str], float]
    readiness: dict[str, float]
    sites: tuple[str | None, ...] = PARTNERS
    #: trust in the other partners (0..1) at T0 and T1
    trust: dict[str, float] = field(default_factory=lambda: {"T0": 0.5, "T1": 0.55})


def _wave(t0: tuple[float, float, float], t1: tuple[float, float, float]
          ) -> dict[str, dict[str, float]]:
    names = ("attrait", "peur", "tentation")
    return {"T0": dict(zip(names, t0, strict=True)), "T1": dict(zip(names, t1, strict=True))}


#: Seven groups, 40 participants per workshop.
PROFILES: tuple[GroupProfile, ...] = (
    GroupProfile(
        "direction_generale", 5, _wave((0.85, 0.25, 0.40), (0.85, 0.20, 0.30)),
        {("arbitrage", "tentation"): 0.15, ("qualite", "attrait"): 0.05},
        {"T0": 0.55, "T1": 0.75}, trust={"T0": 0.75, "T1": 0.80}),
    GroupProfile(
        "direction_fonctionnelle", 5, _wave((0.75, 0.35, 0.35), (0.80, 0.25, 0.25)),
        {("qualite", "attrait"): 0.10, ("arbitrage", "peur"): 0.10},
        {"T0": 0.50, "T1": 0.70}, trust={"T0": 0.65, "T1": 0.70}),
    GroupProfile(
        # frank at T1: more temptations admitted while trust grows (read as candour)
        "encadrement", 6, _wave((0.55, 0.55, 0.20), (0.60, 0.40, 0.38)),
        {("accompagnement", "peur"): 0.15},
        {"T0": 0.40, "T1": 0.60}, trust={"T0": 0.50, "T1": 0.62}),
    GroupProfile(
        "medical_soignant", 8, _wave((0.40, 0.70, 0.15), (0.55, 0.40, 0.15)),
        {("accompagnement", "peur"): 0.20, ("qualite", "peur"): 0.05},
        {"T0": 0.30, "T1": 0.55}, trust={"T0": 0.35, "T1": 0.55}),
    GroupProfile(
        "personnel", 6, _wave((0.35, 0.60, 0.15), (0.50, 0.40, 0.15)),
        {("accompagnement", "peur"): 0.20},
        {"T0": 0.30, "T1": 0.50}, trust={"T0": 0.35, "T1": 0.45}),
    GroupProfile(
        "instances", 5, _wave((0.30, 0.65, 0.30), (0.40, 0.50, 0.25)),
        {("arbitrage", "peur"): 0.15, ("accompagnement", "peur"): 0.10},
        {"T0": 0.35, "T1": 0.50}, trust={"T0": 0.30, "T1": 0.35}),
    GroupProfile(
        "elus_population", 5, _wave((0.35, 0.65, 0.25), (0.45, 0.55, 0.20)),
        {("qualite", "peur"): 0.25, ("arbitrage", "tentation"): 0.10},
        {"T0": 0.35, "T1": 0.45}, sites=(None,), trust={"T0": 0.40, "T1": 0.50}),
)


def _readiness(group: str, size: int, t0: float, t1: float) -> GroupProfile:
    return GroupProfile(group, size, _wave((0.5, 0.5, 0.2), (0.5, 0.5, 0.2)), {},
                        {"T0": t0, "T1": t1})


#: Who fills in the readiness self-assessment: those who steer or follow the project
#: closely (the groups ``pret-cooperation.yaml`` offers), 40 participants again.
READINESS_PROFILES: tuple[GroupProfile, ...] = (
    _readiness("equipe_projet", 6, 0.50, 0.75),
    _readiness("direction_generale", 5, 0.55, 0.75),
    _readiness("direction_fonctionnelle", 5, 0.50, 0.70),
    _readiness("encadrement", 6, 0.40, 0.60),
    _readiness("referent_technique", 5, 0.45, 0.65),
    _readiness("medical_soignant", 8, 0.30, 0.55),
    _readiness("instances", 5, 0.35, 0.50),
)

#: How often a statement put to several groups gets « Ne me concerne pas ».
NOT_CONCERNED_RATE = {"elus_population": 0.12}
NOT_CONCERNED_DEFAULT = 0.03


def profiles_for(questionnaire: Questionnaire) -> tuple[GroupProfile, ...]:
    """The groups answering this questionnaire in the demo."""
    return READINESS_PROFILES if questionnaire.kind == "readiness" else PROFILES

#: Free texts participants might write; one holds markup, to exercise escaping.
FREE_TEXTS: dict[str, tuple[str, ...]] = {
    "attrait": (
        "Des achats groupés moins chers et un logiciel de soins commun.",
        "Partager un informaticien entre les trois sites.",
        "Plus de poids face aux fournisseurs & aux éditeurs.",
    ),
    "peur": (
        "Que nos plannings soient décidés à l'hôpital sans nous.",
        "Perdre le service de proximité pour les habitants.",
        "Encore un nouveau logiciel à apprendre <sans formation> ?",
    ),
    "tentation": (
        "Que le plus gros établissement impose ses fournisseurs.",
        "Garder pour soi les bons contrats.",
    ),
    None: (
        "Merci de nous consulter dès le début.",
        "Il faut un calendrier de réunions raisonnable.",
    ),
}

@dataclass(frozen=True)
class DemoAction:
    """An action proposal of the demo and its history: ``history`` holds
    ``(date, status, by, reason)`` after « proposed » on ``made``."""

    text: str
    group: str
    establishment: str | None
    feeling: str
    theme: str
    principle: int
    owner: str | None
    due: date | None
    statements: tuple[str, ...]
    made: date
    history: tuple[tuple[date, str, str, str | None], ...] = ()

    @property
    def status(self) -> str:
        return self.history[-1][1] if self.history else "proposed"


_COPIL = "Comité de pilotage"
_DIRECTEUR = "Directeur du CH de Montval (promoteur)"
_T0_DAY, _T1_DAY = date(2024, 1, 10), date(2024, 10, 8)

#: Action proposals in every status, with their dated history.
PROPOSALS: tuple[DemoAction, ...] = (
    DemoAction("Rédiger ensemble la déclaration de finalité commune", "direction_generale",
               HOSPITAL, "attrait", "arbitrage", 2, "Comité de direction", date(2024, 3, 1),
               ("r_attrait_ensemble",), _T0_DAY,
               ((date(2024, 1, 18), "accepted", _DIRECTEUR, None),
                (date(2024, 3, 19), "done", _COPIL, None))),
    DemoAction("Groupe de travail mixte sur les plannings avant tout changement",
               "medical_soignant", EHPAD, "peur", "accompagnement", 7,
               "Cadre de santé EHPAD", date(2024, 4, 15),
               ("a_peur_conditions", "a_peur_impose"), _T0_DAY,
               ((date(2024, 1, 18), "accepted", _DIRECTEUR, None),
                (date(2024, 2, 5), "in_progress", "Cadre de santé EHPAD", None),
                (date(2024, 4, 10), "done", _COPIL, None))),
    DemoAction("Formation au logiciel commun sur le temps de travail", "personnel", SSIAD,
               "peur", "accompagnement", 6, "Responsable SI", date(2024, 9, 30),
               ("a_peur_formation",), _T0_DAY,
               ((date(2024, 2, 14), "accepted", _DIRECTEUR, None),
                (date(2024, 5, 2), "in_progress", "Responsable SI", None))),
    DemoAction("Garder un référent achats sur chaque site", "elus_population", None, "peur",
               "qualite", 6, "Direction des achats", date(2024, 12, 31),
               ("q_peur_proximite",), _T0_DAY,
               ((date(2024, 2, 14), "accepted", _DIRECTEUR, None),)),
    DemoAction("Règle : aucun fournisseur imposé sans avis des trois partenaires",
               "instances", HOSPITAL, "tentation", "arbitrage", 8, "Comité de direction",
               date(2024, 5, 30), ("r_peur_plus_grand", "r_tentation_orienter"), _T0_DAY,
               ((date(2024, 1, 18), "accepted", _DIRECTEUR, None),
                (date(2024, 5, 28), "done", _COPIL, None))),
    DemoAction("Publier le tableau des délégations de chaque partenaire", "encadrement",
               EHPAD, "tentation", "arbitrage", 9, "Directeur adjoint", date(2024, 10, 15),
               ("r_peur_opacite",), _T0_DAY,
               ((date(2024, 2, 14), "accepted", _DIRECTEUR, None),
                (date(2024, 6, 3), "in_progress", "Directeur adjoint", None))),
    DemoAction("Mesurer les délais de livraison avant et après la mutualisation",
               "direction_fonctionnelle", HOSPITAL, "attrait", "qualite", 5,
               "Contrôle de gestion", date(2025, 1, 31), ("q_peur_degradation",), _T0_DAY,
               ((date(2024, 3, 20), "accepted", _DIRECTEUR, None),)),
    DemoAction("Réunion publique avec les habitants sur le service de proximité",
               "elus_population", None, "peur", "qualite", 3, None, None,
               ("q_peur_proximite",), _T1_DAY),
    DemoAction("Temps partagé du pharmacien entre l'hôpital et l'EHPAD", "medical_soignant",
               EHPAD, "attrait", "qualite", 4, None, None, ("q_attrait_competences",),
               _T1_DAY),
    DemoAction("Centraliser toutes les décisions d'achat à l'hôpital",
               "direction_fonctionnelle", HOSPITAL, "tentation", "arbitrage", 8, None, None,
               (), _T0_DAY,
               ((date(2024, 1, 18), "dropped", _COPIL,
                 "Contraire à la règle des trois avis : l'EHPAD et le SSIAD perdraient la "
                 "main sur leurs achats."),)),
    DemoAction("Charte : informer les représentants du personnel avant chaque décision",
               "instances", SSIAD, "tentation", "accompagnement", 7, "DRH du CH",
               date(2024, 6, 30), ("a_tentation_information",), _T0_DAY,
               ((date(2024, 1, 18), "accepted", _DIRECTEUR, None),
                (date(2024, 6, 25), "done", _COPIL, None))),
    DemoAction("Tableau de bord trimestriel des économies réalisées", "direction_generale",
               HOSPITAL, "attrait", "qualite", 5, None, None, (), _T0_DAY,
               ((date(2024, 2, 14), "accepted", _DIRECTEUR, None),
                (date(2024, 7, 1), "dropped", _COPIL,
                 "Remplacé par la mesure des délais de livraison : les économies seront "
                 "suivies dans le rapport annuel."))),
)
#: The promoter's commitment: (date, by whom).
COMMITMENT = (date(2024, 1, 18), "Directeur du CH de Montval, en comité de pilotage")
#: A proposal a participant sent from their phone at T1, waiting in moderation.
PHONE_PROPOSAL = ("Un numéro unique pour joindre le service achats", "attrait", "qualite")

#: Wordings of the purpose sent by participants at T0: (text, approved, group name).
WORDINGS: tuple[tuple[str, bool, str | None], ...] = (
    ("Que les habitants gardent des soins de proximité, même dans les villages.", True,
     "Soins de proximité"),
    ("Garder un service de qualité près de chez les gens, à domicile comme à l'EHPAD.",
     True, "Soins de proximité"),
    ("Des équipes moins débordées, qui ont le temps de bien accompagner les personnes.",
     True, "Équipes qui ont les moyens"),
    ("Que les soignants aient de bonnes conditions de travail pour bien s'occuper des "
     "patients.", True, "Équipes qui ont les moyens"),
    ("Que chaque établissement garde son mot à dire dans les décisions.", True,
     "Décisions partagées"),
    ("Acheter moins cher.", True, "Moyens plutôt que finalité"),
    ("Le parking de l'hôpital est trop petit.", False, None),
)
#: The purpose's history: version 1 (a means), declined by the nursing home; version 2
#: accepted by all. (partner, date, by, accepted, note)
PURPOSE_HISTORY = (
    (DEMO_FIRST_PURPOSE, date(2024, 1, 10), None, (
        (HOSPITAL, date(2024, 1, 22), "Directoire", True, None),
        (EHPAD, date(2024, 1, 25), "Conseil d'administration", False,
         "Énonce un moyen, pas ce que nous voulons pour les habitants."),
    )),
    (DEMO_PURPOSE, date(2024, 2, 20), "Rédigée à partir des formulations de la séance T0.", (
        (HOSPITAL, date(2024, 3, 5), "Conseil de surveillance", True, None),
        (EHPAD, date(2024, 3, 12), "Conseil d'administration", True, None),
        (SSIAD, date(2024, 3, 19), "Conseil d'administration", True, None),
    )),
)
#: The bodies of the responsibility matrix, after the partners.
BODIES = ("Comité des directeurs", _COPIL, "Équipe projet")
#: Rows of the matrix: (subject, kind, {actor: roles}); one decision has no decider yet.
RESPONSIBILITIES: tuple[tuple[str, str, dict[str, tuple[str, ...]]], ...] = (
    ("Choisir les fournisseurs des marchés communs", "decision",
     {"Comité des directeurs": ("decides",), HOSPITAL: ("carries_out",),
      EHPAD: ("consulted",), SSIAD: ("consulted",), _COPIL: ("informed",)}),
    ("Choisir le logiciel de soins commun", "decision",
     {"Comité des directeurs": ("decides",), "Équipe projet": ("carries_out",),
      HOSPITAL: ("consulted",), EHPAD: ("consulted",), SSIAD: ("consulted",)}),
    ("Modifier les plannings des équipes d'un établissement", "decision",
     {HOSPITAL: ("decides",), EHPAD: ("decides",), SSIAD: ("decides",),
      "Équipe projet": ("consulted",)}),
    ("Arbitrer un désaccord entre partenaires", "decision", {_COPIL: ("consulted",)}),
    ("Préparer le budget du service partagé", "task",
     {"Équipe projet": ("carries_out",), "Comité des directeurs": ("decides",),
      HOSPITAL: ("consulted",), EHPAD: ("informed",), SSIAD: ("informed",)}),
)


def find_demo(store: Store) -> int | None:
    """The id of the demo project in this store, or None."""
    for project in store.projects():
        if project.name == DEMO_NAME:
            return project.id
    return None


def build_demo(store: Store, *, reset: bool = False, seed: int = SEED,
               questionnaires_dir: Path = QUESTIONNAIRES_DIR) -> tuple[int, bool]:
    """Create the demo project; returns ``(project_id, created)``.

    An existing demo project is left as it is (``created`` false), unless ``reset``
    is true: then it is deleted and built again.
    """
    existing = find_demo(store)
    if existing is not None:
        if not reset:
            return existing, False
        store.delete_project(existing)
    questionnaires = [load_questionnaire(questionnaires_dir / name)
                      for name in QUESTIONNAIRE_FILES]
    rng = np.random.default_rng(seed)
    # The common purpose vote draws from its own generator: the other answers stay the
    # same whether a questionnaire puts the purpose to the room or not.
    purpose_rng = np.random.default_rng(seed + 1)
    project_id = store.create_project(DEMO_NAME, promoter=DEMO_PROMOTER)
    for partner in PARTNERS:
        store.add_partner(project_id, partner)
    invited = {p.group for p in (*PROFILES, *READINESS_PROFILES)}
    store.set_groups(project_id, [g for g in GROUP_IDS if g in invited])
    feelings_workshops = {}
    for wave in WAVES:
        for questionnaire in questionnaires:
            extra = None
            if questionnaire.kind == "feelings":
                extra = _send_wordings if wave == WAVES[0] else _send_proposal
            workshop_id = _workshop(store, project_id, questionnaire, wave, rng,
                                    purpose_rng, extra)
            if questionnaire.kind == "feelings":
                feelings_workshops[wave] = workshop_id
    for action in PROPOSALS:
        # Fresh proposals come from the latest workshop, the others from the first.
        wave = WAVES[-1] if action.made == _T1_DAY else WAVES[0]
        pid = store.add_proposal(
            project_id, action.text, action.group, feeling=action.feeling,
            theme=action.theme, principle=action.principle,
            plan=PLAN_OF_FEELING[action.feeling], owner=action.owner, due=action.due,
            workshop_id=feelings_workshops.get(wave), establishment=action.establishment,
            statements=action.statements, on=action.made)
        for day, status, by, reason in action.history:
            store.set_proposal_status(pid, status, by=by, reason=reason, on=day)
    store.record_commitment(project_id, COMMITMENT[0], COMMITMENT[1])
    _purpose(store, project_id)
    _responsibilities(store, project_id)
    return project_id, True


def _send_wordings(store: Store, workshop_id: int, tokens: list[str]) -> None:
    """Some participants of the first feelings workshop propose a wording of the
    purpose from their phone; the consultant moderates and groups them."""
    clusters = {}
    for token, (text, keep, cluster) in zip(tokens[::5], WORDINGS, strict=False):
        wid = store.add_purpose_wording(token, text)
        store.moderate_wording(wid, keep)
        clusters[wid] = cluster
    store.group_wordings(clusters)


def _send_proposal(store: Store, workshop_id: int, tokens: list[str]) -> None:
    """A participant of the open T1 workshop sends a proposal from their phone: it
    waits in moderation."""
    text, feeling, theme = PHONE_PROPOSAL
    store.add_participant_proposal(tokens[0], text, feeling=feeling, theme=theme)


def _purpose(store: Store, project_id: int) -> None:
    """The purpose's history: two versions, each partner's decision on them."""
    wordings = [w.id for w in store.purpose_wordings(project_id, moderation="approved")]
    for number, (text, drafted, note, decisions) in enumerate(PURPOSE_HISTORY, start=1):
        store.add_purpose_version(project_id, text, drafted_on=drafted, note=note,
                                  wordings=wordings if number > 1 else ())
        for partner, day, by, accepted, remark in decisions:
            store.accept_purpose(project_id, number, partner, day, by=by, accepted=accepted,
                                 note=remark)


def _responsibilities(store: Store, project_id: int) -> None:
    """A responsibility matrix: the partners, three bodies, five rows."""
    for partner in PARTNERS:
        store.add_responsibility_actor(project_id, partner, "partner")
    for body in BODIES:
        store.add_responsibility_actor(project_id, body, "body")
    for subject, kind, roles in RESPONSIBILITIES:
        store.add_responsibility(project_id, subject, kind=kind,
                                 roles={actor: list(r) for actor, r in roles.items()})


def _workshop(store: Store, project_id: int, questionnaire: Questionnaire, wave: str,
              rng: np.random.Generator, purpose_rng: np.random.Generator,
              extra: Callable[[Store, int, list[str]], None] | None = None) -> int:
    """One workshop, its id returned: each profile's participants join, answer and
    (mostly) validate.

    The last T1 workshop stays open with a few participants still answering, so the
    room view has something live to show; the others are closed.
    """
    workshop = store.open_workshop(project_id, questionnaire, wave=wave, k=5, lang="fr")
    last = wave == WAVES[-1] and questionnaire.kind == "feelings"
    tokens: list[str] = []
    for profile in profiles_for(questionnaire):
        for index in range(profile.size):
            site = profile.sites[index % len(profile.sites)]
            participant = store.join(workshop.code, profile.group, site)
            tokens.append(participant.token)
            for item_id, value in _answers(questionnaire, profile, wave, rng):
                store.save_answer(participant.token, item_id, value)
            for item_id, value in _purpose_answers(questionnaire, wave, purpose_rng):
                store.save_answer(participant.token, item_id, value)
            unfinished = last and index == profile.size - 1 and profile.size > 5
            if not unfinished:
                store.validate(participant.token)
    if extra is not None:
        extra(store, workshop.id, tokens)
    if not last:
        store.close_workshop(workshop.id)
    return workshop.id


def _answers(questionnaire: Questionnaire, profile: GroupProfile, wave: str,
             rng: np.random.Generator) -> Iterator[tuple[str, object]]:
    """The (item id, value) pairs one participant of ``profile`` gives."""
    purpose = _purpose_ids(questionnaire)
    for item in questionnaire.items():
        if not item.asked_of(profile.group) or item.id in purpose:
            continue
        # Free texts are written by about a third of the room; the "in the other's
        # shoes" estimates are an exercise everybody in the room does.
        draw = rng.random()
        if not item.required and item.type == "text" and draw > 0.35:
            continue
        value = _value(item, profile, wave, rng)
        if value is not None:
            yield item.id, value


def _purpose_ids(questionnaire: Questionnaire) -> set[str]:
    """The items that put the common purpose to the room (vote and amendments)."""
    from coopkit.analysis.texts import purpose_items

    vote, amendments = purpose_items(questionnaire)
    return {it.id for it in (*([vote] if vote else []), *amendments)}


def _purpose_answers(questionnaire: Questionnaire, wave: str,
                     rng: np.random.Generator) -> Iterator[tuple[str, object]]:
    """The purpose vote (principle-2 items): most accept, more of them at T1; one in
    three of those who amend writes the amendment."""
    accept = 0.55 if wave == WAVES[0] else 0.7
    purpose = _purpose_ids(questionnaire)
    for item in questionnaire.items():
        if item.id not in purpose:
            continue
        draw = rng.random()
        if item.type == "single" and item.choices:
            ids = [c.id for c in item.choices]
            yield item.id, ids[0] if draw < accept else ids[min(1 + int(draw > 0.92),
                                                                  len(ids) - 1)]
        elif item.type == "text" and draw < 0.3:
            yield item.id, PURPOSE_AMENDMENTS[int(rng.integers(len(PURPOSE_AMENDMENTS)))]


def _value(item: Item, profile: GroupProfile, wave: str,
           rng: np.random.Generator) -> object:
    if item.type == "intensity":
        if item.not_concerned and rng.random() < NOT_CONCERNED_RATE.get(
                profile.group, NOT_CONCERNED_DEFAULT):
            return NOT_APPLICABLE
        mean = _feeling_mean(item, profile, wave)
        top = item.max or 1
        return int(np.clip(np.rint(rng.normal(mean * top, 0.18 * top)), 0, top))
    if item.type == "scale" and item.scale is not None:
        if item.scale.dont_know and rng.random() < 0.04:
            return DONT_KNOW
        values = sorted(item.scale.values)
        target = rng.normal(profile.readiness[wave], 0.2)
        position = int(np.clip(np.rint(target * (len(values) - 1)), 0, len(values) - 1))
        return values[position]
    if item.type == "single":
        scored = [c for c in item.choices if c.score is not None]
        if scored:
            target = rng.normal(profile.readiness[wave], 0.2)
            return min(scored, key=lambda c: (abs((c.score or 0) - target), c.id)).id
        return item.choices[int(rng.integers(len(item.choices)))].id
    if item.type == "multiple":
        picked = [c.id for c in item.choices if rng.random() < 0.4]
        return picked or None
    if item.type == "text":
        bank = FREE_TEXTS.get(item.feeling, FREE_TEXTS[None])
        return bank[int(rng.integers(len(bank)))]
    return None


def _feeling_mean(item: Item, profile: GroupProfile, wave: str) -> float:
    feeling = item.feeling or "attrait"
    if item.about:  # an estimate of another group: its feeling, seen a little darker
        other = next((p for p in PROFILES if p.group == item.about), profile)
        bias = -0.1 if feeling == "attrait" else 0.1
        return float(np.clip(_own_mean(item, other, wave) + bias, 0.0, 1.0))
    return _own_mean(item, profile, wave)


def _own_mean(item: Item, profile: GroupProfile, wave: str) -> float:
    feeling = item.feeling or "attrait"
    base = (profile.trust[wave] if feeling == "confiance"
            else profile.feelings[wave].get(feeling, 0.3))
    shift = profile.themes.get((item.theme or "", feeling), 0.0)
    if wave != WAVES[0] and shift > 0 and feeling == "peur":
        shift /= 2  # fears spoken about at T0 have been worked on by T1
    return float(np.clip(base + shift, 0.0, 1.0))
