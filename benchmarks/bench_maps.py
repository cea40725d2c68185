"""Time the GeoJSON of a place's map (its LSOAs, each district's outline and the place's
own outline dissolved from the LSOAs) and measure its size.

    .venv/bin/python benchmarks/bench_maps.py [--digits N]

Three places: West Lancashire (1 district, 73 LSOAs), the Lancashire police force area
(14 districts, 941 LSOAs) and the Metropolitan Police area taken as the 33 London
districts E09000001-E09000033 (4,835 LSOAs; strictly the City, E09000001, is the City of
London Police's area). Each place runs in a fresh Python process: "lookups" is the
first read of the shipped lookups (once per process), "cold" the first map (boundary
files read and decoded), "warm" the same map again with the decoded files cached in the
process. Sizes are of the compact JSON the web side writes, and of that gzipped.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

PLACES = {
    "West Lancashire": ["E07000127"],
    "Lancashire force area": [],  # from the lookups: districts_in_pfa("E23000003")
    "Metropolitan Police area": [f"E09{n:06d}" for n in range(1, 34)],
}


def districts_of(place: str) -> list[str]:
    from saferplaces.insight.geography import LANCASHIRE_PFA, districts_in_pfa

    return PLACES[place] or sorted(d.code for d in districts_in_pfa(LANCASHIRE_PFA))


def one(place: str, digits: int) -> dict[str, object]:
    """Measure one place in this process (called in a fresh process by :func:`main`)."""
    start = time.perf_counter()
    from saferplaces.insight import boundaries, geography

    districts = districts_of(place)
    outlines: dict[str, tuple[str, tuple[str, ...]]] = {
        d: (geography.district_name(d) or d, (d,)) for d in districts
    }
    if len(districts) > 1:
        outlines["place"] = (place, tuple(districts))
    boundaries.district_lsoas(districts)
    geography.lsoa_names()
    lookups = time.perf_counter() - start
    timings = []
    for _ in range(2):
        start = time.perf_counter()
        data = boundaries.place_map(districts, outlines=outlines, digits=digits)
        text = json.dumps(data, separators=(",", ":")).encode()
        timings.append(time.perf_counter() - start)
    kinds = [f["properties"]["kind"] for f in data["features"]]
    return {
        "place": place,
        "districts": len(districts),
        "lsoas": kinds.count("lsoa"),
        "outlines": kinds.count("outline"),
        "lookups_s": round(lookups, 3),
        "cold_s": round(timings[0], 3),
        "warm_s": round(timings[1], 3),
        "bytes": len(text),
        "gzip_bytes": len(gzip.compress(text, compresslevel=6, mtime=0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=5, help="decimal places (default 5)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.digits)))
        return
    rows = []
    for place in PLACES:
        out = subprocess.run(
            [sys.executable, __file__, "--one", place, "--digits", str(args.digits)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows.append(json.loads(out.splitlines()[-1]))
    print(
        f"{'place':<26}{'LSOAs':>6}{'lines':>6}{'lookups':>9}{'cold':>8}{'warm':>8}"
        f"{'bytes':>11}{'gzipped':>10}"
    )
    for r in rows:
        print(
            f"{r['place']:<26}{r['lsoas']:>6}{r['outlines']:>6}{r['lookups_s']:>8.2f}s"
            f"{r['cold_s']:>7.2f}s{r['warm_s']:>7.2f}s{r['bytes']:>11,}{r['gzip_bytes']:>10,}"
        )
    print(json.dumps({"digits": args.digits, "places": rows}))


if __name__ == "__main__":
    main()
