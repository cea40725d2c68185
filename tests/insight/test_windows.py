"""Named windows of the year (insight.windows), checked against counts made here from the
raw CSV files with the standard library."""

from __future__ import annotations

import csv
import gzip
import math
import random
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from saferplaces.insight import windows as w
from saferplaces.insight.imports import import_incidents, import_police_uk
from saferplaces.insight.seasons import DayWindow, MonthWindow
from saferplaces.insight.stats import INCREASE, NORMAL
from saferplaces.insight.store import IncidentStore
from tests.insight.conftest import SHARED, WEST_LANCS, sample_files

MARCH = DayWindow("1-7 March", (3, 1), (3, 7))
EVENTS = SHARED / "fire" / "lfb_fire_incidents_event_periods_2009_2024.csv.gz"
A, B = "E09000030", "E09000012"

MAPPING = """source = "{source}"
dataset = "{dataset}"
[columns]
date = "date"
category = "kind"
district = "district"
[categories]
"Bin" = "deliberate-secondary-fire"
"House" = "accidental-dwelling-fire"
default = "other-fire"
"""


def write_source(folder: Path, source: str, dataset: str, rows: list[tuple[date, str, str]]
                 ) -> tuple[Path, Path]:  # fmt: skip
    mapping = folder / f"{dataset}.toml"
    mapping.write_text(MAPPING.format(source=source, dataset=dataset), "utf-8")
    data = folder / f"{dataset}.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["date", "kind", "district"])
        for day, kind, district in rows:
            out.writerow([day.isoformat(), kind, district])
    return mapping, data


def raw_counts(path: Path, district: str, kinds: set[str] | None = None) -> Counter[date]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return Counter(
        date.fromisoformat(r["date"])
        for r in rows
        if r["district"] == district and (kinds is None or r["kind"] in kinds)
    )


@pytest.fixture
def two_exports(tmp_path: Path) -> tuple[IncidentStore, Path, Path]:
    """A store with a daily export (every day of 2010-2023) and a festival-days export
    (29 Oct-12 Nov only) that repeats the daily export's rows on those days."""
    rng = random.Random(14)
    daily: list[tuple[date, str, str]] = []
    day = date(2010, 1, 1)
    while day <= date(2023, 12, 31):
        for _ in range(rng.randint(0, 4)):
            daily.append((day, rng.choice(["Bin", "House", "Car"]), rng.choice([A, B])))
        day += timedelta(days=1)
    # every day is held: one row a day in a third district keeps the export "open"
    daily += [(date(2010, 1, 1) + timedelta(days=i), "Car", "E09000001")
              for i in range((date(2023, 12, 31) - date(2010, 1, 1)).days + 1)]  # fmt: skip
    festival = [r for r in daily if (r[0].month, r[0].day) >= (10, 29)
                and (r[0].month, r[0].day) <= (11, 12)]  # fmt: skip
    store = IncidentStore(tmp_path / "store")
    m1, d1 = write_source(tmp_path, "fra", "daily", daily)
    m2, d2 = write_source(tmp_path, "fra", "festival", festival)
    import_incidents(store, m1, d1)
    import_incidents(store, m2, d2)
    return store, d1, d2


def test_parse_window() -> None:
    """Given windows as users write them, Then days, single days and whole months parse,
    and a day that is not in every year (or none) is refused with what to write."""
    assert w.parse_window("10-29..11-12") == DayWindow("10-29..11-12", (10, 29), (11, 12))
    assert w.parse_window("11-05").bounds(2020) == (date(2020, 11, 5), date(2020, 11, 5))
    assert w.parse_window("12-30..01-02").bounds(2020) == (date(2020, 12, 30), date(2021, 1, 2))
    assert w.parse_window("10..11", name="Autumn") == MonthWindow("Autumn", 10, 11)
    for bad, why in [("02-29", "29 February"), ("13-01", "not a day"), ("halloween!", "MM-DD"),
                     ("0..13", "01 to 12")]:  # fmt: skip
        with pytest.raises(w.WindowError, match=why):
            w.parse_window(bad)
    assert w.parse_freshers("09-15:7").bounds(2021) == (date(2021, 9, 15), date(2021, 9, 21))
    with pytest.raises(w.WindowError, match="09-15:7"):
        w.parse_freshers("September")


