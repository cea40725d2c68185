"""LSOA → district lookups and populations from the shipped reference files."""

from __future__ import annotations

from saferplaces.insight import geography as g
from tests.insight.conftest import WEST_LANCS, independent_lookup


def test_district_for_2011_and_2021_lsoa_codes() -> None:
    ref = independent_lookup()
    assert g.district_for_lsoa("E01025474") == WEST_LANCS == ref["E01025474"]
    # A 2021 code that only the 2011→2021 lookup knows still resolves.
    lsoa11 = _lsoa11_codes()
    only_2021 = next(code for code in ref if code not in lsoa11)
    assert g.district_for_lsoa(only_2021) == ref[only_2021]
    assert g.district_for_lsoa("") is None and g.district_for_lsoa("E01999999") is None


def _lsoa11_codes() -> set[str]:
    import csv
    import gzip

    from tests.insight.conftest import REFERENCE

    with gzip.open(REFERENCE / "lsoa11_to_lad21.csv.gz", "rt", encoding="utf-8") as fh:
        return {r["lsoa11_code"] for r in csv.DictReader(fh)}


def test_west_lancashire_codes() -> None:
    d = g.district(WEST_LANCS)
    assert d is not None
    assert (d.name, d.csp_code, d.pfa_code, d.fra_code) == (
        "West Lancashire", "E22000162", "E23000003", "E31000023",
    )  # fmt: skip
    assert g.district_code("west lancashire") == WEST_LANCS
    names = [x.name for x in g.lancashire_districts()]
    assert len(names) == 14 and "Blackpool" in names and "West Lancashire" in names


def test_population_nearest_year_is_reported() -> None:
    """SOURCES.md: West Lancashire 111,845 (2014) … 114,496 (2020)."""
    assert g.lad_population(WEST_LANCS, 2014) == 111_845
    p = g.lad_population_for(WEST_LANCS, 2024)
    assert p is not None and p.year == 2020 and p.value == 114_496
    early = g.lad_population_for(WEST_LANCS, 2010)
    assert early is not None and early.year == 2014
    assert g.lad_population("E99999999", 2014) is None
    assert g.lsoa_population("E01025474", 2014) is not None
