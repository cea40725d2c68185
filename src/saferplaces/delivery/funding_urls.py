"""Routes: funding (owned by the funding pages)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
