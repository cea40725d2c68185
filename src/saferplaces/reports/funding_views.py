"""The year's funding workbook for download (built by `reports.funding_workbook`; the
funding pages themselves are the delivery app's)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from saferplaces.delivery.access import require_viewer
from saferplaces.delivery.funding import FundingYearError, parse_year, summary, year_returns
from saferplaces.partnership.models import Place
from saferplaces.reports.funding_workbook import XLSX, filename, funding_xlsx


@login_required
@require_GET
def funding_workbook(request: HttpRequest, slug: str, year: str) -> HttpResponse:
    """``/places/<slug>/funding/2014-15.xlsx``: the year's streams, allocations and returns."""
    require_viewer(request)
    place = get_object_or_404(Place, slug=slug)
    try:
        start = parse_year(year.replace("-", "/"))
    except FundingYearError:
        raise Http404("No such year") from None
    s = summary(place, start, timezone.localdate())
    data = funding_xlsx(s, year_returns(place, start, s.today),
                        partnership_name=settings.PARTNERSHIP_NAME)  # fmt: skip
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename(s)}"'
    return response
