"""A participant's phone, from the join link to the thank-you, in a real browser.

Debian's Chromium through Playwright against a real ``coopkit serve`` (coopkit's own
page template), on the method's feelings questionnaire, on a 320 px and a 360 px wide
screen. At every step: nothing sticks out sideways (inside scrolling boxes too), every
tap target is at least 44 x 44 px, axe-core finds nothing serious or critical; the
chosen value of a 0-5 row is a checked radio button in the accessibility tree; the
first question is on the first screen; « Valider » stays on screen on the result; the
thank-you shows the group's picture before one's own result and no resume link.

Then what happens around a validation: another page of the same participant locks
itself; the validated page, once left, frees its kernel; a mistyped resume code gets a
message about a code. Every wait is on a condition, bounded; nothing sleeps.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request

import pytest
from browser_fixtures import (
    GROUP,
    PHONE,
    ROOT,
    TIMEOUT_MS,
    AppServer,
    axe_violations,
    join,
    overflowing,
    small_targets,
    to_result,
    validate,
)
from playwright.sync_api import Browser, Page, expect

from coopkit import load_questionnaire, open_store
from coopkit.serving import serve

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

FEELINGS = ROOT / "questionnaires" / "ressentis.yaml"


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL (see test_app_browser.py: pytest-playwright's own is deprecated)."""
    return None


def sound(page: Page, axe, step: str, found: dict[str, list]) -> None:
    """Record what is wrong with the page at this step (nothing, if all is well)."""
    found[step] = {"overflow": overflowing(page), "small": small_targets(page),
                   "axe": axe_violations(page, axe) if axe else []}


def kernel_alive(server: AppServer, kernel_id: str) -> bool:
    try:
        with urllib.request.urlopen(f"{server.base}api/kernels/{kernel_id}",
                                    timeout=10) as response:
            return response.status == 200
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return False
        raise


def wait_until(condition, what: str, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)  # polls the server; the page keeps running meanwhile


