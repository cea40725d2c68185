"""Casework record types and how long they are kept after they end (defaults; an
administrator may set another period per type, `governance.RetentionPeriod`)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from saferplaces.casework.models import Case, CaseStatus, Subject
from saferplaces.governance import retention


def _closed_cases(cutoff: datetime.date) -> QuerySet[Case]:
    return Case.objects.filter(
        Q(status=CaseStatus.CLOSED, closed_on__lt=cutoff)
        | Q(status=CaseStatus.DECLINED, decided_on__lt=cutoff)
    )


def _orphan_subjects(cutoff: datetime.date) -> QuerySet[Subject]:
    return Subject.objects.filter(cases__isnull=True, created_at__date__lte=cutoff)


def register_all() -> None:
    retention.register("case", "closed or declined cases", 6 * 365, _closed_cases)
    retention.register("subject", "people with no case left", 0, _orphan_subjects)
