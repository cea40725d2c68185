"""Canonical incident columns and the category taxonomy.

Every source reader produces rows in :data:`INCIDENT_SCHEMA`; every query in
``saferplaces.insight`` is written against these column names only.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

INCIDENT_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("id", pa.string()),  # the source's own id; NULL where it gives none
        pa.field("month", pa.date32(), nullable=False),
        pa.field("occurred_at", pa.timestamp("us")),
        pa.field("category", pa.string(), nullable=False),
        pa.field("lat", pa.float64()),
        pa.field("lon", pa.float64()),
        pa.field("lsoa", pa.string()),
        pa.field("district", pa.string()),
        pa.field("outcome", pa.string()),
        pa.field("flags", pa.list_(pa.string())),
    ]
)
"""The canonical Arrow schema of one incident row."""

INCIDENT_COLUMNS: tuple[str, ...] = tuple(INCIDENT_SCHEMA.names)

DUCKDB_TYPES: dict[str, str] = {
    "source": "VARCHAR",
    "dataset": "VARCHAR",
    "id": "VARCHAR",
    "month": "DATE",
    "occurred_at": "TIMESTAMP",
    "category": "VARCHAR",
    "lat": "DOUBLE",
    "lon": "DOUBLE",
    "lsoa": "VARCHAR",
    "district": "VARCHAR",
    "outcome": "VARCHAR",
    "flags": "VARCHAR[]",
}
"""The same columns as DuckDB SQL types (used when writing partitions)."""


@dataclass(frozen=True)
class Category:
    """One incident category: a stable slug, a label and the family it belongs to."""

    slug: str
    label: str
    family: str = "crime"
    legacy: bool = False


class CategoryRegistry:
    """An extensible registry of categories, looked up by slug or by label."""

    def __init__(self) -> None:
        self._by_slug: dict[str, Category] = {}
        self._by_label: dict[str, Category] = {}

    def register(self, category: Category) -> Category:
        """Add ``category`` (or return the identical one already registered)."""
        existing = self._by_slug.get(category.slug)
        if existing is not None and existing != category:
            raise ValueError(f"category slug {category.slug!r} already registered differently")
        self._by_slug[category.slug] = category
        self._by_label[category.label.casefold()] = category
        return category

    def get(self, slug: str) -> Category:
        """The category with ``slug``; ``KeyError`` when unknown."""
        return self._by_slug[slug]

    def by_label(self, label: str) -> Category | None:
        """The category whose label matches ``label`` (case-insensitive), if any."""
        return self._by_label.get(label.strip().casefold())

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def __iter__(self) -> Iterator[Category]:
        return iter(self._by_slug.values())

    def __len__(self) -> int:
        return len(self._by_slug)

    def slugs(self) -> list[str]:
        """All registered slugs, in registration order."""
        return list(self._by_slug)


def slugify(text: str) -> str:
    """``"Criminal damage and arson"`` → ``"criminal-damage-and-arson"``."""
    text = text.strip().lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


POLICE_UK_LABELS: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
    "Other crime",
)
"""The 14 current police.uk crime types."""

POLICE_UK_LEGACY_LABELS: tuple[str, ...] = ("Violent crime", "Public disorder and weapons")
"""Crime types police.uk used before May 2013 (retired names; see :data:`SERIES_BREAKS`)."""

FIRE_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("deliberate-primary-fire", "Deliberate primary fire"),
    ("deliberate-secondary-fire", "Deliberate secondary fire"),
    ("accidental-dwelling-fire", "Accidental dwelling fire"),
    ("dwelling-fire", "Dwelling fire (motive not recorded)"),
    ("outdoor-fire", "Outdoor fire (motive not recorded)"),
    ("vehicle-fire", "Vehicle fire (motive not recorded)"),
    ("other-fire", "Other fire"),
)

CATEGORIES = CategoryRegistry()
"""The registry every reader and indicator uses; add your own with ``register``."""

for _label in POLICE_UK_LABELS:
    CATEGORIES.register(
        Category(
            slugify(_label), _label, family="asb" if _label == "Anti-social behaviour" else "crime"
        )
    )
for _label in POLICE_UK_LEGACY_LABELS:
    CATEGORIES.register(Category(slugify(_label), _label, family="crime", legacy=True))
for _slug, _label in FIRE_CATEGORIES:
    CATEGORIES.register(Category(_slug, _label, family="fire"))

ASB = "anti-social-behaviour"
"""Slug of police.uk anti-social behaviour."""


LEGACY_INTO: dict[str, str] = {"violent-crime": "violence-and-sexual-offences"}
"""A retired police.uk category and the one category of today's list it became (with a
series break: see :data:`SERIES_BREAKS`). "Public disorder and weapons" is not here: it
split into two and cannot be put back into either."""


@dataclass(frozen=True)
class SeriesBreak:
    """A month from which police.uk counted some crimes under other categories.

    The crimes of ``before`` (categories used up to the month before ``month``) are
    the crimes of ``after`` (categories used from ``month``). A count that takes some
    but not all of either side (one part of a split) is not comparable across the
    break; one that takes all of both, or none, is.
    """

    month: date
    before: frozenset[str]
    after: frozenset[str]
    note: str

    def splits(self, categories: Collection[str]) -> bool:
        """Whether counting ``categories`` cuts through this break."""
        s = set(categories)
        return any(0 < len(side & s) < len(side) for side in (self.before, self.after))


SERIES_BREAKS: tuple[SeriesBreak, ...] = (
    SeriesBreak(
        date(2011, 9, 1),
        frozenset({"other-crime"}),
        frozenset({"other-crime", "criminal-damage-and-arson", "drugs", "other-theft",
                   "public-disorder-and-weapons", "shoplifting"}),
        "From September 2011 police.uk split criminal damage and arson, drugs, other theft, "
        "public disorder and weapons, and shoplifting out of Other crime.",
    ),
    SeriesBreak(
        date(2013, 5, 1),
        frozenset({"violent-crime", "other-crime"}),
        frozenset({"violence-and-sexual-offences", "other-crime"}),
        "From May 2013 police.uk counts sexual offences (before: in Other crime) with "
        "violence, as Violence and sexual offences (before: Violent crime).",
    ),
    SeriesBreak(
        date(2013, 5, 1),
        frozenset({"public-disorder-and-weapons"}),
        frozenset({"public-order", "possession-of-weapons"}),
        "From May 2013 police.uk splits Public disorder and weapons into Public order and "
        "Possession of weapons; earlier months cannot be split.",
    ),
    SeriesBreak(
        date(2013, 5, 1),
        frozenset({"other-theft"}),
        frozenset({"other-theft", "bicycle-theft", "theft-from-the-person"}),
        "From May 2013 police.uk splits Bicycle theft and Theft from the person out of "
        "Other theft; earlier months cannot be split.",
    ),
)  # fmt: skip
"""Changes to police.uk's category list over its history (published from December 2010)."""


def breaks_cut(categories: Collection[str]) -> list[SeriesBreak]:
    """The series breaks that counting ``categories`` cuts through, oldest first."""
    return [b for b in SERIES_BREAKS if b.splits(categories)]


def comparable_from(categories: Collection[str]) -> SeriesBreak | None:
    """The latest break that ``categories`` cut through: months before its ``month`` do
    not count the same crimes as today's list and are not compared (``None``: the
    series is whole)."""
    cut = breaks_cut(categories)
    return cut[-1] if cut else None


def current_police_categories() -> list[str]:
    """Today's police.uk categories (slugs), in the published order."""
    return [slugify(label) for label in POLICE_UK_LABELS]


def police_uk_label_to_slug() -> dict[str, str]:
    """Map every police.uk crime type label (current and legacy) to its slug."""
    return {label: slugify(label) for label in POLICE_UK_LABELS + POLICE_UK_LEGACY_LABELS}
