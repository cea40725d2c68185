from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from saferplaces.evidence.models import ImportRun
from saferplaces.evidence.store import incident_store
from saferplaces.insight.coverage import held


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """Every ImportRun, newest first, with the store's coverage by source and dataset."""
    runs = ImportRun.objects.select_related("imported_by")[:200]
    return render(
        request,
        "evidence/imports.html",
        {
            "runs": runs,
            "quality": held(
                (p.source, p.dataset, p.month, p.rows) for p in incident_store().partitions()
            ),
        },
    )
