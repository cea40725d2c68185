"""Routes: initiatives, strands, action plans and actions (initiative_views.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path


def _stub(request: HttpRequest, **kwargs: str) -> HttpResponse:  # replaced by the real views
    return HttpResponse("")


urlpatterns: list[URLPattern] = [
    path("places/<slug:place>/initiatives/", _stub, name="initiatives"),
    path("initiatives/<slug:slug>/", _stub, name="initiative"),
    path("groups/<slug:slug>/delivery/", _stub, name="group_delivery"),
]
