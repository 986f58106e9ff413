"""How long after a participant's answer or validation does the projected figure change?

A real presenter (``coopkit present``, Voilà) in Chromium at 1280×720, two pages, each
what one projector would show: the welcome screen (counts of joined, validated and
answers) and the feelings map, revealed. N light participants (threads in a few
processes, each calling the store's API as a phone's kernel does: ``join``, one
``save_answer`` per question with a pause between answers, ``validate``) answer the
feelings questionnaire. Every call's return time is recorded.

Each screen the presenter draws carries ``data-asof``: the time its look at the store
began (whatever was saved before is in the picture). A MutationObserver in each page
records when a new picture appears. The latency of a call returning at ``t`` is the
time the first picture drawn from a look begun after ``t`` appeared on the page: the
answers and validations on the welcome screen, the validations on the map (only
validated answers are charted). Printed: p50 / p95 / max per screen and call, how many
calls never showed (should be 0), and each presenter kernel's CPU share (CPU-seconds /
wall-seconds, 1.0 = one core) while idle and during the run.

    python benchmarks/presenter_latency.py                  # N = 40 and N = 100
    python benchmarks/presenter_latency.py --n 100 --think 1.5

The default pace (1.5 s between two answers) is a fast room: a questionnaire of about
40 questions takes each participant a minute, and 100 participants send ~65 saves a
second, several times what a real room sends. Target: p95 <= 2 s at N = 100.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coopkit.serving import serve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
GROUPS = ("personnel", "medical_soignant", "direction_generale", "encadrement",
          "elus_population", "instances")
OBSERVE_JS = """() => {
  window.coopkitSeen = [];
  const main = document.querySelector('.coopkit-present-main');
  const record = () => {
    const s = main.querySelector('.cp-screen');
    const a = s ? s.getAttribute('data-asof') : null;
    if (a && a !== window.coopkitLast) {
      window.coopkitLast = a;
      window.coopkitSeen.push([parseFloat(a), Date.now() / 1000]);
    }
  };
  new MutationObserver(record).observe(main, {subtree: true, childList: true,
                                              attributes: true, characterData: true});
  record();
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(data: Path) -> tuple[int, str]:
    from coopkit import load_questionnaire, open_store

    q = load_questionnaire(ROOT / "questionnaires" / "ressentis.yaml")
    with open_store(data=str(data)) as store:
        project = store.create_project("Banc d'essai", purpose="Mesurer le présentateur.")
        ws = store.open_workshop(project, q, k=5)
        return ws.id, ws.code


# ------------------------------------------------------------------- participants

def _participant(store, q, code: str, group: str, think: float, seed: int,
                 out: list) -> None:
    rng = random.Random(seed)
    time.sleep(rng.uniform(0, 10))  # arrivals spread over the first ten seconds
    p = store.join(code, group)
    out.append(("join", time.time()))
    for item in q.items():
        if item.type != "intensity" or not item.asked_of(group):
            continue
        time.sleep(rng.uniform(0, 2 * think))
        store.save_answer(p.token, item.id, rng.randint(0, item.max or 5))
        out.append(("save", time.time()))
    time.sleep(rng.uniform(0, 2 * think))
    store.validate(p.token)
    out.append(("validate", time.time()))


def _worker(data: str, code: str, first: int, count: int, think: float,
            result: str) -> None:
    from coopkit import open_store

    calls: list = []
    with open_store(data=data) as store:
        ws = store.workshop_by_code(code)
        q = store.questionnaire(ws.questionnaire_hash)
        threads = [threading.Thread(target=_participant,
                                    args=(store, q, code, GROUPS[i % len(GROUPS)], think,
                                          i, calls))
                   for i in range(first, first + count)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    Path(result).write_text(json.dumps(calls))


# ---------------------------------------------------------------------- presenter

def kernels(server: int) -> list:
    return serve.kernel_processes(server)


def cpu_seconds(procs: list) -> dict[int, float]:
    import psutil

    out = {}
    for p in procs:
        try:
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
        except psutil.NoSuchProcess:
            continue
    return out


def latencies(calls: list, seen: list, kinds: tuple[str, ...]) -> tuple[list[float], int]:
    """For each call of ``kinds``: the first picture drawn after it, minus its time."""
    seen = sorted(seen, key=lambda s: s[1])
    out, missed = [], 0
    for kind, at in calls:
        if kind not in kinds:
            continue
        shown = next((when for asof, when in seen if asof >= at), None)
        if shown is None:
            missed += 1
        else:
            out.append(max(shown - at, 0.0))
    return out, missed


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(n: int, think: float, processes: int) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="coopkit-present-bench-") as tmp:
        data = Path(tmp)
        _, code = prepare(data)
        port = free_port()
        log = (data / "present.out").open("w")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("COOPKIT_DATABASE_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "coopkit.cli", "present", "--data", str(data),
             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env,
            cwd=str(ROOT), start_new_session=True)
        try:
            import psutil

            if not serve.wait_ready(port, time.monotonic() + 180,
                                    lambda: server.poll() is None):
                raise SystemExit("the presenter did not start: "
                                 + (data / "present.out").read_text())
            voila = next(c for c in psutil.Process(server.pid).children()
                         if "voila_app" in " ".join(c.cmdline()))
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-background-timer-throttling",
                    "--disable-renderer-backgrounding"])
                context = browser.new_context(viewport={"width": 1280, "height": 720})
                pages = {}
                for screen in ("welcome", "map"):
                    page = context.new_page()
                    page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
                    page.wait_for_selector(".cp-screen-welcome", timeout=180_000)
                    if screen == "map":
                        page.locator(".coopkit-present-menu select").select_option(index=1)
                        page.wait_for_selector(".cp-screen-map", timeout=60_000)
                        page.locator(".coopkit-present-reveal").click()
                        page.wait_for_selector(".cp-screen-map .cp-centre .cp-mid",
                                               timeout=60_000)
                    page.evaluate(OBSERVE_JS)
                    pages[screen] = page
                # the kernels in the order the pages opened: welcome, then map
                procs = sorted(kernels(voila.pid), key=lambda p: p.create_time())
                idle_start, t0 = cpu_seconds(procs), time.monotonic()
                pages["welcome"].wait_for_timeout(10_000)
                idle = {pid: (v - idle_start.get(pid, 0)) / (time.monotonic() - t0)
                        for pid, v in cpu_seconds(procs).items()}
                start_cpu, started = cpu_seconds(procs), time.monotonic()
                files = [data / f"calls-{w}.json" for w in range(processes)]
                share = [n // processes + (1 if w < n % processes else 0)
                         for w in range(processes)]
                firsts = [sum(share[:w]) for w in range(processes)]
                workers = [mp.Process(target=_worker, args=(str(data), code, firsts[w],
                                                            share[w], think, str(files[w])))
                           for w in range(processes) if share[w]]
                for w in workers:
                    w.start()
                while any(w.is_alive() for w in workers):
                    pages["welcome"].wait_for_timeout(500)  # keeps the pages' events flowing
                pages["welcome"].wait_for_timeout(4_000)  # the last pictures
                wall = time.monotonic() - started
                busy = {pid: (v - start_cpu.get(pid, 0)) / wall
                        for pid, v in cpu_seconds(procs).items()}
                seen = {screen: page.evaluate("() => window.coopkitSeen")
                        for screen, page in pages.items()}
                browser.close()
            calls = [c for f in files if f.exists() for c in json.loads(f.read_text())]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(60)
            log.close()
    welcome, missed_w = latencies(calls, seen["welcome"], ("join", "save", "validate"))
    validations, missed_v = latencies(calls, seen["welcome"], ("validate",))
    figure, missed_m = latencies(calls, seen["map"], ("validate",))
    names = dict(zip([p.pid for p in procs], ("welcome", "map"), strict=False))
    return {"n": n, "calls": len(calls), "wall": wall, "idle": idle, "busy": busy,
            "names": names,
            "rows": [("welcome: join/answer/validate", welcome, missed_w),
                     ("welcome: validate", validations, missed_v),
                     ("feelings map: validate", figure, missed_m)],
            "redraws": {s: len(v) for s, v in seen.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[40, 100])
    parser.add_argument("--think", type=float, default=1.5,
                        help="mean seconds between two answers of a participant")
    parser.add_argument("--processes", type=int, default=4)
    args = parser.parse_args(argv)
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    for n in args.n:
        result = run(n, args.think, args.processes)
        print(f"\nN = {n}: {result['calls']} store calls in {result['wall']:.0f} s "
              f"({result['calls'] / result['wall']:.0f} per second); pictures drawn: "
              + ", ".join(f"{k} {v}" for k, v in result["redraws"].items()))
        print(f"{'screen: calls':34} {'count':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7} "
              f"{'never':>6}")
        for label, values, missed in result["rows"]:
            print(f"{label:34} {len(values):6d} {quantile(values, 0.5):7.2f} "
                  f"{quantile(values, 0.95):7.2f} {max(values, default=float('nan')):7.2f} "
                  f"{missed:6d}")
        for pid in result["busy"]:
            name = result["names"].get(pid, str(pid))
            print(f"presenter kernel ({name} page): CPU share idle "
                  f"{result['idle'].get(pid, 0):.3f}, during the run "
                  f"{result['busy'][pid]:.3f} (1.0 = one core)")
        print(f"load average now: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
