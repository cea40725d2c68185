"""Breakdowns of an indicator within a period: by category, by LSOA and by district.

Every count comes from the store's rollups, which hold exactly the deduplicated
incident counts, so a breakdown always adds up to the indicator's total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from saferplaces.insight.compare import StoreLike, backend_of
from saferplaces.insight.geography import lsoa_names
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import Period
from saferplaces.insight.schema import CATEGORIES


@dataclass(frozen=True)
class Share:
    """One row of a breakdown: a key (category slug, LSOA or LAD code) and its counts."""

    key: str
    label: str
    count: int
    previous: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _counts(
    store_or_con: StoreLike,
    *,
    table: str,
    by: str,
    districts: Sequence[str],
    indicator: Indicator,
    period: Period,
) -> dict[str, tuple[int, int]]:
    backend = backend_of(store_or_con)
    prev = period.previous()
    r = backend.table(table)
    t = r.filter(r.district.isin(list(districts)), r.month.between(prev.start, period.end))
    t = t.filter(indicator.predicate(t))
    expr = t.group_by(by).aggregate(
        cur=t.n.sum(where=t.month >= period.start), before=t.n.sum(where=t.month <= prev.end)
    )
    sql = str(backend.compile(expr))
    return {
        str(key): (int(cur or 0), int(before or 0))
        for key, cur, before in backend.con.execute(sql).fetchall()
        if key is not None
    }


def by_category(
    store_or_con: StoreLike, *, districts: Sequence[str], indicator: Indicator, period: Period
) -> list[Share]:
    """The indicator's categories, largest first in the period."""
    counts = _counts(store_or_con, table="rollup_district", by="category", districts=districts,
                     indicator=indicator, period=period)  # fmt: skip
    rows = [
        Share(slug, CATEGORIES.get(slug).label if slug in CATEGORIES else slug, cur, before)
        for slug, (cur, before) in counts.items()
    ]
    return sorted(rows, key=lambda s: (-s.count, s.label))


def by_lsoa(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    indicator: Indicator,
    period: Period,
    names: dict[str, str] | None = None,
) -> list[Share]:
    """The indicator by LSOA (located rows only), largest first in the period."""
    counts = _counts(store_or_con, table="rollup", by="lsoa", districts=districts,
                     indicator=indicator, period=period)  # fmt: skip
    names = names if names is not None else lsoa_names()
    rows = [
        Share(code, names.get(code, code), cur, before) for code, (cur, before) in counts.items()
    ]
    return sorted(rows, key=lambda s: (-s.count, s.key))


def by_district(
    store_or_con: StoreLike,
    *,
    districts: Sequence[str],
    indicator: Indicator,
    period: Period,
    names: dict[str, str] | None = None,
) -> list[Share]:
    """The indicator for each of ``districts`` (zero where a district has none)."""
    counts = _counts(store_or_con, table="rollup_district", by="district", districts=districts,
                     indicator=indicator, period=period)  # fmt: skip
    names = names or {}
    return [Share(code, names.get(code, code), *counts.get(code, (0, 0))) for code in districts]


__all__ = ["Share", "by_category", "by_district", "by_lsoa", "lsoa_names"]
