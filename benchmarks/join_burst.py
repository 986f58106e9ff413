"""How fast a room of participants gets a working page: ``coopkit serve`` vs plain Voilà.

For each N (default 10, 30, 60) the script starts a server on the participant app,
waits until it is ready (for ``coopkit serve``: until every preheated page has run up to
``wait_for_request()``, as a consultant would before the room arrives), then makes N
participants arrive within one second. Each participant is a light client, so that the
figures measure the server and not N browsers sharing two cores:

1. an HTTP GET of ``/?code=XXXXXX`` read to the end (the page is served once the app's
   cells have run);
2. a websocket to the page's kernel, a ``kernel_info_request`` and its reply.

Time to interactive (TTI) is from the start of 1 to the end of 2. A page without the
app's widget (Voilà's error page, or a form dropped by an IOPub time-out) is a failure.
Each client then joins and answers the first question through the widget protocol, as
the browser would (``benchmarks/widget_client.py``; ``--no-answers`` to skip): "saved"
counts the answers the app confirmed as saved, "lost" those of them missing from the
store afterwards. Memory: the peak of (server + kernels) RSS sampled during the burst
(with the server's share and the number of kernels at that moment), and the RSS of
each participant's kernel once every participant has answered, with its USS (unique
memory: RSS minus the pages shared with the other kernels).

Finally N = 5 real browsers (Debian Chromium through Playwright) measure the time until
the app's first button can be clicked.

Run: ``.venv/bin/python benchmarks/join_burst.py`` (about 8 minutes on 2 cores).
Targets at N = 30: p95 <= 2 s and at most 1/5 of plain Voilà's; <= 70 MB per
participant kernel; no answer lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from coopkit.serving import serve as serving  # noqa: E402 - after the path set-up above

QUESTIONNAIRE = ROOT / "questionnaires" / "ressentis.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MB = 1024 * 1024


# ------------------------------------------------------------------ servers

@dataclass
class Server:
    """A running server: ``coopkit serve`` or plain ``voila``."""

    label: str
    proc: subprocess.Popen
    port: int
    pool: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def coopkit_serve(data: Path, expect: int, log: Path, notebook: Path | None = None
                  ) -> Iterator[Server]:
    """``coopkit serve`` with its defaults, warmed up before the room arrives. With
    ``notebook`` (to try a variant of the app), the same settings through the Python
    API: the command itself only ever serves the app notebook."""
    port = free_port()
    command = [sys.executable, "-m", "coopkit.cli", "serve", "--data", str(data),
               "--port", str(port), "--expect", str(expect)]
    if notebook is not None:
        command = [sys.executable, "-c", (
            "import sys; from pathlib import Path; from coopkit import serve; "
            f"sys.exit(serve.serve(serve.ServeOptions(data=Path({str(data)!r}), "
            f"port={port}, expect={expect}, notebook=Path({str(notebook)!r}))))")]
    server = Server("coopkit serve", _start(command, log), port, serving.pool_size(expect))
    try:
        _wait_ready(server, warm=True)
        yield server
    finally:
        _stop(server)


@contextmanager
def plain_voila(data: Path, log: Path, notebook: Path | None = None) -> Iterator[Server]:
    """Plain Voilà with its default settings on the same notebook (local interface)."""
    port = free_port()
    command = [sys.executable, "-m", "voila", str(notebook or serving.APP_NOTEBOOK),
               "--no-browser",
               f"--port={port}", "--Voila.port_retries=0"]
    server = Server("plain voila", _start(command, log, cwd=data), port)
    try:
        _wait_ready(server, warm=False)
        yield server
    finally:
        _stop(server)


def _start(command: Sequence[str], log: Path, cwd: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "COOPKIT_DATA": str(log.parent), "PYTHONUNBUFFERED": "1"}
    with log.open("a") as handle:
        return subprocess.Popen(list(command), env=env, cwd=cwd or ROOT, stdout=handle,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def _wait_ready(server: Server, warm: bool, timeout: float = 400.0) -> None:
    deadline = time.monotonic() + timeout
    if not serving.wait_ready(server.port, deadline, lambda: server.proc.poll() is None):
        raise RuntimeError(f"{server.label} did not start")
    if warm and not serving.wait_warm(server.proc.pid, server.port, server.pool, deadline):
        raise RuntimeError(f"{server.label}: pool of {server.pool} not warm in {timeout} s")


def _stop(server: Server) -> None:
    kernels = serving.kernel_processes(server.proc.pid)
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(60)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
    _, alive = psutil.wait_procs(kernels, timeout=10)
    for proc in alive:
        proc.kill()


def memory(server_pid: int) -> tuple[int, dict[int, int]]:
    """(RSS of the server processes, {kernel pid: RSS}) in bytes. For ``coopkit serve``
    the server processes are the command itself and its Voilà child."""
    try:
        root = psutil.Process(server_pid)
        server_rss = root.memory_info().rss
        children = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0, {}
    kernels = {}
    for proc in children:
        try:
            rss = proc.memory_info().rss
            if any("ipykernel" in part for part in proc.cmdline()):
                kernels[proc.pid] = rss
            else:
                server_rss += rss
        except psutil.NoSuchProcess:
            continue
    return server_rss, kernels


# ------------------------------------------------------------------ light clients

@dataclass
class Arrival:
    ok: bool = False
    tti: float | None = None
    page_s: float | None = None
    kernel_id: str | None = None
    error: str = ""
    answered: bool = False
    answer_error: str = ""


def _message(msg_type: str, content: dict, channel: str = "shell") -> str:
    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "bench",
                   "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
        "buffers": [],
    })


async def arrive(server: Server, url: str, delay: float, deadline: float,
                 answer: str | None, hold: asyncio.Event, settled: Counter) -> Arrival:
    """One participant: page, then kernel_info over the websocket; keeps the websocket
    open until ``hold`` is set (the memory is read while every participant is there).
    ``settled`` is ticked once the participant is interactive (and has answered) or
    has failed."""
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError
    from websockets.asyncio.client import connect

    await asyncio.sleep(delay)
    result = Arrival()
    start = time.monotonic()
    client = AsyncHTTPClient()
    try:
        response = await client.fetch(url, request_timeout=deadline, connect_timeout=deadline)
        html = response.body.decode("utf-8", "replace")
        result.page_s = time.monotonic() - start
        result.kernel_id = serving.kernel_id_in(html)
        if result.kernel_id is None or WIDGET_VIEW not in html:
            result.error = "error page" if result.kernel_id is None else "form missing"
            return result
        ws_url = f"ws://127.0.0.1:{server.port}/api/kernels/{result.kernel_id}/channels"
        remaining = max(deadline - (time.monotonic() - start), 1.0)
        async with connect(ws_url, open_timeout=remaining, max_size=None) as ws:
            request = _message("kernel_info_request", {})
            msg_id = json.loads(request)["header"]["msg_id"]
            await ws.send(request)
            while True:
                reply = json.loads(await asyncio.wait_for(ws.recv(), remaining))
                if reply.get("parent_header", {}).get("msg_id") == msg_id and \
                        reply["header"]["msg_type"] == "kernel_info_reply":
                    break
            result.tti = time.monotonic() - start
            result.ok = True
            if answer is not None:
                from widget_client import answer_first_item

                try:
                    result.answered = await answer_first_item(ws, answer, timeout=remaining)
                except Exception as exc:  # the page works; the answer did not go through
                    result.answer_error = type(exc).__name__ or "error"
                if not result.answered and not result.answer_error:
                    result.answer_error = "no question found"
            settled.tick()
            await hold.wait()
    except HTTPClientError as exc:
        result.error = f"HTTP {exc.code}"
    except TimeoutError:
        result.error = "timeout"
    except Exception as exc:
        result.error = type(exc).__name__
    finally:
        settled.tick()
    return result


class Counter:
    """Counts participants who are settled; ``full`` is set when all ``n`` are."""

    def __init__(self, n: int):
        self.n = n
        self.seen: set[int] = set()
        self.full = asyncio.Event()

    def tick(self) -> None:
        task = asyncio.current_task()
        self.seen.add(id(task))
        if len(self.seen) >= self.n:
            self.full.set()


async def burst(server: Server, n: int, code: str, deadline: float,
                answers: bool) -> tuple[list[Arrival], int, list[int], dict[str, Any]]:
    """N arrivals spread over one second; returns the arrivals, the peak (server +
    kernels) RSS, the RSS of each participant's kernel once all are interactive, and
    the server's RSS and the number of kernels at the peak."""
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=max(n, 10))
    url = f"{server.base}?code={code}"
    hold = asyncio.Event()
    peak = 0
    peaks: dict[str, Any] = {"server": 0, "kernels": 0}
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            server_rss, kernels = memory(server.proc.pid)
            total = server_rss + sum(kernels.values())
            if total > peak:
                peak = total
                peaks.update(server=server_rss, kernels=len(kernels))
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    settled = Counter(n)
    tasks = [asyncio.create_task(arrive(server, url, i / n, deadline,
                                        f"bench-{i}" if answers else None, hold, settled))
             for i in range(n)]
    await settled.full.wait()
    await asyncio.sleep(1.0)  # the kernels settle after the last answer
    by_pid = _kernel_pids_by_id(server)
    _, kernels = memory(server.proc.pid)
    unique = _uss(kernels)
    hold.set()
    arrivals = list(await asyncio.gather(*tasks))
    sampling = False
    await sampler
    pids = [by_pid[a.kernel_id] for a in arrivals if a.ok and a.kernel_id in by_pid]
    used = [kernels[pid] for pid in pids if pid in kernels]
    peaks["uss"] = [unique[pid] for pid in pids if pid in unique]
    return arrivals, peak, used, peaks


