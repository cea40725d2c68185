"""The tables behind every chart, as an Excel workbook (openpyxl).

Sheets: Summary; one per indicator series; Seasonal; Categories; Districts; Data notes.
Headers carry units ("Count (crimes)", "Rate per 1,000 residents"); numbers are real
numbers with number formats (percentages as fractions formatted ``0.0%``); the header
row is frozen and each table is an Excel table for sorting and screen readers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from saferplaces.reports import wording
from saferplaces.reports.pack import PerformancePack

INT = "#,##0"
DEC1 = "#,##0.0"
DEC2 = "+0.00;-0.00;0.00"
PCT = "+0.0%;-0.0%;0.0%"
MONTH = "mmm yyyy"

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="003078")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


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
        name = fig.name if fig else slug
        unit = fig.unit if fig else "count"
        ws = wb.create_sheet(sheet_name(name, taken))
        rows: list[list[Any]] = [
            [
                p.month,
                p.count,
                p.mean,
                p.lower,
                p.upper,
                p.signal or "",
                "yes" if (p.missing or p.count is None) else "",
            ]
            for p in points
        ]
        _write(
            ws,
            [
                "Month",
                f"Count ({unit})",
                f"Mean ({unit})",
                f"Lower limit, 3-sigma ({unit})",
                f"Upper limit, 3-sigma ({unit})",
                "Signal",
                "Missing month",
            ],
            rows,
            [MONTH, INT, DEC1, DEC1, DEC1, None, None],
            table_name=f"series_{len(taken)}",
        )
    ws = wb.create_sheet(sheet_name("Seasonal", taken))
    _write(
        ws,
        ["Window", "Period", "Year", "Count", "Unit", "Note"],
        [
            [t.title, t.window_label, row.year, row.count, t.unit, t.note or ""]
            for t in pack.seasonal
            for row in t.rows
        ],
        [None, None, "0", INT, None, None],
        table_name="seasonal",
    )
    ws = wb.create_sheet(sheet_name("Categories", taken))
    unit = pack.category_unit
    _write(
        ws,
        [
            "Category",
            f"{pack.period_label}: count ({unit})",
            f"{pack.comparison_label}: count ({unit})",
            f"Change ({unit})",
            "% change",
        ],
        [
            [
                c.label,
                c.count,
                c.previous,
                c.count - c.previous,
                None if c.previous == 0 else (c.count - c.previous) / c.previous,
            ]
            for c in pack.categories
        ],
        [None, INT, INT, INT, PCT],
        table_name="categories",
    )
    ws = wb.create_sheet(sheet_name("Districts", taken))
    _write(
        ws,
        ["District", f"Count ({unit})", "Rate per 1,000 residents", "Selected district"],
        [
            [d.name, d.count, d.rate_per_1000, "yes" if d.name == pack.place_name else ""]
            for d in pack.districts
        ],
        [None, INT, DEC1, None],
        table_name="districts",
    )
    ws = wb.create_sheet(sheet_name("Data notes", taken))
    notes: list[list[Any]] = [
        ["Place", f"{pack.place_name} ({pack.place_kind} {pack.place_code})"],
        ["Partnership", pack.partnership_name],
        ["Period", wording.coverage_note(pack)],
        ["Population", pack.population if pack.population is not None else "unknown"],
        ["Generated", pack.generated_at.replace(tzinfo=None)],
    ]
    notes += [["Source", s] for s in pack.sources]
    notes += [["Data quality", q] for q in pack.quality_notes]
    notes += [["Method", m] for m in wording.METHOD_NOTES]
    _write(ws, ["Item", "Note"], notes, [None, None], table_name="notes", wrap_last=True)
    ws.column_dimensions["B"].width = 100
    ws["B6"].number_format = "d mmmm yyyy hh:mm"
    wb.properties.title = f"{pack.partnership_name}: {pack.subtitle}"
    wb.properties.creator = "saferplaces"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(out))
    return out


def _summary(ws: Worksheet, pack: PerformancePack) -> None:
    headers = [
        "Indicator",
        "Unit",
        f"{pack.period_label}: count",
        f"{pack.comparison_label}: count",
        "Change (count)",
        "% change",
        "Rate per 1,000 residents",
        "Poisson z",
        "Significant (|z| > 1.96)",
        "Verdict",
        "Headline",
    ]
    sentences = wording.headlines(pack)
    rows = [
        [
            f.name,
            f.unit,
            f.count,
            f.previous_count,
            f.change,
            None if f.pct_change is None else f.pct_change / 100.0,
            f.rate_per_1000,
            f.z,
            "yes" if f.significant else "no",
            wording.verdict_label(f),
            sentence,
        ]
        for f, sentence in zip(pack.indicators, sentences, strict=True)
    ]
    _write(
        ws,
        headers,
        rows,
        [None, None, INT, INT, INT, PCT, DEC1, DEC2, None, None, None],
        table_name="summary",
    )
    ws.column_dimensions[get_column_letter(len(headers))].width = 90


def _write(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: Sequence[str | None],
    *,
    table_name: str,
    wrap_last: bool = False,
) -> None:
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(list(row))
    for col, fmt in enumerate(formats, start=1):
        if fmt is None:
            continue
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt
    if wrap_last:
        for (cell,) in ws.iter_rows(min_row=2, min_col=len(headers), max_col=len(headers)):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32
    for col, header in enumerate(headers, start=1):
        values = [header] + [_shown(r[col - 1]) for r in rows]
        width = min(max(len(v) for v in values) + 2, 60)
        ws.column_dimensions[get_column_letter(col)].width = max(width, 10)
    if rows:
        ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
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
