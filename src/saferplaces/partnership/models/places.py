"""Places: the reference geography of England and Wales (regions, police force and fire
and rescue areas, counties, community safety partnerships, districts, LSOAs) and the
partnership's own areas, with ONS codes and population.

A place answers to its name (case and punctuation ignored) and to its ONS codes,
including codes it had before boundary changes (Northumberland's E06000048 is today's
E06000057); both go through :class:`PlaceAlias`. A place above districts covers the
districts in ``members`` (or, when it has none, the districts below it).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from saferplaces.partnership.models.groups import Group

CODE_FIELDS = (
    "lad_code",
    "csp_code",
    "lsoa_code",
    "county_code",
    "pfa_code",
    "fra_code",
    "region_code",
)
"""ONS code fields in the order a lookup tries them: the most specific first."""


class PlaceKind(models.TextChoices):
    REGION = "region", "Region"
    FORCE = "force", "Police force area"
    FIRE = "fire", "Fire and rescue authority area"
    COUNTY = "county", "County"
    CSP = "csp", "Community safety partnership area"
    AREA = "area", "Area"
    DISTRICT = "district", "District (CSP area)"
    LSOA = "lsoa", "Lower layer super output area"


KIND_DEPTH = {
    PlaceKind.REGION: 0,
    PlaceKind.FORCE: 1,
    PlaceKind.FIRE: 1,
    PlaceKind.COUNTY: 2,
    PlaceKind.CSP: 3,
    PlaceKind.AREA: 3,
    PlaceKind.DISTRICT: 4,
    PlaceKind.LSOA: 5,
}
"""Wider places first: a name or code shared by places of different depths means the
widest of them."""


KIND_NOUN = {
    PlaceKind.REGION: "region",
    PlaceKind.FORCE: "police force area",
    PlaceKind.FIRE: "fire and rescue area",
    PlaceKind.COUNTY: "county",
    PlaceKind.CSP: "community safety partnership",
    PlaceKind.AREA: "area",
    PlaceKind.DISTRICT: "district",
    PlaceKind.LSOA: "LSOA",
}


def lookup_key(text: str) -> str:
    """A name or code as lookups compare it: case, accents, punctuation and spaces
    ignored, "&" read as "and" ("Kingston upon Hull, City of" → "kingstonuponhullcityof")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    folded = folded.casefold().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "", folded)


class AliasKind(models.TextChoices):
    NAME = "name", "Name"
    CODE = "code", "ONS code"
    FORMER = "former", "Former ONS code"
    OTHER = "other", "Other name"


OWN_CODE = {
    PlaceKind.REGION: "region_code",
    PlaceKind.FORCE: "pfa_code",
    PlaceKind.FIRE: "fra_code",
    PlaceKind.COUNTY: "county_code",
    PlaceKind.CSP: "csp_code",
    PlaceKind.DISTRICT: "lad_code",
    PlaceKind.LSOA: "lsoa_code",
}
"""The code field that names a place of each kind (areas have none)."""


class PlaceQuerySet(models.QuerySet["Place"]):
    def of_kind(self, kind: str) -> PlaceQuerySet:
        return self.filter(kind=kind)

    def by_name_or_code(self, value: str) -> Place:
        """The one place called `value` or with that ONS code (current or former) or slug.

        Case and punctuation are ignored. A code held by several places (a police force
        area's code is on each of its districts) means the widest of them; a name shared
        by several places lists them so that one can be chosen by its code.
        """
        needle = value.strip()
        if not needle:
            raise Place.DoesNotExist("No place given: enter a place name or an ONS code")
        key = lookup_key(needle)
        is_code = bool(ONS_CODE.fullmatch(needle.upper()))
        for matches in (
            list(self.filter(aliases__key=key, aliases__kind__in=CURRENT).distinct()),
            list(self.filter(slug=needle.lower())),
            list(self.filter(aliases__key=key, aliases__kind__in=EARLIER).distinct()),
            list(self.filter(_any_code(needle))) if is_code else [],
        ):
            if len(matches) == 1:
                return matches[0]
            if matches and is_code:
                return _widest(needle, matches)
            if matches:
                names = "; ".join(sorted(p.label for p in matches))
                raise Place.MultipleObjectsReturned(
                    f"{needle!r} matches several places ({names}): give its ONS code"
                )
        raise Place.DoesNotExist(
            f"No place is called {needle!r} or has that ONS code "
            "(try a district name such as 'Newcastle upon Tyne' or a code such as E08000021)"
        )


ONS_CODE = re.compile(r"[EW]\d{8}")
CURRENT = ("name", "code")
"""Aliases that are a place's own name and code, preferred to former ones."""
EARLIER = ("former", "other")


