"""Everything the dashboard and the board's papers show for one place and period,
computed once from the insight engine and cached until the incident store changes.

Every piece carries its coverage: a figure over some districts or months names them, a
place or year with no data has no figure (None, never 0) and never enters a total, a
mean or a ranking.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache

from saferplaces.evidence.figures import indicator_set, summary
from saferplaces.evidence.scope import PlaceScope, district_codes, district_places, scope_for
from saferplaces.evidence.sources import SourceNote, sources_for
from saferplaces.evidence.store import incident_store
from saferplaces.insight.breakdowns import LsoaFigure, by_category, by_lsoa
from saferplaces.insight.compare import (
    IndicatorResult,
    SeriesPoint,
    held_months,
    monthly_series_all,
    summarise,
)
from saferplaces.insight.coverage import district_coverage, last_month
from saferplaces.insight.geography import district_name
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import Period, add_months, month_start
from saferplaces.insight.seasons import (
    BONFIRE_MONTHS,
    MISCHIEF_NIGHT,
    DayWindow,
    MonthWindow,
    WindowResult,
    window_counts,
)
from saferplaces.partnership.models import Place
from saferplaces.partnership.models.places import PlaceKind

SERIES_MONTHS = 36
"""Monthly trend charts show up to three years ending with the period."""
SEASONAL_INDICATORS = ("anti-social-behaviour", "criminal-damage-and-arson", "deliberate-fires")
NEIGHBOUR_PARENTS = (PlaceKind.AREA, PlaceKind.COUNTY, PlaceKind.CSP)
"""A district is compared with the other districts of its parent of these kinds, or
else with the other districts of its police force area."""


@dataclass(frozen=True)
class DistrictRate:
    """One district beside its neighbours: its own figure (None: no data)."""

    name: str
    slug: str
    code: str
    count: int | None
    population: int | None
    rate_per_1000: float | None
    selected: bool
    reason: str | None = None

    @property
    def held(self) -> bool:
        return self.count is not None


@dataclass(frozen=True)
class Seasonal:
    title: str
    window: str
    indicator: Indicator
    years: list[WindowResult]
    note: str | None


@dataclass
class Performance:
    scope: PlaceScope
    period: Period
    indicators: list[Indicator]
    results: list[IndicatorResult]
    series: dict[str, list[SeriesPoint]]
    seasonal: list[Seasonal]
    categories: list[IndicatorResult]
    lsoas: list[LsoaFigure]
    districts: list[DistrictRate]
    population: int | None
    population_years: tuple[int, ...]
    sources: list[SourceNote]
    quality_notes: list[str] = field(default_factory=list)

    @property
    def headline_indicator(self) -> Indicator:
        return self.indicators[0]

    @property
    def headline(self) -> IndicatorResult:
        return self.results[0]

    @property
    def has_data(self) -> bool:
        return any(r.count is not None or r.previous_count is not None for r in self.results)


def figures_key(kind: str, place: Place, period: Period) -> str:
    """A cache key for figures of `place` in `period` that changes whenever an import
    lands or the partnership's indicators change."""
    indicators = ",".join(f"{i.slug}={sorted(i.spec.items())}" for i in indicator_set())
    parts = [incident_store().fingerprint, str(place.pk), period.label, str(period.start),
             str(period.end), indicators]  # fmt: skip
    return f"{kind}:{hashlib.sha256('|'.join(parts).encode()).hexdigest()}"


def performance(place: Place, period: Period) -> Performance:
    """The cached figures for `place` in `period` (recomputed after every import)."""
    key = figures_key("performance", place, period)
    found: Performance | None = cache.get(key)
    if found is None:
        found = compute_performance(scope_for(place), period)
        cache.set(key, found, timeout=3600)
    return found


@dataclass(frozen=True)
class IndicatorSummary:
    """Every indicator of a place in a period with the notes on where they come from."""

    results: list[IndicatorResult]
    sources: list[SourceNote]


def indicator_summary(place: Place, period: Period) -> IndicatorSummary:
    """The indicators of `place` in `period` (as `saferplaces indicators`), cached until
    an import lands or the indicators change; the dashboard's figures when it has them."""
    shown: Performance | None = cache.get(figures_key("performance", place, period))
    if shown is not None:
        return IndicatorSummary(results=shown.results, sources=shown.sources)
    key = figures_key("indicator-summary", place, period)
    found: IndicatorSummary | None = cache.get(key)
    if found is None:
        scope = scope_for(place)
        found = IndicatorSummary(summary(scope, period), sources_for(scope, period))
        cache.set(key, found, timeout=3600)
    return found


def compute_performance(scope: PlaceScope, period: Period) -> Performance:
    store = incident_store()
    indicators = indicator_set()
    by_slug = {i.slug: i for i in indicators}
    results = summary(scope, period)
    series_start = add_months(period.end, -(SERIES_MONTHS - 1))
    series = monthly_series_all(
        store, districts=scope.districts, indicators=indicators, start=series_start,
        end=period.end,
    )  # fmt: skip
    headline = indicators[0]
    population, years = scope.population(period.start.year)
    return Performance(
        scope=scope,
        period=period,
        indicators=indicators,
        results=results,
        series=series,
        seasonal=_seasonal(scope, period, by_slug),
        categories=by_category(
            store,
            districts=scope.districts,
            place=scope.name,
            indicator=headline,
            period=period,
            population=scope.population_fn(),
        ),
        lsoas=by_lsoa(store, result=results[0], indicator=headline, year=period.start.year),
        districts=_district_rates(scope, period, headline),
        population=population,
        population_years=years,
        sources=sources_for(scope, period),
        quality_notes=_quality_notes(results, population, years, period),
    )


