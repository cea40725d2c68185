"""LSOA → district (LAD) lookups, CSP/PFA/FRA codes and populations.

Everything here reads the gzipped ONS reference files shipped in ``reference/``
(see ``reference/README.md`` for their sources; Open Government Licence v3.0).
Both 2011 and 2021 LSOA codes resolve to a district.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from saferplaces.insight.schema import slugify

LANCASHIRE_PFA = "E23000003"
"""Police force area code of Lancashire."""


def reference_rows(name: str) -> Iterator[dict[str, str]]:
    """Rows of a shipped gzipped CSV reference file as dicts."""
    data = resources.files("saferplaces.insight").joinpath("reference", name).read_bytes()
    text = gzip.decompress(data).decode("utf-8-sig")
    yield from csv.DictReader(io.StringIO(text))


@cache
def lsoa_to_district() -> dict[str, str]:
    """Every known LSOA code (2011 and 2021) → LAD code.

    2011 codes use the LSOA 2011 → LAD 2021 lookup; 2021 codes use the LSOA 2011 →
    LSOA 2021 → LAD 2022 best-fit lookup. Where both know a code, the 2011 lookup wins.
    """
    out: dict[str, str] = {}
    for row in reference_rows("lsoa11_to_lsoa21_lad22.csv.gz"):
        out[row["lsoa21_code"]] = row["ltla22_code"]
    for row in reference_rows("lsoa11_to_lad21.csv.gz"):
        out[row["lsoa11_code"]] = row["ltla21_code"]
    return out


@cache
def _lsoas11_by_district() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for row in reference_rows("lsoa11_to_lad21.csv.gz"):
        out.setdefault(row["ltla21_code"], []).append(row["lsoa11_code"])
    return {d: tuple(sorted(codes)) for d, codes in out.items()}


def lsoas_of(district: str) -> tuple[str, ...]:
    """The 2011 LSOA codes of a district (LAD 2021 code), sorted; () when unknown."""
    return _lsoas11_by_district().get(district, ())


def reference_path(name: str) -> str:
    """Filesystem path of a shipped reference file (for SQL engines that read files)."""
    return str(resources.files("saferplaces.insight").joinpath("reference", name))


LSOA_LOOKUP_SQL = """
SELECT lsoa, district FROM (
  SELECT lsoa11_code AS lsoa, ltla21_code AS district, 1 AS pref
  FROM read_csv({a}, header=true, all_varchar=true)
  UNION ALL
  SELECT lsoa21_code, ltla22_code, 2 FROM read_csv({b}, header=true, all_varchar=true)
) QUALIFY row_number() OVER (PARTITION BY lsoa ORDER BY pref, district) = 1
"""


def lsoa_lookup_sql() -> str:
    """DuckDB SQL yielding ``(lsoa, district)`` with the same rule as
    :func:`lsoa_to_district` (2011 lookup first), read straight from the shipped files."""
    quote = lambda p: "'" + p.replace("'", "''") + "'"  # noqa: E731
    return LSOA_LOOKUP_SQL.format(
        a=quote(reference_path("lsoa11_to_lad21.csv.gz")),
        b=quote(reference_path("lsoa11_to_lsoa21_lad22.csv.gz")),
    )


@cache
def lsoa_names() -> dict[str, str]:
    """LSOA 2011 and 2021 code → name (e.g. E01025482 → "West Lancashire 001A")."""
    out: dict[str, str] = {}
    for row in reference_rows("lsoa11_to_lsoa21_lad22.csv.gz"):
        if row.get("lsoa21_name"):
            out[row["lsoa21_code"]] = row["lsoa21_name"]
    for row in reference_rows("lsoa11_to_lad21.csv.gz"):
        out[row["lsoa11_code"]] = row["lsoa11_name"]
    return out


def district_for_lsoa(lsoa_code: str | None) -> str | None:
    """The LAD code of an LSOA code (2011 or 2021), or ``None`` when unknown/empty."""
    if not lsoa_code:
        return None
    return lsoa_to_district().get(lsoa_code.strip())


@dataclass(frozen=True)
class District:
    """A local authority district with the codes of the bodies it belongs to."""

    code: str
    name: str
    csp_code: str | None
    csp_name: str | None
    pfa_code: str | None
    pfa_name: str | None
    fra_code: str | None
    fra_name: str | None


@cache
def districts() -> dict[str, District]:
    """All LADs of England and Wales known to the lookups, by LAD code.

    CSP and PFA codes come from the 2024 lookup, falling back to the 2017 one
    (which keeps districts abolished since, e.g. the old Cumbria districts).
    """
    fra: dict[str, tuple[str, str]] = {
        r["ltla21_code"].strip(): (r["fra21_code"].strip(), r["fra21_name"].strip())
        for r in reference_rows("lad21_fra21.csv.gz")
    }
    out: dict[str, District] = {}
    for r in reference_rows("lad17_csp17_pfa17_lookup.csv.gz"):
        f = fra.get(r["LAD17CD"], (None, None))
        out[r["LAD17CD"]] = District(
            r["LAD17CD"], r["LAD17NM"], r["CSP17CD"], r["CSP17NM"], r["PFA17CD"], r["PFA17NM"],
            f[0], f[1],
        )  # fmt: skip
    for r in reference_rows("lad24_csp24_pfa24.csv.gz"):
        f = fra.get(r["ltla24_code"], (None, None))
        out[r["ltla24_code"]] = District(
            r["ltla24_code"], r["ltla24_name"], r["csp24_code"], r["csp24_name"],
            r["pfa24_code"], r["pfa24_name"], f[0], f[1],
        )  # fmt: skip
    for code, (fcode, fname) in fra.items():
        if code not in out:
            out[code] = District(code, code, None, None, None, None, fcode, fname)
    for r in reference_rows("lsoa11_to_lad21.csv.gz"):
        if r["ltla21_code"] not in out:
            code, name = r["ltla21_code"], r["ltla21_name"]
            out[code] = District(code, name, None, None, None, None, None, None)
    return out


def district(code: str) -> District | None:
    """The :class:`District` with LAD ``code``, if known."""
    return districts().get(code)


def district_name(code: str) -> str | None:
    """The name of LAD ``code`` (e.g. ``"West Lancashire"``), if known."""
    d = districts().get(code)
    return d.name if d else None


def district_code(name: str) -> str | None:
    """The LAD code of a district name (case-insensitive), if known."""
    key = name.strip().casefold()
    for d in districts().values():
        if d.name.casefold() == key:
            return d.code
    return None


def districts_in_pfa(pfa_code: str) -> list[District]:
    """Districts whose police force area is ``pfa_code``, sorted by name."""
    return sorted((d for d in districts().values() if d.pfa_code == pfa_code), key=lambda d: d.name)


FORCE_ALIASES: dict[str, str] = {"metropolitan": "E23000001", "city-of-london": "E23000034"}
"""police.uk force slugs whose police force area name slugifies differently."""


@cache
def _force_areas() -> dict[str, str]:
    out: dict[str, str] = {}
    for d in districts().values():
        if d.pfa_code and d.pfa_name:
            base = slugify(d.pfa_name)
            out[base] = d.pfa_code
            out[base.replace("-and-", "-")] = d.pfa_code  # "devon-cornwall" as well
    return out | FORCE_ALIASES


def pfa_for_force(force: str) -> str | None:
    """The police force area code of a police.uk force slug (``"lancashire"`` →
    E23000003); None for a force with no area of its own (``"btp"``) or an unknown one."""
    return _force_areas().get(force.strip().lower())


def pfa_of_district(code: str) -> str | None:
    """The police force area code of a district (LAD code of any year held)."""
    d = districts().get(code)
    return d.pfa_code if d else None


def lancashire_districts() -> list[District]:
    """The 14 Lancashire districts (12 county districts plus Blackburn and Blackpool)."""
    return districts_in_pfa(LANCASHIRE_PFA)


@cache
def lsoa_file_codes() -> dict[str, str]:
    """2011 LSOA code → the 2013 LAD code of the boundary file that holds it (the
    district it was in when its boundaries were published)."""
    return {r["lsoa11_code"]: r["lad13_code"] for r in reference_rows("lsoa11_lad13.csv.gz")}


@cache
def lsoa_populations() -> dict[int, dict[str, int]]:
    """year → LSOA 2011 code → mid-year population."""
    out: dict[int, dict[str, int]] = {}
    for r in reference_rows("lsoa11_population_mid2017_2019_2020.csv.gz"):
        for year in (2017, 2019, 2020):
            value = r[f"pop_mid{year}"]
            if value:
                out.setdefault(year, {})[r["lsoa11_code"]] = round(float(value))
    for r in reference_rows("lancashire_lsoa11_population_2014_2020.csv.gz"):
        out.setdefault(int(r["Year"]), {})[r["LSOA Code"]] = int(float(r["Population"]))
    return out


@cache
def _lad_population() -> dict[int, dict[str, int]]:
    """year → LAD code → population summed from its 2011 LSOAs (complete years only)."""
    lsoa11_lad = {
        r["lsoa11_code"]: r["ltla21_code"] for r in reference_rows("lsoa11_to_lad21.csv.gz")
    }
    members: dict[str, int] = {}
    for lad in lsoa11_lad.values():
        members[lad] = members.get(lad, 0) + 1
    out: dict[int, dict[str, int]] = {}
    for year, pops in lsoa_populations().items():
        sums: dict[str, int] = {}
        seen: dict[str, int] = {}
        for lsoa, pop in pops.items():
            lad_code = lsoa11_lad.get(lsoa)
            if lad_code is not None:
                sums[lad_code] = sums.get(lad_code, 0) + pop
                seen[lad_code] = seen.get(lad_code, 0) + 1
        # Only keep a LAD-year when every LSOA of the district has a figure.
        out[year] = {lad: n for lad, n in sums.items() if seen[lad] == members[lad]}
    return out


@dataclass(frozen=True)
class Population:
    """A population figure and the mid-year it is for (may differ from the year asked)."""

    value: int
    year: int


def _nearest(table: dict[int, dict[str, int]], code: str, year: int) -> Population | None:
    years = sorted((y for y, d in table.items() if code in d), key=lambda y: (abs(y - year), -y))
    if not years:
        return None
    return Population(table[years[0]][code], years[0])


def lad_population_for(lad_code: str, year: int) -> Population | None:
    """Population of a LAD at mid-``year``, or the nearest year available (stated)."""
    return _nearest(_lad_population(), lad_code, year)


def lad_population(lad_code: str, year: int) -> int | None:
    """Population of a LAD at mid-``year`` (nearest available year); see
    :func:`lad_population_for` to learn which year was used."""
    found = lad_population_for(lad_code, year)
    return found.value if found else None


def lsoa_population_for(lsoa_code: str, year: int) -> Population | None:
    """Population of a 2011 LSOA at mid-``year`` or the nearest available year."""
    return _nearest(lsoa_populations(), lsoa_code, year)


def lsoa_population(lsoa_code: str, year: int) -> int | None:
    """Population of a 2011 LSOA (nearest available year)."""
    found = lsoa_population_for(lsoa_code, year)
    return found.value if found else None


def population_years() -> list[int]:
    """Mid-years for which any population figure is shipped."""
    return sorted(lsoa_populations())
