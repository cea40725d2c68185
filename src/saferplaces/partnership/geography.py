"""Loading the reference geography of England and Wales into the database.

Every district of today, every LSOA (with its population), and the places made of
districts: regions, police force areas, fire and rescue authority areas, two-tier
counties and community safety partnerships of several districts. Idempotent: a place is
found again by its kind and ONS code (so the demo's or a partnership's own places are
reused, never duplicated), only what differs is written, and the parents a partnership
has arranged are left alone. Bulk writes keep the whole of England and Wales (about
35,000 places) within seconds; one activity event records the load.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from saferplaces.insight.geography import lsoa_names, lsoa_populations
from saferplaces.insight.reference_geography import (
    ReferenceArea,
    ReferenceDistrict,
    reference_areas,
    reference_districts,
)
from saferplaces.partnership.models import Place, PlaceAlias, PlacePopulation
from saferplaces.partnership.models.places import OWN_CODE, AliasKind, PlaceKind, lookup_key
from saferplaces.partnership.services import Actor, aliases_for, record_event

SOURCE = "ONS mid-year population estimates (sum of the LSOA estimates)"
KIND = {
    "region": PlaceKind.REGION,
    "force": PlaceKind.FORCE,
    "fire": PlaceKind.FIRE,
    "county": PlaceKind.COUNTY,
    "csp": PlaceKind.CSP,
}
SUFFIX = {
    PlaceKind.FORCE: ("police force area", "police-force-area"),
    PlaceKind.FIRE: ("fire and rescue area", "fire-and-rescue-area"),
    PlaceKind.REGION: ("", "region"),
    PlaceKind.CSP: ("", "csp"),
}
"""Names and slugs that keep places of different kinds apart ("Lancashire" is the
county; "Lancashire police force area" its force area)."""

BATCH = 2000


@dataclass
class Wanted:
    """A place as the reference data describes it."""

    kind: str
    code: str
    name: str
    slug: str
    fields: dict[str, str]
    parent: tuple[str, str] | None = None
    members: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    former: tuple[str, ...] = ()
    populations: dict[int, int] = field(default_factory=dict)


@dataclass
class GeographyReport:
    created: int = 0
    updated: int = 0
    places: int = 0
    populations: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def other_names(name: str) -> list[str]:
    """Names people use besides ONS's: "Kingston upon Hull, City of" is also "City of
    Kingston upon Hull" and "Kingston upon Hull"."""
    m = re.fullmatch(r"(.+), (City|County) of", name)
    return [f"{m.group(2)} of {m.group(1)}", m.group(1)] if m else []


def _area_wanted(area: ReferenceArea) -> Wanted:
    kind = KIND[area.kind]
    words, slug_suffix = SUFFIX.get(kind, ("", ""))
    name = f"{area.name} {words}".strip()
    fields = {OWN_CODE[kind]: area.code}
    if kind == PlaceKind.FORCE:
        fields["pfa_name"] = area.name
    if kind == PlaceKind.FIRE:
        fields["fra_name"] = area.name
    extra = [area.name] if words else []
    if kind == PlaceKind.FORCE:
        extra.append(f"{area.name} police")
    return Wanted(
        kind=kind,
        code=area.code,
        name=name,
        slug=slugify(f"{area.name} {slug_suffix}"),
        fields=fields,
        members=area.districts,
        other_names=tuple(extra + other_names(area.name)),
    )


def _district_wanted(
    d: ReferenceDistrict, pops: dict[int, dict[str, int]], shared: set[str]
) -> Wanted:
    """A district; it is its own partnership's place unless its CSP is one of `shared`
    (partnerships of several districts, which have a place of their own)."""
    own_csp = d.csp_code not in shared
    csp_names = [d.csp_name] if own_csp and d.csp_name and d.csp_name != d.name else []
    parent = (
        (PlaceKind.COUNTY, d.county_code) if d.county_code else (PlaceKind.REGION, d.region_code)
    )
    return Wanted(
        kind=PlaceKind.DISTRICT,
        code=d.code,
        name=d.name,
        slug=slugify(d.name),
        fields={
            "lad_code": d.code,
            "csp_code": d.csp_code if own_csp else "",
            "pfa_code": d.pfa_code,
            "pfa_name": d.pfa_name,
            "fra_code": d.fra_code,
            "fra_name": d.fra_name,
            "county_code": d.county_code,
            "region_code": d.region_code,
        },
        parent=parent if parent[1] else None,
        other_names=tuple(csp_names + other_names(d.name)),
        former=d.former_codes + d.former_names,
        populations=_sum_populations(d.lsoas, pops),
    )


