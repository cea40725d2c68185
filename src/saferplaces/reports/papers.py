"""Writing a board paper for a place and period: the figures from the evidence, the
document from the builders. The CLI runs this inline; the web runs it as a task."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from saferplaces.delivery.funding import summary as funding_summary
from saferplaces.evidence.performance import Performance, performance
from saferplaces.evidence.scope import scope_for
from saferplaces.insight.periods import Period
from saferplaces.partnership.models import Place
from saferplaces.reports import adapt
from saferplaces.reports.models import PaperFormat
from saferplaces.reports.pack import FundingLine, FundingSection, PerformancePack
from saferplaces.reports.pdf_report import build_pdf
from saferplaces.reports.pptx_deck import build_pptx
from saferplaces.reports.where_when import WhereWhen, where_when_for
from saferplaces.reports.xlsx_workbook import build_xlsx

Progress = Callable[[int, str], None]

BUILDERS: dict[PaperFormat, Callable[[PerformancePack, Path], Path]] = {
    PaperFormat.PPTX: build_pptx,
    PaperFormat.PDF: build_pdf,
    PaperFormat.XLSX: build_xlsx,
}


def funding_section(place: Place, period: Period) -> FundingSection | None:
    """The place's funding for ``period`` when it is a financial year and streams are
    recorded for it; None otherwise (a calendar year has no funding year to show)."""
    if period.start.month != 4 or period.length != 12:
        return None
    s = funding_summary(place, period.start.year, timezone.localdate())
    if not s.rows:
        return None
    t = s.totals
    return FundingSection(
        year_label=s.year_label,
        as_at=s.today,
        lines=[FundingLine(r.label, r.amount, r.allocated, r.spent, r.returns_overdue)
               for r in s.rows],
        total=FundingLine(f"Total ({len(s.rows)} streams)", t.amount, t.allocated, t.spent,
                          t.returns_overdue),
        source=s.source,
    )  # fmt: skip


def pack_for(
    perf: Performance,
    *,
    partnership_name: str,
    logo: str | Path | None = None,
    funding: FundingSection | None = None,
    where_when: WhereWhen | None = None,
) -> PerformancePack:
    """The performance pack of a place and period. Indicators no source supplies are left
    out (the data notes name them) rather than reported as zero; a place with no data at
    all keeps its headline indicator, which says "no data"."""
    place = perf.scope.place
    held = [r for r in perf.results if r.count is not None or r.previous_count is not None]
    if not held and perf.results:
        held = [perf.headline]
    headline = perf.headline
    return PerformancePack(
        place_name=place.name,
        place_code=perf.scope.code,
        place_kind=place.get_kind_display(),
        period_label=perf.period.label,
        start_month=perf.period.start,
        end_month=perf.period.end,
        comparison_label=perf.period.previous().label,
        generated_at=timezone.now(),
        partnership_name=partnership_name,
        indicators=[adapt.figure(r) for r in held],
        series={r.indicator: adapt.series_points(perf.series[r.indicator]) for r in held},
        seasonal=[adapt.seasonal_table(s) for s in perf.seasonal],
        categories=adapt.categories(perf.categories),
        districts=adapt.districts(perf.districts),
        quality_notes=list(perf.quality_notes),
        sources=[s.sentence for s in perf.sources],
        source_notes=[s.explanation for s in perf.sources],
        coverage=headline.reason if headline.partial and headline.count is not None else None,
        population=perf.population,
        category_unit=perf.headline_indicator.unit,
        logo=None if logo is None else str(logo),
        funding=funding,
        where_when=where_when,
    )


def write_paper(
    place: Place,
    period: Period,
    fmt: str,
    output: Path,
    progress: Progress | None = None,
) -> Path:
    """Build the `fmt` paper for `place` in `period` into `output` (written atomically)."""
    tick = progress or (lambda pct, stage: None)
    tick(10, "Computing the figures")
    pack = pack_for(
        performance(place, period),
        partnership_name=settings.PARTNERSHIP_NAME,
        logo=getattr(settings, "PARTNERSHIP_LOGO", None),
        funding=funding_section(place, period),
        where_when=where_when_for(scope_for(place), period),
    )
    tick(40, "Drawing the charts and writing the document")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    BUILDERS[PaperFormat(fmt)](pack, partial)
    partial.replace(output)
    tick(100, "Ready")
    return output
