"""Data quality per source, dataset and month: unlocated rows and rows out of area (the
months and districts not covered are answered by ``coverage``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from saferplaces.insight.periods import format_month
from saferplaces.insight.query import StoreLike, backend_of


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
