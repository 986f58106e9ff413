"""Screenshots of every presenter screen, for docs/presenter.md (docs/img/presenter-*.png).

Run from the repository root: ``python docs/scripts/make_presenter_shots.py``. It builds the
demo project in a temporary data folder (``coopkit demo``), serves the presenter as
``coopkit present`` does (with a fixed example address for the participants, so the
pictures do not change with the machine's network), and photographs each screen in
Debian's Chromium at 1280×720 (a projector), revealed, with the consultant's prompt;
then one results screen still hidden, and the tendency screen switched on.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "img"
#: An example address of a consultant's laptop on a venue's Wi-Fi.
HOST = "192.168.1.20"
SCREENS = ("welcome", "map", "divisive", "shoes", "texts", "purpose", "proposals")
RUNNER = """
import sys
from pathlib import Path
from coopkit.serving import present
sys.exit(present.present(present.PresentOptions(data=Path(sys.argv[1]), port=int(sys.argv[2]),
                                                host=sys.argv[3])))
"""


def main() -> int:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from coopkit.serving import serve

    with tempfile.TemporaryDirectory(prefix="coopkit-shots-") as tmp:
        data = Path(tmp)
        subprocess.run([sys.executable, "-m", "coopkit.cli", "demo", "--data", str(data)],
                       check=True, cwd=str(ROOT), capture_output=True)
        port = 8877
        server = subprocess.Popen([sys.executable, "-c", RUNNER, str(data), str(port), HOST],
                                  cwd=str(ROOT), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            if not serve.wait_ready(port, time.monotonic() + 180,
                                    lambda: server.poll() is None):
                raise SystemExit("the presenter did not start")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1280, "height": 720},
                                        locale="fr-FR")
                page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
                page.wait_for_selector(".cp-screen-welcome", timeout=180_000)
                menu = page.locator(".coopkit-present-menu select")
                reveal = page.locator(".coopkit-present-reveal")
                for index, key in enumerate(SCREENS):
                    menu.select_option(index=index)
                    page.wait_for_selector(f".cp-screen-{key}")
                    if key == "divisive":
                        page.screenshot(path=str(OUT / "presenter-hidden.fr.png"))
                    if reveal.is_enabled() and reveal.inner_text().strip() == "Révéler":
                        reveal.click()
                        page.wait_for_selector(".cp-hidden-box", state="detached")
                    page.wait_for_timeout(500)
                    page.screenshot(path=str(OUT / f"presenter-{key}.fr.png"))
                page.locator(".coopkit-present-tendency-switch input").check()
                page.wait_for_timeout(800)
                menu.select_option(index=len(SCREENS))
                page.wait_for_selector(".cp-screen-tendencies")
                reveal.click()
                page.wait_for_selector(".cp-chart")
                page.wait_for_timeout(500)
                page.screenshot(path=str(OUT / "presenter-tendencies.fr.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait(60)
    for path in sorted(OUT.glob("presenter-*.png")):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
