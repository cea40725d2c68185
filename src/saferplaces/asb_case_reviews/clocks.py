"""The working-day clocks of an ASB Case Review (English bank holidays skipped).

Acknowledgement, threshold decision and review meeting each run from the day the
application was received, for the number of working days the partnership has set
(`ThresholdSetting`). A clock is met by the matching date on the review.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from saferplaces.asb_case_reviews.models import CaseReview, ThresholdSetting
from saferplaces.casework.rules.clocks import Clock, ClockStatus, meet, status, working_day_clock


@dataclass(frozen=True)
class ClockView:
    """A clock and where it stands today."""

    clock: Clock
    status: ClockStatus | str

    @property
    def key(self) -> str:
        return self.clock.key

    @property
    def label(self) -> str:
        return self.clock.label

    @property
    def due_on(self) -> datetime.date:
        return self.clock.effective_due

    @property
    def met_on(self) -> datetime.date | None:
        return self.clock.met_on

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"

    @property
    def tag(self) -> str:
        """The GOV.UK tag colour for the status."""
        return {
            "met": "green",
            "met late": "yellow",
            "overdue": "red",
            "due soon": "orange",
            "running": "blue",
        }.get(str(self.status), "grey")


NOT_NEEDED = "not needed"


def _clock(
    key: str, label: str, start: datetime.date, days: int, met_on: datetime.date | None
) -> Clock:
    clock = working_day_clock(key, label, start, days)
    return meet(clock, met_on) if met_on is not None else clock


def review_clocks(
    review: CaseReview, today: datetime.date, setting: ThresholdSetting | None = None
) -> list[ClockView]:
    """The review's three clocks and their status on ``today``."""
    setting = setting or ThresholdSetting.for_place(review.group.place)
    start = review.received_on
    clocks = [
        _clock(
            "acknowledge", "Acknowledge the application", start,
            setting.acknowledge_within_working_days, review.acknowledged_on,
        ),
        _clock(
            "threshold", "Decide the threshold", start,
            setting.decide_within_working_days, review.threshold_decided_on,
        ),
        _clock(
            "meeting", "Hold the review meeting", start,
            setting.meeting_within_working_days, review.meeting_on,
        ),
    ]  # fmt: skip
    views = []
    for clock in clocks:
        if clock.key == "meeting" and review.threshold_met is False:
            views.append(ClockView(clock, NOT_NEEDED))
        else:
            views.append(ClockView(clock, status(clock, today)))
    return views
