"""Where and when: `/places/<slug>/hotspots/`, `/seasons/`, `/near-repeats/`, `/family/`."""

from django.urls import URLPattern, path

from saferplaces.web.where import family, hotspots, near_repeats, seasons

urlpatterns: list[URLPattern] = [
    path("places/<slug:slug>/hotspots/", hotspots.page, name="where_hotspots"),
    path("places/<slug:slug>/seasons/", seasons.page, name="where_seasons"),
    path("places/<slug:slug>/near-repeats/", near_repeats.page, name="where_near_repeats"),
    path("places/<slug:slug>/family/", family.page, name="where_family"),
]
