"""The deck, the PDF and the workbook, read back: the numbers in them equal the pack's."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader
from weasyprint import HTML

from saferplaces.reports import tables, wording
from saferplaces.reports.pack import PerformancePack, figure_from_counts
from saferplaces.reports.pdf_report import OfflineFetcher, build_pdf
from saferplaces.reports.pptx_deck import build_pptx
from saferplaces.reports.render import RenderedCharts
from saferplaces.reports.xlsx_workbook import build_xlsx, sheet_name
from tests.reports.conftest import example_pack
from tests.reports.readback import deck as read_deck
from tests.reports.readback import pdf_pages, slide_text, squash

HEADLINE = "All crime down by 7.5%, equivalent to 405 fewer crimes — a significant reduction"


@pytest.fixture(scope="module")
def shared_pack() -> PerformancePack:
    return example_pack()


@pytest.fixture(scope="module")
def rendered(shared_pack: PerformancePack) -> RenderedCharts:
    return RenderedCharts(shared_pack)


@pytest.fixture(scope="module")
def deck(
    tmp_path_factory: pytest.TempPathFactory, shared_pack: PerformancePack, rendered: RenderedCharts
) -> Path:
    return build_pptx(
        shared_pack, tmp_path_factory.mktemp("deck") / "briefing.pptx", rendered=rendered
    )


@pytest.fixture(scope="module")
def pdf(
    tmp_path_factory: pytest.TempPathFactory, shared_pack: PerformancePack, rendered: RenderedCharts
) -> Path:
    return build_pdf(shared_pack, tmp_path_factory.mktemp("pdf") / "report.pdf", rendered=rendered)


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory: pytest.TempPathFactory, shared_pack: PerformancePack) -> Path:
    return build_xlsx(shared_pack, tmp_path_factory.mktemp("xlsx") / "tables.xlsx")


# ---------------------------------------------------------------- PPTX


def test_deck_slides_titles_and_pictures(deck: Path, shared_pack: PerformancePack) -> None:
    """Given the example pack, When the deck is written, Then it has the slides a board
    paper needs in order, ending with the technical annex, and every chart has alt text."""
    prs = Presentation(str(deck))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 16:9
    slides = list(prs.slides)
    titles = [title for title, _ in read_deck(deck)]
    expected = (
        ["West Lancashire: Community Safety Partnership performance", "Headlines 2014/15",
         "Summary 2014/15"]
        + [f.name for f in shared_pack.indicators]
        + [t.title for t in shared_pack.seasonal]
        + ["Crime by category", "Crime by category: figures", "How the districts compare",
           "Data notes: sources", "Data notes: quality and method", "Technical annex",
           "Technical annex: method"]
    )  # fmt: skip
    assert titles == expected
    assert "Performance 2014/15 compared with 2013/14" in slide_text(slides[0])
    assert "West Lancashire Community Safety Partnership" in slide_text(slides[0])
    pictures = [
        shape for s in slides for shape in s.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    # 4 indicator trends, 1 seasonal chart, categories, districts (no logo set)
    assert len(pictures) == 7
    for pic in pictures:
        assert pic._element.nvPicPr.cNvPr.get("descr")  # alt text


def test_deck_headline_sentences_and_figures(deck: Path, shared_pack: PerformancePack) -> None:
    """Then the headline slide says each indicator's sentence and each indicator slide its
    figures, with true minus signs."""
    slides = read_deck(deck)
    headline_text = slides[1][1]
    for sentence in wording.headlines(shared_pack):
        assert sentence in headline_text
    assert HEADLINE in headline_text
    all_crime = dict(slides)["All crime"]
    fig = shared_pack.indicator("all-crime")
    for label, value in wording.figures_rows(fig, "2014/15", "2013/14"):
        assert label in all_crime and value in all_crime
    assert "4,995" in all_crime and "5,400" in all_crime
    assert "\u2212405" in all_crime and "\u22127.5%" in all_crime
    mischief = dict(slides)["Anti-social behaviour on Mischief Night"]
    assert "day-level data" in mischief.lower()
    notes = dict(slides)["Data notes: quality and method"]
    assert "December 2014 is missing" in notes
    summary = dict(slides)["Summary 2014/15"]
    for row in tables.summary_rows(shared_pack):
        for cell in row:
            assert cell in summary


# ---------------------------------------------------------------- PDF


def test_pdf_text_numbers_pages_and_contents(pdf: Path, shared_pack: PerformancePack) -> None:
    """Then the PDF numbers its pages, its contents give the page each section starts on,
    and it carries the same sentences and figures as the deck."""
    pages = pdf_pages(pdf)
    n = len(pages)
    assert n >= 5
    assert "Page 1 of " + str(n) in pages[0]
    assert f"Page {n} of {n}" in pages[-1]
    assert "Performance 2014/15 compared with 2013/14" in pages[0]
    everything = squash(" ".join(pages))
    assert HEADLINE in everything
    for sentence in wording.headlines(shared_pack):
        assert sentence in everything
    contents = squash(pages[1])
    assert "Contents" in contents
    headings = ["Headlines 2014/15", "All crime", "Seasonal windows", "Data notes",
                "Technical annex"]  # fmt: skip
    for heading in headings:
        m = re.search(re.escape(heading) + r"[ .]*?(\d+)\b", contents)
        assert m, heading
        page_no = int(m.group(1))
        assert heading in squash(pages[page_no - 1]), (heading, page_no)
    assert "4,995" in everything and "5,400" in everything and "\u22127.5%" in everything
    assert "needs day-level data" in everything.lower()
    # the partnership's name heads every page after the cover
    assert all(shared_pack.partnership_name in page for page in pages[1:])


def test_pdf_metadata(pdf: Path) -> None:
    reader = PdfReader(str(pdf))
    assert reader.metadata is not None
    assert "West Lancashire" in (reader.metadata.title or "")
    assert reader.metadata.author == "West Lancashire Community Safety Partnership"


def test_pdf_renders_to_png(pdf: Path, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is missing (apt-get install -y poppler-utils)")
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(PdfReader(str(pdf)).pages)
    assert all(p.stat().st_size > 1000 for p in pngs)


def test_pdf_fetches_nothing_from_the_network(tmp_path: Path) -> None:
    fetcher = OfflineFetcher()
    html = (
        '<html><head><link rel="stylesheet" href="https://fonts.example.com/x.css"></head>'
        '<body><img src="http://example.com/logo.png"><p>Offline</p></body></html>'
    )
    HTML(string=html, base_url=str(tmp_path), url_fetcher=fetcher).write_pdf(
        str(tmp_path / "x.pdf")
    )
    assert sorted(fetcher.refused) == [
        "http://example.com/logo.png",
        "https://fonts.example.com/x.css",
    ]
    with pytest.raises(ValueError, match="offline"):
        fetcher.fetch("https://example.com/")


def test_pdf_escapes_text(tmp_path: Path) -> None:
    pack = replace(
        example_pack(),
        place_name="<Tyne & Wear>",
        sources=['<img src="http://x/y">'],
        series={},
        districts=[],
    )
    out = build_pdf(pack, tmp_path / "escaped.pdf")
    text = squash(" ".join(pdf_pages(out)))
    assert "<Tyne & Wear>" in text
    assert '<img src="http://x/y">' in text


# ---------------------------------------------------------------- XLSX


def _table_rows(ws: object, name: str) -> list[tuple[object, ...]]:
    """The rows of the Excel table ``name`` (its header first)."""
    ref = ws.tables[name].ref  # type: ignore[attr-defined]
    return [tuple(c.value for c in row) for row in ws[ref]]  # type: ignore[index]


def test_workbook_sheets_headers_and_numbers(xlsx: Path, shared_pack: PerformancePack) -> None:
    """Then the workbook holds the tables behind every chart as real numbers, with units
    in the headers, plain words on the Summary sheet and the statistics on the Annex."""
    wb = load_workbook(str(xlsx))
    assert wb.sheetnames == [
        "Summary", "All crime", "Anti-social behaviour", "Violence and sexual offences",
        "Vehicle crime", "Seasonal", "Categories", "Districts", "Data notes", "Annex",
    ]  # fmt: skip
    summary = wb["Summary"]
    assert summary["A1"].value == shared_pack.partnership_name
    rows = _table_rows(summary, "summary")
    headers, body = rows[0], rows[1:]
    assert headers[:9] == (
        "Indicator", "Unit", "2014/15: count", "2014/15: months held", "2013/14: count",
        "2013/14: months held", "Change (count)", "% change", "Rate per 1,000 residents",
    )  # fmt: skip
    top = int(summary.tables["summary"].ref.split(":")[0][1:])
    assert summary.freeze_panes == f"A{top + 1}"  # the header row stays in view
    for row, fig in zip(body, shared_pack.indicators, strict=True):
        assert row[0] == fig.name and row[1] == fig.unit
        assert (row[2], row[4], row[6]) == (fig.count, fig.previous_count, fig.change)
        if fig.change is None:
            assert row[7] is None
        else:
            assert row[7] == pytest.approx((fig.pct_change or 0) / 100)
        assert row[8] == (None if fig.rate_per_1000 is None else pytest.approx(fig.rate_per_1000))
        assert row[9] == wording.verdict_text(fig)
    assert body[0][-1] == HEADLINE
    assert summary.cell(top + 1, 3).number_format == "#,##0"
    assert summary.cell(top + 1, 8).number_format.startswith("+0.0%")

    series = wb["All crime"]
    assert [c.value for c in series[1]][:5] == [
        "Month", "Count (crimes)", "Average (crimes)",
        "Lower limit of normal variation (crimes)", "Upper limit of normal variation (crimes)",
    ]  # fmt: skip
    points = shared_pack.series["all-crime"]
    rows = list(series.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(points)
    for row, p in zip(rows, points, strict=True):
        assert row[0].date() == p.month
        assert row[1] == p.count
        assert row[4] == pytest.approx(p.upper)
    assert next(r for r in rows if r[6] == "yes")[0].date().isoformat() == "2014-12-01"

    districts = wb["Districts"]
    assert [c.value for c in districts[1]][:4] == [
        "District", "Rank (highest rate first)", "Count (crimes)", "Rate per 1,000 residents",
    ]  # fmt: skip
    assert districts.column_dimensions["A"].width >= 20
    seasonal = wb["Seasonal"]
    years = [
        r
        for r in seasonal.iter_rows(min_row=2, values_only=True)
        if r[0] == shared_pack.seasonal[0].title
    ]
    assert [(r[2], r[3]) for r in years] == [
        (r.year, r.count) for r in shared_pack.seasonal[0].rows
    ]
    annex = _table_rows(wb["Annex"], "annex")
    assert annex[0] == tuple(wording.ANNEX_HEADER)
    all_crime = next(r for r in annex if r[0] == "All crime")
    assert all_crime[3] == pytest.approx(shared_pack.indicator("all-crime").z)


def test_workbook_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    """Given a partnership and an indicator named like formulas, When the workbook is
    written and opened again, Then those names are text cells holding the names, and no
    cell anywhere is a formula."""
    pack = example_pack()
    first = replace(pack.indicators[0], name="=1+1")
    pack = replace(pack, partnership_name='=HYPERLINK("http://x")',
                   indicators=[first, *pack.indicators[1:]])  # fmt: skip
    wb = load_workbook(str(build_xlsx(pack, tmp_path / "formulas.xlsx")))
    summary = wb["Summary"]
    assert summary["A1"].value == '=HYPERLINK("http://x")'
    assert summary["A1"].data_type == "s"
    assert "=1+1" in [row[0] for row in _table_rows(summary, "summary")]
    formulas = [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]  # fmt: skip
    assert formulas == []


def test_sheet_names_are_safe_and_unique() -> None:
    taken: set[str] = set()
    assert (
        sheet_name("Violence: with [injury]/without?", taken) == "Violence  with  injury  without"
    )
    assert sheet_name("Violence  with  injury  without", taken) == "Violence  with  injury  wit (2)"
    assert len(sheet_name("x" * 40, taken)) == 31


def test_a_bare_pack_still_makes_every_document(tmp_path: Path) -> None:
    """Given a pack with one indicator and nothing else (no series, seasons, categories,
    districts, notes), every builder still writes a readable document."""
    bare = replace(
        example_pack(),
        indicators=[figure_from_counts("all-crime", "All crime", "crimes", 0, 0)],
        series={},
        seasonal=[],
        categories=[],
        districts=[],
        quality_notes=[],
        sources=[],
        source_notes=[],
    )
    deck = build_pptx(bare, tmp_path / "d.pptx")
    titles = [title for title, _ in read_deck(deck)]
    assert titles[1:] == ["Headlines 2014/15", "Summary 2014/15", "All crime",
                          "Data notes: sources", "Data notes: quality and method",
                          "Technical annex", "Technical annex: method"]  # fmt: skip
    pdf = build_pdf(bare, tmp_path / "r.pdf")
    text = squash(" ".join(pdf_pages(pdf)))
    assert "All crime: none in 2014/15 or 2013/14" in text
    assert "No data is held for West Lancashire in this period." in text
    wb = load_workbook(str(build_xlsx(bare, tmp_path / "t.xlsx")))
    assert wb.sheetnames == ["Summary", "Seasonal", "Categories", "Districts", "Data notes",
                             "Annex"]  # fmt: skip