def _seasonal(scope: PlaceScope, period: Period, by_slug: dict[str, Indicator]) -> list[Seasonal]:
    store = incident_store()
    last = last_month(district_coverage(store))
    if last is None:
        return []
    out = []
    for slug in SEASONAL_INDICATORS:
        ind = by_slug.get(slug)
        if ind is None:
            continue
        counted, held = held_months(store, districts=scope.districts, indicator=ind)
        if not held:
            continue
        years = window_years(BONFIRE_MONTHS, held, period)
        rows = window_counts(store, BONFIRE_MONTHS, years=years, indicator=ind,
                             districts=counted, held=held)  # fmt: skip
        if not any(r.count is not None for r in rows):
            continue
        notes = [n for n in (part_note(scope, counted), _gap_note(rows)) if n]
        out.append(Seasonal(f"{ind.name}, October–November", BONFIRE_MONTHS.name, ind, rows,
                            " ".join(notes) or None))  # fmt: skip
    asb = by_slug.get("anti-social-behaviour")
    if asb is not None:
        counted, held = held_months(store, districts=scope.districts, indicator=asb)
        if held:
            years = window_years(MISCHIEF_NIGHT, held, period)
            rows = window_counts(store, MISCHIEF_NIGHT, years=years, indicator=asb,
                                 districts=counted, held=held)  # fmt: skip
            note = (
                "Mischief Night (4 November) needs day-level data, such as a force incident "
                "log or fire service incidents; police.uk records only the month."
                if any(not r.resolution_ok for r in rows)
                else None
            )
            out.append(
                Seasonal(f"{asb.name} on Mischief Night", MISCHIEF_NIGHT.name, asb, rows, note)
            )
    return out


def window_years(window: MonthWindow | DayWindow, held: set[date], period: Period) -> list[int]:
    """The years whose window starts between the first month held and the end of the
    period (and of the data): a window not yet reached is no gap."""
    first, last = min(held), min(max(held), period.end)
    return [
        y
        for y in range(first.year, last.year + 1)
        if month_start(window.bounds(y)[0]) <= last and month_start(window.bounds(y)[1]) >= first
    ]


def part_note(scope: PlaceScope, counted: list[str]) -> str | None:
    """ "Counts West Lancashire only …" when a place's chart counts some of its districts."""
    if not counted or len(counted) == len(scope.districts):
        return None
    names = ", ".join(district_name(c) or c for c in counted)
    return (
        f"Counts {names} only: the districts of {scope.name} with data "
        f"({len(counted)} of {len(scope.districts)}), not {scope.name} as a whole."
    )


def _gap_note(rows: list[WindowResult]) -> str | None:
    missing = [str(r.year) for r in rows if r.count is None]
    if not missing:
        return None
    return "No data held for " + ", ".join(missing) + "; those years are left blank, not zero."


def neighbours(place: Place) -> list[Place]:
    """The districts to show beside a place: its own districts, or for a district the
    other districts of its area or county (or of its police force area)."""
    if place.kind != PlaceKind.DISTRICT:
        return district_places(place)
    parent = place.parent
    if parent is not None and parent.kind in NEIGHBOUR_PARENTS:
        group = list(parent.members.all()) or list(
            Place.objects.filter(parent=parent, kind=PlaceKind.DISTRICT)
        )
        if len(group) > 1:
            return group
    if place.pfa_code:
        return list(Place.objects.filter(kind=PlaceKind.DISTRICT, pfa_code=place.pfa_code))
    return [place]


def _district_rates(scope: PlaceScope, period: Period, indicator: Indicator) -> list[DistrictRate]:
    """The place's districts, or a district's neighbours, by rate per 1,000 (districts
    with no data are kept, with no figure, and ranked last)."""
    out = []
    for p in {d.pk: d for d in neighbours(scope.place) if d.lad_code}.values():
        own = PlaceScope(p, district_codes(p))
        r = summary_for(own, period, indicator)
        out.append(DistrictRate(p.name, p.slug, p.lad_code, r.count, r.population,
                                r.rate_per_1000, p.pk == scope.place.pk, r.reason))  # fmt: skip
    return sorted(out, key=lambda d: (d.rate_per_1000 is None, -(d.rate_per_1000 or 0), d.name))


def summary_for(scope: PlaceScope, period: Period, indicator: Indicator) -> IndicatorResult:
    """One indicator for a place."""
    return summarise(incident_store(), districts=scope.districts, place=scope.name,
                     period=period, indicators=[indicator],
                     population=scope.population_fn())[0]  # fmt: skip


def _quality_notes(
    results: list[IndicatorResult], population: int | None, years: tuple[int, ...], period: Period
) -> list[str]:
    empty = [r.name for r in results if r.count is None and r.previous_count is None]
    notes: list[str] = []
    partial = {r.reason for r in results if r.partial and r.reason}
    for r in results:
        if r.name in empty:
            continue
        notes.extend(f"{r.name}: {w.rstrip('.')}." for w in r.warnings if w not in partial)
    for reason in sorted(partial):  # said once for the place, not once per indicator
        notes.insert(0, f"The data {reason}.")
    if empty:
        notes.append("No data held for: " + ", ".join(empty) + ".")
    if population is None:
        notes.append("No population estimate held, so no rates per 1,000 residents.")
    elif years and years != (period.start.year,):
        used = ", ".join(str(y) for y in years)
        notes.append(f"Rates use the mid-{used} population estimate (nearest held).")
    return notes
