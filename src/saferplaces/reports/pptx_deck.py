"""The partnership's annual performance briefing as a 16:9 PowerPoint deck.

Slides: title (the partnership's name and logo); headlines; summary; one per indicator
(trend chart and figures table); one per seasonal window; categories (chart, then the
figures with their verdicts); districts; data notes (sources, what they cannot say,
coverage, quality, method); and last the technical annex (the test statistics, which the
body never names). Text is laid out with an estimate of its lines
(:mod:`saferplaces.reports.textfit`): it shrinks a little, then carries on to a
"(continued)" slide, and never runs off a slide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches

from saferplaces.reports import tables, wording
from saferplaces.reports.charts import Chart
from saferplaces.reports.pack import (
    VERDICT_INCREASE,
    VERDICT_REDUCTION,
    PerformancePack,
    SeasonalTable,
)
from saferplaces.reports.pptx_layout import (
    BLUE,
    BODY_BOTTOM,
    BODY_TOP,
    BODY_W,
    GREEN,
    GREY,
    INK,
    LIGHT,
    MARGIN,
    NAVY,
    RED,
    SLIDE_H,
    SLIDE_W,
    WHITE,
    Block,
    add_table,
    block,
    blocks_height,
    fit,
    fit_table,
    frame,
    new_slide,
    paginate,
    picture,
    style,
    table_slides,
    textbox,
    write,
)
from saferplaces.reports.render import RenderedCharts
from saferplaces.reports.where_when import WhereWhen

LAYOUT_TITLE = 0


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
    prs.core_properties.language = "en-GB"
    _title_slide(prs, pack)
    _headline_slides(prs, pack)
    _summary_slides(prs, pack)
    for fig in pack.indicators:
        _indicator_slide(prs, pack, r, fig.slug)
    for table, chart in zip(pack.seasonal, r.charts.seasonal, strict=True):
        _seasonal_slide(prs, r, table, chart)
    if r.charts.categories is not None:
        notes = tables.category_notes(pack)
        _chart_slide(prs, r, "Crime by category", r.charts.categories, notes)
    if pack.categories:
        table_slides(prs, "Crime by category: figures", tables.category_header(pack),
                      tables.category_rows(pack), (0.26, 0.12, 0.12, 0.15, 0.15, 0.2),
                      left_aligned=(0, 5))  # fmt: skip
    _district_slide(prs, pack, r)
    if pack.funding:
        f = pack.funding
        table_slides(prs, f"Funding {f.year_label}", f.HEADER, f.text_rows(),
                     (0.36, 0.16, 0.16, 0.18, 0.14),
                     intro=[block(f.note, 12, color=GREY)])  # fmt: skip
    if pack.where_when is not None:
        _where_when_slides(prs, pack.where_when)
    _notes_slides(prs, pack)
    _annex_slides(prs, pack)
    for number, slide in enumerate(prs.slides, start=1):
        if number > 1:
            _footer(slide, pack, number)
    out.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(out))
    return out


def _footer(slide: Slide, pack: PerformancePack, number: int) -> None:
    top = SLIDE_H - Inches(0.5)
    text = f"{pack.partnership_name} \u00b7 {pack.subtitle}"
    textbox(slide, MARGIN, top, Inches(10.5), [block(text, 10, color=GREY, after=0)])
    box = slide.shapes.add_textbox(
        Emu(SLIDE_W - MARGIN - Inches(1)), Emu(top), Inches(1), Inches(0.3)
    )
    frame(box.text_frame)
    para = box.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.RIGHT
    run = para.add_run()
    run.text = str(number)
    style(run, 10, color=GREY)


# ---------------------------------------------------------------- slides


def _title_slide(prs: PresentationType, pack: PerformancePack) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE])
    band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, SLIDE_W, SLIDE_H)
    band.fill.solid()
    band.fill.fore_color.rgb = NAVY
    band.line.fill.background()
    band._element.getparent().remove(band._element)
    slide.shapes._spTree.insert(2, band._element)
    top: int = Inches(2.2)
    if pack.logo:
        top = max(top, _logo(slide, pack) + Inches(0.4))
    title = slide.shapes.title
    assert title is not None
    text = f"{pack.place_name}: Community Safety Partnership performance"
    heading, _ = fit(lambda s: [block(text, s, color=WHITE, bold=True)], BODY_W, Inches(1.6),
                     (38, 34, 30, 26))  # fmt: skip
    title.left, title.top, title.width = MARGIN, Emu(top), BODY_W
    title.height = Emu(blocks_height(heading, BODY_W))
    frame(title.text_frame)
    title.text_frame.text = text
    para = title.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    style(para.runs[0], heading[0].size, bold=True, color=WHITE)
    top += int(title.height) + Inches(0.2)
    lines = [(pack.subtitle, 24.0, True), (pack.partnership_name, 18.0, False)]
    part = wording.coverage_sentence(pack)
    if part:
        lines.append((part, 16.0, False))
    lines.append((wording.generated_note(pack), 14.0, False))

    def make(scale: float) -> list[Block]:
        return [block(t, s * scale, color=WHITE, bold=b, after=6) for t, s, b in lines]

    blocks, _ = fit(make, BODY_W, BODY_BOTTOM - top, (1.0, 0.9, 0.8, 0.7))
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width = MARGIN, Emu(top), BODY_W
    sub.height = Emu(blocks_height(blocks, BODY_W))
    frame(sub.text_frame)
    write(sub.text_frame, blocks)
    for p in sub.text_frame.paragraphs:
        p.alignment = PP_ALIGN.LEFT


def _logo(slide: Slide, pack: PerformancePack) -> int:
    """The partnership's logo on a white card at the top left; returns the card's bottom."""
    assert pack.logo is not None
    pad = Inches(0.12)
    card = slide.shapes.add_shape(
        MSO_SHAPE.ROUNDED_RECTANGLE, MARGIN, Inches(0.5), Inches(1), Inches(1)
    )
    card.fill.solid()
    card.fill.fore_color.rgb = WHITE
    card.line.fill.background()
    w, h = picture(slide, Path(pack.logo).read_bytes(), f"{pack.partnership_name} logo",
                    MARGIN + pad, Inches(0.5) + pad, Inches(2.6), Inches(1.1))  # fmt: skip
    card.width, card.height = Emu(w + 2 * pad), Emu(h + 2 * pad)
    return int(Inches(0.5) + card.height)


def _colour(verdict: str) -> RGBColor:
    if verdict == VERDICT_REDUCTION:
        return GREEN
    if verdict == VERDICT_INCREASE:
        return RED
    return BLUE


def _headline_slides(prs: PresentationType, pack: PerformancePack) -> None:
    sentences = wording.headlines(pack)
    part = wording.coverage_sentence(pack)

    def make(size: float) -> list[list[Block]]:
        groups = [[block(part, size, color=NAVY, bold=True, after=10)]] if part else []
        for i, (fig, sentence) in enumerate(zip(pack.indicators, sentences, strict=True)):
            main, sep, verdict = sentence.partition(f" {wording.DASH} ")
            verdict_colour = GREY if wording.shown_verdict(fig) not in (
                VERDICT_REDUCTION, VERDICT_INCREASE) else INK  # fmt: skip
            runs = [("\u25a0  ", _colour(wording.shown_verdict(fig)), False), (main, INK, i == 0)]
            if sep:
                runs.append((sep + verdict, verdict_colour, False))
            groups.append([Block(tuple(runs), size, 0, 10)])
        return groups

    height = BODY_BOTTOM - BODY_TOP
    for size in (20, 18, 16, 14):
        groups = make(size)
        if blocks_height([b for g in groups for b in g], BODY_W) <= height:
            break
    for n, page in enumerate(paginate(groups, BODY_W, height)):
        title = f"Headlines {pack.period_label}" + (" (continued)" if n else "")
        textbox(new_slide(prs, title), MARGIN, BODY_TOP, BODY_W, page)


def _summary_slides(prs: PresentationType, pack: PerformancePack) -> None:
    table_slides(prs, f"Summary {pack.period_label}", tables.summary_header(pack),
                  tables.summary_rows(pack), (0.2, 0.13, 0.13, 0.13, 0.13, 0.1, 0.18),
                  left_aligned=(0, 6))  # fmt: skip


def _indicator_slide(
    prs: PresentationType, pack: PerformancePack, r: RenderedCharts, slug: str
) -> None:
    fig = pack.indicator(slug)
    slide = new_slide(prs, fig.name)
    sentence = wording.headline(fig, pack.period_label, pack.comparison_label)
    blocks, _ = fit(lambda s: [block(sentence, s)], BODY_W, Inches(1.2), (18, 16, 14, 12))
    top = BODY_TOP + textbox(slide, MARGIN, BODY_TOP, BODY_W, blocks) + Inches(0.1)
    chart = r.charts.trends.get(slug)
    rows = [["Measure", "Value"]] + [
        list(row) for row in wording.figures_rows(fig, pack.period_label, pack.comparison_label)
    ]
    room = BODY_BOTTOM - top
    if chart is not None:
        table_left = MARGIN + Inches(8.15)
        width = Emu(SLIDE_W - MARGIN - table_left)
        size = fit_table(rows, width, (0.55, 0.45), room, (12, 11, 10, 9)) or 9
        add_table(slide, rows, table_left, top, width, (0.55, 0.45), size)
        picture(slide, r.png(chart), chart.alt_text, MARGIN, top, Inches(7.9), room)
        return
    size = fit_table(rows, Inches(6.4), (0.55, 0.45), room, (14, 13, 12, 11, 10)) or 10
    add_table(slide, rows, MARGIN, top, Inches(6.4), (0.55, 0.45), size)
    note = [block("No monthly series is held for this indicator.", 14, color=GREY)]
    textbox(slide, MARGIN + Inches(6.8), top, Inches(5.3), note)


def _seasonal_slide(
    prs: PresentationType, r: RenderedCharts, table: SeasonalTable, chart: Chart | None
) -> None:
    slide = new_slide(prs, table.title)
    top = BODY_TOP + textbox(slide, MARGIN, BODY_TOP, BODY_W,
                              [block(table.window_label, 16, color=GREY)])  # fmt: skip
    if chart is None:
        note = table.note or "No counts are held for this window."
        blocks, _ = fit(lambda s: [block(note, s)], Inches(9) - 2 * Inches(0.3), Inches(3),
                        (18, 16, 14))  # fmt: skip
        height = blocks_height(blocks, Inches(9) - 2 * Inches(0.3)) + Inches(0.3)
        box = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, MARGIN, Emu(top + Inches(0.4)), Inches(9), Emu(height)
        )
        box.fill.solid()
        box.fill.fore_color.rgb = LIGHT
        box.line.color.rgb = BLUE
        tf = box.text_frame
        frame(tf)
        tf.margin_left = tf.margin_right = Inches(0.3)
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        write(tf, blocks)
        return
    rows = [["Year", f"Count ({table.unit})"]] + [
        [str(row.year), wording.fmt_count(row.count)] for row in table.rows
    ]
    note_h = 0
    if table.note:
        note_blocks, _ = fit(lambda s: [block(table.note or "", s, color=GREY)], Inches(7.9),
                             Inches(1), (13, 12, 11))  # fmt: skip
        note_h = blocks_height(note_blocks, Inches(7.9))
    room = BODY_BOTTOM - top
    _, h = picture(slide, r.png(chart), chart.alt_text, MARGIN, top, Inches(7.9),
                    room - note_h - Inches(0.1))  # fmt: skip
    if table.note:
        textbox(slide, MARGIN, top + h + Inches(0.1), Inches(7.9), note_blocks)
    width = Inches(3.9)
    size = fit_table(rows, width, (0.4, 0.6), room, (13, 12, 11, 10, 9)) or 9
    add_table(slide, rows, MARGIN + Inches(8.2), top, width, (0.4, 0.6), size)


def _chart_slide(
    prs: PresentationType, r: RenderedCharts, title: str, chart: Chart, notes: Sequence[str]
) -> None:
    slide = new_slide(prs, title)
    picture(slide, r.png(chart), chart.alt_text, MARGIN, BODY_TOP, Inches(8.4),
             BODY_BOTTOM - BODY_TOP)  # fmt: skip
    left, width = MARGIN + Inches(8.7), Inches(3.43)

    def make(size: float) -> list[Block]:
        return [block(t, size, color=GREY if i == 0 else INK, after=8)
                for i, t in enumerate([chart.alt_text, *notes])]  # fmt: skip

    blocks, _ = fit(make, width, BODY_BOTTOM - BODY_TOP - Inches(0.2), (13, 12, 11, 10, 9))
    textbox(slide, left, BODY_TOP + Inches(0.2), width, blocks)


def _district_slide(prs: PresentationType, pack: PerformancePack, r: RenderedCharts) -> None:
    note = tables.districts_note(pack)
    if r.charts.districts is not None:
        _chart_slide(prs, r, "How the districts compare", r.charts.districts,
                     [note] if note else [])  # fmt: skip
    elif pack.districts:
        table_slides(prs, "How the districts compare", tables.district_header(pack),
                      tables.district_rows(pack), (0.4, 0.1, 0.25, 0.25))  # fmt: skip


def _sentences(items: Sequence[str], size: float) -> list[list[Block]]:
    return [[block(t, size, after=6)] for t in items]


def _where_when_slides(prs: PresentationType, ww: WhereWhen) -> None:
    """Where and when: each part's table under its lead sentences (or the sentence that
    says why the part cannot be given), then the parts' method, limits and sources."""
    for part in ww.parts:
        title = f"{ww.title}: {part.title}"
        said = [part.failure] if part.failure else part.lead
        if part.rows:
            intro = [block(t, 13, after=4) for t in said]
            table_slides(prs, title, part.header, part.text_rows(), part.widths, intro=intro)
        else:
            _paged_text(prs, title, partial(_sentences, said))

    def notes(size: float) -> list[list[Block]]:
        groups = []
        for part in ww.parts:
            items = [*part.notes, *([part.source] if part.source else [])]
            if items:
                head = block(part.title, size + 2, color=NAVY, bold=True, before=6, after=3)
                groups += [[head, block(items[0], size, after=4)],
                           *[[block(t, size, after=4)] for t in items[1:]]]  # fmt: skip
        return groups

    _paged_text(prs, f"{ww.title}: method, limits and sources", notes)