def _uss(kernels: dict[int, int]) -> dict[int, int]:
    """Unique memory of each kernel (what it alone costs: RSS minus shared pages)."""
    found = {}
    for pid in kernels:
        try:
            found[pid] = psutil.Process(pid).memory_full_info().uss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _kernel_pids_by_id(server: Server) -> dict[str, int]:
    """Kernel id -> pid, from the kernels' command lines (their connection file names)."""
    found = {}
    for proc in serving.kernel_processes(server.proc.pid):
        try:
            for part in proc.cmdline():
                name = Path(part).name
                if name.startswith("kernel-") and name.endswith(".json"):
                    found[name[len("kernel-"):-len(".json")]] = proc.pid
        except psutil.NoSuchProcess:
            continue
    return found


# ------------------------------------------------------------------ real browsers

async def browser_burst(server: Server, n: int, code: str, deadline: float
                        ) -> list[tuple[float | None, bool]]:
    """N Chromium pages opened within one second. Each measures the time until the join
    button is visible (the widgets are live, so the kernel answers), then joins and
    answers the first question; returns (time to interactive, answer saved) each."""
    from playwright.async_api import async_playwright

    timeout_ms = deadline * 1000
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            async def one(i: int) -> tuple[float | None, bool]:
                context = await browser.new_context(viewport={"width": 360, "height": 740})
                page = await context.new_page()
                await asyncio.sleep(i / n)
                start = time.monotonic()
                try:
                    await page.goto(f"{server.base}?code={code}", timeout=timeout_ms)
                    await page.wait_for_selector(".coopkit-join-submit", state="visible",
                                                 timeout=timeout_ms)
                    tti = time.monotonic() - start
                except Exception:  # reported as a failure
                    await context.close()
                    return None, False
                try:
                    await page.locator(".coopkit-group input").first.check(timeout=timeout_ms)
                    await page.locator(".coopkit-join-submit").click(timeout=timeout_ms)
                    first = page.locator(".coopkit-item").first.locator("button, input")
                    await first.last.click(timeout=timeout_ms)
                    await page.locator(".coopkit-saved").filter(
                        has_text="enregistr").wait_for(timeout=timeout_ms)
                    return tti, True
                except Exception:  # the answer is counted as not sent
                    return tti, False
                finally:
                    await context.close()

            return list(await asyncio.gather(*(one(i) for i in range(n))))
        finally:
            await browser.close()


