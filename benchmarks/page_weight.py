"""What one phone downloads to join: ``coopkit serve`` (compressed) vs plain Voilà.

A real browser (Debian Chromium through Playwright, phone-sized, empty cache) opens the
join link and waits until the group choice can be clicked. For every response the script
adds up the bytes that crossed the network (``responseBodySize``, compressed when the
server compressed) and the bytes once decoded, and counts the requests the browser sent
to another site (Voilà's template asks a CDN for Font Awesome; coopkit's
Content-Security-Policy stops them before they leave). Repeated ``--runs`` times per
server; medians.

On a venue's shared Wi-Fi the total for the room is what matters: 40 phones times the
figure below.

Run: ``.venv/bin/python benchmarks/page_weight.py`` (about a minute).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from join_burst import (  # found through the sys.path line above
    CHROMIUM,
    CHROMIUM_ARGS,
    MB,
    Server,
    coopkit_serve,
    plain_voila,
    prepare,
)

PHONE = {"width": 360, "height": 740}


def weigh(server: Server, code: str) -> tuple[int, int, int, int]:
    """(wire bytes, decoded bytes, requests, requests sent to another site) for one
    visit."""
    from playwright.sync_api import sync_playwright

    wire = decoded = requests = 0
    foreign: list[str] = []
    here = urlsplit(server.base).netloc
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=PHONE).new_page()
        finished = []
        page.on("requestfinished", lambda r: finished.append(r))
        page.on("request", lambda r: foreign.append(r.url)
                if urlsplit(r.url).netloc not in ("", here) else None)
        blocked: list[str] = []
        page.on("requestfailed", lambda r: blocked.append(r.url)
                if "csp" in (r.failure or "").lower() else None)
        page.goto(f"{server.base}?code={code}", timeout=120_000)
        page.locator(".coopkit-group input").first.wait_for(timeout=120_000)
        for request in finished:
            response = request.response()
            if response is None:
                continue
            requests += 1
            wire += request.sizes()["responseBodySize"]
            decoded += len(response.body())
        browser.close()
    return wire, decoded, requests, len(set(foreign) - set(blocked))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="coopkit-weight-") as tmp:
        for label, start in (("coopkit serve", lambda d: coopkit_serve(
                d, 2, d / "bench.log")), ("plain voila", lambda d: plain_voila(
                d, d / "bench.log"))):
            data = Path(tmp) / label.replace(" ", "-")
            data.mkdir()
            code, _ = prepare(data)
            with start(data) as server:
                runs = [weigh(server, code) for _ in range(args.runs)]
            rows.append((label, *(statistics.median(r[i] for r in runs) for i in range(4))))
    print(f"\n{'server':<14} {'on the wire':>12} {'decoded':>10} {'requests':>9} "
          f"{'other sites':>12} {'40 phones':>10}")
    for label, wire, decoded, requests, foreign in rows:
        print(f"{label:<14} {wire / MB:>9.2f} MB {decoded / MB:>7.2f} MB {requests:>9.0f} "
              f"{foreign:>12.0f} {40 * wire / MB:>7.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
