"""`saferplaces quality`: gaps, unlocated rows and rows outside the place, per month."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from saferplaces.evidence.services import import_files

pytestmark = pytest.mark.django_db


def _unlocate(source: Path, out: Path, rows: int) -> None:
    """Copy a police.uk file, blanking the location and LSOA of its first `rows` rows,
    as police.uk does for crimes it cannot place."""
    with gzip.open(source, "rt", encoding="utf-8", newline="") as fh:
        data = list(csv.reader(fh))
    for row in data[1 : rows + 1]:
        row[4:9] = ["", "", "No location", "", ""]
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(data)


def test_unlocated_rows_and_missing_months_are_reported(
    demo: object, samples: Path, tmp_path: Path
) -> None:
    """Given April 2014 with 3 unlocated rows and June 2014, When quality is asked for
    April to June, Then April shows 3 rows without location and May is missing."""
    april = tmp_path / "2014-04-lancashire-street.csv"
    _unlocate(next(samples.glob("2014-04-*.csv.gz")), april, 3)
    import_files("police-uk", [april, next(samples.glob("2014-06-*.csv.gz"))])
    out = io.StringIO()
    call_command(
        "quality", "--place", "West Lancashire", "--from", "2014-04", "--to", "2014-06", stdout=out
    )
    lines = out.getvalue().splitlines()
    april_line = next(
        line for line in lines if line.startswith("police_uk") and "2014-04" in line
    ).split()
    assert april_line[4:6] == ["3", "3"]  # no location, no LSOA
    assert "Missing months for police_uk: 2014-05" in out.getvalue()


def test_rows_of_other_districts_are_counted_as_outside_the_area(
    demo: object, samples: Path
) -> None:
    import_files("police-uk", [next(samples.glob("2014-04-*.csv.gz"))])
    out = io.StringIO()
    call_command("quality", "--place", "Chorley", "--period", "2014/15", stdout=out)
    april = next(
        x for x in out.getvalue().splitlines() if x.startswith("police_uk") and "2014-04" in x
    ).split()
    assert int(april[3]) > 0
    assert april[6] == april[3]  # every West Lancashire row is outside Chorley
