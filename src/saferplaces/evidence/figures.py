"""The figures a page, a command or a paper asks for: indicator summaries for a place and
period, computed by the insight engine over this installation's incident store."""

from __future__ import annotations

from datetime import date

from saferplaces.evidence.models import IndicatorDefinition
from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.store import incident_store
from saferplaces.insight.compare import IndicatorResult, held_months, summarise
from saferplaces.insight.coverage import district_coverage, last_month
from saferplaces.insight.indicators import DEFAULT_INDICATORS, Indicator
from saferplaces.insight.periods import Period, format_month


def indicator_set() -> list[Indicator]:
    """The default indicators, then the partnership's own (active ones)."""
    own = [
        Indicator.from_dict({"slug": d.slug, "name": d.name, "unit": d.unit, "spec": d.filter})
        for d in IndicatorDefinition.objects.filter(active=True)
    ]
    taken = {i.slug for i in DEFAULT_INDICATORS}
    return [*DEFAULT_INDICATORS, *(i for i in own if i.slug not in taken)]


def latest_month() -> str | None:
    """The latest month (YYYY-MM) in which any district is covered by any source."""
    last = last_held()
    return format_month(last) if last else None


def last_held() -> date | None:
    return last_month(district_coverage(incident_store()))


def store_holds(period: Period) -> bool:
    """Whether any district is covered in any month of the period or its comparison."""
    wanted = set(period.months()) | set(period.previous().months())
    cov = district_coverage(incident_store())
    return any(ms & wanted for by in cov.by_source.values() for ms in by.values())


def months_held(scope: PlaceScope) -> list[str]:
    """The months (YYYY-MM) the place has figures for: those in which the data covers
    all its districts that have any (for the first indicator, All crime by default)."""
    _, held = held_months(incident_store(), districts=scope.districts,
                          indicator=indicator_set()[0])  # fmt: skip
    return sorted(format_month(m) for m in held)


def summary(scope: PlaceScope, period: Period) -> list[IndicatorResult]:
    """Every indicator for the place in `period` against the comparison period, with
    rates per 1,000 residents of the districts counted (mid-year estimate of each
    period's first year)."""
    return summarise(
        incident_store(),
        districts=scope.districts,
        place=scope.name,
        period=period,
        indicators=indicator_set(),
        population=scope.population_fn(),
    )
