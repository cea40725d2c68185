"""The performance dashboard of a place, and a CSV download of every table behind it."""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from saferplaces.evidence.scope import ScopeError, scope_for
from saferplaces.evidence.store import incident_store
from saferplaces.partnership.models import Place
from saferplaces.web.dashboard.build import dashboard_for
from saferplaces.web.dashboard.forms import PeriodForm, Selection

TEMPLATE = "web/dashboard/dashboard.html"
BOUNDARIES = "web/boundaries/lancashire_districts_lad2022.geojson"


def _place(slug: str) -> Place:
    return get_object_or_404(Place.objects.select_related("parent"), slug=slug)


def _form(request: HttpRequest) -> PeriodForm:
    """The period form, bound to the query (or to nothing: the default period), with the
    select showing the period actually shown."""
    months = incident_store().months()
    asked = any(k in request.GET for k in PeriodForm.base_fields)
    data: dict[str, str] = {k: request.GET.get(k, "") for k in PeriodForm.base_fields}
    form = PeriodForm(data if asked else {"period": ""}, months=months)
    if form.is_valid() and form.selection is not None and not data["period"].strip():
        shown = "custom" if form.selection.kind == "custom" else form.selection.params["period"]
        form = PeriodForm({**data, "period": shown}, months=months)
        form.is_valid()
    return form


def _url(name: str, place: Place, fallback: str) -> str:
    try:
        return reverse(name, args=[place.slug])
    except NoReverseMatch:  # the board papers pages belong to the reports app
        return fallback


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """`/places/<slug>/dashboard/?period=2014/15` (or `rolling`, `2014`, or
    `period=custom&from_month=2014-01&to_month=2014-10`)."""
    place = _place(slug)
    form = _form(request)
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
    selection = form.selection
    if selection is None:  # nothing imported yet
        return render(request, TEMPLATE, {**context, "nothing_held": True})
    try:
        scope_for(place)
    except ScopeError as e:
        return render(request, TEMPLATE, {**context, "scope_error": str(e)})
    dash = dashboard_for(place, selection.period)
    context.update(
        dash=dash,
        selection=selection,
        query=urlencode(selection.params),
        boundaries=BOUNDARIES,
        quality=dash.quality_notes,
    )
    return render(request, TEMPLATE, context)


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, slug: str, what: str) -> HttpResponse:
    """One table of the dashboard as CSV (raw values; empty where no data is held)."""
    place = _place(slug)
    form = _form(request)
    if form.errors or form.selection is None:
        messages = [str(e) for errs in form.errors.values() for e in errs]
        text = "; ".join(messages) or "No incident data is held yet"
        return HttpResponse(text + "\n", status=400, content_type="text/plain; charset=utf-8")
    try:
        scope_for(place)
    except ScopeError as e:
        return HttpResponse(f"{e}\n", status=400, content_type="text/plain; charset=utf-8")
    selection: Selection = form.selection
    table = dashboard_for(place, selection.period).tables.get(what)
    if table is None:
        raise Http404("No such table")
    period_slug = slugify(selection.period.label.replace("/", "-"))
    filename = f"{place.slug}-{what}-{period_slug}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([c.name for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    return response
