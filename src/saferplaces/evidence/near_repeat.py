"""Near repeats for a place: the dated, located incidents of one category and period
from the incident store, through the Knox test of :mod:`saferplaces.insight.near_repeat`.

One dataset is tested, never two added together (two exports can hold the same
incident, which would make false same-place, same-day pairs): the day-level dataset of
the place holding most incidents of the category in the period, or ``dataset``.
Month-level data (police.uk) is refused with the reason: it records only the month of
each crime, and moves each to a nearby map point.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.core.cache import cache

from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.seasons import SOURCE_NAMES, categories_from
from saferplaces.evidence.store import incident_store
from saferplaces.insight.near_repeat import (
    DEFAULT_PERMUTATIONS,
    DEFAULT_SEED,
    Bands,
    KnoxResult,
    NearRepeatRefused,
    knox,
)
from saferplaces.insight.query import backend_of
from saferplaces.insight.schema import CATEGORIES
from saferplaces.insight.windows import Dataset, WindowError, datasets

POLICE_UK_REFUSAL = (
    "{names} records only the month of each crime (police.uk publishes the month, not "
    "the date, and moves each crime to a nearby map point), so the days between two "
    "crimes cannot be measured and the Knox test cannot be run. It needs each incident's "
    "own date: import a dated export (a police incident export or fire service records)."
)


def noun(categories: list[str] | None) -> str:
    """One incident of ``categories``, in words ("burglary", "dwelling fire")."""
    if not categories or len(categories) > 1:
        return "incident"
    label = CATEGORIES.get(categories[0]).label
    return re.sub(r"\s*\(.*?\)", "", label).strip().lower()


@dataclass
class NearRepeatAnswer:
    """The Knox test of a place's incidents of a category over a period."""

    place: str
    categories: list[str]
    dataset: Dataset
    first: date
    last: date
    result: KnoxResult
    unlocated: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def source_line(self) -> str:
        d = self.dataset
        name = SOURCE_NAMES.get(d.source, d.source)
        return (
            f"Source: {name} ({d.key}), {self.result.events:,} dated, located incidents "
            f"from {self.first:%d %B %Y} to {self.last:%d %B %Y}."
        )

    def as_dict(self) -> dict[str, Any]:
        """Everything the CLI's JSON and a dashboard need."""
        return {
            "place": self.place,
            "categories": self.categories,
            "dataset": self.dataset.key,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "unlocated": self.unlocated,
            **self.result.as_dict(),
            "notes": [*self.notes, *self.result.notes],
            "source": self.source_line,
        }


def near_repeats(
    scope: PlaceScope,
    category: str,
    *,
    first: date | None = None,
    last: date | None = None,
    bands: Bands | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    dataset: str | None = None,
) -> NearRepeatAnswer:
    """The Knox test for ``category`` (slugs separated by commas) in a place from
    ``first`` to ``last`` (inclusive; the dataset's whole span when not given), cached
    until the store changes.

    Raises NearRepeatRefused (month-level data, too few incidents) or WindowError (an
    unknown category, a dataset the place does not hold) with what to do."""
    bands = bands or Bands()
    store = incident_store()
    key = "near_repeat:" + hashlib.sha256(
        "|".join(map(str, [store.fingerprint, scope.place.pk, category, first, last, bands,
                           permutations, seed, dataset]))
        .encode()
    ).hexdigest()  # fmt: skip
    found: NearRepeatAnswer | None = cache.get(key)
    if found is None:
        found = _compute(scope, category, first, last, bands, permutations, seed, dataset)
        cache.set(key, found, timeout=3600)
    return found


