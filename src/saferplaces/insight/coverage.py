"""What the incident store covers: the one place that answers it.

Two questions, both read from the store's ``rollup_district`` (the deduplicated counts):

- :func:`district_coverage`: for each source, which districts each month is covered
  for. A month counts for a district only when the imported data covers that district
  in that month: the district has rows in it, and, for police.uk, the rows come from the
  force whose area the district is in. A force's file that strays a handful of crimes
  over its border (Lancashire's rows in Wigan) does not cover the neighbouring district,
  and an extract of one district (the demo's West Lancashire sample) covers that district
  only, never the rest of its force or county.
- :func:`held`: per source and dataset, the first and last month held, rows, and the
  months missing in between (the imports page).

A place made of several districts is covered in a month only when all its districts
are; see ``compare``. Results are cached per store fingerprint.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from saferplaces.insight.geography import pfa_for_force, pfa_of_district
from saferplaces.insight.periods import add_months, format_month, months_between, parse_month
from saferplaces.insight.query import StoreLike, backend_of, store_fingerprint

POLICE_UK = "police_uk"

_CACHE: dict[str, DistrictCoverage] = {}


@dataclass(frozen=True)
class DistrictCoverage:
    """source → district (LAD code) → the months (first days) the source covers it."""

    by_source: Mapping[str, Mapping[str, frozenset[date]]]

    def months(self, sources: Iterable[str], district: str) -> set[date]:
        """Months in which any of ``sources`` covers ``district``."""
        out: set[date] = set()
        for s in sources:
            out |= self.by_source.get(s, {}).get(district, frozenset())
        return out

    def sources(self) -> list[str]:
        return sorted(self.by_source)


def _force_covers(dataset: str, district: str) -> bool:
    """Whether a police.uk dataset (a force slug) covers ``district``: the district is in
    the force's police force area. Datasets that are no territorial force (British
    Transport Police) cover no district on their own."""
    pfa = pfa_for_force(dataset)
    return pfa is not None and pfa == pfa_of_district(district)


def district_coverage(store_or_con: StoreLike) -> DistrictCoverage:
    """Which districts each source covers in each month (cached per store fingerprint)."""
    fingerprint = store_fingerprint(store_or_con)
    if fingerprint is not None and fingerprint in _CACHE:
        return _CACHE[fingerprint]
    backend = backend_of(store_or_con)
    rows = backend.con.execute(
        "SELECT source, dataset, district, month FROM rollup_district "
        "WHERE district IS NOT NULL AND n > 0 GROUP BY ALL"
    ).fetchall()
    found: dict[str, dict[str, set[date]]] = defaultdict(lambda: defaultdict(set))
    for source, dataset, district, month in rows:
        if source == POLICE_UK and not _force_covers(str(dataset), str(district)):
            continue
        found[str(source)][str(district)].add(month)
    out = DistrictCoverage(
        {s: {d: frozenset(ms) for d, ms in by_d.items()} for s, by_d in found.items()}
    )
    if fingerprint is not None:
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[fingerprint] = out
    return out


@dataclass(frozen=True)
class DatasetHeld:
    """What the store holds of one source and dataset."""

    source: str
    dataset: str
    first: str
    last: str
    rows: int
    missing: list[str]
    """Months between ``first`` and ``last`` with nothing held (a trend across a gap must
    say so)."""


def held(partitions: Iterable[tuple[str, str, str, int]]) -> list[DatasetHeld]:
    """Per (source, dataset): first and last month, rows and the months missing between,
    from the store's partitions as ``(source, dataset, month, rows)``."""
    out = []
    parts = sorted(partitions)
    for (source, dataset), group in groupby(parts, key=lambda p: (p[0], p[1])):
        items = list(group)
        have = {p[2] for p in items}
        first, last = parse_month(items[0][2]), parse_month(items[-1][2])
        every = [format_month(add_months(first, i)) for i in range(months_between(first, last))]
        out.append(
            DatasetHeld(source, dataset, items[0][2], items[-1][2], sum(p[3] for p in items),
                        [m for m in every if m not in have])
        )  # fmt: skip
    return out


def months_missing(
    coverage: DistrictCoverage,
    sources: Iterable[str],
    districts: Iterable[str],
    months: Iterable[date],
) -> dict[date, list[str]]:
    """Month → the districts ``sources`` do not cover in it (months all covered are left
    out)."""
    wanted = list(sources)
    out: dict[date, list[str]] = {}
    for m in months:
        gaps = [d for d in districts if m not in coverage.months(wanted, d)]
        if gaps:
            out[m] = gaps
    return out


def last_month(coverage: DistrictCoverage, sources: Iterable[str] | None = None) -> date | None:
    """The latest month any district is covered in (by ``sources``, or by any source)."""
    wanted = set(sources) if sources is not None else set(coverage.by_source)
    months = [m for s in wanted for ms in coverage.by_source.get(s, {}).values() for m in ms]
    return max(months) if months else None


__all__ = [
    "DatasetHeld",
    "DistrictCoverage",
    "district_coverage",
    "held",
    "last_month",
    "months_missing",
]
