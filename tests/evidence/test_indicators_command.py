"""`saferplaces indicators`: the figures behind every board paper, from the command line."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from scipy.stats import binom

from saferplaces.evidence.services import import_files
from saferplaces.insight.geography import lsoa_to_district

pytestmark = pytest.mark.django_db

KEYS = {
    "indicator", "place", "period", "start", "end", "count", "previous_count", "change",
    "pct_change", "rate_per_1000", "z", "significant",
}  # fmt: skip


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def _independent_counts(samples: Path, months: set[str]) -> tuple[int, int]:
    """All crime and ASB in West Lancashire, counted with the csv module alone."""
    crimes = asb = 0
    lookup = lsoa_to_district()
    seen: set[str] = set()
    for f in sorted(samples.glob("*.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["Month"] not in months or lookup.get(row["LSOA code"]) != "E07000127":
                    continue
                if row["Crime type"] == "Anti-social behaviour":
                    asb += 1
                elif row["Crime ID"] not in seen or not row["Crime ID"]:
                    seen.add(row["Crime ID"])
                    crimes += 1
    return crimes, asb


def test_json_for_a_financial_year_matches_an_independent_count(demo: None, samples: Path) -> None:
    """Given the 24 sample months, When asked for 2014/15 as JSON, Then the counts equal a
    csv-module count of the same files and the keys are the documented ones."""
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    rows = json.loads(_run("--place", "West Lancashire", "--period", "2014/15", "--format", "json"))
    assert isinstance(rows, list)
    assert all(KEYS <= set(r) for r in rows)
    by = {r["indicator"]: r for r in rows}
    current = {f"2014-{m:02d}" for m in range(4, 13)} | {f"2015-{m:02d}" for m in range(1, 4)}
    previous = {f"2013-{m:02d}" for m in range(4, 13)} | {f"2014-{m:02d}" for m in range(1, 4)}
    crimes, asb = _independent_counts(samples, current)
    crimes_before, asb_before = _independent_counts(samples, previous)
    assert by["all-crime"]["count"] == crimes
    assert by["all-crime"]["previous_count"] == crimes_before
    assert by["anti-social-behaviour"]["count"] == asb
    assert by["anti-social-behaviour"]["previous_count"] == asb_before
    all_crime = by["all-crime"]
    assert all_crime["place"] == "West Lancashire"
    assert (all_crime["start"], all_crime["end"]) == ("2014-04", "2015-03")
    assert all_crime["months"] == sorted(current) and all_crime["previous_months"] == sorted(
        previous
    )
    assert all_crime["change"] == crimes - crimes_before
    expected_z = 2 * (crimes**0.5 - crimes_before**0.5)
    assert all_crime["z"] == pytest.approx(expected_z, abs=1e-3)
    p = 2 * binom.cdf(min(crimes, crimes_before), crimes + crimes_before, 0.5)
    assert all_crime["p_value"] == pytest.approx(min(p, 1.0), rel=1e-6)
    assert all_crime["significant"] == (p < 0.05)
    # Rate per 1,000 residents from the mid-2014 estimate (111,845).
    assert all_crime["rate_per_1000"] == pytest.approx(1000 * crimes / 111_845, abs=1e-3)


def test_place_by_ons_code_gives_the_same_answer(demo: None, samples: Path) -> None:
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    by_name = json.loads(
        _run("--place", "West Lancashire", "--period", "2014/15", "--format", "json")
    )
    by_code = json.loads(_run("--place", "E07000127", "--period", "2014/15", "--format", "json"))
    assert [r["count"] for r in by_name] == [r["count"] for r in by_code]


def test_table_and_csv_formats(demo: None, samples: Path) -> None:
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    table = _run("--place", "West Lancashire", "--period", "2014/15", "--format", "table")
    assert "West Lancashire, 2014/15 compared with 2013/14" in table
    assert "All crime" in table
    rows = list(csv.DictReader(io.StringIO(_run(
        "--place", "West Lancashire", "--from", "2014-04", "--to", "2014-09", "--format", "csv"
    ))))  # fmt: skip
    assert rows[0]["start"] == "2014-04"
    assert rows[0]["end"] == "2014-09"
    assert KEYS <= set(rows[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--place", "Atlantis", "--period", "2014/15"], "No place is called 'Atlantis'"),
        (["--place", "West Lancashire", "--period", "2014/99"], "Unknown period"),
        (["--place", "West Lancashire", "--period", "someday"], "Unknown period"),
        (["--place", "West Lancashire", "--from", "2014-04"], "needs both"),
        (
            ["--place", "West Lancashire", "--period", "2030/31"],
            "2030/31 starts after September 2014, the latest month held",
        ),
        (
            ["--place", "West Lancashire", "--period", "0000/01"],
            r"Unknown period: .*\(the latest month held is 2014-09\)",
        ),
        (["--place", "West Lancashire", "--period", "2010/11"], "No incident data for 2010/11"),
    ],
)
def test_unknown_place_or_period_is_a_clear_error(
    demo: None, samples: Path, args: list[str], message: str
) -> None:
    import_files("police-uk", sorted(samples.glob("2014-0*.csv.gz")))
    with pytest.raises(CommandError, match=message):
        _run(*args)


def _json(*args: str) -> dict[str, dict[str, object]]:
    return {r["indicator"]: r for r in json.loads(_run(*args, "--format", "json"))}


def test_no_verdict_on_unlike_months(demo: None, samples: Path) -> None:
    """Given 2013 held from April only, When 2014 is asked for, Then no indicator has a
    verdict on the whole (it was "+27.26%, significant increase"), each lists the months
    counted on both sides, and April to December are compared like for like; the same
    for 2015, which holds only January to March (it was "−78.87%")."""
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    for period, months, before in (("2014", 12, 9), ("2015", 3, 12)):
        for slug, r in _json("--place", "West Lancashire", "--period", period).items():
            if r["count"] is None:
                continue
            assert r["significant"] is False and r["change"] is None, (period, slug)
            assert r["verdict"] == "incomplete: no verdict"
            assert isinstance(r["months"], list) and isinstance(r["previous_months"], list)
            if slug != "violence-and-sexual-offences":
                assert (len(r["months"]), len(r["previous_months"])) == (months, before)
            like = r["like_for_like"]
            assert isinstance(like, dict) and len(like["months"]) == len(like["previous_months"])


def test_a_county_with_one_district_of_data_is_not_that_district(demo: None, samples: Path) -> None:
    """Given only West Lancashire's data, When Lancashire is asked for, Then the figure
    counts West Lancashire over its own residents, says it covers 1 of 12 districts and
    gives no verdict (it was the county's, complete, over 1.47M residents)."""
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    wl = _json("--place", "West Lancashire", "--period", "2014/15")["all-crime"]
    county = _json("--place", "Lancashire", "--period", "2014/15")["all-crime"]
    assert county["count"] == wl["count"] and county["rate_per_1000"] == wl["rate_per_1000"]
    assert county["partial"] is True and county["complete"] is False
    assert county["significant"] is False and county["verdict"] == "partial coverage: no verdict"
    assert county["reason"] == "covers 1 of 12 districts: West Lancashire"
    force = _json("--place", "E23000003", "--period", "2014/15")["all-crime"]
    assert force["reason"] == "covers 1 of 14 districts: West Lancashire"


def test_a_district_without_data_has_no_figure(demo: None, samples: Path) -> None:
    """Given no Rossendale data, When Rossendale is asked for, Then every count is null
    with the reason (it was 0 crimes, within normal variation), in JSON and the table."""
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    for r in _json("--place", "Rossendale", "--period", "2014/15").values():
        assert r["count"] is None and r["verdict"] == "no data" and r["significant"] is False
        assert r["months"] == [] and r["rate_per_1000"] is None
    table = _run("--place", "Rossendale", "--period", "2014/15", "--format", "table")
    assert "no data" in table and " 0 " not in table
