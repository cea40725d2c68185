"""Every write of the reports app that a person asks for: queueing board papers. (The
background task's own progress writes are in ``progress``, so that this module and the
task do not import each other.)"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.contrib.auth.models import User
from django.db import transaction

from saferplaces.insight.periods import Period
from saferplaces.partnership.models import Place
from saferplaces.reports.models import BoardPaper, PaperFormat
from saferplaces.reports.tasks import build_paper


@transaction.atomic
def request_papers(
    place: Place, period: Period, formats: Iterable[str], user: User | None
) -> list[BoardPaper]:
    """Queue one paper per format; the task starts once the rows are committed."""
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
