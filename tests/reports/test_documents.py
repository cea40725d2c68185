"""The deck, the PDF and the workbook, read back: the numbers in them equal the pack's."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader
from weasyprint import HTML

from saferplaces.reports import wording
from saferplaces.reports.pack import PerformancePack
from saferplaces.reports.pdf_report import OfflineFetcher, build_pdf
from saferplaces.reports.pptx_deck import build_pptx
from saferplaces.reports.render import RenderedCharts
from saferplaces.reports.xlsx_workbook import build_xlsx, sheet_name
from tests.reports.conftest import example_pack

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


def _slide_text(slide: object) -> str:
    parts: list[str] = []
    for shape in slide.shapes:  # type: ignore[attr-defined]
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            for row in shape.table.rows:
                parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_deck_slides_titles_and_pictures(deck: Path, shared_pack: PerformancePack) -> None:
    prs = Presentation(str(deck))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 16:9
    slides = list(prs.slides)
    titles = [s.shapes.title.text_frame.text for s in slides]
    expected = (
        ["West Lancashire: Community Safety Partnership performance", "Headlines 2014/15"]
        + [f.name for f in shared_pack.indicators]
        + [t.title for t in shared_pack.seasonal]
        + ["Crime by category", "How the districts compare", "Data notes"]
    )
    assert titles == expected
    assert "Performance 2014/15 compared with 2013/14" in _slide_text(slides[0])
    assert "West Lancashire Community Safety Partnership" in _slide_text(slides[0])
    pictures = [
        (i, shape)
        for i, s in enumerate(slides)
        for shape in s.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    # 4 indicator trends, 1 seasonal chart, categories, districts
    assert len(pictures) == 7
    for _, pic in pictures:
        assert pic._element.nvPicPr.cNvPr.get("descr")  # alt text


def test_deck_headline_sentences_and_figures(deck: Path, shared_pack: PerformancePack) -> None:
    slides = list(Presentation(str(deck)).slides)
    headline_text = _slide_text(slides[1])
    for sentence in wording.headlines(shared_pack):
        assert sentence in headline_text
    assert HEADLINE in headline_text
    assert "within normal variation" in headline_text
    all_crime = _slide_text(slides[2])
    fig = shared_pack.indicator("all-crime")
    for label, value in wording.figures_rows(fig, "2014/15", "2013/14"):
        assert label in all_crime and value in all_crime
    assert (
        "4,995" in all_crime
        and "5,400" in all_crime
        and "\u2212405" in all_crime
        and "\u22127.5%" in all_crime
    )
    mischief = _slide_text(slides[2 + len(shared_pack.indicators) + 1])
    assert "day-level data" in mischief.lower()
    notes = _slide_text(slides[-1])
    assert shared_pack.sources[0] in notes
    assert "Poisson" in notes and "3-sigma" in notes
    assert "December 2014 is missing" in notes


def test_deck_shapes_stay_on_the_slide(deck: Path) -> None:
    prs = Presentation(str(deck))
    for n, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (n, shape.name)
            assert shape.left + shape.width <= prs.slide_width, (n, shape.name)
            assert shape.top + shape.height <= prs.slide_height, (n, shape.name)


# ---------------------------------------------------------------- PDF


def _pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_pdf_text_numbers_pages_and_contents(pdf: Path, shared_pack: PerformancePack) -> None:
    pages = _pdf_pages(pdf)
    n = len(pages)
    assert n >= 5
    assert "Page 1 of " + str(n) in pages[0]
    assert f"Page {n} of {n}" in pages[-1]
    assert "Performance 2014/15 compared with 2013/14" in pages[0]
    everything = _squash(" ".join(pages))
    assert HEADLINE in everything
    for sentence in wording.headlines(shared_pack):
        assert sentence in everything
    # contents: every section with the page it starts on
    contents = _squash(pages[1])
    assert "Contents" in contents
    for heading in ["Headlines 2014/15", "All crime", "Seasonal windows", "Data notes"]:
        m = re.search(re.escape(heading) + r"[ .]*?(\d+)\b", contents)
        assert m, heading
        page_no = int(m.group(1))
        assert heading in _squash(pages[page_no - 1]), (heading, page_no)
    # the figures
    assert "4,995" in everything and "5,400" in everything and "\u22127.5%" in everything
    assert "needs day-level data" in everything.lower()
    assert shared_pack.sources[0] in everything


def test_pdf_metadata_and_images(pdf: Path) -> None:
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
    from dataclasses import replace

    pack = replace(
        example_pack(),
        place_name="<Tyne & Wear>",
        sources=['<img src="http://x/y">'],
        series={},
        districts=[],
    )
    out = build_pdf(pack, tmp_path / "escaped.pdf")
    text = _squash(" ".join(_pdf_pages(out)))
    assert "<Tyne & Wear>" in text
    assert '<img src="http://x/y">' in text


# ---------------------------------------------------------------- XLSX


def test_workbook_sheets_headers_and_numbers(xlsx: Path, shared_pack: PerformancePack) -> None:
    wb = load_workbook(str(xlsx))
    assert wb.sheetnames == [
        "Summary",
        "All crime",
        "Anti-social behaviour",
        "Violence and sexual offences",
        "Vehicle crime",
        "Seasonal",
        "Categories",
        "Districts",
        "Data notes",
    ]
    summary = wb["Summary"]
    headers = [c.value for c in summary[1]]
    assert headers[:8] == [
        "Indicator",
        "Unit",
        "2014/15: count",
        "2013/14: count",
        "Change (count)",
        "% change",
        "Rate per 1,000 residents",
        "Poisson z",
    ]
    assert summary.freeze_panes == "A2"
    for row, fig in zip(
        summary.iter_rows(min_row=2, values_only=True), shared_pack.indicators, strict=True
    ):
        assert row[0] == fig.name and row[1] == fig.unit
        assert (row[2], row[3], row[4]) == (fig.count, fig.previous_count, fig.change)
        if fig.pct_change is None:
            assert row[5] is None
        else:
            assert row[5] == pytest.approx(fig.pct_change / 100)
        assert row[6] == pytest.approx(fig.rate_per_1000)
        assert row[7] == pytest.approx(fig.z)
    assert summary["C2"].number_format == "#,##0"
    assert summary["F2"].number_format.startswith("+0.0%")
    assert summary["K2"].value == HEADLINE

    series = wb["All crime"]
    assert [c.value for c in series[1]][:5] == [
        "Month",
        "Count (crimes)",
        "Mean (crimes)",
        "Lower limit, 3-sigma (crimes)",
        "Upper limit, 3-sigma (crimes)",
    ]
    points = shared_pack.series["all-crime"]
    rows = list(series.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(points)
    for row, p in zip(rows, points, strict=True):
        assert row[0].date() == p.month
        assert row[1] == p.count
        assert row[4] == pytest.approx(p.upper)
    assert next(r for r in rows if r[6] == "yes")[0].date().isoformat() == "2014-12-01"

    districts = wb["Districts"]
    assert [c.value for c in districts[1]][:3] == [
        "District",
        "Count (crimes)",
        "Rate per 1,000 residents",
    ]
    assert districts.column_dimensions["A"].width >= 20
    cats = wb["Categories"]
    assert cats.cell(2, 2).value == shared_pack.categories[0].count
    seasonal = wb["Seasonal"]
    years = [
        r
        for r in seasonal.iter_rows(min_row=2, values_only=True)
        if r[0] == shared_pack.seasonal[0].title
    ]
    assert [(r[2], r[3]) for r in years] == [
        (r.year, r.count) for r in shared_pack.seasonal[0].rows
    ]
    notes = " ".join(str(c.value) for row in wb["Data notes"].iter_rows() for c in row)
    assert shared_pack.sources[0] in notes and "Poisson" in notes


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
    from dataclasses import replace

    from saferplaces.reports.pack import figure_from_counts

    bare = replace(
        example_pack(),
        indicators=[figure_from_counts("all-crime", "All crime", "crimes", 0, 0)],
        series={},
        seasonal=[],
        categories=[],
        districts=[],
        quality_notes=[],
        sources=[],
    )
    deck = build_pptx(bare, tmp_path / "d.pptx")
    titles = [s.shapes.title.text_frame.text for s in Presentation(str(deck)).slides]
    assert titles[1:] == ["Headlines 2014/15", "All crime", "Data notes"]
    pdf = build_pdf(bare, tmp_path / "r.pdf")
    text = _squash(" ".join(_pdf_pages(pdf)))
    assert "All crime: none in 2014/15 or 2013/14" in text
    wb = load_workbook(str(build_xlsx(bare, tmp_path / "t.xlsx")))
    assert wb.sheetnames == ["Summary", "Seasonal", "Categories", "Districts", "Data notes"]
