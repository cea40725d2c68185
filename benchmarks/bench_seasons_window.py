"""How fast a window of the year answers over 15 years of day-level incidents.

Run::

    .venv/bin/python benchmarks/bench_seasons_window.py [--years 15] [--per-day 300]
        [--districts 33] [--runs 10] [--seed 14]

1. Generates ``--years`` years (ending 2024) of dated incidents, ``--per-day`` a day on
   average (Poisson-like, random with a fixed seed) spread over ``--districts`` London
   boroughs and four categories, as one CSV, and imports it with a mapping through
   ``insight.imports.import_incidents`` into a temporary incident store (the real path).
2. For every day window of the catalogue (and a user window 10-29..11-12) counts the
   window over every year with :func:`saferplaces.insight.windows.count_window` and
   compares the latest year with :func:`compare_years`: once cold, then ``--runs``
   times warm (median and max), for one borough and for all of them. The very first
   window after an import also counts the store's dated incidents by day (a temporary
   table on the store's connection); that time is reported on its own.

Goal (issue 14): any window over 15 years of day-level incidents ≤ 200 ms warm. Timings
are reported, never asserted. Prints a table and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from saferplaces.insight.imports import import_incidents  # noqa: E402
from saferplaces.insight.seasons import DayWindow  # noqa: E402
from saferplaces.insight.store import IncidentStore  # noqa: E402
from saferplaces.insight.windows import NAMED, DatedWindow, compare_years, count_window  # noqa: E402

GOAL_MS = 200.0
KINDS = ["Bin", "House", "Car", "Grass"]
MAPPING = """source = "bench"
dataset = "incidents"
[columns]
date = "date"
time = "time"
category = "kind"
district = "district"
[categories]
"Bin" = "deliberate-secondary-fire"
"House" = "accidental-dwelling-fire"
"Car" = "vehicle-fire"
default = "outdoor-fire"
"""


def generate(folder: Path, years: int, per_day: int, districts: list[str], seed: int) -> int:
    rng = random.Random(seed)
    day, last = date(2024 - years + 1, 1, 1), date(2024, 12, 31)
    n = 0
    with (folder / "incidents.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["date", "time", "kind", "district"])
        while day <= last:
            festive = (day.month, day.day) in {(10, 31), (11, 4), (11, 5)}
            k = max(0, int(rng.gauss(per_day * (2 if festive else 1), per_day**0.5)))
            text = day.isoformat()
            for _ in range(k):
                out.writerow([text, f"{rng.randrange(24):02d}:{rng.randrange(60):02d}",
                              rng.choice(KINDS), rng.choice(districts)])  # fmt: skip
            n += k
            day += timedelta(days=1)
    (folder / "mapping.toml").write_text(MAPPING, "utf-8")
    return n


def timed(fn: object, runs: int) -> tuple[float, float, float]:
    assert callable(fn)
    t0 = time.perf_counter()
    fn()
    cold = (time.perf_counter() - t0) * 1000
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        warm.append((time.perf_counter() - t0) * 1000)
    return cold, statistics.median(warm), max(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--per-day", type=int, default=300)
    parser.add_argument("--districts", type=int, default=33)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    districts = [f"E090000{i:02d}" for i in range(1, args.districts + 1)]
    folder = Path(tempfile.mkdtemp(prefix="bench-seasons-"))
    try:
        t0 = time.perf_counter()
        rows = generate(folder, args.years, args.per_day, districts, args.seed)
        store = IncidentStore(folder / "store")
        import_incidents(store, folder / "mapping.toml", folder / "incidents.csv")
        setup = time.perf_counter() - t0
        print(f"{rows:,} incidents over {args.years} years, {len(districts)} districts "
              f"(generated and imported in {setup:.1f} s)")  # fmt: skip
        t0 = time.perf_counter()
        count_window(store, NAMED["halloween"], districts=districts[:1])  # type: ignore[arg-type]
        first_ms = (time.perf_counter() - t0) * 1000
        print(f"first window after the import (makes the day rollup): {first_ms:.0f} ms")
        windows: dict[str, DayWindow | DatedWindow] = {
            k: v for k, v in NAMED.items() if isinstance(v, DayWindow | DatedWindow)
        }
        windows["10-29..11-12"] = DayWindow("10-29..11-12", (10, 29), (11, 12))
        results = []
        print(f"{'window':<18} {'place':<10} {'years':>5} {'cold ms':>8} {'warm median':>12} "
              f"{'warm max':>9}  goal {GOAL_MS:.0f} ms")  # fmt: skip
        for name, window in windows.items():
            for label, place in (("1 borough", districts[29:30]), ("all", districts)):

                def run(window: DayWindow | DatedWindow = window, place: list[str] = place) -> int:
                    got = count_window(store, window, districts=place)
                    compare_years(got.years)
                    return len(got.years)

                n_years = run()
                cold, median, worst = timed(run, args.runs)
                ok = "ok" if worst <= GOAL_MS else "OVER"
                print(f"{name:<18} {label:<10} {n_years:>5} {cold:>8.1f} {median:>12.1f} "
                      f"{worst:>9.1f}  {ok}")  # fmt: skip
                results.append({"window": name, "place": label, "years": n_years,
                                "cold_ms": round(cold, 1), "warm_median_ms": round(median, 1),
                                "warm_max_ms": round(worst, 1)})  # fmt: skip
        worst_all = max(r["warm_max_ms"] for r in results)  # type: ignore[type-var]
        print(f"slowest warm run: {worst_all} ms (goal {GOAL_MS:.0f} ms)")
        print(json.dumps({"rows": rows, "years": args.years, "districts": len(districts),
                          "goal_ms": GOAL_MS, "first_ms": round(first_ms, 1),
                          "results": results}))  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