def _compute(
    scope: PlaceScope,
    category: str,
    first: date | None,
    last: date | None,
    bands: Bands,
    permutations: int,
    seed: int,
    dataset: str | None,
) -> NearRepeatAnswer:
    if first is not None and last is not None and last < first:
        raise WindowError(f"the period ends ({last}) before it starts ({first})")
    categories = categories_from(category)
    if not categories:
        raise WindowError("name a category (such as burglary, vehicle-crime or dwelling-fire)")
    store = incident_store()
    held = [d for d in datasets(store, scope.districts) if d.categories & set(categories)]
    if dataset is not None:
        held = [d for d in held if d.key == dataset]
        if not held:
            raise WindowError(f"{scope.name} has no {', '.join(categories)} in {dataset!r}")
    if not held:
        raise WindowError(f"no {', '.join(categories)} is held for {scope.name}")
    day_level = [d for d in held if d.day_level]
    if not day_level:
        raise NearRepeatRefused(POLICE_UK_REFUSAL.format(names=", ".join(d.key for d in held)))
    counts = {d.key: _count(d, scope, categories, first, last) for d in day_level}
    chosen = max(day_level, key=lambda d: (counts[d.key], d.key))
    assert chosen.first is not None and chosen.last is not None
    start, end = first or chosen.first, last or chosen.last
    notes = []
    others = [d.key for d in day_level if d.key != chosen.key and counts[d.key]]
    if others and dataset is None:
        notes.append(
            f"Tested {chosen.key} (the place's day-level data holding most of these "
            f"incidents); {', '.join(others)} not added in: two exports can hold the same "
            "incident."
        )
    month_level = [d.key for d in held if not d.day_level]
    if month_level:
        notes.append(
            "Not used: " + ", ".join(month_level) + " (month-level data records only the "
            "month of each incident, so the days between two cannot be measured)."
        )
    if start < chosen.first or end > chosen.last:
        notes.append(
            f"{chosen.key} holds dated incidents from {chosen.first:%d %B %Y} to "
            f"{chosen.last:%d %B %Y}: only that part of the period asked is tested."
        )
    stamps, lon, lat, unlocated = _rows(chosen, scope, categories, start, end)
    if unlocated:
        notes.append(f"{unlocated:,} incidents without a location are left out.")
    what = noun(categories)
    if len(stamps) < 2:
        raise NearRepeatRefused(
            f"{scope.name}: {len(stamps)} dated, located {what} incidents from {start} to "
            f"{end} in {chosen.key}; the Knox test needs at least two"
        )
    result = knox(stamps, lon=lon, lat=lat, bands=bands, permutations=permutations,
                  seed=seed, what=what)  # fmt: skip
    return NearRepeatAnswer(scope.name, categories, chosen, max(start, chosen.first),
                            min(end, chosen.last), result, unlocated, notes)  # fmt: skip


_WHERE = """source = ? AND dataset = ? AND list_contains(?::VARCHAR[], district)
    AND list_contains(?::VARCHAR[], category) AND occurred_at IS NOT NULL
    AND occurred_at >= ?::TIMESTAMP AND occurred_at < ?::TIMESTAMP"""


def _params(
    d: Dataset, scope: PlaceScope, categories: list[str], first: date | None, last: date | None
) -> list[Any]:
    start = first or date(1, 1, 1)
    end = (last or date(9998, 12, 31)) + timedelta(days=1)
    return [d.source, d.dataset, list(scope.districts), categories, start, end]


def _count(
    d: Dataset, scope: PlaceScope, categories: list[str], first: date | None, last: date | None
) -> int:
    con = backend_of(incident_store()).con
    sql = f"SELECT count(*) FROM incidents WHERE {_WHERE}"  # noqa: S608 - constant SQL
    row = con.execute(sql, _params(d, scope, categories, first, last)).fetchone()
    return int(row[0]) if row else 0


def _rows(
    d: Dataset, scope: PlaceScope, categories: list[str], first: date, last: date
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any], int]:
    """(timestamps, lon, lat, incidents without a location) in a stable order."""
    con = backend_of(incident_store()).con
    sql = (
        f"SELECT occurred_at, lon, lat FROM incidents WHERE {_WHERE} "  # noqa: S608
        "ORDER BY occurred_at, lon, lat"
    )
    rows = con.execute(sql, _params(d, scope, categories, first, last)).fetchall()
    located = [r for r in rows if r[1] is not None and r[2] is not None]
    stamps = np.array([np.datetime64(r[0], "s") for r in located], dtype="datetime64[s]")
    lon = np.array([r[1] for r in located], dtype=float)
    lat = np.array([r[2] for r in located], dtype=float)
    return stamps, lon, lat, len(rows) - len(located)
