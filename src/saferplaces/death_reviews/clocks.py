"""A review's deadline clocks, built with `saferplaces.casework.rules.clocks`.

- The decision clock starts at notification and is due ``decision_months`` later (1 by
  default); it is met on the day the partnership decides whether to hold a review.
- The completion clock starts at a decision to hold a review and is due
  ``completion_months`` later (6 by default); it is met when the overview report,
  executive summary and action plan are completed.

Each recorded extension (with its reason) moves the due date on, in the order recorded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from saferplaces.casework.rules import clocks as rules
from saferplaces.death_reviews.models import (
    DEFAULT_COMPLETION_MONTHS,
    DEFAULT_DECISION_MONTHS,
    ClockExtension,
    ClockKey,
    DeathReview,
    ReviewClockSetting,
)


@dataclass(frozen=True)
class Months:
    decision: int
    completion: int


def months_for(review: DeathReview) -> Months:
    """The partnership's clock defaults (its `ReviewClockSetting`, else 1 and 6 months)."""
    row = ReviewClockSetting.objects.filter(place_id=review.group.place_id).first()
    if row is None:
        return Months(DEFAULT_DECISION_MONTHS, DEFAULT_COMPLETION_MONTHS)
    return Months(row.decision_months, row.completion_months)


@dataclass(frozen=True)
class ReviewClock:
    """A clock as the pages show it: the rules' clock, its status today, days overdue and
    the extensions that moved it."""

    clock: rules.Clock
    status: rules.ClockStatus
    days_overdue: int
    extensions: list[ClockExtension]

    @property
    def key(self) -> str:
        return self.clock.key

    @property
    def overdue(self) -> bool:
        return self.status in ("overdue", "met late")


def _build(
    key: str, start: datetime.date, months: int, met_on: datetime.date | None,
    extensions: list[ClockExtension],
) -> rules.Clock:  # fmt: skip
    clock = rules.month_clock(key, ClockKey(key).label, start, months)
    for extension in extensions:
        if extension.extended_to > clock.effective_due:
            clock = rules.extend(clock, extension.extended_to, extension.reason)
    if met_on is not None:
        clock = rules.meet(clock, max(met_on, start))
    return clock


def review_clocks(review: DeathReview, today: datetime.date) -> list[ReviewClock]:
    """The clocks running or run for a review (the completion clock only once a review is
    to be held)."""
    months = months_for(review)
    extensions = list(review.extensions.all())
    result = []
    starts: list[tuple[str, datetime.date, int, datetime.date | None]] = [
        (ClockKey.DECISION, review.notified_on, months.decision, review.decided_on)
    ]
    if review.review_held and review.decided_on is not None:
        starts.append(
            (ClockKey.COMPLETION, review.decided_on, months.completion, review.report_completed_on)
        )
    for key, start, n, met_on in starts:
        mine = [e for e in extensions if e.clock == key]
        clock = _build(key, start, n, met_on, mine)
        result.append(
            ReviewClock(clock, rules.status(clock, today), rules.days_overdue(clock, today), mine)
        )
    return result


def current_clock(review: DeathReview, today: datetime.date) -> ReviewClock | None:
    """The clock that is running now (the latest unmet one), if any."""
    running = [c for c in review_clocks(review, today) if c.clock.met_on is None]
    return running[-1] if running else None
