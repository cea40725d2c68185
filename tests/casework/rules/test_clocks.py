"""Deadline clocks: construction, status, extension, lateness."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.casework.rules.clocks import (
    Clock,
    ClockError,
    days_overdue,
    extend,
    meet,
    month_clock,
    status,
    working_day_clock,
)
from saferplaces.casework.rules.workdays import is_working_day

D = date


def ack() -> Clock:
    """Acknowledge an ASB Case Review application within 5 working days of 2026-04-01."""
    return working_day_clock("acknowledge", "Acknowledge the application", D(2026, 4, 1), 5)


def test_working_day_clock_skips_easter() -> None:
    clock = ack()
    # 2 Apr, (3 Good Friday, 4-5 weekend, 6 Easter Monday), 7, 8, 9, 10
    assert clock.due_on == D(2026, 4, 10)
    assert clock.effective_due == D(2026, 4, 10)


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),  # decision to hold a review: 1 month
        (D(2025, 3, 10), 6, D(2025, 9, 10)),  # overview report: 6 months
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
    ],
)
def test_month_clock(start: date, months: int, due: date) -> None:
    assert month_clock("k", "L", start, months).due_on == due


@pytest.mark.parametrize(
    ("met_on", "today", "expected"),
    [
        (None, D(2026, 4, 1), "due soon"),  # a 5-working-day clock is due soon from day one
        (None, D(2026, 3, 20), "running"),
        (None, D(2026, 4, 2), "due soon"),
        (None, D(2026, 4, 10), "due soon"),  # due today
        (None, D(2026, 4, 11), "overdue"),
        (D(2026, 4, 9), D(2026, 4, 20), "met"),
        (D(2026, 4, 10), D(2026, 4, 20), "met"),  # on the due day
        (D(2026, 4, 13), D(2026, 4, 20), "met late"),
    ],
)
def test_status(met_on: date | None, today: date, expected: str) -> None:
    clock = dataclasses.replace(ack(), met_on=met_on)
    assert status(clock, today) == expected


def test_status_due_soon_window_is_a_parameter() -> None:
    assert status(ack(), D(2026, 3, 20), soon_working_days=20) == "due soon"
    assert status(ack(), D(2026, 4, 9), soon_working_days=0) == "running"


def test_extension_moves_the_effective_due_date() -> None:
    clock = extend(ack(), D(2026, 4, 17), "  waiting for the housing association's records ")
    assert clock.due_on == D(2026, 4, 10)
    assert clock.effective_due == D(2026, 4, 17)
    assert clock.extension_reason == "waiting for the housing association's records"
    assert status(clock, D(2026, 4, 13)) == "due soon"
    assert status(meet(clock, D(2026, 4, 15)), D(2026, 4, 30)) == "met"
    again = extend(clock, D(2026, 4, 24), "chair unavailable")
    assert again.effective_due == D(2026, 4, 24)


@pytest.mark.parametrize(
    ("to", "reason", "message"),
    [
        (D(2026, 4, 17), "", "a reason is needed to extend a clock"),
        (D(2026, 4, 17), "   ", "a reason is needed to extend a clock"),
        (D(2026, 4, 10), "records", "must be after the current due date 2026-04-10"),
        (D(2026, 4, 3), "records", "must be after the current due date"),
    ],
)
def test_extend_refuses(to: date, reason: str, message: str) -> None:
    with pytest.raises(ClockError, match=message):
        extend(ack(), to, reason)


def test_a_met_clock_cannot_be_extended() -> None:
    with pytest.raises(ClockError, match="cannot be extended"):
        extend(meet(ack(), D(2026, 4, 9)), D(2026, 4, 20), "reason")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"due_on": D(2026, 3, 31)}, "before it started"),
        ({"extended_to": D(2026, 4, 9), "extension_reason": "x"}, "not after the due date"),
        ({"extended_to": D(2026, 4, 20)}, "a reason is needed"),
        ({"met_on": D(2026, 3, 1)}, "before it started"),
    ],
)
def test_clock_refuses_incoherent_dates(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ClockError, match=message):
        dataclasses.replace(ack(), **kwargs)


@pytest.mark.parametrize(
    ("met_on", "today", "days"),
    [
        (None, D(2026, 4, 10), 0),
        (None, D(2026, 4, 1), 0),
        (None, D(2026, 4, 13), 3),
        (D(2026, 4, 12), D(2026, 5, 1), 2),  # met late: counted to the day it was met
        (D(2026, 4, 9), D(2026, 5, 1), 0),
    ],
)
def test_days_overdue(met_on: date | None, today: date, days: int) -> None:
    clock = dataclasses.replace(ack(), met_on=met_on)
    assert days_overdue(clock, today) == days


dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2032, 12, 31))


@given(start=dates, n=st.integers(min_value=1, max_value=40), today=dates)
def test_working_day_clock_properties(start: date, n: int, today: date) -> None:
    clock = working_day_clock("k", "L", start, n)
    assert is_working_day(clock.due_on)
    state = status(clock, today)
    assert (state == "overdue") == (days_overdue(clock, today) > 0)
