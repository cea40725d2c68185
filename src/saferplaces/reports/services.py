"""Every write of the reports app."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from saferplaces.insight.periods import Period
from saferplaces.partnership.models import Place
from saferplaces.reports.models import BoardPaper, PaperFormat, PaperStatus


@transaction.atomic
def request_papers(
    place: Place, period: Period, formats: Iterable[str], user: User | None
) -> list[BoardPaper]:
    """Queue one paper per format; the task starts once the rows are committed."""
    from saferplaces.reports.tasks import build_paper

    papers = [
        BoardPaper.objects.create(
            place=place,
            period_label=period.label,
            period_start=period.start,
            period_end=period.end,
            format=PaperFormat(fmt),
            requested_by=user,
            stage="Waiting for the background worker",
        )
        for fmt in formats
    ]
    for paper in papers:
        transaction.on_commit(partial(build_paper.enqueue, paper.pk))
    return papers


def record_progress(paper_id: int, percent: int, stage: str) -> None:
    BoardPaper.objects.filter(pk=paper_id).update(
        status=PaperStatus.RUNNING, progress=percent, stage=stage
    )


def record_ready(paper_id: int, file: str) -> None:
    BoardPaper.objects.filter(pk=paper_id).update(
        status=PaperStatus.READY, progress=100, stage="Ready", file=file,
        finished_at=timezone.now(),
    )  # fmt: skip


def record_failure(paper_id: int, error: str) -> None:
    BoardPaper.objects.filter(pk=paper_id).update(
        status=PaperStatus.FAILED, stage="Failed", error=error[:2000], finished_at=timezone.now()
    )
