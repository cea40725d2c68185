"""Data quality for a place and period: per source and month, the rows held for the
place, the rows with no location or LSOA (which no district can claim), the rows of the
same datasets that fall outside the place, and the months missing altogether."""

from __future__ import annotations

from dataclasses import dataclass

from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.store import incident_store
from saferplaces.insight.periods import Period, format_month
from saferplaces.insight.quality import MonthQuality, missing_months, quality_by_month


@dataclass(frozen=True)
class QualityReport:
    scope: PlaceScope
    period: Period
    months: list[MonthQuality]
    missing: dict[str, list[str]]

    @property
    def totals(self) -> dict[str, int]:
        keys = ("rows", "no_location", "no_lsoa", "no_district", "outside_area")
        return {k: sum(getattr(m, k) or 0 for m in self.months) for k in keys}


def quality_report(scope: PlaceScope, period: Period) -> QualityReport:
    store = incident_store()
    months = quality_by_month(
        store, start=period.start, end=period.end, area_districts=list(scope.districts)
    )
    sources = sorted({p.source for p in store.partitions()})
    missing = {
        s: [
            format_month(m)
            for m in missing_months(store, start=period.start, end=period.end, source=s)
        ]
        for s in sources
    }
    return QualityReport(scope, period, months, missing)
