"""The consultant's JupyterLab in Chromium, started as the README says, in a fresh clone.

``coopkit start`` runs in a throw-away clone of this checkout (as it is now, committed
or not), on its default data folder (``./coopkit-data``), exactly as ``./run.sh start``
does. In Chromium, as the consultant would: JupyterLab is in French with no news
pop-up; each consultant notebook opens with its code collapsed; « Exécuter toutes les
cellules » and « Enregistrer » (JupyterLab's own save, through its contents API);
02_animer's « Clore la séance » asks before closing; 03_evaluer's export links
download the workbook, the report and the four Word documents. Afterwards
``git status --porcelain`` of the clone is empty: the notebooks that ran and were saved
are the working copy in the data folder, not the tracked ones.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from browser_fixtures import free_port
from playwright.sync_api import Browser, Locator, Page, expect

from coopkit.serving import lab

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1500)]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("00_sensibiliser.ipynb", "01_preparer.ipynb", "02_animer.ipynb",
             "03_evaluer.ipynb")
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]+)")
SCREEN = {"width": 1280, "height": 800}
#: A whole notebook may take this long on a busy machine (kernel start, PDF report).
RUN_MS = 600_000


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def fresh_clone(dest: Path) -> Path:
    """A new repository holding this checkout's files as they are now (tracked and new,
    not ignored), committed: what a consultant gets from ``git clone``."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "-c", "user.name=test", "-c", "user.email=test@example.org",
        "commit", "-q", "-m", "snapshot")
    assert git(dest, "status", "--porcelain") == ""
    return dest


@dataclass(frozen=True)
class Started:
    clone: Path
    proc: subprocess.Popen
    terminal: Path
    port: int
    token: str

    @property
    def data(self) -> Path:
        return self.clone / "coopkit-data"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    """``coopkit start`` in a fresh clone, its output in a file, until the block."""
    clone = fresh_clone(tmp_path_factory.mktemp("clone"))
    env = {k: v for k, v in os.environ.items()
           if k not in ("COOPKIT_DATA", "COOPKIT_DATABASE_URL", "COOPKIT_LANG",
                        "COOPKIT_NOTEBOOK_TEST", "COOPKIT_LAB_ROOT")}
    env.update(PYTHONPATH=str(clone), PYTHONUNBUFFERED="1",
               JUPYTER_RUNTIME_DIR=str(tmp_path_factory.mktemp("runtime")))
    terminal = clone.parent / "terminal.txt"
    with terminal.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "coopkit.cli", "start", "--no-browser", "--expect", "1",
             "--port", str(free_port()), "--lab-port", str(free_port())],
            cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not URL.search(terminal.read_text()):
            assert proc.poll() is None and time.monotonic() < deadline, terminal.read_text()
            time.sleep(0.25)
        port, token = URL.search(terminal.read_text()).groups()
        yield Started(clone, proc, terminal, int(port), token)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)


def saved(started: Started, name: str, seconds: float = 30) -> nbformat.NotebookNode:
    """The notebook as JupyterLab saved it (the working copy, read from disk). Jupyter
    writes a notebook in place: read again if the file was caught half written."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return nbformat.read(started.data / "carnets" / name, as_version=4)
        except (nbformat.reader.NotJSONError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def unfinished(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source.splitlines()[0] for c in nb.cells
            if c.cell_type == "code" and c.execution_count is None]


def errors(nb: nbformat.NotebookNode) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "error"]


def current(page: Page) -> Locator:
    """The notebook on screen (the ones opened before stay in hidden tabs)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def menu(page: Page, title: str, item: str) -> None:
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=title).click()
    page.locator(".lm-Menu-itemLabel").filter(
        has_text=re.compile(f"^{re.escape(item)}$")).click()


