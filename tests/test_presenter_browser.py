"""The presenter as the README starts it: ``coopkit start`` on a fresh data folder, the
address it prints, in Chromium on a 1280×720 projector, while phones answer.

One ``coopkit start`` (the demo project, the participant server, the presenter,
JupyterLab). The presenter page opens on the welcome screen; its QR code, read from a
screenshot by zbar (Debian ``zbar-tools``), is the participant link ``coopkit start``
printed. Three phones join, answer and validate while the presenter shows the counts,
then the feelings map, the divisive statements and the free texts: each changes on
the page, never reloaded. A fourth phone is left on its form; « Clore la séance »
closes the workshop and that phone then says the session is closed. Every screen fits
1280×720 without scrolling, axe-core finds nothing serious, and a hostile free text is
shown as text.

Every wait is on a condition, bounded; nothing sleeps blindly.
"""

from __future__ import annotations

import os
import re
import signal
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
    axe_violations,
    decoded_qr,
    free_port,
    join,
    require_zbar,
    to_result,
    validate,
)
from playwright.sync_api import Browser, Page, expect

from coopkit.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(400)]

PROJECTOR = {"width": 1280, "height": 720}
HOSTILE = "<img src=x onerror=alert(1)>"
#: The presenter looks twice a second; a change shows well within this.
LIVE_MS = 20_000
#: A phone left open notices a closed session within CLOSED_CHECK (8 s).
CLOSED_MS = 30_000
#: The screens in the presenter's order (its menu), tendencies off.
SCREENS = ("welcome", "map", "divisive", "shoes", "texts", "purpose", "proposals")
#: Which screen and page are on view (to wait for a key press to take effect).
WHERE_JS = """() => document.querySelector('.coopkit-present-main .cp-screen').className
    + '|' + ((document.querySelector('.cp-page') || {}).textContent || '')"""


@dataclass(frozen=True)
class Started:
    data: Path
    output: Path
    presenter: str
    participant_link: str
    code: str
    app_port: int


def _printed(output: Path) -> str:
    return output.read_text(encoding="utf-8", errors="replace") if output.exists() else ""


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    """``coopkit start`` as the README says, on a fresh data folder."""
    require_zbar()
    base = tmp_path_factory.mktemp("present")
    data, output = base / "data", base / "start.out"
    app_port, lab_port, present_port = free_port(), free_port(), free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "PYTHONUNBUFFERED": "1"}
    env.pop("COOPKIT_DATABASE_URL", None)
    with output.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "coopkit.cli", "start", "--no-browser", "--data",
             str(data), "--port", str(app_port), "--lab-port", str(lab_port),
             "--present-port", str(present_port), "--expect", "2"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            cwd=str(ROOT), start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        found = None
        while time.monotonic() < deadline and proc.poll() is None:
            text = _printed(output)
            presenter = re.search(r"(?i)présentateur[^\n]*?(http://127\.0\.0\.1:\d+/)", text)
            link = re.search(r"code ([A-Z0-9]{6}) :\s+(http://\S+)", text)
            if presenter and link and "coopkit est prêt" in text:
                found = (presenter.group(1), link.group(2), link.group(1))
                break
            time.sleep(0.25)
        assert found, f"coopkit start did not come up:\n{_printed(output)[-3000:]}"
        yield Started(data, output, found[0], found[1], found[2], app_port)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
        assert code == 0, _printed(output)[-3000:]


def show(page: Page, key: str, reveal: bool = True) -> None:
    """Choose a screen from the on-screen menu; reveal it (results screens)."""
    page.locator(".coopkit-present-menu select").select_option(index=SCREENS.index(key))
    expect(page.locator(f".cp-screen-{key}")).to_be_visible(timeout=TIMEOUT_MS)
    button = page.locator(".coopkit-present-reveal")
    if reveal and button.is_enabled() and button.inner_text().strip() == "Révéler":
        button.click()
        expect(button).to_have_text("Masquer", timeout=TIMEOUT_MS)
        expect(page.locator(".cp-hidden-box")).to_have_count(0, timeout=TIMEOUT_MS)


