"""How long ASB Case Review records are kept after they end (defaults; an administrator
may set another period per type, `governance.RetentionPeriod`)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from saferplaces.asb_case_reviews.models import AsbReport, CaseReview
from saferplaces.governance import retention

REVIEW_DAYS = 2 * 365
REPORT_DAYS = 365


def _closed_reviews(cutoff: datetime.date) -> QuerySet[CaseReview]:
    return CaseReview.objects.filter(closed_on__lt=cutoff)


def _old_reports(cutoff: datetime.date) -> QuerySet[AsbReport]:
    return AsbReport.objects.filter(reported_on__lt=cutoff)


def register_all() -> None:
    retention.register("asb_case_review", "closed ASB Case Reviews", REVIEW_DAYS, _closed_reviews)
    retention.register(
        "asb_report", "ASB reports logged for the second-report prompt", REPORT_DAYS, _old_reports
    )
