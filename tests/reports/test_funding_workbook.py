"""The year's funding workbook (saferplaces.reports.funding_workbook), read back with
openpyxl: the figures to the penny, totals that reconcile, money cells formatted £."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from saferplaces.delivery import funding
from saferplaces.delivery.models import Rag
from saferplaces.partnership.models import Person
from saferplaces.reports.funding_workbook import MONEY, XLSX, funding_xlsx
from tests.delivery.evaluation_support import make_initiative
from tests.personas import World, client_for

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2014, 11, 1)


def _year(world: World) -> None:
    """OPCC £10,000 (£4,000.33 to Sparx, £5,999.66 to Divert) and Estates £3,750.01
    (nothing allocated); Sparx's Q1 return says £123.45 spent."""
    opcc = funding.create_stream(None, place=world.district, funder="OPCC", year=2014,
                                 amount=D("10000"))  # fmt: skip
    funding.create_stream(None, place=world.district, funder="Estates", year=2014,
                          amount=D("3750.01"))  # fmt: skip
    sparx = funding.allocate(None, stream=opcc, initiative=make_initiative(world.district, "Sparx"),
                             amount=D("4000.33"))  # fmt: skip
    funding.allocate(None, stream=opcc, initiative=make_initiative(world.district, "Divert"),
                     amount=D("5999.66"))  # fmt: skip
    funding.submit_return(None, sparx.returns.get(quarter=1), spend=D("123.45"), rag=Rag.GREEN,
                          submitted_on=datetime.date(2014, 7, 25))  # fmt: skip


def _money(value: object) -> Decimal:
    assert isinstance(value, int | float), value
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_workbook_holds_the_summary_to_the_penny(world: World) -> None:
    """Given the year above, When the workbook is built as at 1 November 2014, Then the
    Summary sheet's rows and total row read back to the penny, money formatted £, the
    totals equal the sums of the rows; Allocations, Returns and the Sources sheet exist."""
    _year(world)
    s = funding.summary(world.district, 2014, TODAY)
    wb = load_workbook(io.BytesIO(funding_xlsx(s, funding.year_returns(world.district, 2014,
                                                                       TODAY))))  # fmt: skip
    assert wb.sheetnames == ["Summary", "Allocations", "Returns", "Sources and notes"]
    ws = wb["Summary"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Funder")
    rows = {}
    r = header + 1
    while ws.cell(r, 1).value:
        rows[ws.cell(r, 1).value] = [ws.cell(r, c).value for c in range(1, 10)]
        if str(ws.cell(r, 1).value).startswith("Total"):
            break
        r += 1
    assert ws.cell(header + 1, 3).number_format == MONEY
    opcc, estates, total = rows["OPCC"], rows["Estates"], rows["Total (2 streams)"]
    assert [_money(v) for v in opcc[2:6]] == [D("10000.00"), D("9999.99"), D("0.01"), D("123.45")]
    assert [_money(v) for v in estates[2:6]] == [D("3750.01"), D("0"), D("3750.01"), D("0")]
    for col in range(2, 6):
        assert _money(total[col]) == _money(opcc[col]) + _money(estates[col])
    assert _money(total[2]) == D("13750.01")
    # due (Q3 and Q4 of both), overdue (Divert's Q1, both Q2s: due 28 October), submitted
    assert opcc[6:9] == [4, 3, 1]
    allocs = {row[2]: row for row in wb["Allocations"].iter_rows(min_row=2, values_only=True)}
    assert _money(allocs["Sparx"][3]) == D("4000.33") and _money(allocs["Sparx"][4]) == D("123.45")
    assert allocs["Divert"][4] is None  # no return submitted: empty, not £0.00
    returns = list(wb["Returns"].iter_rows(min_row=2, values_only=True))
    assert len(returns) == 8
    notes = " ".join(str(v) for row in wb["Sources and notes"].iter_rows(values_only=True)
                     for v in row)  # fmt: skip
    assert "Source:" in notes and "28 days" in notes


def test_the_download_needs_a_viewer_and_a_real_year(world: World, alice: Person) -> None:
    _year(world)
    c = client_for(alice)
    response = c.get(reverse("funding_workbook", args=["testford", "2014-15"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "testford-funding-2014-15.xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert str(wb["Summary"]["A2"].value).startswith("Testford: funding 2014/15, as at ")
    assert c.get(reverse("funding_workbook", args=["testford", "2014-16"])).status_code == 404
