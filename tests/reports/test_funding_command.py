"""saferplaces funding summary --place P --year 2014/15 --format json|csv|xlsx."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from saferplaces.delivery import funding
from saferplaces.delivery.models import Rag
from tests.delivery.evaluation_support import make_initiative
from tests.personas import World

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def year(world: World) -> None:
    """OPCC £10,000 (£2,500.25 to Sparx, its Q1 return £99.99) and Council £6,000."""
    opcc = funding.create_stream(None, place=world.district, funder="OPCC", year=2014,
                                 amount=D("10000"))  # fmt: skip
    funding.create_stream(None, place=world.district, funder="Council", year=2014,
                          amount=D("6000"))  # fmt: skip
    a = funding.allocate(None, stream=opcc, initiative=make_initiative(world.district),
                         amount=D("2500.25"))  # fmt: skip
    funding.submit_return(None, a.returns.get(quarter=1), spend=D("99.99"), rag=Rag.AMBER)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("funding", "summary", *args, stdout=out)
    return out.getvalue()


def test_json_has_each_stream_and_the_totals_as_decimal_strings(year: None) -> None:
    """Given the year above, Then the JSON gives each stream's funder, amount, allocated,
    spent and returns due/overdue, money as decimal strings, and totals equal to the sums
    of the streams."""
    data = json.loads(_run("--place", "Testford", "--year", "2014/15", "--format", "json",
                           "--today", "2014-08-01"))  # fmt: skip
    streams = {s["funder"]: s for s in data["streams"]}
    assert streams["OPCC"]["amount"] == "10000.00"
    assert streams["OPCC"]["allocated"] == "2500.25"
    assert streams["OPCC"]["spent"] == "99.99"
    assert (streams["OPCC"]["returns_due"], streams["OPCC"]["returns_overdue"]) == (3, 0)
    assert streams["Council"]["allocated"] == "0.00"
    assert data["totals"]["amount"] == "16000.00"
    for key in ("amount", "allocated", "spent", "unallocated"):
        assert data["totals"][key] == str(sum((D(s[key]) for s in data["streams"]), D("0.00")))
    assert data["year"] == "2014/15" and data["source"].startswith("Source:")


def test_csv_has_a_row_per_stream_and_a_total_row(year: None) -> None:
    rows = list(csv.DictReader(io.StringIO(_run("--place", "testford", "--year", "2014/15",
                                                "--format", "csv"))))  # fmt: skip
    assert [r["funder"] for r in rows] == ["Council", "OPCC", "Total"]
    assert rows[-1]["amount"] == "16000.00" and rows[1]["spent"] == "99.99"


def test_xlsx_needs_an_output_file_and_writes_the_workbook(year: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="needs --output"):
        _run("--place", "Testford", "--year", "2014/15", "--format", "xlsx")
    out = tmp_path / "funding.xlsx"
    assert "Wrote" in _run("--place", "Testford", "--year", "2014/15", "--format", "xlsx",
                           "--output", str(out))  # fmt: skip
    ws = load_workbook(out)["Summary"]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert 2500.25 in values and 16000 in values


def test_unknown_places_and_years_are_clear_errors(year: None) -> None:
    with pytest.raises(CommandError, match="not a financial year"):
        _run("--place", "Testford", "--year", "2014")
    with pytest.raises(CommandError):
        _run("--place", "Nowhere At All", "--year", "2014/15")
