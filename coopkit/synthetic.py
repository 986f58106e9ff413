"""Synthetic workshops: an example questionnaire, answers and action proposals.

Pure and seeded (numpy ``default_rng``): the same arguments always give the same
frames. Used by the tests, the benchmark, the chart gallery (``docs/make_charts.py``)
and the demo project. The answers frame has exactly the columns of the store's
``answers_frame`` (:data:`coopkit.analysis.ANSWER_COLUMNS`); the proposals frame those
of ``proposals_frame``. Nothing here is real data: groups answer around the means of
their :class:`Profile`, with noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coopkit.analysis import ANSWER_COLUMNS
from coopkit.definitions import method
from coopkit.definitions.questionnaire import DONT_KNOW, NOT_APPLICABLE, Item, Questionnaire, parse

#: Groups of the example questionnaire and of the demo workshop.
DEMO_GROUPS = ("direction_generale", "encadrement", "personnel", "medical_soignant",
               "elus_population")


@dataclass(frozen=True)
class Profile:
    """How a synthetic group tends to answer: means on the 0..1 score scale.

    ``themes`` overrides a feeling's mean for one theme: ``(("peur", "arbitrage", 0.8),)``.
    ``others_bias``: when this group estimates another group's feelings ("in the other's
    shoes"), it adds this to the other's fears and temptations and takes it from the
    other's attractions (people tend to lend others darker motives).
    """

    attrait: float = 0.6
    peur: float = 0.4
    tentation: float = 0.2
    confiance: float = 0.55
    readiness: float = 0.6
    spread: float = 0.15
    themes: tuple[tuple[str, str, float], ...] = ()
    others_bias: float = 0.15

    def feeling(self, feeling: str, theme: str | None = None) -> float:
        for f, th, value in self.themes:
            if f == feeling and th == theme:
                return value
        return float(getattr(self, feeling))


#: Contrasted profiles for the demo groups (the gallery and the demo use them).
DEMO_PROFILES: dict[str, Profile] = {
    "direction_generale": Profile(attrait=0.8, peur=0.25, tentation=0.4, confiance=0.75,
                                  readiness=0.7, themes=(("tentation", "arbitrage", 0.6),)),
    "encadrement": Profile(attrait=0.55, peur=0.5, tentation=0.25, confiance=0.55,
                           readiness=0.55),
    "personnel": Profile(attrait=0.35, peur=0.75, tentation=0.15, confiance=0.35,
                         readiness=0.4, themes=(("peur", "accompagnement", 0.85),)),
    "medical_soignant": Profile(attrait=0.5, peur=0.55, tentation=0.3, confiance=0.4,
                                readiness=0.5, themes=(("attrait", "qualite", 0.75),),
                                spread=0.25),
    "elus_population": Profile(attrait=0.6, peur=0.45, tentation=0.2, confiance=0.5,
                               readiness=0.5),
}

# ----------------------------------------------------------- example questionnaire

_FEELING_TEXTS = {
    ("attrait", "qualite"): (
        "J'attends du projet un meilleur service, rendu plus efficacement.",
        "I expect the project to deliver a better service, more efficiently."),
    ("attrait", "accompagnement"): (
        "J'y vois l'occasion de gagner des compétences et de meilleures conditions de travail.",
        "I see a chance to gain skills and better working conditions."),
    ("attrait", "arbitrage"): (
        "J'espère qu'ensemble nous pèserons davantage face à notre environnement.",
        "I hope that together we will carry more weight with our environment."),
    ("peur", "qualite"): (
        "Je crains que le service rendu se dégrade.",
        "I fear the service will get worse."),
    ("peur", "accompagnement"): (
        "Je crains que mes conditions de travail se dégradent.",
        "I fear my working conditions will get worse."),
    ("peur", "arbitrage"): (
        "Je crains de perdre de l'autonomie et du pouvoir de décision.",
        "I fear losing autonomy and decision power."),
    ("tentation", "qualite"): (
        "Je serais tenté de garder les meilleures ressources pour mon établissement.",
        "I would be tempted to keep the best resources for my establishment."),
    ("tentation", "accompagnement"): (
        "Je serais tenté d'orienter le changement à l'avantage de mon équipe.",
        "I would be tempted to steer the change to my team's advantage."),
    ("tentation", "arbitrage"): (
        "Je serais tenté de prendre la main sur les décisions pour favoriser les miens.",
        "I would be tempted to take control of decisions to favour my side."),
}

_TRUST_TEXTS = {
    "qualite": ("Je peux compter sur les autres partenaires pour tenir leurs engagements.",
                "I can count on the other partners to keep their commitments."),
    "accompagnement": ("Les autres partenaires partagent les informations utiles au projet.",
                       "The other partners share the information the project needs."),
    "arbitrage": ("Je fais confiance aux autres partenaires pour respecter les règles communes.",
                  "I trust the other partners to respect the common rules."),
}

# (unit, fr, en, principles, factor, feedback fr, feedback en)
_READINESS = (
    ("gouvernance/organiser",
     "Le comité des directeurs a fixé les règles de conduite que chacun s'engage à suivre.",
     "The directors' committee has set the rules of conduct everyone commits to follow.",
     (6, 8), "portage",
     "Écrivez avec tous les partenaires une charte des bonnes pratiques relationnelles.",
     "Write a charter of good relational practice with all the partners."),
    ("gouvernance/organiser",
     "Chaque partenaire sait qui décide de quoi et qui a reçu quelle délégation.",
     "Every partner knows who decides what and who holds which delegation.",
     (9,), None,
     "Publiez un tableau des responsabilités et des délégations, tenu à jour.",
     "Publish a table of responsibilities and delegations and keep it up to date."),
    ("gouvernance/organiser",
     "Les représentants du personnel sont informés à chaque étape.",
     "Staff representatives are informed at every step.",
     (3, 8), None,
     "Prévoyez un point régulier avec les instances dès le lancement.",
     "Plan a regular meeting with staff bodies from the start."),
    ("gouvernance/roles",
     "Tous les membres de l'équipe projet participent à l'analyse des risques.",
     "Every member of the project team takes part in the risk analysis.",
     (7,), "securisation",
     "Organisez un atelier où chacun contribue au plan de gestion des risques.",
     "Run a workshop where everyone contributes to the risk management plan."),
    ("gouvernance/roles",
     "Les partenaires ont les mêmes droits quand on écrit les plans et la charte.",
     "Partners have the same rights when the plans and the charter are written.",
     (8,), None,
     "Vérifiez que chaque établissement a une voix égale dans l'élaboration des plans.",
     "Check that every establishment has an equal voice when the plans are drawn up."),
    ("finalite/commune",
     "Une finalité commune a été écrite et acceptée par tous avant les objectifs détaillés.",
     "A common purpose was written and accepted by all before the detailed objectives.",
     (2,), "declencheur",
     "Écrivez ensemble une phrase de finalité avant de détailler les objectifs.",
     "Write a purpose statement together before detailing the objectives."),
    ("finalite/commune",
     "Personne ne prétend détenir seul la bonne réponse pour tous.",
     "Nobody claims to hold alone the right answer for everyone.",
     (1,), None,
     "Faites exprimer le point de vue de chaque partenaire avant de chercher une solution.",
     "Have each partner state their view before looking for a solution."),
    ("finalite/commune",
     "Les attraits, peurs et tentations de chaque partenaire ont été partagés.",
     "Each partner's attractions, fears and temptations have been shared.",
     (3, 4), "perception",
     "Animez un atelier « carte des ressentis » avec toutes les parties prenantes.",
     "Run a feelings-map workshop with all the stakeholders."),
    ("finalite/evaluation",
     "Le plan des objectifs, le plan des risques et la charte ont été lancés ensemble.",
     "The objectives plan, the risk plan and the charter were started together.",
     (6,), None,
     "Lancez les trois plans en même temps : ils se répondent.",
     "Start the three plans at the same time: they answer each other."),
    ("finalite/evaluation",
     "Les critères d'évaluation des actions s'appuient sur la représentation partagée.",
     "The criteria used to evaluate actions rest on the shared representation.",
     (5,), None,
     "Reliez chaque critère d'évaluation à un attrait ou une peur de la carte.",
     "Tie each evaluation criterion to an attraction or a fear of the map."),
    ("finalite/evaluation",
     "Le promoteur s'est engagé à mettre en œuvre au moins 60 % des propositions.",
     "The promoter has committed to carry out at least 60 % of the proposals.",
     (), "portage",
     "Faites formaliser cet engagement par le promoteur et suivez-le en comité.",
     "Have the promoter put this commitment in writing and follow it up in committee."),
    ("decision",
     "Les règles d'arbitrage sont connues avant les premières décisions.",
     "The arbitration rules are known before the first decisions.",
     (9,), None,
     "Écrivez les règles de décision (majorité, unanimité, veto) et diffusez-les.",
     "Write the decision rules (majority, unanimity, veto) down and share them."),
    ("decision",
     "En cas de désaccord, une voie de recours est prévue.",
     "There is a way to settle disagreements.",
     (8,), None,
     "Désignez une instance ou une personne tierce pour trancher les désaccords.",
     "Name a body or a third person to settle disagreements."),
    ("decision",
     "Les décisions prises sont communiquées aux professionnels concernés.",
     "Decisions are passed on to the professionals they affect.",
     (3,), None,
     "Diffusez un court relevé de décisions après chaque comité.",
     "Send a short record of decisions after each committee."),
    ("decision",
     "Les usagers et les élus sont associés aux décisions qui les concernent.",
     "Users and elected officials take part in the decisions that concern them.",
     (4, 8), "perception",
     "Invitez leurs représentants aux comités où leurs sujets sont traités.",
     "Invite their representatives to the committees that deal with their concerns."),
)

_SECTIONS = {
    "gouvernance": ("Définir la gouvernance du projet", "Define the project's governance"),
    "gouvernance/organiser": ("Organiser la gouvernance", "Organise the governance"),
    "gouvernance/roles": ("Partager les rôles", "Share the roles"),
    "finalite": ("Définir la finalité, les objectifs et les critères d'évaluation",
                 "Define the purpose, objectives and evaluation criteria"),
    "finalite/commune": ("Construire une finalité commune", "Build a common purpose"),
    "finalite/evaluation": ("Évaluer les actions", "Evaluate the actions"),
    "decision": ("Définir les modalités de prise de décision",
                 "Define the decision-making rules"),
}

#: The estimates of the example questionnaire: (group estimated, theme asked about).
DEMO_OTHERS = (("direction_generale", "arbitrage"), ("personnel", "accompagnement"))


def _text(fr: str, en: str) -> dict[str, str]:
    return {"fr": fr, "en": en}


def example_questionnaire(*, readiness_items: int = 15,
                          groups: Sequence[str] = DEMO_GROUPS,
                          others: Sequence[tuple[str, str]] = DEMO_OTHERS,
                          trust: bool = False) -> Questionnaire:
    """A mixed questionnaire: 9 own-feeling items (3 feelings x 3 themes, intensity
    0..5), 3 "in the other's shoes" estimates per entry of ``others`` (mirroring the
    own items, hidden from the group estimated), then ``readiness_items`` statements
    (scale 1..4 with "not applicable" and "don't know") in sections, sub-sections and
    items sitting directly in a section, tagged with principles and with feedback.

    ``readiness_items`` beyond the 15 written statements repeat them, numbered.
    With the defaults: 9 + 6 + 15 = 30 items; ``readiness_items=45`` gives 60.
    ``trust=True`` adds 3 trust statements (``feeling: confiance``, one per theme).
    """
    feelings = [
        {"id": f"{f}-{th}", "type": "intensity", "max": 5,
         "text": _text(*_FEELING_TEXTS[(f, th)]), "feeling": f, "theme": th,
         "low": _text("Pas du tout", "Not at all"), "high": _text("Très fort", "Very strongly")}
        for th in method.THEME_IDS for f in method.FEELING_IDS
    ]
    if trust:
        feelings += [
            {"id": f"confiance-{th}", "type": "intensity", "max": 5,
             "text": _text(*_TRUST_TEXTS[th]), "feeling": method.TRUST.id, "theme": th,
             "low": _text("Pas du tout", "Not at all"), "high": _text("Entièrement",
                                                                      "Completely")}
            for th in method.THEME_IDS
        ]
    estimates = []
    for about, theme in others:
        label = method.GROUPS[method.GROUP_IDS.index(about)]
        for f in method.FEELING_IDS:
            fr, en = _FEELING_TEXTS[(f, theme)]
            estimates.append({
                "id": f"autrui-{about}-{f}", "type": "intensity", "max": 5,
                "text": _text(
                    f"À votre avis, avec quelle force « {label.label('fr')} » "
                    f"ressent-il ceci : « {fr} »",
                    f"In your view, how strongly does “{label.label('en')}” feel this: "
                    f"“{en}”"),
                "about": about, "mirrors": f"{f}-{theme}",
                "groups": [g for g in groups if g != about],
            })
    units: dict[str, list[dict]] = {key: [] for key in _SECTIONS}
    for i in range(readiness_items):
        unit, fr, en, principles, factor, ffr, fen = _READINESS[i % len(_READINESS)]
        round_ = i // len(_READINESS)
        suffix = f" ({round_ + 1})" if round_ else ""
        item = {"id": f"p{i + 1:02d}", "type": "scale", "scale": "accord",
                "text": _text(fr + suffix, en + suffix), "principles": list(principles),
                "feedback": _text(ffr, fen)}
        if factor:
            item["factor"] = factor
        units[unit].append(item)
    readiness = []
    for top in ("gouvernance", "finalite", "decision"):
        subs = [{"id": key.split("/")[1], "title": _text(*_SECTIONS[key]), "items": units[key]}
                for key in _SECTIONS if key.startswith(top + "/") and units[key]]
        section = {"id": top, "title": _text(*_SECTIONS[top])}
        if units[top]:
            section["items"] = units[top]
        if subs:
            section["subsections"] = subs
        if units[top] or subs:
            readiness.append(section)
    sections = [{"id": "ressentis", "title": _text("Vos ressentis", "Your feelings"),
                 "items": feelings}]
    if estimates:
        sections.append({"id": "autrui", "title": _text("À la place des autres",
                                                        "In the other's shoes"),
                         "items": estimates})
    sections.extend(readiness)
    points = [(1, "Pas du tout", "Not at all"), (2, "Plutôt non", "Rather not"),
              (3, "Plutôt oui", "Rather yes"), (4, "Tout à fait", "Fully")]
    return parse({
        "id": "exemple", "version": "1", "kind": "survey",
        "title": _text("Prêts pour une coopération (exemple)", "Ready to cooperate (example)"),
        "languages": ["fr", "en"], "groups": list(groups),
        "scales": {"accord": {"points": [{"value": v, "label": _text(fr, en)}
                                         for v, fr, en in points],
                              "not_applicable": True, "dont_know": True}},
        "sections": sections,
    }, source="<synthetic>")


# ------------------------------------------------------------------------- answers

_COMMENTS = ("Il faut associer les équipes plus tôt.", "Bonne dynamique entre directions.",
             "Trop de réunions pour l'instant.", "Qui pilote le système d'information ?")


def answers(questionnaire: Questionnaire, participants: Mapping[str, int], *,
            profiles: Mapping[str, Profile] | None = None,
            establishments: Sequence[str] = ("ch-nord", "ehpad-sud", "ch-est"),
            seed: int = 0, k: int = 5, workshop_id: int = 1, project_id: int = 1,
            wave: str = "T0", skip: float = 0.02, unsure: float = 0.03,
            validated: float = 0.9, first_participant: int = 1) -> pd.DataFrame:
    """Synthetic answers to ``questionnaire``: ``participants`` maps group -> headcount.

    Each person gets a latent level per item around their group's profile mean
    (``profiles``, else :data:`DEMO_PROFILES`, else :class:`Profile`), with normal noise
    of sd ``profile.spread``, turned into the item's answer: an intensity, a scale point
    (``unsure`` of them "don't know" / "not applicable" when the scale allows), the
    choice whose score is nearest, a few choices, or a short comment. ``skip`` is the
    share of items a person leaves unanswered. Returns a frame with the store's
    columns, one row per answer, ``attrs["k"] = k``.
    """
    rng = np.random.default_rng(seed)
    chosen = {**DEMO_PROFILES, **(profiles or {})}
    group_of = np.repeat(np.array(list(participants), dtype=object),
                         list(participants.values()))
    count = len(group_of)
    ids = np.arange(first_participant, first_participant + count)
    estab = np.array(establishments, dtype=object)[rng.integers(0, len(establishments), count)]
    valid = rng.random(count) < validated
    noise_sd = np.array([chosen.get(g, Profile()).spread for g in group_of])
    start = pd.Timestamp("2025-03-12 09:30", tz="UTC")
    frames = []
    items = list(questionnaire.items())
    tags = {it.id: it for it in items}
    groups = list(participants)
    for position, item in enumerate(items):
        shown = np.isin(group_of, [g for g in groups if item.asked_of(g)])
        shown &= rng.random(count) >= skip
        who = np.flatnonzero(shown)
        if who.size == 0:
            continue
        means = _means(item, group_of[who], chosen, tags)
        latent = np.clip(means + rng.normal(0, 1, who.size) * noise_sd[who], 0, 1)
        value, score, weak = _answer(item, latent, rng, unsure)
        section = questionnaire.section_path(item.id)
        frames.append(pd.DataFrame({
            "participant": ids[who], "group": group_of[who], "establishment": estab[who],
            "validated": valid[who], "item_id": item.id, "item_type": item.type,
            "section_id": section[0].id, "subsection_id": section[1].id
            if len(section) > 1 else None,
            "value": value, "score": score, "weak": weak, "feeling": item.feeling,
            "theme": item.theme, "factor": item.factor, "about": item.about,
            "mirrors": item.mirrors, "_pos": position,
            "answered_at": start + pd.to_timedelta(who * 7 + position * 20, unit="s"),
        }))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=[*ANSWER_COLUMNS, "_pos"])
    frame = frame.sort_values(["participant", "_pos"], kind="stable").drop(columns="_pos")
    principles = {it.id: it.principles for it in items}
    frame = frame.assign(workshop_id=workshop_id, project_id=project_id, wave=wave,
                         questionnaire_id=questionnaire.id,
                         questionnaire_hash=questionnaire.content_hash,
                         principles=frame["item_id"].map(principles))
    for col in ("subsection_id", "feeling", "theme", "factor", "about", "mirrors"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame = frame[list(ANSWER_COLUMNS)].reset_index(drop=True)
    frame.attrs["k"] = k
    return frame


def _means(item: Item, groups: np.ndarray, profiles: Mapping[str, Profile],
           tags: Mapping[str, Item]) -> np.ndarray:
    """Each person's expected level (0..1) for this item, from their group's profile."""
    def prof(g: str) -> Profile:
        return profiles.get(g, Profile())

    if item.about is not None:
        target = tags.get(item.mirrors) if item.mirrors else item
        feeling = item.feeling or (target.feeling if target else None) or "attrait"
        theme = item.theme or (target.theme if target else None)
        base = prof(item.about).feeling(feeling, theme)
        sign = -1.0 if feeling == "attrait" else 1.0
        return np.array([base + sign * prof(g).others_bias for g in groups])
    if item.feeling is not None:
        return np.array([prof(g).feeling(item.feeling, item.theme) for g in groups])
    return np.array([prof(g).readiness for g in groups])


def _answer(item: Item, latent: np.ndarray, rng: np.random.Generator, unsure: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, score, weak) arrays for one item, vectorised over persons."""
    size = latent.size
    value = np.empty(size, dtype=object)
    if item.type == "intensity":
        value[:] = np.rint(latent * (item.max or 5)).astype(int).tolist()
    elif item.type == "scale" and item.scale is not None:
        points = np.array(sorted(item.scale.values))
        value[:] = points[np.rint(latent * (len(points) - 1)).astype(int)].tolist()
        special = [s for s, ok in ((DONT_KNOW, item.scale.dont_know),
                                   (NOT_APPLICABLE, item.scale.not_applicable)) if ok]
        if special:
            odd = rng.random(size) < unsure
            value[odd] = np.array(special, dtype=object)[rng.integers(0, len(special),
                                                                      odd.sum())]
    elif item.type == "single":
        scored = [c for c in item.choices if c.score is not None]
        if scored:
            at = np.array([c.score for c in scored])
            nearest = np.abs(latent[:, None] - at[None, :]).argmin(axis=1)
            value[:] = [scored[i].id for i in nearest]
        else:
            value[:] = [item.choices[i].id for i in rng.integers(0, len(item.choices), size)]
    elif item.type == "multiple":
        picks = rng.random((size, len(item.choices))) < 0.4
        value[:] = [[c.id for c, p in zip(item.choices, row, strict=True) if p]
                    for row in picks]
    else:
        value[:] = [_COMMENTS[i] for i in rng.integers(0, len(_COMMENTS), size)]
    if not item.scored:
        return value, np.full(size, np.nan), np.zeros(size, bool)
    # Score and weak flag from the model itself, once per distinct value.
    known = {v: (item.score(v), item.is_weak(v)) for v in set(value.tolist())}
    score = np.array([np.nan if known[v][0] is None else known[v][0] for v in value])
    weak = np.array([known[v][1] for v in value], dtype=bool)
    return value, score, weak


