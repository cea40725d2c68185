"""The year's funding as an Excel workbook (openpyxl, as the board papers' workbook).

Sheets: Summary (one row per stream and a total row: amount, allocated, not allocated,
spent, returns due and overdue); Allocations (each initiative's share and what its
submitted returns say it spent); Returns (every quarterly return, its due date and
status); Sources and notes. Money cells are numbers, written from `Decimal` so that they
are exact to the penny, formatted ``£#,##0.00``; a spend no return has reported is an
empty cell, never 0. No cell is a formula.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from saferplaces.delivery.funding import (
    DUE_SOON_DAYS,
    QUARTER_NAMES,
    FundingSummary,
    ReturnLine,
)
from saferplaces.reports.xlsx_workbook import _no_formulas, _write, sheet_name

MONEY = '"£"#,##0.00'
INT = "#,##0"
DATE = "d mmm yyyy"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(s: FundingSummary) -> str:
    """``west-lancashire-funding-2014-15.xlsx``."""
    return f"{s.place.slug}-funding-{s.year_label.replace('/', '-')}.xlsx"


def funding_xlsx(
    s: FundingSummary, returns: Sequence[ReturnLine], *, partnership_name: str = ""
) -> bytes:
    """The workbook for the year's summary ``s`` and its ``returns``, as bytes."""
    wb = Workbook()
    taken: set[str] = set()
    first = wb.active
    assert first is not None
    first.title = sheet_name("Summary", taken)
    _summary(first, s, partnership_name)
    _allocations(wb.create_sheet(sheet_name("Allocations", taken)), s, returns)
    _returns(wb.create_sheet(sheet_name("Returns", taken)), returns)
    _notes(wb.create_sheet(sheet_name("Sources and notes", taken)), s, partnership_name)
    wb.properties.title = f"{s.place.name}: funding {s.year_label}"
    wb.properties.creator = partnership_name or "saferplaces"
    wb.properties.language = "en-GB"
    _no_formulas(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _summary(ws: Worksheet, s: FundingSummary, partnership_name: str) -> None:
    lines = [
        (partnership_name, Font(bold=True, size=16, color="003078")),
        (f"{s.place.name}: funding {s.year_label}, as at {s.today:%-d %B %Y}",
         Font(bold=True, size=12)),
        ("Spent: submitted quarterly returns only. Sources and notes: the last sheet.",
         Font(size=10, color="505A5F")),
    ]  # fmt: skip
    row = 1
    for text, font in lines:
        if text:
            ws.cell(row=row, column=1, value=text).font = font
            row += 1
    top = row + 1
    rows: list[list[Any]] = [
        [r.funder, r.name, r.amount, r.allocated, r.unallocated, r.spent, r.returns_due,
         r.returns_overdue, r.returns_submitted]
        for r in s.rows
    ]  # fmt: skip
    headers = ["Funder", "Grant", "Amount (£)", "Allocated (£)", "Not allocated (£)",
               "Spent (£, submitted returns)", "Returns due", "Returns overdue",
               "Returns submitted"]  # fmt: skip
    formats = [None, None, MONEY, MONEY, MONEY, MONEY, INT, INT, INT]
    _write(ws, headers, rows, formats, table_name="funding_streams", top=top, widths={1: 40})
    t = s.totals
    total_row = top + len(rows) + 1
    totals: list[Any] = [f"Total ({len(rows)} streams)", "", t.amount, t.allocated,
                         t.unallocated, t.spent, t.returns_due, t.returns_overdue,
                         t.returns_submitted]  # fmt: skip
    for col, value in enumerate(totals, start=1):
        cell = ws.cell(row=total_row, column=col, value=value)
        cell.font = Font(bold=True)
        if formats[col - 1]:
            cell.number_format = formats[col - 1] or "General"


def _allocations(ws: Worksheet, s: FundingSummary, returns: Sequence[ReturnLine]) -> None:
    spent: dict[int, Decimal] = defaultdict(Decimal)
    reported: set[int] = set()
    for r in returns:
        if r.submitted_on is not None and r.spend is not None:
            spent[r.allocation_pk] += r.spend
            reported.add(r.allocation_pk)
    rows = [
        [row.funder, row.name, a.initiative, a.amount,
         spent[a.pk] if a.pk in reported else None]
        for row in s.rows
        for a in row.allocations
    ]  # fmt: skip
    _write(ws, ["Funder", "Grant", "Initiative", "Allocated (£)",
                "Spent (£, submitted returns; empty: none submitted)"], rows,
           [None, None, None, MONEY, MONEY], table_name="allocations", widths={1: 40})  # fmt: skip


def _returns(ws: Worksheet, returns: Sequence[ReturnLine]) -> None:
    rows = [
        [r.stream, r.initiative, QUARTER_NAMES[r.quarter], r.due_on, r.submitted_on,
         r.status, r.days_overdue or None, r.spend if r.submitted_on else None, r.rag_label]
        for r in returns
    ]  # fmt: skip
    _write(ws, ["Stream", "Initiative", "Quarter", "Due on", "Submitted on", "Status",
                "Days overdue", "Spend (£)", "RAG"], rows,
           [None, None, None, DATE, DATE, None, INT, MONEY, None], table_name="returns",
           widths={1: 40})  # fmt: skip


def _notes(ws: Worksheet, s: FundingSummary, partnership_name: str) -> None:
    notes: list[list[Any]] = [
        ["Partnership", partnership_name or "not set"],
        ["Place", s.place.name],
        ["Financial year", f"{s.year_label} (1 April {s.year} to 31 March {s.year + 1})"],
        ["As at", s.today],
        ["Source", s.source],
        ["Money", "Pounds and pence, exact: each figure is the sum of the amounts recorded, "
                  "and the totals are the sums of the rows."],
        ["Spent", "The sum of the spend in submitted quarterly returns. A return not yet "
                  "submitted adds nothing; an allocation with none submitted has an empty "
                  "cell, not £0.00."],
        ["Returns", "Q1 April–June, Q2 July–September, Q3 October–December, Q4 January–March; "
                    f"each is due {settings.RETURN_DUE_DAYS} days after its quarter ends "
                    "(SAFERPLACES_RETURN_DUE_DAYS) and is overdue from the day after until "
                    f"submitted. Due soon: within {DUE_SOON_DAYS} days."],
    ]  # fmt: skip
    _write(ws, ["Item", "Note"], notes, [None, None], table_name="notes", wrap_last=True,
           widths={1: 20, 2: 100})  # fmt: skip
    ws["B5"].number_format = "d mmmm yyyy"
