"""Windows of the year for a place: which window a name means (the catalogue, the
place's Freshers' week, the partnership's own windows, a window written on the spot),
what "category" means, and the answer the CLI and the dashboard show.

Settings (see ``settings.py``): ``SEASONS_FRESHERS_WEEKS`` ("west-lancashire=09-15:7"),
``SEASONS_WINDOWS`` ("half-term=10-24..11-01"), ``SEASONS_DIWALI_DATES`` ("2025=10-18").
A value that cannot be read is refused with the variable named.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.store import incident_store
from saferplaces.insight.schema import CATEGORIES
from saferplaces.insight.seasons import DayWindow, MonthWindow
from saferplaces.insight.windows import (
    DELIBERATE,
    FRESHERS,
    MOTIVE_NOT_RECORDED,
    NAMED,
    DatedWindow,
    WindowCount,
    WindowError,
    YearComparison,
    compare_years,
    count_month_window,
    count_window,
    datasets,
    diwali,
    motive_recorded,
    parse_freshers,
    parse_window,
)
from saferplaces.partnership.models import Place

SOURCE_NAMES = {
    "police_uk": "police.uk street-level crime and anti-social behaviour",
    "lfb": "London Fire Brigade incident records",
}
"""Names for the ``Source:`` line (others are shown as their key)."""
DELIBERATE_NAME = "deliberate"
DELIBERATE_NAMES = frozenset({DELIBERATE_NAME, "deliberate-fires", "asb-fires"})
"""What ``--category`` accepts for deliberate primary and secondary fires (the ASB-fire
indicator, ``deliberate-fires`` among the indicators)."""


def _pairs(variable: str, values: Sequence[str]) -> list[tuple[str, str]]:
    out = []
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{variable}: {item!r} is not name=value")
        out.append((key.strip(), value.strip()))
    return out


def freshers_weeks() -> dict[str, DayWindow]:
    """place slug or code → its Freshers' week (``SEASONS_FRESHERS_WEEKS``)."""
    out = {}
    for key, value in _pairs("SAFERPLACES_FRESHERS_WEEKS", settings.SEASONS_FRESHERS_WEEKS):
        try:
            out[key.casefold()] = parse_freshers(value)
        except WindowError as exc:
            raise ImproperlyConfigured(f"SAFERPLACES_FRESHERS_WEEKS: {exc}") from None
    return out


def own_windows() -> dict[str, DayWindow | MonthWindow]:
    """The partnership's named windows (``SEASONS_WINDOWS``)."""
    out = {}
    for key, value in _pairs("SAFERPLACES_SEASON_WINDOWS", settings.SEASONS_WINDOWS):
        name = key.casefold()
        if name in NAMED or name == FRESHERS:
            raise ImproperlyConfigured(
                f"SAFERPLACES_SEASON_WINDOWS: {key!r} is already a window's name"
            )
        try:
            out[name] = parse_window(value, name=key)
        except WindowError as exc:
            raise ImproperlyConfigured(f"SAFERPLACES_SEASON_WINDOWS: {exc}") from None
    return out


def diwali_window() -> DatedWindow:
    """Diwali from the shipped table and ``SEASONS_DIWALI_DATES``."""
    extra = {}
    for key, value in _pairs("SAFERPLACES_DIWALI_DATES", settings.SEASONS_DIWALI_DATES):
        try:
            first = date.fromisoformat(f"{int(key):04d}-{value}")
        except ValueError:
            raise ImproperlyConfigured(
                f"SAFERPLACES_DIWALI_DATES: {key}={value} is not YEAR=MM-DD"
            ) from None
        extra[first.year] = first
    return diwali(extra)


def window_names() -> list[str]:
    """Every window name a user may give (besides one written as MM-DD..MM-DD)."""
    return [*NAMED, FRESHERS, *own_windows()]


def resolve_window(text: str, place: Place) -> DayWindow | DatedWindow | MonthWindow:
    """The window ``text`` names for ``place``; WindowError says what names exist."""
    name = text.strip().casefold()
    if name == "diwali":
        return diwali_window()
    if name in NAMED:
        return NAMED[name]
    if name == FRESHERS:
        weeks = freshers_weeks()
        keys = [k.casefold() for k in (place.slug, place.code, place.lad_code) if k]
        for k in keys:
            if k in weeks:
                return weeks[k]
        raise WindowError(
            f"no Freshers' week set for {place.name}: universities set their own dates, so "
            f"set SAFERPLACES_FRESHERS_WEEKS={place.slug}=MM-DD:DAYS (e.g. 09-15:7)"
        )
    own = own_windows()
    if name in own:
        return own[name]
    return parse_window(text)


def categories_from(text: str | None) -> list[str] | None:
    """``--category``: category slugs separated by commas, or ``deliberate`` (deliberate
    primary and secondary fires); None (every incident) when not given."""
    if not text:
        return None
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.casefold() in DELIBERATE_NAMES:
            out.extend(DELIBERATE)
        elif part in CATEGORIES:
            out.append(part)
        else:
            found = CATEGORIES.by_label(part)
            if found is None:
                raise WindowError(
                    f"unknown category {part!r}: use a category slug (such as "
                    f"criminal-damage-and-arson or outdoor-fire) or {DELIBERATE_NAME!r}"
                )
            out.append(found.slug)
    return list(dict.fromkeys(out)) or None


