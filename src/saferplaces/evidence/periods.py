"""Reading a period from what a person typed, and the default period of a place: the CLI
and the pages share this."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from saferplaces.insight.periods import (
    Period,
    PeriodError,
    custom,
    financial_year,
    parse_month,
    parse_period,
    rolling_12,
)


class PeriodAfterData(PeriodError):
    """A period that starts after the latest month held (its message names that month)."""


def period_from(
    period: str | None = None,
    from_month: str | None = None,
    to_month: str | None = None,
    latest_month: str | None = None,
) -> Period:
    """`2014/15`, `2021`, `rolling` (12 months to the latest month held, or `rolling:2022-10`),
    or a custom range `from_month`..`to_month`. Raises PeriodError saying what to type,
    and for a period that starts after `latest_month` (the latest month held), naming it."""
    if from_month or to_month:
        if period:
            raise PeriodError("give either a period or --from and --to, not both")
        if not (from_month and to_month):
            raise PeriodError("a custom period needs both --from YYYY-MM and --to YYYY-MM")
        found = custom(from_month, to_month)
    elif not period:
        raise PeriodError("give a period: 2014/15, 2021, rolling, or --from YYYY-MM --to YYYY-MM")
    elif period.strip().lower().startswith("rolling"):
        end = period.strip().lower().partition(":")[2] or latest_month
        if not end:
            raise PeriodError("no data is held yet, so a rolling period has no end month")
        found = rolling_12(end)
    else:
        found = parse_period(period)
    if latest_month and found.start > parse_month(latest_month):
        raise PeriodAfterData(
            f"{found.label} starts after {parse_month(latest_month):%B %Y}, the latest month "
            "held: choose a period up to then"
        )
    return found


def _fy_start(month: date) -> int:
    return month.year if month.month >= 4 else month.year - 1


def default_period(months: Iterable[date]) -> Period | None:
    """The latest financial year with all twelve months held (else the latest one with
    any month held); None when nothing is held."""
    held = set(months)
    if not held:
        return None
    years = sorted({_fy_start(m) for m in held}, reverse=True)
    for y in years:
        fy = financial_year(y)
        if all(m in held for m in fy.months()):
            return fy
    return financial_year(years[0])
