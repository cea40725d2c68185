"""Everything one dashboard page shows, built once from `performance()` and cached.

A `Dashboard` holds the indicator cards, each chart's Vega-Lite spec with its alt text and
"show the data" table, the LSOA map's values and the tables behind every CSV download. It
is cached under the same key as the figures (the incident store's fingerprint, the place
and the months), so an import makes it fresh, and a warm page only renders a template.

No figure is shown without its coverage: "No data" (never 0) where nothing is held, the
districts counted where a place is covered in part, and no verdict where the periods
hold different months (the months both hold are compared instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import slugify

from saferplaces.evidence.performance import Performance, figures_key, part_note, performance
from saferplaces.evidence.sources import SourceNote
from saferplaces.insight.compare import IndicatorResult, SeriesPoint
from saferplaces.insight.periods import Period, parse_month
from saferplaces.insight.stats import INCREASE, NORMAL, REDUCTION, TOO_FEW
from saferplaces.partnership.models import Place
from saferplaces.reports import adapt, charts
from saferplaces.reports.charts import Chart

CACHE_VERSION = 4
CACHE_SECONDS = 3600
LSOA_ROWS_SHOWN = 25

NO_DATA = "No data"
TAGS = {
    REDUCTION: "govuk-tag--green",
    INCREASE: "govuk-tag--red",
    NORMAL: "govuk-tag--grey",
    TOO_FEW: "govuk-tag--grey",
}


# ---------------------------------------------------------------- formatting


def n(value: int | float | None, places: int = 0) -> str:
    if value is None:
        return ""
    return f"{value:,.{places}f}"


def count_text(value: int | None) -> str:
    """A count, or "No data" (never 0 where nothing is held)."""
    return NO_DATA if value is None else n(value)


def signed(value: int | float | None, places: int = 0, suffix: str = "") -> str:
    if value is None:
        return ""
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{abs(value):,.{places}f}{suffix}"


def sentence(text: str) -> str:
    """``"covers 1 of 14 districts: West Lancashire"`` → ``"Covers 1 of 14 districts:
    West Lancashire."`` (names keep their capitals)."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def month_label(month: str) -> str:
    return f"{parse_month(month):%B %Y}"


def months_span(months: Sequence[str]) -> str:
    """``"April 2013 to December 2013"``."""
    if not months:
        return ""
    first, last = month_label(months[0]), month_label(months[-1])
    return first if first == last else f"{first} to {last}"


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
    months_note: str = ""
    like_for_like: str = ""
    reason: str = ""
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
    """Every LSOA with its code and residents (the CSV)."""
    lsoa_page: Table
    """The same LSOAs as the page shows them beside the map (name, counts, rate)."""
    indicators: Table
    quality_notes: list[str]
    sources: list[SourceNote]
    has_data: bool
    coverage_note: str | None = None
    """Which districts the figures count, when a place is covered only in part."""
    counted_population: int | None = None
    """Residents of the districts the headline figure counts."""
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


def build_dashboard(perf: Performance, period: Period) -> Dashboard:
    comparison = period.previous().label
    series = {slug: adapt.series_points(points) for slug, points in perf.series.items()}
    trends = [
        _trend(perf, r, perf.series[r.indicator], series[r.indicator])
        for r in perf.results
        if r.held and perf.series.get(r.indicator)
    ]
    with_trend = {b.dom_id.removeprefix("trend-") for b in trends}
    cards = [_card(r, series.get(r.indicator, []), with_trend) for r in perf.results]
    indicators = _indicator_table(perf.results, period.label, comparison)
    seasonal = [_seasonal(s) for s in perf.seasonal] if perf.has_data else []
    districts = _districts(perf) if len(perf.districts) > 1 else None
    categories = _categories(perf, period.label, comparison) if perf.categories else None
    lsoas, lsoa_page = _lsoa_tables(perf, period.label, comparison)
    headline = perf.headline
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
        lsoa_page=lsoa_page,
        indicators=indicators,
        quality_notes=list(perf.quality_notes),
        sources=list(perf.sources),
        has_data=perf.has_data,
        coverage_note=(
            f"The data held is for part of {perf.scope.name} only: it {headline.reason}. "
            "The figures count those districts and their residents; no verdict is given "
            f"for {perf.scope.name} as a whole, and the districts with no data are not "
            "counted as zero."
            if headline.partial and headline.held
            else None
        ),
        counted_population=headline.population,
    )
    blocks = [*trends, *(s.block for s in seasonal if s.block), districts, categories]
    dash.tables = {t.what: t for t in [indicators, lsoas, *(b.table for b in blocks if b)]}
    for table in dash.tables.values():
        if table is not lsoas:
            table.seal()
    dash.lsoa_head = lsoa_page.rows_html(0, LSOA_ROWS_SHOWN)
    dash.lsoa_rest = lsoa_page.rows_html(LSOA_ROWS_SHOWN)
    return dash


def like_for_like_text(r: IndicatorResult) -> str:
    """``"April to December 2014 against the same months of 2013: 3,570 against 3,837
    (−7.0%), a significant reduction"``, or "" when there is nothing to compare."""
    like = r.like_for_like
    if like is None:
        return ""
    pct = f" ({signed(like.pct_change, 1, '%')})" if like.pct_change is not None else ""
    return (
        f"Like for like, {months_span(like.months)} against "
        f"{months_span(like.previous_months)}: {n(like.count)} against "
        f"{n(like.previous_count)}{pct}, {like.verdict}."
    )