# ----------------------------------------------------------------------- proposals

_PROPOSAL_TEXTS = ("Créer un groupe de travail mixte", "Publier le calendrier des comités",
                   "Nommer un référent par site", "Écrire la charte relationnelle",
                   "Mutualiser les astreintes", "Informer les élus chaque trimestre")


def proposals(per_group: Mapping[str, int], *, done_share: Mapping[str, float] | None = None,
              seed: int = 0, project_id: int = 1, workshop_id: int = 1) -> pd.DataFrame:
    """Synthetic action proposals (the columns of the store's ``proposals_frame``).

    ``per_group`` maps proposing group -> number of proposals; ``done_share`` the
    expected share carried out per group (default 0.6); of the rest, a fifth is dropped
    and the others spread over proposed / accepted / in progress.
    """
    rng = np.random.default_rng(seed)
    rows = []
    created = pd.Timestamp("2025-03-12 11:00", tz="UTC")
    for group, count in per_group.items():
        share = (done_share or {}).get(group, 0.6)
        for _ in range(count):
            draw = rng.random()
            if draw < share:
                status = "done"
            elif draw < share + (1 - share) / 5:
                status = "dropped"
            else:
                status = ("proposed", "accepted", "in_progress")[int(rng.integers(0, 3))]
            feeling = method.FEELING_IDS[int(rng.integers(0, 3))]
            rows.append({
                "id": len(rows) + 1, "project_id": project_id, "workshop_id": workshop_id,
                "text": _PROPOSAL_TEXTS[int(rng.integers(0, len(_PROPOSAL_TEXTS)))],
                "group": group, "feeling": feeling,
                "theme": method.THEME_IDS[int(rng.integers(0, 3))],
                "principle": int(rng.integers(1, 10)),
                "plan": method.PLAN_OF_FEELING[feeling], "status": status, "owner": None,
                "due": None, "created_at": created, "updated_at": created,
            })
    return pd.DataFrame(rows, columns=["id", "project_id", "workshop_id", "text", "group",
                                       "feeling", "theme", "principle", "plan", "status",
                                       "owner", "due", "created_at", "updated_at"])
