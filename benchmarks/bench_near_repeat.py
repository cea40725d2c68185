"""Speed of the Knox test (near repeats) against the issue's target.

Run::

    .venv/bin/python benchmarks/bench_near_repeat.py [--events 10000] [--permutations 999]
        [--runs 3]

Synthetic dated incidents (seeded): ``--events`` incidents over two years, 85 % spread
at random and 15 % near repeats of earlier ones (a Gaussian 60 m away, 0-9 days later),
in two layouts:

1. a district: 20 km × 17 km (about West Lancashire's extent);
2. a dense inner-city borough: 5 km × 4 km (about Tower Hamlets), where far more pairs
   fall within 500 m.

Each runs the Knox test with the default bands (100 m × 5, 7 days × 3) and 999
permutations: target ≤ 10 s for 10,000 incidents. Times are the median of ``--runs``
runs after one warm-up; the processor time (all threads) is printed beside the wall
time, and the load average before the run, because a busy machine stretches the wall
time. Prints a table and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from saferplaces.insight.near_repeat import knox

TARGET_S = 10.0
LAYOUTS = {"district": (20_000.0, 17_000.0), "dense borough": (5_000.0, 4_000.0)}


def incidents(
    n: int, width: float, height: float, seed: int = 42
) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(dates, x, y) of ``n`` synthetic incidents with planted near repeats."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, width, n), rng.uniform(0, height, n)
    days = np.datetime64("2022-01-01") + rng.integers(0, 730, n).astype("timedelta64[D]")
    k = int(n * 0.15)
    src = rng.integers(0, n - k, k)
    x[n - k :] = x[src] + rng.normal(0, 60, k)
    y[n - k :] = y[src] + rng.normal(0, 60, k)
    days[n - k :] = days[src] + rng.integers(0, 10, k).astype("timedelta64[D]")
    return days, x, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, Any] = {"events": args.events, "permutations": args.permutations}
    print(f"Knox test, {args.events:,} incidents, {args.permutations} permutations")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} processors")
    print(f"{'layout':<15} {'pairs ≤ 500 m':>14} {'seconds':>8} {'cpu s':>7} {'target':>7}  ok")
    for name, (w, h) in LAYOUTS.items():
        days, x, y = incidents(args.events, w, h)
        knox(days[:200], x=x[:200], y=y[:200], permutations=9)  # warm-up: imports
        times, cpu = [], []
        result = None
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = knox(days, x=x, y=y, permutations=args.permutations)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        assert result is not None
        seconds, cpu_s = statistics.median(times), statistics.median(cpu)
        near = sum(sum(row) for row in result.observed[:-1])
        ok = seconds <= TARGET_S
        print(
            f"{name:<15} {near:>14,} {seconds:>8.2f} {cpu_s:>7.2f} {TARGET_S:>7.1f}  "
            f"{'yes' if ok else 'NO'}"
        )
        figures[name.replace(" ", "_")] = {"pairs_within": near, "seconds": round(seconds, 3),
                                           "cpu_seconds": round(cpu_s, 3), "target": TARGET_S,
                                           "ok": ok}  # fmt: skip
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
