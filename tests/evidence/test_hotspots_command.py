"""`saferplaces hotspots`: Gi* hot spots of a place from the incident store, checked
against LSOA counts made with the csv module and esda run directly."""

from __future__ import annotations

import io
import json
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from saferplaces.evidence.services import import_files
from saferplaces.insight.boundaries import lsoa_shapes
from saferplaces.insight.geography import lsoa_population, lsoa_to_district
from tests.where import DWELLINGS, FY_2014, WEST_LANCS, police_crimes

pytestmark = pytest.mark.django_db

CHORLEY = "E07000118"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("hotspots", *args, stdout=out)
    return out.getvalue()


def _json(*args: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(_run(*args, "--format", "json"))
    return found


def _counts(samples: Path, months: set[str], crime_type: str | None = None) -> Counter[str]:
    """Crimes (not ASB) per West Lancashire LSOA, each Crime ID once, with csv alone."""
    lookup = lsoa_to_district()
    return Counter(
        row["LSOA code"]
        for row in police_crimes(sorted(samples.glob("*.csv.gz")), months)
        if lookup.get(row["LSOA code"]) == WEST_LANCS
        and (not crime_type or row["Crime type"] == crime_type)
    )


@pytest.fixture
def imported(demo: None, samples: Path) -> Path:
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    return samples


def test_json_rates_and_gi_star_match_an_independent_computation(imported: Path) -> None:
    """Given the sample imported
    When hot spots of West Lancashire in 2014/15 are asked for as JSON
    Then every one of its 73 LSOAs has the rate per 1,000 counted here with csv, and
    z and p equal esda's G_Local run directly on those rates with libpysal's Queen."""
    from esda import G_Local
    from libpysal.weights import Queen

    found = _json("--place", "West Lancashire", "--year", "2014/15")
    rows = {r["code"]: r for r in found["lsoas"]}
    shapes = lsoa_shapes([WEST_LANCS])
    assert set(rows) == set(shapes)
    counts = _counts(imported, FY_2014)
    for code, r in rows.items():
        assert r["count"] == counts[code]
        pop = lsoa_population(code, 2014)
        assert pop and r["rate_per_1000"] == pytest.approx(1000 * counts[code] / pop, abs=1e-3)
    codes = sorted(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = Queen.from_iterable([shapes[c].geometry for c in codes], ids=codes)
        y = np.array([1000 * counts[c] / (lsoa_population(c, 2014) or 1) for c in codes])
        g = G_Local(y, w, transform="B", star=True, permutations=999, seed=1)
    np.testing.assert_allclose([rows[c]["z"] for c in codes], g.Zs, rtol=1e-10)
    np.testing.assert_array_equal([rows[c]["p_sim"] for c in codes], g.p_sim)
    summary = found["summary"]
    assert summary["period"] == "2014/15" and summary["months"] == sorted(FY_2014)
    assert sum(summary["years"][0]["counts"].values()) == 73
    assert any("anonymous map point" in t for t in summary["limitations"])
    assert summary["sources"]


def test_a_county_counts_only_districts_with_data_and_names_the_rest(imported: Path) -> None:
    """Given data for West Lancashire only
    When Lancashire's hot spots are asked for
    Then Chorley's LSOAs are excluded with the reason, with no count and no rate (never
    0), and only West Lancashire's LSOAs are tested."""
    found = _json("--place", "Lancashire", "--year", "2014/15", "--permutations", "199")
    rows = found["lsoas"]
    chorley = [r for r in rows if lsoa_to_district().get(r["code"]) == CHORLEY]
    assert chorley
    for r in chorley:
        assert r["spot"] == "excluded" and r["count"] is None and r["rate_per_1000"] is None
        assert r["excluded_reason"] == "no data for Chorley in 2014/15"
    tested = [r for r in rows if r["spot"] != "excluded"]
    assert {lsoa_to_district()[r["code"]] for r in tested} == {WEST_LANCS}
    assert found["summary"]["districts"] == [WEST_LANCS]


def test_years_give_patterns(imported: Path) -> None:
    """Given two years of data
    When --years 2 is asked
    Then each LSOA has its class in both years and a pattern label that follows them."""
    found = _json(
        "--place", "West Lancashire", "--year", "2014/15", "--years", "2", "--permutations", "199"
    )
    assert [y["period"] for y in found["summary"]["years"]] == ["2013/14", "2014/15"]
    for r in found["lsoas"]:
        before, now = r["years"]["2013/14"], r["years"]["2014/15"]
        hot = {"hot-90", "hot-95", "hot-99"}
        if now in hot and before in hot:
            assert r["pattern_label"] == "hot for 2 years running"
        elif now in hot:
            assert r["pattern_label"] == "newly hot"
        elif before in hot:
            assert r["pattern_label"].startswith("cooling")
        assert r["trend"].startswith("too few years")


def test_category_counts_only_that_category(imported: Path) -> None:
    """Given --category burglary, the counts are burglaries per LSOA."""
    found = _json(
        "--place",
        "West Lancashire",
        "--year",
        "2014/15",
        "--category",
        "burglary",
        "--permutations",
        "99",
    )
    counts = _counts(imported, FY_2014, "Burglary")
    assert {r["code"]: r["count"] for r in found["lsoas"]} == {
        c: counts[c] for c in lsoa_shapes([WEST_LANCS])
    }
    assert found["summary"]["indicator"] == "burglary"


def test_density_counts_the_mapped_points(imported: Path) -> None:
    """Given --density, the surface is made from every located crime of the year, with
    the documented default bandwidth and method named."""
    found = _json(
        "--place", "West Lancashire", "--year", "2014/15", "--density", "--permutations", "99"
    )
    density = found["summary"]["density"]
    assert density["points"] == sum(_counts(imported, FY_2014).values())
    assert density["bandwidth_m"] == 250.0 and "Gaussian kernel" in density["method"]
    assert "anonymised" in density["limitation"]


def test_density_bandwidth_is_a_setting(imported: Path, settings: Any) -> None:
    """Given SAFERPLACES_DENSITY_BANDWIDTH_M set to 400, the surface uses 400 m unless
    --bandwidth says otherwise."""
    settings.DENSITY_BANDWIDTH_M = 400
    args = ("--place", "West Lancashire", "--year", "2014/15", "--density", "--permutations", "99")
    assert _json(*args)["summary"]["density"]["bandwidth_m"] == 400.0
    assert _json(*args, "--bandwidth", "150")["summary"]["density"]["bandwidth_m"] == 150.0


def test_csv_and_table(imported: Path) -> None:
    """CSV has a header and one line per LSOA; the table names classes, what it
    cannot say and the source."""
    lines = _run(
        "--place", "West Lancashire", "--year", "2014/15", "--permutations", "99", "--format", "csv"
    ).splitlines()
    assert lines[0].startswith("code,name,district,count") and len(lines) == 74
    table = _run("--place", "West Lancashire", "--year", "2014/15", "--permutations", "99")
    assert "West Lancashire: All crime, 2014/15" in table
    assert "Limits: police.uk moves every incident" in table
    assert "Source: " in table


def test_refusals(imported: Path) -> None:
    """An unknown category, a year with no data, or both --year and --period refuse
    with the reason."""
    with pytest.raises(CommandError, match="Unknown category"):
        _run("--place", "West Lancashire", "--year", "2014/15", "--category", "nope")
    with pytest.raises(CommandError, match="No data for West Lancashire in 2010/11"):
        _run("--place", "West Lancashire", "--year", "2010/11")
    with pytest.raises(CommandError, match="not both"):
        _run("--place", "West Lancashire", "--year", "2014/15", "--period", "2014/15")


def test_map_layer_and_its_text(imported: Path) -> None:
    """Given West Lancashire's hot spots
    When the map layer is made
    Then every LSOA has its class and the legend's colour, and the text alternative
    names every significant LSOA."""
    from saferplaces.evidence.hotspots import density_for, hotspots
    from saferplaces.evidence.scope import resolve_place
    from saferplaces.insight.hotspots import LEGEND
    from saferplaces.insight.periods import financial_year

    scope = resolve_place("West Lancashire")
    report = hotspots(scope, financial_year(2014), permutations=999, seed=1)
    layer = report.map_layer()
    colours = {e.spot: e.colour for e in LEGEND}
    assert set(layer["lsoas"]) == set(lsoa_shapes([WEST_LANCS]))
    assert all(v["colour"] == colours[v["spot"]] for v in layer["lsoas"].values())
    significant = [r for r in report.rows() if r["spot"] not in ("not-significant", "excluded")]
    assert significant
    assert all(r["name"] in layer["text"] for r in significant)
    bands = density_for(scope, financial_year(2014)).bands()
    assert bands["features"] and bands["type"] == "FeatureCollection"


def test_place_hotspots_is_cached_until_an_import(
    imported: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a page's hot spots computed once
    When asked again, Then the cached report comes back (no recomputation)."""
    from saferplaces.evidence import hotspots as module
    from saferplaces.insight.periods import financial_year
    from saferplaces.partnership.models import Place

    place = Place.objects.by_name_or_code("West Lancashire")
    first = module.place_hotspots(place, financial_year(2014))
    calls: list[int] = []
    real = module.hotspots

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "hotspots", counting)
    again = module.place_hotspots(place, financial_year(2014))
    assert calls == []
    assert [r["spot"] for r in again.rows()] == [r["spot"] for r in first.rows()]


@pytest.mark.slow
def test_large_places_use_the_national_contiguity_cached_in_the_data_dir(
    imported: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a place counted as large
    When its neighbours are asked for
    Then the contiguity of all England and Wales is built once into the data directory
    and agrees with the place's own contiguity inside the place."""
    from saferplaces.evidence import hotspots as module

    monkeypatch.setattr(module, "NATIONAL_ABOVE", 0)
    national = module.neighbours_for((WEST_LANCS,))
    assert (Path(settings.DATA_DIR) / "hotspots" / "lsoa11-contiguity.json.gz").exists()
    assert len(national) == 34_753
    own = module._place_contiguity((WEST_LANCS,))
    for code, near in own.items():
        assert set(near) == {n for n in national[code] if n in own}


def test_a_part_year_is_said_and_left_out_of_the_patterns(demo: None, samples: Path) -> None:
    """Given 2013/14 held for its last six months only
    When two years are asked for
    Then 2013/14 is said to hold 6 of 12 months and is left out of the patterns, so no
    LSOA is called 'newly hot' or 'hot for 2 years running'."""
    files = [f for f in sorted(samples.glob("*.csv.gz")) if f.name[:7] >= "2013-10"]
    import_files("police-uk", files)
    found = _json(
        "--place", "West Lancashire", "--year", "2014/15", "--years", "2", "--permutations", "199"
    )
    years = {y["period"]: y for y in found["summary"]["years"]}
    assert years["2013/14"]["months"] == 6 and not years["2013/14"]["complete"]
    assert years["2014/15"]["complete"]
    assert any(
        "2013/14 holds 6 of 12 months" in n and "left out of the patterns" in n
        for n in found["summary"]["notes"]
    )
    assert {r["pattern"] for r in found["lsoas"]} == {"no-pattern"}


@pytest.mark.skipif(not DWELLINGS.is_file(), reason=f"{DWELLINGS} is absent")
def test_limitations_name_police_uk_only_when_its_data_is_counted(db: None) -> None:
    """Given only London Fire Brigade dwelling fires (coordinates, no LSOA), When Tower
    Hamlets' hot spots and density are asked, Then Gi* is refused because no incident has
    an LSOA (not run on rates of 0), and the limits speak of the source's own locations,
    not of police.uk's anonymised map points."""
    from saferplaces.evidence.hotspots import OWN_LOCATIONS, density_for, hotspots
    from saferplaces.evidence.scope import resolve_place
    from saferplaces.insight.imports import shipped_mapping
    from saferplaces.insight.indicators import Indicator
    from saferplaces.insight.periods import calendar_year
    from saferplaces.partnership.geography import load_geography

    load_geography(force_areas=["E23000001"])
    import_files("incidents", [DWELLINGS], mapping=shipped_mapping("lfb_dwelling_fires"))
    scope = resolve_place("Tower Hamlets")
    fires = Indicator(
        "dwelling-fires", "Dwelling fires", "fires", {"categories": ("dwelling-fire",)}
    )
    report = hotspots(scope, calendar_year(2019), fires, permutations=99)
    assert report.latest.result is None  # this file gives coordinates, not LSOAs:
    assert "recorded with an LSOA" in (report.latest.refusal or "")  # said, never all 0
    assert report.limitations[0] == OWN_LOCATIONS
    assert not any("police.uk" in t for t in report.limitations)
    assert "anonymised" not in density_for(scope, calendar_year(2019), fires).limitation
