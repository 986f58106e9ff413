"""From a phone to the projected screen: a participant sends a wording of the common
purpose and action proposals; the consultant approves one, sets one aside; only the
approved one appears on the presenter, live.

A real ``coopkit serve`` (the session's ``app_server``) and a real ``coopkit present``
on the same data folder, both in Debian's Chromium: the phone is 320 px wide (the
narrowest screen we support), the presenter a 1280×720 projector. The consultant's
side is headless, through the moderation widget the notebook ``03_evaluer`` shows
(:class:`~coopkit.consultant.proposals.ProposalModeration`) and the purpose editor.
On the phone, after validating: nothing sticks out sideways, every tap target is at
least 44 × 44 px, axe-core finds nothing serious, an empty text gets a clear message,
a text sent gets « envoyée, elle sera relue par le consultant avant d'être montrée ».

Every wait is on a condition, bounded; nothing sleeps blindly.
"""

from __future__ import annotations

import re
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_fixtures import (
    TIMEOUT_MS,
    AppServer,
    axe_violations,
    free_port,
    join,
    launch,
    overflowing,
    small_targets,
    to_result,
    validate,
)
from playwright.sync_api import Browser, Page, expect

from coopkit import open_store
from coopkit.consultant.proposals import ProposalModeration
from coopkit.consultant.purpose import PurposeEditor
from coopkit.i18n import t
from coopkit.serving import present, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(400)]

NARROW_PHONE = {"width": 320, "height": 640}
PROJECTOR = {"width": 1280, "height": 720}
#: The presenter looks twice a second; a change shows well within this.
LIVE_MS = 20_000


@dataclass(frozen=True)
class Presenting:
    url: str
    data: Path


@pytest.fixture(scope="module")
def presenter_server(app_server: AppServer) -> Iterator[Presenting]:
    """``coopkit present`` on the participant server's data folder."""
    port = free_port()
    log = app_server.data / "present.out"
    proc = launch([sys.executable, "-m", "coopkit.cli", "present", "--data",
                   str(app_server.data), "--port", str(port), "--app-port",
                   str(app_server.port), "--quiet"], log)
    try:
        deadline = time.monotonic() + 120
        ready = serve.wait_ready(port, deadline, lambda: proc.poll() is None)
        assert ready, log.read_text(encoding="utf-8", errors="replace")[-3000:]
        yield Presenting(f"{present.presenter_url(port)}?workshop={app_server.workshop_id}",
                         app_server.data)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text(encoding="utf-8",
                                                         errors="replace")[-3000:]


def sound(page: Page, axe: Path) -> dict[str, list]:
    """What is wrong with the phone's page now (nothing, if all is well)."""
    return {"overflow": overflowing(page), "small": small_targets(page),
            "axe": axe_violations(page, axe)}


OK = {"overflow": [], "small": [], "axe": []}


def open_proposals_screen(projector: Page, url: str) -> None:
    projector.goto(url, timeout=120_000)
    expect(projector.locator(".cp-screen-welcome")).to_be_visible(timeout=120_000)
    title = t("present.proposals.title", "fr")
    option = projector.locator(".coopkit-present-menu select option", has_text=title)
    projector.locator(".coopkit-present-menu select").select_option(
        value=option.get_attribute("value"))
    expect(projector.locator(".cp-screen-proposals")).to_be_visible(timeout=TIMEOUT_MS)
    projector.evaluate("() => { window.coopkitNotReloaded = true; }")


