"""Shared test data and helpers."""

from __future__ import annotations

import asyncio
import threading

BASE_QUESTIONNAIRE = """\
id: atelier
version: "1.0"
kind: readiness
title:
  fr: Atelier
  en: Workshop
groups: [personnel, medical_soignant]
scales:
  accord:
    points:
      - value: 1
        label: {fr: Non, en: No}
      - value: 2
        label: {fr: Plutôt non, en: Rather not}
      - value: 3
        label: {fr: Plutôt oui, en: Rather yes}
      - value: 4
        label: {fr: Oui, en: "Yes"}
    dont_know: true
sections:
  - id: gouvernance
    title: {fr: Gouvernance, en: Governance}
    items:
      - id: g1
        type: scale
        scale: accord
        text: {fr: Le comité décide, en: The committee decides}
        principles: [2, 9]
        feedback: {fr: Réunissez le comité, en: Gather the committee}
      - id: g2
        type: intensity
        max: 5
        text: {fr: Peur, en: Fear}
        feeling: peur
        theme: arbitrage
        weak_above: 3
        feedback: {fr: Parlez-en, en: Talk about it}
      - id: g3
        type: single
        text: {fr: Choix, en: Choice}
        choices:
          - {id: a, label: {fr: A, en: A}, score: 1}
          - {id: b, label: {fr: B, en: B}, score: 0}
        feedback: {fr: Voir B, en: See B}
      - id: g4
        type: multiple
        required: false
        text: {fr: Plusieurs, en: Several}
        choices:
          - {id: x, label: {fr: X, en: X}}
          - {id: y, label: {fr: Y, en: Y}}
      - id: g5
        type: text
        required: false
        text: {fr: "Autre chose ?", en: "Anything else?"}
"""


def in_an_event_loop(scenario) -> None:
    """Run ``scenario()`` (a coroutine function) on an event loop of its own, as a kernel
    runs widget callbacks; in a thread, since Playwright may hold this thread's loop."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and errors == []
