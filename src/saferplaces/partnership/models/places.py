"""Places: county → area → district (the CSP area) → LSOA, with ONS codes and population."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from saferplaces.partnership.models.groups import Group

CODE_FIELDS = ("lad_code", "csp_code", "lsoa_code", "county_code", "pfa_code", "fra_code")
"""ONS code fields in the order a lookup tries them: the most specific first."""


class PlaceKind(models.TextChoices):
    COUNTY = "county", "County"
    AREA = "area", "Area"
    DISTRICT = "district", "District (CSP area)"
    LSOA = "lsoa", "Lower layer super output area"


KIND_DEPTH = {PlaceKind.COUNTY: 0, PlaceKind.AREA: 1, PlaceKind.DISTRICT: 2, PlaceKind.LSOA: 3}
"""The parent of a place must be of a lower depth (a district's parent is an area or county)."""


class PlaceQuerySet(models.QuerySet["Place"]):
    def of_kind(self, kind: str) -> PlaceQuerySet:
        return self.filter(kind=kind)

    def by_name_or_code(self, value: str) -> Place:
        """The one place called `value` (any case), or with that slug or ONS code.

        A code shared by several places (a police force area covers every district in
        it) resolves to the widest of them, e.g. E23000003 → Lancashire.
        """
        needle = value.strip()
        if not needle:
            raise Place.DoesNotExist("No place given: enter a place name or an ONS code")
        for lookup in [Q(name__iexact=needle), Q(slug=needle.lower())] + [
            Q(**{f"{field}__iexact": needle}) for field in CODE_FIELDS
        ]:
            matches = list(self.filter(lookup))
            if len(matches) == 1:
                return matches[0]
            if matches:
                shallowest = min(KIND_DEPTH[PlaceKind(p.kind)] for p in matches)
                widest = [p for p in matches if KIND_DEPTH[PlaceKind(p.kind)] == shallowest]
                if len(widest) == 1:
                    return widest[0]
                names = ", ".join(sorted(p.name for p in widest))
                raise Place.MultipleObjectsReturned(
                    f"{needle!r} matches several places ({names}): use an ONS LAD or CSP code"
                )
        raise Place.DoesNotExist(
            f"No place is called {needle!r} or has that ONS code "
            "(try a district name such as 'West Lancashire' or a code such as E07000127)"
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
    pfa_name = models.CharField("Police force area", max_length=80, blank=True)
    fra_name = models.CharField("Fire and rescue authority", max_length=80, blank=True)

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
    def codes(self) -> list[tuple[str, str]]:
        """(label, code) for each code this place has, for summary lists."""
        labels = {
            "lad_code": "Local authority district (LAD)",
            "csp_code": "Community Safety Partnership (CSP)",
            "lsoa_code": "LSOA",
            "county_code": "County council",
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