def screen_html(page: Page, key: str) -> str:
    return page.locator(f".cp-screen-{key}").inner_html()


def fills(page: Page) -> dict[str, int]:
    """How the page fits: the window and the presenter's screen area."""
    return page.evaluate("""() => {
        const root = document.documentElement;
        const main = document.querySelector('.coopkit-present-main');
        const screen = document.querySelector('.cp-screen');
        return {doc: root.scrollHeight - root.clientHeight,
                docw: root.scrollWidth - root.clientWidth,
                main: main.scrollHeight - main.clientHeight,
                screen: screen.scrollHeight - screen.clientHeight,
                // a heading cut or running into its neighbour (the map's twelve columns)
                clipped: [...screen.querySelectorAll('th')].filter(
                    th => th.scrollWidth > th.clientWidth + 1).length};
    }""")


def answer_everything(phone: Page, level: str, text: str | None = None) -> None:
    """Every 0–5 question answered ``level``, page after page; ``text`` in the first
    free-text field met; then the result, then validate."""
    hint = phone.locator(".coopkit-page-title .coopkit-hint").first
    expect(hint).to_contain_text("Partie 1 sur", timeout=TIMEOUT_MS)
    pages = int(re.search(r"Partie 1 sur (\d+)", hint.inner_text()).group(1))
    written = text is None
    for number in range(1, pages + 1):
        expect(hint).to_contain_text(f"Partie {number} sur {pages}", timeout=TIMEOUT_MS)
        items = phone.locator(".coopkit-page .coopkit-item-intensity")
        last = None
        for index in range(items.count()):
            last = items.nth(index).get_by_role("radio", name=level, exact=True)
            last.check()
        if last is not None:
            expect(last).to_be_checked(timeout=TIMEOUT_MS)
        field = phone.locator(".coopkit-page .coopkit-item-text textarea")
        if not written and field.count():
            field.first.fill(text)
            field.first.blur()
            written = True
        if number < pages:
            phone.locator(".coopkit-next").click()
    to_result(phone)
    validate(phone)


