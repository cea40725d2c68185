"""The tables behind every chart, as an Excel workbook (openpyxl).

Sheets: Summary (the partnership's name and logo above the figures, in plain words);
one per indicator series; Seasonal; Categories; Districts; Data notes; and last Annex
(the test statistics, which the other sheets never name). Headers carry units
("Count (crimes)", "Rate per 1,000 residents"); numbers are real numbers with number
formats (percentages as fractions formatted ``0.0%``); a figure that is not held is an
empty cell, never 0; each table is an Excel table (for sorting and screen readers) with
its header row frozen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from saferplaces.insight.compare import PARTIAL
from saferplaces.reports import tables, wording
from saferplaces.reports.pack import IndicatorFigure, PerformancePack
from saferplaces.reports.where_when import INT as WW_INT
from saferplaces.reports.where_when import RATE, WhereWhen

INT = "#,##0"
DEC1 = "#,##0.0"
DEC2 = "+0.00;-0.00;0.00"
P3 = "0.000"
PCT = "+0.0%;-0.0%;0.0%"
MONTH = "mmm yyyy"
MONEY = '"£"#,##0.00'

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="003078")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
LOGO_HEIGHT_PX = 60


def sheet_name(text: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (at most 31 characters)."""
    base = _BAD_SHEET_CHARS.sub(" ", text).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def build_xlsx(pack: PerformancePack, path: Path | str) -> Path:
    """Write the workbook for ``pack`` to ``path`` and return the path."""
    out = Path(path)
    wb = Workbook()
    taken: set[str] = set()
    summary = wb.active
    assert summary is not None
    summary.title = sheet_name("Summary", taken)
    _summary(summary, pack)
    by_slug = {f.slug: f for f in pack.indicators}
    for slug, points in pack.series.items():
        fig = by_slug.get(slug)
        if fig is None or not any(p.count is not None for p in points):
            continue
        _series(wb.create_sheet(sheet_name(fig.name, taken)), fig, points, len(taken))
    _write(
        wb.create_sheet(sheet_name("Seasonal", taken)),
        ["Window", "Period", "Year", "Count", "Unit", "Note"],
        [
            [t.title, t.window_label, row.year, row.count, t.unit, t.note or ""]
            for t in pack.seasonal
            for row in t.rows
        ],
        [None, None, "0", INT, None, None],
        table_name="seasonal",
    )
    _categories(wb.create_sheet(sheet_name("Categories", taken)), pack)
    _districts(wb.create_sheet(sheet_name("Districts", taken)), pack)
    if pack.funding:
        _funding(wb.create_sheet(sheet_name("Funding", taken)), pack)
    if pack.where_when is not None:
        _where_when(wb.create_sheet(sheet_name(pack.where_when.title, taken)), pack.where_when)
    _notes(wb.create_sheet(sheet_name("Data notes", taken)), pack)
    _annex(wb.create_sheet(sheet_name("Annex", taken)), pack)
    wb.properties.title = f"{pack.partnership_name}: {pack.subtitle}"
    wb.properties.creator = pack.partnership_name
    wb.properties.language = "en-GB"
    _no_formulas(wb)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(out))
    return out


