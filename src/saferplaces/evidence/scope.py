"""Which districts a place covers, and how many people live in any of them: the bridge
from the partnership's places (Django) to the insight engine's district codes.

The incident store knows districts by the LAD code its LSOA lookups give (2021 codes
for 2011 LSOAs). A district of today that merged older ones (Cumberland) covers their
codes; a place above districts covers its ``members`` (or the districts below it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from saferplaces.insight.compare import PopulationFn
from saferplaces.insight.geography import lad_population_for, lsoa_to_district
from saferplaces.partnership.models import Place, PlacePopulation
from saferplaces.partnership.models.places import AliasKind, PlaceKind


class ScopeError(ValueError):
    """A place the indicators cannot be computed for, with what to do instead."""


@cache
def store_district_codes() -> frozenset[str]:
    """Every district code the incident store can hold (from the LSOA lookups)."""
    return frozenset(lsoa_to_district().values())


def _nearest(years: dict[int, int], year: int) -> tuple[int, int]:
    nearest = min(years, key=lambda y: (abs(y - year), -y))
    return years[nearest], nearest


def district_populations(codes: Sequence[str]) -> dict[str, dict[int, int]]:
    """district code → year → residents: the district's own place where it has one,
    else the ONS estimates the insight engine ships (summed over its LSOAs)."""
    rows = PlacePopulation.objects.filter(
        place__kind=PlaceKind.DISTRICT, place__lad_code__in=list(codes)
    ).values_list("place__lad_code", "year", "population")
    out: dict[str, dict[int, int]] = {}
    for lad, year, n in rows:
        out.setdefault(lad, {})[year] = n
    return out


def population_of(codes: Sequence[str], year: int) -> tuple[int | None, tuple[int, ...]]:
    """(residents of `codes` at mid-`year`, the mid-years used): each district's nearest
    year; (None, ()) when any district has no estimate at all."""
    known = district_populations(codes)
    total, used = 0, set()
    for code in codes:
        if code in known:
            n, y = _nearest(known[code], year)
        else:
            found = lad_population_for(code, year)
            if found is None:
                return None, ()
            n, y = found.value, found.year
        total += n
        used.add(y)
    return total, tuple(sorted(used))


@dataclass(frozen=True)
class PlaceScope:
    place: Place
    districts: tuple[str, ...]
    """District codes (as the incident store holds them) that the place covers."""

    @property
    def name(self) -> str:
        return self.place.name

    @property
    def code(self) -> str:
        return self.place.code or self.place.lad_code or self.place.csp_code or ""

    def population(self, year: int) -> tuple[int | None, tuple[int, ...]]:
        """(residents of the whole place, years used)."""
        return population_of(self.districts, year)

    def population_fn(self) -> PopulationFn:
        """Residents of any of the place's districts (those with data, for rates)."""
        return lambda codes, year: population_of(codes, year)[0]


def resolve_place(name_or_code: str) -> PlaceScope:
    """A place by name or ONS code, with the districts under it.

    Raises Place.DoesNotExist (unknown) or ScopeError (a place with no districts)."""
    place = Place.objects.by_name_or_code(name_or_code)
    return scope_for(place)


def district_codes(place: Place) -> tuple[str, ...]:
    """The store codes of one district place: its LAD code and those of the older
    districts it took in (when the store's lookups know them)."""
    held = store_district_codes()
    former = place.aliases.filter(kind=AliasKind.FORMER).values_list("text", flat=True)
    codes = {c for c in (place.lad_code, *former) if c in held}
    return tuple(sorted(codes)) or ((place.lad_code,) if place.lad_code else ())


def district_places(place: Place) -> list[Place]:
    """The district places a place covers: itself, its members, or the districts below it."""
    if place.kind == PlaceKind.DISTRICT:
        return [place]
    return list(place.members.order_by("name")) or list(
        Place.objects.filter(pk__in=place.descendant_ids(), kind=PlaceKind.DISTRICT)
    )


def scope_for(place: Place) -> PlaceScope:
    if place.kind == PlaceKind.LSOA:
        raise ScopeError(
            f"{place.name} is an LSOA: indicators are for districts and the places made of "
            "them; see the LSOA map on its district's dashboard"
        )
    below = district_places(place)
    districts = tuple(sorted({c for d in below if d.lad_code for c in district_codes(d)}))
    if not districts:
        raise ScopeError(f"{place.name} has no district with an ONS LAD code")
    return PlaceScope(place=place, districts=districts)
