"""Routes: initiative (owned by the initiative pages)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
