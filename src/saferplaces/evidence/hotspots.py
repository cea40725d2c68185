"""Hot spots of a place from this installation's incident store: LSOA rates per 1,000
residents (the same counts as the dashboard's LSOA figures), Getis-Ord Gi* over them,
the pattern over the last years, and the density surface of the mapped points.

An LSOA with no figure (its district has no data in the period, or there is no
population estimate) is left out and named with the reason, never counted as 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache

from saferplaces.evidence.figures import indicator_set
from saferplaces.evidence.performance import figures_key, summary_for
from saferplaces.evidence.scope import PlaceScope, scope_for
from saferplaces.evidence.sources import POLICE_UK, SourceNote, sources_for
from saferplaces.evidence.store import incident_store
from saferplaces.insight.boundaries import lsoa_shapes
from saferplaces.insight.breakdowns import LsoaFigure, by_lsoa
from saferplaces.insight.density import (
    DEFAULT_BANDWIDTH_M,
    DENSITY_LIMITATION,
    Bandwidth,
    DensityError,
    DensitySurface,
    density_bands,
    density_surface,
)
from saferplaces.insight.geography import district_name, lsoa_names, lsoas_of
from saferplaces.insight.hotspots import (
    DEFAULT_PERMUTATIONS,
    DEFAULT_SEED,
    LEGEND,
    LEGEND_NOTE,
    LIMITATIONS,
    GiStar,
    HotspotError,
    Neighbours,
    Trend,
    contiguity,
    distance_band,
    emerging,
    gi_star,
    national_contiguity,
)
from saferplaces.insight.indicators import Indicator, category_indicators
from saferplaces.insight.periods import Period, parse_month
from saferplaces.insight.query import backend_of
from saferplaces.partnership.models import Place

NATIONAL_ABOVE = 40
"""Places of more districts than this use the contiguity of all England and Wales,
cached in the data directory; smaller ones build their own from their shapes."""


def contiguity_cache() -> Path:
    return Path(settings.DATA_DIR) / "hotspots" / "lsoa11-contiguity.json.gz"


@lru_cache(maxsize=32)
def _place_contiguity(districts: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return contiguity(lsoa_shapes(districts))


def neighbours_for(districts: tuple[str, ...], band_m: float | None = None) -> Neighbours:
    """The LSOA neighbours Gi* uses for these districts: contiguity, or LSOA centroids
    within ``band_m`` metres."""
    if band_m is not None:
        return distance_band(lsoa_shapes(districts), band_m)
    if len(districts) > NATIONAL_ABOVE:
        return national_contiguity(contiguity_cache())
    return _place_contiguity(tuple(sorted(districts)))


def find_indicator(slug: str | None) -> Indicator:
    """An indicator (``all-crime`` …) or a police.uk category (``burglary``, ``shoplifting``
    …) by slug; the first indicator when none is given. KeyError names what exists."""
    indicators = indicator_set()
    if not slug:
        return indicators[0]
    choices = {i.slug: i for i in indicators}
    for headline in indicators[:2]:  # all crime and ASB: every police.uk category
        for cat in category_indicators(headline):
            choices.setdefault(cat.slug, cat)
    if slug not in choices:
        raise KeyError(f"Unknown category {slug!r}: choose one of {', '.join(sorted(choices))}")
    return choices[slug]


@dataclass
class HotspotYear:
    """Gi* of one period: the LSOA figures, what was left out and why, and the result
    (None with the reason when it could not be computed)."""

    period: Period
    figures: list[LsoaFigure]
    excluded: dict[str, str]
    districts: list[str]
    months: list[str]
    result: GiStar | None
    refusal: str | None

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def complete(self) -> bool:
        """Whether every month of the period was counted."""
        return len(self.months) == self.period.length


@dataclass
class HotspotReport:
    """Everything a hot spot view shows for a place: the period asked for (last of
    ``years``), the years before it, the pattern per LSOA, and its sources and limits."""

    place: str
    indicator: Indicator
    years: list[HotspotYear]
    trends: dict[str, Trend]
    weights: str
    permutations: int
    seed: int
    sources: list[SourceNote]
    limitations: tuple[str, ...] = LIMITATIONS
    notes: list[str] = field(default_factory=list)

    @property
    def latest(self) -> HotspotYear:
        return self.years[-1]

    def rows(self) -> list[dict[str, Any]]:
        """One record per LSOA of the latest period: its figures, Gi* and class, and its
        pattern over the years. Excluded LSOAs are kept with ``spot`` "excluded", no
        z or p, and the reason."""
        year = self.latest
        names = lsoa_names()
        gi = year.result.by_code() if year.result else {}
        figures = {f.code: f for f in year.figures}
        codes = sorted(set(figures) | set(year.excluded))
        legend = {e.spot: e.label for e in LEGEND}
        out = []
        for code in codes:
            f = figures.get(code)
            row = gi.get(code)
            trend = self.trends.get(code)
            spot = row.spot.value if row else "excluded"
            out.append(
                {
                    "code": code,
                    "name": names.get(code, code),
                    "district": f.district if f else None,
                    "count": f.count if f else None,
                    "population": f.population if f else None,
                    "rate_per_1000": f.rate_per_1000 if f else None,
                    "neighbours": row.neighbours if row else None,
                    "z": row.z if row else None,
                    "p_sim": row.p_sim if row else None,
                    "p": row.p if row else None,
                    "q": row.q if row else None,
                    "spot": spot,
                    "confidence": row.spot.confidence if row else None,
                    "legend": legend[spot],
                    "excluded_reason": None if row else _reason(code, year),
                    "pattern": trend.pattern.value if trend and len(self.years) > 1 else None,
                    "pattern_label": trend.label if trend and len(self.years) > 1 else None,
                    "trend": trend.trend if trend and len(self.years) > 1 else None,
                    "years": {y.label: _spot_in(y, code) for y in self.years},
                }
            )
        return out

    def map_layer(self) -> dict[str, Any]:
        """What the LSOA map needs to colour its features (matched on ``code``, as
        :func:`~saferplaces.insight.boundaries.place_map` names them): per LSOA its class,
        colour, legend label, rate, z, q and pattern; the legend, its note, the text
        alternative, the method, the limitations and the sources."""
        colours = {e.spot: e.colour for e in LEGEND}
        keys = ("spot", "legend", "rate_per_1000", "z", "q", "pattern_label", "excluded_reason")
        summary = self.summary()
        return {
            "lsoas": {
                r["code"]: {k: r[k] for k in keys} | {"colour": colours[r["spot"]]}
                for r in self.rows()
            },
            "legend": summary["legend"],
            "legend_note": LEGEND_NOTE,
            "text": self.text_alternative(),
            "method": summary["method"],
            "limitations": list(self.limitations),
            "sources": summary["sources"],
        }

    def text_alternative(self) -> str:
        """The map in words: each significant LSOA by class, then what was left out."""
        rows = self.rows()
        parts = []
        for entry in LEGEND:
            if entry.spot in ("not-significant", "excluded"):
                continue
            found = [r for r in rows if r["spot"] == entry.spot]
            if found:
                names = ", ".join(
                    f"{r['name']} ({r['rate_per_1000']:,.1f} per 1,000"
                    + (f", {r['pattern_label']}" if r["pattern_label"] else "")
                    + ")"
                    for r in found
                )
                parts.append(f"{entry.label}: {names}.")
        tested = sum(1 for r in rows if r["spot"] != "excluded")
        if not parts:
            parts.append(f"No hot or cold spot at 90% confidence among {tested} LSOAs.")
        left = len(rows) - tested
        if left:
            parts.append(f"{left} LSOAs left out (no data, no population or no neighbour).")
        head = f"{self.indicator.name} per 1,000 residents, {self.latest.label}, {self.place}."
        return " ".join([head, *parts])

    def summary(self) -> dict[str, Any]:
        """The report without its rows: place, indicator, method, counts per class,
        refusals, legend, sources and limitations."""
        return {
            "place": self.place,
            "indicator": self.indicator.slug,
            "indicator_name": self.indicator.name,
            "period": self.latest.label,
            "months": self.latest.months,
            "districts": self.latest.districts,
            "method": (
                "Getis-Ord Gi* (PySAL esda G_Local, star, binary weights) on rates per "
                f"1,000 residents; {self.weights}; {self.permutations} conditional "
                f"permutations, seed {self.seed}; two-sided pseudo p-values with a "
                "Benjamini-Hochberg false discovery rate correction"
            ),
            "years": [
                {
                    "period": y.label,
                    "counts": y.result.counts() if y.result else None,
                    "tested": len(y.result.rows) if y.result else 0,
                    "months": len(y.months),
                    "complete": y.complete,
                    "excluded": len(y.excluded) + (len(y.result.excluded) if y.result else 0),
                    "refusal": y.refusal,
                }
                for y in self.years
            ],
            "legend": [e.__dict__ for e in LEGEND],
            "legend_note": LEGEND_NOTE,
            "notes": self.notes,
            "sources": [n.sentence for n in self.sources],
            "limitations": list(self.limitations),
        }


def _reason(code: str, year: HotspotYear) -> str:
    if code in year.excluded:
        return year.excluded[code]
    if year.result is not None and code in year.result.excluded:
        return year.result.excluded[code]
    return year.refusal or "not tested"


def _spot_in(year: HotspotYear, code: str) -> str | None:
    row = year.result.by_code().get(code) if year.result else None
    return row.spot.value if row else None


def hotspot_year(
    scope: PlaceScope,
    period: Period,
    indicator: Indicator,
    neighbours: Neighbours,
    *,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    weights: str = "contiguity",
) -> HotspotYear:
    """Gi* of the place's LSOA rates in one period."""
    result = summary_for(scope, period, indicator)
    figures = by_lsoa(incident_store(), result=result, indicator=indicator, year=period.start.year)
    excluded: dict[str, str] = {}
    for district in scope.districts:
        if district not in result.districts:
            for code in lsoas_of(district):
                excluded[code] = f"no data for {district_name(district) or district} in {period}"
    for f in figures:
        if f.rate_per_1000 is None:
            excluded[f.code] = "no population estimate"
    # Unrounded (the figures' rates are rounded to 3 places for display).
    rates = {f.code: 1000.0 * f.count / f.population for f in figures if f.population}
    gi: GiStar | None = None
    refusal: str | None = None
    if result.count is None:
        refusal = f"No data for {scope.name} in {period}"
    elif result.count and not any(f.count for f in figures):
        refusal = (
            f"None of the {result.count:,} incidents is recorded with an LSOA, so there is "
            "no LSOA rate to test (the density surface uses their coordinates)"
        )
    else:
        try:
            gi = gi_star(rates, neighbours, permutations=permutations, seed=seed, weights=weights)
        except HotspotError as exc:
            refusal = str(exc)
    return HotspotYear(
        period, figures, excluded, list(result.districts), list(result.months), gi, refusal
    )


