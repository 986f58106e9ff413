"""How long importing each real XLSForm of tests/data/xlsforms takes (target: under 2 s).

For each form: the median of ``--runs`` imports (``load_xlsform``: read the workbook by
pyxform's rules, convert, check; a refusal counts, as it is the answer the trainer gets),
its outcome (imported, or refused with N messages) and how many rows the workbook
claims. ``--naive`` also times what the reader did before (every row of every sheet,
each made into a mapping of its cells) for the forms formatted down to row 1 048 576
(seconds to minutes each: off by default).

Run: ``python benchmarks/xlsform_real.py [--runs 3] [--naive]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

FORMS = Path(__file__).resolve().parent.parent / "tests" / "data" / "xlsforms"
TARGET = 2.0


def _import(path: Path) -> str:
    from coopkit.definitions.xlsform import load_xlsform
    from coopkit.errors import CoopkitError

    try:
        q = load_xlsform(path)
    except CoopkitError as exc:
        return f"refused, {len(exc.errors)} error(s), {len(exc.warnings)} warning(s)"
    return f"imported, {len(list(q.items()))} question(s)"


def _claimed_rows(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return max((ws.max_row or 0) for ws in book.worksheets)
    finally:
        book.close()


def _naive(path: Path) -> float:
    """The reader before pyxform's rules: every row of every sheet, each turned into a
    mapping of its non-empty cells."""
    import openpyxl

    start = time.perf_counter()
    book = openpyxl.load_workbook(path, read_only=True)
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else ())]
        for values in rows[1:]:
            {h: v for h, v in zip(header, values, strict=False)
             if h and v is not None and str(v).strip() != ""}
    book.close()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive", action="store_true",
                        help="also time openpyxl reading every row (slow on big sheets)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # openpyxl's notes on extensions it drops
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    import openpyxl  # noqa: F401

    import coopkit.definitions.xlsform  # noqa: F401  (imports are not the form's time)

    slowest = 0.0
    for path in sorted(FORMS.glob("*.xlsx")):
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            outcome = _import(path)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        slowest = max(slowest, median)
        line = (f"{median:7.3f} s  {path.name:52s} {path.stat().st_size // 1024:4d} KiB, "
                f"claims {_claimed_rows(path):>9,} rows: {outcome}")
        if args.naive and _claimed_rows(path) > 100_000:
            line += f"; every row read: {_naive(path):.1f} s"
        print(line)
    verdict = "under" if slowest < TARGET else "OVER"
    print(f"slowest median {slowest:.3f} s: {verdict} the {TARGET:.0f} s target; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0 if slowest < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
