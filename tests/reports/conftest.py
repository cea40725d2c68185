"""An example performance pack with plausible West Lancashire 2014/15 numbers.

"All crime down by 7.5%, equivalent to 405 fewer crimes" (5,400 → 4,995), as in the
partnership's hand-made 2014/15 briefing; the rest are plausible, not real.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from saferplaces.reports.pack import (
    CategoryFigure,
    DistrictFigure,
    MonthPoint,
    PerformancePack,
    SeasonalRow,
    SeasonalTable,
    figure_from_counts,
)

POPULATION = 111_000

# (slug, name, unit, current, previous)
INDICATORS: list[tuple[str, str, str, int, int]] = [
    ("all-crime", "All crime", "crimes", 4995, 5400),
    ("anti-social-behaviour", "Anti-social behaviour", "incidents", 4210, 4561),
    ("violence-and-sexual-offences", "Violence and sexual offences", "crimes", 1520, 1631),
    ("vehicle-crime", "Vehicle crime", "crimes", 395, 383),
    ("burglary", "Burglary", "crimes", 480, 480),
    ("robbery", "Robbery", "crimes", 3, 2),
    ("deliberate-fires", "Deliberate fires", "fires", 4, 0),
]

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


def example_pack() -> PerformancePack:
    """A plausible West Lancashire 2014/15 pack for unit tests."""
    indicators = [
        figure_from_counts(slug, name, unit, cur, prev, POPULATION)
        for slug, name, unit, cur, prev in INDICATORS
    ]
    series = {
        "all-crime": monthly_series(5400, 4995, missing=(20,), signal_at=22),
        "anti-social-behaviour": monthly_series(4561, 4210),
        "violence-and-sexual-offences": monthly_series(1631, 1520),
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
        categories=[CategoryFigure(label, cur, prev) for label, cur, prev in CATEGORIES],
        districts=[DistrictFigure(name, n, 1000 * n / pop) for name, n, pop in DISTRICTS],
        quality_notes=[
            "December 2014 is missing from the police.uk files for Lancashire: "
            "the series shows a gap and the year's count excludes it.",
            "4.8% of rows (512) had no location and could not be placed in an LSOA; "
            "they count towards the district total only.",
        ],
        sources=[
            "police.uk street-level crime, Lancashire Constabulary, 2013-04 to 2015-03 (24 files)",
            "Lancashire Fire and Rescue Service deliberate fires, 2005 to 2015",
            "ONS mid-2014 population estimates (LSOA 2011)",
        ],
        population=POPULATION,
    )


@pytest.fixture
def pack() -> PerformancePack:
    return example_pack()
