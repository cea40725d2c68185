"""Working days in England and calendar-month arithmetic.

A working day is a Monday to Friday that is not an English bank holiday. Bank holidays
come from the ``holidays`` package (``country_holidays("GB", subdiv="ENG")``), which
includes substitute days (e.g. 2022-12-27, Christmas Day observed) and one-off days
(e.g. 2022-09-19, the State Funeral of Queen Elizabeth II; 2023-05-08, the Coronation).
"""

from __future__ import annotations

import calendar
import functools
from datetime import date, timedelta

import holidays

__all__ = [
    "add_months",
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "working_days_between",
]

_ONE_DAY = timedelta(days=1)


@functools.lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[date]:
    """The English bank holidays of ``year`` (substitute and one-off days included)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(d: date) -> bool:
    """True for a Monday to Friday that is not an English bank holiday."""
    return d.weekday() < 5 and d not in bank_holidays(d.year)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself is not counted).

    ``n == 0`` returns ``start`` unchanged, even when it is not a working day.
    """
    if n < 0:
        raise ValueError(f"the number of working days must be 0 or more, not {n}")
    d = start
    remaining = n
    while remaining:
        d += _ONE_DAY
        if is_working_day(d):
            remaining -= 1
    return d


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after ``start`` up to and including ``end``.

    0 when ``end`` is on or before ``start``.
    """
    count = 0
    d = start + _ONE_DAY
    while d <= end:
        if is_working_day(d):
            count += 1
        d += _ONE_DAY
    return count


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months (``n`` may be negative).

    The day is clamped to the end of a shorter month: 12 months after 2024-02-29 is
    2025-02-28, and 1 month after 2025-01-31 is 2025-02-28.
    """
    months = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(months, 12)
    month = month0 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))
