"""Indicators for a place and period against the comparison period, and monthly control
charts, with the guardrails that keep a figure from misleading.

- **Coverage.** A district counts in a month only when the data covers it then
  (:mod:`saferplaces.insight.coverage`). A place of several districts counts only the
  districts with data (``districts``) and only the months all of them hold (``months``);
  the districts left out are named (``districts_without_data``) and a part is never
  given a verdict for the whole. A place with no data has no count (``None``), never 0.
- **Like with like.** The comparison period has the same months of the year
  (:meth:`Period.previous`, never overlapping). A verdict is given only when both sides
  hold the same months of the year; otherwise the months both hold are compared
  (``like_for_like``) and the whole reads "incomplete: no verdict".
- **Small numbers.** The verdict is the exact conditional binomial test with a stated
  minimum (:func:`saferplaces.insight.stats.judge`).
- **Series breaks.** Months before a change to police.uk's categories that cuts through
  an indicator (:func:`saferplaces.insight.schema.comparable_from`) are not counted.

All counts come from the store's ``rollup_district`` (each crime once, in its first
month); one query answers every indicator, district and month of both periods.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import ibis.expr.types as ir

from saferplaces.insight.coverage import POLICE_UK, DistrictCoverage, district_coverage
from saferplaces.insight.geography import district_name
from saferplaces.insight.indicators import DEFAULT_INDICATORS, Indicator
from saferplaces.insight.periods import Period, add_months, format_month, months_between
from saferplaces.insight.query import StoreLike, backend_of, run, store_fingerprint
from saferplaces.insight.stats import c_chart, judge, run_rule_signals

PopulationFn = Callable[[Sequence[str], int], int | None]
"""(district codes, mid-year) → residents of those districts, or None when unknown."""

NO_DATA = "no data"
INCOMPLETE = "incomplete: no verdict"
PARTIAL = "partial coverage: no verdict"

__all__ = [
    "INCOMPLETE",
    "NO_DATA",
    "PARTIAL",
    "Comparison",
    "IndicatorResult",
    "PopulationFn",
    "SeriesPoint",
    "StoreLike",
    "backend_of",
    "held_months",
    "monthly_series",
    "monthly_series_all",
    "summarise",
]


@dataclass
class Comparison:
    """Two counts over the same months of the year, judged."""

    months: list[str]
    previous_months: list[str]
    count: int
    previous_count: int
    change: int
    pct_change: float | None
    z: float
    p_value: float | None
    significant: bool
    verdict: str


@dataclass
class IndicatorResult:
    """One indicator for one place and period, against the comparison period."""

    indicator: str
    name: str
    unit: str
    place: str
    period: str
    start: str
    end: str
    previous_period: str
    months: list[str]
    """The months counted in ``count`` (YYYY-MM): those all counted districts hold."""
    previous_months: list[str]
    """The months counted in ``previous_count``."""
    months_expected: int
    count: int | None
    previous_count: int | None
    change: int | None
    """Only when both sides hold the same months of the year."""
    pct_change: float | None
    rate_per_1000: float | None
    previous_rate_per_1000: float | None
    population: int | None
    """Residents of the counted districts (mid-year of the period's first year)."""
    z: float | None
    p_value: float | None
    significant: bool
    verdict: str
    reason: str | None
    """Why there is no verdict, in plain words (None when there is one)."""
    like_for_like: Comparison | None
    """The months both sides hold, compared, when the periods hold different months."""
    districts: list[str]
    """LAD codes counted."""
    districts_without_data: list[str]
    """LAD codes of the place left out: no data for them."""
    partial: bool
    complete: bool
    series_break: str | None
    warnings: list[str] = field(default_factory=list)

    @property
    def months_with_data(self) -> int:
        return len(self.months)

    @property
    def previous_months_with_data(self) -> int:
        return len(self.previous_months)

    @property
    def held(self) -> bool:
        """Whether there is a figure for the period (a count, possibly 0)."""
        return self.count is not None

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        out = asdict(self)
        out["months_with_data"] = self.months_with_data
        out["previous_months_with_data"] = self.previous_months_with_data
        return out


# ---------------------------------------------------------------- sources and coverage


def _spec_key(indicators: Sequence[Indicator]) -> tuple[Any, ...]:
    return tuple(
        (i.slug, tuple(sorted((k, tuple(v)) for k, v in i.spec.items()))) for i in indicators
    )


_RELEVANT: dict[tuple[Any, ...], list[set[str]]] = {}


def relevant_sources(store_or_con: StoreLike, indicators: Sequence[Indicator]) -> list[set[str]]:
    """Per indicator, the sources that can supply it: its ``sources`` when given, else
    every source with at least one matching row anywhere in the store (so coverage of
    a fire indicator is judged on fire data, not on police months)."""
    backend = backend_of(store_or_con)
    fingerprint = store_fingerprint(store_or_con)
    key = ("relevant", fingerprint, _spec_key(indicators))
    if fingerprint is not None and key in _RELEVANT:
        return _RELEVANT[key]

    def build() -> ir.Table:
        r = backend.table("rollup_district")
        return r.group_by("source").aggregate(
            **{f"m{i}": ind.predicate(r).any() for i, ind in enumerate(indicators)}
        )

    rows = run(backend, ("relevant", _spec_key(indicators)), build) if indicators else []
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


def covered_months(
    coverage: DistrictCoverage, indicator: Indicator, sources: set[str], district: str
) -> set[date]:
    """Months in which ``sources`` cover ``district`` for ``indicator``: police.uk months
    before a category break the indicator cuts through do not count."""
    brk = indicator.series_break()
    out: set[date] = set()
    for s in sources:
        months = coverage.months([s], district)
        if s == POLICE_UK and brk is not None:
            months = {m for m in months if m >= brk.month}
        out |= months
    return out


def held_months(
    store_or_con: StoreLike, *, districts: Sequence[str], indicator: Indicator
) -> tuple[list[str], set[date]]:
    """The districts with any data for ``indicator``, and the months all of them hold
    (the months the place has a figure for, when it is made of those districts)."""
    coverage = district_coverage(store_or_con)
    sources = relevant_sources(store_or_con, [indicator])[0]
    have = {d: covered_months(coverage, indicator, sources, d) for d in districts}
    counted = [d for d in districts if have[d]]
    if not counted:
        return [], set()
    return counted, set.intersection(*(have[d] for d in counted))


# ---------------------------------------------------------------- summaries


def _names(codes: Sequence[str]) -> str:
    return ", ".join(district_name(c) or c for c in codes)


def _pct(cur: int, before: int) -> float | None:
    return None if before == 0 else round(100.0 * (cur - before) / before, 2)


def _rate(count: int | None, population: int | None) -> float | None:
    if count is None or not population:
        return None
    return round(1000.0 * count / population, 3)


def _months_label(months: Sequence[str]) -> str:
    return f"{months[0]} to {months[-1]}" if len(months) > 1 else months[0]


def assess(
    indicator: Indicator,
    *,
    place: str,
    period: Period,
    districts: Sequence[str],
    sources: set[str],
    coverage: DistrictCoverage,
    counts: dict[tuple[str, date], int],
    population: PopulationFn | None = None,
) -> IndicatorResult:
    """One indicator's honest figures from per-(district, month) ``counts``."""
    prev = period.previous()
    back = 12 * period.years_back
    cur_months, prev_months = period.months(), prev.months()
    have = {d: covered_months(coverage, indicator, sources, d) for d in districts}
    counted = [d for d in districts if have[d] & set(cur_months)]
    current_held = bool(counted)
    if not counted:  # nothing this period: still show what the comparison period holds
        counted = [d for d in districts if have[d] & set(prev_months)]
    months = [m for m in cur_months if counted and all(m in have[d] for d in counted)]
    previous = [m for m in prev_months if counted and all(m in have[d] for d in counted)]
    if not current_held:
        months = []

    def total(ms: Sequence[date]) -> int | None:
        return sum(counts.get((d, m), 0) for d in counted for m in ms) if ms else None

    count, previous_count = total(months), total(previous)
    pop = population(counted, period.start.year) if population and count is not None else None
    prev_pop = (
        population(counted, prev.start.year) if population and previous_count is not None else None
    )
    missing = [d for d in districts if d not in counted]
    partial = bool(missing)
    brk = indicator.series_break()
    break_note = None
    if brk is not None and brk.month > prev.start:
        break_note = f"{brk.note} Months before {brk.month:%B %Y} are not counted."
    aligned = bool(months) and [add_months(m, -back) for m in months] == previous

    change = pct = z = p = None
    significant, verdict, reason = False, NO_DATA, None
    like: Comparison | None = None
    if count is not None and previous_count is not None and aligned:
        change, pct = count - previous_count, _pct(count, previous_count)
    if count is None:
        reason = f"no data for {place} in {period.label}"
        if not sources:
            reason = "no imported source supplies this indicator"
        elif current_held:
            reason = f"no month of {period.label} in which {_names(counted)} all hold data"
    elif partial:
        verdict, reason = PARTIAL, _partial_reason(counted, missing, len(districts))
    elif previous_count is None:
        verdict, reason = INCOMPLETE, f"no data for {prev.label} to compare with"
    elif not aligned:
        verdict = INCOMPLETE
        reason = f"{period.label} holds {len(months)} months and {prev.label} {len(previous)}"
        both = [m for m in months if add_months(m, -back) in previous]
        if both:
            like = _like_for_like(both, back, counted, counts)
            reason += f"; compared like for like over the {len(both)} months both hold"
    else:
        j = judge(count, previous_count)
        z, p, significant, verdict = round(j.z, 4), j.p_value, j.significant, j.verdict
        reason = j.verdict if j.too_few else None

    warnings = []
    if count is not None and len(months) < period.length:
        warnings.append(f"{period.label}: data for {len(months)} of {period.length} months")
    if previous_count is not None and len(previous) < prev.length:
        warnings.append(f"{prev.label}: data for {len(previous)} of {prev.length} months")
    if partial and reason:
        warnings.append(reason)
    if break_note:
        warnings.append(break_note)
    return IndicatorResult(
        indicator=indicator.slug, name=indicator.name, unit=indicator.unit, place=place,
        period=period.label, start=format_month(period.start), end=format_month(period.end),
        previous_period=prev.label,
        months=[format_month(m) for m in months],
        previous_months=[format_month(m) for m in previous],
        months_expected=period.length, count=count, previous_count=previous_count,
        change=change, pct_change=pct, rate_per_1000=_rate(count, pop),
        previous_rate_per_1000=_rate(previous_count, prev_pop), population=pop,
        z=z, p_value=p, significant=significant, verdict=verdict, reason=reason,
        like_for_like=like, districts=list(counted) if count is not None else [],
        districts_without_data=missing if count is not None else list(districts),
        partial=partial,
        complete=(not partial and len(months) == period.length
                  and len(previous) == prev.length),
        series_break=break_note, warnings=warnings,
    )  # fmt: skip


def _partial_reason(counted: Sequence[str], missing: Sequence[str], total: int) -> str:
    if len(counted) <= 5:
        return f"covers {len(counted)} of {total} districts: {_names(counted)}"
    return f"covers {len(counted)} of {total} districts; no data for {_names(missing)}"


def _like_for_like(
    months: list[date], back: int, districts: Sequence[str], counts: dict[tuple[str, date], int]
) -> Comparison:
    before = [add_months(m, -back) for m in months]
    cur = sum(counts.get((d, m), 0) for d in districts for m in months)
    prev = sum(counts.get((d, m), 0) for d in districts for m in before)
    j = judge(cur, prev)
    return Comparison(
        months=[format_month(m) for m in months],
        previous_months=[format_month(m) for m in before],
        count=cur, previous_count=prev, change=cur - prev, pct_change=_pct(cur, prev),
        z=round(j.z, 4), p_value=j.p_value, significant=j.significant, verdict=j.verdict,
    )  # fmt: skip


def district_month_counts(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    start: date,
    end: date,
    indicators: Sequence[Indicator],
) -> list[dict[tuple[str, date], int]]:
    """Per indicator: (district, month) → count between ``start`` and ``end`` (one query)."""
    backend = backend_of(store_or_con)
    names = [f"c{i}" for i in range(len(indicators))]

    def build() -> ir.Table:
        r = backend.table("rollup_district")
        base = r.filter(r.district.isin(list(districts)), r.month.between(start, end))
        aggs = {names[i]: base.n.sum(where=ind.predicate(base)) for i, ind in enumerate(indicators)}
        return base.group_by(["district", "month"]).aggregate(**aggs)

    key = ("district-months", tuple(districts), start, end, _spec_key(indicators))
    out: list[dict[tuple[str, date], int]] = [{} for _ in indicators]
    if not indicators or not districts:
        return out
    for district, month, *values in run(backend, key, build):
        for i, v in enumerate(values):
            if v:
                out[i][(str(district), month)] = int(v)
    return out


def summarise(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    place: str,
    period: Period,
    indicators: Sequence[Indicator] = DEFAULT_INDICATORS,
    population: PopulationFn | None = None,
) -> list[IndicatorResult]:
    """Every indicator for ``districts`` in ``period`` against ``period.previous()``.

    ``population`` gives rates per 1,000 residents of the districts counted.
    """
    prev = period.previous()
    coverage = district_coverage(store_or_con)
    sources = relevant_sources(store_or_con, indicators)
    counts = district_month_counts(store_or_con, districts=districts, start=prev.start,
                                   end=period.end, indicators=indicators)  # fmt: skip
    return [
        assess(ind, place=place, period=period, districts=districts, sources=sources[i],
               coverage=coverage, counts=counts[i], population=population)
        for i, ind in enumerate(indicators)
    ]  # fmt: skip


def by_district(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    period: Period,
    indicator: Indicator,
    population: PopulationFn | None = None,
) -> list[IndicatorResult]:
    """The indicator for each of ``districts`` on its own (one query for all)."""
    prev = period.previous()
    coverage = district_coverage(store_or_con)
    sources = relevant_sources(store_or_con, [indicator])[0]
    counts = district_month_counts(store_or_con, districts=districts, start=prev.start,
                                   end=period.end, indicators=[indicator])[0]  # fmt: skip
    return [
        assess(indicator, place=district_name(d) or d, period=period, districts=[d],
               sources=sources, coverage=coverage, counts=counts, population=population)
        for d in districts
    ]  # fmt: skip


# ---------------------------------------------------------------- monthly series


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


def monthly_series(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    indicator: Indicator,
    start: date,
    end: date,
) -> list[SeriesPoint]:
    """A c-chart of monthly counts with 3sigma limits and run-rule signals.

    It counts the districts with data in the window and, within the first and last month
    they all hold, marks a month that any of them lacks as a gap (count None), never a
    zero; gaps are excluded from the mean and break runs. Empty months before the first
    and after the last month held are left out: the chart starts and ends with data.
    """
    return monthly_series_all(
        store_or_con, districts=districts, indicators=[indicator], start=start, end=end
    )[indicator.slug]


def monthly_series_all(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    indicators: Sequence[Indicator],
    start: date,
    end: date,
) -> dict[str, list[SeriesPoint]]:
    """:func:`monthly_series` of several indicators, from one query."""
    window = [add_months(start, i) for i in range(months_between(start, end))]
    counts = district_month_counts(store_or_con, districts=districts, start=start, end=end,
                                   indicators=indicators)  # fmt: skip
    out: dict[str, list[SeriesPoint]] = {}
    for indicator, by_district_month in zip(indicators, counts, strict=True):
        counted, place_months = held_months(store_or_con, districts=districts,
                                            indicator=indicator)  # fmt: skip
        held = [m for m in window if m in place_months]
        if not held:
            out[indicator.slug] = []
            continue
        months = [m for m in window if held[0] <= m <= held[-1]]
        values: list[int | None] = [
            sum(by_district_month.get((d, m), 0) for d in counted) if m in place_months else None
            for m in months
        ]
        out[indicator.slug] = _series_points(months, values)
    return out


def _series_points(months: list[date], values: list[int | None]) -> list[SeriesPoint]:
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
