"""The partnership's annual performance briefing as a 16:9 PowerPoint deck.

Slides: title; headlines; one per indicator (trend chart and figures table); one per
seasonal window (chart and table, or the reason it cannot be counted); categories;
districts side by side; data notes (sources, coverage, gaps, method).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from saferplaces.reports import wording
from saferplaces.reports.charts import Chart
from saferplaces.reports.pack import PerformancePack, SeasonalTable
from saferplaces.reports.render import RenderedCharts

INK = RGBColor(0x0B, 0x0C, 0x0C)
NAVY = RGBColor(0x00, 0x30, 0x78)
BLUE = RGBColor(0x1D, 0x70, 0xB8)
GREY = RGBColor(0x50, 0x5A, 0x5F)
LIGHT = RGBColor(0xF3, 0xF2, 0xF1)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
GREEN = RGBColor(0x00, 0x70, 0x3C)
RED = RGBColor(0xD4, 0x35, 0x1C)
FONT = "Arial"

SLIDE_W = Emu(12192000)  # 13.333 in: 16:9
SLIDE_H = Emu(6858000)  # 7.5 in
MARGIN = Inches(0.6)

LAYOUT_TITLE = 0
LAYOUT_TITLE_ONLY = 5


def build_pptx(
    pack: PerformancePack, path: Path | str, *, rendered: RenderedCharts | None = None
) -> Path:
    """Write the performance deck for ``pack`` to ``path`` and return the path.

    Pass ``rendered`` to reuse chart renders made for another document in the same run.
    """
    out = Path(path)
    r = rendered if rendered is not None else RenderedCharts(pack)
    prs = Presentation()
    prs.slide_width = SLIDE_W
    prs.slide_height = SLIDE_H
    prs.core_properties.title = f"{pack.partnership_name}: {pack.subtitle}"
    prs.core_properties.author = pack.partnership_name
    prs.core_properties.subject = pack.title
    _title_slide(prs, pack)
    _headline_slide(prs, pack)
    for fig in pack.indicators:
        _indicator_slide(prs, pack, r, fig.slug)
    for table, chart in zip(pack.seasonal, r.charts.seasonal, strict=True):
        _seasonal_slide(prs, pack, r, table, chart)
    if r.charts.categories is not None:
        _chart_slide(prs, pack, r, "Crime by category", r.charts.categories)
    if r.charts.districts is not None:
        _chart_slide(prs, pack, r, "How the districts compare", r.charts.districts)
    _notes_slide(prs, pack)
    for number, slide in enumerate(prs.slides, start=1):
        if number > 1:
            _footer(slide, pack, number)
    out.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(out))
    return out


# ---------------------------------------------------------------- slide furniture


def _new_slide(prs: PresentationType, title: str) -> Slide:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    shape = slide.shapes.title
    assert shape is not None
    shape.left, shape.top = MARGIN, Inches(0.35)
    shape.width, shape.height = Emu(SLIDE_W - 2 * MARGIN), Inches(0.9)
    tf = shape.text_frame
    tf.text = title
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    para = tf.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    _style(para.runs[0], 30, bold=True, color=NAVY)
    bar = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, MARGIN + Inches(0.1), Inches(1.28), Inches(1.6), Inches(0.07)
    )
    bar.fill.solid()
    bar.fill.fore_color.rgb = BLUE
    bar.line.fill.background()
    return slide


def _style(run: object, size: float, *, bold: bool = False, color: RGBColor = INK) -> None:
    font = run.font  # type: ignore[attr-defined]
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = color


def _textbox(
    slide: Slide,
    left: int,
    top: int,
    width: int,
    height: int,
    paragraphs: Sequence[str],
    *,
    size: float = 16,
    color: RGBColor = INK,
    bold: bool = False,
    space_after: float = 6,
) -> None:
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    tf = box.text_frame
    tf.word_wrap = True
    for i, text in enumerate(paragraphs):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        run = para.add_run()
        run.text = text
        _style(run, size, bold=bold, color=color)
        para.space_after = Pt(space_after)


def _footer(slide: Slide, pack: PerformancePack, number: int) -> None:
    top = SLIDE_H - Inches(0.5)
    text = f"{pack.partnership_name} \u00b7 {pack.subtitle}"
    _textbox(slide, MARGIN, top, Inches(10), Inches(0.35), [text], size=10, color=GREY)
    box = slide.shapes.add_textbox(
        Emu(SLIDE_W - MARGIN - Inches(1)), Emu(top), Inches(1), Inches(0.35)
    )
    para = box.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.RIGHT
    run = para.add_run()
    run.text = str(number)
    _style(run, 10, color=GREY)


def _picture(
    slide: Slide, png: bytes, alt: str, left: int, top: int, max_w: int, max_h: int
) -> None:
    pic = slide.shapes.add_picture(io.BytesIO(png), Emu(left), Emu(top), width=Emu(max_w))
    if pic.height > max_h:
        ratio = max_h / pic.height
        pic.height = Emu(max_h)
        pic.width = Emu(int(pic.width * ratio))
    element: Any = pic._element
    element.nvPicPr.cNvPr.set("descr", alt)


def _table(
    slide: Slide,
    rows: Sequence[Sequence[str]],
    left: int,
    top: int,
    width: int,
    *,
    header: bool = True,
    size: float = 13,
    col_widths: Sequence[float] | None = None,
) -> None:
    n_rows, n_cols = len(rows), len(rows[0])
    # shrink rows so a long table (e.g. 15 years) still ends above the footer
    row_h = Emu(min(Inches(0.42), (SLIDE_H - Inches(0.7) - top) // n_rows))
    shape = slide.shapes.add_table(
        n_rows, n_cols, Emu(left), Emu(top), Emu(width), Emu(row_h * n_rows)
    )
    table = shape.table
    table.first_row = header
    if col_widths:
        for i, w in enumerate(col_widths):
            table.columns[i].width = Emu(int(width * w))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text = value
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            para = cell.text_frame.paragraphs[0]
            para.alignment = PP_ALIGN.RIGHT if c > 0 else PP_ALIGN.LEFT
            is_header = header and r == 0
            _style(para.runs[0], size, bold=is_header, color=WHITE if is_header else INK)
            cell.fill.solid()
            if is_header:
                cell.fill.fore_color.rgb = NAVY
            else:
                cell.fill.fore_color.rgb = LIGHT if r % 2 else WHITE


# ---------------------------------------------------------------- slides


def _title_slide(prs: PresentationType, pack: PerformancePack) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, SLIDE_W, SLIDE_H)
    band.fill.solid()
    band.fill.fore_color.rgb = NAVY
    band.line.fill.background()
    band._element.getparent().remove(band._element)
    slide.shapes._spTree.insert(2, band._element)
    title = slide.shapes.title
    assert title is not None
    title.left, title.top = MARGIN, Inches(2.2)
    title.width, title.height = Emu(SLIDE_W - 2 * MARGIN), Inches(1.6)
    title.text_frame.text = f"{pack.place_name}: Community Safety Partnership performance"
    title.text_frame.word_wrap = True
    para = title.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    _style(para.runs[0], 38, bold=True, color=WHITE)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top = MARGIN, Inches(4.0)
    subtitle.width, subtitle.height = Emu(SLIDE_W - 2 * MARGIN), Inches(1.8)
    tf = subtitle.text_frame
    lines = [pack.subtitle, pack.partnership_name, wording.generated_note(pack)]
    for i, text in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = PP_ALIGN.LEFT
        run = p.add_run()
        run.text = text
        _style(run, 24 if i == 0 else 16, bold=i == 0, color=WHITE)


def _headline_slide(prs: PresentationType, pack: PerformancePack) -> None:
    slide = _new_slide(prs, f"Headlines {pack.period_label}")
    box = slide.shapes.add_textbox(MARGIN, Inches(1.6), Emu(SLIDE_W - 2 * MARGIN), Inches(5.2))
    tf = box.text_frame
    tf.word_wrap = True
    sentences = wording.headlines(pack)
    size = 20 if len(sentences) <= 7 else 16
    for i, (fig, sentence) in enumerate(zip(pack.indicators, sentences, strict=True)):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.space_after = Pt(10)
        main, sep, verdict = sentence.partition(f" {wording.DASH} ")
        bullet = para.add_run()
        bullet.text = "\u25a0  "
        colour = BLUE
        judged = wording.verdict_label(fig) != "too few to judge"
        if judged and fig.significant and fig.change < 0:
            colour = GREEN
        elif judged and fig.significant and fig.change > 0:
            colour = RED
        _style(bullet, size - 4, color=colour)
        run = para.add_run()
        run.text = main
        _style(run, size, bold=i == 0)
        if sep:
            tail = para.add_run()
            tail.text = sep + verdict
            _style(tail, size, color=GREY if not fig.significant else INK)


def _indicator_slide(
    prs: PresentationType, pack: PerformancePack, r: RenderedCharts, slug: str
) -> None:
    fig = pack.indicator(slug)
    slide = _new_slide(prs, fig.name)
    sentence = wording.headline(fig, pack.period_label, pack.comparison_label)
    _textbox(
        slide, MARGIN, Inches(1.45), Emu(SLIDE_W - 2 * MARGIN), Inches(0.6), [sentence], size=18
    )
    chart = r.charts.trends.get(slug)
    table_left: int = MARGIN
    if chart is not None:
        _picture(
            slide, r.png(chart), chart.alt_text, MARGIN, Inches(2.15), Inches(8.1), Inches(4.6)
        )
        table_left = MARGIN + Inches(8.35)
    rows = [["Measure", "Value"]] + [
        list(row) for row in wording.figures_rows(fig, pack.period_label, pack.comparison_label)
    ]
    width = Emu(SLIDE_W - MARGIN - table_left) if chart is not None else Inches(6)
    _table(slide, rows, table_left, Inches(2.3), width, size=12, col_widths=(0.56, 0.44))
    if chart is None:
        _textbox(
            slide,
            MARGIN + Inches(6.5),
            Inches(2.3),
            Inches(5.5),
            Inches(1.5),
            ["No monthly series is available for this indicator."],
            size=14,
            color=GREY,
        )


def _seasonal_slide(
    prs: PresentationType,
    pack: PerformancePack,
    r: RenderedCharts,
    table: SeasonalTable,
    chart: Chart | None,
) -> None:
    slide = _new_slide(prs, table.title)
    _textbox(
        slide,
        MARGIN,
        Inches(1.45),
        Inches(12),
        Inches(0.5),
        [table.window_label],
        size=16,
        color=GREY,
    )
    if chart is not None:
        _picture(
            slide, r.png(chart), chart.alt_text, MARGIN, Inches(2.05), Inches(8.0), Inches(4.7)
        )
        rows = [["Year", f"Count ({table.unit})"]] + [
            [str(row.year), "no data" if row.count is None else wording.fmt_int(row.count)]
            for row in table.rows
        ]
        _table(slide, rows, MARGIN + Inches(8.4), Inches(2.05), Inches(3.7), size=11)
        if table.note:
            _textbox(
                slide,
                MARGIN,
                Inches(6.4),
                Inches(8),
                Inches(0.5),
                [table.note],
                size=12,
                color=GREY,
            )
    else:
        note = table.note or "No counts are available for this window."
        box = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, MARGIN, Inches(2.3), Inches(9), Inches(1.8)
        )
        box.fill.solid()
        box.fill.fore_color.rgb = LIGHT
        box.line.color.rgb = BLUE
        tf = box.text_frame
        tf.word_wrap = True
        tf.margin_left = tf.margin_right = Inches(0.3)
        run = tf.paragraphs[0].add_run()
        run.text = note
        _style(run, 18, color=INK)


def _chart_slide(
    prs: PresentationType, pack: PerformancePack, r: RenderedCharts, title: str, chart: Chart
) -> None:
    slide = _new_slide(prs, title)
    _picture(slide, r.png(chart), chart.alt_text, MARGIN, Inches(1.6), Inches(8.6), Inches(5.2))
    _textbox(
        slide,
        MARGIN + Inches(8.9),
        Inches(1.8),
        Inches(3.2),
        Inches(4),
        [chart.alt_text],
        size=13,
        color=GREY,
    )


def _notes_slide(prs: PresentationType, pack: PerformancePack) -> None:
    slide = _new_slide(prs, "Data notes")
    col_w = Emu((SLIDE_W - 2 * MARGIN - Inches(0.4)) // 2)
    left_paras = ["Sources", *pack.sources, "Coverage", wording.coverage_note(pack)]
    right_paras = [
        "Data quality",
        *(pack.quality_notes or ["No gaps found."]),
        "Method",
        *wording.METHOD_NOTES,
    ]
    heads = {"Sources", "Coverage", "Data quality", "Method"}
    for left, paras in ((MARGIN, left_paras), (MARGIN + col_w + Inches(0.4), right_paras)):
        box = slide.shapes.add_textbox(Emu(left), Inches(1.55), col_w, Inches(5.3))
        tf = box.text_frame
        tf.word_wrap = True
        for i, text in enumerate(paras):
            para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            run = para.add_run()
            run.text = text
            head = text in heads
            _style(run, 16 if head else 13, bold=head, color=NAVY if head else INK)
            para.space_before = Pt(8 if head and i else 0)
            para.space_after = Pt(3)