@pytest.mark.slow
@pytest.mark.parametrize("width", [320, 360])
def test_from_the_link_to_the_thank_you_on_a_phone(browser: Browser, app_server: AppServer,
                                                   axe_script, width: int):
    questionnaire = load_questionnaire(FEELINGS)
    context = browser.new_context(viewport={"width": width, "height": PHONE["height"]},
                                  has_touch=True, is_mobile=True, locale="fr-FR")
    page = context.new_page()
    found: dict[str, dict] = {}
    try:
        page.goto(app_server.url(f"code={app_server.feelings_code}"))
        expect(page.get_by_role("radio", name=GROUP, exact=True)).to_be_visible(
            timeout=TIMEOUT_MS)
        assert page.evaluate("() => document.documentElement.lang") == "fr"
        expect(page).to_have_title(questionnaire.title.get("fr"))
        sound(page, axe_script, "join", found)
        page.get_by_role("radio", name=GROUP, exact=True).check()
        page.get_by_role("radio", name="Hôpital Nord", exact=True).check()
        page.get_by_role("button", name="Commencer", exact=True).click()

        # the first screen is the first question, the introduction folded above it
        first = page.locator(".coopkit-page .coopkit-item").first
        expect(first).to_be_visible(timeout=TIMEOUT_MS)
        row = first.get_by_role("radio", name="3", exact=True)
        box = row.bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["height"], box
        intro = page.locator("details.coopkit-intro")
        expect(intro).to_have_count(1)
        assert intro.get_attribute("open") is None
        expect(page.locator(".coopkit-resume")).to_contain_text("ou notez ce code")

        # page after page, every 0-5 row answered 3; the free texts typed
        hint = page.locator(".coopkit-page-title .coopkit-hint").first
        pages = int(re.search(r"Partie 1 sur (\d+)", hint.inner_text()).group(1))
        answered = 0
        for number in range(1, pages + 1):
            expect(hint).to_contain_text(f"Partie {number} sur {pages}", timeout=TIMEOUT_MS)
            items = page.locator(".coopkit-page .coopkit-item")
            for index in range(items.count()):
                item = items.nth(index)
                if item.locator("textarea").count():
                    item.locator("textarea").fill("Un mot écrit sur le téléphone")
                    continue
                choice = item.get_by_role("radio", name="3", exact=True)
                if not choice.count():  # a choice among words (the purpose put to the room)
                    item.get_by_role("radio").first.check()
                    expect(item.get_by_role("radio").first).to_be_checked(timeout=TIMEOUT_MS)
                    continue
                choice.check()
                expect(choice).to_be_checked(timeout=TIMEOUT_MS)
                answered += 1
            if number == 1:
                # the chosen value is announced, not shown by its colour only
                snapshot = page.locator(".coopkit-page .coopkit-item").first.aria_snapshot()
                assert re.search(r'radio "3" \[checked\]', snapshot), snapshot
                assert not re.search(r'radio "[0-24-5]" \[checked\]', snapshot), snapshot
            if number == 2:
                expect(page.locator(".coopkit-resume summary")).to_have_text(
                    "Reprendre plus tard")
            if page.locator(".coopkit-page textarea").count():
                fonts = page.evaluate("""() => [getComputedStyle(document.querySelector(
                    '.coopkit-page textarea')).fontFamily, getComputedStyle(
                    document.querySelector('.coopkit-app')).fontFamily]""")
                assert fonts[0] == fonts[1], fonts
            sound(page, axe_script if number in (1, pages) else None, f"page {number}", found)
            if number < pages:
                page.locator(".coopkit-next").click()
        asked = [it for it in questionnaire.items()
                 if it.type == "intensity" and it.asked_of("personnel")]
        assert answered == len(asked)
        expect(page.locator(".coopkit-saved")).to_contain_text("Réponse enregistrée")

        # « Valider » within reach wherever the result is scrolled, with its reminder
        to_result(page)
        button = page.get_by_role("button", name="Valider mon résultat", exact=True)
        bar = page.locator(".coopkit-actionbar")
        expect(bar).to_contain_text("Seules les réponses validées comptent")
        for scrolled in (0, 0.5):
            page.evaluate(f"() => window.scrollTo(0, {scrolled} * "
                          "document.documentElement.scrollHeight)")
            expect(button).to_be_in_viewport(ratio=1.0)
        assert page.evaluate("() => document.documentElement.scrollHeight") > PHONE["height"]
        sound(page, axe_script, "result", found)

        validate(page)
        expect(page.locator(".coopkit-group-result")).to_contain_text(
            "D'après", timeout=TIMEOUT_MS)
        group_y = page.locator(".coopkit-group-result").bounding_box()["y"]
        own_y = page.locator(".coopkit-own-result").bounding_box()["y"]
        assert group_y < own_y  # the group's picture first, not at the very bottom
        expect(page.locator(".coopkit-resume")).to_have_text("")
        expect(page.locator("a.coopkit-resume-link")).to_have_count(0)
        sound(page, axe_script, "thanks", found)
    finally:
        context.close()
    problems = {step: {k: v for k, v in result.items() if v}
                for step, result in found.items()}
    assert {step: p for step, p in problems.items() if p} == {}