def test_phone_ideas_moderated_then_projected(browser: Browser, app_server: AppServer,
                                             presenter_server: Presenting, axe_script):
    mark = uuid.uuid4().hex[:6]
    wording = f"Ensemble, mieux soigner les habitants du territoire ({mark})."
    kept = f"Un référent par site pour les nouveaux arrivants ({mark})"
    refused = f"Hors sujet, à écarter ({mark})"
    phones = browser.new_context(viewport=NARROW_PHONE, has_touch=True, locale="fr-FR")
    screen = browser.new_context(viewport=PROJECTOR, locale="fr-FR")
    try:
        # the projector shows the proposals screen, waiting
        projector = screen.new_page()
        open_proposals_screen(projector, presenter_server.url)
        proposals_screen = projector.locator(".cp-screen-proposals")

        # the participant answers, validates, then finds « Vous avez une idée ? »
        phone = phones.new_page()
        join(phone, app_server.join_url())
        phone.get_by_role("radio", name="Oui", exact=True).check()
        to_result(phone)
        validate(phone)
        ideas = phone.locator(".coopkit-ideas")
        expect(ideas).to_contain_text("Vous avez une idée ?", timeout=TIMEOUT_MS)
        assert sound(phone, axe_script) == OK

        # a wording of the common purpose: an empty one is refused, then it is sent
        phone.get_by_role("button", name="Proposer une formulation de la finalité commune",
                          exact=True).click()
        purpose = phone.locator(".coopkit-ideas-purpose")
        field = purpose.get_by_label("Votre formulation", exact=True)
        expect(field).to_be_visible(timeout=TIMEOUT_MS)
        send = purpose.get_by_role("button", name="Envoyer ma formulation", exact=True)
        send.click()
        expect(purpose.get_by_role("alert")).to_contain_text("« Votre formulation » est vide",
                                                             timeout=TIMEOUT_MS)
        assert sound(phone, axe_script) == OK
        field.fill(wording)
        send.click()
        expect(purpose.get_by_role("status")).to_contain_text(
            "envoyée : elle sera relue par le consultant avant d'être montrée",
            timeout=TIMEOUT_MS)
        expect(field).to_have_value("", timeout=TIMEOUT_MS)

        # two action proposals, each with its feeling and theme
        phone.get_by_role("button", name="Faire une proposition d'actions",
                          exact=True).click()
        form = phone.locator(".coopkit-ideas-proposal")
        expect(form).to_be_visible(timeout=TIMEOUT_MS)
        expect(purpose).to_be_hidden(timeout=TIMEOUT_MS)  # one form at a time
        assert sound(phone, axe_script) == OK
        text = form.get_by_label("Votre proposition", exact=True)
        send = form.get_by_role("button", name="Envoyer ma proposition", exact=True)
        for words, feeling, theme in ((kept, "Peurs", "Qualité et efficacité du service"),
                                      (refused, "Tentations",
                                       "Modalités d'arbitrage et de prise de décision")):
            text.fill(words)
            form.get_by_role("radio", name=re.compile(f"^{feeling} :")).check()
            form.get_by_role("radio", name=theme, exact=True).check()
            send.click()
            expect(form.get_by_role("status")).to_contain_text(
                "Votre proposition d'actions est envoyée : elle sera relue par le "
                "consultant avant d'être montrée", timeout=TIMEOUT_MS)
            expect(text).to_have_value("", timeout=TIMEOUT_MS)
        assert sound(phone, axe_script) == OK
        assert kept not in phone.locator(".coopkit-app").inner_text()  # not shown back

        # waiting in moderation: not on the projected screen
        expect(proposals_screen).to_contain_text("Aucune proposition", timeout=TIMEOUT_MS)

        # the consultant, in 03_evaluer: the wording is where the purpose is drafted,
        # one proposal approved, the other set aside
        with open_store(None, data=str(presenter_server.data)) as store:
            project = store.workshop(app_server.workshop_id).project_id
            editor = PurposeEditor(store, project)
            listed = [row.children[-1].value for row in editor.wordings.children]
            assert any(wording in html for html in listed), listed
            moderation = ProposalModeration(store, project)
            waiting = {p.text: p for p in store.proposals(project, moderation="pending")}
            assert (waiting[kept].feeling, waiting[kept].theme) == ("peur", "qualite")
            assert {waiting[kept].id, waiting[refused].id} <= set(moderation.value)
            moderation.decide(waiting[refused].id, False)
            moderation.decide(waiting[kept].id, True)

        # the approved one appears on the presenter by itself; the other never does
        expect(proposals_screen).to_contain_text(kept, timeout=LIVE_MS)
        expect(proposals_screen).to_contain_text("Peurs")
        assert refused not in proposals_screen.inner_text()
        assert projector.evaluate("() => window.coopkitNotReloaded") is True
    finally:
        phones.close()
        screen.close()
