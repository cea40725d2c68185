"""Repeat MARAC cases.

SafeLives: a case is a *repeat* when any further abuse against the same victim is
recorded within 12 months of the last referral to MARAC. "Within 12 months" is taken in
calendar months, inclusive of the same date 12 months on (12 months after 2024-02-29 is
2025-02-28).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from saferplaces.casework.rules.workdays import add_months

__all__ = ["REPEAT_WINDOW_MONTHS", "is_repeat", "last_referral_before", "repeat_until"]

REPEAT_WINDOW_MONTHS = 12


def last_referral_before(
    referral_date: date, previous_referral_dates: Iterable[date]
) -> date | None:
    """The latest of ``previous_referral_dates`` strictly before ``referral_date``, or None."""
    earlier = [d for d in previous_referral_dates if d < referral_date]
    return max(earlier) if earlier else None


def repeat_until(last_referral: date, window_months: int = REPEAT_WINDOW_MONTHS) -> date:
    """The last date on which new abuse makes a case a repeat of ``last_referral``."""
    if window_months < 1:
        raise ValueError(f"the repeat window must be at least 1 month, not {window_months}")
    return add_months(last_referral, window_months)


def is_repeat(
    referral_date: date,
    previous_referral_dates: Iterable[date],
    window_months: int = REPEAT_WINDOW_MONTHS,
) -> bool:
    """True when ``referral_date`` falls within ``window_months`` of the last earlier referral.

    Only previous referrals strictly before ``referral_date`` count; the window is
    inclusive of the same calendar date ``window_months`` later.
    """
    last = last_referral_before(referral_date, previous_referral_dates)
    if last is None:
        return False
    return referral_date <= repeat_until(last, window_months)
