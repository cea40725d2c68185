"""The papers are laid out to be read: nothing on a slide runs off it or out of its box,
long text carries on to a "(continued)" slide, the PDF is tagged for assistive
technology, and its charts are the very pictures the deck shows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from saferplaces.reports.pack import PerformancePack, figure_from_counts
from saferplaces.reports.pdf_report import build_pdf, report_html
from saferplaces.reports.pptx_deck import build_pptx
from saferplaces.reports.pptx_layout import BODY_BOTTOM, SLIDE_H
from saferplaces.reports.render import RenderedCharts, png_size
from saferplaces.reports.textfit import LINE_SPACING, line_count
from tests.reports.conftest import example_pack, partial_pack

TOLERANCE = Emu(12700)  # 1 pt


def crowded_pack() -> PerformancePack:
    """A pack with more to say than a slide holds: a long place name, sixteen
    indicators, many quality notes and long sources."""
    base = example_pack()
    extra = [
        figure_from_counts(f"local-{i}", f"Local priority indicator number {i} (repeat "
                           "victims of anti-social behaviour)", "incidents", 300 + i, 280, 1)
        for i in range(9)
    ]  # fmt: skip
    return replace(
        base,
        place_name="Blackburn with Darwen",
        indicators=[*base.indicators, *extra],
        quality_notes=[f"Note {i}: {'a gap in the data is named here. ' * 6}" for i in range(14)],
        sources=[*base.sources, *(f"Source {i}: {'a long description. ' * 12}" for i in range(4))],
    )


@pytest.fixture(scope="module", params=["example", "partial", "crowded"])
def any_deck(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pack = {"example": example_pack, "partial": partial_pack, "crowded": crowded_pack}[
        request.param
    ]()
    return build_pptx(pack, tmp_path_factory.mktemp("deck") / f"{request.param}.pptx")


def _paragraph_height(para: Any, width: float) -> float:
    sizes = [r.font.size.pt for r in para.runs if r.font.size is not None] or [18.0]
    size = max(sizes)
    bold = any(r.font.bold for r in para.runs)
    return line_count(para.text, width, size, bold) * size * LINE_SPACING


def _text_height(frame: Any, width: int, margins: Any = None) -> int:
    """The height ``frame``'s text needs in ``width`` EMU; ``margins`` (a table cell) holds
    the insets when the frame's own do not apply."""
    box = margins if margins is not None else frame
    inner = (width - box.margin_left - box.margin_right) / 12700
    total = 0.0
    for i, para in enumerate(frame.paragraphs):
        total += _paragraph_height(para, inner)
        total += para.space_after.pt if para.space_after is not None else 0
        if i and para.space_before is not None:
            total += para.space_before.pt
    return int(total * 12700 + box.margin_top + box.margin_bottom)


def test_no_text_runs_out_of_its_box_or_off_the_slide(any_deck: Path) -> None:
    """Given the example, a part of a place and a crowded pack, When each deck is
    written, Then every text box is as tall as its text needs, every table row as tall
    as its tallest cell, and everything but the footer ends above the footer."""
    prs = Presentation(str(any_deck))
    for n, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            where = (n, shape.name, shape.text_frame.text[:40] if shape.has_text_frame else "")
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= prs.slide_width, where
            assert shape.top + shape.height <= prs.slide_height, where
            if n > 1 and shape.top < SLIDE_H - Emu(457200):  # all but the footer
                assert shape.top + shape.height <= BODY_BOTTOM + TOLERANCE, where
            if shape.has_text_frame and shape.text_frame.text.strip():
                need = _text_height(shape.text_frame, shape.width)
                assert need <= shape.height + TOLERANCE, (*where, need, shape.height)
            if shape.has_table:
                table = shape.table
                for r, row in enumerate(table.rows):
                    for c, cell in enumerate(row.cells):
                        need = _text_height(cell.text_frame, table.columns[c].width, cell)
                        assert need <= row.height + TOLERANCE, (*where, r, c, cell.text)


def test_a_crowded_deck_carries_on_to_continued_slides(tmp_path: Path) -> None:
    """Given more headlines and notes than a slide holds, Then they carry on to
    "(continued)" slides, and every sentence is on one of them."""
    pack = crowded_pack()
    prs = Presentation(str(build_pptx(pack, tmp_path / "crowded.pptx")))
    titles = [s.shapes.title.text_frame.text for s in prs.slides]
    assert "Headlines 2014/15 (continued)" in titles
    assert "Data notes: quality and method (continued)" in titles
    text = "\n".join(
        shape.text_frame.text for s in prs.slides for shape in s.shapes if shape.has_text_frame
    )
    for note in pack.quality_notes:
        assert note.strip() in text


# ---------------------------------------------------------------- the PDF


def _struct(node: Any, found: list[DictionaryObject]) -> list[DictionaryObject]:
    node = node.get_object()
    if isinstance(node, ArrayObject):
        for child in node:
            _struct(child, found)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            _struct(node["/K"], found)
    return found


def test_the_pdf_is_tagged_with_title_language_and_alt_text(tmp_path: Path) -> None:
    """Given the example pack, When the PDF is written, Then it is a tagged PDF (a
    structure tree, marked content) that shows its title and declares its language, its
    tables have header cells and every chart is a figure with its alt text."""
    pack = example_pack()
    rendered = RenderedCharts(pack)
    reader = PdfReader(str(build_pdf(pack, tmp_path / "tagged.pdf", rendered=rendered)))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert root["/Lang"] == "en-GB"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert reader.metadata is not None
    assert reader.metadata.title == (
        "West Lancashire: Community Safety Partnership performance 2014/15"
    )
    elements = _struct(root["/StructTreeRoot"], [])
    kinds = {str(e["/S"]) for e in elements}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= kinds
    alts = [str(e.get("/Alt", "")) for e in elements if e["/S"] == "/Figure"]
    charts = [*rendered.charts.trends.values(), *filter(None, rendered.charts.seasonal),
              rendered.charts.categories, rendered.charts.districts]  # fmt: skip
    assert sorted(alts) == sorted(c.alt_text for c in charts if c is not None)


def test_the_pdf_charts_are_the_decks_pictures() -> None:
    """The PDF places each chart as the PNG vl-convert drew (the deck's picture), never
    an SVG that another program would set in another font and so cut labels short."""
    pack = example_pack()
    rendered = RenderedCharts(pack)
    html = report_html(pack, rendered)
    assert "image/svg+xml" not in html
    assert html.count('src="data:image/png;base64,') == 7
    widths = {png_size(rendered.png(c))[0] for c in rendered.charts.trends.values()}
    assert all(f"width: {w / 2}px" in html for w in widths)
