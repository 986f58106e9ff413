"""A burst of arrivals on the team server: two participant servers behind nginx vs one.

Both topologies run in the same run, one after the other, each started by
``coopkit cluster up`` (nginx + N instances on one throw-away PostgreSQL holding one open
workshop on the feelings questionnaire), with the same total of preheated pages
(``--expect arrivals / replicas`` each), waited for until every pool is warm. Then
``--arrivals`` participants (default 200) arrive within ``--spread`` seconds, each a
light client as in ``benchmarks/join_burst.py``: an HTTP GET of ``/?code=XXXXXX``
through nginx read to the end (the join form is rendered in it), then a websocket to
its kernel, through nginx with the route cookie nginx set, a ``kernel_info_request`` and
its reply. Time to a working form = from the GET to that reply. A page without the
app's widget is a failure. Peak memory: the sum of the RSS of nginx, every instance and
every kernel, sampled every 0.5 s during the burst. The spread of arrivals over the
instances is read from nginx's ``X-Coopkit-Upstream`` header.

``--idle S`` (default 300, 0 to skip): afterwards one participant's websocket is left
silent for S seconds through nginx, then must still answer a ``kernel_info_request``
(the "idle websocket survives 5 minutes" check of the team server; nginx's
``proxy_read_timeout`` is 12 h, Voilà's culling spares a kernel with an open websocket).

Failover (two instances): a participant joins, the instance their route cookie points
to is killed with ``kill -9`` (Voilà and its kernels), and the time from the kill until
their resume link gives a working form on the live instance is printed (target: 10 s;
``tests/test_cluster.py`` checks that no saved answer is lost).

Run: ``.venv/bin/python benchmarks/cluster_burst.py`` (200 arrivals: preheats 220
kernels per topology, one topology at a time, 18.7 GB at the peak and about 5 minutes
per topology on 2 cores; ``--arrivals 40`` on a laptop). Prints the load average
first: the machine may be shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coopkit.serving import cluster, serve  # noqa: E402 - after the path set-up above

QUESTIONNAIRE = ROOT / "questionnaires" / "ressentis.yaml"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MB = 1024 * 1024


@dataclass
class Arrival:
    ok: bool = False
    seconds: float | None = None
    instance: str = ""
    error: str = ""


def _message(msg_type: str) -> tuple[str, str]:
    msg_id = uuid.uuid4().hex
    return msg_id, json.dumps({
        "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "bench",
                   "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell",
        "buffers": []})


async def kernel_info(ws, timeout: float) -> None:
    msg_id, request = _message("kernel_info_request")
    await ws.send(request)
    while True:
        reply = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if reply.get("parent_header", {}).get("msg_id") == msg_id and \
                reply["header"]["msg_type"] == "kernel_info_reply":
            return


async def open_page(port: int, code: str, timeout: float, query: str = "",
                    cookie: str = ""):
    """(arrival, open websocket or None) of one participant through nginx: the join
    link of ``code``, or ``query`` (a resume link) with the route ``cookie`` kept."""
    from tornado.httpclient import AsyncHTTPClient
    from websockets.asyncio.client import connect

    result = Arrival()
    start = time.monotonic()
    response = await AsyncHTTPClient().fetch(
        f"http://127.0.0.1:{port}/?{query or f'code={code}'}", request_timeout=timeout,
        connect_timeout=timeout,
        headers={"Cookie": f"coopkit_route={cookie}"} if cookie else None)
    html = response.body.decode("utf-8", "replace")
    result.instance = response.headers.get("X-Coopkit-Upstream", "")
    kernel = serve.kernel_id_in(html)
    if kernel is None or WIDGET_VIEW not in html:
        result.error = "error page" if kernel is None else "form missing"
        return result, None
    route = re.search(r"coopkit_route=([^;]+)", response.headers.get("Set-Cookie", ""))
    headers = {"Cookie": f"coopkit_route={route.group(1)}"} if route else {}
    if cookie:
        headers = {"Cookie": f"coopkit_route={cookie}"}
    ws = await connect(f"ws://127.0.0.1:{port}/api/kernels/{kernel}/channels",
                       additional_headers=headers, open_timeout=timeout, max_size=None)
    await kernel_info(ws, timeout)
    result.seconds = time.monotonic() - start
    result.ok = True
    return result, ws


async def arrive(port: int, code: str, delay: float, timeout: float,
                 hold: asyncio.Event, settled: Settled, everyone: asyncio.Event) -> Arrival:
    """One participant; keeps its websocket open until ``hold`` (memory is read while
    everyone is there). Appends to ``settled`` once it has a working form or failed."""
    await asyncio.sleep(delay)
    ws = None
    try:
        result, ws = await open_page(port, code, timeout)
    except Exception as exc:  # a failed arrival is counted, not raised
        status = getattr(getattr(exc, "response", None), "status_code", None)
        stage = "websocket " if "websocket" in type(exc).__module__ else ""
        result = Arrival(error=f"{stage}{type(exc).__name__}"
                               + (f" {status}" if status else ""))
    settled.append(result)
    if len(settled) >= settled.target:
        everyone.set()
    if ws is not None:
        await hold.wait()
        await ws.close()
    return result


class Settled(list):
    """The arrivals known so far, and how many are coming."""

    def __init__(self, target: int):
        super().__init__()
        self.target = target


def memory(pids: Sequence[int]) -> int:
    """RSS of these processes and all their children (instances, kernels, nginx)."""
    total = 0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


async def burst(port: int, code: str, n: int, spread: float, timeout: float,
                pids: Sequence[int]) -> tuple[list[Arrival], int]:
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=max(n, 10))
    hold = asyncio.Event()
    peak = 0
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, memory(pids))
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    settled, everyone = Settled(n), asyncio.Event()
    tasks = [asyncio.create_task(arrive(port, code, spread * i / n, timeout, hold,
                                        settled, everyone)) for i in range(n)]
    await everyone.wait()
    hold.set()
    arrivals = list(await asyncio.gather(*tasks))
    sampling = False
    await sampler
    return arrivals, peak


async def idle_check(port: int, code: str, seconds: float, timeout: float) -> str:
    result, ws = await open_page(port, code, timeout)
    if ws is None:
        return f"no page ({result.error})"
    started = time.monotonic()
    await asyncio.sleep(seconds)
    try:
        await kernel_info(ws, timeout)
    except Exception as exc:
        return f"LOST after {time.monotonic() - started:.0f} s ({type(exc).__name__})"
    finally:
        await ws.close()
    return f"alive after {time.monotonic() - started:.0f} s idle"


async def failover(port: int, url: str, code: str, data: Path, timeout: float) -> str:
    """kill -9 of the instance a participant's route cookie points to (Voilà and its
    kernels, as a crash would), then the time from that moment until their resume link
    gives a working form on a live instance."""
    from tornado.httpclient import AsyncHTTPClient

    from coopkit import open_store

    with open_store(url) as store:
        group = store.workshop_by_code(code)
        token = store.join(code, _first_group(store, group)).token
    probe = await AsyncHTTPClient().fetch(f"http://127.0.0.1:{port}/{serve.READY_PATH}")
    cookie = re.search(r"coopkit_route=([^;]+)", probe.headers["Set-Cookie"]).group(1)
    victim = int(probe.headers["X-Coopkit-Upstream"].rsplit(":", 1)[1])
    state = json.loads((data / cluster.FOLDER / cluster.STATE_FILE).read_text())
    voila = psutil.Process(next(i["pid"] for i in state["instances"]
                                if i["port"] == victim))
    doomed = [voila, *voila.children(recursive=True)]
    for proc in doomed:
        proc.kill()
    killed = time.monotonic()
    psutil.wait_procs(doomed, timeout=30)
    try:
        result, ws = await open_page(port, code, timeout, query=f"resume={token}",
                                     cookie=cookie)
    except Exception as exc:  # reported with the figures, not raised
        return (f"resume link FAILED after {time.monotonic() - killed:.0f} s "
                f"({type(exc).__name__})")
    if ws is None:
        return f"resume link FAILED ({result.error})"
    await ws.close()
    return (f"instance :{victim} killed (kill -9); the participant's resume link gave a "
            f"working form on {result.instance} {time.monotonic() - killed:.2f} s later")


def _first_group(store, workshop) -> str:
    return store.questionnaire(workshop.questionnaire_hash).groups[0].id


# ------------------------------------------------------------------ topology

def free_block(size: int) -> int:
    for start in range(23000 + os.getpid() % 4000, 65000, size + 5):
        if all(serve.port_free(p) for p in range(start, start + size)):
            return start
    raise RuntimeError("no free ports")


def prepare(url: str) -> str:
    from coopkit import open_store
    from coopkit.definitions.questionnaire import load

    with open_store(url) as store:
        project = store.create_project("Banc d'essai grappe")
        return store.open_workshop(project, load(QUESTIONNAIRE), k=5).code


def start(data: Path, url: str, replicas: int, expect: int, fill_delay: float
          ) -> tuple[subprocess.Popen, int]:
    port = free_block(replicas + 1)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    env.pop("COOPKIT_DATABASE_URL", None)
    out = (data / "cluster.out").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "coopkit.cli", "cluster", "up",
                             "--data", str(data), "--port", str(port),
                             "--replicas", str(replicas), "--expect", str(expect),
                             "--fill-delay", f"{fill_delay:g}", "--database-url", url],
                            cwd=str(ROOT), env=env, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    state = data / cluster.FOLDER / cluster.STATE_FILE
    deadline = time.monotonic() + 1200
    while time.monotonic() < deadline and proc.poll() is None:
        if state.is_file() and cluster.nginx_ready(port):
            instances = json.loads(state.read_text())["instances"]
            if all(serve.warm_kernels(i["pid"], i["port"]) >= serve.pool_size(expect)
                   for i in instances):
                return proc, port
        time.sleep(1.0)
    raise RuntimeError(f"cluster not ready: {(data / 'cluster.out').read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(120)
    except subprocess.TimeoutExpired:
        proc.kill()


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(label: str, replicas: int, arrivals: int, spread: float, timeout: float,
        url: str, code: str, work: Path, idle: float, fill_delay: float = 3600.0) -> dict:
    data = work / label
    data.mkdir()
    proc, port = start(data, url, replicas, max(1, arrivals // replicas), fill_delay)
    try:
        pids = [proc.pid]
        found, peak = asyncio.run(burst(port, code, arrivals, spread, timeout, pids))
        idle_result = asyncio.run(idle_check(port, code, idle, timeout)) if idle else ""
        failed_over = (asyncio.run(failover(port, url, code, data, timeout))
                       if replicas > 1 else "")
    finally:
        stop(proc)
    ok = [a.seconds for a in found if a.ok and a.seconds is not None]
    return {"label": label, "n": arrivals, "ok": len(ok),
            "median": statistics.median(ok) if ok else None, "p95": p95(ok),
            "peak_mb": peak / MB, "spread": Counter(a.instance for a in found if a.ok),
            "errors": Counter(a.error for a in found if not a.ok), "idle": idle_result,
            "failover": failed_over}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrivals", type=int, default=200)
    parser.add_argument("--spread", type=float, default=5.0,
                        help="seconds over which the arrivals come (default 5)")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--idle", type=float, default=300.0,
                        help="seconds of silence on one websocket (0: skip)")
    parser.add_argument("--fill-delay", type=float, default=3600.0,
                        help="each instance's pool refill delay (default 3600: Voilà "
                             "starts one page per arrival after it, which during the run "
                             "would add a second pool's memory to the burst's)")
    args = parser.parse_args(argv)
    from coopkit.store.pgtemp import TempPostgres, find_bindir

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)", flush=True)
    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL server binaries not found")
        return 1
    rows = []
    with TempPostgres(bindir, max_connections=600) as pg, \
            tempfile.TemporaryDirectory(prefix="coopkit-cluster-bench-") as tmp:
        url = pg.create_database("bench")
        code = prepare(url)
        for label, replicas in (("one instance", 1), ("two instances", 2)):
            idle = args.idle if replicas == 2 else 0
            rows.append(run(label.replace(" ", "-"), replicas, args.arrivals, args.spread,
                            args.timeout, url, code, Path(tmp), idle, args.fill_delay))
            print(f"  {label}: done", flush=True)
    print(f"\n{args.arrivals} arrivals over {args.spread:g} s, through nginx "
          f"(time to a working form: page + kernel reply over the websocket)")
    print(f"{'topology':<16}{'ok':>6}{'median s':>10}{'p95 s':>8}{'peak MB':>9}  spread")
    for row in rows:
        median = f"{row['median']:.2f}" if row["median"] is not None else "-"
        worst = f"{row['p95']:.2f}" if row["p95"] is not None else "-"
        print(f"{row['label']:<16}{row['ok']:>4}/{row['n']:<3}{median:>8}{worst:>8}"
              f"{row['peak_mb']:>9.0f}  {dict(row['spread'])}"
              + (f"  errors {dict(row['errors'])}" if row["errors"] else ""))
    if rows[0]["p95"] and rows[1]["p95"]:
        print(f"p95 ratio two/one: {rows[1]['p95'] / rows[0]['p95']:.2f}")
    for row in rows:
        if row["idle"]:
            print(f"idle websocket through nginx ({row['label']}): {row['idle']}")
        if row["failover"]:
            print(f"failover ({row['label']}): {row['failover']}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
