"""The board papers' Funding section: the place's streams for the papers' financial year
(allocated, spent, returns overdue), in the deck, the PDF and the workbook, read back."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from saferplaces.delivery import funding
from saferplaces.delivery.models import Rag
from saferplaces.insight.periods import parse_period
from saferplaces.reports.pack import FundingLine, FundingSection, PerformancePack
from saferplaces.reports.papers import funding_section
from saferplaces.reports.pdf_report import build_pdf
from saferplaces.reports.pptx_deck import build_pptx
from saferplaces.reports.xlsx_workbook import build_xlsx
from tests.delivery.evaluation_support import make_initiative
from tests.personas import World
from tests.reports.readback import deck, pdf_pages, squash

D = Decimal
SECTION = FundingSection(
    year_label="2014/15",
    as_at=datetime.date(2015, 5, 1),
    lines=[
        FundingLine(
            "Office of the Police and Crime Commissioner",
            D("10000.00"),
            D("10000.00"),
            D("9876.54"),
            1,
        ),
        FundingLine("West Lancashire Borough Council", D("5000.00"), D("4000.00"), D("0.00"), 0),
    ],
    total=FundingLine("Total (2 streams)", D("15000.00"), D("14000.00"), D("9876.54"), 1),
    source="Source: funding streams recorded in saferplaces.",
)


@pytest.fixture
def funded(pack: PerformancePack) -> PerformancePack:
    return replace(pack, funding=SECTION)


def test_the_deck_has_a_funding_slide(funded: PerformancePack, tmp_path: Path) -> None:
    slides = deck(build_pptx(funded, tmp_path / "p.pptx"))
    found = [text for title, text in slides if title == "Funding 2014/15"]
    assert len(found) == 1
    text = found[0]
    for expected in ("Office of the Police and Crime Commissioner", "£9,876.54", "£15,000.00",
                     "£14,000.00", "Total (2 streams)", "Source:"):  # fmt: skip
        assert expected in text, expected


def test_the_pdf_has_a_funding_section(funded: PerformancePack, tmp_path: Path) -> None:
    text = squash(" ".join(pdf_pages(build_pdf(funded, tmp_path / "p.pdf"))))
    assert "Funding 2014/15" in text
    assert "£9,876.54" in text and "£15,000.00" in text


def test_the_workbook_has_a_funding_sheet_with_exact_money(
    funded: PerformancePack, tmp_path: Path
) -> None:
    wb = load_workbook(build_xlsx(funded, tmp_path / "p.xlsx"))
    assert "Funding" in wb.sheetnames
    assert wb.sheetnames.index("Funding") < wb.sheetnames.index("Data notes")
    rows = list(wb["Funding"].iter_rows(min_row=2, max_row=4, values_only=True))
    assert rows[0][0] == "Office of the Police and Crime Commissioner"
    assert D(str(rows[0][3])) == D("9876.54")
    assert rows[2][0] == "Total (2 streams)" and D(str(rows[2][1])) == D("15000")
    assert wb["Funding"]["B2"].number_format == '"£"#,##0.00'


def test_no_funding_no_section(pack: PerformancePack, tmp_path: Path) -> None:
    """A pack without funding (the default) has no Funding slide or sheet."""
    assert pack.funding is None
    assert all(
        not title.startswith("Funding") for title, _ in deck(build_pptx(pack, tmp_path / "p.pptx"))
    )
    assert "Funding" not in load_workbook(build_xlsx(pack, tmp_path / "p.xlsx")).sheetnames


@pytest.mark.django_db
def test_the_section_is_the_places_summary_for_a_financial_year(world: World) -> None:
    """Given a 2014/15 stream with an allocation and a submitted return, Then the papers
    for 2014/15 carry its figures and a total equal to the sum of the rows; papers for a
    calendar year, or a year with no streams, carry no funding section."""
    stream = funding.create_stream(None, place=world.district, funder="OPCC", year=2014,
                                   amount=D("10000"))  # fmt: skip
    a = funding.allocate(None, stream=stream, initiative=make_initiative(world.district),
                         amount=D("2500.10"))  # fmt: skip
    funding.submit_return(None, a.returns.get(quarter=1), spend=D("10.01"), rag=Rag.GREEN)
    section = funding_section(world.district, parse_period("2014/15"))
    assert section is not None
    # as at today, years after 2014/15: the three unsubmitted returns are overdue
    assert section.lines == [FundingLine("OPCC", D("10000.00"), D("2500.10"), D("10.01"), 3)]
    assert section.total.amount == sum((x.amount for x in section.lines), D("0"))
    assert funding_section(world.district, parse_period("2014")) is None
    assert funding_section(world.district, parse_period("2015/16")) is None
