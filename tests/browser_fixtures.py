"""Fixtures for the browser tests: a real ``coopkit serve`` and Debian's Chromium.

Loaded from ``conftest.py`` (``pytest_plugins``). pytest-playwright provides ``page``;
the overrides here make it launch ``/usr/bin/chromium`` (Playwright's own browser
download does not work here) with a phone-sized viewport.

``app_server`` (one per session): a temporary data folder holding a project and an open
workshop on a tiny questionnaire, and ``coopkit serve --expect 2`` on a free port,
waited for until Voilà answers a static file *and* its preheated pages have run up to
``wait_for_request()``; stopped with SIGTERM at the end, which must leave no kernel.

Without Chromium or axe-core (``npm ci``) the browser tests are skipped locally, but
fail when ``CI`` is set: CI must run them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from coopkit.serving import serve

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Debian's zbar-tools: reads the QR codes on the projected screens from screenshots.
ZBAR = shutil.which("zbarimg")
PHONE = {"width": 360, "height": 740}
#: Every wait in the browser tests is bounded by this (ms); nothing sleeps blindly.
TIMEOUT_MS = 30_000
#: A test questionnaire small enough to go through in a few clicks.
QUESTIONNAIRE = """\
id: navigateur
version: "1.0"
kind: readiness
title: {fr: Test du navigateur, en: Browser test}
groups: [personnel, medical_soignant]
scales:
  accord:
    points:
      - {value: 1, label: {fr: Non, en: "No"}}
      - {value: 2, label: {fr: Plutôt non, en: Rather not}}
      - {value: 3, label: {fr: Plutôt oui, en: Rather yes}}
      - {value: 4, label: {fr: Oui, en: "Yes"}}
sections:
  - id: gouvernance
    title: {fr: Gouvernance, en: Governance}
    items:
      - id: g1
        type: scale
        scale: accord
        text: {fr: Le comité de pilotage décide, en: The steering committee decides}
        principles: [2]
        feedback: {fr: Réunissez le comité, en: Gather the committee}
      - id: g2
        type: text
        required: false
        text: {fr: "Une remarque ?", en: "A remark?"}