# ------------------------------------------------------------------ report

@dataclass
class Row:
    server: str
    n: int
    ok: int
    ttis: list[float]
    peak_mb: float | None = None
    kernel_mb: list[float] = field(default_factory=list)
    server_mb: float | None = None
    kernels_at_peak: int | None = None
    answered: int | None = None
    uss_mb: list[float] = field(default_factory=list)
    lost: int | None = None
    errors: dict[str, int] = field(default_factory=dict)

    def quantile(self, q: float) -> float | None:
        """Nearest-rank quantile; a failed arrival counts as infinitely slow."""
        if self.n == 0:
            return None
        values = sorted(self.ttis) + [float("inf")] * (self.n - len(self.ttis))
        return values[max(math.ceil(q * len(values)) - 1, 0)]


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    if value == float("inf"):
        return "fail"
    return f"{value:.{digits}f}"


def print_table(rows: list[Row]) -> None:
    header = (f"{'server':<16}{'N':>4}{'ok':>5}{'p50 s':>8}{'p95 s':>8}{'max s':>8}"
              f"{'peak MB':>9}{'(server MB, kernels)':>22}{'kernel RSS mean/max':>21}"
              f"{'USS':>5}"
              f"{'saved':>7}{'lost':>6}  errors")
    print(header)
    print("-" * len(header))
    for r in rows:
        kernel = (f"{statistics.mean(r.kernel_mb):.0f}/{max(r.kernel_mb):.0f}"
                  if r.kernel_mb else "-")
        uss = f"{statistics.mean(r.uss_mb):.0f}" if r.uss_mb else "-"
        at_peak = (f"({r.server_mb:.0f}, {r.kernels_at_peak})"
                   if r.server_mb is not None else "-")
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(r.errors.items())) or ""
        print(f"{r.server:<16}{r.n:>4}{r.ok:>5}{_fmt(r.quantile(0.5)):>8}"
              f"{_fmt(r.quantile(0.95)):>8}{_fmt(max(r.ttis) if r.ttis else None):>8}"
              f"{_fmt(r.peak_mb, 0):>9}{at_peak:>22}{kernel:>21}{uss:>5}"
              f"{'-' if r.answered is None else r.answered:>7}"
              f"{'-' if r.lost is None else r.lost:>6}  {errors}")


