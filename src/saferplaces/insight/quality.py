"""Data quality per source, dataset and month: gaps, unlocated rows, rows out of area."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from saferplaces.insight.compare import StoreLike, backend_of
from saferplaces.insight.periods import add_months, format_month, months_between


@dataclass
class MonthQuality:
    """Quality figures for one (source, dataset, month)."""

    source: str
    dataset: str
    month: str
    rows: int
    no_location: int
    no_lsoa: int
    no_district: int
    outside_area: int | None

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return asdict(self)


def missing_months(
    store_or_con: StoreLike,
    *,
    start: date,
    end: date,
    source: str | None = None,
    dataset: str | None = None,
) -> list[date]:
    """Months in ``start``..``end`` with no rows at all for the source/dataset."""
    t = backend_of(store_or_con).table("rollup_district")
    t = t.filter(t.month.between(start, end))
    if source:
        t = t.filter(t.source == source)
    if dataset:
        t = t.filter(t.dataset == dataset)
    expr = t.select("month").distinct()
    backend = expr._find_backend()
    have = {r[0] for r in backend.con.execute(str(backend.compile(expr))).fetchall()}
    months = [add_months(start, i) for i in range(months_between(start, end))]
    return [m for m in months if m not in have]


def quality_by_month(
    store_or_con: StoreLike,
    *,
    start: date,
    end: date,
    area_districts: Sequence[str] | None = None,
    source: str | None = None,
) -> list[MonthQuality]:
    """Rows, rows without location / LSOA / district and rows outside the partnership's
    area (district known but not in ``area_districts``), per source, dataset and month."""
    t = backend_of(store_or_con).table("incidents")
    t = t.filter(t.month.between(start, end))
    if source:
        t = t.filter(t.source == source)
    aggs = {
        "rows": t.count(),
        "no_location": (t.lat.isnull() | t.lon.isnull()).cast("int64").sum(),
        "no_lsoa": t.lsoa.isnull().cast("int64").sum(),
        "no_district": t.district.isnull().cast("int64").sum(),
    }
    if area_districts is not None:
        outside = t.district.notnull() & ~t.district.isin(list(area_districts))
        aggs["outside_area"] = outside.cast("int64").sum()
    expr = (
        t.group_by(["source", "dataset", "month"])
        .aggregate(**aggs)
        .order_by(["source", "dataset", "month"])
    )
    backend = expr._find_backend()
    out = []
    for row in backend.con.execute(str(backend.compile(expr))).fetchall():
        src, ds, month, rows, no_loc, no_lsoa, no_d, *rest = row
        out.append(
            MonthQuality(src, ds, format_month(month), int(rows), int(no_loc or 0),
                         int(no_lsoa or 0), int(no_d or 0), int(rest[0] or 0) if rest else None)
        )  # fmt: skip
    return out