def _sum_populations(lsoas: Iterable[str], pops: dict[int, dict[str, int]]) -> dict[int, int]:
    """year → residents, for the years every LSOA has an estimate."""
    codes = list(lsoas)
    out = {}
    for year, by_lsoa in pops.items():
        if codes and all(c in by_lsoa for c in codes):
            out[year] = sum(by_lsoa[c] for c in codes)
    return out


def wanted_places(force_areas: Iterable[str] | None = None) -> list[Wanted]:
    """Every place of the reference geography, widest first; with `force_areas` (police
    force area codes) only their districts and the places made wholly of them."""
    pops = lsoa_populations()
    names = lsoa_names()
    districts = reference_districts()
    if force_areas is not None:
        keep = set(force_areas)
        districts = tuple(d for d in districts if d.pfa_code in keep)
    codes = {d.code for d in districts}
    areas = reference_areas()
    shared = {a.code for a in areas if a.kind == "csp"}
    out = [_area_wanted(a) for a in areas if set(a.districts) <= codes]
    out.sort(key=lambda w: ["region", "force", "fire", "county", "csp"].index(w.kind))
    out += [_district_wanted(d, pops, shared) for d in districts]
    for d in districts:
        for code in d.lsoas:
            out.append(
                Wanted(
                    kind=PlaceKind.LSOA,
                    code=code,
                    name=names.get(code, code),
                    slug=f"lsoa-{code.lower()}",
                    fields={"lsoa_code": code},
                    parent=(PlaceKind.DISTRICT, d.code),
                    populations={y: p[code] for y, p in pops.items() if code in p},
                )
            )
    return out


@transaction.atomic
def load_geography(
    actor: Actor = None, *, force_areas: Iterable[str] | None = None
) -> GeographyReport:
    """Load (or bring up to date) the reference geography, or with `force_areas` the part
    of it in those police force areas (the demo and tests). Idempotent."""
    report = GeographyReport()
    wanted = wanted_places(force_areas)
    places = _upsert_places(wanted, report)
    _set_parents(wanted, places)
    _set_members(wanted, places)
    _set_aliases(wanted, places)
    report.populations = _set_populations(wanted, places)
    report.places = len(places)
    if report.created or report.updated or report.populations:
        anchor = places[(wanted[0].kind, wanted[0].code)]
        record_event(
            actor,
            "geography",
            anchor,
            f"Reference geography of England and Wales loaded: {report.created:,} places "
            f"created, {report.updated:,} updated, {report.populations:,} population figures",
        )
    return report


def _key(kind: str, code: str) -> tuple[str, str]:
    return (str(kind), code)


def _upsert_places(wanted: list[Wanted], report: GeographyReport) -> dict[tuple[str, str], Place]:
    existing: dict[tuple[str, str], Place] = {}
    slugs: set[str] = set()
    for p in Place.objects.all():
        slugs.add(p.slug)
        if p.code:
            existing[_key(p.kind, p.code)] = p
    new, changed = [], []
    for w in wanted:
        place = existing.get(_key(w.kind, w.code))
        values: dict[str, Any] = {"name": w.name, **w.fields}
        if place is None:
            slug = w.slug if w.slug not in slugs else f"{w.slug}-{w.code.lower()}"
            slugs.add(slug)
            place = Place(kind=w.kind, slug=slug, **values)
            existing[_key(w.kind, w.code)] = place
            new.append(place)
            continue
        diff = [k for k, v in values.items() if getattr(place, k) != v]
        if diff:
            for k in diff:
                setattr(place, k, values[k])
            changed.append(place)
    Place.objects.bulk_create(new, batch_size=BATCH)
    fields = sorted({k for w in wanted for k in ("name", *w.fields)})
    Place.objects.bulk_update(changed, fields, batch_size=BATCH)
    report.created, report.updated = len(new), len(changed)
    if new and new[0].pk is None:  # backends that do not return keys from bulk_create
        by_slug = {p.slug: p for p in Place.objects.filter(slug__in=[p.slug for p in new])}
        for p in new:
            p.pk = by_slug[p.slug].pk
    return {_key(w.kind, w.code): existing[_key(w.kind, w.code)] for w in wanted}


