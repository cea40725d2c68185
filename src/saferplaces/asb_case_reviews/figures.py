"""The figures every partnership publishes each year about ASB Case Reviews.

For a partnership and a financial year (1 April to 31 March): applications received,
applications where the threshold was not met, reviews carried out, and reviews that
made recommendations. Applications and "threshold not met" count the applications
*received* in the year; reviews count the review meetings *held* in the year.

They count people's cases, so they are published only through small-number suppression
(`saferplaces.governance.suppression`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from saferplaces.asb_case_reviews.models import CaseReview
from saferplaces.governance.suppression import Count, suppress_row
from saferplaces.partnership.models import Place

MEASURES: tuple[tuple[str, str], ...] = (
    ("applications", "Applications received"),
    ("threshold_not_met", "Applications where the threshold was not met"),
    ("reviews", "ASB Case Reviews carried out"),
    ("with_recommendations", "Reviews that made recommendations"),
)


def financial_year(start_year: int) -> tuple[datetime.date, datetime.date]:
    """1 April ``start_year`` to 31 March the year after."""
    return datetime.date(start_year, 4, 1), datetime.date(start_year + 1, 3, 31)


def financial_year_of(day: datetime.date) -> int:
    """The year in which the financial year holding ``day`` starts."""
    return day.year if day.month >= 4 else day.year - 1


def label(start_year: int) -> str:
    """2025 → "2025/26"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@dataclass(frozen=True)
class AnnualFigures:
    place: Place
    start_year: int
    applications: int
    threshold_not_met: int
    reviews: int
    with_recommendations: int

    @property
    def label(self) -> str:
        return label(self.start_year)

    def counts(self) -> dict[str, int]:
        return {key: getattr(self, key) for key, _ in MEASURES}

    def published(self) -> dict[str, Count]:
        """The counts as they may be published (small numbers suppressed)."""
        return suppress_row(self.counts())


def reviews_for(place: Place) -> QuerySet[CaseReview]:
    return CaseReview.objects.filter(group__place=place)


def annual_figures(place: Place, start_year: int) -> AnnualFigures:
    """The four published figures for the partnership ``place`` in one financial year."""
    first, last = financial_year(start_year)
    reviews = reviews_for(place)
    received = reviews.filter(received_on__range=(first, last))
    held = reviews.filter(meeting_on__range=(first, last))
    return AnnualFigures(
        place=place,
        start_year=start_year,
        applications=received.count(),
        threshold_not_met=received.filter(threshold_met=False).count(),
        reviews=held.count(),
        with_recommendations=held.filter(recommendations__isnull=False).distinct().count(),
    )
