"""What the where-and-when pages share: the place from the URL, its scope and the
sub-navigation between the four pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.urls import reverse

from saferplaces.evidence.scope import PlaceScope, ScopeError, scope_for
from saferplaces.partnership.models import Place


@dataclass(frozen=True)
class Tab:
    name: str
    label: str
    url: str
    current: bool


PAGES = (
    ("where_hotspots", "Hot spots"),
    ("where_seasons", "Nights of the year"),
    ("where_near_repeats", "Near repeats"),
    ("where_family", "Most similar partnerships"),
)


def place_for(slug: str) -> Place:
    return get_object_or_404(Place.objects.select_related("parent"), slug=slug)


def scope_of(place: Place) -> tuple[PlaceScope | None, str]:
    """The place's scope, or None and the reason it has none."""
    try:
        return scope_for(place), ""
    except ScopeError as e:
        return None, str(e)


def tabs(place: Place, current: str) -> list[Tab]:
    """The sub-navigation: the four pages of the place, the current one marked."""
    return [Tab(n, label, reverse(n, args=[place.slug]), n == current) for n, label in PAGES]


def base_context(place: Place, current: str) -> dict[str, object]:
    return {
        "place": place,
        "ancestors": [*place.ancestors(), place],
        "tabs": tabs(place, current),
        "page_label": dict(PAGES)[current],
    }
