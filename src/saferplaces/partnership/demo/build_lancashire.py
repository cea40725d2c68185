"""Build `lancashire.json`, the demo's geography, from the ONS lookups in ../shared/data.

Run from the repository root (the loader reads only the JSON this writes, so the demo
works without ../shared):

    .venv/bin/python src/saferplaces/partnership/demo/build_lancashire.py [DATA_DIR]

Sources (all Open Government Licence v3.0), named in README.md beside this file:
lookups/lad17_csp17_pfa17_lookup.csv, lookups/lad24_csp24_pfa24.csv,
lookups/lad21_fra21.csv, lookups/lsoa11_to_lad21.csv and
population/lancashire_lsoa11_population_2014_2020.csv.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[3].parent / "shared" / "data"
OUTPUT = HERE / "lancashire.json"

COUNTY_COUNCIL_CODE = "E10000017"  # Lancashire County Council (the two-tier county)
UNITARIES = {"E06000008", "E06000009"}  # Blackburn with Darwen, Blackpool
AREAS: dict[str, list[str]] = {
    "North": ["Blackpool", "Fylde", "Lancaster", "Wyre"],
    "East": [
        "Blackburn with Darwen",
        "Burnley",
        "Hyndburn",
        "Pendle",
        "Ribble Valley",
        "Rossendale",
    ],
    "South": ["Chorley", "Preston", "South Ribble", "West Lancashire"],
}
LSOA_DISTRICTS = {"West Lancashire"}  # LSOAs as places: only where the demo needs them


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def build(data: Path) -> dict[str, Any]:
    districts = {name for names in AREAS.values() for name in names}
    lad17 = {r["LAD17NM"]: r for r in _rows(data / "lookups/lad17_csp17_pfa17_lookup.csv")}
    lad24 = {r["ltla24_name"]: r for r in _rows(data / "lookups/lad24_csp24_pfa24.csv")}
    fra = {r["ltla21_code"]: r for r in _rows(data / "lookups/lad21_fra21.csv")}
    lsoa_lad = {r["lsoa11_code"]: r for r in _rows(data / "lookups/lsoa11_to_lad21.csv")}
    pop_lad: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    pop_lsoa: dict[str, dict[int, int]] = defaultdict(dict)
    for r in _rows(data / "population/lancashire_lsoa11_population_2014_2020.csv"):
        year, code, people = int(r["Year"]), r["LSOA Code"], int(r["Population"])
        pop_lad[lsoa_lad[code]["ltla21_code"]][year] += people
        pop_lsoa[code][year] = people

    out_districts: list[dict[str, Any]] = []
    for area, names in AREAS.items():
        for name in names:
            a, b = lad17[name], lad24[name]
            code = a["LAD17CD"]
            # The 2017 and 2024 lookups must agree for the Lancashire-14.
            assert (code, a["CSP17CD"], a["PFA17CD"]) == (
                b["ltla24_code"],
                b["csp24_code"],
                b["pfa24_code"],
            ), name
            lsoas = [
                {
                    "code": lsoa,
                    "name": row["lsoa11_name"],
                    "population": {str(y): p for y, p in sorted(pop_lsoa[lsoa].items())},
                }
                for lsoa, row in sorted(lsoa_lad.items())
                if row["ltla21_code"] == code and name in LSOA_DISTRICTS
            ]
            out_districts.append(
                {
                    "name": name,
                    "area": area,
                    "lad_code": code,
                    "csp_code": a["CSP17CD"],
                    "csp_name": a["CSP17NM"],
                    "pfa_code": a["PFA17CD"],
                    "pfa_name": a["PFA17NM"],
                    "fra_code": fra[code]["fra21_code"],
                    "fra_name": fra[code]["fra21_name"],
                    "county_code": "" if code in UNITARIES else COUNTY_COUNCIL_CODE,
                    "unitary": code in UNITARIES,
                    "population": {str(y): p for y, p in sorted(pop_lad[code].items())},
                    "lsoas": lsoas,
                }
            )
    assert len(out_districts) == len(districts) == 14
    pfa = {d["pfa_code"] for d in out_districts}
    fras = {d["fra_code"] for d in out_districts}
    assert len(pfa) == 1 and len(fras) == 1
    county_pop: dict[int, int] = defaultdict(int)
    for d in out_districts:
        for year, people in d["population"].items():
            county_pop[int(year)] += people
    return {
        "county": {
            "name": "Lancashire",
            "county_code": COUNTY_COUNCIL_CODE,
            "pfa_code": pfa.pop(),
            "fra_code": fras.pop(),
            "population": {str(y): p for y, p in sorted(county_pop.items())},
        },
        "areas": list(AREAS),
        "districts": out_districts,
        "population_source": (
            "ONS small area population estimates (LSOA 2011), mid-year, summed to LAD 2021"
        ),
    }


def main(argv: list[str]) -> None:
    data = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    result = build(data)
    OUTPUT.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    wl = next(d for d in result["districts"] if d["name"] == "West Lancashire")
    print(f"wrote {OUTPUT}: West Lancashire 2014 population {wl['population']['2014']}")


if __name__ == "__main__":
    main(sys.argv)
