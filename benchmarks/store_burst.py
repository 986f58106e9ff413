"""How fast is ``save_answer`` when a whole room answers at once, and is anything lost?

Starts N writer *processes* (one per participant, as each Voilà page is its own
kernel). Each opens the store, joins the workshop and waits; when all are ready they
are released together and each answers the whole questionnaire, timing every
``save_answer``, then validates. The parent then reads every answer back and counts
the ones missing or different ("lost").

    python benchmarks/store_burst.py                     # SQLite, and PostgreSQL if found
    python benchmarks/store_burst.py --writers 1 20 100 --items 20 --think-ms 1000
    python benchmarks/store_burst.py --backend postgres --writers 100 200
    COOPKIT_DATABASE_URL=postgresql://... python benchmarks/store_burst.py

PostgreSQL: ``$COOPKIT_DATABASE_URL`` when set, else a throw-away cluster started from
the server binaries of the machine (durable settings: fsync on; ``max_connections``
100, PostgreSQL's default), else skipped. With the throw-away cluster, each number of
writers runs twice: straight to the server, and through pgbouncer in transaction mode
(Debian's ``pgbouncer``, 20 server connections; ``--pooler`` chooses). The table also
shows the most server connections seen at once (sampled from ``pg_stat_activity``).
Server, pooler and writers share the machine's CPUs here; in production the server and
pgbouncer have their own. ``--nice 10`` runs the writers at a lower priority, which
approximates that (without it, on 2 cores, every hop through pgbouncer waits behind a
queue of writer processes).

Pace. A person reads a question before answering: each writer waits a random time
between two answers (uniform between 0 and twice ``--think-ms``; the first answer too,
since people do not all tap at the same millisecond). The default, 1 s on average, is
a very fast participant (on a phone it is rather 5 to 15 s), so 100 writers send
about ten times the saves of a real room. ``--stress`` adds, for the largest number of
writers, a run with no pause at all: every writer saves as fast as it can, which on a
small machine measures the CPU queue more than the store.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _t(text: str) -> dict[str, str]:
    return {"fr": text, "en": text}


def questionnaire_mapping(items: int) -> dict:
    """A feelings questionnaire of ``items`` items of several types."""
    entries = []
    for n in range(items):
        kind = ("scale", "scale", "intensity", "single")[n % 4]
        entry: dict = {"id": f"q{n:03d}", "type": kind, "text": _t(f"Question {n}"),
                       "feeling": ("attrait", "peur", "tentation")[n % 3],
                       "theme": ("qualite", "accompagnement", "arbitrage")[n % 3]}
        if kind == "scale":
            entry["scale"] = "accord"
        elif kind == "intensity":
            entry["max"] = 5
        else:
            entry["choices"] = [{"id": "oui", "label": _t("Oui"), "score": 1},
                                {"id": "non", "label": _t("Non"), "score": 0}]
        entries.append(entry)
    return {
        "id": "burst", "version": "1", "kind": "feelings", "title": _t("Burst"),
        "groups": ["personnel", "medical_soignant", "direction_generale"],
        "scales": {"accord": {"points": [{"value": v, "label": _t(str(v))}
                                         for v in range(1, 5)]}},
        "sections": [{"id": "all", "title": _t("All"), "items": entries}],
    }


def value_for(item, seed: int) -> object:
    if item.type == "scale":
        return item.scale.values[seed % len(item.scale.values)]
    if item.type == "intensity":
        return seed % (item.max + 1)
    return item.choices[seed % len(item.choices)].id


# ------------------------------------------------------------------------ worker

def worker(url: str, code: str, seed: int, think_ms: float) -> None:
    """One participant: join, say "ready", wait for "go", answer everything."""
    import random

    from coopkit.errors import CoopkitError
    from coopkit.store import open_store

    with open_store(url) as store:
        participant = store.join(code, ("personnel", "medical_soignant",
                                        "direction_generale")[seed % 3])
        questionnaire = store.questionnaire(
            store.workshop(participant.workshop_id).questionnaire_hash)
        items = list(questionnaire.items())
        print("ready", flush=True)
        sys.stdin.readline()
        latencies, saved, errors = [], {}, []
        pause = random.Random(seed)
        for item in items:
            if think_ms:
                time.sleep(pause.uniform(0, 2 * think_ms) / 1000)
            value = value_for(item, seed)
            start = time.perf_counter()
            try:
                store.save_answer(participant.token, item.id, value)
            except CoopkitError as exc:  # e.g. store_busy: counted, never hidden
                errors.append(exc.codes[0])
            else:
                saved[item.id] = value
            latencies.append(time.perf_counter() - start)
        try:
            store.validate(participant.token)
        except CoopkitError as exc:
            errors.append(exc.codes[0])
    print(json.dumps({"token": participant.token, "latencies": latencies,
                      "saved": saved, "errors": errors}), flush=True)


# ------------------------------------------------------------------------ parent

def run(url: str, writers: int, items: int, think_ms: float,
        server_url: str | None = None, nice: int = 0) -> dict:
    from coopkit.definitions.questionnaire import parse
    from coopkit.store import open_store

    sampler = _ConnectionSampler(server_url) if server_url else None
    with open_store(url) as store:
        project = store.create_project(f"burst {writers}")
        workshop = store.open_workshop(project, parse(questionnaire_mapping(items)))
        procs = [
            subprocess.Popen([sys.executable, __file__, "--worker", url, workshop.code,
                              str(seed), str(think_ms)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             preexec_fn=(lambda: os.nice(nice)) if nice else None)
            for seed in range(writers)
        ]
        try:
            for proc in procs:  # every writer joined and waits
                line = proc.stdout.readline()
                if line.strip() != "ready":
                    raise RuntimeError(f"a writer failed to start: {line!r}")
            if sampler:
                sampler.start()
            for proc in procs:  # release them together
                proc.stdin.write("go\n")
                proc.stdin.flush()
            results = []
            for proc in procs:
                out, _ = proc.communicate(timeout=900)
                results.append(json.loads(out.strip().splitlines()[-1]))
        finally:
            if sampler:
                sampler.stop()
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
        latencies = [x for r in results for x in r["latencies"]]
        lost = 0
        for result in results:
            found = store.answers(result["token"])
            lost += sum(1 for k, v in result["saved"].items() if found.get(k) != v)
        errors = [e for r in results for e in r["errors"]]
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"writers": writers, "think": think_ms, "answers": len(latencies),
            "p50": cuts[49] * 1000,
            "p95": cuts[94] * 1000, "max": max(latencies) * 1000, "lost": lost,
            "errors": len(errors), "server": sampler.peak if sampler else None}


class _ConnectionSampler:
    """Samples the number of server connections (``pg_stat_activity``) in a thread."""

    def __init__(self, url: str):
        import threading

        self.url, self.peak = url, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        import psycopg

        from coopkit.store.engine import normalise_url

        url = normalise_url(self.url).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False),
                             autocommit=True) as conn:
            while not self._stop.wait(0.05):
                count = conn.execute("SELECT count(*) FROM pg_stat_activity "
                                     "WHERE backend_type = 'client backend'").fetchone()[0]
                self.peak = max(self.peak, int(count) - 1)  # not this sampler's own


def backends(args: argparse.Namespace, stack: list) -> list[tuple[str, str, str | None]]:
    """(name, URL the writers use, URL of the server itself for sampling or None)."""
    folder = Path(tempfile.mkdtemp(prefix="coopkit-burst-"))
    stack.append(lambda: __import__("shutil").rmtree(folder, ignore_errors=True))
    chosen: list[tuple[str, str, str | None]] = []
    if "sqlite" in args.backend:
        chosen.append(("sqlite", f"sqlite:///{folder / 'coopkit.sqlite'}", None))
    if "postgres" in args.backend:
        url = os.environ.get("COOPKIT_DATABASE_URL")
        if url:
            chosen.append(("postgresql", url, None))
            return chosen
        from coopkit.store.pgtemp import TempPgBouncer, TempPostgres, find_bindir, find_pgbouncer

        bindir = find_bindir()
        if bindir is None:
            print("PostgreSQL: no server binaries found, skipped.", file=sys.stderr)
            return chosen
        cluster = TempPostgres(bindir, durable=True).start()
        stack.append(cluster.stop)
        url = cluster.create_database("burst")
        if "none" in args.pooler:
            chosen.append(("postgresql", url, url))
        if "pgbouncer" in args.pooler:
            program = find_pgbouncer()
            if program is None:
                print("pgbouncer: not found (apt-get install pgbouncer), skipped.",
                      file=sys.stderr)
            else:
                bouncer = TempPgBouncer(cluster, program).start()
                stack.append(bouncer.stop)
                chosen.append(("pg+bouncer", bouncer.url("burst"), url))
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=4, metavar=("URL", "CODE", "SEED", "THINK"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 20, 100])
    parser.add_argument("--items", type=int, default=20, help="items per questionnaire")
    parser.add_argument("--think-ms", type=float, default=1000.0,
                        help="mean pause before each answer of a writer (default 1000)")
    parser.add_argument("--stress", action="store_true",
                        help="also run the largest number of writers with no pause")
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    parser.add_argument("--nice", type=int, default=0, metavar="N",
                        help="run the writers N steps nicer than the server (and pgbouncer):"
                             " on one small machine, as if the server had its own")
    parser.add_argument("--pooler", nargs="+", default=["none", "pgbouncer"],
                        choices=["none", "pgbouncer"],
                        help="PostgreSQL: straight to the server and/or through pgbouncer")
    args = parser.parse_args(argv)
    if args.worker:
        url, code, seed, think = args.worker
        worker(url, code, int(seed), float(think))
        return 0

    stack: list = []
    try:
        rows = []
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
        for name, url, server in backends(args, stack):
            for n in args.writers:
                rows.append((name, run(url, n, args.items, args.think_ms, server, args.nice)))
            if args.stress:
                rows.append((name, run(url, max(args.writers), args.items, 0.0, server,
                                       args.nice)))
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end; "
              f"{args.items} items per writer; pace = mean pause before each answer; "
              f"server = most PostgreSQL connections seen at once")
        header = (f"{'backend':<11} {'writers':>7} {'pace':>6} {'answers':>7} {'p50 ms':>7} "
                  f"{'p95 ms':>7} {'max ms':>7} {'lost':>5} {'errors':>6} {'server':>6}")
        print(header)
        print("-" * len(header))
        for name, r in rows:
            pace = f"{r['think'] / 1000:g} s" if r["think"] else "none"
            print(f"{name:<11} {r['writers']:>7} {pace:>6} {r['answers']:>7} "
                  f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['max']:>7.1f} {r['lost']:>5} "
                  f"{r['errors']:>6} {'' if r['server'] is None else r['server']:>6}")
        return 1 if any(r["lost"] for _, r in rows) else 0
    finally:
        for undo in reversed(stack):
            undo()


if __name__ == "__main__":
    sys.exit(main())
