"""The participant app in a real browser, served by a real ``coopkit serve``.

Debian's Chromium through Playwright, on a 360 x 740 phone screen. The button texts and
CSS classes come from the docstring of ``coopkit/participant/app.py``. Every wait is on a
condition (``expect`` / ``wait_for``), bounded by ``TIMEOUT_MS``; nothing sleeps.
"""

from __future__ import annotations

import gzip
import json
import re
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest
from browser_fixtures import (
    GROUP,
    TIMEOUT_MS,
    AppServer,
    axe_violations,
    fits,
    join,
    kernel_message,
    to_result,
    validate,
)
from playwright.sync_api import Page, expect

from coopkit import open_store
from coopkit.serving import serve

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL: each test builds its URLs from ``app_server``.

    Defined here, in the test module, so that it wins over pytest-playwright 0.10's
    fallback ``base_url`` (a fixture written as an instance method, which pytest 9
    deprecates with a PytestRemovedIn10Warning, an error under ``filterwarnings``).
    """
    return None


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """Every JavaScript dialog the page opens (there must be none); dismissed."""
    seen: list[str] = []

    def record(dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


def answer_first(page: Page, label: str = "Oui") -> None:
    page.get_by_role("radio", name=label, exact=True).check()
    expect(page.locator(".coopkit-saved")).to_contain_text("Réponse enregistrée",
                                                           timeout=TIMEOUT_MS)


def resume_token(page: Page) -> str:
    href = page.locator("a.coopkit-resume-link").get_attribute("href") or ""
    found = re.search(r"resume=([^&]+)", href)
    assert found, href
    return found.group(1)


def test_join_from_link_answer_and_resume_after_reload(page: Page, app_server: AppServer):
    join(page, app_server.join_url())
    answer_first(page)
    token = resume_token(page)
    with open_store(None, data=str(app_server.data)) as store:
        assert store.answers(token) == {"g1": 4}

    # once joined, the address is the resume link: a reload mid-way resumes
    page.wait_for_url(re.compile(f"resume={re.escape(token)}"), timeout=TIMEOUT_MS)
    page.reload()
    expect(page.get_by_role("radio", name="Oui", exact=True)).to_be_checked(
        timeout=TIMEOUT_MS)
    expect(page.locator(".coopkit-progress")).to_contain_text(re.compile(r"\b1\b.*\b2\b"))
    fits(page)
    assert resume_token(page) == token

    # the link kept for later works from anywhere (here: a fresh page)
    href = page.locator("a.coopkit-resume-link").get_attribute("href")
    page.goto(urljoin(app_server.base, href))
    expect(page.get_by_role("radio", name="Oui", exact=True)).to_be_checked(
        timeout=TIMEOUT_MS)


def test_validate_and_see_result_with_hostile_free_text(page: Page, app_server: AppServer,
                                                        dialogs: list[str]):
    join(page, app_server.join_url())
    answer_first(page, "Plutôt oui")
    remark = page.locator(".coopkit-item-text textarea")
    remark.fill(HOSTILE)
    remark.blur()
    token = resume_token(page)

    to_result(page)
    expect(page.locator(".coopkit-own-result")).to_be_visible()
    expect(page.locator(".coopkit-result")).to_contain_text(HOSTILE)  # as text
    validate(page)
    expect(page.locator(".coopkit-result")).to_contain_text(HOSTILE, timeout=TIMEOUT_MS)

    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []
    with open_store(None, data=str(app_server.data)) as store:
        assert store.answers(token) == {"g1": 3, "g2": HOSTILE}
        assert store.resume(token).validated


def test_text_is_saved_while_the_field_still_has_the_focus(page: Page, app_server: AppServer):
    """A phone locked mid-remark never blurs the field: the text must not wait for it."""
    join(page, app_server.join_url())
    token = resume_token(page)
    remark = page.locator(".coopkit-item-text textarea")
    remark.click()
    remark.press_sequentially("Écrit sans quitter le champ", delay=10)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    with open_store(None, data=str(app_server.data)) as store:
        while store.answers(token).get("g2") != "Écrit sans quitter le champ":
            assert time.monotonic() < deadline, store.answers(token)
            page.wait_for_timeout(100)  # polls the store; the page keeps running
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    expect(page.locator(".coopkit-saved")).to_contain_text("Réponse enregistrée")


def test_every_step_is_accessible(page: Page, app_server: AppServer, axe_script):
    page.goto(app_server.join_url())
    expect(page.get_by_role("radio", name=GROUP, exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    found = {"join": axe_violations(page, axe_script)}
    page.get_by_role("radio", name=GROUP, exact=True).check()
    page.get_by_role("button", name="Commencer", exact=True).click()
    expect(page.locator(".coopkit-form")).to_be_visible(timeout=TIMEOUT_MS)
    answer_first(page)
    found["form"] = axe_violations(page, axe_script)
    to_result(page)
    found["result"] = axe_violations(page, axe_script)
    validate(page)
    found["thanks"] = axe_violations(page, axe_script)
    assert found == {"join": [], "form": [], "result": [], "thanks": []}


def test_wrong_code_gets_a_clear_message(page: Page, app_server: AppServer):
    page.goto(app_server.url("code=ZZZZ22"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("« ZZZZ22 »", timeout=TIMEOUT_MS)  # French quotes
    expect(alert).to_contain_text("ne correspond à aucune séance")
    fits(page)

    page.get_by_label("Code de la séance", exact=True).fill("abc")
    page.get_by_role("button", name="Continuer", exact=True).click()
    expect(alert).to_contain_text("ABC", timeout=TIMEOUT_MS)
    expect(page.get_by_role("radio", name=GROUP, exact=True)).to_have_count(0)


def test_kernel_refuses_code_sent_on_its_websocket(page: Page, app_server: AppServer,
                                                   tmp_path):
    from websockets.sync.client import connect

    page.goto(app_server.join_url())
    expect(page.get_by_role("radio", name=GROUP, exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    kernel_id = serve.kernel_id_in(page.content())
    assert kernel_id

    marker = tmp_path / "executed"
    code = f"open({str(marker)!r}, 'w').write('the kernel ran code sent by a page')"
    execute_id, execute = kernel_message("execute_request", {
        "code": code, "silent": False, "store_history": False, "user_expressions": {},
        "allow_stdin": False, "stop_on_error": True})
    info_id, info = kernel_message("kernel_info_request", {})
    url = f"ws://127.0.0.1:{app_server.port}/api/kernels/{kernel_id}/channels"
    replies = []
    with connect(url, open_timeout=TIMEOUT_MS / 1000) as ws:
        ws.send(execute)
        ws.send(info)  # the kernel answers in order: execute first, had it received it
        while True:
            message = json.loads(ws.recv(timeout=TIMEOUT_MS / 1000))
            replies.append(message)
            if message["parent_header"].get("msg_id") == info_id and \
                    message["header"]["msg_type"] == "kernel_info_reply":
                break
    about_execute = [m["header"]["msg_type"] for m in replies
                     if m["parent_header"].get("msg_id") == execute_id]
    assert about_execute == []
    assert not marker.exists()
    assert 'type "execute_request", which is not allowed' in app_server.log.read_text()


def test_nothing_is_fetched_from_another_site(page: Page, app_server: AppServer):
    """A hospital network may log or block third parties: the page loads everything from
    coopkit serve (coopkit's template links nothing elsewhere; the Content-Security-Policy
    would stop it anyway)."""
    hosts: set[str] = set()
    blocked: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on("requestfailed", lambda request: blocked.append(request.url))
    response = page.goto(app_server.join_url())
    expect(page.get_by_role("radio", name=GROUP, exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    served_here = f"127.0.0.1:{app_server.port}"
    elsewhere = hosts - {"", served_here}  # "": data: and blob: addresses
    assert elsewhere == set()
    assert blocked == []


def test_page_and_scripts_are_sent_compressed(app_server: AppServer):
    """On a venue's Wi-Fi every byte counts: gzip when the phone accepts it."""
    request = urllib.request.Request(app_server.base + serve.READY_PATH,
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_MS / 1000) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        wire = response.read()
    assert len(gzip.decompress(wire)) > 2 * len(wire)


