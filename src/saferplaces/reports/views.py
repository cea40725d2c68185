from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from saferplaces.evidence.figures import latest_month
from saferplaces.evidence.periods import period_from
from saferplaces.insight.periods import PeriodError
from saferplaces.partnership.models import Place
from saferplaces.reports.models import BoardPaper, PaperFormat, PaperStatus
from saferplaces.reports.services import request_papers


@login_required
@require_POST
def papers_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue the deck, the PDF and the workbook for the place and period on the form."""
    place = get_object_or_404(Place, slug=slug)
    try:
        period = period_from(
            request.POST.get("period") or None,
            request.POST.get("from") or None,
            request.POST.get("to") or None,
            latest_month(),
        )
    except PeriodError as exc:
        return _problem(request, place, f"Choose a period to report on: {exc}")
    formats = request.POST.getlist("format") or [f.value for f in PaperFormat]
    if not set(formats) <= {f.value for f in PaperFormat}:
        return _problem(request, place, "Choose PowerPoint, PDF or Excel")
    user = request.user if isinstance(request.user, User) else None
    request_papers(place, period, formats, user)
    return redirect("papers", slug=place.slug)


def _problem(request: HttpRequest, place: Place, message: str) -> HttpResponse:
    """A GOV.UK page saying what to fix (the message is escaped: it may echo the form)."""
    context = {"place": place, "message": message}
    return render(request, "reports/problem.html", context, status=400)


@login_required
@require_GET
def papers(request: HttpRequest, slug: str) -> HttpResponse:
    place = get_object_or_404(Place, slug=slug)
    items = BoardPaper.objects.filter(place=place).select_related("requested_by")[:30]
    waiting = any(p.status in (PaperStatus.QUEUED, PaperStatus.RUNNING) for p in items)
    template = (
        "reports/_papers_table.html"
        if request.headers.get("HX-Request")
        else ("reports/papers.html")
    )
    return render(request, template, {"place": place, "papers": items, "waiting": waiting})


@login_required
@require_GET
def paper_download(request: HttpRequest, pk: int) -> FileResponse:
    paper = get_object_or_404(BoardPaper, pk=pk, status=PaperStatus.READY)
    path = settings.DOCUMENTS_DIR / paper.file
    if not path.is_file():
        raise Http404("The document is no longer held; generate it again.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=paper.download_name,
        content_type=paper.content_type,
    )
