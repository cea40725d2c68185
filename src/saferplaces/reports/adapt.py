"""The evidence layer's Performance pieces as the report pack's types: one adapter for
the dashboard's charts and the board papers alike.

`reports.assemble.month_points` already converts an insight control chart, so it is used
as is; seasonal windows keep the evidence layer's own notes (missing months, or "needs
day-level data").
"""

from __future__ import annotations

from collections.abc import Sequence

from saferplaces.evidence.performance import DistrictRate, Seasonal
from saferplaces.insight.breakdowns import Share
from saferplaces.insight.compare import SeriesPoint
from saferplaces.reports.assemble import month_points
from saferplaces.reports.pack import (
    CategoryFigure,
    DistrictFigure,
    MonthPoint,
    SeasonalRow,
    SeasonalTable,
)

__all__ = ["categories", "districts", "month_points", "seasonal_table", "series_points"]


def series_points(points: Sequence[SeriesPoint]) -> list[MonthPoint]:
    """A control chart (insight) as pack month points; gaps stay gaps, never zeros."""
    return month_points(points)


def seasonal_table(item: Seasonal) -> SeasonalTable:
    """A seasonal window year by year; a year that could not be counted has no count and
    the evidence layer's note (missing months, or "needs day-level data") is kept."""
    rows = [
        SeasonalRow(r.year, r.count if r.resolution_ok and r.count is not None else None)
        for r in item.years
    ]
    return SeasonalTable(item.title, item.window, rows, item.note, item.indicator.unit)


def categories(shares: Sequence[Share]) -> list[CategoryFigure]:
    return [CategoryFigure(s.label, s.count, s.previous) for s in shares]


def districts(rates: Sequence[DistrictRate]) -> list[DistrictFigure]:
    return [DistrictFigure(d.name, d.count, d.rate_per_1000) for d in rates]