def test_the_page_is_light_its_files_cached_a_year_and_sent_precompressed(
        app_server: AppServer):
    """coopkit's page: one script and one stylesheet, at versioned addresses a phone
    keeps for a year, sent as the .gz files built beside them (no compression work per
    phone while a room joins). Without gzip, the plain file."""
    with urllib.request.urlopen(app_server.join_url(), timeout=TIMEOUT_MS / 1000) as page:
        html = page.read().decode("utf-8")
    assert "Préparation de votre questionnaire…" in html  # the loading screen, in French
    assets = re.findall(r'(?:src|href)="(/voila/templates/coopkit/static/[^"]+)"', html)
    assert sorted(urlsplit(a).path.rsplit("/", 1)[1] for a in assets) == [
        "coopkit.css", "coopkit.js"]
    static = serve.TEMPLATE_STATIC
    for address in assets:
        name = urlsplit(address).path.rsplit("/", 1)[1]
        request = urllib.request.Request(app_server.base + address.lstrip("/"),
                                         headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_MS / 1000) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            max_age = re.search(r"max-age=(\d+)", response.headers["Cache-Control"])
            assert max_age and int(max_age.group(1)) >= 365 * 86400, response.headers
            assert response.read() == (static / f"{name}.gz").read_bytes()
        with urllib.request.urlopen(app_server.base + address.lstrip("/"),
                                    timeout=TIMEOUT_MS / 1000) as response:
            assert response.headers.get("Content-Encoding") is None
            assert response.read() == (static / name).read_bytes()


def test_a_mistyped_address_gets_a_french_page(app_server: AppServer):
    """Voilà redirects any other address to its file handler, which refuses it: the
    refusal is a short page in the server's language, with nothing of the server."""
    for address in ("autre/page", "voila/templates/coopkit/static/absent.js"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(app_server.base + address, timeout=TIMEOUT_MS / 1000)
        body = refused.value.read().decode("utf-8")
        assert refused.value.code in (403, 404)
        assert '<html lang="fr">' in body and "Page introuvable" in body
        assert "Forbidden" not in body and "Tornado" not in body