def _row(label: str, n: int, arrivals: list[Arrival], peak: int, kernels: list[int],
         lost: int | None, peaks: dict[str, Any]) -> Row:
    errors: dict[str, int] = {}
    for a in arrivals:
        if not a.ok:
            errors[a.error] = errors.get(a.error, 0) + 1
        elif a.answer_error:
            key = f"answer {a.answer_error}"
            errors[key] = errors.get(key, 0) + 1
    return Row(label, n, sum(a.ok for a in arrivals),
               [a.tti for a in arrivals if a.ok and a.tti is not None],
               peak_mb=peak / MB, kernel_mb=[k / MB for k in kernels], lost=lost,
               errors=errors, server_mb=peaks["server"] / MB,
               kernels_at_peak=peaks["kernels"], uss_mb=[u / MB for u in peaks["uss"]],
               answered=sum(a.answered for a in arrivals) if lost is not None else None)


# ------------------------------------------------------------------ main

def prepare(data: Path) -> tuple[str, int]:
    """A store with one project and one open workshop; returns (code, workshop id)."""
    from coopkit import load_questionnaire, open_store

    with open_store(None, data=str(data)) as store:
        project = store.create_project("Benchmark", purpose="join burst")
        workshop = store.open_workshop(project, load_questionnaire(QUESTIONNAIRE), k=1)
        return workshop.code, workshop.id


def count_answers(data: Path, workshop_id: int) -> int:
    from coopkit import open_store

    with open_store(None, data=str(data)) as store:
        return len(store.answers_frame(workshop_id))


