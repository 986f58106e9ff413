"""The room view as the projector shows it: ``02_animer`` as a Voilà page, live.

A fresh demo project (``coopkit demo``, the command), ``coopkit serve`` for the
participants and a standalone ``voila notebooks/02_animer.ipynb`` for the room, both on
free ports. One Chromium page shows the room (a laptop-sized screen); a second one, on a
phone-sized screen, joins the demo's open feelings workshop, answers every question,
sees its result and validates it. The room page is never reloaded: its counts and its
feelings map must change by themselves (``RoomView`` polls the store).

Every wait is on a condition, bounded; nothing sleeps.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_fixtures import (
    PHONE,
    ROOT,
    TIMEOUT_MS,
    free_port,
    join,
    launch,
    start_serve,
    stop_serve,
    to_result,
    validate,
    wait_serving,
)
from playwright.sync_api import Browser, Locator, Page, expect

from coopkit import load_questionnaire, open_store
from coopkit.serving import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ROOM_NOTEBOOK = ROOT / "notebooks" / "02_animer.ipynb"
SCREEN = {"width": 1280, "height": 900}
#: The room polls every 5 s (the notebook's parameter); a change shows well within this.
LIVE_MS = 60_000


@dataclass(frozen=True)
class Room:
    data: Path
    code: str
    room_port: int
    app_port: int


def _voila_room(data: Path, port: int) -> subprocess.Popen:
    """The consultant's way to put the room on the projector: Voilà on ``02_animer``."""
    # COOPKIT_NOTEBOOK_TEST empty: the notebook starts its live update, as for a room
    return launch([sys.executable, "-m", "voila", str(ROOM_NOTEBOOK), "--no-browser",
                   f"--port={port}", "--Voila.ip=127.0.0.1"], data / "room.out",
                  COOPKIT_DATA=str(data), COOPKIT_NOTEBOOK_TEST="")


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    data = tmp_path_factory.mktemp("room-data")
    subprocess.run([sys.executable, "-m", "coopkit.cli", "demo", "--data", str(data)],
                   check=True, cwd=str(ROOT), capture_output=True, timeout=300)
    with open_store(None, data=str(data)) as store:
        workshops = [w for p in store.projects() for w in store.workshops(p.id)
                     if w.is_open and w.questionnaire_id == "ressentis"]
    assert len(workshops) == 1, "the demo keeps exactly one feelings workshop open"

    app_port, room_port = free_port(), free_port()
    app = start_serve(data, app_port, expect=1)
    voila = _voila_room(data, room_port)
    try:
        wait_serving(app, app_port, serve.pool_size(1))
        if not serve.wait_ready(room_port, time.monotonic() + 120,
                                lambda: voila.poll() is None):
            raise AssertionError(f"voila did not start: {(data / 'room.out').read_text()}")
        yield Room(data, workshops[0].code, room_port, app_port)
    finally:
        voila.terminate()
        voila.wait(60)
        if app.poll() is None:
            stop_serve(app)


def total(page: Page, column: int) -> Locator:
    """A cell of the room table's total row: column 2 = joined, 3 = validated."""
    return page.locator(f".coopkit-room-table tbody tr:last-child td:nth-child({column})")


def fill_every_page(page: Page) -> int:
    """Answer every 0–5 question with 3, page after page; returns how many."""
    hint = page.locator(".coopkit-page-title .coopkit-hint").first
    expect(hint).to_contain_text("Partie 1 sur", timeout=TIMEOUT_MS)
    found = re.search(r"Partie 1 sur (\d+)", hint.inner_text())
    assert found, hint.inner_text()
    pages, answered = int(found.group(1)), 0
    for number in range(1, pages + 1):
        expect(hint).to_contain_text(f"Partie {number} sur {pages}", timeout=TIMEOUT_MS)
        items = page.locator(".coopkit-page .coopkit-item-intensity")
        for index in range(items.count()):
            choice = items.nth(index).get_by_role("radio", name="3", exact=True)
            choice.check()
            expect(choice).to_be_checked(timeout=TIMEOUT_MS)
            answered += 1
        if number < pages:
            page.locator(".coopkit-next").click()
    return answered


def test_room_view_updates_by_itself_when_a_participant_validates(browser: Browser,
                                                                  room: Room):
    screen = browser.new_context(viewport=SCREEN, locale="fr-FR")
    phone = browser.new_context(viewport=PHONE, has_touch=True, locale="fr-FR")
    try:
        projector = screen.new_page()
        projector.goto(f"http://127.0.0.1:{room.room_port}/", timeout=120_000)
        live = projector.locator(".coopkit-room-auto")
        expect(live).to_contain_text("en cours", timeout=120_000)
        expect(projector.locator(".coopkit-room-table tbody tr:last-child")).to_contain_text(
            "Total", timeout=TIMEOUT_MS)
        joined, validated = (int(total(projector, c).inner_text()) for c in (2, 3))
        feelings_map = projector.locator("img.coopkit-room-feelings")
        expect(feelings_map).to_have_attribute("src", re.compile("^blob:"),
                                               timeout=TIMEOUT_MS)
        picture = feelings_map.get_attribute("src")
        projector.evaluate("() => { window.coopkitNotReloaded = true; }")

        participant = phone.new_page()
        join(participant, f"http://127.0.0.1:{room.app_port}/?code={room.code}",
             establishment=True)

        # joining already shows on the projector, before any validation
        expect(total(projector, 2)).to_have_text(str(joined + 1), timeout=LIVE_MS)
        expect(total(projector, 3)).to_have_text(str(validated))

        asked = [it for it in load_questionnaire(ROOT / "questionnaires" / "ressentis.yaml")
                 .items() if it.type == "intensity" and it.asked_of("personnel")]  # GROUP
        assert fill_every_page(participant) == len(asked)  # not the 2 about themselves
        to_result(participant)
        validate(participant)

        # the validation reaches the room without a reload: count and feelings map
        expect(total(projector, 3)).to_have_text(str(validated + 1), timeout=LIVE_MS)
        expect(feelings_map).not_to_have_attribute("src", picture, timeout=LIVE_MS)
        assert projector.evaluate("() => window.coopkitNotReloaded") is True

        # the toggle freezes the picture for the discussion
        live.click()
        expect(live).to_contain_text("en pause", timeout=TIMEOUT_MS)
    finally:
        screen.close()
        phone.close()