def hotspots(
    scope: PlaceScope,
    period: Period,
    indicator: Indicator | None = None,
    *,
    years: int = 1,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    band_m: float | None = None,
) -> HotspotReport:
    """Gi* for the place in ``period`` and the ``years - 1`` same-length periods before
    it (a year apart), with each LSOA's pattern over them."""
    ind = indicator or indicator_set()[0]
    neighbours = neighbours_for(tuple(scope.districts), band_m)
    weights = (
        f"neighbours are LSOAs whose centres are within {band_m:,.0f} m"
        if band_m is not None
        else "neighbours are LSOAs that share a boundary or a corner (Queen contiguity)"
    )
    periods = [period.shift(-12 * k) for k in range(max(1, years) - 1, -1, -1)]
    done = [
        hotspot_year(
            scope, p, ind, neighbours, permutations=permutations, seed=seed, weights=weights
        )
        for p in periods
    ]
    latest = done[-1]
    # A part year is compared with nothing: earlier part years stay out of the patterns.
    tested = {
        y.period.start.year: y.result
        for y in done
        if y.result is not None and (y.complete or y is latest)
    }
    trends = {t.code: t for t in emerging(tested)} if len(periods) > 1 else {}
    notes = [f"{y.label}: {y.refusal}." for y in done if y.refusal]
    for y in done:
        if y.result is not None and not y.complete:
            notes.append(
                f"{y.label} holds {len(y.months)} of {y.period.length} months "
                f"({y.months[0]} to {y.months[-1]}): its hot spots are of those months only"
                + ("." if y is latest else ", so it is left out of the patterns.")
            )
    if len(periods) > 1 and len(tested) < len(periods):
        notes.append("Years without a full result are left out of the patterns, not read as cold.")
    if latest.result is not None and (floor := latest.result.resolution_note()):
        notes.append(floor)
    sources = sources_for(scope, period)
    return HotspotReport(
        scope.name,
        ind,
        done,
        trends,
        weights,
        permutations,
        seed,
        sources,
        limitations=limitations_for(sources),
        notes=notes,
    )


