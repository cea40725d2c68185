"""Repeat MARAC cases: further abuse within 12 months of the last referral."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.casework.rules.marac import is_repeat, last_referral_before, repeat_until
from saferplaces.casework.rules.workdays import add_months

D = date


@pytest.mark.parametrize(
    ("referral", "previous", "repeat"),
    [
        (D(2025, 3, 1), [], False),  # first referral
        (D(2025, 3, 1), [D(2024, 3, 1)], True),  # exactly 12 months
        (D(2025, 3, 2), [D(2024, 3, 1)], False),  # 12 months and 1 day
        (D(2025, 2, 28), [D(2024, 2, 29)], True),  # leap day: 12 months on is 28 Feb
        (D(2025, 3, 1), [D(2024, 2, 29)], False),  # and 1 March is one day too late
        (D(2024, 2, 29), [D(2023, 2, 28)], False),  # 12 months after 28 Feb 2023 is 28 Feb
        (D(2024, 2, 28), [D(2023, 2, 28)], True),
        (D(2025, 6, 1), [D(2023, 1, 1), D(2024, 12, 1)], True),  # the LAST referral counts
        (D(2025, 6, 1), [D(2024, 12, 1), D(2023, 1, 1)], True),  # in any order
        (D(2025, 6, 1), [D(2023, 1, 1), D(2024, 1, 1)], False),
        (D(2025, 6, 1), [D(2025, 6, 1)], False),  # the same day is not "previous"
        (D(2025, 6, 1), [D(2025, 7, 1)], False),  # later referrals do not count
        (D(2025, 6, 1), [D(2025, 5, 31), D(2025, 7, 1)], True),
    ],
)
def test_is_repeat(referral: date, previous: list[date], repeat: bool) -> None:
    assert is_repeat(referral, previous) is repeat


def test_is_repeat_accepts_a_generator_and_another_window() -> None:
    assert is_repeat(D(2025, 6, 1), (d for d in [D(2025, 1, 1)]), window_months=6)
    assert not is_repeat(D(2025, 7, 2), (d for d in [D(2025, 1, 1)]), window_months=6)


def test_window_must_be_at_least_a_month() -> None:
    with pytest.raises(ValueError, match="at least 1 month"):
        is_repeat(D(2025, 6, 1), [D(2025, 5, 1)], window_months=0)


@pytest.mark.parametrize(
    ("referral", "previous", "expected"),
    [
        (D(2025, 6, 1), [], None),
        (D(2025, 6, 1), [D(2025, 6, 1), D(2025, 6, 2)], None),
        (D(2025, 6, 1), [D(2024, 1, 1), D(2025, 5, 1), D(2025, 6, 1)], D(2025, 5, 1)),
    ],
)
def test_last_referral_before(referral: date, previous: list[date], expected: date | None) -> None:
    assert last_referral_before(referral, previous) == expected


def test_repeat_until() -> None:
    assert repeat_until(D(2024, 2, 29)) == D(2025, 2, 28)


dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))


@given(last=dates, previous=st.lists(dates, max_size=5))
def test_repeat_exactly_up_to_twelve_months_after_the_last_referral(
    last: date, previous: list[date]
) -> None:
    earlier = [d for d in previous if d < last] + [last]
    boundary = add_months(last, 12)
    assert is_repeat(boundary, earlier)
    assert not is_repeat(boundary + timedelta(days=1), earlier)
