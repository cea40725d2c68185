"""Delivery pages, one module of routes per concept: initiatives and action plans
(initiative_urls.py), funding (funding_urls.py) and evaluation (evaluation_urls.py)."""

from django.urls import URLPattern, URLResolver

from saferplaces.delivery import evaluation_urls, funding_urls, initiative_urls

app_name = "delivery"
urlpatterns: list[URLPattern | URLResolver] = [
    *initiative_urls.urlpatterns,
    *funding_urls.urlpatterns,
    *evaluation_urls.urlpatterns,
]
