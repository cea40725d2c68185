"""What the incident store holds, per source and dataset: first and last month, rows and
the months missing in between (a trend across a gap must say so)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from saferplaces.insight.periods import add_months, format_month, months_between, parse_month
from saferplaces.insight.store import IncidentStore


@dataclass(frozen=True)
class Coverage:
    source: str
    dataset: str
    first: str
    last: str
    rows: int
    missing: list[str]


def coverage(store: IncidentStore) -> list[Coverage]:
    out = []
    parts = sorted(store.partitions(), key=lambda p: (p.source, p.dataset, p.month))
    for (source, dataset), group in groupby(parts, key=lambda p: (p.source, p.dataset)):
        items = list(group)
        held = {p.month for p in items}
        first, last = parse_month(items[0].month), parse_month(items[-1].month)
        every = [format_month(add_months(first, i)) for i in range(months_between(first, last))]
        out.append(
            Coverage(
                source=source,
                dataset=dataset,
                first=items[0].month,
                last=items[-1].month,
                rows=sum(p.rows for p in items),
                missing=[m for m in every if m not in held],
            )
        )
    return out
