"""Breakdowns of an indicator within a period: by category and by LSOA.

Both follow the indicator's own figures: the category rows are indicators made by the
same rules as the cards (coverage, like-for-like months, series breaks, verdicts), and
the LSOA rows count exactly the months and districts the indicator counted, so a
breakdown never disagrees with the figure it breaks down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import ibis

from saferplaces.insight.compare import IndicatorResult, PopulationFn, summarise
from saferplaces.insight.geography import lsoa_names, lsoa_population, lsoas_of
from saferplaces.insight.indicators import Indicator, category_indicators
from saferplaces.insight.periods import Period, parse_month
from saferplaces.insight.query import StoreLike, backend_of


def by_category(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    place: str,
    indicator: Indicator,
    period: Period,
    population: PopulationFn | None = None,
) -> list[IndicatorResult]:
    """The indicator's categories of today's police.uk list, largest first in the period
    (categories with no figure on either side are left out)."""
    rows = summarise(store_or_con, districts=districts, place=place, period=period,
                     indicators=category_indicators(indicator), population=population)  # fmt: skip
    rows = [r for r in rows if r.count is not None or r.previous_count is not None]
    return sorted(rows, key=lambda r: (-(r.count or 0), r.name))


@dataclass(frozen=True)
class LsoaFigure:
    """One LSOA: its counts over the indicator's months and its rate per 1,000."""

    code: str
    name: str
    district: str
    count: int
    previous: int | None
    population: int | None
    rate_per_1000: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def by_lsoa(
    store_or_con: StoreLike,
    *,
    result: IndicatorResult,
    indicator: Indicator,
    year: int,
) -> list[LsoaFigure]:
    """The indicator by 2011 LSOA over exactly the months and districts ``result``
    counted: every LSOA of those districts (0 where none was recorded), largest first.
    Rows without a location are in the district figure but in no LSOA."""
    if result.count is None or not result.districts:
        return []
    months = [parse_month(m) for m in result.months]
    previous = [parse_month(m) for m in result.previous_months]
    counts = _lsoa_counts(store_or_con, result.districts, indicator, months, previous)
    names = lsoa_names()
    out = []
    for district in result.districts:
        for code in lsoas_of(district):
            cur, before = counts.get(code, (0, 0))
            pop = lsoa_population(code, year)
            out.append(
                LsoaFigure(code, names.get(code, code), district, cur,
                           before if previous else None, pop,
                           round(1000.0 * cur / pop, 3) if pop else None)
            )  # fmt: skip
    return sorted(out, key=lambda s: (-s.count, s.code))


def _lsoa_counts(
    store_or_con: StoreLike,
    districts: Sequence[str],
    indicator: Indicator,
    months: Sequence[date],
    previous: Sequence[date],
) -> dict[str, tuple[int, int]]:
    backend = backend_of(store_or_con)
    r = backend.table("rollup")
    t = r.filter(r.district.isin(list(districts)), r.month.isin([*months, *previous]))
    t = t.filter(indicator.predicate(t))
    in_prev = t.month.isin(list(previous)) if previous else ibis.literal(False)
    expr = t.group_by("lsoa").aggregate(
        cur=t.n.sum(where=t.month.isin(list(months))), before=t.n.sum(where=in_prev)
    )
    sql = str(backend.compile(expr))
    return {
        str(key): (int(cur or 0), int(before or 0))
        for key, cur, before in backend.con.execute(sql).fetchall()
        if key is not None
    }


__all__ = ["LsoaFigure", "by_category", "by_lsoa", "lsoa_names"]
