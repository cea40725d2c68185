"""Everything one dashboard page shows, built once from `performance()` and cached.

A `Dashboard` holds the indicator cards, each chart's Vega-Lite spec with its alt text and
"show the data" table, and the tables behind every CSV download. It is cached under the
same key as the figures (the incident store's fingerprint, the place and the months), so
an import makes it fresh, and a warm page only renders a template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import slugify

from saferplaces.evidence.performance import Performance, figures_key, performance
from saferplaces.insight.compare import IndicatorResult, SeriesPoint
from saferplaces.insight.periods import Period, parse_month
from saferplaces.partnership.models import Place
from saferplaces.reports import adapt, charts
from saferplaces.reports.charts import Chart

CACHE_VERSION = 1
CACHE_SECONDS = 3600
LSOA_ROWS_SHOWN = 25

NO_DATA = "No data held"
TAGS = {
    "significant reduction": "govuk-tag--green",
    "significant increase": "govuk-tag--red",
    "within normal variation": "govuk-tag--grey",
}


# ---------------------------------------------------------------- formatting


def n(value: int | float | None, places: int = 0) -> str:
    if value is None:
        return ""
    return f"{value:,.{places}f}"


def signed(value: int | float | None, places: int = 0, suffix: str = "") -> str:
    if value is None:
        return ""
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{abs(value):,.{places}f}{suffix}"


def month_label(month: str) -> str:
    return f"{parse_month(month):%B %Y}"


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class Column:
    name: str
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False


@dataclass
class Table:
    """Rows of raw values (for CSV) with the same rows formatted (for the page)."""

    what: str
    caption: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    shown: list[list[Cell]] = field(default_factory=list)

    body: str = ""
    """The formatted rows as HTML (built once, cached with the dashboard)."""

    def add(self, raw: Sequence[Any], text: Sequence[str]) -> None:
        self.rows.append(list(raw))
        self.shown.append([Cell(t, c.numeric) for t, c in zip(text, self.columns, strict=True)])

    def rows_html(self, start: int = 0, end: int | None = None) -> SafeString:
        """`<tr>` rows of the table, the first cell a row header (escaped by format_html:
        a template loop over a county's LSOAs would cost a warm page most of its time)."""
        return format_html_join("\n", "<tr class=\"govuk-table__row\">{}</tr>",
                                ((_cells(row),) for row in self.shown[start:end]))  # fmt: skip

    def seal(self) -> Table:
        self.body = self.rows_html()
        return self


def _cells(row: list[Cell]) -> SafeString:
    first, *rest = row
    head = format_html('<th scope="row" class="govuk-table__header">{}</th>', first.text)
    tail = format_html_join(
        "",
        '<td class="govuk-table__cell{}">{}</td>',
        ((" govuk-table__cell--numeric" if c.numeric else "", c.text) for c in rest),
    )
    return head + tail


@dataclass
class ChartBlock:
    """A chart on the page: its heading, spec, alt text, data table and CSV name."""

    dom_id: str
    heading: str
    chart: Chart
    table: Table
    note: str | None = None

    @property
    def spec_id(self) -> str:
        return f"{self.dom_id}-spec"

    @property
    def alt_id(self) -> str:
        return f"{self.dom_id}-alt"


@dataclass
class Card:
    slug: str
    name: str
    unit: str
    held: bool
    why_not: str = ""
    count: str = ""
    previous: str = ""
    change: str = ""
    pct_change: str = ""
    rate: str = ""
    verdict: str = ""
    tag: str = "govuk-tag--grey"
    direction: str = ""
    sparkline: Chart | None = None
    has_trend: bool = False

    @property
    def spark_spec_id(self) -> str:
        return f"spark-{self.slug}-spec"


@dataclass
class Seasonal:
    heading: str
    block: ChartBlock | None
    note: str | None


@dataclass
class Dashboard:
    place_name: str
    period_label: str
    comparison_label: str
    population: int | None
    population_years: tuple[int, ...]
    cards: list[Card]
    trends: list[ChartBlock]
    seasonal: list[Seasonal]
    districts: ChartBlock | None
    map_values: dict[str, Any]
    categories: ChartBlock | None
    lsoas: Table
    indicators: Table
    quality_notes: list[str]
    sources: list[str]
    has_data: bool
    tables: dict[str, Table] = field(default_factory=dict)

    lsoa_head: str = ""
    lsoa_rest: str = ""

    @property
    def lsoa_rest_count(self) -> int:
        return max(0, len(self.lsoas.rows) - LSOA_ROWS_SHOWN)


# ---------------------------------------------------------------- building


def dashboard_for(place: Place, period: Period) -> Dashboard:
    """The cached dashboard for `place` in `period` (fresh after every import)."""
    key = figures_key(f"dashboard-v{CACHE_VERSION}", place, period)
    found: Dashboard | None = cache.get(key)
    if found is None:
        found = build_dashboard(performance(place, period), period)
        cache.set(key, found, timeout=CACHE_SECONDS)
    return found


def _held(result: IndicatorResult) -> bool:
    """Whether an imported source supplies the indicator for at least one month of the
    period (a count over no months held is not a zero)."""
    return bool(result.months_with_data)


def _why_not_held(result: IndicatorResult, place_has_data: bool, place: str) -> str:
    if "no imported source supplies this indicator" in result.warnings:
        return "No imported data source supplies this indicator."
    if not result.months_with_data:
        return f"No month of {result.period} is held for this indicator."
    return f"No incidents are held for {place} in either period."


def build_dashboard(perf: Performance, period: Period) -> Dashboard:
    comparison = period.previous().label
    place_has_data = any(r.count or r.previous_count for r in perf.results)
    series = {slug: adapt.series_points(points) for slug, points in perf.series.items()}
    trends = [
        _trend(r, perf.series[r.indicator], series[r.indicator])
        for r in perf.results
        if _held(r) and place_has_data and _series_has_data(perf.series.get(r.indicator, []))
    ]
    with_trend = {b.dom_id.removeprefix("trend-") for b in trends}
    cards = [
        _card(r, series.get(r.indicator, []), place_has_data, with_trend, perf.scope.name)
        for r in perf.results
    ]
    indicators = _indicator_table(perf.results, period.label, comparison, place_has_data)
    seasonal = [_seasonal(s) for s in perf.seasonal] if place_has_data else []
    districts = _districts(perf) if perf.districts else None
    categories = _categories(perf, period.label, comparison) if perf.categories else None
    lsoas = _lsoa_table(perf, period.label, comparison)
    dash = Dashboard(
        place_name=perf.scope.name,
        period_label=period.label,
        comparison_label=comparison,
        population=perf.population,
        population_years=perf.population_years,
        cards=cards,
        trends=trends,
        seasonal=seasonal,
        districts=districts,
        map_values=_map_values(perf),
        categories=categories,
        lsoas=lsoas,
        indicators=indicators,
        quality_notes=list(perf.quality_notes),
        sources=list(perf.sources),
        has_data=place_has_data,
    )
    blocks = [*trends, *(s.block for s in seasonal if s.block), districts, categories]
    dash.tables = {t.what: t for t in [indicators, lsoas, *(b.table for b in blocks if b)]}
    for table in dash.tables.values():
        if table is not lsoas:
            table.seal()
    dash.lsoa_head = lsoas.rows_html(0, LSOA_ROWS_SHOWN)
    dash.lsoa_rest = lsoas.rows_html(LSOA_ROWS_SHOWN)
    return dash


def _series_has_data(points: Sequence[SeriesPoint]) -> bool:
    return any(p.count is not None for p in points)


def _card(
    r: IndicatorResult,
    points: list[Any],
    place_has_data: bool,
    with_trend: set[str],
    place: str,
) -> Card:
    held = _held(r) and place_has_data
    card = Card(r.indicator, r.name, r.unit, held)
    if not held:
        card.why_not = _why_not_held(r, place_has_data, place)
        return card
    card.count = n(r.count)
    card.previous = n(r.previous_count)
    card.change = signed(r.change)
    card.pct_change = signed(r.pct_change, 1, "%") if r.pct_change is not None else "no change base"
    card.rate = n(r.rate_per_1000, 1) if r.rate_per_1000 is not None else ""
    card.verdict = r.verdict
    card.tag = TAGS.get(r.verdict, "govuk-tag--grey")
    card.direction = "up" if r.change > 0 else ("down" if r.change < 0 else "same")
    if any(p.count is not None for p in points):
        card.sparkline = charts.sparkline(points, title=f"{r.name}, monthly")
    card.has_trend = r.indicator in with_trend
    return card


def _indicator_table(
    results: list[IndicatorResult], label: str, comparison: str, place_has_data: bool
) -> Table:
    t = Table(
        "indicators",
        f"Indicators, {label} compared with {comparison}",
        [
            Column("Indicator"), Column(label, True), Column(comparison, True),
            Column("Change", True), Column("Change (%)", True),
            Column("Rate per 1,000 residents", True), Column("Poisson z", True),
            Column("Verdict"), Column("Months with data", True),
        ],
    )  # fmt: skip
    for r in results:
        if not (_held(r) and place_has_data):
            t.add(
                [r.name, None, None, None, None, None, None, NO_DATA, r.months_with_data],
                [r.name, NO_DATA, NO_DATA, "", "", "", "", NO_DATA, str(r.months_with_data)],
            )
            continue
        t.add(
            [r.name, r.count, r.previous_count, r.change, r.pct_change, r.rate_per_1000, r.z,
             r.verdict, r.months_with_data],
            [r.name, n(r.count), n(r.previous_count), signed(r.change),
             signed(r.pct_change, 1, "%"), n(r.rate_per_1000, 1), f"{r.z:.2f}", r.verdict,
             f"{r.months_with_data} of {r.months_expected}"],
        )  # fmt: skip
    return t


def _trend(r: IndicatorResult, raw: list[SeriesPoint], points: list[Any]) -> ChartBlock:
    chart = charts.trend_chart(points, title=f"{r.name}, monthly", unit=r.unit, width=640)
    t = Table(
        f"trend-{r.indicator}",
        f"{r.name} by month",
        [Column("Month"), Column(f"Count ({r.unit})", True), Column("Mean", True),
         Column("Lower limit (3σ)", True), Column("Upper limit (3σ)", True), Column("Signals")],
    )  # fmt: skip
    for p in raw:
        signals = ", ".join(p.signals)
        t.add(
            [p.month, p.count, p.mean, p.lower, p.upper, signals],
            [month_label(p.month), NO_DATA if p.count is None else n(p.count), n(p.mean, 1),
             n(p.lower, 1), n(p.upper, 1), signals.replace("-", " ")],
        )  # fmt: skip
    return ChartBlock(f"trend-{r.indicator}", r.name, chart, t)


def _seasonal(item: Any) -> Seasonal:
    table = adapt.seasonal_table(item)
    if not table.has_counts:
        return Seasonal(item.title, None, item.note)
    chart = charts.seasonal_chart(table, width=400, height=220)
    what = f"seasonal-{slugify(item.title)}"
    t = Table(
        what,
        f"{item.title}, year by year",
        [Column("Year"), Column(f"Count ({table.unit})", True)],
    )
    for row in table.rows:
        t.add(
            [row.year, row.count], [str(row.year), NO_DATA if row.count is None else n(row.count)]
        )
    block = ChartBlock(what, item.title, chart, t, item.note)
    return Seasonal(item.title, block, None)


def _districts(perf: Performance) -> ChartBlock:
    selected = perf.scope.place.name
    title = f"{perf.headline_indicator.name}: rate per 1,000 residents by district"
    chart = charts.districts_chart(adapt.districts(perf.districts), selected, title=title,
                                   width=300)  # fmt: skip
    t = Table(
        "districts",
        f"{perf.headline_indicator.name} by district",
        [Column("District"), Column("LAD code"), Column("Count", True),
         Column("Residents", True), Column("Rate per 1,000 residents", True)],
    )  # fmt: skip
    for d in perf.districts:
        held = d.rate_per_1000 is not None
        t.add(
            [d.name, d.code, d.count if held else None, d.population, d.rate_per_1000],
            [d.name + (" (this place)" if d.selected else ""), d.code,
             n(d.count) if held else NO_DATA, n(d.population),
             n(d.rate_per_1000, 1) if held else NO_DATA],
        )  # fmt: skip
    missing = [d.name for d in perf.districts if d.rate_per_1000 is None]
    note = (
        ("No data held for " + ", ".join(missing) + ": not shown in the chart.")
        if missing
        else None
    )
    return ChartBlock("districts", "Rate per 1,000 residents", chart, t, note)


def _map_values(perf: Performance) -> dict[str, Any]:
    return {
        "title": f"{perf.headline_indicator.name} per 1,000 residents",
        "districts": {
            d.code: {"name": d.name, "rate": d.rate_per_1000, "count": d.count,
                     "selected": d.selected}
            for d in perf.districts
        },
    }  # fmt: skip


def _categories(perf: Performance, label: str, comparison: str) -> ChartBlock:
    ind = perf.headline_indicator
    chart = charts.category_chart(
        adapt.categories(perf.categories), label, comparison, unit=ind.unit,
        title=f"{ind.name} by category", width=250,
    )  # fmt: skip
    t = Table(
        "categories",
        f"{ind.name} by category",
        [Column("Category"), Column(label, True), Column(comparison, True),
         Column("Change", True), Column("Change (%)", True)],
    )  # fmt: skip
    for s in perf.categories:
        pct = None if not s.previous else round(100 * (s.count - s.previous) / s.previous, 1)
        t.add(
            [s.label, s.count, s.previous, s.count - s.previous, pct],
            [s.label, n(s.count), n(s.previous), signed(s.count - s.previous),
             signed(pct, 1, "%")],
        )  # fmt: skip
    return ChartBlock("categories", f"{label} against {comparison}", chart, t)


def _lsoa_table(perf: Performance, label: str, comparison: str) -> Table:
    t = Table(
        "lsoas",
        f"{perf.headline_indicator.name} by LSOA",
        [Column("LSOA code"), Column("LSOA name"), Column(label, True),
         Column(comparison, True), Column("Change", True)],
    )  # fmt: skip
    for s in perf.lsoas:
        t.add(
            [s.key, s.label, s.count, s.previous, s.count - s.previous],
            [s.key, s.label, n(s.count), n(s.previous), signed(s.count - s.previous)],
        )
    return t
