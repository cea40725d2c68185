"""Routes: funding streams, allocations, quarterly returns, monitoring and the summary
(funding_views.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _stub(request: HttpRequest, **kwargs: str) -> HttpResponse:  # replaced by the real views
    return HttpResponse("")


urlpatterns: list[URLPattern] = [
    path("places/<slug:place>/funding/", _stub, name="funding"),
    path("initiatives/<slug:slug>/funding/", _stub, name="initiative_funding"),
]
