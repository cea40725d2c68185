"""Which districts a place covers, and how many people live there: the bridge from the
partnership's places (Django) to the insight engine's district codes."""

from __future__ import annotations

from dataclasses import dataclass

from saferplaces.partnership.models import Place, PlacePopulation
from saferplaces.partnership.models.places import PlaceKind


class ScopeError(ValueError):
    """A place the indicators cannot be computed for, with what to do instead."""


@dataclass(frozen=True)
class PlaceScope:
    place: Place
    districts: tuple[str, ...]
    """LAD codes of the districts the place covers (one for a district)."""

    @property
    def name(self) -> str:
        return self.place.name

    @property
    def code(self) -> str:
        return self.place.lad_code or self.place.csp_code or self.place.county_code or ""

    def population(self, year: int) -> tuple[int | None, tuple[int, ...]]:
        """(residents, years used): the sum over districts of the mid-year estimate for
        `year`, or for the nearest year each district has; (None, ()) when a district
        has no estimate at all."""
        rows = PlacePopulation.objects.filter(
            place__kind=PlaceKind.DISTRICT, place__lad_code__in=self.districts
        ).values_list("place__lad_code", "year", "population")
        by_district: dict[str, dict[int, int]] = {}
        for lad, y, n in rows:
            by_district.setdefault(lad, {})[y] = n
        if len(by_district) < len(self.districts):
            return None, ()
        total, used = 0, set()
        for years in by_district.values():
            nearest = min(years, key=lambda y: (abs(y - year), -y))
            total += years[nearest]
            used.add(nearest)
        return total, tuple(sorted(used))


def resolve_place(name_or_code: str) -> PlaceScope:
    """A place by name or ONS code, with the districts under it.

    Raises Place.DoesNotExist (unknown) or ScopeError (a place with no districts)."""
    place = Place.objects.by_name_or_code(name_or_code)
    return scope_for(place)


def scope_for(place: Place) -> PlaceScope:
    districts: tuple[str, ...]
    if place.kind == PlaceKind.DISTRICT:
        districts = (place.lad_code,) if place.lad_code else ()
    elif place.kind == PlaceKind.LSOA:
        raise ScopeError(
            f"{place.name} is an LSOA: indicators are for districts, areas and counties; "
            "see the LSOA breakdown on its district's dashboard"
        )
    else:
        below = Place.objects.filter(
            pk__in=place.descendant_ids(), kind=PlaceKind.DISTRICT
        ).exclude(lad_code="")
        districts = tuple(sorted(below.values_list("lad_code", flat=True)))
    if not districts:
        raise ScopeError(f"{place.name} has no district with an ONS LAD code")
    return PlaceScope(place=place, districts=districts)
