"""The performance pack: everything a briefing document needs, as plain typed values.

Document builders (PPTX, PDF, XLSX) read only a :class:`PerformancePack`; they never
query data. ``reports.papers.pack_for`` fills one from the evidence layer's figures.

Conventions
- ``pct_change`` is a percentage (``-7.5`` means a 7.5% fall), ``None`` when the
  previous count is 0.
- ``z`` is the Poisson test statistic ``2(sqrt(current) - sqrt(previous))``;
  ``significant`` is ``abs(z) > 1.96``.
- Months are the first day of the month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from saferplaces.insight.stats import Z_CRITICAL, poisson_z, verdict

VERDICT_REDUCTION = verdict(-math.inf)
VERDICT_INCREASE = verdict(math.inf)
VERDICT_NORMAL = verdict(0.0)


def verdict_for(z: float | None) -> str:
    """The verdict wording for a z statistic (``None``: no test could be made)."""
    return VERDICT_NORMAL if z is None else verdict(z)


@dataclass(frozen=True)
class IndicatorFigure:
    """One indicator's figures for the period against the comparison period."""

    slug: str
    name: str
    unit: str
    """Plural unit noun: ``"crimes"``, ``"incidents"``, ``"fires"``."""
    count: int
    previous_count: int
    change: int
    pct_change: float | None
    rate_per_1000: float | None
    z: float | None
    significant: bool
    verdict: str
    unit_singular: str | None = None
    """Singular noun when it is not the plural minus its final ``s``."""

    @property
    def singular(self) -> str:
        """The singular unit noun (``"crime"``)."""
        if self.unit_singular:
            return self.unit_singular
        if self.unit.endswith("ies"):
            return self.unit[:-3] + "y"
        if self.unit.endswith("s") and not self.unit.endswith("ss"):
            return self.unit[:-1]
        return self.unit


def figure_from_counts(
    slug: str,
    name: str,
    unit: str,
    count: int,
    previous_count: int,
    population: int | None = None,
    *,
    unit_singular: str | None = None,
) -> IndicatorFigure:
    """An :class:`IndicatorFigure` computed from two counts with the insight engine's rules."""
    change = count - previous_count
    pct = None if previous_count == 0 else 100.0 * change / previous_count
    rate = None if not population else 1000.0 * count / population
    z = poisson_z(count, previous_count)
    return IndicatorFigure(
        slug=slug,
        name=name,
        unit=unit,
        count=count,
        previous_count=previous_count,
        change=change,
        pct_change=pct,
        rate_per_1000=rate,
        z=z,
        significant=abs(z) > Z_CRITICAL,
        verdict=verdict_for(z),
        unit_singular=unit_singular,
    )


@dataclass(frozen=True)
class MonthPoint:
    """One month of a monthly series with its SPC limits."""

    month: date
    count: int | None
    """``None`` when the month is missing from the data."""
    mean: float | None = None
    upper: float | None = None
    lower: float | None = None
    signal: str | None = None
    """Run-rule or limit signal on this month, e.g. ``"above upper limit"``."""
    missing: bool = False


@dataclass(frozen=True)
class SeasonalRow:
    """One year of a recurring window."""

    year: int
    count: int | None


@dataclass(frozen=True)
class SeasonalTable:
    """A recurring window (e.g. October to November) year by year."""

    title: str
    window_label: str
    rows: list[SeasonalRow] = field(default_factory=list)
    note: str | None = None
    """E.g. ``"needs day-level data"`` when the window cannot be counted."""
    unit: str = "incidents"

    @property
    def has_counts(self) -> bool:
        """Whether at least one year has a count."""
        return any(r.count is not None for r in self.rows)


@dataclass(frozen=True)
class CategoryFigure:
    """One category's count in the period and the comparison period."""

    label: str
    count: int
    previous: int


@dataclass(frozen=True)
class DistrictFigure:
    """One district in a side-by-side comparison."""

    name: str
    count: int
    rate_per_1000: float | None


@dataclass(frozen=True)
class PerformancePack:
    """Everything a performance briefing needs for one place and period."""

    place_name: str
    place_code: str
    place_kind: str
    period_label: str
    start_month: date
    end_month: date
    comparison_label: str
    generated_at: datetime
    partnership_name: str
    indicators: list[IndicatorFigure] = field(default_factory=list)
    series: dict[str, list[MonthPoint]] = field(default_factory=dict)
    seasonal: list[SeasonalTable] = field(default_factory=list)
    categories: list[CategoryFigure] = field(default_factory=list)
    districts: list[DistrictFigure] = field(default_factory=list)
    quality_notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    population: int | None = None
    """Residents used for rates per 1,000 (None when unknown)."""
    category_unit: str = "crimes"

    @property
    def title(self) -> str:
        """``"West Lancashire: performance 2014/15"``."""
        return f"{self.place_name}: performance {self.period_label}"

    @property
    def subtitle(self) -> str:
        """``"Performance 2014/15 compared with 2013/14"``."""
        return f"Performance {self.period_label} compared with {self.comparison_label}"

    def indicator(self, slug: str) -> IndicatorFigure:
        """The indicator with ``slug``; ``KeyError`` when absent."""
        for fig in self.indicators:
            if fig.slug == slug:
                return fig
        raise KeyError(slug)
