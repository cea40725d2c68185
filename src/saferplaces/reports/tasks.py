"""Background tasks (django-tasks; the database backend's worker runs beside the server)."""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks import task

from saferplaces.reports.models import BoardPaper
from saferplaces.reports.papers import write_paper
from saferplaces.reports.progress import record_failure, record_progress, record_ready

log = logging.getLogger(__name__)


@task()
def build_paper(paper_id: int) -> str:
    """Write one queued board paper into the data directory's documents folder."""
    paper = BoardPaper.objects.select_related("place").get(pk=paper_id)
    relative = f"papers/{paper.pk}/{paper.download_name}"
    try:
        write_paper(
            paper.place,
            paper.period,
            paper.format,
            settings.DOCUMENTS_DIR / relative,
            progress=lambda pct, stage: record_progress(paper_id, pct, stage),
        )
    except Exception as exc:
        log.exception("board paper %s failed", paper_id)
        record_failure(paper_id, f"{type(exc).__name__}: {exc}")
        raise
    record_ready(paper_id, relative)
    return relative
