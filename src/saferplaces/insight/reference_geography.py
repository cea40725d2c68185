"""The reference geography of England and Wales, read from the ONS lookups shipped in
``reference/``: every local authority district of today with the codes it had before,
and the places made of districts (community safety partnerships of several districts,
police force areas, fire and rescue authority areas, two-tier counties, regions).

Districts are today's (2024) LAD codes. The incident store knows districts by the LAD
code its LSOA lookups give (2021 codes for 2011 LSOAs), so each district lists those
``store_codes``: Cumberland (E06000063) holds Allerdale, Carlisle and Copeland. Codes a
district had before (Northumberland's E06000048, the districts merged into it) are its
``former_codes``, found through the LSOAs each old district's boundary file holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from saferplaces.insight.geography import lsoa_file_codes, reference_rows

REGIONS = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
    "W92000004": "Wales",
}
"""The nine English regions (ONS RGN codes) and Wales."""

REGION_OF_FORCE = {
    **dict.fromkeys(["E23000001", "E23000034"], "E12000007"),
    **dict.fromkeys(["E23000002", "E23000003", "E23000004", "E23000005", "E23000006"],
                    "E12000002"),
    **dict.fromkeys(["E23000007", "E23000008", "E23000013"], "E12000001"),
    **dict.fromkeys(["E23000009", "E23000010", "E23000011", "E23000012"], "E12000003"),
    **dict.fromkeys(["E23000018", "E23000019", "E23000020", "E23000021", "E23000022"],
                    "E12000004"),
    **dict.fromkeys(["E23000014", "E23000015", "E23000016", "E23000017"], "E12000005"),
    **dict.fromkeys(["E23000023", "E23000024", "E23000025", "E23000026", "E23000027",
                     "E23000028"], "E12000006"),
    **dict.fromkeys(["E23000029", "E23000030", "E23000031", "E23000032", "E23000033"],
                    "E12000008"),
    **dict.fromkeys(["E23000035", "E23000036", "E23000037", "E23000038", "E23000039"],
                    "E12000009"),
    **dict.fromkeys(["W15000001", "W15000002", "W15000003", "W15000004"], "W92000004"),
}  # fmt: skip
"""Police force areas lie wholly within one region, so a district's region follows from
its force area (checked in the tests against the regions' known district counts)."""

COUNTY_OF_FIRE_AREA = {
    "Cambridgeshire": ("E10000003", "Cambridgeshire"),
    "Derbyshire": ("E10000007", "Derbyshire"),
    "Devon & Somerset": ("E10000008", "Devon"),
    "East Sussex": ("E10000011", "East Sussex"),
    "Essex": ("E10000012", "Essex"),
    "Gloucestershire": ("E10000013", "Gloucestershire"),
    "Hampshire and Isle of Wight": ("E10000014", "Hampshire"),
    "Hertfordshire": ("E10000015", "Hertfordshire"),
    "Kent": ("E10000016", "Kent"),
    "Lancashire": ("E10000017", "Lancashire"),
    "Leicestershire": ("E10000018", "Leicestershire"),
    "Lincolnshire": ("E10000019", "Lincolnshire"),
    "Norfolk": ("E10000020", "Norfolk"),
    "Nottinghamshire and City of Nottingham": ("E10000024", "Nottinghamshire"),
    "Oxfordshire": ("E10000025", "Oxfordshire"),
    "Stoke-on-Trent and Staffordshire": ("E10000028", "Staffordshire"),
    "Suffolk": ("E10000029", "Suffolk"),
    "Surrey": ("E10000030", "Surrey"),
    "Warwickshire": ("E10000031", "Warwickshire"),
    "West Sussex": ("E10000032", "West Sussex"),
    "Hereford & Worcester": ("E10000034", "Worcestershire"),
}
"""The two-tier counties of today (ONS CTY codes): a lower-tier district (E07) is in the
county whose fire and rescue authority area holds it (the county and its unitaries share
one authority; the unitaries, E06, are in no county)."""


@dataclass(frozen=True)
class ReferenceDistrict:
    """A local authority district of today, with the bodies it belongs to."""

    code: str
    name: str
    store_codes: tuple[str, ...]
    former_codes: tuple[str, ...]
    former_names: tuple[str, ...]
    """Names of the districts and partnerships it took in (Allerdale, Carlisle …)."""
    csp_code: str
    csp_name: str
    pfa_code: str
    pfa_name: str
    fra_code: str
    fra_name: str
    county_code: str
    county_name: str
    region_code: str
    region_name: str
    lsoas: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceArea:
    """A place made of whole districts: ``kind`` is region, force, fire, county or csp."""

    kind: str
    code: str
    name: str
    districts: tuple[str, ...]


@cache
def _lad21_to_lad24() -> dict[str, str]:
    return {
        r["lad21_code"]: r["lad24_code"] for r in reference_rows("lad21_to_lad24_changes.csv.gz")
    }


@cache
def reference_districts() -> tuple[ReferenceDistrict, ...]:
    """Every district of England and Wales today, sorted by code."""
    today: dict[str, dict[str, str]] = {}
    csps: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in reference_rows("lad24_csp24_pfa24.csv.gz"):
        today.setdefault(r["ltla24_code"].strip(), r)
        csps[r["ltla24_code"].strip()].add((r["csp24_code"].strip(), r["csp24_name"].strip()))
    names21 = {r["ltla21_code"]: r["ltla21_name"] for r in reference_rows("lsoa11_to_lad21.csv.gz")}
    fra = {
        r["ltla21_code"].strip(): (r["fra21_code"].strip(), r["fra21_name"].strip())
        for r in reference_rows("lad21_fra21.csv.gz")
    }
    merged = _lad21_to_lad24()
    lsoas: dict[str, list[str]] = defaultdict(list)
    store: dict[str, set[str]] = defaultdict(set)
    for r in reference_rows("lsoa11_to_lad21.csv.gz"):
        lad21 = r["ltla21_code"]
        lad24 = merged.get(lad21, lad21)
        lsoas[lad24].append(r["lsoa11_code"])
        store[lad24].add(lad21)
    former = _former_codes(merged)
    out = []
    for code, r in sorted(today.items()):
        codes = tuple(sorted(store.get(code, {code})))
        # A district listed under several partnerships took them in (Buckinghamshire's
        # four): it is one partnership of its own now, answering to their codes and names.
        (csp_code, csp_name), *others = sorted(csps[code])
        old = sorted(csps[code]) if others else []
        if others:
            csp_code, csp_name = "", ""
        fra_code, fra_name = fra.get(codes[0], ("", ""))
        county = COUNTY_OF_FIRE_AREA.get(fra_name, ("", "")) if code[:3] == "E07" else ("", "")
        region = REGION_OF_FORCE.get(r["pfa24_code"].strip(), "")
        out.append(
            ReferenceDistrict(
                code=code,
                name=r["ltla24_name"].strip(),
                store_codes=codes,
                former_codes=tuple(
                    sorted((former.get(code, set()) | {c for c, _ in old}) - {code})
                ),
                former_names=tuple(
                    sorted(
                        ({names21[c] for c in codes if c != code} | {n for _, n in old})
                        - {r["ltla24_name"].strip()}
                    )
                ),
                csp_code=csp_code,
                csp_name=csp_name,
                pfa_code=r["pfa24_code"].strip(),
                pfa_name=r["pfa24_name"].strip(),
                fra_code=fra_code,
                fra_name=fra_name,
                county_code=county[0],
                county_name=county[1],
                region_code=region,
                region_name=REGIONS.get(region, ""),
                lsoas=tuple(sorted(lsoas.get(code, ()))),
            )
        )
    return tuple(out)


def _former_codes(merged: dict[str, str]) -> dict[str, set[str]]:
    """today's code → older codes of the same area: the 2021 codes merged into it, and
    the 2013 codes whose boundary files hold only LSOAs that are now in it."""
    lsoa_lad21 = {
        r["lsoa11_code"]: r["ltla21_code"] for r in reference_rows("lsoa11_to_lad21.csv.gz")
    }
    out: dict[str, set[str]] = defaultdict(set)
    for lad21, lad24 in merged.items():
        out[lad24].add(lad21)
    now_in: dict[str, set[str]] = defaultdict(set)
    for lsoa, lad13 in lsoa_file_codes().items():
        if lsoa in lsoa_lad21:
            now_in[lad13].add(merged.get(lsoa_lad21[lsoa], lsoa_lad21[lsoa]))
    for lad13, today in now_in.items():
        if len(today) == 1:
            out[next(iter(today))].add(lad13)
    return out


@cache
def reference_areas() -> tuple[ReferenceArea, ...]:
    """Regions, police force areas, fire and rescue authority areas, two-tier counties and
    community safety partnerships of more than one district, with their districts."""
    groups: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for d in reference_districts():
        for kind, code, name in (
            ("region", d.region_code, d.region_name),
            ("force", d.pfa_code, d.pfa_name),
            ("fire", d.fra_code, d.fra_name),
            ("county", d.county_code, d.county_name),
            ("csp", d.csp_code, d.csp_name),
        ):
            if code:
                groups.setdefault((kind, code), (name, []))[1].append(d.code)
    return tuple(
        ReferenceArea(kind, code, name, tuple(sorted(codes)))
        for (kind, code), (name, codes) in sorted(groups.items())
        if kind != "csp" or len(codes) > 1
    )


__all__ = ["ReferenceArea", "ReferenceDistrict", "reference_areas", "reference_districts"]