def _notes_slides(prs: PresentationType, pack: PerformancePack) -> None:
    def head(text: str, size: float) -> Block:
        return block(text, size + 3, color=NAVY, bold=True, before=8, after=3)

    def section(title: str, items: Sequence[str], size: float) -> list[list[Block]]:
        body = [block(t, size, after=4) for t in items]
        return [[head(title, size), body[0]], *[[b] for b in body[1:]]] if body else []

    def sources(size: float) -> list[list[Block]]:
        return (
            section("Sources", wording.source_lines(pack), size)
            + section("What the sources are, and what they cannot say", pack.source_notes, size)
            + section("Coverage", [wording.coverage_note(pack)], size)
        )

    def quality(size: float) -> list[list[Block]]:
        return section("Data quality", pack.quality_notes or ["No gaps found."], size) + section(
            "How to read the figures", wording.METHOD_NOTES, size
        )

    for title, make in (("Data notes: sources", sources), ("Data notes: quality and method",
                                                           quality)):  # fmt: skip
        _paged_text(prs, title, make)


def _paged_text(
    prs: PresentationType, title: str, make: Callable[[float], list[list[Block]]]
) -> None:
    height = BODY_BOTTOM - BODY_TOP
    for size in (14, 13, 12, 11):
        groups = make(size)
        if blocks_height([b for g in groups for b in g], BODY_W) <= height:
            break
    for n, page in enumerate(paginate(groups, BODY_W, height)):
        slide = new_slide(prs, title + (" (continued)" if n else ""))
        textbox(slide, MARGIN, BODY_TOP, BODY_W, page)


def _annex_slides(prs: PresentationType, pack: PerformancePack) -> None:
    """The technical annex, always last: the counts tested, z, p-value, and the notes."""
    rows = [wording.annex_rows(fig) for fig in pack.indicators]
    intro = [block("The statistics behind the verdicts, for analysts. The body of this "
                   "deck gives the same verdicts in plain words.", 13, color=GREY)]  # fmt: skip
    widths = (0.24, 0.13, 0.14, 0.11, 0.1, 0.28)
    table_slides(prs, wording.ANNEX_TITLE, wording.ANNEX_HEADER, rows, widths, intro=intro,
                 left_aligned=(0, 5))  # fmt: skip

    def notes(size: float) -> list[list[Block]]:
        return [[block(t, size, after=6)] for t in wording.TECHNICAL_NOTES]

    _paged_text(prs, f"{wording.ANNEX_TITLE}: method", notes)
