"""Example performance packs with plausible West Lancashire 2014/15 numbers.

"All crime down by 7.5%, equivalent to 405 fewer crimes" (5,400 → 4,995), as in the
partnership's hand-made 2014/15 briefing; the rest are plausible, not real. The example
holds every case a document must not get wrong: an indicator with no data this period
(Deliberate fires), one whose periods hold different months and so is compared like for
like (Violence and sexual offences, cut by police.uk's May 2013 category change), one
with too few to judge (Robbery), districts with no data (Fylde, Wyre). ``partial_pack``
is a county of which the data covers one district.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image

from saferplaces.insight.compare import INCOMPLETE, NO_DATA, PARTIAL
from saferplaces.insight.stats import judge
from saferplaces.reports.pack import (
    CategoryFigure,
    DistrictFigure,
    IndicatorFigure,
    LikeForLike,
    MonthPoint,
    PerformancePack,
    SeasonalRow,
    SeasonalTable,
    figure_from_counts,
)

POPULATION = 111_000

# (slug, name, unit, current, previous): whole periods, like with like
INDICATORS: list[tuple[str, str, str, int, int]] = [
    ("all-crime", "All crime", "crimes", 4995, 5400),
    ("anti-social-behaviour", "Anti-social behaviour", "incidents", 4210, 4561),
    ("vehicle-crime", "Vehicle crime", "crimes", 395, 383),
    ("burglary", "Burglary", "crimes", 480, 480),
    ("robbery", "Robbery", "crimes", 3, 2),
]
VSO = ("violence-and-sexual-offences", "Violence and sexual offences", "crimes")
VSO_COUNTS = (1520, 1490, 1392)
"""2014/15 (12 months), 2013/14 (11 months: May 2013 to March 2014), and 2014/15 over
the same 11 months (May 2014 to March 2015)."""
SOURCE = (
    "police.uk street-level crime and anti-social behaviour (Lancashire force), held from "
    "April 2013 to March 2015; 512 rows of this period have no location and are in no "
    "district's figures."
)
SOURCE_NOTE = (
    "police.uk street-level crime and anti-social behaviour: Published monthly by each "
    "police force. Each crime is counted once, in the month it was first published. These "
    "counts are not the force's recorded-crime figures that many board papers quote: the "
    "two are compiled differently and rarely agree exactly."
)
NO_DATA_DISTRICTS = ("Fylde", "Wyre")

CATEGORIES: list[tuple[str, int, int]] = [
    ("Violence and sexual offences", 1520, 1631),
    ("Criminal damage and arson", 780, 850),
    ("Other theft", 620, 668),
    ("Burglary", 480, 480),
    ("Shoplifting", 410, 402),
    ("Vehicle crime", 395, 383),
    ("Public order", 290, 310),
    ("Drugs", 190, 240),
    ("Bicycle theft", 75, 88),
    ("Theft from the person", 40, 52),
    ("Possession of weapons", 30, 28),
    ("Robbery", 3, 2),
]

DISTRICTS: list[tuple[str, int, int]] = [
    ("Blackburn with Darwen", 11_200, 147_000),
    ("Blackpool", 14_800, 141_000),
    ("Burnley", 7_300, 87_000),
    ("Chorley", 5_100, 112_000),
    ("Fylde", 3_500, 77_000),
    ("Hyndburn", 6_100, 80_000),
    ("Lancaster", 9_400, 142_000),
    ("Pendle", 6_000, 90_000),
    ("Preston", 12_900, 141_000),
    ("Ribble Valley", 2_300, 58_000),
    ("Rossendale", 4_400, 69_000),
    ("South Ribble", 5_300, 110_000),
    ("West Lancashire", 4_995, POPULATION),
    ("Wyre", 5_000, 109_000),
]

FIRES_OCT_NOV = [142, 131, 118, 97, 88, 71, 64, 52, 47, 38]  # 2005 .. 2014


def _months(start: date, n: int) -> list[date]:
    out = []
    y, m = start.year, start.month
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly_series(
    total_previous: int,
    total_current: int,
    *,
    missing: tuple[int, ...] = (),
    signal_at: int | None = None,
) -> list[MonthPoint]:
    """24 months (2013-04 .. 2015-03) with c-chart limits from the first year."""
    shape = [1.02, 1.05, 1.12, 1.10, 1.04, 0.98, 1.03, 0.95, 0.92, 0.90, 0.88, 1.01]
    norm = sum(shape)
    counts = [round(total_previous * s / norm) for s in shape]
    counts += [round(total_current * s / norm) for s in shape]
    if signal_at is not None:
        counts[signal_at] = round(counts[signal_at] * 0.78)
    base = counts[:12]
    mean = sum(base) / len(base)
    upper = mean + 3 * math.sqrt(mean)
    lower = max(0.0, mean - 3 * math.sqrt(mean))
    points = []
    for i, (month, count) in enumerate(zip(_months(date(2013, 4, 1), 24), counts, strict=True)):
        is_missing = i in missing
        signal = None
        if not is_missing and count < lower:
            signal = "below lower limit"
        elif not is_missing and count > upper:
            signal = "above upper limit"
        points.append(
            MonthPoint(
                month=month,
                count=None if is_missing else count,
                mean=mean,
                upper=upper,
                lower=lower,
                signal=signal,
                missing=is_missing,
            )
        )
    return points


def unlike_figure(
    slug: str, name: str, unit: str, counts: tuple[int, int, int], population: int | None
) -> IndicatorFigure:
    """A figure whose comparison period holds 11 months: no change, no verdict of its own,
    and the like-for-like comparison over the 11 months both hold."""
    count, previous, same = counts
    j = judge(same, previous)
    like = LikeForLike(
        first=date(2014, 5, 1), last=date(2015, 3, 1), months=11, count=same,
        previous_count=previous, change=same - previous,
        pct_change=round(100.0 * (same - previous) / previous, 2), significant=j.significant,
        verdict=j.verdict, z=j.z, p_value=j.p_value,
    )  # fmt: skip
    return IndicatorFigure(
        slug=slug, name=name, unit=unit, count=count, previous_count=previous, change=None,
        pct_change=None, rate_per_1000=None if not population else 1000 * count / population,
        z=None, significant=False, verdict=INCOMPLETE, p_value=None,
        reason="2014/15 holds 12 months and 2013/14 11; compared like for like over the 11 "
        "months both hold",
        like_for_like=like, months=12, previous_months=11,
    )  # fmt: skip


def no_data_figure() -> IndicatorFigure:
    """Deliberate fires: the fire service's data ends before the period (None, never 0)."""
    return IndicatorFigure(
        slug="deliberate-fires", name="Deliberate fires", unit="fires", count=None,
        previous_count=52, change=None, pct_change=None, rate_per_1000=None, z=None,
        significant=False, verdict=NO_DATA, reason="no data for West Lancashire in 2014/15",
        months=0, previous_months=12,
    )  # fmt: skip