def test_catalogue_dates() -> None:
    """The named windows fall on the days their documentation gives."""
    assert w.NAMED["bonfire-night"].bounds(2021) == (date(2021, 11, 5), date(2021, 11, 5))
    assert w.NAMED["christmas"].bounds(2021) == (date(2021, 12, 24), date(2021, 12, 26))
    assert w.NAMED["christmas-period"].bounds(2021) == (date(2021, 12, 18), date(2022, 1, 2))
    assert len(w.window_days(w.NAMED["bonfire-period"], 2021)) == 15  # type: ignore[arg-type]
    diwali = w.diwali({2025: date(2025, 10, 18)})
    assert diwali.bounds(2025) == (date(2025, 10, 18), date(2025, 10, 22))
    with pytest.raises(w.WindowError, match="no Diwali dates held for 2026"):
        diwali.bounds(2026)


@pytest.mark.shared_data
@pytest.mark.skipif(not EVENTS.is_file(), reason=f"{EVENTS} is absent")
def test_diwali_table_is_the_days_the_source_flags() -> None:
    """Given the LFB festival-days file (the table's named source), When its rows flagged
    Diwali are read with csv, Then their days are exactly the table's five days a year."""
    with gzip.open(EVENTS, "rt", encoding="utf-8", newline="") as fh:
        flagged = {datetime.strptime(f"{r['Year']} {r['Month']} {r['Day']}", "%Y %B %d").date()
                   for r in csv.DictReader(fh) if r["Diwali"] == "1"}  # fmt: skip
    table = {d for y in w.DIWALI_DAYS for d in w.window_days(w.diwali(), y)}
    assert table == flagged


def test_window_counted_night_by_night_from_one_export(
    two_exports: tuple[IncidentStore, Path, Path],
) -> None:
    """Given a daily export and a festival-days export that repeats it, When the bonfire
    period is counted for one district, Then each year and night equals the raw file's
    rows (counted with csv), the two exports are never added together, and a window
    outside the festival days is counted from the daily export, not as zero."""
    store, daily, _ = two_exports
    want = raw_counts(daily, A)
    got = w.count_window(store, w.BONFIRE_PERIOD, districts=[A])
    assert got.dataset is not None and got.dataset.key in ("fra/daily", "fra/festival")
    assert [y.year for y in got.years] == list(range(2010, 2024))
    for y in got.years:
        days = w.window_days(w.BONFIRE_PERIOD, y.year)
        assert y.count == sum(want[d] for d in days) and y.complete and y.days == 15
        assert [n.count for n in y.nights] == [want[d] for d in days]
    assert any("not added in" in n for n in got.notes)
    outside = w.count_window(store, MARCH, districts=[A])
    assert outside.dataset is not None and outside.dataset.key == "fra/daily"
    assert outside.years[3].count == sum(want[date(2013, 3, d)] for d in range(1, 8))
    forced = w.count_window(store, MARCH, districts=[A],
                            dataset="fra/festival")  # fmt: skip
    assert all(y.count is None and not y.complete for y in forced.years)


def test_categories_and_motive(two_exports: tuple[IncidentStore, Path, Path]) -> None:
    """Given exports that record motive, When deliberate fires are counted for two
    districts, Then the count is the raw Bin rows of both, and no motive note is made."""
    store, daily, _ = two_exports
    want = raw_counts(daily, A, {"Bin"}) + raw_counts(daily, B, {"Bin"})
    got = w.count_window(store, w.NAMED["halloween"], districts=[A, B],  # type: ignore[arg-type]
                         categories=list(w.DELIBERATE), dataset="fra/daily")  # fmt: skip
    assert [y.count for y in got.years] == [want[date(y, 10, 31)] for y in range(2010, 2024)]
    assert got.dataset is not None and w.motive_recorded(got.dataset) is True
    assert not any("motive" in n for n in got.notes)


def test_month_window_over_a_festival_only_export_is_incomplete_not_low(
    two_exports: tuple[IncidentStore, Path, Path],
) -> None:
    """Given the festival-days export alone, When October-November is counted, Then every
    year is incomplete (15 of 61 days held), never a low complete count."""
    store, _, _ = two_exports
    got = w.count_month_window(store, w.BONFIRE_MONTHS, districts=[A], dataset="fra/festival")
    assert got.years and all(not y.complete and y.days == 15 for y in got.years)