def run_light(label: str, start, data: Path, n: int, deadline: float,
              answers: bool) -> Row:
    code, workshop_id = prepare(data)
    before = count_answers(data, workshop_id)
    with start() as server:
        arrivals, peak, kernels, peaks = asyncio.run(
            burst(server, n, code, deadline, answers))
    lost = None
    if answers:
        sent = sum(a.answered for a in arrivals)
        lost = sent - (count_answers(data, workshop_id) - before)
    row = _row(label, n, arrivals, peak, kernels, lost, peaks)
    print(f"  {label} N={n}: ok {row.ok}/{n}, p95 {_fmt(row.quantile(0.95))} s", flush=True)
    return row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 60])
    parser.add_argument("--browsers", type=int, default=5, help="0 to skip")
    parser.add_argument("--deadline", type=float, default=120.0,
                        help="seconds after which an arrival counts as failed")
    parser.add_argument("--no-plain", action="store_true", help="skip plain Voilà")
    parser.add_argument("--notebook", type=Path, default=None,
                        help="a variant of the app notebook to measure instead")
    parser.add_argument("--no-answers", action="store_true",
                        help="light clients do not answer (no lost-answer count)")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    answers = not args.no_answers
    started = time.monotonic()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
          "(figures are only comparable on an otherwise idle machine)", flush=True)
    with tempfile.TemporaryDirectory(prefix="coopkit-bench-") as tmp:
        for n in args.sizes:
            data = Path(tmp) / f"serve-{n}"
            data.mkdir()
            rows.append(run_light("coopkit serve", lambda d=data, n=n: coopkit_serve(
                d, n, d / "bench.log", args.notebook), data, n, args.deadline, answers))
            if not args.no_plain:
                data = Path(tmp) / f"plain-{n}"
                data.mkdir()
                rows.append(run_light("plain voila", lambda d=data: plain_voila(
                    d, d / "bench.log", args.notebook), data, n, args.deadline, answers))
        if args.browsers:
            data = Path(tmp) / "browsers"
            data.mkdir()
            code, workshop_id = prepare(data)
            with coopkit_serve(data, args.browsers, data / "bench.log",
                               args.notebook) as server:
                results = asyncio.run(browser_burst(server, args.browsers, code,
                                                    args.deadline))
            ok = [tti for tti, _ in results if tti is not None]
            sent = sum(saved for _, saved in results)
            rows.append(Row("browser (serve)", args.browsers, len(ok), ok, answered=sent,
                            lost=sent - count_answers(data, workshop_id),
                            errors={"timeout": len(results) - len(ok)}
                            if len(ok) < len(results) else {}))
    print()
    print_table(rows)
    print_targets(rows)
    print(f"\n{time.monotonic() - started:.0f} s in all; load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    return 0


def print_targets(rows: list[Row]) -> None:
    serve30 = next((r for r in rows if r.server == "coopkit serve" and r.n == 30), None)
    plain30 = next((r for r in rows if r.server == "plain voila" and r.n == 30), None)
    if serve30 is None:
        return
    p95 = serve30.quantile(0.95)
    print()
    print(f"target p95 <= 2 s at N=30: {_fmt(p95)} s -> {'met' if p95 and p95 <= 2 else 'NOT met'}")
    if plain30 is not None:
        plain95 = plain30.quantile(0.95)
        met = p95 is not None and plain95 is not None and p95 * 5 <= plain95
        print(f"target <= 1/5 of plain Voilà's p95: {_fmt(p95)} vs {_fmt(plain95)} s -> "
              f"{'met' if met else 'NOT met'}")
    if serve30.kernel_mb:
        worst = max(serve30.kernel_mb)
        uss = f", USS mean {statistics.mean(serve30.uss_mb):.0f} MB" if serve30.uss_mb else ""
        print(f"target <= 70 MB per participant kernel: RSS max {worst:.0f} MB{uss} -> "
              f"{'met' if worst <= 70 else 'NOT met'} (judged on RSS)")
    if serve30.lost is not None:
        print(f"target 0 answers lost: {serve30.lost} -> "
              f"{'met' if serve30.lost == 0 else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
