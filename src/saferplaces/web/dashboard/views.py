"""The performance dashboard of a place, its LSOA map and a CSV download of every table.

The map and the charts take their place from the request: any place in England and
Wales, its LSOAs drawn from the shipped boundaries and its outlines dissolved from them.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from saferplaces.evidence.scope import PlaceScope, ScopeError, scope_for
from saferplaces.insight.stats import MINIMUM_TOTAL
from saferplaces.partnership.models import Place
from saferplaces.spreadsheet import safe_row
from saferplaces.web.dashboard.build import dashboard_for
from saferplaces.web.dashboard.forms import PeriodForm, Selection, bind_period_form
from saferplaces.web.dashboard.maps import ATTRIBUTION, UnknownDistrictError, gzipped, map_file
from saferplaces.web.dashboard.priorities import plan_progress

TEMPLATE = "web/dashboard/dashboard.html"


def _place(slug: str) -> Place:
    return get_object_or_404(Place.objects.select_related("parent"), slug=slug)


def _url(name: str, place: Place, fallback: str) -> str:
    try:
        return reverse(name, args=[place.slug])
    except NoReverseMatch:  # the board papers pages belong to the reports app
        return fallback


def _scope(place: Place) -> tuple[PlaceScope | None, str]:
    try:
        return scope_for(place), ""
    except ScopeError as e:
        return None, str(e)


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """`/places/<slug>/dashboard/?period=2014/15` (or `rolling`, `2014`, or
    `period=custom&from_month=2014-01&to_month=2014-10`)."""
    place = _place(slug)
    scope, scope_error = _scope(place)
    form = bind_period_form(PeriodForm, request, scope)
    context: dict[str, Any] = {
        "place": place,
        "ancestors": [*place.ancestors(), place],
        "form": form,
        "dash": None,
        "papers_url": _url("papers_new", place, f"/places/{place.slug}/papers/new/"),
        "papers_list_url": _url("papers", place, f"/places/{place.slug}/papers/"),
    }
    if form.errors:
        return render(request, TEMPLATE, context, status=400)
    if scope is None:
        return render(request, TEMPLATE, {**context, "scope_error": scope_error})
    selection = form.selection
    if selection is None:  # nothing imported yet
        return render(request, TEMPLATE, {**context, "nothing_held": True})
    dash = dashboard_for(place, selection.period)
    context.update(
        dash=dash,
        selection=selection,
        query=urlencode(selection.params),
        map_url=reverse("dashboard_map", args=[place.slug]),
        attribution=ATTRIBUTION,
        minimum=MINIMUM_TOTAL,
        quality=dash.quality_notes,
        plan_progress=plan_progress(place, selection.period, dash.cards),
    )
    return render(request, TEMPLATE, context)


@login_required
@require_GET
def dashboard_map(request: HttpRequest, slug: str) -> FileResponse:
    """The place's LSOAs and outlines as GeoJSON (built once per place, then cached)."""
    place = _place(slug)
    scope, _ = _scope(place)
    if scope is None:
        raise Http404("No map for this place")
    try:
        path = map_file(place, scope)
    except UnknownDistrictError:
        raise Http404("No boundaries are held for this place") from None
    packed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = FileResponse(
        (gzipped(path) if packed else path).open("rb"), content_type="application/json"
    )
    if packed:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, slug: str, what: str) -> HttpResponse:
    """One table of the dashboard as CSV (raw values; empty where no data is held)."""
    place = _place(slug)
    scope, scope_error = _scope(place)
    if scope is None:
        return HttpResponse(
            f"{scope_error}\n", status=400, content_type="text/plain; charset=utf-8"
        )
    form = bind_period_form(PeriodForm, request, scope)
    if form.errors or form.selection is None:
        messages = [str(e) for errs in form.errors.values() for e in errs]
        text = "; ".join(messages) or "No incident data is held yet"
        return HttpResponse(text + "\n", status=400, content_type="text/plain; charset=utf-8")
    selection: Selection = form.selection
    table = dashboard_for(place, selection.period).tables.get(what)
    if table is None:
        raise Http404("No such table")
    period_slug = slugify(selection.period.label.replace("/", "-"))
    filename = f"{place.slug}-{what}-{period_slug}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(safe_row(c.name for c in table.columns))
    for row in table.rows:
        writer.writerow(safe_row("" if v is None else v for v in row))
    return response