def _no_formulas(wb: Workbook) -> None:
    """Every cell is a value: text that begins with "=" (a place or indicator named so)
    stays text, never a formula the spreadsheet would run. The workbook writes none."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


# ---------------------------------------------------------------- sheets


def _heading(ws: Worksheet, pack: PerformancePack) -> int:
    """The partnership's logo and name, the title and the coverage above the Summary
    table; returns the row the table starts on."""
    row = 1
    if pack.logo:
        image = SheetImage(pack.logo)
        scale = LOGO_HEIGHT_PX / image.height
        image.height, image.width = LOGO_HEIGHT_PX, int(image.width * scale)
        ws.add_image(image, "A1")
        ws.row_dimensions[1].height = LOGO_HEIGHT_PX * 0.75 + 6  # points
        row = 2
    lines: list[tuple[str, Font]] = [
        (pack.partnership_name, Font(bold=True, size=16, color="003078")),
        (pack.subtitle + f": {pack.place_name}", Font(bold=True, size=12)),
        (wording.coverage_note(pack), Font(size=11)),
    ]
    part = wording.coverage_sentence(pack)
    if part:
        lines.append((part, Font(bold=True, size=11, color="D4351C")))
    lines += [
        ("Empty cells: no data (never 0). Sources and notes: the Data notes sheet; the "
         "statistics behind the verdicts: the Annex sheet.", Font(size=10, color="505A5F")),
        (wording.generated_note(pack), Font(size=10, color="505A5F")),
    ]  # fmt: skip
    for text, font in lines:
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = font
        row += 1
    return row + 1


def _summary(ws: Worksheet, pack: PerformancePack) -> None:
    top = _heading(ws, pack)
    headers = [
        "Indicator",
        "Unit",
        f"{pack.period_label}: count",
        f"{pack.period_label}: months held",
        f"{pack.comparison_label}: count",
        f"{pack.comparison_label}: months held",
        "Change (count)",
        "% change",
        "Rate per 1,000 residents",
        "Verdict",
        "Why no verdict",
        "Same months compared",
        "Same months: count",
        "Same months a year before: count",
        "Same months: change (count)",
        "Same months: % change",
        "Headline",
    ]
    rows = [
        _summary_row(f, sentence)
        for f, sentence in zip(pack.indicators, wording.headlines(pack), strict=True)
    ]
    _write(
        ws,
        headers,
        rows,
        [
            None,
            None,
            INT,
            "0",
            INT,
            "0",
            INT,
            PCT,
            DEC1,
            None,
            None,
            None,
            INT,
            INT,
            INT,
            PCT,
            None,
        ],
        table_name="summary",
        top=top,
        widths={1: 30},
    )
    ws.column_dimensions[get_column_letter(len(headers))].width = 90


def _summary_row(f: IndicatorFigure, sentence: str) -> list[Any]:
    unlike = f.change is None and f.count is not None and not f.partial
    like = f.like_for_like if unlike else None
    return [
        f.name,
        f.unit,
        f.count,
        f.months if f.count is not None else None,
        f.previous_count,
        f.previous_months if f.previous_count is not None else None,
        f.change,
        _fraction(f.pct_change if f.change is not None else None),
        f.rate_per_1000,
        wording.verdict_text(f),
        wording.why_no_verdict(f) or "",
        like.label if like else "",
        like.count if like else None,
        like.previous_count if like else None,
        like.change if like else None,
        _fraction(like.pct_change) if like else None,
        sentence,
    ]


def _fraction(pct: float | None) -> float | None:
    return None if pct is None else pct / 100.0


def _series(ws: Worksheet, fig: IndicatorFigure, points: Sequence[Any], n: int) -> None:
    unit = fig.unit
    rows: list[list[Any]] = [
        [p.month, p.count, p.mean, p.lower, p.upper, p.signal or "",
         "yes" if (p.missing or p.count is None) else ""]
        for p in points
    ]  # fmt: skip
    _write(
        ws,
        ["Month", f"Count ({unit})", f"Average ({unit})",
         f"Lower limit of normal variation ({unit})",
         f"Upper limit of normal variation ({unit})", "Signal", "No data this month"],
        rows,
        [MONTH, INT, DEC1, DEC1, DEC1, None, None],
        table_name=f"series_{n}",
    )  # fmt: skip


def _categories(ws: Worksheet, pack: PerformancePack) -> None:
    unit = pack.category_unit
    rows = []
    for c in pack.categories:
        unlike = c.change is None and c.count is not None and c.verdict != PARTIAL
        like = c.like_for_like if unlike else None
        rows.append(
            [c.label, c.count, c.previous, c.change, _fraction(c.pct_change),
             wording.category_verdict(c), like.label if like else "",
             like.count if like else None, like.previous_count if like else None,
             _fraction(like.pct_change) if like else None]
        )  # fmt: skip
    _write(
        ws,
        ["Category", f"{pack.period_label}: count ({unit})",
         f"{pack.comparison_label}: count ({unit})", f"Change ({unit})", "% change", "Verdict",
         "Same months compared", "Same months: count", "Same months a year before: count",
         "Same months: % change"],
        rows,
        [None, INT, INT, INT, PCT, None, None, INT, INT, PCT],
        table_name="categories",
    )  # fmt: skip
    _notes_below(ws, tables.category_notes(pack), len(rows) + 3)


def _districts(ws: Worksheet, pack: PerformancePack) -> None:
    rows: list[list[Any]] = []
    for i, d in enumerate(tables.ranked_districts(pack), start=1):
        rows.append([d.name, i, d.count, d.rate_per_1000, _selected(d.name, pack)])
    for d in tables.unranked_districts(pack):
        rows.append([d.name, None, d.count, d.rate_per_1000, _selected(d.name, pack)])
    _write(
        ws,
        ["District", "Rank (highest rate first)", f"Count ({pack.category_unit})",
         "Rate per 1,000 residents", "This place"],
        rows,
        [None, "0", INT, DEC1, None],
        table_name="districts",
        widths={1: 24},
    )  # fmt: skip
    note = tables.districts_note(pack)
    _notes_below(ws, [note] if note else [], len(rows) + 3)


def _selected(name: str, pack: PerformancePack) -> str:
    return "yes" if name == pack.place_name else ""


def _funding(ws: Worksheet, pack: PerformancePack) -> None:
    """The year's funding streams: money as exact numbers formatted £, a total row."""
    f = pack.funding
    if f is None:
        return
    rows = [[x.funder, x.amount, x.allocated, x.spent, x.returns_overdue]
            for x in [*f.lines, f.total]]  # fmt: skip
    _write(ws, list(f.HEADER), rows, [None, MONEY, MONEY, MONEY, INT], table_name="funding",
           widths={1: 40})  # fmt: skip
    _notes_below(ws, [f.note], len(rows) + 3)