def _any_code(code: str) -> Q:
    query = Q()
    for field in CODE_FIELDS:
        query |= Q(**{f"{field}__iexact": code})
    return query


def _widest(needle: str, matches: list[Place]) -> Place:
    shallowest = min(KIND_DEPTH[PlaceKind(p.kind)] for p in matches)
    widest = [p for p in matches if KIND_DEPTH[PlaceKind(p.kind)] == shallowest]
    if len(widest) == 1:
        return widest[0]
    names = "; ".join(sorted(p.label for p in widest))
    raise Place.MultipleObjectsReturned(
        f"{needle!r} matches several places ({names}): give its ONS code"
    )


class Place(models.Model):
    kind = models.CharField(max_length=10, choices=PlaceKind.choices)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    lad_code = models.CharField("LAD code", max_length=9, blank=True, help_text="E07…/E06…")
    csp_code = models.CharField("CSP code", max_length=9, blank=True, help_text="E22…")
    pfa_code = models.CharField("Police force area code", max_length=9, blank=True)
    fra_code = models.CharField("Fire and rescue authority code", max_length=9, blank=True)
    county_code = models.CharField("County code", max_length=9, blank=True, help_text="E10…")
    lsoa_code = models.CharField("LSOA code", max_length=9, blank=True)
    region_code = models.CharField("Region code", max_length=9, blank=True, help_text="E12…")
    pfa_name = models.CharField("Police force area", max_length=80, blank=True)
    fra_name = models.CharField("Fire and rescue authority", max_length=80, blank=True)
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="member_of",
        limit_choices_to={"kind": "district"},
        help_text="The districts this place covers (for places above districts).",
    )

    objects: ClassVar[PlaceQuerySet] = PlaceQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lad_code"], condition=~Q(lad_code=""), name="place_unique_lad_code"
            ),
            models.UniqueConstraint(
                fields=["csp_code"], condition=~Q(csp_code=""), name="place_unique_csp_code"
            ),
            models.UniqueConstraint(
                fields=["lsoa_code"], condition=~Q(lsoa_code=""), name="place_unique_lsoa_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """The place's own ONS code (for a district its LAD code)."""
        field = OWN_CODE.get(PlaceKind(self.kind))
        return getattr(self, field) if field else ""

    @property
    def what(self) -> str:
        """``"police force area, E23000003"``: what kind of place, and its code."""
        bits = [KIND_NOUN.get(PlaceKind(self.kind), "place")] + ([self.code] if self.code else [])
        return ", ".join(bits)

    @property
    def label(self) -> str:
        """``"Lancashire (police force area, E23000003)"``: a name that says what it is."""
        return f"{self.name} ({self.what})"

    @property
    def codes(self) -> list[tuple[str, str]]:
        """(label, code) for each code this place has, for summary lists."""
        labels = {
            "lad_code": "Local authority district (LAD)",
            "csp_code": "Community Safety Partnership (CSP)",
            "lsoa_code": "LSOA",
            "county_code": "County council",
            "region_code": "Region",
            "pfa_code": "Police force area (PFA)",
            "fra_code": "Fire and rescue authority (FRA)",
        }
        return [(labels[f], getattr(self, f)) for f in CODE_FIELDS if getattr(self, f)]

    def ancestors(self) -> list[Place]:
        """From the top of the hierarchy down to this place's parent."""
        chain: list[Place] = []
        node = self.parent
        while node is not None and node not in chain:
            chain.insert(0, node)
            node = node.parent
        return chain

    def descendant_ids(self) -> set[int]:
        """This place and every place below it."""
        ids = {self.pk}
        frontier = {self.pk}
        while frontier:
            frontier = (
                set(Place.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
            )
            ids |= frontier
        return ids

    def latest_population(self) -> PlacePopulation | None:
        return self.populations.order_by("-year").first()

    def groups_here(self) -> models.QuerySet[Group]:
        return self.groups.order_by("name")


class PlacePopulation(models.Model):
    """Mid-year resident population of a place in a year."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["place", "year"]
        constraints = [
            models.UniqueConstraint(fields=["place", "year"], name="population_place_year")
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.year}: {self.population:,}"


class PlaceAlias(models.Model):
    """A name or code a place answers to, as :func:`lookup_key` compares it."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="aliases")
    key = models.CharField(max_length=160, db_index=True)
    kind = models.CharField(max_length=10, choices=AliasKind.choices)
    text = models.CharField(max_length=160, help_text="As written, e.g. E06000048")

    class Meta:
        ordering = ["place", "kind", "key"]
        constraints = [models.UniqueConstraint(fields=["place", "key"], name="alias_once")]

    def __str__(self) -> str:
        return f"{self.text} → {self.place}"
