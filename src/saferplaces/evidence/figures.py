"""The figures a page, a command or a paper asks for: indicator summaries for a place and
period, computed by the insight engine over this installation's incident store."""

from __future__ import annotations

from saferplaces.evidence.models import IndicatorDefinition
from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.store import incident_store
from saferplaces.insight.compare import IndicatorResult, summarise
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
    months = incident_store().months()
    return max(months) if months else None


def summary(scope: PlaceScope, period: Period) -> list[IndicatorResult]:
    """Every indicator for the place in `period` against the same period a year earlier,
    with rates per 1,000 residents from the mid-year estimate of each period's first year."""
    population, _ = scope.population(period.start.year)
    previous_population, _ = scope.population(period.previous().start.year)
    return summarise(
        incident_store(),
        districts=scope.districts,
        place=scope.name,
        period=period,
        indicators=indicator_set(),
        population=population,
        previous_population=previous_population,
    )


def period_bounds(period: Period) -> tuple[str, str]:
    return format_month(period.start), format_month(period.end)
