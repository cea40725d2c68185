"""The family page of a place (being built)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from saferplaces.web.where.common import base_context, place_for


@login_required
@require_GET
def page(request: HttpRequest, slug: str) -> HttpResponse:
    place = place_for(slug)
    return render(request, "web/where/family.html", base_context(place, "where_family"))