def test_a_second_page_locks_itself_once_validated(browser: Browser, app_server: AppServer):
    """The same participant on two pages: validating on one locks the other at its next
    tap, showing what is stored, with no internal id in the message."""
    first = browser.new_context(viewport=PHONE, has_touch=True, locale="fr-FR").new_page()
    second = browser.new_context(viewport=PHONE, has_touch=True, locale="fr-FR").new_page()
    try:
        join(first, app_server.join_url())
        first.get_by_role("radio", name="Oui", exact=True).check()
        expect(first.locator(".coopkit-saved")).to_contain_text("Réponse enregistrée",
                                                                timeout=TIMEOUT_MS)
        href = first.locator("a.coopkit-resume-link").get_attribute("href")
        second.goto(app_server.base + href)
        expect(second.get_by_role("radio", name="Oui", exact=True)).to_be_checked(
            timeout=TIMEOUT_MS)
        to_result(first)
        validate(first)

        refused = second.get_by_role("radio", name="Plutôt non", exact=True)
        refused.check()
        message = second.locator(".coopkit-message")
        expect(message).to_contain_text("déjà été validées", timeout=TIMEOUT_MS)
        expect(second.locator(".coopkit-thanks")).to_contain_text("Merci",
                                                                  timeout=TIMEOUT_MS)
        assert "(question" not in message.inner_text()
        assert not re.search(r"\bg\d\b", message.inner_text())
        token = re.search(r"resume=([^&]+)", href).group(1)
        with open_store(None, data=str(app_server.data)) as store:
            assert store.answers(token)["g1"] == 4  # « Oui », not the refused value
    finally:
        first.context.close()
        second.context.close()


def test_a_validated_page_left_frees_its_kernel(browser: Browser, app_server: AppServer):
    """Memory follows who is still answering: once validated, a page hidden (the phone
    locked, another app) or closed shuts its kernel down; back on it, the page says it
    slept and offers a reload, which brings the thank-you back."""
    for leave in ("hide", "close"):
        page = browser.new_context(viewport=PHONE, has_touch=True, locale="fr-FR").new_page()
        try:
            join(page, app_server.join_url())
            kernel = serve.kernel_id_in(page.content())
            assert kernel and kernel_alive(app_server, kernel)
            page.get_by_role("radio", name="Oui", exact=True).check()
            to_result(page)
            validate(page)
            expect(page.locator(".coopkit-group-result")).to_contain_text(
                "D'après", timeout=TIMEOUT_MS)
            assert kernel_alive(app_server, kernel)  # still shown: still served
            if leave == "close":
                page.close(run_before_unload=True)
                wait_until(lambda k=kernel: not kernel_alive(app_server, k),
                           "the closed page's kernel is still running")
                continue
            page.evaluate("""() => {
                Object.defineProperty(document, 'visibilityState',
                                      {value: 'hidden', configurable: true});
                document.dispatchEvent(new Event('visibilitychange'));
            }""")
            wait_until(lambda k=kernel: not kernel_alive(app_server, k),
                       "the hidden page's kernel is still running")
            page.evaluate("""() => {
                Object.defineProperty(document, 'visibilityState',
                                      {value: 'visible', configurable: true});
                document.dispatchEvent(new Event('visibilitychange'));
            }""")
            status = page.locator("#coopkit-status")
            expect(status).to_contain_text("mise en veille", timeout=TIMEOUT_MS)
            expect(page.locator(".coopkit-thanks")).to_contain_text("Merci")  # still read
            status.get_by_role("button", name="Recharger la page", exact=True).click()
            expect(page.locator(".coopkit-thanks")).to_contain_text("Merci",
                                                                    timeout=TIMEOUT_MS)
            assert serve.kernel_id_in(page.content()) != kernel
        finally:
            page.context.close()


def test_a_mistyped_resume_code_gets_a_message_about_a_code(page: Page,
                                                            app_server: AppServer):
    page.goto(app_server.base)
    field = page.get_by_label("Code de reprise", exact=True)
    expect(field).to_be_visible(timeout=TIMEOUT_MS)
    field.fill("abcde-fghjk")
    page.get_by_role("button", name="Reprendre", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Le code de reprise « ABCDE-FGHJK »",
                                  timeout=TIMEOUT_MS)
    assert "lien" not in alert.inner_text()


def test_the_page_speaks_the_participants_language(page: Page, app_server: AppServer):
    """``lang`` and the title follow the URL's language and the workshop."""
    page.goto(app_server.url(f"code={app_server.code}&lang=en"))
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    assert page.evaluate("() => document.documentElement.lang") == "en"
    expect(page).to_have_title("Browser test")
