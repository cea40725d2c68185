"""The evidence layer's Performance pieces as the report pack's types: one adapter for
the dashboard's charts and the board papers alike. Values are carried over unchanged;
gaps stay gaps, never zeros; seasonal windows keep the evidence layer's own notes
(missing months, or "needs day-level data")."""

from __future__ import annotations

from collections.abc import Sequence

from saferplaces.evidence.performance import DistrictRate, Seasonal
from saferplaces.insight.compare import Comparison, IndicatorResult, SeriesPoint
from saferplaces.insight.periods import parse_month
from saferplaces.reports import wording
from saferplaces.reports.pack import (
    CategoryFigure,
    DistrictFigure,
    IndicatorFigure,
    LikeForLike,
    MonthPoint,
    SeasonalRow,
    SeasonalTable,
)

__all__ = [
    "categories",
    "districts",
    "figure",
    "like_for_like",
    "seasonal_table",
    "series_points",
]


def like_for_like(comparison: Comparison | None) -> LikeForLike | None:
    """The engine's like-for-like comparison (the months both periods hold) for the pack."""
    if comparison is None or not comparison.months:
        return None
    return LikeForLike(
        first=parse_month(comparison.months[0]),
        last=parse_month(comparison.months[-1]),
        months=len(comparison.months),
        count=comparison.count,
        previous_count=comparison.previous_count,
        change=comparison.change,
        pct_change=comparison.pct_change,
        significant=comparison.significant,
        verdict=comparison.verdict,
        z=comparison.z,
        p_value=comparison.p_value,
    )


def figure(result: IndicatorResult) -> IndicatorFigure:
    """An indicator's comparison as a pack figure."""
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
        p_value=result.p_value,
        reason=result.reason,
        like_for_like=like_for_like(result.like_for_like),
        months=len(result.months),
        previous_months=len(result.previous_months),
        months_expected=result.months_expected,
        partial=result.partial,
    )


def series_points(points: Sequence[SeriesPoint]) -> list[MonthPoint]:
    """A control chart as pack month points (signals in plain words, joined with "; ")."""
    return [
        MonthPoint(
            month=parse_month(p.month),
            count=None if p.gap else p.count,
            mean=p.mean,
            upper=p.upper,
            lower=p.lower,
            signal=wording.signal_words(p.signals),
            missing=p.gap or p.count is None,
        )
        for p in points
    ]


def seasonal_table(item: Seasonal) -> SeasonalTable:
    """A seasonal window year by year; a year that could not be counted has no count and
    the evidence layer's note (missing months, or "needs day-level data") is kept."""
    rows = [
        SeasonalRow(r.year, r.count if r.resolution_ok and r.count is not None else None)
        for r in item.years
    ]
    return SeasonalTable(item.title, item.window, rows, item.note, item.indicator.unit)


def categories(results: Sequence[IndicatorResult]) -> list[CategoryFigure]:
    """Category rows (made by the indicators' rules) as pack figures."""
    return [
        CategoryFigure(
            r.name, r.count, r.previous_count, r.change, r.pct_change, r.verdict, r.reason,
            like_for_like(r.like_for_like), r.series_break,
        )
        for r in results
    ]  # fmt: skip


def districts(rates: Sequence[DistrictRate]) -> list[DistrictFigure]:
    """District rates as pack figures (no figure where a district has no data)."""
    return [DistrictFigure(d.name, d.count, d.rate_per_1000) for d in rates]
