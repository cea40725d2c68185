"""Statutory and local deadline clocks (ASB Case Review, Domestic Homicide Review ...).

A clock runs from ``started_on`` to ``due_on``; it may be extended once or more (each
extension needs a reason and a later date) and is stopped when it is met.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Literal

from saferplaces.casework.rules.workdays import (
    add_months,
    add_working_days,
    working_days_between,
)

__all__ = [
    "DUE_SOON_WORKING_DAYS",
    "Clock",
    "ClockError",
    "ClockStatus",
    "days_overdue",
    "extend",
    "meet",
    "month_clock",
    "status",
    "working_day_clock",
]

ClockStatus = Literal["met", "met late", "overdue", "due soon", "running"]

# A running clock is "due soon" when its effective due date is this many working days
# away or fewer (the due day itself included).
DUE_SOON_WORKING_DAYS = 5


class ClockError(ValueError):
    """A clock was built or changed in a way the rules do not allow."""


@dataclass(frozen=True)
class Clock:
    """A deadline: started on a date, due on a date, possibly extended, possibly met."""

    key: str
    label: str
    started_on: date
    due_on: date
    met_on: date | None = None
    extended_to: date | None = None
    extension_reason: str = ""

    def __post_init__(self) -> None:
        if self.due_on < self.started_on:
            raise ClockError(
                f"{self.label}: due on {self.due_on} is before it started on {self.started_on}"
            )
        if self.extended_to is not None:
            if self.extended_to <= self.due_on:
                raise ClockError(
                    f"{self.label}: extended to {self.extended_to}, "
                    f"which is not after the due date {self.due_on}"
                )
            if not self.extension_reason.strip():
                raise ClockError(f"{self.label}: a reason is needed to extend a clock")
        if self.met_on is not None and self.met_on < self.started_on:
            raise ClockError(
                f"{self.label}: met on {self.met_on}, before it started on {self.started_on}"
            )

    @property
    def effective_due(self) -> date:
        """The date that counts: the extension if there is one, else the original due date."""
        return self.extended_to if self.extended_to is not None else self.due_on


def working_day_clock(key: str, label: str, start: date, working_days: int) -> Clock:
    """A clock due ``working_days`` English working days after ``start``."""
    return Clock(key, label, start, add_working_days(start, working_days))


def month_clock(key: str, label: str, start: date, months: int) -> Clock:
    """A clock due ``months`` calendar months after ``start`` (clamped to month end)."""
    if months < 0:
        raise ClockError(f"{label}: the number of months must be 0 or more, not {months}")
    return Clock(key, label, start, add_months(start, months))


def extend(clock: Clock, to: date, reason: str) -> Clock:
    """A copy of ``clock`` extended to ``to``; needs a reason and a date after the current due."""
    if clock.met_on is not None:
        raise ClockError(f"{clock.label}: met on {clock.met_on}, so it cannot be extended")
    if not reason.strip():
        raise ClockError(f"{clock.label}: a reason is needed to extend a clock")
    if to <= clock.effective_due:
        raise ClockError(
            f"{clock.label}: an extension must be after the current due date "
            f"{clock.effective_due}, not {to}"
        )
    return dataclasses.replace(clock, extended_to=to, extension_reason=reason.strip())


def meet(clock: Clock, on: date) -> Clock:
    """A copy of ``clock`` stopped (met) on ``on``."""
    return dataclasses.replace(clock, met_on=on)


def status(
    clock: Clock, today: date, soon_working_days: int = DUE_SOON_WORKING_DAYS
) -> ClockStatus:
    """Where ``clock`` stands on ``today``.

    "met" / "met late" once it is met (on or before / after the effective due date);
    otherwise "overdue" after the effective due date, "due soon" when the due date is
    ``soon_working_days`` working days away or fewer (the due day itself is "due soon"),
    else "running".
    """
    due = clock.effective_due
    if clock.met_on is not None:
        return "met" if clock.met_on <= due else "met late"
    if today > due:
        return "overdue"
    if working_days_between(today, due) <= soon_working_days:
        return "due soon"
    return "running"


def days_overdue(clock: Clock, today: date) -> int:
    """Calendar days past the effective due date: up to ``met_on`` if met, else up to ``today``."""
    end = clock.met_on if clock.met_on is not None else today
    return max(0, (end - clock.effective_due).days)
