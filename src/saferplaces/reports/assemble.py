"""Fill a :class:`PerformancePack` from already-computed insight results.

Takes the insight engine's result objects (``compare.IndicatorResult``,
``compare.SeriesPoint``, ``seasons.WindowResult``, ``quality.MonthQuality``), not
Django models and not a store: the caller runs the queries. The result types are
described here as Protocols, so this module needs only their attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from saferplaces.reports.pack import (
    CategoryFigure,
    DistrictFigure,
    IndicatorFigure,
    MonthPoint,
    PerformancePack,
    SeasonalRow,
    SeasonalTable,
)


class IndicatorResultLike(Protocol):
    """What ``insight.compare.IndicatorResult`` provides."""

    indicator: str
    name: str
    unit: str
    count: int
    previous_count: int
    change: int
    pct_change: float | None
    rate_per_1000: float | None
    z: float
    significant: bool
    verdict: str
    warnings: list[str]


class SeriesPointLike(Protocol):
    """What ``insight.compare.SeriesPoint`` provides (``month`` as ``"YYYY-MM"``)."""

    month: str
    count: int | None
    mean: float
    upper: float
    lower: float
    gap: bool
    signals: list[str]


class WindowResultLike(Protocol):
    """What ``insight.seasons.WindowResult`` provides."""

    window: str
    year: int
    count: int | None
    resolution_ok: bool
    reason: str | None


class MonthQualityLike(Protocol):
    """What ``insight.quality.MonthQuality`` provides."""

    source: str
    dataset: str
    month: str
    rows: int
    no_location: int
    no_lsoa: int


@dataclass(frozen=True)
class SeasonalInput:
    """A seasonal window's results with the words to show them under."""

    title: str
    window_label: str
    results: Sequence[WindowResultLike]
    unit: str = "incidents"


def _month(text: str) -> date:
    year, month = text[:7].split("-")
    return date(int(year), int(month), 1)


def figure(result: IndicatorResultLike) -> IndicatorFigure:
    """An insight indicator result as a pack figure (values unchanged)."""
    return IndicatorFigure(
        slug=result.indicator,
        name=result.name,
        unit=result.unit,
        count=result.count,
        previous_count=result.previous_count,
        change=result.change,
        pct_change=result.pct_change,
        rate_per_1000=result.rate_per_1000,
        z=result.z,
        significant=result.significant,
        verdict=result.verdict,
    )


def month_points(points: Sequence[SeriesPointLike]) -> list[MonthPoint]:
    """An insight control chart as pack month points (signals joined with "; ")."""
    return [
        MonthPoint(
            month=_month(p.month),
            count=None if p.gap else p.count,
            mean=p.mean,
            upper=p.upper,
            lower=p.lower,
            signal="; ".join(p.signals) if p.signals else None,
            missing=p.gap or p.count is None,
        )
        for p in points
    ]


def seasonal_table(item: SeasonalInput) -> SeasonalTable:
    """A seasonal window's year-by-year results as a pack table.

    Years that could not be counted (day window over month-level data) have no count;
    their reason becomes the table's note.
    """
    rows = [SeasonalRow(r.year, r.count if r.resolution_ok else None) for r in item.results]
    reasons = sorted({r.reason for r in item.results if not r.resolution_ok and r.reason})
    note = None
    if reasons:
        uncounted = [r.year for r in item.results if not r.resolution_ok]
        years = ", ".join(str(y) for y in uncounted)
        note = f"Needs day-level data (not counted for {years}): {reasons[0]}."
    return SeasonalTable(item.title, item.window_label, rows, note, item.unit)


def quality_notes(
    results: Sequence[IndicatorResultLike] = (),
    *,
    missing: Mapping[str, Sequence[date]] | None = None,
    quality: Sequence[MonthQualityLike] = (),
) -> list[str]:
    """Plain-English data-quality notes: coverage warnings, missing months per source,
    and the share of rows that could not be placed in an LSOA."""
    notes: list[str] = []
    seen: set[str] = set()
    for r in results:
        for w in r.warnings:
            text = f"{r.name}: {w}."
            if text not in seen:
                seen.add(text)
                notes.append(text)
    for source, months in (missing or {}).items():
        if months:
            names = ", ".join(f"{m:%B %Y}" for m in months)
            notes.append(f"No {source} data for {names}: the series shows a gap there.")
    total = sum(q.rows for q in quality)
    unlocated = sum(q.no_lsoa for q in quality)
    if total:
        notes.append(
            f"{100 * unlocated / total:.1f}% of rows ({unlocated:,} of {total:,}) had no "
            "location or LSOA; they count towards the district total but cannot be mapped."
        )
    return notes


def build_pack(
    *,
    place_name: str,
    place_code: str,
    place_kind: str,
    partnership_name: str,
    period_label: str,
    start_month: date,
    end_month: date,
    comparison_label: str,
    results: Sequence[IndicatorResultLike],
    series: Mapping[str, Sequence[SeriesPointLike]] | None = None,
    seasonal: Sequence[SeasonalInput] = (),
    categories: Sequence[IndicatorResultLike] = (),
    districts: Sequence[tuple[str, IndicatorResultLike]] = (),
    missing: Mapping[str, Sequence[date]] | None = None,
    quality: Sequence[MonthQualityLike] = (),
    extra_notes: Sequence[str] = (),
    sources: Sequence[str] = (),
    population: int | None = None,
    generated_at: datetime | None = None,
    category_unit: str = "crimes",
) -> PerformancePack:
    """A performance pack from insight results.

    ``results``: ``compare.summarise(...)`` for the place; ``series``: indicator slug →
    ``compare.monthly_series(...)``; ``categories``: ``summarise`` over one indicator
    per category; ``districts``: (district name, that district's result for the
    comparison indicator); ``missing``: source → ``quality.missing_months(...)``.
    """
    return PerformancePack(
        place_name=place_name,
        place_code=place_code,
        place_kind=place_kind,
        period_label=period_label,
        start_month=start_month,
        end_month=end_month,
        comparison_label=comparison_label,
        generated_at=generated_at or datetime.now(UTC),
        partnership_name=partnership_name,
        indicators=[figure(r) for r in results],
        series={slug: month_points(points) for slug, points in (series or {}).items()},
        seasonal=[seasonal_table(s) for s in seasonal],
        categories=[CategoryFigure(r.name, r.count, r.previous_count) for r in categories],
        districts=[DistrictFigure(name, r.count, r.rate_per_1000) for name, r in districts],
        quality_notes=[*quality_notes(results, missing=missing, quality=quality), *extra_notes],
        sources=list(sources),
        population=population,
        category_unit=category_unit,
    )
