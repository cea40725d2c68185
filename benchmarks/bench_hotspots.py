"""Speed of the hot spot methods against the issue's targets.

Run::

    .venv/bin/python benchmarks/bench_hotspots.py [--permutations 999] [--runs 3]

1. Contiguity of all 34,753 LSOAs of England and Wales built from the shipped
   boundaries (once; the product caches it in the data directory), then read back from
   its cache file.
2. Gi* over all 34,753 LSOAs with synthetic rates (gamma-distributed, seeded) and 999
   permutations: target ≤ 30 s.
3. Gi* over one district (West Lancashire, 73 LSOAs): target ≤ 1 s.
4. Kernel density for a district from 100,000 synthetic points inside West Lancashire's
   extent (250 m bandwidth): target ≤ 1 s; then the surface as GeoJSON bands.

Times are the median of ``--runs`` runs after one warm-up (imports of esda and pyproj
are not counted). Prints a table and, last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from saferplaces.insight.boundaries import lsoa_shapes
from saferplaces.insight.density import density_bands, density_surface
from saferplaces.insight.hotspots import (
    contiguity,
    gi_star,
    national_contiguity,
)

DISTRICT = "E07000127"  # West Lancashire
TARGETS = {"gi_national": 30.0, "gi_district": 1.0, "kde_district": 1.0}


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    fn()  # warm-up: imports, caches
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, Any] = {"permutations": args.permutations}

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "contiguity.json.gz"
        start = time.perf_counter()
        national = national_contiguity(cache)
        figures["contiguity_build_s"] = time.perf_counter() - start
        start = time.perf_counter()
        again = national_contiguity(cache)
        figures["contiguity_cached_s"] = time.perf_counter() - start
        assert again == national
        figures["contiguity_cache_bytes"] = cache.stat().st_size
    figures["lsoas"] = len(national)
    figures["islands"] = sum(1 for v in national.values() if not v)

    rng = np.random.default_rng(2014)
    codes = sorted(national)
    rates = dict(zip(codes, rng.gamma(2.0, 20.0, len(codes)).tolist(), strict=True))
    figures["gi_national_s"], national_result = timed(
        lambda: gi_star(rates, national, permutations=args.permutations, seed=1), args.runs
    )
    figures["gi_national_rows"] = len(national_result.rows)

    shapes = lsoa_shapes([DISTRICT])
    local = contiguity(shapes)
    district_rates = {c: rates[c] for c in shapes}
    figures["gi_district_s"], district_result = timed(
        lambda: gi_star(district_rates, local, permutations=args.permutations, seed=1), args.runs
    )
    figures["gi_district_rows"] = len(district_result.rows)

    west, south, east, north = np.array(
        [min(s.geometry.bounds[0] for s in shapes.values()),
         min(s.geometry.bounds[1] for s in shapes.values()),
         max(s.geometry.bounds[2] for s in shapes.values()),
         max(s.geometry.bounds[3] for s in shapes.values())]
    )  # fmt: skip
    lon = rng.uniform(west, east, 100_000)
    lat = rng.uniform(south, north, 100_000)
    figures["kde_district_s"], surface = timed(
        lambda: density_surface(lon, lat, bounds=(west, south, east, north)), args.runs
    )
    figures["kde_bands_s"], bands = timed(lambda: density_bands(surface), args.runs)
    figures["kde_bands_features"] = len(bands["features"])
    figures["kde_cells"] = int(surface.values.size)
    figures["kde_cell_m"] = surface.cell

    print(f"{'measure':<46} {'seconds':>9} {'target':>8}")
    rows = [
        ("contiguity, all LSOAs, built from shapes", "contiguity_build_s", None),
        ("contiguity, all LSOAs, read from the cache", "contiguity_cached_s", None),
        (f"Gi*, {figures['gi_national_rows']:,} LSOAs, {args.permutations} perms",
         "gi_national_s", "gi_national"),
        (f"Gi*, West Lancashire ({figures['gi_district_rows']} LSOAs)", "gi_district_s",
         "gi_district"),
        (f"density, 100,000 points, {figures['kde_cells']:,} cells", "kde_district_s",
         "kde_district"),
        ("density as 5 GeoJSON bands for the map", "kde_bands_s", None),
    ]  # fmt: skip
    for label, key, target in rows:
        limit = TARGETS.get(target or "")
        verdict = "" if limit is None else ("  met" if figures[key] <= limit else "  MISSED")
        limit_text = f"{limit:.0f}" if limit is not None else ""
        print(f"{label:<46} {figures[key]:>9.3f} {limit_text:>8}{verdict}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
