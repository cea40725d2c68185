"""Everything the dashboard and the board's papers show for one place and period,
computed once from the insight engine and cached until the incident store changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import groupby

from django.core.cache import cache

from saferplaces.evidence.figures import indicator_set, summary
from saferplaces.evidence.scope import PlaceScope, scope_for
from saferplaces.evidence.store import incident_store
from saferplaces.insight.breakdowns import Share, by_category, by_district, by_lsoa
from saferplaces.insight.compare import IndicatorResult, SeriesPoint, monthly_series
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import Period, add_months, format_month
from saferplaces.insight.seasons import BONFIRE_MONTHS, MISCHIEF_NIGHT, WindowResult, window_counts
from saferplaces.partnership.models import Place
from saferplaces.partnership.models.places import PlaceKind

SERIES_MONTHS = 36
"""Monthly trend charts show up to three years ending with the period."""
SEASONAL_INDICATORS = ("anti-social-behaviour", "criminal-damage-and-arson", "deliberate-fires")
SOURCE_NAMES = {"police_uk": "police.uk street-level crime and ASB"}


@dataclass(frozen=True)
class DistrictRate:
    name: str
    slug: str
    code: str
    count: int
    population: int | None
    rate_per_1000: float | None
    selected: bool


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
    categories: list[Share]
    lsoas: list[Share]
    districts: list[DistrictRate]
    population: int | None
    population_years: tuple[int, ...]
    sources: list[str]
    quality_notes: list[str] = field(default_factory=list)

    @property
    def headline_indicator(self) -> Indicator:
        return self.indicators[0]


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


def compute_performance(scope: PlaceScope, period: Period) -> Performance:
    store = incident_store()
    indicators = indicator_set()
    by_slug = {i.slug: i for i in indicators}
    districts = scope.districts
    results = summary(scope, period)
    series_start = add_months(period.end, -(SERIES_MONTHS - 1))
    series = {
        ind.slug: monthly_series(
            store, districts=districts, indicator=ind, start=series_start, end=period.end
        )
        for ind in indicators
    }
    headline = indicators[0]
    population, years = scope.population(period.start.year)
    return Performance(
        scope=scope,
        period=period,
        indicators=indicators,
        results=results,
        series=series,
        seasonal=_seasonal(scope, period, by_slug),
        categories=by_category(store, districts=districts, indicator=headline, period=period),
        lsoas=by_lsoa(store, districts=districts, indicator=headline, period=period),
        districts=_district_rates(scope, period, headline),
        population=population,
        population_years=years,
        sources=_sources(period),
        quality_notes=_quality_notes(results, population, years, period),
    )


def _seasonal(scope: PlaceScope, period: Period, by_slug: dict[str, Indicator]) -> list[Seasonal]:
    store = incident_store()
    held = store.months()
    if not held:
        return []
    first_year, last_year = int(held[0][:4]), min(int(held[-1][:4]), period.end.year)
    years = list(range(first_year, last_year + 1))
    out = []
    for slug in SEASONAL_INDICATORS:
        ind = by_slug.get(slug)
        if ind is None:
            continue
        rows = window_counts(
            store, BONFIRE_MONTHS, years=years, indicator=ind, districts=scope.districts
        )
        rows = _mark_missing_months(rows)
        if not any(r.count for r in rows):
            continue
        out.append(Seasonal(f"{ind.name}, October–November", BONFIRE_MONTHS.name, ind, rows,
                            _gap_note(rows)))  # fmt: skip
    asb = by_slug.get("anti-social-behaviour")
    if asb is not None:
        rows = window_counts(store, MISCHIEF_NIGHT, years=years, indicator=asb,
                             districts=scope.districts)  # fmt: skip
        rows = _mark_missing_months(rows)
        reasons = {r.reason for r in rows if r.reason}
        note = (
            "Mischief Night (4 November) needs day-level data, such as a force incident log "
            "or fire service incidents; police.uk records only the month."
            if reasons
            else None
        )
        out.append(Seasonal(f"{asb.name} on Mischief Night", MISCHIEF_NIGHT.name, asb, rows, note))
    return out


def _mark_missing_months(rows: list[WindowResult]) -> list[WindowResult]:
    """A year whose window months are not all held is not a count of zero."""
    held = set(incident_store().months())
    out = []
    for r in rows:
        months = {r.start[:7], r.end[:7]}
        if not months <= held:
            missing = ", ".join(sorted(months - held))
            r = WindowResult(r.window, r.year, r.start, r.end, None, False,
                             f"no data for {missing}")  # fmt: skip
        out.append(r)
    return out


def _gap_note(rows: list[WindowResult]) -> str | None:
    missing = [str(r.year) for r in rows if r.count is None]
    if not missing:
        return None
    return "No data held for " + ", ".join(missing) + "; those years are left blank, not zero."


def _district_rates(scope: PlaceScope, period: Period, indicator: Indicator) -> list[DistrictRate]:
    """The place's districts, or a district's neighbours in its area, by rate per 1,000."""
    place = scope.place
    if place.kind == PlaceKind.DISTRICT and place.parent is not None:
        group = Place.objects.filter(parent=place.parent, kind=PlaceKind.DISTRICT)
    else:
        group = Place.objects.filter(pk__in=place.descendant_ids(), kind=PlaceKind.DISTRICT)
    places = {p.lad_code: p for p in group.exclude(lad_code="")}
    shares = by_district(incident_store(), districts=sorted(places), indicator=indicator,
                         period=period)  # fmt: skip
    out = []
    for share in shares:
        p = places[share.key]
        population, _ = scope_for(p).population(period.start.year)
        held = share.count or share.previous  # no incident at all in two years: no data held
        rate = round(1000 * share.count / population, 3) if population and held else None
        out.append(DistrictRate(p.name, p.slug, p.lad_code, share.count, population, rate,
                                p.pk == place.pk))  # fmt: skip
    return sorted(out, key=lambda d: (d.rate_per_1000 is None, -(d.rate_per_1000 or 0)))


def _sources(period: Period) -> list[str]:
    parts = [
        p
        for p in incident_store().partitions()
        if format_month(period.previous().start) <= p.month <= format_month(period.end)
    ]
    parts.sort(key=lambda p: (p.source, p.dataset, p.month))
    out = []
    for (source, dataset), group in groupby(parts, key=lambda p: (p.source, p.dataset)):
        items = list(group)
        name = SOURCE_NAMES.get(source, source)
        out.append(
            f"{name}, {dataset.replace('-', ' ').title()}: {items[0].month} to "
            f"{items[-1].month} ({len(items)} months, {sum(p.rows for p in items):,} rows)"
        )
    return out


def _quality_notes(
    results: list[IndicatorResult], population: int | None, years: tuple[int, ...], period: Period
) -> list[str]:
    empty = [r.name for r in results if not r.months_with_data and not r.previous_months_with_data]
    notes = [f"{r.name}: {w}." for r in results if r.name not in empty for w in r.warnings]
    if empty:
        notes.append("No data source held for: " + ", ".join(empty) + ".")
    if population is None:
        notes.append("No population estimate held, so no rates per 1,000 residents.")
    elif years and years != (period.start.year,):
        used = ", ".join(str(y) for y in years)
        notes.append(f"Rates use the mid-{used} population estimate (nearest held).")
    return notes
