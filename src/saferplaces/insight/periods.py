"""Reporting periods: financial years, calendar years, custom and rolling ranges.

A period is a whole number of months, ``start`` and ``end`` inclusive, each the first
day of its month. A period is compared with the same months of the year in an earlier
year (:meth:`Period.previous`), never with a range that overlaps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


class PeriodError(ValueError):
    """A period could not be parsed or is not a valid range of months."""


FIRST_YEAR, LAST_YEAR = 1900, 2999
"""Years outside this range are not periods anyone reports on (and ``0000/01`` must not
reach ``datetime.date``)."""


def _check_year(year: int, text: str) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"{text!r}: the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return year


def month_start(value: date) -> date:
    """The first day of ``value``'s month."""
    return value.replace(day=1)


def add_months(month: date, n: int) -> date:
    """``month`` (first of month) moved by ``n`` months."""
    index = month.year * 12 + (month.month - 1) + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> int:
    """Number of months from ``start`` to ``end`` inclusive (0 when end < start)."""
    n = (end.year - start.year) * 12 + end.month - start.month + 1
    return max(n, 0)


def parse_month(text: str) -> date:
    """``"2021-01"`` (or ``"2021-01-01"``) → ``date(2021, 1, 1)``."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})(?:-01)?\s*", text)
    if not m:
        raise PeriodError(f"{text!r} is not a month; expected YYYY-MM")
    year, month = _check_year(int(m.group(1)), text), int(m.group(2))
    if not 1 <= month <= 12:
        raise PeriodError(f"{text!r}: month must be 01 to 12")
    return date(year, month, 1)


def format_month(month: date) -> str:
    """``date(2021, 1, 1)`` → ``"2021-01"``."""
    return f"{month.year:04d}-{month.month:02d}"


@dataclass(frozen=True)
class Period:
    """A labelled inclusive range of months."""

    label: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start.day != 1 or self.end.day != 1:
            raise PeriodError("period start and end must be first days of months")
        if self.end < self.start:
            raise PeriodError(f"period {self.label!r} ends before it starts")

    @property
    def length(self) -> int:
        """Number of months in the period."""
        return months_between(self.start, self.end)

    def months(self) -> list[date]:
        """Every month of the period, in order."""
        return [add_months(self.start, i) for i in range(self.length)]

    def shift(self, months: int) -> Period:
        """The same-length period moved by ``months`` (label recomputed)."""
        start, end = add_months(self.start, months), add_months(self.end, months)
        return Period(_label_for(start, end, self.label), start, end)

    @property
    def years_back(self) -> int:
        """How many whole years :meth:`previous` goes back: one for a period of up to 12
        months, more for a longer one so that the two never overlap."""
        return max(1, -(-self.length // 12))

    def previous(self) -> Period:
        """The comparison period: the same months of the year, as many whole years
        earlier as it takes not to overlap (one year for periods of up to 12 months;
        18 months from 2013-10 are compared with 18 months from 2011-10)."""
        return self.shift(-12 * self.years_back)

    def contains(self, month: date) -> bool:
        """Whether ``month`` (any day) falls inside the period."""
        return self.start <= month_start(month) <= self.end

    def __str__(self) -> str:
        return self.label


def _label_for(start: date, end: date, template: str) -> str:
    if start.month == 4 and end == add_months(start, 11) and "/" in template:
        return financial_year(start.year).label
    if start.month == 1 and end == add_months(start, 11) and re.fullmatch(r"\d{4}", template):
        return str(start.year)
    return f"{format_month(start)} to {format_month(end)}"


def financial_year(start_year: int) -> Period:
    """Financial year April ``start_year`` to March of the next year, e.g. ``2014/15``."""
    label = f"{start_year}/{(start_year + 1) % 100:02d}"
    return Period(label, date(start_year, 4, 1), date(start_year + 1, 3, 1))


def calendar_year(year: int) -> Period:
    """January to December of ``year``."""
    return Period(str(year), date(year, 1, 1), date(year, 12, 1))


def custom(from_month: date | str, to_month: date | str) -> Period:
    """Any inclusive month range, e.g. ``custom("2021-01", "2021-10")``."""
    start = parse_month(from_month) if isinstance(from_month, str) else month_start(from_month)
    end = parse_month(to_month) if isinstance(to_month, str) else month_start(to_month)
    if end < start:
        raise PeriodError(f"{format_month(end)} is before {format_month(start)}")
    return Period(_label_for(start, end, ""), start, end)


def rolling_12(end_month: date | str) -> Period:
    """The 12 months ending with ``end_month`` (inclusive)."""
    end = parse_month(end_month) if isinstance(end_month, str) else month_start(end_month)
    start = add_months(end, -11)
    return Period(f"12 months to {format_month(end)}", start, end)


def parse_period(text: str) -> Period:
    """Parse ``"2014/15"`` (financial year), ``"2021"`` (calendar year),
    ``"2021-01..2021-10"`` / ``"2021-01 to 2021-10"`` (custom) or ``"2021-10"`` (one month).
    """
    s = text.strip()
    if m := re.fullmatch(r"(\d{4})\s*/\s*(\d{2}|\d{4})", s):
        first = _check_year(int(m.group(1)), text)
        second = int(m.group(2))
        expected = first + 1 if len(m.group(2)) == 4 else (first + 1) % 100
        if second != expected:
            raise PeriodError(f"{text!r}: a financial year runs into the next year")
        return financial_year(first)
    if re.fullmatch(r"\d{4}", s):
        return calendar_year(_check_year(int(s), text))
    if m := re.fullmatch(r"(\S+)\s*(?:\.\.|to|\u2013|\u2014)\s*(\S+)", s):
        return custom(m.group(1), m.group(2))
    if re.fullmatch(r"\d{4}-\d{1,2}", s):
        month = parse_month(s)
        return Period(format_month(month), month, month)
    raise PeriodError(f"{text!r} is not a period; use 2014/15, 2021, 2021-01..2021-10 or 2021-10")