def _where_when(ws: Worksheet, ww: WhereWhen) -> None:
    """Where and when: one table per part (numbers stay numbers, no data stays empty),
    each under its title and sentences, with its notes and source line below it."""
    formats = {WW_INT: INT, RATE: "#,##0.00"}
    row = 1
    for part in ww.parts:
        ws.cell(row=row, column=1, value=part.title).font = Font(bold=True, size=12)
        said = [part.failure] if part.failure else part.lead
        for i, text in enumerate(said, start=1):
            ws.cell(row=row + i, column=1, value=text)
        row += len(said) + 2
        if part.rows:
            _write(ws, part.header, part.rows, [formats.get(k) for k in part.kinds],
                   table_name=f"where_when_{part.key}", top=row, widths={1: 40})  # fmt: skip
            row += len(part.rows) + 2
        _notes_below(ws, [*part.notes, part.source] if part.source else part.notes, row,
                     title=f"{part.title}: notes and source")  # fmt: skip
        row += len(part.notes) + 4
    ws.freeze_panes = None


def _notes(ws: Worksheet, pack: PerformancePack) -> None:
    notes: list[list[Any]] = [
        ["Partnership", pack.partnership_name],
        ["Place", f"{pack.place_name} ({pack.place_kind} {pack.place_code})"],
        ["Period", wording.coverage_note(pack)],
        ["Population", pack.population if pack.population is not None else "not known"],
        ["Generated", pack.generated_at.replace(tzinfo=None)],
    ]
    notes += [["Source", s] for s in wording.source_lines(pack)]
    notes += [["About the source", s] for s in pack.source_notes]
    notes += [["Data quality", q] for q in pack.quality_notes]
    notes += [["How to read the figures", m] for m in wording.METHOD_NOTES]
    _write(ws, ["Item", "Note"], notes, [None, None], table_name="notes", wrap_last=True,
           widths={1: 24, 2: 100})  # fmt: skip
    ws["B6"].number_format = "d mmmm yyyy hh:mm"


def _annex(ws: Worksheet, pack: PerformancePack) -> None:
    """The technical annex: the counts tested (like for like where the periods hold
    different months), Poisson z, p-value, verdict; then the method."""
    rows = []
    for fig in pack.indicators:
        t = wording.tested(fig)
        rows.append([fig.name, t.count, t.previous_count, t.z, t.p_value, t.verdict])
    _write(ws, wording.ANNEX_HEADER, rows, [None, INT, INT, DEC2, P3, None],
           table_name="annex", widths={1: 30})  # fmt: skip
    _notes_below(ws, list(wording.TECHNICAL_NOTES), len(rows) + 3, title="Method")


def _notes_below(ws: Worksheet, notes: Sequence[str], row: int, title: str = "Notes") -> None:
    if not notes:
        return
    ws.cell(row=row, column=1, value=title).font = Font(bold=True)
    for i, text in enumerate(notes, start=1):
        ws.cell(row=row + i, column=1, value=text)


def _write(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[str | None],
    *,
    table_name: str,
    wrap_last: bool = False,
    top: int = 1,
    widths: dict[int, float] | None = None,
) -> None:
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=top, column=col, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=top + 1):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            fmt = formats[col - 1]
            if fmt is not None:
                cell.number_format = fmt
            if wrap_last and col == len(headers):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = f"A{top + 1}"
    ws.row_dimensions[top].height = 32
    for col, header in enumerate(headers, start=1):
        values = [header] + [_shown(r[col - 1]) for r in rows]
        width = min(max(len(v) for v in values) + 2, 60)
        ws.column_dimensions[get_column_letter(col)].width = max(width, 10)
    for col, fixed in (widths or {}).items():
        ws.column_dimensions[get_column_letter(col)].width = fixed
    if rows:
        ref = f"A{top}:{get_column_letter(len(headers))}{top + len(rows)}"
        table = Table(displayName=re.sub(r"\W", "_", table_name), ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(table)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)[:60]