def run_and_save(page: Page, started: Started, name: str) -> nbformat.NotebookNode:
    """« Exécuter toutes les cellules », then « Enregistrer » (Ctrl-S, what JupyterLab's
    autosave also does) until the saved file has every code cell run."""
    indicator = current(page).locator(".jp-Notebook-ExecutionIndicator").first
    expect(indicator).to_have_attribute("data-status", "idle", timeout=120_000)
    deadline = time.monotonic() + RUN_MS / 1000
    clicks, clicked_at = 0, 0.0
    while True:
        if clicks < 2 and time.monotonic() - clicked_at > 90 and \
                indicator.get_attribute("data-status") == "idle":
            # a click while the page is still settling can be lost: a person clicks again
            menu(page, "Exécution", "Exécuter toutes les cellules")
            clicks, clicked_at = clicks + 1, time.monotonic()
        page.keyboard.press("Control+s")
        nb = saved(started, name)
        assert not errors(nb), errors(nb)
        if not unfinished(nb) and indicator.get_attribute("data-status") == "idle":
            break
        assert time.monotonic() < deadline, f"{name} still running: {unfinished(nb)}"
        page.wait_for_timeout(1000)
    page.keyboard.press("Control+s")  # the outputs that arrived with the last cell
    expect(page.locator(".lm-TabBar-tab.lm-mod-current.jp-mod-dirty")).to_have_count(
        0, timeout=30_000)
    return saved(started, name)


def test_the_printed_address_needs_its_token(started: Started):
    with pytest.raises(urllib.error.HTTPError) as err:
        lab._DIRECT.open(started.url("api/contents"), timeout=10)
    err.value.close()
    assert err.value.code == 403


def test_consultant_session_in_jupyterlab_leaves_git_clean(browser: Browser,
                                                          started: Started):
    context = browser.new_context(viewport=SCREEN, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(started.url(f"lab?token={started.token}"))
        expect(page.locator("#jp-MainMenu")).to_contain_text("Fichier", timeout=120_000)
        expect(page.locator("#jp-MainMenu")).to_contain_text("Exécution")
        # the file browser opens on the working copy of the notebooks
        listing = page.locator(".jp-DirListing-content")
        expect(listing).to_contain_text("02_animer.ipynb")
        expect(listing).not_to_contain_text("coopkit.sqlite")

        for name in NOTEBOOKS:
            page.goto(started.url(f"lab/tree/carnets/{name}"))
            count = sum(c.cell_type == "code" for c in saved(started, name).cells)
            panel = current(page)
            expect(panel.locator(".jp-CodeCell")).to_have_count(count, timeout=120_000)
            # code collapsed: a placeholder per code cell, no editor on screen
            expect(panel.locator(".jp-CodeCell .jp-InputPlaceholder")).to_have_count(count)
            expect(panel.locator(".jp-CodeCell .jp-InputArea-editor")).to_have_count(0)
            expect(panel.locator(".jp-MarkdownCell .jp-RenderedMarkdown").first
                   ).to_be_visible()  # the narrative is there
            run_and_save(page, started, name)
            if name == "02_animer.ipynb":
                ask = panel.locator(".coopkit-close-ask")
                expect(ask).to_contain_text("Clore la séance")
                ask.click()
                expect(panel.locator(".coopkit-close")).to_contain_text("Oui, clore")
                panel.locator(".coopkit-close-cancel").click()
                expect(ask).to_be_visible()
            if name == "03_evaluer.ipynb":
                links = panel.locator("a.coopkit-download")
                expect(links).to_have_count(6)  # workbook, report, the four Word files
                names = ("projet-", "projet-", "plan-des-objectifs", "plan-des-risques",
                         "charte-relationnelle", "matrice-des-responsabilites")
                magics = (b"PK", b"%PDF", b"PK", b"PK", b"PK", b"PK")  # xlsx, docx: zip
                for link, magic, stem in zip(links.all(), magics, names, strict=True):
                    with page.expect_download() as download:
                        link.click()
                    path = download.value.path()
                    assert Path(path).read_bytes().startswith(magic)
                    assert download.value.suggested_filename.startswith(stem)
        toasts = page.locator(".Toastify__toast").all_inner_texts()
        assert not [t for t in toasts if "actualités" in t or "news" in t.lower()], toasts
    finally:
        context.close()
    started.proc.send_signal(signal.SIGTERM)
    assert started.proc.wait(timeout=120) == 0, started.terminal.read_text()
    # every notebook ran and was saved, in the data folder...
    for name in NOTEBOOKS:
        nb = saved(started, name)
        assert not unfinished(nb) and any(c.outputs for c in nb.cells
                                          if c.cell_type == "code"), name
    # ...and nothing git tracks changed
    assert git(started.clone, "status", "--porcelain") == ""
    terminal = started.terminal.read_text()
    assert "ServerApp]" not in terminal and "[I " not in terminal
    assert (started.data / lab.LOG_NAME).is_file()