"""


def _require(ok: bool, message: str) -> None:
    """Skip locally, fail in CI: the browser tests must run there."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig: pytest.Config) -> dict[str, Any]:
    """Debian's Chromium, headless unless ``--headed``."""
    _require(CHROMIUM.exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS,
            "headless": not pytestconfig.getoption("--headed")}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A phone: 360 x 740 CSS pixels, touch, French."""
    return {**browser_context_args, "viewport": PHONE, "has_touch": True,
            "locale": "fr-FR"}


@dataclass(frozen=True)
class AppServer:
    """A running ``coopkit serve`` and what the tests need to know about it."""

    port: int
    code: str
    workshop_id: int
    data: Path
    proc: subprocess.Popen
    #: A second open workshop, on the method's feelings questionnaire (0-5 rows, long
    #: texts, free text, a dozen pages): what a participant really goes through.
    feelings_code: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, query: str = "") -> str:
        return f"{self.base}?{query}" if query else self.base

    def join_url(self) -> str:
        return self.url(f"code={self.code}")

    @property
    def log(self) -> Path:
        return self.data / serve.LOG_NAME


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def open_test_workshop(data: Path) -> tuple[str, int]:
    """A project and an open workshop (k = 1: one person's result is shown)."""
    from coopkit import open_store
    from coopkit.definitions.questionnaire import load

    path = data / "navigateur.yaml"
    path.write_text(QUESTIONNAIRE, encoding="utf-8")
    with open_store(None, data=str(data)) as store:
        project = store.create_project("Test navigateur", purpose="browser tests")
        workshop = store.open_workshop(project, load(path), k=1)
        return workshop.code, workshop.id


def open_feelings_workshop(data: Path) -> str:
    """A workshop on ``questionnaires/ressentis.yaml`` (k = 1), in the first project; two
    establishments to choose from. Returns its join code."""
    from coopkit import open_store
    from coopkit.definitions.questionnaire import load

    with open_store(None, data=str(data)) as store:
        project = store.projects()[0].id
        for name in ("Hôpital Nord", "EHPAD Les Tilleuls"):
            store.add_partner(project, name)
        return store.open_workshop(project, load(ROOT / "questionnaires" / "ressentis.yaml"),
                                   k=1).code


def start_serve(data: Path, port: int, expect: int = 2, fill_delay: float = 1.0
                ) -> subprocess.Popen:
    """``coopkit serve`` as participants meet it (the command, not a function call).

    ``--fill-delay 1``: the tests open more pages than the pool holds, and must not wait
    for the 60 s a real room gets before refills start.
    """
    return launch([sys.executable, "-m", "coopkit.cli", "serve", "--data", str(data),
                   "--port", str(port), "--expect", str(expect),
                   "--fill-delay", str(fill_delay)], data / "serve.out")


def launch(command: list[str], log: Path, **env: str) -> subprocess.Popen:
    """A server process from the repository root, on the SQLite file of its data folder
    (never a ``COOPKIT_DATABASE_URL`` of the test run), its output in ``log``."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    full_env.pop("COOPKIT_DATABASE_URL", None)
    with log.open("w") as out:
        return subprocess.Popen(command, env=full_env, cwd=str(ROOT), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def wait_serving(proc: subprocess.Popen, port: int, pool: int, timeout: float = 120.0
                 ) -> None:
    """Ready = Voilà answers a static file and ``pool`` preheated pages are waiting."""
    deadline = time.monotonic() + timeout
    if not serve.wait_ready(port, deadline, lambda: proc.poll() is None):
        raise AssertionError(f"coopkit serve did not start (exit {proc.poll()})")
    if not serve.wait_warm(proc.pid, port, pool, deadline):
        raise AssertionError(f"the pool of {pool} pages was not ready in {timeout} s")


def stop_serve(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 60.0
               ) -> tuple[int, list[int]]:
    """Send ``sig``; returns the exit code and the pids of kernels left running."""
    import psutil

    kernels = serve.kernel_processes(proc.pid)
    proc.send_signal(sig)
    code = proc.wait(timeout)
    _, alive = psutil.wait_procs(kernels, timeout=10)
    leftovers = [p.pid for p in alive]
    for p in alive:
        p.kill()
    return code, leftovers


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One ``coopkit serve`` for the browser tests of the session."""
    _require(serve.APP_NOTEBOOK.is_file(), f"{serve.APP_NOTEBOOK} not found")
    data = tmp_path_factory.mktemp("serve-data")
    code, workshop_id = open_test_workshop(data)
    feelings = open_feelings_workshop(data)
    port = free_port()
    proc = start_serve(data, port)
    try:
        wait_serving(proc, port, serve.pool_size(2))
        yield AppServer(port, code, workshop_id, data, proc, feelings)
    finally:
        if proc.poll() is None:
            exit_code, leftovers = stop_serve(proc)
            assert (exit_code, leftovers) == (0, []), "serve did not stop cleanly"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script, installed by ``npm ci`` (package.json at the repo root)."""
    _require(AXE.is_file(), f"{AXE} not found (run npm ci at the repository root)")
    return AXE


def axe_violations(page: Any, axe: Path, impacts: tuple[str, ...] = ("serious", "critical")
                   ) -> list[dict[str, Any]]:
    """Run axe-core on the page; the violations of the given impacts, summarised."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    result = page.evaluate("async () => await window.axe.run(document)")
    assert result["passes"], "axe-core checked nothing"
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]


