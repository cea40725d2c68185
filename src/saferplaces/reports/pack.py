"""The performance pack: everything a briefing document needs, as plain typed values.

Document builders (PPTX, PDF, XLSX) read only a :class:`PerformancePack`; they never
query data. ``reports.papers.pack_for`` fills one from the evidence layer's figures.

Conventions
- A figure with no data is ``None`` (an empty cell, "no data" in words), never 0.
- ``pct_change`` is a percentage (``-7.5`` means a 7.5% fall), ``None`` when the
  previous count is 0 or when the two periods hold different months (then
  ``like_for_like`` compares the months both hold, and the whole has no verdict).
- ``verdict`` comes from the insight engine's one rule (exact test, stated minimum);
  ``z`` and ``p_value`` are for the technical annex only.
- Months are the first day of the month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from saferplaces.insight.stats import INCREASE, NORMAL, REDUCTION, TOO_FEW, judge

VERDICT_REDUCTION = REDUCTION
VERDICT_INCREASE = INCREASE
VERDICT_NORMAL = NORMAL
VERDICT_TOO_FEW = TOO_FEW
JUDGED = (INCREASE, REDUCTION, NORMAL)

if TYPE_CHECKING:
    from saferplaces.reports.where_when import WhereWhen


@dataclass(frozen=True)
class LikeForLike:
    """The months both periods hold, compared (when the whole periods are unlike)."""

    first: date
    last: date
    months: int
    count: int
    previous_count: int
    change: int
    pct_change: float | None
    significant: bool
    verdict: str
    z: float | None = None
    p_value: float | None = None

    @property
    def label(self) -> str:
        """``"April to December"`` (with years when they differ)."""
        if self.first.year == self.last.year:
            return f"{self.first:%B} to {self.last:%B %Y}"
        return f"{self.first:%B %Y} to {self.last:%B %Y}"


@dataclass(frozen=True)
class IndicatorFigure:
    """One indicator's figures for the period against the comparison period."""

    slug: str
    name: str
    unit: str
    """Plural unit noun: ``"crimes"``, ``"incidents"``, ``"fires"``."""
    count: int | None
    previous_count: int | None
    change: int | None
    pct_change: float | None
    rate_per_1000: float | None
    z: float | None
    significant: bool
    verdict: str
    unit_singular: str | None = None
    """Singular noun when it is not the plural minus its final ``s``."""
    p_value: float | None = None
    reason: str | None = None
    """Why there is no verdict, in plain words."""
    like_for_like: LikeForLike | None = None
    months: int = 12
    previous_months: int = 12
    months_expected: int = 12
    partial: bool = False

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

    @property
    def held(self) -> bool:
        return self.count is not None

    @property
    def judged(self) -> bool:
        """Whether the verdict is a judgement of change (not "too few", not "no data")."""
        return self.verdict in JUDGED


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
    """An :class:`IndicatorFigure` from two like-for-like counts, judged by the insight
    engine's rule."""
    change = count - previous_count
    pct = None if previous_count == 0 else 100.0 * change / previous_count
    rate = None if not population else 1000.0 * count / population
    j = judge(count, previous_count)
    return IndicatorFigure(
        slug=slug,
        name=name,
        unit=unit,
        count=count,
        previous_count=previous_count,
        change=change,
        pct_change=pct,
        rate_per_1000=rate,
        z=j.z,
        significant=j.significant,
        verdict=j.verdict,
        unit_singular=unit_singular,
        p_value=j.p_value,
        reason=j.verdict if j.too_few else None,
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
    """One category's figures, made by the same rules as the indicators."""

    label: str
    count: int | None
    previous: int | None
    change: int | None = None
    """Only when both periods hold the same months of the year."""
    pct_change: float | None = None
    verdict: str = NORMAL
    reason: str | None = None
    like_for_like: LikeForLike | None = None
    """The months both periods hold, compared, when the periods hold different months."""
    series_break: str | None = None
    """A police.uk category change that cuts months from this category, in plain words."""


@dataclass(frozen=True)
class DistrictFigure:
    """One district in a side-by-side comparison (None: no data for it)."""

    name: str
    count: int | None
    rate_per_1000: float | None


@dataclass(frozen=True)
class FundingLine:
    """One funding stream in the board papers (money exact, in pounds and pence)."""

    funder: str
    amount: Decimal
    allocated: Decimal
    spent: Decimal
    returns_overdue: int


@dataclass(frozen=True)
class FundingSection:
    """The place's funding for the financial year of the papers: each stream, what is
    allocated, what submitted returns say was spent, and returns overdue; the total row
    is the sum of the rows."""

    year_label: str
    as_at: date
    lines: list[FundingLine]
    total: FundingLine
    source: str

    HEADER = ("Funding stream", "Amount", "Allocated", "Spent (submitted returns)",
              "Returns overdue")  # fmt: skip

    def text_rows(self) -> list[list[str]]:
        """Each stream and the total, as text (£1,234.50)."""
        return [
            [line.funder, f"£{line.amount:,.2f}", f"£{line.allocated:,.2f}",
             f"£{line.spent:,.2f}", f"{line.returns_overdue:,}"]
            for line in [*self.lines, self.total]
        ]  # fmt: skip

    @property
    def note(self) -> str:
        return (
            f"As at {self.as_at:%-d %B %Y}. Spent counts submitted quarterly returns only; a "
            "return is overdue from the day after its due date. " + self.source
        )


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
    """One sentence per source: name, datasets, months held, rows without a location."""
    source_notes: list[str] = field(default_factory=list)
    """What the sources are and what they cannot say (plain English)."""
    population: int | None = None
    """Residents used for rates per 1,000 (None when unknown)."""
    category_unit: str = "crimes"
    coverage: str | None = None
    """When the figures cover only part of the place: which districts they count."""
    logo: str | None = None
    """Path of the partnership's logo (PNG or JPEG), when one is set."""
    funding: FundingSection | None = None
    """The place's funding streams for the financial year of the papers (None when the
    period is not a financial year or no stream is recorded for it)."""
    where_when: WhereWhen | None = None
    """Hot spots, a window of the year and the family of partnerships (None: not asked)."""

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