OWN_LOCATIONS = (
    "Locations are as the source records them (some sources round them to a grid or to "
    "a street): this map shows areas, not addresses."
)


OWN_DENSITY_LIMITATION = (
    "The density surface spreads each mapped point over the bandwidth: it shows where "
    "incidents were recorded, as precisely as the source records them, not exact addresses."
)


def limitations_for(sources: list[SourceNote]) -> tuple[str, ...]:
    """The limits of a hot spot view; police.uk's anonymised map points only when police.uk
    data is counted."""
    if any(n.source == POLICE_UK for n in sources):
        return LIMITATIONS
    return (OWN_LOCATIONS, *LIMITATIONS[1:])


def place_hotspots(
    place: Place,
    period: Period,
    indicator: Indicator | None = None,
    *,
    years: int = 1,
    band_m: float | None = None,
) -> HotspotReport:
    """:func:`hotspots` for a page: default permutations and seed, cached until the
    incident store or the indicators change (like the dashboard's figures)."""
    ind = indicator or indicator_set()[0]
    key = figures_key(f"hotspots:{ind.slug}:{years}:{band_m}", place, period)
    found: HotspotReport | None = cache.get(key)
    if found is None:
        found = hotspots(scope_for(place), period, ind, years=years, band_m=band_m)
        cache.set(key, found, timeout=3600)
    return found


