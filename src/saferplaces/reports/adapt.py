"""The evidence layer's Performance pieces as the report pack's types: one adapter for
the dashboard's charts and the board papers alike. Values are carried over unchanged;
gaps stay gaps, never zeros; seasonal windows keep the evidence layer's own notes
(missing months, or "needs day-level data")."""

from __future__ import annotations

from collections.abc import Sequence

from saferplaces.evidence.performance import DistrictRate, Seasonal
from saferplaces.insight.breakdowns import Share
from saferplaces.insight.compare import IndicatorResult, SeriesPoint
from saferplaces.insight.periods import parse_month
from saferplaces.reports.pack import (
    CategoryFigure,
    DistrictFigure,
    IndicatorFigure,
    MonthPoint,
    SeasonalRow,
    SeasonalTable,
)

__all__ = ["categories", "districts", "figure", "seasonal_table", "series_points"]


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
    )


def series_points(points: Sequence[SeriesPoint]) -> list[MonthPoint]:
    """A control chart as pack month points (signals joined with "; ")."""
    return [
        MonthPoint(
            month=parse_month(p.month),
            count=None if p.gap else p.count,
            mean=p.mean,
            upper=p.upper,
            lower=p.lower,
            signal="; ".join(p.signals) if p.signals else None,
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


def categories(shares: Sequence[Share]) -> list[CategoryFigure]:
    """Category shares as pack figures."""
    return [CategoryFigure(s.label, s.count, s.previous) for s in shares]


def districts(rates: Sequence[DistrictRate]) -> list[DistrictFigure]:
    """District rates as pack figures."""
    return [DistrictFigure(d.name, d.count, d.rate_per_1000) for d in rates]
