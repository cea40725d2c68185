"""Routes: evaluation (owned by the evaluation pages)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
