"""What a strategic assessment takes from the evidence layer, with the dashboard's
guardrails: the same figures (``evidence.performance``), their coverage stated, "no
data" never 0, the sources named.

- Levels and trends per indicator: count, rate per 1,000, change against the previous
  year with the insight engine's verdict (significance), or the reason there is none.
- Change since the last assessment: the previous year's figures, and the last
  assessment of the place (when there is one) named.
- Seasonal patterns (October–November, Mischief Night) from ``insight.seasons``.
- The LSOAs with the highest rates of the headline indicator.
- A harm view: categories weighted by harm weights when a named, sourced table is loaded;
  otherwise it says plainly that none is loaded and shows volume only, as volume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from saferplaces.evidence.performance import Performance, Seasonal, performance
from saferplaces.evidence.sources import LICENCE, SourceNote
from saferplaces.insight.breakdowns import LsoaFigure
from saferplaces.insight.compare import IndicatorResult
from saferplaces.insight.harm import HarmRow, HarmWeights
from saferplaces.insight.harm import harm_view as insight_harm_view
from saferplaces.insight.indicators import Indicator
from saferplaces.insight.periods import Period, PeriodError, parse_period
from saferplaces.partnership.models import Place

TOP_LSOAS = 10
"""How many of the highest-rate LSOAs an assessment lists."""
MIN_LSOA_COUNT = 10
"""An LSOA enters the highest-rate list only with at least this many incidents: a rate
over a handful says little."""
NO_HARM_WEIGHTS = (
    "No official harm weights (ONS Crime Severity Score or Cambridge Crime Harm Index) "
    "are loaded, so this assessment cannot weigh categories by harm. The table shows "
    "volume only; volume is not harm."
)


class GatherError(ValueError):
    """The year cannot be assessed (not a financial year, or no data held for it)."""


def assessment_period(year: str) -> Period:
    """A financial year such as ``2014/15``."""
    try:
        period = parse_period(year)
    except PeriodError as exc:
        raise GatherError(f"{year!r} is not a financial year such as 2014/15: {exc}") from None
    if period.start.month != 4 or period.length != 12:
        raise GatherError(f"{year!r} is not a financial year such as 2014/15")
    return period


@dataclass(frozen=True)
class HarmView:
    """The headline indicator's categories by harm (``rows`` from ``insight.harm``), or
    by volume alone when no weights are loaded (``weights`` None, said in ``note``)."""

    weights: HarmWeights | None
    rows: list[HarmRow]
    volume: list[tuple[str, int, float | None]]
    """(category, count, % of the volume) by count, highest first."""
    by_indicator: dict[str, float | None]
    """Indicator slug → its harm (None when any of its categories has no weight)."""
    note: str

    @property
    def weighted(self) -> bool:
        return self.weights is not None

    @property
    def weights_name(self) -> str | None:
        return self.weights.describe() if self.weights is not None else None


@dataclass
class Gathered:
    place: Place
    year: str
    period: Period
    previous_period: Period
    perf: Performance
    top_lsoas: list[LsoaFigure]
    harm: HarmView
    last_assessment: str | None
    coverage: list[str] = field(default_factory=list)

    @property
    def results(self) -> list[IndicatorResult]:
        return self.perf.results

    @property
    def seasonal(self) -> list[Seasonal]:
        return self.perf.seasonal

    @property
    def sources(self) -> list[SourceNote]:
        return self.perf.sources

    @property
    def licence(self) -> str:
        return LICENCE

    @property
    def has_data(self) -> bool:
        return self.perf.has_data


def highest_rates(lsoas: list[LsoaFigure], n: int = TOP_LSOAS) -> list[LsoaFigure]:
    """The LSOAs with the highest rates per 1,000 (with a population and at least
    ``MIN_LSOA_COUNT`` incidents), highest first."""
    rated = [s for s in lsoas if s.rate_per_1000 is not None and s.count >= MIN_LSOA_COUNT]
    return sorted(rated, key=lambda s: (-(s.rate_per_1000 or 0.0), s.code))[:n]


def harm_view(
    categories: list[IndicatorResult], indicators: list[Indicator], weights: HarmWeights | None
) -> HarmView:
    """The categories of the headline indicator weighted by ``weights`` (their name and
    source shown), or by volume alone, said so, when there are none."""
    counts = {c.indicator: c.count for c in categories if c.count is not None}
    total = sum(counts.values())
    volume = [(c.name, c.count, round(100.0 * c.count / total, 1) if total else None)
              for c in categories if c.count is not None]  # fmt: skip
    if weights is None:
        return HarmView(None, [], volume, {i.slug: None for i in indicators}, NO_HARM_WEIGHTS)
    rows = insight_harm_view(counts, weights)
    harm = {r.category: r.harm for r in rows}
    by_indicator: dict[str, float | None] = {}
    for ind in indicators:
        cats = [c for c in ind.police_categories() or set() if c in harm]
        values = [harm[c] for c in cats]
        by_indicator[ind.slug] = (
            sum(v for v in values if v is not None)
            if values and all(v is not None for v in values)
            else None
        )
    note = f"Categories weighted by {weights.describe()}."
    if weights.aggregation:
        note += f" Category weights: {weights.aggregation}."
    return HarmView(weights, rows, volume, by_indicator, note)


def coverage_lines(g: Performance, period: Period) -> list[str]:
    """What the figures cover, in plain words (months, districts, no data)."""
    lines = []
    head = g.headline
    if head.count is None:
        lines.append(f"No data is held for {g.scope.name} in {period.label}.")
    else:
        lines.append(
            f"{head.name}: {head.months_with_data} of {head.months_expected} months of "
            f"{period.label} held; compared with {head.previous_period} "
            f"({head.previous_months_with_data} months held)."
        )
    lines.extend(g.quality_notes)
    return lines


def gather(place: Place, year: str, weights: HarmWeights | None = None) -> Gathered:
    """Everything the assessment shows of the evidence for ``place`` in ``year``;
    ``weights``: harm weights to weigh the categories by (none loaded: volume only)."""
    from saferplaces.strategy.models import StrategicAssessment

    period = assessment_period(year)
    perf = performance(place, period)
    earlier = (
        StrategicAssessment.objects.filter(place=place, start__lt=period.start)
        .order_by("-start")
        .first()
    )
    return Gathered(
        place=place,
        year=period.label,
        period=period,
        previous_period=period.previous(),
        perf=perf,
        top_lsoas=highest_rates(perf.lsoas),
        harm=harm_view(perf.categories, perf.indicators, weights),
        last_assessment=str(earlier) if earlier else None,
        coverage=coverage_lines(perf, period),
    )


def months_label(d: date) -> str:
    return f"{d:%B %Y}"
