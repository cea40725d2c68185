"""Recurring windows compared year by year: month windows and named day windows.

A day window (Mischief Night, bonfire period, Freshers' Week) can only be counted from
sources that record the date of each incident (``occurred_at``). Over month-level data
(police.uk) the result says so (``resolution_ok=False`` with a reason) instead of
returning a misleading zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

import ibis.expr.types as ir

from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import add_months, format_month, month_start, months_between
from saferplaces.insight.query import StoreLike, backend_of


@dataclass(frozen=True)
class MonthWindow:
    """Whole months each year, e.g. October-November (``end_month`` < ``start_month``
    wraps into the next year)."""

    name: str
    start_month: int
    end_month: int

    def bounds(self, year: int) -> tuple[date, date]:
        """First and last month (first days) of the window starting in ``year``."""
        end_year = year + 1 if self.end_month < self.start_month else year
        return date(year, self.start_month, 1), date(end_year, self.end_month, 1)


@dataclass(frozen=True)
class DayWindow:
    """Named days each year, (month, day) inclusive; may wrap over New Year."""

    name: str
    start: tuple[int, int]
    end: tuple[int, int]

    def bounds(self, year: int) -> tuple[date, date]:
        """First and last day of the window starting in ``year``."""
        first = date(year, *self.start)
        last_year = year + 1 if self.end < self.start else year
        return first, date(last_year, *self.end)


MISCHIEF_NIGHT = DayWindow("Mischief Night", (11, 4), (11, 4))
HALLOWEEN = DayWindow("Halloween", (10, 31), (10, 31))
BONFIRE_PERIOD = DayWindow("Bonfire period", (10, 29), (11, 12))
BONFIRE_MONTHS = MonthWindow("October-November", 10, 11)


def freshers_week(start: tuple[int, int] = (9, 18), days: int = 7) -> DayWindow:
    """Freshers' Week: local universities set the dates, so both are settings."""
    first = date(2001, *start)
    last = first + timedelta(days=days - 1)
    return DayWindow("Freshers' Week", start, (last.month, last.day))


@dataclass
class WindowResult:
    """One window in one year."""

    window: str
    year: int
    start: str
    end: str
    count: int | None
    resolution_ok: bool
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return asdict(self)


def window_counts(
    store_or_con: StoreLike,
    window: MonthWindow | DayWindow,
    *,
    years: Sequence[int],
    indicator: Indicator,
    districts: Sequence[str] | None = None,
    held: set[date] | None = None,
) -> list[WindowResult]:
    """Count ``indicator`` inside ``window`` for each of ``years`` (one query per call).

    ``held``: the months the place has data for; a year whose window touches a month
    not held has no count (``None``, with the reason), never a zero.
    """
    results = _window_counts(store_or_con, window, years=years, indicator=indicator,
                             districts=districts)  # fmt: skip
    if held is None:
        return results
    out = []
    for r in results:
        first = month_start(date.fromisoformat(r.start))
        last = month_start(date.fromisoformat(r.end))
        months = [add_months(first, i) for i in range(months_between(first, last))]
        gone = [format_month(x) for x in months if x not in held]
        if gone and r.count is not None:
            r = WindowResult(r.window, r.year, r.start, r.end, None, r.resolution_ok,
                             "no data for " + ", ".join(gone))  # fmt: skip
        out.append(r)
    return out


def _window_counts(
    store_or_con: StoreLike,
    window: MonthWindow | DayWindow,
    *,
    years: Sequence[int],
    indicator: Indicator,
    districts: Sequence[str] | None = None,
) -> list[WindowResult]:
    backend = backend_of(store_or_con)
    spans = [window.bounds(y) for y in years]
    if not spans:
        return []
    months = sorted(
        {add_months(month_start(a), i) for a, b in spans
         for i in range(months_between(month_start(a), month_start(b)))}
    )  # fmt: skip
    results: list[WindowResult] = []
    if isinstance(window, MonthWindow):
        # Month windows are answered from the month-level rollup (the same counts).
        r = _narrow(backend.table("rollup_district"), indicator, districts, months)
        counts = _sum_cases(r, [r.month.between(a, b) for a, b in spans])
        for y, (a, b), n in zip(years, spans, counts, strict=True):
            results.append(WindowResult(window.name, y, a.isoformat(), b.isoformat(), n, True))
        return results
    t = _narrow(backend.table("incidents"), indicator, districts, months)
    day = t.occurred_at.date()
    cases = [day.between(a, b) for a, b in spans]
    # Month-level rows that fall in a window's months make the day count incomplete.
    month_level = [
        t.occurred_at.isnull() & t.month.between(a.replace(day=1), b.replace(day=1))
        for a, b in spans
    ]
    counts = _count_cases(t, cases + month_level)
    k = len(spans)
    for y, (a, b), n, undated in zip(years, spans, counts[:k], counts[k:], strict=True):
        if undated:
            results.append(
                WindowResult(
                    window.name, y, a.isoformat(), b.isoformat(), None, False,
                    f"{undated} matching incidents in these months have no date or time "
                    "(month-level source such as police.uk); a day window cannot be "
                    "counted from them",
                )
            )  # fmt: skip
        else:
            results.append(WindowResult(window.name, y, a.isoformat(), b.isoformat(), n, True))
    return results


def _narrow(
    t: ir.Table, indicator: Indicator, districts: Sequence[str] | None, months: list[date]
) -> ir.Table:
    """Rows of the indicator in the districts, in the windows' months only (so a scan of
    the incidents reads only those months' row groups)."""
    t = t.filter(indicator.predicate(t), t.month.isin(months))
    return t.filter(t.district.isin(list(districts))) if districts is not None else t


def _sum_cases(t: ir.Table, cases: list[ir.BooleanValue]) -> list[int]:
    expr = t.aggregate(**{f"k{i}": t.n.sum(where=c) for i, c in enumerate(cases)})
    backend = expr._find_backend()
    rows = backend.con.execute(str(backend.compile(expr))).fetchall()
    return [int(v or 0) for v in (rows[0] if rows else [])]


def _count_cases(t: ir.Table, cases: list[ir.BooleanValue]) -> list[int]:
    if not cases:
        return []
    expr = t.aggregate(**{f"k{i}": c.cast("int64").sum() for i, c in enumerate(cases)})
    backend = expr._find_backend()
    rows = backend.con.execute(str(backend.compile(expr))).fetchall()
    return [int(v or 0) for v in (rows[0] if rows else [])]


def day_of(ts: datetime | None) -> date | None:
    """The calendar date of a timestamp (helper for callers building their own windows)."""
    return ts.date() if ts else None


__all__ = [
    "BONFIRE_MONTHS",
    "BONFIRE_PERIOD",
    "HALLOWEEN",
    "MISCHIEF_NIGHT",
    "DayWindow",
    "MonthWindow",
    "WindowResult",
    "freshers_week",
    "window_counts",
]
