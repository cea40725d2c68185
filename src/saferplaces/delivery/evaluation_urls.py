"""Routes: outputs and headlines, evaluation and value cases (evaluation_views.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _stub(request: HttpRequest, **kwargs: str) -> HttpResponse:  # replaced by the real views
    return HttpResponse("")


urlpatterns: list[URLPattern] = [
    path("places/<slug:place>/headlines/", _stub, name="headlines"),
    path("initiatives/<slug:slug>/outputs/", _stub, name="initiative_outputs"),
    path("initiatives/<slug:slug>/evaluation/", _stub, name="initiative_evaluation"),
]