def category(label: str, cur: int, prev: int) -> CategoryFigure:
    """A category judged by the indicators' rules."""
    fig = figure_from_counts(label, label, "crimes", cur, prev)
    return CategoryFigure(label, cur, prev, fig.change, fig.pct_change, fig.verdict, fig.reason)


def example_pack() -> PerformancePack:
    """A plausible West Lancashire 2014/15 pack for unit tests."""
    figs = {
        slug: figure_from_counts(slug, name, unit, cur, prev, POPULATION)
        for slug, name, unit, cur, prev in INDICATORS
    }
    vso = unlike_figure(*VSO, VSO_COUNTS, POPULATION)
    order = ["all-crime", "anti-social-behaviour", VSO[0], "vehicle-crime", "burglary",
             "robbery", "deliberate-fires"]  # fmt: skip
    figs[VSO[0]] = vso
    figs["deliberate-fires"] = no_data_figure()
    indicators = [figs[slug] for slug in order]
    series = {
        "all-crime": monthly_series(5400, 4995, missing=(20,), signal_at=22),
        "anti-social-behaviour": monthly_series(4561, 4210),
        # police.uk's category change: no month before May 2013 is counted
        VSO[0]: monthly_series(1631, 1520, missing=(0,)),
        "vehicle-crime": monthly_series(383, 395),
    }
    seasonal = [
        SeasonalTable(
            title="Deliberate fires in October and November",
            window_label="October to November each year",
            rows=[SeasonalRow(2005 + i, n) for i, n in enumerate(FIRES_OCT_NOV)],
            unit="fires",
        ),
        SeasonalTable(
            title="Anti-social behaviour on Mischief Night",
            window_label="Mischief Night, 4 November each year",
            rows=[SeasonalRow(y, None) for y in range(2005, 2015)],
            note=(
                "Needs day-level data: police.uk street-level files give the month only. "
                "Import the force incident log to count Mischief Night."
            ),
            unit="incidents",
        ),
    ]
    return PerformancePack(
        place_name="West Lancashire",
        place_code="E07000127",
        place_kind="district",
        period_label="2014/15",
        start_month=date(2014, 4, 1),
        end_month=date(2015, 3, 1),
        comparison_label="2013/14",
        generated_at=datetime(2015, 5, 14, 9, 30, tzinfo=UTC),
        partnership_name="West Lancashire Community Safety Partnership",
        indicators=indicators,
        series=series,
        seasonal=seasonal,
        categories=[
            replace(
                category(VSO[1], VSO_COUNTS[0], VSO_COUNTS[1]),
                change=None,
                pct_change=None,
                verdict=INCOMPLETE,
                reason=vso.reason,
                like_for_like=vso.like_for_like,
                series_break="From May 2013 police.uk counts sexual offences with violence. "
                "Months before May 2013 are not counted.",
            ),
            *(category(label, cur, prev) for label, cur, prev in CATEGORIES[1:]),
        ],
        districts=[
            DistrictFigure(name, None, None)
            if name in NO_DATA_DISTRICTS
            else DistrictFigure(name, n, 1000 * n / pop)
            for name, n, pop in DISTRICTS
        ],
        quality_notes=[
            "December 2014 is missing from the police.uk files for Lancashire: "
            "the series shows a gap and the year's count excludes it.",
            "512 rows of 2014/15 (4.8%) have no location: they are in no district's figures.",
        ],
        sources=[
            SOURCE,
            "Lancashire Fire and Rescue Service deliberate fires (Lancashire), held from "
            "April 2005 to March 2014; every row of this period has a location.",
        ],
        source_notes=[SOURCE_NOTE],
        population=POPULATION,
    )


