"""Laying out a slide: text boxes and tables as tall as their text, estimated with
:mod:`saferplaces.reports.textfit`, because PowerPoint neither shrinks nor moves text that
does not fit. Every inset is set explicitly so the estimate holds."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Emu, Inches, Pt

from saferplaces.reports.textfit import LINE_SPACING, Para, line_count, paragraphs_height

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
BODY_TOP = Inches(1.5)
BODY_BOTTOM = Inches(6.9)
"""Everything but the footer ends above this line."""
BODY_W = Emu(SLIDE_W - 2 * MARGIN)
PAD_X, PAD_Y = Inches(0.08), Inches(0.04)
"""Insets of every text box and table cell (set explicitly, so the estimate holds)."""
EMU_PER_PT = 12700
PAGED_TABLE_SIZE = 12.0
"""Type size of a table too long for one slide (it carries on to the next)."""

LAYOUT_TITLE_ONLY = 5


# ---------------------------------------------------------------- text and its room


@dataclass(frozen=True)
class Block:
    """One paragraph: runs of (text, colour, bold) at one size."""

    runs: tuple[tuple[str, RGBColor, bool], ...]
    size: float
    space_before: float = 0.0
    space_after: float = 4.0

    @property
    def para(self) -> Para:
        text = "".join(t for t, _, _ in self.runs)
        bold = any(b for _, _, b in self.runs)
        return Para(text, self.size, bold, self.space_before, self.space_after)


def block(
    text: str,
    size: float,
    *,
    color: RGBColor = INK,
    bold: bool = False,
    before: float = 0.0,
    after: float = 4.0,
) -> Block:
    return Block(((text, color, bold),), size, before, after)


def pt(emu: int) -> float:
    return emu / EMU_PER_PT


def blocks_height(blocks: Sequence[Block], width: int) -> int:
    """The height in EMU a text box ``width`` EMU wide needs for ``blocks``."""
    inner = pt(width - 2 * PAD_X)
    return int((paragraphs_height([b.para for b in blocks], inner)) * EMU_PER_PT + 2 * PAD_Y)


def frame(tf: TextFrame) -> None:
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.margin_left = tf.margin_right = PAD_X
    tf.margin_top = tf.margin_bottom = PAD_Y


def style(run: Any, size: float, *, bold: bool = False, color: RGBColor = INK) -> None:
    font = run.font
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = color


def write(tf: TextFrame, blocks: Sequence[Block]) -> None:
    for i, b in enumerate(blocks):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.space_before = Pt(b.space_before if i else 0)
        para.space_after = Pt(b.space_after)
        for text, color, bold in b.runs:
            run = para.add_run()
            run.text = text
            style(run, b.size, bold=bold, color=color)


def textbox(slide: Slide, left: int, top: int, width: int, blocks: Sequence[Block]) -> int:
    """A text box exactly as tall as its text; returns that height."""
    height = blocks_height(blocks, width)
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame(box.text_frame)
    write(box.text_frame, blocks)
    return height


def fit(
    make: Callable[[float], list[Block]], width: int, height: int, sizes: Sequence[float]
) -> tuple[list[Block], bool]:
    """The blocks at the largest of ``sizes`` that fit ``height``; else at the smallest,
    with False."""
    for size in sizes:
        blocks = make(size)
        if blocks_height(blocks, width) <= height:
            return blocks, True
    return make(sizes[-1]), False


def paginate(groups: Sequence[Sequence[Block]], width: int, height: int) -> list[list[Block]]:
    """Groups of blocks (kept together) in pages no taller than ``height``."""
    pages: list[list[Block]] = [[]]
    for group in groups:
        if pages[-1] and blocks_height([*pages[-1], *group], width) > height:
            pages.append([])
        pages[-1].extend(group)
    return pages


# ---------------------------------------------------------------- furniture


def new_slide(prs: PresentationType, title: str) -> Slide:
    slide = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
    shape = slide.shapes.title
    assert shape is not None
    shape.left, shape.top = MARGIN, Inches(0.35)
    shape.width, shape.height = BODY_W, Inches(0.9)
    tf = shape.text_frame
    frame(tf)
    tf.vertical_anchor = MSO_ANCHOR.MIDDLE
    size = 30.0
    while size > 20 and line_count(title, pt(BODY_W - 2 * PAD_X), size, True) > 1:
        size -= 2
    tf.text = title
    para = tf.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    style(para.runs[0], size, bold=True, color=NAVY)
    bar = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, MARGIN + Inches(0.1), Inches(1.28), Inches(1.6), Inches(0.07)
    )
    bar.fill.solid()
    bar.fill.fore_color.rgb = BLUE
    bar.line.fill.background()
    return slide


def picture(
    slide: Slide, png: bytes, alt: str, left: int, top: int, max_w: int, max_h: int
) -> tuple[int, int]:
    """The picture at most ``max_w`` by ``max_h``, its shape kept; returns its size."""
    pic = slide.shapes.add_picture(io.BytesIO(png), Emu(left), Emu(top), width=Emu(max_w))
    if pic.height > max_h:
        ratio = max_h / pic.height
        pic.height = Emu(max_h)
        pic.width = Emu(int(pic.width * ratio))
    element: Any = pic._element
    element.nvPicPr.cNvPr.set("descr", alt)
    return int(pic.width), int(pic.height)


def cell_lines(text: str, width: int, size: float, bold: bool) -> int:
    return line_count(text, pt(width - 2 * PAD_X), size, bold) if text else 1


def row_heights(
    rows: Sequence[Sequence[str]], widths: Sequence[int], size: float, header: bool
) -> list[int]:
    out = []
    for r, row in enumerate(rows):
        bold = header and r == 0
        lines = max(cell_lines(v, w, size, bold) for v, w in zip(row, widths, strict=True))
        out.append(int(lines * size * LINE_SPACING * EMU_PER_PT + 2 * PAD_Y + Pt(2)))
    return out


def table_height(rows: Sequence[Sequence[str]], width: int, col_widths: Sequence[float],
                 size: float, header: bool = True) -> int:  # fmt: skip
    """The height in EMU the table needs (rows grow to fit their text)."""
    widths = [int(width * w) for w in col_widths]
    return sum(row_heights(rows, widths, size, header))


def add_table(
    slide: Slide,
    rows: Sequence[Sequence[str]],
    left: int,
    top: int,
    width: int,
    col_widths: Sequence[float],
    size: float,
    *,
    header: bool = True,
    left_aligned: Sequence[int] = (0,),
) -> int:
    """A table whose rows are as tall as their text; returns its height. Columns other
    than ``left_aligned`` (numbers) are aligned right."""
    widths = [int(width * w) for w in col_widths]
    heights = row_heights(rows, widths, size, header)
    shape = slide.shapes.add_table(
        len(rows), len(rows[0]), Emu(left), Emu(top), Emu(sum(widths)), Emu(sum(heights))
    )
    table = shape.table
    table.first_row = header
    for i, w in enumerate(widths):
        table.columns[i].width = Emu(w)
    for r, row in enumerate(rows):
        table.rows[r].height = Emu(heights[r])
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = PAD_X
            cell.margin_top = cell.margin_bottom = PAD_Y
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            para = cell.text_frame.paragraphs[0]
            para.alignment = PP_ALIGN.LEFT if c in left_aligned else PP_ALIGN.RIGHT
            is_header = header and r == 0
            run = para.add_run()  # an empty cell still gets a styled run
            run.text = value
            style(run, size, bold=is_header, color=WHITE if is_header else INK)
            cell.fill.solid()
            cell.fill.fore_color.rgb = NAVY if is_header else (LIGHT if r % 2 else WHITE)
    return sum(heights)


def fit_table(
    rows: Sequence[Sequence[str]], width: int, col_widths: Sequence[float], height: int,
    sizes: Sequence[float] = (14, 13, 12, 11, 10),
) -> float | None:  # fmt: skip
    """The largest size at which the table fits ``height`` (None: it does not)."""
    for size in sizes:
        if table_height(rows, width, col_widths, size) <= height:
            return size
    return None


def table_slides(
    prs: PresentationType,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    col_widths: Sequence[float],
    *,
    intro: Sequence[Block] = (),
    left_aligned: Sequence[int] = (0,),
) -> None:
    """A table over as many slides as it needs, the header repeated on each: on one
    slide at the largest size that fits, else at :data:`PAGED_TABLE_SIZE` throughout."""
    remaining = [list(r) for r in rows]
    intro_h = blocks_height(intro, BODY_W) + Inches(0.1) if intro else 0
    whole = fit_table([header, *remaining], BODY_W, col_widths, BODY_BOTTOM - BODY_TOP - intro_h)
    size = whole or PAGED_TABLE_SIZE
    first = True
    while remaining:
        slide = new_slide(prs, title if first else f"{title} (continued)")
        top: int = BODY_TOP
        if first and intro:
            top += textbox(slide, MARGIN, top, BODY_W, intro) + Inches(0.1)
        room = BODY_BOTTOM - top
        take = len(remaining)
        while take > 1 and table_height([header, *remaining[:take]], BODY_W, col_widths,
                                        size) > room:  # fmt: skip
            take -= 1
        chunk = [list(header), *remaining[:take]]
        add_table(slide, chunk, MARGIN, top, BODY_W, col_widths, size, left_aligned=left_aligned)
        remaining = remaining[take:]
        first = False
