"""What a phone on a venue's Wi-Fi waits for: Voilà's "lab" page vs coopkit's page.

Both front ends run in the same run, on the same code and data: two ``coopkit serve``
servers (``ServeOptions.template`` ``"lab"``, what coopkit served before, and
``"coopkit"``, its own page), each warmed up before the first phone, each on a
workshop of the real feelings questionnaire (``questionnaires/ressentis.yaml``).

One phone at a time opens the join link, in Debian's Chromium (Playwright) as a
mid-range phone on a venue's Wi-Fi: 360 x 740 CSS pixels, touch, device pixel ratio 2,
the CPU slowed 4 times (``Emulation.setCPUThrottlingRate``) and the network set to
150 ms latency, 1.6 Mbit/s down, 750 kbit/s up (``Network.emulateNetworkConditions``),
through the Chrome DevTools Protocol. Each visit starts with an empty cache. Measured
from the start of the navigation:

* **first paint** (``first-contentful-paint``);
* **French loading screen**: « Préparation de votre questionnaire… » on screen ("-":
  never; Voilà's own spinner says « Executing 3 of 3 »), then with the workshop's name;
* **answerable**: the first question of the page (the group choice of the join link)
  drawn and live, i.e. a radio button visible and enabled (widgets are only drawn once
  the kernel has sent their state);
* **kB** and **requests** before that moment: every HTTP response as it crossed the
  network (headers included, compressed when the server compressed), plus the
  websocket messages received (the widgets' state), counted decoded: the DevTools
  Protocol gives no frame's size on the wire, and coopkit serve compresses them
  (permessage-deflate; ~100 kB of JSON is ~10 kB deflated), so the total is an upper
  bound;
* **Q1 after « Commencer »**: from the tap on « Commencer » to the first question of
  the questionnaire answerable.

The visits alternate between the two servers; each figure is the median of ``--runs``
visits (5 by default). The load average is printed at the start and the end: figures
are only comparable on an otherwise quiet machine.

Targets (issue 16): answerable <= 5 s and <= 1/2 of the lab page's; <= 500 kB before
it; the French loading screen within 1.5 s.

Run: ``.venv/bin/python benchmarks/phone_tti.py`` (about 5 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from join_burst import (  # noqa: E402 - found through the sys.path lines above
    CHROMIUM,
    CHROMIUM_ARGS,
    Server,
    _start,
    _stop,
    _wait_ready,
    free_port,
    prepare,
)

from coopkit.i18n import t  # noqa: E402

PHONE = {"width": 360, "height": 740}
CPU_SLOWDOWN = 4
NETWORK = {"offline": False, "latency": 150,
           "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
LOADING_TEXT = "Préparation de votre questionnaire"
TIMEOUT_S = 90.0
KB = 1000

#: Runs in every page before its own scripts: notes, on each animation frame, when the
#: loading screen and the first live question are on screen.
WATCH = """
(() => {
  const seen = (window.__coopkitBench = {});
  const shown = (el) => !!el && el.getClientRects().length > 0;
  const live = (selector) => [...document.querySelectorAll(selector)].some(
      (el) => shown(el) && !el.disabled);
  const tick = () => {
    const now = performance.now();
    if (seen.loading === undefined) {
      const text = document.getElementById('coopkit-loading-text');
      if (shown(text) && text.textContent.includes(%(loading)s)) seen.loading = now;
    }
    if (seen.loading !== undefined && seen.name === undefined) {
      const name = document.getElementById('coopkit-loading-name');
      if (shown(name) && name.textContent.trim()) seen.name = now;
    }
    if (seen.answerable === undefined && live('.coopkit-group input[type=radio]'))
      seen.answerable = now;
    if (seen.question === undefined && live('.coopkit-form .coopkit-item input'))
      seen.question = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


@dataclass
class Visit:
    first_paint: float | None = None
    loading: float | None = None
    named: float | None = None
    answerable: float | None = None
    http_bytes: int = 0
    ws_bytes: int = 0
    requests: int = 0
    question: float | None = None
    #: when the page arrived, and the moments coopkit's page marks (script run,
    #: kernel connected, widget states received, widgets drawn)
    steps: dict[str, float | None] = field(default_factory=dict)

    @property
    def kilobytes(self) -> float:
        return (self.http_bytes + self.ws_bytes) / KB


@dataclass
class Front:
    label: str
    template: str
    server: Server | None = None
    code: str = ""
    visits: list[Visit] = field(default_factory=list)


@contextmanager
def serve_with(template: str, data: Path, expect: int, code: Path | None = None
               ) -> Iterator[Server]:
    """``coopkit serve`` through its Python API with the given page template; refills
    postponed past the benchmark, so that no kernel starts while a phone is measured.
    With ``code`` (another checkout, e.g. the main branch's), that checkout's own
    ``coopkit serve`` command with its own defaults instead."""
    port = free_port()
    command = [sys.executable, "-c", (
        "import sys; from pathlib import Path; from coopkit.serving import serve; "
        f"sys.exit(serve.serve(serve.ServeOptions(data=Path({str(data)!r}), port={port}, "
        f"expect={expect}, fill_delay=3600, template={template!r})))")]
    if code is not None:
        command = [sys.executable, "-m", "coopkit.cli", "serve", "--data", str(data),
                   "--port", str(port), "--expect", str(expect), "--fill-delay", "3600"]
    from coopkit.serving import serve as serving

    saved = os.environ.get("PYTHONPATH")
    if code is not None:
        os.environ["PYTHONPATH"] = str(code)  # the server's code only; the script's is ours
    try:
        proc = _start(command, data / "bench.log", cwd=code)
    finally:
        if code is not None:
            if saved is None:
                os.environ.pop("PYTHONPATH")
            else:
                os.environ["PYTHONPATH"] = saved
    server = Server(f"serve ({template})", proc, port, serving.pool_size(expect))
    try:
        _wait_ready(server, warm=True)
        yield server
    finally:
        _stop(server)


def visit(browser, front: Front) -> Visit:
    """One phone opens the join link, then taps « Commencer »."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="fr-FR")
    try:
        page = context.new_page()
        page.add_init_script(WATCH % {"loading": repr(LOADING_TEXT)})
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        responses: list[tuple[float, float]] = []  # (time, bytes)
        frames: list[tuple[float, int]] = []
        starts: list[float] = []
        cdp.on("Network.requestWillBeSent", lambda e: starts.append(e["timestamp"]))
        cdp.on("Network.loadingFinished",
               lambda e: responses.append((e["timestamp"], e["encodedDataLength"])))
        cdp.on("Network.webSocketFrameReceived", lambda e: frames.append(
            (e["timestamp"], len(e["response"]["payloadData"].encode()))))
        page.goto(f"{front.server.base}?code={front.code}", wait_until="commit",
                  timeout=TIMEOUT_S * 1000)
        page.wait_for_function("() => window.__coopkitBench.answerable !== undefined",
                               timeout=TIMEOUT_S * 1000, polling=200)
        seen = page.evaluate("() => window.__coopkitBench")
        paint = page.evaluate(
            "() => (performance.getEntriesByName('first-contentful-paint')[0] || {})"
            ".startTime")
        marks = page.evaluate(
            "() => Object.fromEntries(performance.getEntriesByType('mark')"
            ".filter((m) => m.name.startsWith('coopkit:'))"
            ".map((m) => [m.name.slice(8), m.startTime / 1000]))")
        html = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n ? [n.responseStart / 1000, n.responseEnd / 1000] : []; }")
        result = Visit(first_paint=paint / 1000 if paint else None,
                       loading=seen["loading"] / 1000 if "loading" in seen else None,
                       named=seen["name"] / 1000 if "name" in seen else None,
                       answerable=seen["answerable"] / 1000)
        t0 = min(starts)  # the page's own request: the navigation's start, CDP clock
        until = t0 + result.answerable
        result.requests = sum(1 for s in starts if s <= until)
        result.http_bytes = int(sum(n for ts, n in responses if ts <= until))
        result.ws_bytes = sum(n for ts, n in frames if ts <= until)
        result.steps = {"page first byte": html[0] if html else None,
                        "page last byte": html[1] if html else None, **marks}
        page.get_by_role("radio", name=t("method.group.personnel", "fr"), exact=True).check()
        tapped = page.evaluate("() => performance.now()")
        page.get_by_role("button", name="Commencer", exact=True).click()
        page.wait_for_function("() => window.__coopkitBench.question !== undefined",
                               timeout=TIMEOUT_S * 1000, polling=200)
        result.question = (page.evaluate("() => window.__coopkitBench.question")
                           - tapped) / 1000
        return result
    finally:
        context.close()


def median(values: Sequence[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    if len(found) < len(values) / 2:  # mostly never happened
        return None
    return statistics.median(found)


def fmt(value: float | None, unit: str = "s", digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f} {unit}"


def report(fronts: Sequence[Front]) -> None:
    rows = [("first paint", lambda v: v.first_paint, "s", 2),
            ("French loading screen", lambda v: v.loading, "s", 2),
            ("  with the workshop's name", lambda v: v.named, "s", 2),
            ("answerable (join link)", lambda v: v.answerable, "s", 2),
            ("kB before answerable", lambda v: v.kilobytes, "kB", 0),
            ("  of which websocket (decoded)", lambda v: v.ws_bytes / KB, "kB", 0),
            ("requests before answerable", lambda v: v.requests, "", 0),
            ("Q1 after « Commencer »", lambda v: v.question, "s", 2)]
    width = 30
    print()
    print(f"{'median of ' + str(len(fronts[0].visits)) + ' visits':<{width}}"
          + "".join(f"{f.label:>22}" for f in fronts))
    print("-" * (width + 22 * len(fronts)))
    for name, get, unit, digits in rows:
        cells = [fmt(median([get(v) for v in f.visits]), unit, digits) for f in fronts]
        print(f"{name:<{width}}" + "".join(f"{c:>22}" for c in cells))
    print()
    for f in fronts:
        names = [n for n in f.visits[0].steps if all(n in v.steps for v in f.visits)]
        if names:
            print(f"{f.label}, on the way (median s): " + ", ".join(
                f"{n} {fmt(median([v.steps[n] for v in f.visits]), '')}".rstrip()
                for n in names))
    for f in fronts:
        print(f"{f.label}: answerable per visit "
              + ", ".join(fmt(v.answerable) for v in f.visits)
              + "; Q1 after « Commencer » " + ", ".join(fmt(v.question) for v in f.visits))
    old, new = fronts
    old_t = median([v.answerable for v in old.visits])
    new_t = median([v.answerable for v in new.visits])
    new_kb = median([v.kilobytes for v in new.visits])
    new_loading = median([v.loading for v in new.visits])
    print()
    if new_t is not None:
        print(f"target answerable <= 5 s: {fmt(new_t)} -> {'met' if new_t <= 5 else 'NOT met'}")
    if new_t is not None and old_t is not None:
        print(f"target <= 1/2 of the lab page's: {fmt(new_t)} vs {fmt(old_t)} "
              f"(ratio {new_t / old_t:.2f}) -> {'met' if new_t * 2 <= old_t else 'NOT met'}")
    if new_kb is not None:
        print(f"target <= 500 kB before answerable: {new_kb:.0f} kB -> "
              f"{'met' if new_kb <= 500 else 'NOT met'}")
    print(f"target French loading screen <= 1.5 s: {fmt(new_loading)} -> "
          f"{'met' if new_loading is not None and new_loading <= 1.5 else 'NOT met'}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None, metavar="CHECKOUT",
                        help="serve the 'before' page with another checkout's code and "
                             "its coopkit serve (e.g. the main branch's), not Voilà's "
                             "lab template on this code")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
          "(figures are only comparable on an otherwise idle machine)", flush=True)
    started = time.monotonic()
    before = "before (its code)" if args.before else "Voilà lab (before)"
    fronts = [Front(before, "lab"), Front("coopkit page", "coopkit")]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="coopkit-phone-") as tmp, \
            serve_with("lab", _data(tmp, "lab", fronts[0]), args.runs,
                       args.before) as lab, \
            serve_with("coopkit", _data(tmp, "coopkit", fronts[1]), args.runs) as ours, \
            sync_playwright() as pw:
        fronts[0].server, fronts[1].server = lab, ours
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in range(args.runs):
                for front in fronts:
                    front.visits.append(visit(browser, front))
                    v = front.visits[-1]
                    print(f"  run {run + 1} {front.label}: answerable {fmt(v.answerable)}, "
                          f"{v.kilobytes:.0f} kB, {v.requests} requests", flush=True)
        finally:
            browser.close()
    report(fronts)
    print(f"\n{time.monotonic() - started:.0f} s in all; load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    return 0


def _data(tmp: str, name: str, front: Front) -> Path:
    data = Path(tmp) / name
    data.mkdir()
    front.code, _ = prepare(data)
    return data


if __name__ == "__main__":
    sys.exit(main())