def partial_pack() -> PerformancePack:
    """Lancashire (the county) when the data covers only West Lancashire: every figure is
    a part, and nothing is judged for the whole."""
    base = example_pack()
    reason = "covers 1 of 12 districts: West Lancashire"
    indicators = [
        replace(f, partial=True, verdict=PARTIAL, reason=reason, z=None, p_value=None,
                significant=False, like_for_like=None)
        for f in base.indicators
        if f.count is not None
    ]  # fmt: skip
    return replace(
        base,
        place_name="Lancashire",
        place_code="E10000017",
        place_kind="county",
        indicators=indicators,
        series={k: v for k, v in base.series.items() if k in {f.slug for f in indicators}},
        categories=[
            replace(c, verdict=PARTIAL, reason=reason, like_for_like=None) for c in base.categories
        ],
        districts=[
            d if d.name == "West Lancashire" else DistrictFigure(d.name, None, None)
            for d in base.districts
        ],
        coverage=reason,
    )


def tiny_png(path: Path, size: tuple[int, int] = (120, 48)) -> Path:
    """A small logo: a navy block with a white bar, as a PNG file."""
    image = Image.new("RGB", size, (0, 48, 120))
    for x in range(10, size[0] - 10):
        for y in range(size[1] // 2 - 4, size[1] // 2 + 4):
            image.putpixel((x, y), (255, 255, 255))
    image.save(path, format="PNG")
    return path


@pytest.fixture
def pack() -> PerformancePack:
    return example_pack()
