"""A campaign of 10 000: from the store to the five charts, each stage timed, before and
after issue 18, on SQLite and on PostgreSQL.

Builds a store of 10 000 synthetic participants (5 groups of 2 000) x a 60-item
questionnaire (about 576 000 answers) through the bulk path
(:func:`coopkit.store.bulk.load_participants`), then times:

* ``answers_frame``: the store's frame (after), and the row-by-row reference it
  replaced (before, ``tests/frames_reference.py``; checked to give the same frame);
* the full analysis: readiness by section and by principle, feelings map, divergence,
  tendencies (what ``benchmarks/analysis_scale.py`` times);
* the five charts drawn as PNG (``coopkit.consultant.room.figure_png``);
* a live refresh, as the room view does it: after a new answer of someone who has not
  validated yet (no chart of validated answers changes: none redrawn), and after a new
  validation (the charts that changed are redrawn).

Prints the load average first (the machine is shared), the median of ``--runs`` runs
per stage, wall-clock and CPU seconds.

    python benchmarks/campaign_read.py                       # SQLite and PostgreSQL
    python benchmarks/campaign_read.py --backend sqlite --runs 3 --before-runs 1

PostgreSQL: ``$COOPKIT_DATABASE_URL`` when set, else a throw-away cluster from the
machine's server binaries (durable settings), else skipped.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the row-by-row reference lives with its test

import pandas as pd  # noqa: E402
from frames_reference import answers_frame as reference_frame  # noqa: E402

from coopkit import analysis, charts, synthetic  # noqa: E402
from coopkit.consultant.room import ChartCache, figure_png  # noqa: E402
from coopkit.store import Store, open_store  # noqa: E402
from coopkit.store.bulk import load_participants  # noqa: E402

CHARTS = {  # name -> (analysis, chart, size in inches as in the room and the notebooks)
    "readiness by section": (lambda f, q: analysis.readiness(f, q, level="section",
                                                             by="group"),
                             charts.plot_readiness, (13, 7)),
    "readiness by principle": (lambda f, q: analysis.readiness(f, q, level="principle",
                                                               by="group"),
                               charts.plot_readiness, (13, 7)),
    "feelings map": (lambda f, q: analysis.feelings_map(f), charts.plot_feelings_map,
                     (13, 6.5)),
    "divergence": (lambda f, q: analysis.divergence(f, q), charts.plot_divergence,
                   (13, 7.5)),
    "tendencies": (lambda f, q: analysis.tendencies(f), charts.plot_tendencies, (13, 7)),
}


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """(median wall s, median CPU s, last result) over ``runs`` runs."""
    walls, cpus, out = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), out


def full_analysis(frame: pd.DataFrame, q) -> dict[str, pd.DataFrame]:
    return {name: make(frame, q) for name, (make, _, _) in CHARTS.items()}


def draw_all(results: dict[str, pd.DataFrame], cache: ChartCache | None = None) -> int:
    """Draw the five charts (through ``cache`` when given); returns how many were drawn."""
    drawn = 0
    for name, (_, draw, size) in CHARTS.items():
        if cache is None:
            figure_png(draw, results[name], size=size)
            drawn += 1
        else:
            before = cache.redrawn
            cache.png(name, draw, results[name], size=size)
            drawn += cache.redrawn - before
    return drawn


def build(url: str, participants: int, items: int) -> tuple[Store, int, object, float, int]:
    q = synthetic.example_questionnaire(readiness_items=items - 15)
    groups = {g: participants // len(synthetic.DEMO_GROUPS) for g in synthetic.DEMO_GROUPS}
    frame = synthetic.answers(q, groups, seed=1)
    store = open_store(url)
    ws = store.open_workshop(store.create_project("Campagne GHT"), q)
    start = time.perf_counter()
    load_participants(store, ws.id, synthetic.store_participants(frame))
    return store, ws.id, q, time.perf_counter() - start, len(frame)


def bench(name: str, url: str, args: argparse.Namespace) -> None:
    store, wid, q, built, answers = build(url, args.participants, args.items)
    print(f"\n{name}: {args.participants:,} participants x {args.items} items = "
          f"{answers:,} answers, loaded in bulk in {built:.1f} s")

    def stage(label: str, fn: Callable[[], object], runs: int) -> object:
        wall, cpu, out = timed(fn, runs)
        print(f"  {label:58s} {wall:7.3f} s wall {cpu:7.3f} s CPU")
        return out

    frame = stage("after:  answers_frame", lambda: store.answers_frame(wid), args.runs)
    old = stage("before: answers_frame (row by row, the reference)",
                lambda: reference_frame(store, wid), args.before_runs)
    pd.testing.assert_frame_equal(frame, old, check_exact=True)
    print("  same frame before and after: yes")
    results = stage("full analysis (5 figures)", lambda: full_analysis(frame, q), args.runs)
    stage("5 charts drawn as PNG", lambda: draw_all(results), args.runs)
    stage("after:  store -> frame -> analysis -> 5 charts",
          lambda: draw_all(full_analysis(store.answers_frame(wid), q)), args.runs)
    stage("before: store -> frame -> analysis -> 5 charts",
          lambda: draw_all(full_analysis(reference_frame(store, wid), q)), args.before_runs)

    # a live view: validated answers only, charts redrawn only when their figure changed
    cache = ChartCache()
    draw_all(full_analysis(analysis.select(frame, validated_only=True), q), cache)
    ws = store.workshop(wid)
    people = iter(range(10**6))

    def live(kind: str) -> int:
        person = store.join(ws.code, synthetic.DEMO_GROUPS[next(people) % 5])
        for item in q.required_of(person.group):
            store.save_answer(person.token, item.id, synthetic_value(item))
        if kind == "validated":
            store.validate(person.token)
        wall = time.perf_counter()
        drawn = draw_all(full_analysis(analysis.select(store.answers_frame(wid),
                                                       validated_only=True), q), cache)
        live_times.setdefault(kind, []).append((time.perf_counter() - wall, drawn))
        return drawn

    live_times: dict[str, list[tuple[float, int]]] = {}
    for _ in range(args.runs):
        live("answered")
        live("validated")
    for kind, label in (("answered", "a new answer, not validated yet"),
                        ("validated", "a new validated participant")):
        wall = statistics.median(t for t, _ in live_times[kind])
        drawn = statistics.median(d for _, d in live_times[kind])
        print(f"  live refresh after {label:39s} {wall:7.3f} s wall "
              f"(charts redrawn: {drawn:g} of 5)")
    store.close()


def synthetic_value(item) -> object:
    if item.type == "intensity":
        return (item.max or 5) // 2
    if item.type == "scale" and item.scale is not None:
        return item.scale.values[-1]
    return item.choices[0].id if item.choices else "ras"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=60, help="at least 15")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before-runs", type=int, default=1,
                        help="runs of the row-by-row reference (about 20 s each)")
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, load average at start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; medians of {args.runs} runs "
          f"(before: {args.before_runs})")
    folder = Path(tempfile.mkdtemp(prefix="coopkit-campaign-"))
    cluster = None
    try:
        if "sqlite" in args.backend:
            bench("SQLite", f"sqlite:///{folder / 'coopkit.sqlite'}", args)
        if "postgres" in args.backend:
            url = os.environ.get("COOPKIT_DATABASE_URL")
            if not url:
                from coopkit.store.pgtemp import TempPostgres, find_bindir

                bindir = find_bindir()
                if bindir is None:
                    print("PostgreSQL: no server binaries found, skipped.", file=sys.stderr)
                else:
                    cluster = TempPostgres(bindir, durable=True).start()
                    url = cluster.create_database("campaign")
            if url:
                bench("PostgreSQL", url, args)
        print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
