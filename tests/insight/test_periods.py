"""Period arithmetic: financial years, calendar years, custom and rolling ranges."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.insight.periods import (
    Period,
    PeriodError,
    add_months,
    custom,
    financial_year,
    parse_period,
    rolling_12,
)

years = st.integers(min_value=2000, max_value=2098)
months = st.builds(date, years, st.integers(1, 12), st.just(1))


def test_financial_year_runs_april_to_march() -> None:
    """Given "2014/15", when parsed, then it is April 2014 to March 2015, 12 months."""
    p = parse_period("2014/15")
    assert (p.start, p.end, p.length, p.label) == (date(2014, 4, 1), date(2015, 3, 1), 12,
                                                   "2014/15")  # fmt: skip
    assert p.months()[0] == date(2014, 4, 1) and p.months()[-1] == date(2015, 3, 1)


def test_calendar_custom_and_rolling() -> None:
    assert parse_period("2021") == Period("2021", date(2021, 1, 1), date(2021, 12, 1))
    c = custom("2021-01", "2021-10")
    assert (c.start, c.end, c.length) == (date(2021, 1, 1), date(2021, 10, 1), 10)
    assert parse_period("2021-01..2021-10") == c
    r = rolling_12("2022-03")
    assert (r.start, r.end) == (date(2021, 4, 1), date(2022, 3, 1))


@pytest.mark.parametrize(
    "bad",
    ["2014/16", "14/15", "2021-13", "", "next year", "2021-05..2021-01", "0000/01", "0999",
     "0000-01", "9999/00"],
)  # fmt: skip
def test_bad_input_raises_period_error(bad: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(bad)


@given(years)
def test_financial_year_label_round_trip(year: int) -> None:
    p = financial_year(year)
    assert parse_period(p.label) == p
    assert p.previous() == financial_year(year - 1)
    assert p.previous().label == f"{year - 1}/{year % 100:02d}"


@given(months, months)
def test_previous_has_the_same_months_of_the_year_and_never_overlaps(a: date, b: date) -> None:
    """Given any range, the comparison period is as long, starts in the same month of the
    year, and ends before the range starts (whole years back, one for up to 12 months)."""
    start, end = min(a, b), max(a, b)
    p = custom(start, end)
    prev = p.previous()
    assert prev.length == p.length
    assert prev.start.month == p.start.month and prev.end.month == p.end.month
    assert prev.end < p.start
    back = 12 if p.length <= 12 else 12 * -(-p.length // 12)
    assert add_months(prev.start, back) == p.start
    assert len(p.months()) == p.length
    assert all(p.contains(m) for m in p.months())


def test_eighteen_months_are_compared_with_eighteen_months_two_years_before() -> None:
    """Given 2013-10..2015-03, the comparison is 2011-10..2013-03: no month on both sides
    (it was 2012-10..2014-03, six months counted twice)."""
    prev = parse_period("2013-10..2015-03").previous()
    assert (prev.start, prev.end) == (date(2011, 10, 1), date(2013, 3, 1))


@given(years)
def test_calendar_year_round_trip(year: int) -> None:
    p = parse_period(str(year))
    assert p.label == str(year) and p.length == 12 and parse_period(p.label) == p
    assert p.previous().label == str(year - 1)


@given(months, st.integers(-500, 500))
def test_add_months_inverse(m: date, n: int) -> None:
    assert add_months(add_months(m, n), -n) == m
