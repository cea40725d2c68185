"""Data quality for a place and period: per source and month, the rows held for the
place, the rows with no location or LSOA (which no district can claim), the rows of the
same datasets that fall outside the place, and the months a source does not cover the
place's districts (answered by ``insight.coverage``, the one place coverage is decided)."""

from __future__ import annotations

from dataclasses import dataclass

from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.store import incident_store
from saferplaces.insight.coverage import district_coverage, months_missing
from saferplaces.insight.geography import district_name
from saferplaces.insight.periods import Period, format_month
from saferplaces.insight.quality import MonthQuality, quality_by_month


@dataclass(frozen=True)
class QualityReport:
    scope: PlaceScope
    period: Period
    months: list[MonthQuality]
    missing: dict[str, dict[str, list[str]]]
    """source → month (YYYY-MM) → names of the place's districts it does not cover."""

    @property
    def totals(self) -> dict[str, int]:
        keys = ("rows", "no_location", "no_lsoa", "no_district", "outside_area")
        return {k: sum(getattr(m, k) or 0 for m in self.months) for k in keys}


def quality_report(scope: PlaceScope, period: Period) -> QualityReport:
    store = incident_store()
    months = quality_by_month(
        store, start=period.start, end=period.end, area_districts=list(scope.districts)
    )
    coverage = district_coverage(store)
    missing = {
        source: {
            format_month(m): [district_name(d) or d for d in gaps]
            for m, gaps in months_missing(
                coverage, [source], scope.districts, period.months()
            ).items()
        }
        for source in coverage.sources()
    }
    return QualityReport(scope, period, months, missing)
