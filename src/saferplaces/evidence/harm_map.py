"""Harm on the map: each LSOA of a place by harm per 1,000 residents, beside its volume.

Harm of an LSOA = Σ over the police.uk categories the indicator counts of (incidents of
the category in the LSOA × the category's harm weight), over exactly the months and
districts the indicator's own figure counted (as the dashboard's LSOA figures).
Harm per 1,000 residents = harm / residents × 1,000.

Honest numbers: a category the weights give no weight is *left out* of the harm and
named, never weighted 0; an LSOA of a district with no data is left out with the reason,
never shown as 0; an LSOA without a population estimate has a harm but no rate. A retired
police.uk category takes the weight of the category it became (as the strategic
assessment counts it), and only police.uk rows are weighed (the weights are of police.uk
categories). The weights are taken as an argument: which table is active is the
strategy layer's business.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

from django.core.cache import cache

from saferplaces.evidence.performance import figures_key, summary_for
from saferplaces.evidence.scope import PlaceScope, scope_for
from saferplaces.evidence.store import incident_store
from saferplaces.insight.compare import IndicatorResult
from saferplaces.insight.geography import district_name, lsoa_names, lsoa_population, lsoas_of
from saferplaces.insight.harm import HarmWeights
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import Period, parse_month
from saferplaces.insight.query import StoreLike, backend_of
from saferplaces.insight.schema import CATEGORIES, LEGACY_INTO
from saferplaces.partnership.models import Place

POLICE_UK = "police_uk"


@dataclass(frozen=True)
class LsoaHarm:
    """One LSOA: its police.uk incidents of the indicator (volume), the part of them the
    weights cover, their harm and harm per 1,000 residents (None without a population),
    and the incidents of categories left out (no weight), by category."""

    code: str
    name: str
    district: str
    count: int
    weighted_count: int
    harm: float
    population: int | None
    harm_per_1000: float | None
    rate_per_1000: float | None
    left_out: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class HarmMap:
    """The harm of every LSOA of a place in a period, and what it leaves out.

    ``weighted``: the categories (today's names) counted in the harm, with their weight;
    ``unweighted``: the indicator's categories the weights give no weight, with their
    count in the place (0 when none was recorded): they are not in any harm figure;
    ``excluded``: LSOAs with no figure at all and why; ``refusal``: why there is no map
    (no data, no police.uk category, no weighted category), else None."""

    place: str
    indicator: Indicator
    period: Period
    weights_name: str
    weights_description: str
    is_official: bool
    unit: str
    aggregation: str
    lsoas: list[LsoaHarm]
    weighted: dict[str, float]
    unweighted: dict[str, int]
    excluded: dict[str, str]
    months: list[str]
    districts: list[str]
    refusal: str | None = None

    @property
    def total_harm(self) -> float:
        return math.fsum(r.harm for r in self.lsoas)

    def left_out_sentence(self) -> str:
        """The categories left out of the harm, in words ("" when none is)."""
        if not self.unweighted:
            return ""
        parts = [
            f"{_label(c)} ({n:,} {self.indicator.unit} in {self.place})"
            for c, n in sorted(self.unweighted.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        return (
            f"Left out of the harm figures because {self.weights_name} gives them no weight "
            f"(not weighted 0: their harm is unknown): {'; '.join(parts)}."
        )


def _label(category: str) -> str:
    return CATEGORIES.get(category).label if category in CATEGORIES else category


def current_category(category: str) -> str:
    """Today's name of a police.uk category (a retired one counted in the one it became)."""
    return LEGACY_INTO.get(category, category)


def indicator_categories(indicator: Indicator) -> set[str]:
    """Today's names of the police.uk categories the indicator counts (empty: none)."""
    found = indicator.police_categories() or set()
    return {
        current_category(c)
        for c in found
        if c in CATEGORIES and CATEGORIES.get(c).family in ("crime", "asb")
    }


def lsoa_category_counts(
    store_or_con: StoreLike, result: IndicatorResult, indicator: Indicator
) -> dict[str, dict[str, int]]:
    """LSOA → today's category → police.uk incidents of the indicator over the months
    and districts ``result`` counted (rows without an LSOA are in no LSOA)."""
    if result.count is None or not result.districts:
        return {}
    backend = backend_of(store_or_con)
    r = backend.table("rollup")
    months = [parse_month(m) for m in result.months]
    t = r.filter(
        r.district.isin(list(result.districts)), r.month.isin(months), r.source == POLICE_UK
    )
    t = t.filter(indicator.predicate(t))
    expr = t.group_by(["lsoa", "category"]).aggregate(n=t.n.sum())
    out: dict[str, dict[str, int]] = {}
    for code, category, n in backend.con.execute(str(backend.compile(expr))).fetchall():
        if code is None or category is None:
            continue
        cats = out.setdefault(str(code), {})
        key = current_category(str(category))
        cats[key] = cats.get(key, 0) + int(n or 0)
    return out


def harm_map(
    store_or_con: StoreLike,
    *,
    scope: PlaceScope,
    result: IndicatorResult,
    indicator: Indicator,
    period: Period,
    weights: HarmWeights,
) -> HarmMap:
    """The harm of each LSOA of ``scope`` (see the module) from the counts behind
    ``result``, the indicator's figure for the place in ``period``."""
    wanted = indicator_categories(indicator)
    weighted = {c: w for c in sorted(wanted) if (w := weights.weight_for(c)) is not None}
    counts = lsoa_category_counts(store_or_con, result, indicator)
    place_counts: dict[str, int] = {}
    for cats in counts.values():
        for c, n in cats.items():
            place_counts[c] = place_counts.get(c, 0) + n
    unweighted = {
        c: place_counts.get(c, 0)
        for c in sorted(wanted)
        if c not in weighted and (place_counts.get(c) or not CATEGORIES.get(c).legacy)
    }  # a retired category is named only when the period recorded some
    refusal = None
    if not wanted:
        refusal = f"{indicator.name} counts no police.uk category, and harm weights are of those"
    elif result.count is None:
        refusal = f"No data for {scope.name} in {period}"
    elif not weighted:
        refusal = f"{weights.name} gives none of the categories of {indicator.name} a weight"
    excluded: dict[str, str] = {}
    for district in scope.districts:
        if district not in result.districts:
            for code in lsoas_of(district):
                excluded[code] = f"no data for {district_name(district) or district} in {period}"
    rows: list[LsoaHarm] = []
    if refusal is None:
        names = lsoa_names()
        for district in result.districts:
            for code in lsoas_of(district):
                rows.append(
                    _lsoa_harm(code, names.get(code, code), district, counts.get(code, {}),
                               weighted, lsoa_population(code, period.start.year))
                )  # fmt: skip
    return HarmMap(
        scope.name, indicator, period, weights.name, weights.describe(), weights.is_official,
        weights.unit, weights.aggregation, rows, weighted, unweighted, excluded,
        list(result.months), list(result.districts), refusal,
    )  # fmt: skip


def _lsoa_harm(
    code: str,
    name: str,
    district: str,
    cats: dict[str, int],
    weighted: dict[str, float],
    population: int | None,
) -> LsoaHarm:
    count = sum(cats.values())
    harm = math.fsum(n * weighted[c] for c, n in cats.items() if c in weighted)
    counted = sum(n for c, n in cats.items() if c in weighted)
    left = {c: n for c, n in sorted(cats.items()) if c not in weighted and n}
    per = 1000.0 * harm / population if population else None
    rate = 1000.0 * count / population if population else None
    return LsoaHarm(code, name, district, count, counted, harm, population, per, rate, left)


def weights_key(weights: HarmWeights) -> str:
    """A short fingerprint of a table of weights (for the cache)."""
    text = f"{weights.name}|{weights.year}|{sorted(weights.categories.items())}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def place_harm_map(
    place: Place, period: Period, indicator: Indicator, weights: HarmWeights
) -> HarmMap:
    """:func:`harm_map` for a page, cached until the incident store, the indicators or
    the weights change."""
    key = figures_key(f"harm-map:{indicator.slug}:{weights_key(weights)}", place, period)
    found: HarmMap | None = cache.get(key)
    if found is None:
        scope = scope_for(place)
        result = summary_for(scope, period, indicator)
        found = harm_map(incident_store(), scope=scope, result=result, indicator=indicator,
                         period=period, weights=weights)  # fmt: skip
        cache.set(key, found, timeout=3600)
    return found
