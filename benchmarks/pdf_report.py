"""How long the steering committee's PDF of the demo project takes.

Builds the demo project (``coopkit demo``: 40 participants, T0 and T1, two
questionnaires, actions in every status) in a throw-away data folder, then times what a
consultant runs, ``coopkit export project:N --format pdf`` in a fresh process (imports
included), ``--runs`` times, and prints the median wall-clock and CPU time. Then, in this
process, the median of each step: reading the store (``gather``), building the pages
(analysis and charts) and the whole report (pages + matplotlib's PDF backend). On a
shared machine the wall-clock time follows the load; the CPU time much less.

Target: under 10 s for the command on the project's 2-core machine. ``--compare DIR``
also times the command with the coopkit of another checkout (e.g. ``/work/main``), the
two taking turns, and prints the ratios: on a shared machine a ratio within one run says
more than two figures taken at different loads.

Run: ``python benchmarks/pdf_report.py [--runs 3] [--lang fr] [--compare DIR]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = "from coopkit.cli import main; raise SystemExit(main())"


def _median_of(runs: int, step) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``step()`` over ``runs`` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        step()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _run(command: list[str], checkout: str | None) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``command`` (with the coopkit of ``checkout``)."""
    env = dict(os.environ)
    if checkout:
        env["PYTHONPATH"] = str(Path(checkout).resolve())
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # cwd: not a checkout (``python -c`` puts the working folder first on sys.path)
    subprocess.run(command, check=True, capture_output=True, env=env, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (now.ru_utime - used.ru_utime) + (now.ru_stime - used.ru_stime)


def _figures(runs: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in runs]
    return (f"median {statistics.median(walls):.2f} s wall "
            f"({', '.join(f'{w:.2f}' for w in walls)}), "
            f"{statistics.median(c for _, c in runs):.2f} s CPU")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", default="fr")
    parser.add_argument("--compare", metavar="DIR",
                        help="another checkout whose coopkit to time the same way")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")

    from coopkit.demo import build_demo
    from coopkit.exports.gather import gather
    from coopkit.exports.pdf import report_pages, write_report
    from coopkit.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        with open_store(data=str(data)) as store:
            project, _ = build_demo(store)
        out = Path(tmp) / "rapport.pdf"
        command = [sys.executable, "-c", CLI, "export", f"project:{project}", "--format",
                   "pdf", "--out", str(out), "--data", str(data), "--lang", args.lang]
        ours, others = [], []
        for _ in range(args.runs):
            ours.append(_run(command, None))
            if args.compare:
                others.append(_run(command, args.compare))
        median = statistics.median(w for w, _ in ours)
        with open_store(data=str(data)) as store:
            report = gather(store, project, kind="project")
            pages = len(report_pages(report, args.lang))
            print(f"coopkit export (fresh process, {args.runs} runs): {_figures(ours)}; "
                  f"{pages} pages -> {'under' if median < 10 else 'OVER'} the 10 s target")
            if others:
                wall = statistics.median(w for w, _ in others) / median
                cpu = (statistics.median(c for _, c in others)
                       / statistics.median(c for _, c in ours))
                print(f"  the same with {args.compare}: {_figures(others)}; "
                      f"it takes {wall:.2f}x the wall-clock and {cpu:.2f}x the CPU time")
            steps = {
                "gather (store)": lambda: gather(store, project, kind="project"),
                "pages (analysis + charts)": lambda: report_pages(report, args.lang),
                "whole report, in process": lambda: write_report(report, out, args.lang),
            }
            for name, step in steps.items():
                wall, cpu = _median_of(args.runs, step)
                print(f"  {name:28s} median {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