#: Every element drawn wider than the screen or sticking out of it, and every box whose
#: content is wider than the box (a box that scrolls or cuts sideways).
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      [...el.classList].slice(0, 3).map((c) => '.' + c).join('');
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`page ${document.documentElement.scrollWidth} > ${width}`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.getClientRects().length) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      found.push(`${name(el)} at ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
    const style = getComputedStyle(el);
    if (style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${name(el)} content ${el.scrollWidth} > ${el.clientWidth}`);
    }
  }
  return found;
}"""

#: Every control a finger taps, drawn smaller than 44 x 44 CSS pixels (a radio button
#: or a check box is as big as its label, which takes the tap).
_SMALL_TARGETS = """() => {
  const found = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, ' +
      'summary, [role=button], [role=radio], [role=checkbox]';
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length || el.disabled) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    let box = el.getBoundingClientRect();
    const label = el.closest('label');
    if (label && (el.type === 'radio' || el.type === 'checkbox')) {
      const outer = label.getBoundingClientRect();
      box = outer.width * outer.height > box.width * box.height ? outer : box;
    }
    if (box.width < 43.5 || box.height < 43.5) {
      const text = (el.textContent || el.value || el.getAttribute('aria-label') || '')
          .trim().slice(0, 30);
      found.push(`${el.tagName.toLowerCase()} "${text}" ${box.width.toFixed(1)}x` +
                 `${box.height.toFixed(1)}`);
    }
  }
  return found;
}"""


def overflowing(page: Any) -> list[str]:
    """What sticks out sideways, anywhere on the page (empty when nothing does)."""
    return page.evaluate(_OVERFLOWING)


def small_targets(page: Any) -> list[str]:
    """The tap targets smaller than 44 x 44 px (empty when there is none)."""
    return page.evaluate(_SMALL_TARGETS)


def no_horizontal_scroll(page: Any) -> bool:
    """Nothing wider than the phone's screen."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def kernel_message(msg_type: str, content: dict[str, Any], channel: str = "shell"
                   ) -> tuple[str, str]:
    """A Jupyter message for the kernel websocket (JSON protocol); returns (id, text)."""
    msg_id = uuid.uuid4().hex
    return msg_id, json.dumps({
        "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "test",
                   "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
        "buffers": [],
    })


# ------------------------------------------------------------- a participant's steps
# Button texts and CSS classes: the docstring of coopkit/participant/app.py.

#: The group the test participants choose.
GROUP = "Personnels des établissements membres"


def fits(page: Any) -> None:
    """Nothing wider than the phone: no horizontal scroll."""
    assert no_horizontal_scroll(page), page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")


def join(page: Any, url: str, *, establishment: bool = False) -> None:
    """Open a join link (the code is in the URL), choose :data:`GROUP` (and the first
    establishment offered, with ``establishment``), start."""
    page.goto(url)
    radio = page.get_by_role("radio", name=GROUP, exact=True)
    expect(radio).to_be_visible(timeout=TIMEOUT_MS)
    fits(page)
    radio.check()
    if establishment:
        page.locator(".coopkit-establishment input[type=radio]").first.check()
    page.get_by_role("button", name="Commencer", exact=True).click()
    expect(page.locator(".coopkit-form")).to_be_visible(timeout=TIMEOUT_MS)
    fits(page)


def to_result(page: Any) -> None:
    page.get_by_role("button", name="Voir mon résultat", exact=True).click()
    expect(page.locator(".coopkit-result")).to_be_visible(timeout=TIMEOUT_MS)
    fits(page)


def validate(page: Any) -> None:
    page.get_by_role("button", name="Valider mon résultat", exact=True).click()
    expect(page.locator(".coopkit-thanks")).to_contain_text("Merci", timeout=TIMEOUT_MS)
    fits(page)


def require_zbar() -> None:
    """Fail in CI, skip elsewhere, when zbar is not installed."""
    if not ZBAR:
        if os.environ.get("CI"):
            pytest.fail("zbarimg not found (apt-get install zbar-tools)")
        pytest.skip("zbarimg not found (apt-get install zbar-tools)")


def decoded_qr(path: Path) -> str:
    """What zbar reads in a screenshot (the first QR code)."""
    done = subprocess.run([ZBAR, "--quiet", "--raw", str(path)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[0]