def test_day_window_over_month_level_data_is_refused(tmp_path: Path) -> None:
    """Given police.uk months only, When a day window is asked, Then it is refused because
    police.uk records only the month; a month window is counted."""
    store = IncidentStore(tmp_path / "s")
    import_police_uk(store, sample_files(["2014-10", "2014-11"]))
    with pytest.raises(w.WindowError, match="records only the month"):
        w.count_window(store, w.BONFIRE_PERIOD, districts=[WEST_LANCS])
    got = w.count_month_window(store, w.BONFIRE_MONTHS, districts=[WEST_LANCS])
    assert got.resolution == "month" and got.years[0].count and got.years[0].complete


def _year(year: int, count: int | None, days: int = 15) -> w.WindowYear:
    return w.WindowYear("W", year, date(year, 10, 29), date(year, 11, 12), count, days, 15)


def test_this_year_against_the_years_before() -> None:
    """The comparison refuses an incomplete year, needs two complete years before, is
    the exact test of stats for one year before, finds a clear rise over steady years,
    and gives no verdict when the years before vary far more than chance."""
    refused = w.compare_years([_year(2020, 50), _year(2021, 40), _year(2022, 10, days=5)])
    assert refused.verdict is None and "incomplete" in (refused.reason or "")
    assert w.compare_years([_year(2021, 40), _year(2022, 60)]).reason is not None
    steady = [_year(y, c) for y, c in zip(range(2010, 2020), [50, 48, 53, 51, 47, 52, 49, 50, 46,
                                                              54], strict=True)]  # fmt: skip
    rise = w.compare_years([*steady, _year(2020, 95)])
    assert rise.verdict == INCREASE and rise.significant and rise.overdispersed is False
    same = w.compare_years([*steady, _year(2020, 51)])
    assert same.verdict == NORMAL and not same.significant
    wild = [_year(y, c) for y, c in zip(range(2010, 2020), [10, 90, 20, 85, 15, 95, 12, 80, 18,
                                                            99], strict=True)]  # fmt: skip
    w_rise = w.compare_years([*wild, _year(2020, 95)])
    assert w_rise.overdispersed is True and not w_rise.significant
    gap = w.compare_years([_year(2018, 40), _year(2019, None, days=0), _year(2020, 45),
                           _year(2021, 44)])  # fmt: skip
    assert gap.baseline_years == [2018, 2020]


def test_p_value_is_the_exact_binomial_summed_here() -> None:
    """Given two complete years before (k = 2), the p-value is the exact two-sided
    binomial test with p = 1/3, summed here with math.comb: the probability of every
    split of the total no more likely than the one observed."""
    rows = [_year(2019, 30), _year(2020, 35), _year(2021, 60)]
    got = w.compare_years(rows)
    n, k, p = 125, 60, 1 / 3
    pmf = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    want = sum(x for x in pmf if x <= pmf[k] * (1 + 1e-7))
    assert got.p_value == pytest.approx(want, rel=1e-9)
    assert got.baseline_years == [2019, 2020] and got.baseline_mean == 32.5


def test_diwali_years_without_dates_are_named(tmp_path: Path) -> None:
    """Given daily data through November 2025 and the table ending in 2024, When Diwali
    is counted, Then 2023 and 2024 are counted and 2025 is named as not counted (no
    dates held), not silently dropped; with 2025's dates added it is counted."""
    start = date(2023, 10, 1)
    rows = [(start + timedelta(days=i), "Bin", A) for i in range(792)]
    mapping, data = write_source(tmp_path, "fra", "daily", rows)
    store = IncidentStore(tmp_path / "store")
    import_incidents(store, mapping, data)
    got = w.count_window(store, w.diwali(), districts=[A])
    assert [(y.year, y.count) for y in got.years] == [(2023, 5), (2024, 5)]
    assert any("No Diwali dates held for 2025" in n for n in got.notes)
    more = w.count_window(store, w.diwali({2025: date(2025, 10, 18)}), districts=[A])
    assert [y.year for y in more.years] == [2023, 2024, 2025]
    assert not any("No Diwali dates" in n for n in more.notes)
