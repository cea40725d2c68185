"""How long the most similar partnerships of every CSP take (goal: ≤ 1 s).

Run::

    .venv/bin/python benchmarks/bench_families.py [--runs 5]

Plain Python, no database: reads the shipped measures once (population, IMD 2019; timed
apart as ``measures_s``), then computes the 15 nearest of every partnership
(``saferplaces.insight.families.all_families``) ``--runs`` times and reports the median
and the maximum, and the funnel limits (exact Poisson quantiles) for every partnership.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE.parent / "src"))
    from saferplaces.insight import families

    t0 = time.perf_counter()
    measures = families.measures_by_csp()
    measures_s = time.perf_counter() - t0
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        fam = families.all_families()
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for m in measures.values():
        if m.values["population"]:
            families.funnel_limits(int(m.values["population"]), 0.043)
    funnel_s = time.perf_counter() - t0
    median = statistics.median(times)
    figures = {
        "partnerships": len(fam),
        "peers": families.DEFAULT_PEERS,
        "measures_s": round(measures_s, 3),
        "families_median_s": round(median, 3),
        "families_max_s": round(max(times), 3),
        "funnel_all_s": round(funnel_s, 3),
        "goal_s": 1.0,
        "ok": median + funnel_s <= 1.0,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
