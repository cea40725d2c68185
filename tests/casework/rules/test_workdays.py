"""Working days in England, bank holidays and calendar months."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.casework.rules.workdays import (
    add_months,
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)

D = date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2022, 9, 19), False),  # State Funeral of Queen Elizabeth II (a Monday)
        (D(2022, 12, 23), True),  # Friday before Christmas
        (D(2022, 12, 26), False),  # Boxing Day (Monday)
        (D(2022, 12, 27), False),  # Christmas Day substitute (Tuesday)
        (D(2022, 12, 28), True),
        (D(2023, 1, 2), False),  # New Year's Day substitute (Monday)
        (D(2023, 1, 3), True),
        (D(2023, 5, 8), False),  # Coronation of King Charles III (Monday)
        (D(2023, 5, 9), True),
        (D(2026, 1, 1), False),  # New Year's Day (Thursday)
        (D(2026, 1, 2), True),
        (D(2026, 4, 2), True),  # Maundy Thursday is a working day
        (D(2026, 4, 3), False),  # Good Friday
        (D(2026, 4, 6), False),  # Easter Monday
        (D(2026, 4, 7), True),
        (D(2026, 12, 25), False),  # Christmas Day (Friday)
        (D(2026, 12, 26), False),  # Boxing Day (Saturday)
        (D(2026, 12, 28), False),  # Boxing Day substitute (Monday)
        (D(2026, 12, 29), True),
        (D(2025, 6, 7), False),  # a Saturday
        (D(2025, 6, 8), False),  # a Sunday
        (D(2025, 6, 9), True),  # an ordinary Monday
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_one_off_and_substitute_days_are_in_the_holiday_set() -> None:
    assert {D(2022, 6, 3), D(2022, 9, 19), D(2022, 12, 27)} <= bank_holidays(2022)
    assert D(2023, 5, 8) in bank_holidays(2023)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2022, 12, 23), 0, D(2022, 12, 23)),
        (D(2022, 12, 24), 0, D(2022, 12, 24)),  # n=0 is start even on a Saturday
        (D(2022, 12, 23), 1, D(2022, 12, 28)),  # over Christmas 2022 and its substitute
        (D(2022, 12, 23), 4, D(2023, 1, 3)),  # and over New Year's Day substitute
        (D(2022, 12, 30), 1, D(2023, 1, 3)),
        (D(2023, 5, 5), 1, D(2023, 5, 9)),  # Coronation Monday skipped
        (D(2026, 4, 2), 1, D(2026, 4, 7)),  # Easter 2026: Good Friday and Easter Monday
        (D(2026, 3, 30), 10, D(2026, 4, 15)),
        (D(2026, 12, 24), 1, D(2026, 12, 29)),  # Christmas 2026 and Boxing Day substitute
        (D(2026, 12, 24), 4, D(2027, 1, 4)),  # New Year's Day 2027 (Friday) skipped
        (D(2025, 6, 6), 1, D(2025, 6, 9)),  # an ordinary weekend
        (D(2025, 6, 7), 1, D(2025, 6, 9)),  # from a Saturday
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_add_working_days_refuses_negative() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(D(2025, 1, 1), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2022, 12, 23), D(2022, 12, 23), 0),
        (D(2022, 12, 28), D(2022, 12, 23), 0),  # end before start
        (D(2022, 12, 23), D(2022, 12, 27), 0),  # weekend, Boxing Day, substitute
        (D(2022, 12, 23), D(2023, 1, 3), 4),  # 28, 29, 30 Dec and 3 Jan
        (D(2026, 4, 2), D(2026, 4, 7), 1),  # Easter 2026
        (D(2026, 12, 24), D(2027, 1, 4), 4),  # 29, 30, 31 Dec and 4 Jan
        (D(2023, 5, 5), D(2023, 5, 12), 4),  # Coronation week
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2025, 8, 31), 1, D(2025, 9, 30)),
        (D(2025, 11, 15), 2, D(2026, 1, 15)),
        (D(2025, 1, 15), -1, D(2024, 12, 15)),
        (D(2025, 8, 31), -6, D(2025, 2, 28)),
        (D(2025, 5, 5), 0, D(2025, 5, 5)),
    ],
)
def test_add_months(d: date, n: int, expected: date) -> None:
    assert add_months(d, n) == expected


dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))


@given(start=dates, n=st.integers(min_value=1, max_value=400))
def test_add_working_days_lands_on_a_working_day_n_days_on(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert is_working_day(end)
    assert working_days_between(start, end) == n
    assert working_days_between(start, end - timedelta(days=1)) == n - 1


@given(start=dates, n=st.integers(min_value=0, max_value=400))
def test_working_days_between_inverts_add_working_days(start: date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@given(d=dates, n=st.integers(min_value=-240, max_value=240))
def test_add_months_moves_by_calendar_months(d: date, n: int) -> None:
    moved = add_months(d, n)
    assert (moved.year * 12 + moved.month) - (d.year * 12 + d.month) == n
    assert moved.day <= d.day
    if moved.day < d.day:  # clamped: the last day of a shorter month
        assert (moved + timedelta(days=1)).month != moved.month