def _set_parents(wanted: list[Wanted], places: dict[tuple[str, str], Place]) -> None:
    """Fill in parents that are missing (a partnership's own arrangement is kept)."""
    orphans = []
    for w in wanted:
        place = places[_key(w.kind, w.code)]
        if w.parent and place.parent_id is None:
            parent = places.get(_key(*w.parent))
            if parent is not None and parent.pk != place.pk:
                place.parent = parent
                orphans.append(place)
    Place.objects.bulk_update(orphans, ["parent"], batch_size=BATCH)


def _set_members(wanted: list[Wanted], places: dict[tuple[str, str], Place]) -> None:
    through = Place.members.through
    want: set[tuple[int, int]] = set()
    owners = []
    for w in wanted:
        if not w.members:
            continue
        owner = places[_key(w.kind, w.code)]
        owners.append(owner.pk)
        for code in w.members:
            want.add((owner.pk, places[_key(PlaceKind.DISTRICT, code)].pk))
    have = set(
        through.objects.filter(from_place_id__in=owners).values_list("from_place_id", "to_place_id")
    )
    stale = have - want
    if stale:
        for owner_id, member_id in stale:
            through.objects.filter(from_place_id=owner_id, to_place_id=member_id).delete()
    through.objects.bulk_create(
        [through(from_place_id=a, to_place_id=b) for a, b in sorted(want - have)],
        batch_size=BATCH,
    )


def _set_aliases(wanted: list[Wanted], places: dict[tuple[str, str], Place]) -> None:
    have: dict[int, dict[str, tuple[str, str, int]]] = defaultdict(dict)
    for pk, place_id, key, kind, text in PlaceAlias.objects.values_list(
        "pk", "place_id", "key", "kind", "text"
    ):
        have[place_id][key] = (kind, text, pk)
    stale, new = [], []
    for w in wanted:
        place = places[_key(w.kind, w.code)]
        old = have.get(place.pk, {})
        former = {kind_text[1] for kind_text in old.values() if kind_text[0] == AliasKind.FORMER}
        target = aliases_for(
            place, former_codes=sorted(former | set(w.former)), other_names=w.other_names
        )
        for key, (kind, text, pk) in old.items():
            if target.get(key) != (kind, text) and kind != AliasKind.OTHER:
                stale.append(pk)
        for key, (kind, text) in target.items():
            if key not in old or old[key][:2] != (kind, text):
                new.append(PlaceAlias(place=place, key=key, kind=kind, text=text))
    PlaceAlias.objects.filter(pk__in=stale).delete()
    PlaceAlias.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)


def _set_populations(wanted: list[Wanted], places: dict[tuple[str, str], Place]) -> int:
    have = {
        (place_id, year): (pk, n)
        for pk, place_id, year, n in PlacePopulation.objects.values_list(
            "pk", "place_id", "year", "population"
        )
    }
    new, changed = [], []
    for w in wanted:
        place = places[_key(w.kind, w.code)]
        for year, n in w.populations.items():
            found = have.get((place.pk, year))
            if found is None:
                new.append(PlacePopulation(place=place, year=year, population=n, source=SOURCE))
            elif found[1] != n:
                changed.append(PlacePopulation(pk=found[0], population=n, source=SOURCE))
    PlacePopulation.objects.bulk_create(new, batch_size=BATCH)
    PlacePopulation.objects.bulk_update(changed, ["population", "source"], batch_size=BATCH)
    return len(new) + len(changed)


__all__ = ["GeographyReport", "load_geography", "lookup_key", "wanted_places"]