def test_presenter_from_coopkit_start(browser: Browser, started: Started, axe_script,
                                      tmp_path):
    screen = browser.new_context(viewport=PROJECTOR, locale="fr-FR")
    phones = browser.new_context(viewport=PHONE, has_touch=True, locale="fr-FR")
    dialogs: list[str] = []
    try:
        projector = screen.new_page()
        projector.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        projector.goto(started.presenter, timeout=120_000)
        welcome = projector.locator(".cp-screen-welcome")
        expect(welcome).to_be_visible(timeout=120_000)
        expect(projector.locator(".coopkit-present-title h1")).to_have_text(
            "Rejoignez la séance")
        expect(welcome).to_contain_text(started.code)

        # the QR code on the projected screen is the participant link printed
        shot = tmp_path / "welcome.png"
        projector.screenshot(path=str(shot))
        assert decoded_qr(shot) == started.participant_link
        assert started.participant_link.endswith(f":{started.app_port}/?code={started.code}")

        projector.evaluate("() => { window.coopkitNotReloaded = true; }")
        joined = projector.locator(".cp-total b").nth(0)
        validated = projector.locator(".cp-total b").nth(1)
        joined_before, validated_before = int(joined.inner_text()), int(validated.inner_text())
        assert axe_violations(projector, axe_script) == []

        # phone 1 joins: the count on the welcome screen moves by itself
        first = phones.new_page()
        join(first, started.participant_link, establishment=True)
        expect(joined).to_have_text(str(joined_before + 1), timeout=LIVE_MS)

        # the map, revealed, changes when phone 1 validates
        show(projector, "map", reveal=False)
        expect(projector.locator(".cp-hidden-box")).to_contain_text("Résultats masqués")
        show(projector, "map")
        expect(projector.locator(".cp-screen-map td").first).to_be_visible()
        assert axe_violations(projector, axe_script) == []
        map_before = screen_html(projector, "map")
        answer_everything(first, "5")
        deadline = time.monotonic() + LIVE_MS / 1000
        while screen_html(projector, "map") == map_before:
            assert time.monotonic() < deadline, "the map did not change"
            projector.wait_for_timeout(100)

        # hide and reveal again
        projector.locator(".coopkit-present-reveal").click()
        expect(projector.locator(".cp-hidden-box")).to_contain_text("Résultats masqués",
                                                                    timeout=TIMEOUT_MS)
        projector.locator(".coopkit-present-reveal").click()
        expect(projector.locator(".cp-screen-map td").first).to_be_visible(
            timeout=TIMEOUT_MS)

        # the divisive statements change when phone 2 validates
        show(projector, "divisive")
        divisive_before = screen_html(projector, "divisive")
        second = phones.new_page()
        join(second, started.participant_link, establishment=True)
        answer_everything(second, "0")
        deadline = time.monotonic() + LIVE_MS / 1000
        while screen_html(projector, "divisive") == divisive_before:
            assert time.monotonic() < deadline, "the divisive statements did not change"
            projector.wait_for_timeout(100)

        # the free texts show phone 3's hostile text, as text
        show(projector, "texts")
        third = phones.new_page()
        join(third, started.participant_link, establishment=True)
        answer_everything(third, "2", text=HOSTILE)
        expect(projector.locator(".cp-screen-texts")).to_contain_text(HOSTILE,
                                                                      timeout=LIVE_MS)
        assert projector.locator(".cp-screen-texts img").count() == 0
        assert dialogs == []

        # back on the welcome screen: three more validated, never reloaded
        show(projector, "welcome")
        expect(validated).to_have_text(str(validated_before + 3), timeout=LIVE_MS)
        assert projector.evaluate("() => window.coopkitNotReloaded") is True

        # every screen fits 1280×720 without scrolling (the keyboard moves on)
        show(projector, "welcome")
        seen = []
        for _ in range(20):
            where = projector.evaluate(WHERE_JS)
            key = where.split("|")[0].split("cp-screen-")[-1]
            button = projector.locator(".coopkit-present-reveal")
            if button.is_enabled() and button.inner_text().strip() == "Révéler":
                button.click()
                expect(projector.locator(".cp-hidden-box")).to_have_count(
                    0, timeout=TIMEOUT_MS)
            where = projector.evaluate(WHERE_JS)  # revealed: its first page
            sizes = fills(projector)
            assert sizes == {"doc": 0, "docw": 0, "main": 0, "screen": 0, "clipped": 0}, (
                key, sizes)
            seen.append(key)
            if projector.locator(".coopkit-present-next").is_disabled():
                break
            projector.keyboard.press("ArrowRight")
            projector.wait_for_function(f"prev => ({WHERE_JS})() !== prev", arg=where,
                                        timeout=TIMEOUT_MS)
        assert set(SCREENS) <= set(seen), repr(seen)

        # « Clore la séance », confirmed: the workshop closes, a phone left open says so
        fourth = phones.new_page()
        join(fourth, started.participant_link, establishment=True)
        projector.locator(".coopkit-present-close").click()
        expect(projector.locator(".coopkit-present-confirm")).to_contain_text(
            f"Clore la séance {started.code} ?", timeout=TIMEOUT_MS)
        with open_store(None, data=str(started.data)) as store:
            assert any(w.is_open and w.code == started.code for w in store.workshops())
        projector.locator(".coopkit-present-close-yes").click()
        expect(projector.locator(".coopkit-present-status")).to_contain_text(
            "Séance close", timeout=TIMEOUT_MS)
        with open_store(None, data=str(started.data)) as store:
            assert not any(w.is_open and w.code == started.code for w in store.workshops())
        expect(fourth.locator(".coopkit-closed")).to_contain_text("La séance est close",
                                                                  timeout=CLOSED_MS)
        expect(fourth.locator(".coopkit-closed")).to_contain_text("Merci")
        assert fourth.locator(".coopkit-note-error").count() == 0
    finally:
        screen.close()
        phones.close()
