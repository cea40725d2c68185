"""A board paper's progress, written by the background task that builds it."""

from __future__ import annotations

from django.utils import timezone

from saferplaces.reports.models import BoardPaper, PaperStatus


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
