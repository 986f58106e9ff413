"""How long the full analysis of a very large workshop takes.

10,000 synthetic participants (5 groups of 2,000) x a 60-item questionnaire (9 own
feelings, 6 "in the other's shoes" estimates, 45 readiness statements), about 590,000
answers. The "full analysis" is what a consultant's dashboard recomputes: readiness by
section and by principle per group, the feelings map, divergence and tendencies.
Prints the median of several runs, each step's median, and the ratio against a naive
implementation that loops over participants in Python (timed on a subset and scaled
linearly, the loop being linear in the number of participants); the naive figures are
checked against the vectorised ones on that subset.

Run: ``python benchmarks/analysis_scale.py [--runs 7] [--naive-participants 1000]``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import pandas as pd

from coopkit import analysis, synthetic
from coopkit.definitions import method
from coopkit.definitions.questionnaire import Questionnaire

PARTICIPANTS_PER_GROUP = 2_000


def full_analysis(frame: pd.DataFrame, q: Questionnaire) -> dict[str, pd.DataFrame]:
    """The analyses the benchmark times, as a dashboard would run them."""
    return {
        "readiness_section": analysis.readiness(frame, q, level="section", by="group"),
        "readiness_principle": analysis.readiness(frame, q, level="principle", by="group"),
        "feelings_map": analysis.feelings_map(frame),
        "divergence": analysis.divergence(frame, q),
        "tendencies": analysis.tendencies(frame),
    }


def naive_analysis(frame: pd.DataFrame, q: Questionnaire) -> dict[str, dict]:
    """The same figures computed the obvious way: one participant at a time (validated
    answers only, as every figure shown to others)."""
    frame = frame[frame["validated"].to_numpy(dtype=bool)]
    readiness_ids = {it.id for it in q.items()
                     if it.scored and it.feeling is None and it.about is None}
    principles = {it.id: it.principles for it in q.items()}
    section_of = defaultdict(list)      # (group, section) -> person means
    principle_of = defaultdict(list)    # (group, principle) -> person means
    cell_of = defaultdict(list)         # (group, theme, feeling) -> person means
    feeling_of = defaultdict(list)      # (group, feeling) -> person means
    item_of = defaultdict(list)         # item -> [(group, score)]
    for _, rows in frame.groupby("participant", sort=False):
        group = rows["group"].iloc[0]
        scored = rows[rows["score"].notna()]
        ready = scored[scored["item_id"].isin(readiness_ids)]
        for section, part in ready.groupby("section_id"):
            section_of[(group, section)].append(part["score"].mean())
        per_principle = defaultdict(list)
        for row in ready.itertuples(index=False):
            for p in principles[row.item_id]:
                per_principle[p].append(row.score)
        for p, scores in per_principle.items():
            principle_of[(group, p)].append(sum(scores) / len(scores))
        own = scored[scored["feeling"].notna() & scored["about"].isna()]
        for (theme, feeling), part in own.groupby(["theme", "feeling"]):
            cell_of[(group, theme, feeling)].append(part["score"].mean())
        for feeling, part in own.groupby("feeling"):
            feeling_of[(group, feeling)].append(part["score"].mean())
        for row in scored.itertuples(index=False):
            item_of[row.item_id].append((group, row.score))
    k = analysis.anonymity_k(frame)
    divergence = {}
    for item, pairs in item_of.items():
        scores = np.array([s for _, s in pairs])
        by_group = defaultdict(list)
        for g, s in pairs:
            by_group[g].append(s)
        means = [sum(v) / len(v) for v in by_group.values() if len(v) >= k]
        gap = max(means) - min(means) if len(means) >= 2 else 0.0
        low, high = np.mean(scores <= 0.25), np.mean(scores >= 0.75)
        divergence[item] = (2 * scores.std() + 2 * min(low, high) + gap) / 3
    tendencies = {}  # the components the tendency rests on: A, F, T per group
    for group in {g for g, _ in feeling_of}:
        tendencies[group] = tuple(statistics.fmean(feeling_of[(group, x)])
                                  for x in method.FEELING_IDS)
    mean = statistics.fmean
    return {
        "readiness_section": {key: mean(v) for key, v in section_of.items()},
        "readiness_principle": {key: mean(v) for key, v in principle_of.items()},
        "feelings_map": {key: mean(v) for key, v in cell_of.items()},
        "divergence": divergence,
        "tendencies": tendencies,
    }


def agree(fast: dict[str, pd.DataFrame], slow: dict[str, dict]) -> bool:
    """Whether the naive figures match the vectorised ones (unmasked cells)."""
    checks = []
    rs = fast["readiness_section"].set_index(["group", "section_id"])["score"]
    checks += [math.isclose(rs[key], v) for key, v in slow["readiness_section"].items()]
    rp = fast["readiness_principle"].set_index(["group", "principle"])["score"]
    checks += [math.isclose(rp[key], v) for key, v in slow["readiness_principle"].items()]
    fm = fast["feelings_map"].set_index(["group", "theme", "feeling"])["mean"]
    checks += [math.isclose(fm[key], v) for key, v in slow["feelings_map"].items()]
    dv = fast["divergence"].set_index("item_id")["index"]
    checks += [math.isclose(dv[key], v) for key, v in slow["divergence"].items()]
    td = fast["tendencies"].set_index("group")
    checks += [np.allclose(td.loc[g, list(method.FEELING_IDS)].astype(float), v)
               for g, v in slow["tendencies"].items()]
    return bool(checks) and all(checks)


def timed(fn: Callable[[], object], runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock seconds of each run (CPU seconds appended to ``cpu`` when given: on a
    shared machine they show the work itself, apart from waiting for a core)."""
    times = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--naive-participants", type=int, default=1_000)
    args = parser.parse_args(argv)

    q = synthetic.example_questionnaire(readiness_items=45)
    groups = {g: PARTICIPANTS_PER_GROUP for g in synthetic.DEMO_GROUPS}
    start = time.perf_counter()
    frame = synthetic.answers(q, groups, seed=1)
    built = time.perf_counter() - start
    people = frame["participant"].nunique()
    print(f"synthetic answers: {people:,} participants x {q.summary()[1]} items = "
          f"{len(frame):,} answers (built in {built:.1f} s)")

    full_analysis(frame, q)  # warm-up (imports, caches)
    cpu: list[float] = []
    times = timed(lambda: full_analysis(frame, q), args.runs, cpu)
    median = statistics.median(times)
    print(f"full analysis (readiness by section and principle, feelings map, divergence, "
          f"tendencies): median {median:.3f} s over {args.runs} runs "
          f"(min {min(times):.3f}, max {max(times):.3f}); CPU time median "
          f"{statistics.median(cpu):.3f} s")
    steps = {
        "readiness by section": lambda: analysis.readiness(frame, q, by="group"),
        "readiness by principle": lambda: analysis.readiness(frame, q, level="principle",
                                                             by="group"),
        "feelings map": lambda: analysis.feelings_map(frame),
        "divergence": lambda: analysis.divergence(frame, q),
        "tendencies": lambda: analysis.tendencies(frame),
        "(also) completion by section": lambda: analysis.completion(frame, q, by="group"),
        "(also) weakest items per group": lambda: analysis.weakest_items(frame, q,
                                                                         by="group"),
        "(also) other's shoes": lambda: analysis.others_shoes(frame),
    }
    for name, fn in steps.items():
        print(f"  {name:32s} {statistics.median(timed(fn, 3)):.3f} s")

    subset_ids = frame["participant"].drop_duplicates().sample(
        n=min(args.naive_participants, people), random_state=0)
    subset = frame[frame["participant"].isin(subset_ids)]
    subset.attrs = dict(frame.attrs)
    start, start_cpu = time.perf_counter(), time.process_time()
    slow = naive_analysis(subset, q)
    naive = (time.perf_counter() - start) * people / len(subset_ids)
    naive_cpu = (time.process_time() - start_cpu) * people / len(subset_ids)
    same = agree(full_analysis(subset, q), slow)
    print(f"naive per-participant loop: {naive:.1f} s for {people:,} participants "
          f"(timed on {len(subset_ids):,}, scaled linearly); same figures: "
          f"{'yes' if same else 'NO'}")
    print(f"ratio naive / vectorised: {naive / median:.0f}x wall-clock, "
          f"{naive_cpu / statistics.median(cpu):.0f}x CPU time")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