@dataclass
class SeasonsAnswer:
    """A window for a place over every year held, with this year against those before."""

    place: str
    window: str
    categories: list[str] | None
    count: WindowCount
    comparison: YearComparison
    notes: list[str] = field(default_factory=list)

    @property
    def source_line(self) -> str:
        d = self.count.dataset
        if d is None:
            return "Source: none"
        name = SOURCE_NAMES.get(d.source, d.source)
        held = (
            f", dated incidents from {d.first.day} {d.first:%B %Y} to {d.last.day} {d.last:%B %Y}"
            if d.first and d.last
            else ", month-level"
        )
        return f"Source: {name} ({d.key}{held})."

    @property
    def motive_recorded(self) -> bool | None:
        return motive_recorded(self.count.dataset) if self.count.dataset else None

    def rows(self) -> list[dict[str, Any]]:
        """One object per year (JSON and CSV)."""
        d = self.count.dataset
        out = []
        for y in self.count.years:
            row = y.as_dict()
            row.update(
                place=self.place,
                categories=self.categories,
                dataset=d.key if d else None,
                resolution=self.count.resolution,
                motive="not recorded" if self.motive_recorded is False else None,
                comparison=self.comparison.as_dict() if y.year == self.comparison.year else None,
            )
            out.append(row)
        return out

    def chart(self) -> dict[str, Any]:
        """What a dashboard chart needs: the window year by year (counts, complete or
        not), the nights of the latest year, the verdict, the notes and the source."""
        years = self.count.years
        latest = years[-1] if years else None
        return {
            "place": self.place,
            "window": self.window,
            "years": [
                {"year": y.year, "count": y.count, "complete": y.complete,
                 "average_night": y.average_night}
                for y in years
            ],
            "nights": [n.as_dict() for n in latest.nights] if latest else [],
            "comparison": self.comparison.as_dict(),
            "notes": self.notes,
            "source": self.source_line,
        }  # fmt: skip


def seasons(
    scope: PlaceScope,
    window_text: str,
    *,
    category: str | None = None,
    dataset: str | None = None,
    year: int | None = None,
) -> SeasonsAnswer:
    """The window ``window_text`` for a place (cached until the store changes).

    Raises WindowError with what to do (a day window over month-level data, a category
    no dataset holds, deliberate fires from an export without motive)."""
    store = incident_store()
    key = "seasons:" + hashlib.sha256(
        "|".join([store.fingerprint, str(scope.place.pk), window_text, category or "",
                  dataset or "", str(year), repr(settings.SEASONS_FRESHERS_WEEKS),
                  repr(settings.SEASONS_WINDOWS), repr(settings.SEASONS_DIWALI_DATES)]).encode()
    ).hexdigest()  # fmt: skip
    found: SeasonsAnswer | None = cache.get(key)
    if found is None:
        found = _compute(scope, window_text, category=category, dataset=dataset, year=year)
        cache.set(key, found, timeout=3600)
    return found


def _compute(
    scope: PlaceScope,
    window_text: str,
    *,
    category: str | None,
    dataset: str | None,
    year: int | None,
) -> SeasonsAnswer:
    store = incident_store()
    window = resolve_window(window_text, scope.place)
    categories = categories_from(category)
    if categories is not None and set(categories) & set(DELIBERATE):
        _refuse_without_motive(scope, dataset)
    if isinstance(window, MonthWindow):
        counted = count_month_window(store, window, districts=scope.districts,
                                     categories=categories, dataset=dataset)  # fmt: skip
    else:
        counted = count_window(store, window, districts=scope.districts,
                               categories=categories, dataset=dataset)  # fmt: skip
    if not counted.years:
        raise WindowError(f"no year of {window.name} is held for {scope.name}")
    comparison = compare_years(counted.years, year)
    notes = list(counted.notes)
    if comparison.reason:
        notes.append(f"No verdict for {comparison.year}: {comparison.reason}.")
    if isinstance(window, DatedWindow):
        notes.append(f"{window.name} dates: {window.source}.")
    return SeasonsAnswer(scope.name, window.name, categories, counted, comparison, notes)


def _refuse_without_motive(scope: PlaceScope, dataset: str | None) -> None:
    """Deliberate fires asked of a place whose fire data records no motive: say so."""
    held = [d for d in datasets(incident_store(), scope.districts)
            if dataset in (None, d.key)]  # fmt: skip
    fire = [d for d in held if motive_recorded(d) is not None]
    if fire and not any(motive_recorded(d) for d in fire):
        raise WindowError(
            " ".join(MOTIVE_NOT_RECORDED.format(name=d.key) for d in fire)
            + " Count all its fires (no --category) or a kind of fire (such as outdoor-fire)."
        )
