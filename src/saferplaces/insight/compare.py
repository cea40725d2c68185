"""Period comparison (Poisson z), rates and monthly control charts for districts.

All counts come from the store's pre-aggregated ``rollup_district`` view, which holds
exactly the counts of the deduplicated ``incidents`` view (each crime once, in its
first month). One query answers every indicator at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, TypeAlias

import ibis.expr.types as ir
from ibis.backends.duckdb import Backend as DuckDBBackend

from saferplaces.insight.indicators import DEFAULT_INDICATORS, Indicator
from saferplaces.insight.periods import (
    Period,
    add_months,
    format_month,
    months_between,
    parse_month,
)
from saferplaces.insight.stats import c_chart, poisson_z, run_rule_signals, verdict
from saferplaces.insight.store import IncidentStore

StoreLike: TypeAlias = IncidentStore | DuckDBBackend


def backend_of(store_or_con: StoreLike) -> DuckDBBackend:
    """The Ibis backend of a store (or the backend itself)."""
    return store_or_con.connect() if isinstance(store_or_con, IncidentStore) else store_or_con


@dataclass
class IndicatorResult:
    """One indicator for one place and period, against the same period a year earlier."""

    indicator: str
    name: str
    unit: str
    place: str
    period: str
    start: str
    end: str
    previous_period: str
    count: int
    previous_count: int
    change: int
    pct_change: float | None
    rate_per_1000: float | None
    previous_rate_per_1000: float | None
    z: float
    significant: bool
    verdict: str
    months_expected: int
    months_with_data: int
    previous_months_with_data: int
    complete: bool
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return asdict(self)


_SQL_CACHE: dict[tuple[Any, ...], str] = {}
_SQL_CACHE_MAX = 512


def _run(
    backend: DuckDBBackend, key: tuple[Any, ...], build: Callable[[], ir.Table]
) -> list[tuple[Any, ...]]:
    """Execute the Ibis expression ``build()``, compiling it once per ``key``.

    Only the compiled SQL is memoised (Ibis expression building and compilation cost
    more than DuckDB's answer over the rollup); results are always fresh.
    """
    sql = _SQL_CACHE.get(key)
    if sql is None:
        sql = str(backend.compile(build()))
        if len(_SQL_CACHE) >= _SQL_CACHE_MAX:
            _SQL_CACHE.clear()
        _SQL_CACHE[key] = sql
    return backend.con.execute(sql).fetchall()


def _source_months(store_or_con: StoreLike, start: date, end: date) -> dict[str, set[date]]:
    """source -> months (first of month) with any data between start and end.

    Read from the manifest for a store (no query); from the rollup for a bare backend.
    """
    out: dict[str, set[date]] = {}
    if isinstance(store_or_con, IncidentStore):
        for p in store_or_con.partitions():
            month = parse_month(p.month)
            if start <= month <= end:
                out.setdefault(p.source, set()).add(month)
        return out
    backend = store_or_con

    def build() -> ir.Table:
        r = backend.table("rollup_district")
        return r.filter(r.month.between(start, end)).select("source", "month").distinct()

    for source, month in _run(backend, ("months", start, end), build):
        out.setdefault(source, set()).add(month)
    return out


def _spec_key(indicators: Sequence[Indicator]) -> tuple[Any, ...]:
    return tuple(
        (i.slug, tuple(sorted((k, tuple(v)) for k, v in i.spec.items()))) for i in indicators
    )


_RELEVANT: dict[tuple[Any, ...], list[set[str]]] = {}


def _relevant_sources(store_or_con: StoreLike, indicators: Sequence[Indicator]) -> list[set[str]]:
    """Per indicator, the sources that can supply it: its ``sources`` when given, else
    every source with at least one matching row anywhere in the store (so coverage of
    a fire indicator is judged on fire data, not on police months)."""
    backend = backend_of(store_or_con)
    fingerprint = store_or_con.fingerprint if isinstance(store_or_con, IncidentStore) else None
    key = ("relevant", fingerprint, _spec_key(indicators))
    if fingerprint is not None and key in _RELEVANT:
        return _RELEVANT[key]

    def build() -> ir.Table:
        r = backend.table("rollup_district")
        return r.group_by("source").aggregate(
            **{f"m{i}": ind.predicate(r).any() for i, ind in enumerate(indicators)}
        )

    rows = _run(backend, ("relevant", _spec_key(indicators)), build)
    out = []
    for i, ind in enumerate(indicators):
        if ind.spec.get("sources"):
            out.append(set(ind.spec["sources"]))
        else:
            out.append({str(r[0]) for r in rows if r[i + 1]})
    if fingerprint is not None:
        if len(_RELEVANT) > 64:
            _RELEVANT.clear()
        _RELEVANT[key] = out
    return out


def _covered(sources: set[str], by_source: dict[str, set[date]], months: list[date]) -> int:
    have: set[date] = set()
    for s in sources:
        have |= by_source.get(s, set())
    return sum(1 for m in months if m in have)


def summarise(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    place: str,
    period: Period,
    indicators: Sequence[Indicator] = DEFAULT_INDICATORS,
    population: int | None = None,
    previous_population: int | None = None,
) -> list[IndicatorResult]:
    """Every indicator for ``districts`` in ``period`` against ``period.previous()``.

    Two queries in all: one aggregate over the rollup for all indicators, one listing
    which months have data (coverage). ``population`` gives rates per 1,000 residents.
    """
    backend = backend_of(store_or_con)
    prev = period.previous()
    names = [f"{kind}{i}" for i in range(len(indicators)) for kind in ("c", "p")]

    def build() -> ir.Table:
        r = backend.table("rollup_district")
        base = r.filter(r.district.isin(list(districts)), r.month.between(prev.start, period.end))
        in_cur = base.month >= period.start
        in_prev = base.month <= prev.end
        aggs = {}
        for i, ind in enumerate(indicators):
            pred = ind.predicate(base)
            aggs[f"c{i}"] = base.n.sum(where=pred & in_cur)
            aggs[f"p{i}"] = base.n.sum(where=pred & in_prev)
        return base.aggregate(**{k: aggs[k] for k in names})

    key = ("summary", tuple(districts), period.start, period.end, _spec_key(indicators))
    rows = _run(backend, key, build) if indicators else [()]
    values = dict(zip(names, rows[0], strict=True))
    by_source = _source_months(store_or_con, prev.start, period.end)
    relevant = _relevant_sources(store_or_con, indicators)
    results = []
    for i, ind in enumerate(indicators):
        cur, before = int(values.get(f"c{i}") or 0), int(values.get(f"p{i}") or 0)
        z = poisson_z(cur, before)
        cov = _covered(relevant[i], by_source, period.months())
        pcov = _covered(relevant[i], by_source, prev.months())
        warnings = []
        if not relevant[i]:
            warnings.append("no imported source supplies this indicator")
        if cov < period.length:
            warnings.append(f"{period.label}: data for {cov} of {period.length} months")
        if pcov < prev.length:
            warnings.append(f"{prev.label}: data for {pcov} of {prev.length} months")
        pop_before = previous_population if previous_population is not None else population
        results.append(
            IndicatorResult(
                indicator=ind.slug, name=ind.name, unit=ind.unit, place=place,
                period=period.label, start=format_month(period.start),
                end=format_month(period.end), previous_period=prev.label,
                count=cur, previous_count=before, change=cur - before,
                pct_change=None if before == 0 else round(100.0 * (cur - before) / before, 2),
                rate_per_1000=_rate(cur, population),
                previous_rate_per_1000=_rate(before, pop_before),
                z=round(z, 4), significant=abs(z) > 1.96, verdict=verdict(z),
                months_expected=period.length, months_with_data=cov,
                previous_months_with_data=pcov,
                complete=cov == period.length and pcov == prev.length, warnings=warnings,
            )
        )  # fmt: skip
    return results


def _rate(count: int, population: int | None) -> float | None:
    if not population:
        return None
    return round(1000.0 * count / population, 3)


@dataclass
class SeriesPoint:
    """One month of a control chart."""

    month: str
    count: int | None
    mean: float
    upper: float
    lower: float
    upper_2sigma: float
    lower_2sigma: float
    gap: bool
    signals: list[str]

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return asdict(self)


def monthly_counts(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    indicator: Indicator,
    start: date,
    end: date,
) -> dict[date, int]:
    """month -> count of ``indicator`` (months without rows are absent)."""
    backend = backend_of(store_or_con)

    def build() -> ir.Table:
        r = backend.table("rollup_district")
        t = r.filter(r.district.isin(list(districts)), r.month.between(start, end))
        t = t.filter(indicator.predicate(t))
        return t.group_by("month").aggregate(n=t.n.sum())

    key = ("monthly", tuple(districts), start, end, _spec_key([indicator]))
    return {m: int(n) for m, n in _run(backend, key, build)}


def monthly_series(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    indicator: Indicator,
    start: date,
    end: date,
) -> list[SeriesPoint]:
    """A c-chart of monthly counts with 3sigma limits and run-rule signals.

    A month with no data for the indicator's sources at all is a gap (count None),
    not a zero; gaps are excluded from the mean and break runs.
    """
    counts = monthly_counts(store_or_con, districts=districts, indicator=indicator,
                            start=start, end=end)  # fmt: skip
    by_source = _source_months(store_or_con, start, end)
    sources = _relevant_sources(store_or_con, [indicator])[0]
    have: set[date] = set().union(*(by_source.get(s, set()) for s in sources))
    months = [add_months(start, i) for i in range(months_between(start, end))]
    values: list[int | None] = [counts.get(m, 0) if m in have else None for m in months]
    limits = c_chart(values)
    signals = run_rule_signals(values, limits)
    return [
        SeriesPoint(
            format_month(m),
            v,
            round(limits.mean, 3),
            round(limits.upper, 3),
            round(limits.lower, 3),
            round(limits.mean + 2 * limits.sigma, 3),
            round(max(0.0, limits.mean - 2 * limits.sigma), 3),
            v is None,
            sig,
        )
        for m, v, sig in zip(months, values, signals, strict=True)
    ]


__all__ = [
    "IndicatorResult",
    "SeriesPoint",
    "backend_of",
    "monthly_counts",
    "monthly_series",
    "summarise",
]