def _card(r: IndicatorResult, points: list[Any], with_trend: set[str]) -> Card:
    card = Card(r.indicator, r.name, r.unit, r.held)
    if not r.held:
        card.why_not = sentence(r.reason or "no data held")
        return card
    card.count = n(r.count)
    card.previous = count_text(r.previous_count)
    if r.previous_count is not None and len(r.previous_months) < r.months_expected:
        card.previous += f" ({len(r.previous_months)} months)"
    if r.change is not None:
        card.change = signed(r.change)
        card.pct_change = (
            signed(r.pct_change, 1, "%") if r.pct_change is not None else "no change base"
        )
        card.direction = "up" if r.change > 0 else ("down" if r.change < 0 else "same")
    card.rate = n(r.rate_per_1000, 1) if r.rate_per_1000 is not None else ""
    card.verdict = r.verdict
    card.tag = TAGS.get(r.verdict, "govuk-tag--yellow")
    card.reason = sentence(r.reason) if r.reason and r.reason != r.verdict else ""
    if len(r.months) < r.months_expected:
        card.months_note = f"{len(r.months)} of {r.months_expected} months held"
    card.like_for_like = like_for_like_text(r)
    if any(p.count is not None for p in points):
        card.sparkline = charts.sparkline(points, title=f"{r.name}, monthly")
    card.has_trend = r.indicator in with_trend
    return card


def _months_held(r: IndicatorResult) -> str:
    if not r.held:
        return ""
    return f"{len(r.months)} of {r.months_expected}"


def _indicator_table(results: list[IndicatorResult], label: str, comparison: str) -> Table:
    t = Table(
        "indicators",
        f"Indicators, {label} compared with {comparison}",
        [
            Column("Indicator"), Column(label, True), Column(comparison, True),
            Column("Change", True), Column("Change (%)", True),
            Column("Rate per 1,000 residents", True), Column("Verdict"),
            Column("Months held", True), Column("Why no verdict"),
        ],
    )  # fmt: skip
    for r in results:
        reason = r.reason if r.reason and r.reason != r.verdict else ""
        t.add(
            [r.name, r.count, r.previous_count, r.change, r.pct_change, r.rate_per_1000,
             r.verdict, len(r.months) if r.held else None, reason],
            [r.name, count_text(r.count), count_text(r.previous_count), signed(r.change),
             signed(r.pct_change, 1, "%"), n(r.rate_per_1000, 1), r.verdict, _months_held(r),
             reason],
        )  # fmt: skip
    return t


def _trend(
    perf: Performance, r: IndicatorResult, raw: list[SeriesPoint], points: list[Any]
) -> ChartBlock:
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
            [month_label(p.month), count_text(p.count), n(p.mean, 1),
             n(p.lower, 1), n(p.upper, 1), signals.replace("-", " ")],
        )  # fmt: skip
    notes = [n for n in (part_note(perf.scope, r.districts) if r.partial else None,
                         r.series_break) if n]  # fmt: skip
    return ChartBlock(f"trend-{r.indicator}", r.name, chart, t, " ".join(notes) or None)


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
        t.add([row.year, row.count], [str(row.year), count_text(row.count)])
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
        t.add(
            [d.name, d.code, d.count, d.population, d.rate_per_1000],
            [d.name + (" (this place)" if d.selected else ""), d.code, count_text(d.count),
             n(d.population), NO_DATA if d.rate_per_1000 is None else n(d.rate_per_1000, 1)],
        )  # fmt: skip
    missing = [d.name for d in perf.districts if not d.held]
    note = (
        ("No data held for " + ", ".join(missing) + ": not in the chart or the ranking.")
        if missing
        else None
    )
    return ChartBlock("districts", "Rate per 1,000 residents", chart, t, note)


def _map_values(perf: Performance) -> dict[str, Any]:
    """The LSOA choropleth's values: LSOA code → name, count and rate (LSOAs of districts
    with no data are absent, and drawn as no data)."""
    return {
        "title": f"{perf.headline_indicator.name} per 1,000 residents by LSOA",
        "lsoas": {
            s.code: {"name": s.name, "count": s.count, "rate": s.rate_per_1000} for s in perf.lsoas
        },
    }


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
         Column("Change", True), Column("Change (%)", True), Column("Verdict")],
    )  # fmt: skip
    for c in perf.categories:
        t.add(
            [c.name, c.count, c.previous_count, c.change, c.pct_change, c.verdict],
            [c.name, count_text(c.count), count_text(c.previous_count), signed(c.change),
             signed(c.pct_change, 1, "%"), c.verdict],
        )  # fmt: skip
    note = " ".join(dict.fromkeys(
        part.strip().rstrip(".") + "."
        for c in perf.categories if c.series_break
        for part in c.series_break.split(". ") if part.strip(". ")
    )) or None  # fmt: skip
    return ChartBlock("categories", f"{label} against {comparison}", chart, t, note)


def _lsoa_tables(perf: Performance, label: str, comparison: str) -> tuple[Table, Table]:
    name = perf.headline_indicator.name
    full = Table(
        "lsoas",
        f"{name} by LSOA",
        [Column("LSOA"), Column("LSOA code"), Column(label, True),
         Column(comparison, True), Column("Residents", True),
         Column("Rate per 1,000 residents", True)],
    )  # fmt: skip
    page = Table(
        "lsoas",
        f"{name} by LSOA, highest first",
        [Column("LSOA"), Column(label, True), Column(comparison, True),
         Column("Per 1,000", True)],
    )  # fmt: skip
    for s in perf.lsoas:
        full.add(
            [s.name, s.code, s.count, s.previous, s.population, s.rate_per_1000],
            [s.name, s.code, n(s.count), count_text(s.previous), n(s.population),
             n(s.rate_per_1000, 1)],
        )  # fmt: skip
        page.add(
            [s.name, s.count, s.previous, s.rate_per_1000],
            [s.name, n(s.count), count_text(s.previous), n(s.rate_per_1000, 1)],
        )
    return full, page
