"""From the West Lancashire police.uk samples, through the insight engine, to documents
whose headline numbers are the engine's numbers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pypdf import PdfReader

from saferplaces.reports import wording
from saferplaces.reports.assemble import SeasonalInput, build_pack
from saferplaces.reports.pack import PerformancePack
from saferplaces.reports.pdf_report import build_pdf
from saferplaces.reports.pptx_deck import build_pptx
from saferplaces.reports.render import RenderedCharts
from saferplaces.reports.xlsx_workbook import build_xlsx

insight = pytest.importorskip("saferplaces.insight.compare")
SAMPLES = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "saferplaces"
    / "insight"
    / "samples"
    / "police_uk"
    / "west_lancashire"
)
WEST_LANCS = "E07000127"
POPULATION = 111_845

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not any(SAMPLES.glob("*.csv.gz")), reason="West Lancashire samples absent"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from saferplaces.insight import quality, seasons
    from saferplaces.insight.compare import monthly_series, summarise
    from saferplaces.insight.imports import import_police_uk
    from saferplaces.insight.indicators import DEFAULT_INDICATORS, Indicator, indicator_by_slug
    from saferplaces.insight.periods import parse_period
    from saferplaces.insight.schema import POLICE_UK_LABELS, slugify
    from saferplaces.insight.store import IncidentStore

    store = IncidentStore(tmp_path_factory.mktemp("wl") / "store")
    import_police_uk(store, sorted(SAMPLES.glob("*.csv.gz")))
    period = parse_period("2014/15")
    prev = period.previous()
    police = [i for i in DEFAULT_INDICATORS if i.spec.get("sources") == ("police_uk",)]
    results = summarise(
        store,
        districts=[WEST_LANCS],
        place="West Lancashire",
        period=period,
        indicators=police,
        population=POPULATION,
    )
    series = {
        slug: monthly_series(
            store,
            districts=[WEST_LANCS],
            indicator=indicator_by_slug(slug),
            start=prev.start,
            end=period.end,
        )
        for slug in ("all-crime", "anti-social-behaviour")
    }
    category_indicators = [
        Indicator(
            slugify(label),
            label,
            "crimes",
            {"sources": ("police_uk",), "categories": (slugify(label),)},
        )
        for label in POLICE_UK_LABELS
        if label != "Anti-social behaviour"
    ]
    categories = summarise(
        store,
        districts=[WEST_LANCS],
        place="West Lancashire",
        period=period,
        indicators=category_indicators,
    )
    asb = indicator_by_slug("anti-social-behaviour")
    seasonal = [
        SeasonalInput(
            "Anti-social behaviour in October and November",
            "October to November each year",
            seasons.window_counts(
                store,
                seasons.BONFIRE_MONTHS,
                years=[2013, 2014],
                indicator=asb,
                districts=[WEST_LANCS],
            ),
            "incidents",
        ),
        SeasonalInput(
            "Anti-social behaviour on Mischief Night",
            "Mischief Night, 4 November each year",
            seasons.window_counts(
                store,
                seasons.MISCHIEF_NIGHT,
                years=[2013, 2014],
                indicator=asb,
                districts=[WEST_LANCS],
            ),
            "incidents",
        ),
    ]
    missing = {
        "police.uk": quality.missing_months(
            store, start=prev.start, end=period.end, source="police_uk"
        )
    }
    qual = quality.quality_by_month(
        store, start=prev.start, end=period.end, area_districts=[WEST_LANCS]
    )
    pack = build_pack(
        place_name="West Lancashire",
        place_code=WEST_LANCS,
        place_kind="district",
        partnership_name="West Lancashire Community Safety Partnership",
        period_label=period.label,
        start_month=period.start,
        end_month=period.end,
        comparison_label=prev.label,
        results=results,
        series=series,
        seasonal=seasonal,
        categories=categories,
        districts=[("West Lancashire", results[0])],
        missing=missing,
        quality=qual,
        population=POPULATION,
        sources=["police.uk street-level crime, Lancashire Constabulary, West Lancashire sample"],
        generated_at=datetime(2015, 5, 14, 9, 30, tzinfo=UTC),
    )
    return {"pack": pack, "results": results, "categories": categories}


def test_pack_equals_engine(engine: dict[str, object]) -> None:
    pack = engine["pack"]
    assert isinstance(pack, PerformancePack)
    for fig, r in zip(pack.indicators, engine["results"], strict=True):  # type: ignore[call-overload]
        assert (fig.slug, fig.count, fig.previous_count, fig.change) == (
            r.indicator,
            r.count,
            r.previous_count,
            r.change,
        )
        assert (fig.z, fig.significant, fig.verdict, fig.pct_change) == (
            r.z,
            r.significant,
            r.verdict,
            r.pct_change,
        )
    all_crime = pack.indicator("all-crime")
    assert all_crime.count > 4000
    assert sum(c.count for c in pack.categories) == all_crime.count
    assert len(pack.series["all-crime"]) == 24
    mischief = pack.seasonal[1]
    assert not mischief.has_counts and mischief.note and "day-level" in mischief.note
    assert pack.seasonal[0].has_counts


def test_documents_carry_the_engines_numbers(engine: dict[str, object], tmp_path: Path) -> None:
    pack = engine["pack"]
    assert isinstance(pack, PerformancePack)
    fig = pack.indicator("all-crime")
    sentence = wording.headlines(pack)[0]
    assert f"{abs(fig.change):,}" in sentence
    rendered = RenderedCharts(pack)
    deck = build_pptx(pack, tmp_path / "deck.pptx", rendered=rendered)
    pdf = build_pdf(pack, tmp_path / "report.pdf", rendered=rendered)
    xlsx = build_xlsx(pack, tmp_path / "tables.xlsx")

    slides = list(Presentation(str(deck)).slides)
    headline_text = "\n".join(s.text_frame.text for s in slides[1].shapes if s.has_text_frame)
    assert sentence in headline_text

    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(str(pdf)).pages))
    assert sentence in text
    assert f"{fig.count:,}" in text and f"{fig.previous_count:,}" in text

    summary = load_workbook(str(xlsx))["Summary"]
    row = next(r for r in summary.iter_rows(min_row=2, values_only=True) if r[0] == fig.name)
    assert (row[2], row[3], row[4]) == (fig.count, fig.previous_count, fig.change)
    assert row[7] == pytest.approx(fig.z)