@dataclass(frozen=True)
class DensityView:
    surface: DensitySurface
    note: str
    limitation: str = DENSITY_LIMITATION

    def bands(self) -> dict[str, Any]:
        """The surface as nested GeoJSON bands for the map (see
        :func:`~saferplaces.insight.hotspots.density_bands`)."""
        return density_bands(self.surface)


def density_for(
    scope: PlaceScope,
    period: Period,
    indicator: Indicator | None = None,
    *,
    bandwidth: Bandwidth | None = None,
) -> DensityView:
    """The density surface of the place's mapped incidents in the period, over the
    extent of its districts with data, with the bandwidth given or the setting
    ``SAFERPLACES_DENSITY_BANDWIDTH_M``. Raises DensityError when there are too few."""
    ind = indicator or indicator_set()[0]
    if bandwidth is None:
        bandwidth = float(getattr(settings, "DENSITY_BANDWIDTH_M", DEFAULT_BANDWIDTH_M))
    result = summary_for(scope, period, ind)
    if result.count is None:
        raise DensityError(f"No data for {scope.name} in {period}")
    backend = backend_of(incident_store())
    t = backend.table("incidents")
    months = [parse_month(m) for m in result.months]
    t = t.filter(
        t.district.isin(list(result.districts)),
        t.month.isin(months),
        t.lon.notnull(),
        t.lat.notnull(),
    )
    t = t.filter(ind.predicate(t)).select("lon", "lat")
    rows = backend.con.execute(str(backend.compile(t))).fetchnumpy()
    shapes = lsoa_shapes(result.districts).values()
    bounds = (
        min(s.geometry.bounds[0] for s in shapes),
        min(s.geometry.bounds[1] for s in shapes),
        max(s.geometry.bounds[2] for s in shapes),
        max(s.geometry.bounds[3] for s in shapes),
    )
    surface = density_surface(rows["lon"], rows["lat"], bandwidth=bandwidth, bounds=bounds)
    note = f"{ind.name}, {period}: {surface.describe()}"
    if any(n.source == POLICE_UK for n in sources_for(scope, period)):
        return DensityView(surface, note)
    return DensityView(surface, note, OWN_DENSITY_LIMITATION)
