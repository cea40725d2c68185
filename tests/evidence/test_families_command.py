"""`saferplaces families`: a partnership beside its most similar partnerships."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from scipy.stats import poisson

from saferplaces.evidence.services import import_files
from saferplaces.insight import families as fam
from saferplaces.insight.geography import lsoa_to_district
from tests.where import FY_2014, LANCASHIRE, WEST_LANCS, needs_lancashire, police_crimes

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("families", *args, stdout=out)
    return out.getvalue()


def _crimes_2014_15(samples: Path) -> int:
    """All crime in West Lancashire in 2014/15, counted with the csv module alone."""
    lookup = lsoa_to_district()
    crimes = police_crimes(sorted(samples.glob("*.csv.gz")), FY_2014)
    return sum(1 for row in crimes if lookup.get(row["LSOA code"]) == WEST_LANCS)


def test_json_family_with_peers_as_no_data(demo: None, samples: Path) -> None:
    """Given West Lancashire's sample months only, When its family is asked as JSON, Then
    it has 15 peers with distances and measures, its own count equals an independent count,
    peers without data are 'no data' (never 0), and with no peer and too few partnerships
    holding data there is no family rate, no rank, no reference rate and no band."""
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    got = json.loads(_run("--place", "West Lancashire", "--period", "2014/15",
                          "--format", "json"))  # fmt: skip
    assert got["csp_name"] == "West Lancashire"
    members = got["members"]
    assert len(members) == 1 + fam.DEFAULT_PEERS
    own, peers = members[0], members[1:]
    assert own["count"] == _crimes_2014_15(samples)
    assert own["rate_per_1000"] == round(own["count"] * 1000 / own["population"], 2)
    expected = [p.code for p in fam.all_families()[got["csp_code"]]]
    assert [p["code"] for p in peers] == expected
    assert all(isinstance(p["distance"], float) and p["measure_imd_mean_rank"] for p in peers)
    assert [p["distance"] for p in peers] == sorted(p["distance"] for p in peers)
    held = [p for p in peers if p["count"] != "no data"]
    assert all(p["rate_per_1000"] == "no data" and p["band"] == "no data"
               for p in peers if p not in held)  # fmt: skip
    assert 0 not in [p["rate_per_1000"] for p in peers]
    assert not held and got["partnerships_with_data"] == 1
    assert got["rank"] is None and got["family_rate_per_1000"] == "no data"
    assert got["national_rate_per_1000"] == "no data" and own["band"] == "not banded"
    assert any("funnel plot needs at least 10" in n for n in got["notes"])
    assert any("no family rate and no rank" in n for n in got["notes"])
    ms = fam.measures_by_csp()
    assert all(p["measure_population"] == ms[p["code"]].values["population"] for p in peers)
    assert got["measures_missing"] == ["population density", "urban/rural mix"]
    assert "IMD 2019" in got["method"]


def test_table_and_csv_and_errors(demo: None, samples: Path) -> None:
    """Given the samples, When the table and CSV are asked with 5 peers, Then the table
    states the rank interval, method and source, the CSV has 6 rows; an unknown indicator
    is a clear error."""
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    table = _run("--place", "West Lancashire", "--period", "2014/15", "--peers", "5")
    assert "Rank in family: no data" in table and "Method:" in table and "Source:" in table
    assert "Note: Only 1 of" in table
    assert "no data" in table
    out = _run(
        "--place", "West Lancashire", "--period", "2014/15", "--peers", "5", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 6 and rows[0]["name"] == "West Lancashire"
    with pytest.raises(CommandError, match="Unknown indicator"):
        _run("--place", "West Lancashire", "--period", "2014/15", "--indicator", "nope")


@needs_lancashire
def test_bands_and_rank_once_enough_partnerships_hold_data(demo: None) -> None:
    """Given one month of every Lancashire partnership (at least 10 with data), When a
    family is asked, Then the reference rate is pooled over them, each member with data
    has a band from the exact funnel limits and the rank has its interval."""
    import_files("police-uk", [LANCASHIRE / "2021-06-lancashire-street.csv.gz"])
    got = json.loads(_run("--place", "West Lancashire", "--from", "2021-06", "--to", "2021-06",
                          "--format", "json"))  # fmt: skip
    held = [m for m in got["members"] if m["count"] != "no data"]
    assert got["partnerships_with_data"] >= 10
    assert not any("funnel plot needs" in n for n in got["notes"])
    assert isinstance(got["national_rate_per_1000"], float)
    assert all(m["band"] not in ("no data", "not banded") for m in held)
    assert got["rank"]["of"] == len(held) and got["rank"]["interval_95"][0] >= 1
    points = got["points"]
    national = sum(p["count"] for p in points) / sum(p["population"] for p in points)
    assert got["national_rate_per_1000"] == round(national * 1000, 2)
    beyond = [  # outside the exact Poisson 99.8% limits (0.1% and 99.9% quantiles)
        p for p in points
        if not poisson.ppf(0.001, national * p["population"]) <= p["count"]
        <= poisson.ppf(0.999, national * p["population"])
    ]  # fmt: skip
    said = [n for n in got["notes"] if "beyond the 99.8% limits" in n]
    assert bool(said) == (len(beyond) > 0.1 * len(points))
    if said:
        assert said[0].startswith(f"{len(beyond)} of the {len(points)} partnerships")
