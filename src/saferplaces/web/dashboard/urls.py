"""The performance dashboard: the page and its CSV downloads."""

from django.urls import URLPattern, path

from saferplaces.web.dashboard import views

urlpatterns: list[URLPattern] = [
    path("places/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("places/<slug:slug>/map.geojson", views.dashboard_map, name="dashboard_map"),
    path(
        "places/<slug:slug>/dashboard/<slug:what>.csv",
        views.dashboard_csv,
        name="dashboard_csv",
    ),
]
