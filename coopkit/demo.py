"""A realistic demo project, written through the store's public API.

Three establishments of one territory share their purchasing and IT: a hospital, a
nursing home (EHPAD) and a home-care service, in a direction commune. Seven
stakeholder groups answer the feelings map at T0 and again at T1, each with its own
plausible pattern (medical and care staff fear for their working conditions at T0,
less at T1; directors are strongly attracted; elected officials fear losing local
services...), a few answering « Ne me concerne pas » where a statement does not fit
them; the project team and six other steering groups answer the readiness
self-assessment. Action proposals exist in every status.

Every answer goes through ``join`` + ``save_answer`` + ``validate``, the path a
participant's phone takes, with a seeded random generator: two builds give the same
answers (only tokens and timestamps differ). :func:`build_demo` leaves an existing demo
project alone unless ``reset`` is true.
"""

from __future__ import annotations

from collections.abc import Iterator
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
DEMO_PURPOSE = (
    "Mutualiser les achats et le système d'information du centre hospitalier, de "
    "l'EHPAD et du SSIAD de Montval pour garder un service de proximité de qualité, "
    "sans qu'aucun partenaire ne perde la maîtrise de ses décisions."
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

#: Action proposals (text, group, feeling, theme, principle, status, owner, due).
PROPOSALS: tuple[tuple[str, str, str, str, int, str, str | None, date | None], ...] = (
    ("Rédiger ensemble la déclaration de finalité commune", "direction_generale",
     "attrait", "arbitrage", 2, "done", "Comité de direction", date(2024, 3, 1)),
    ("Groupe de travail mixte sur les plannings avant tout changement",
     "medical_soignant", "peur", "accompagnement", 7, "done", "Cadre de santé EHPAD",
     date(2024, 4, 15)),
    ("Formation au logiciel commun sur le temps de travail", "personnel", "peur",
     "accompagnement", 6, "in_progress", "Responsable SI", date(2024, 9, 30)),
    ("Garder un référent achats sur chaque site", "elus_population", "peur", "qualite",
     6, "accepted", "Direction des achats", date(2024, 12, 31)),
    ("Règle : aucun fournisseur imposé sans avis des trois partenaires", "instances",
     "tentation", "arbitrage", 8, "done", "Comité de direction", date(2024, 5, 30)),
    ("Publier le tableau des délégations de chaque partenaire", "encadrement",
     "tentation", "arbitrage", 9, "in_progress", "Directeur adjoint", date(2024, 10, 15)),
    ("Mesurer les délais de livraison avant et après la mutualisation",
     "direction_fonctionnelle", "attrait", "qualite", 5, "accepted", "Contrôle de gestion",
     date(2025, 1, 31)),
    ("Réunion publique avec les habitants sur le service de proximité",
     "elus_population", "peur", "qualite", 3, "proposed", None, None),
    ("Temps partagé du pharmacien entre l'hôpital et l'EHPAD", "medical_soignant",
     "attrait", "qualite", 4, "proposed", None, None),
    ("Centraliser toutes les décisions d'achat à l'hôpital", "direction_fonctionnelle",
     "tentation", "arbitrage", 8, "dropped", None, None),
    ("Charte : informer les représentants du personnel avant chaque décision",
     "instances", "tentation", "accompagnement", 7, "done", "DRH du CH",
     date(2024, 6, 30)),
    ("Tableau de bord trimestriel des économies réalisées", "direction_generale",
     "attrait", "qualite", 5, "dropped", None, None),
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
    project_id = store.create_project(DEMO_NAME, purpose=DEMO_PURPOSE,
                                      promoter=DEMO_PROMOTER)
    for partner in PARTNERS:
        store.add_partner(project_id, partner)
    invited = {p.group for p in (*PROFILES, *READINESS_PROFILES)}
    store.set_groups(project_id, [g for g in GROUP_IDS if g in invited])
    feelings_workshops = {}
    for wave in WAVES:
        for questionnaire in questionnaires:
            workshop_id = _workshop(store, project_id, questionnaire, wave, rng,
                                    purpose_rng)
            if questionnaire.kind == "feelings":
                feelings_workshops[wave] = workshop_id
    for text, group, feeling, theme, principle, status, owner, due in PROPOSALS:
        # Fresh proposals come from the latest workshop, the others from the first.
        wave = WAVES[-1] if status == "proposed" else WAVES[0]
        store.add_proposal(project_id, text, group, feeling=feeling, theme=theme,
                           principle=principle, plan=PLAN_OF_FEELING[feeling],
                           status=status, owner=owner, due=due,
                           workshop_id=feelings_workshops.get(wave))
    return project_id, True


def _workshop(store: Store, project_id: int, questionnaire: Questionnaire, wave: str,
              rng: np.random.Generator, purpose_rng: np.random.Generator) -> int:
    """One workshop, its id returned: each profile's participants join, answer and
    (mostly) validate.

    The last T1 workshop stays open with a few participants still answering, so the
    room view has something live to show; the others are closed.
    """
    workshop = store.open_workshop(project_id, questionnaire, wave=wave, k=5, lang="fr")
    last = wave == WAVES[-1] and questionnaire.kind == "feelings"
    for profile in profiles_for(questionnaire):
        for index in range(profile.size):
            site = profile.sites[index % len(profile.sites)]
            participant = store.join(workshop.code, profile.group, site)
            for item_id, value in _answers(questionnaire, profile, wave, rng):
                store.save_answer(participant.token, item_id, value)
            for item_id, value in _purpose_answers(questionnaire, wave, purpose_rng):
                store.save_answer(participant.token, item_id, value)
            unfinished = last and index == profile.size - 1 and profile.size > 5
            if not unfinished:
                store.validate(participant.token)
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
