"""The Knox test (near repeats): cells counted by brute force over every pair of real
London Fire Brigade dwelling fires, band edges, seeded permutations and the refusal of
month-level police.uk data."""

from __future__ import annotations

import csv
import gzip
import math
import re
from datetime import date, timedelta
from itertools import combinations

import numpy as np
import pytest

from saferplaces.insight import near_repeat
from saferplaces.insight.near_repeat import Bands, NearRepeatRefused, knox
from tests.insight.conftest import SAMPLES, SHARED

DWELLINGS = SHARED / "fire" / "lfb_dwelling_fires_2009_2024.csv.gz"
TOWER_HAMLETS = "E09000030"
needs_fire = pytest.mark.skipif(not DWELLINGS.is_file(), reason=f"{DWELLINGS} is absent")

Event = tuple[date, float, float]


def dwelling_fires(borough: str, first: date, last: date) -> list[Event]:
    """(date, easting, northing) of the raw file's dwelling fires, read with csv only."""
    with gzip.open(DWELLINGS, "rt", encoding="utf-8", newline="") as fh:
        rows = [
            (date.fromisoformat(r["date"]), float(r["easting_rounded"]),
             float(r["northing_rounded"]))
            for r in csv.DictReader(fh) if r["borough"] == borough
        ]  # fmt: skip
    return [r for r in rows if first <= r[0] <= last]


def label_range(label: str, unit: str) -> tuple[int, float]:
    """(smallest, largest) a label says its band holds, read from the label's words."""
    if m := re.fullmatch(rf"(\d[\d,]*) {unit} \(same place\)", label):
        value = int(m.group(1).replace(",", ""))
        return value, value
    if m := re.fullmatch(rf"(\d[\d,]*)–(\d[\d,]*) {unit}", label):
        return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))
    if m := re.fullmatch(rf"more than (\d[\d,]*) {unit}", label):
        return int(m.group(1).replace(",", "")) + 1, math.inf
    raise AssertionError(f"label {label!r} does not say what it holds")


def brute_force(events: list[Event], space: list[str], time: list[str]) -> list[list[int]]:
    """Every pair, one by one: distance rounded half up to whole metres, whole days apart,
    placed in the band whose label holds them."""
    spaces = [label_range(s, "m") for s in space]
    times = [label_range(t, "days") for t in time]
    table = [[0] * len(times) for _ in spaces]
    for (d1, x1, y1), (d2, x2, y2) in combinations(events, 2):
        metres = math.floor(math.hypot(x1 - x2, y1 - y2) + 0.5)
        days = abs((d1 - d2).days)
        (row,) = [k for k, (lo, hi) in enumerate(spaces) if lo <= metres <= hi]
        (col,) = [k for k, (lo, hi) in enumerate(times) if lo <= days <= hi]
        table[row][col] += 1
    return table


def test_labels_say_exactly_what_each_band_holds() -> None:
    """Given the default bands (100 m × 5, 7 days × 3), Then the labels are the Near
    Repeat Calculator's bands written so that each names its first and last value, and
    the rules agree with them."""
    result = knox([date(2024, 1, 1), date(2024, 1, 3)], x=[0.0, 50.0], y=[0.0, 0.0], permutations=9)
    assert result.space_labels == [
        "0 m (same place)", "1–100 m", "101–200 m", "201–300 m", "301–400 m", "401–500 m",
        "more than 500 m",
    ]  # fmt: skip
    assert result.time_labels == ["0–7 days", "8–14 days", "15–21 days", "more than 21 days"]
    cells = {(c.space, c.time): c for c in result.cells()}
    assert cells[("101–200 m", "8–14 days")].space_rule == "101 m ≤ d ≤ 200 m"
    assert cells[("101–200 m", "0–7 days")].time_rule == "0 ≤ Δ ≤ 7 days (8 values)"
    assert cells[("more than 500 m", "more than 21 days")].time_rule == "Δ ≥ 22 days"


def test_band_edges_by_brute_force() -> None:
    """Given pairs placed on the edges (0.4, 0.5, 100.4, 100.5, 500.4 and 500.5 m apart;
    7, 8, 21 and 22 days apart), When counted, Then each pair is in the cell its label
    holds after rounding half up to whole metres, as the brute force places it."""
    start = date(2023, 3, 1)
    events: list[Event] = []
    for k, (metres, days) in enumerate(
        [(0.4, 7), (0.5, 8), (100.4, 21), (100.5, 22), (500.4, 0), (500.5, 14), (99.6, 15)]
    ):
        x0 = k * 100_000.0  # pairs far from each other
        events.append((start + timedelta(days=300 * k), x0, 0.0))
        events.append((start + timedelta(days=300 * k + days), x0 + metres, 0.0))
    result = knox([e[0] for e in events], x=[e[1] for e in events],
                  y=[e[2] for e in events], permutations=19)  # fmt: skip
    assert result.observed == brute_force(events, result.space_labels, result.time_labels)
    cells = {(c.space, c.time): c.observed for c in result.cells()}
    assert cells[("0 m (same place)", "0–7 days")] == 1  # 0.4 m, 7 days
    assert cells[("1–100 m", "8–14 days")] == 1  # 0.5 m rounds up to 1 m, 8 days
    assert cells[("101–200 m", "more than 21 days")] == 1  # 100.5 m → 101 m, 22 days
    assert cells[("more than 500 m", "8–14 days")] == 1  # 500.5 m → 501 m


@pytest.mark.shared_data
@needs_fire
def test_cells_equal_brute_force_on_london_dwelling_fires() -> None:
    """Given Tower Hamlets' dwelling fires of 2019 from the LFB file (real dates, 50 m
    grid), When the Knox test runs, Then every cell equals the count of pairs made one by
    one, all cells add up to every pair, and the 50 m grid is named."""
    events = dwelling_fires(TOWER_HAMLETS, date(2019, 1, 1), date(2019, 12, 31))
    assert len(events) > 150
    result = knox([e[0] for e in events], x=[e[1] for e in events],
                  y=[e[2] for e in events], permutations=99, what="dwelling fire")  # fmt: skip
    assert result.observed == brute_force(events, result.space_labels, result.time_labels)
    assert sum(map(sum, result.observed)) == result.pairs == len(events) * (len(events) - 1) // 2
    assert result.grid == 50
    assert any("nearest 50 m" in n for n in result.notes)


@pytest.mark.shared_data
@needs_fire
def test_wider_bands_by_brute_force() -> None:
    """Given other bands (250 m × 3, 14 days × 2), Then the cells still equal brute force
    over the labels those bands write."""
    events = dwelling_fires(TOWER_HAMLETS, date(2020, 1, 1), date(2020, 6, 30))
    bands = Bands(space_band=250, space_bands=3, time_band=14, time_bands=2)
    result = knox([e[0] for e in events], x=[e[1] for e in events],
                  y=[e[2] for e in events], bands=bands, permutations=19)  # fmt: skip
    assert result.space_labels[-1] == "more than 750 m"
    assert result.time_labels == ["0–14 days", "15–28 days", "more than 28 days"]
    assert result.observed == brute_force(events, result.space_labels, result.time_labels)


@pytest.mark.shared_data
@needs_fire
def test_expected_and_p_values_are_the_seeded_shuffles_counted_by_brute_force() -> None:
    """Given 80 real dwelling fires, When the test runs with 5 permutations and seed 7,
    Then the expected counts are the mean of brute-force tables of the dates shuffled by
    numpy's default_rng(7), the p-values count shuffles at or above the observed, the
    same seed repeats exactly and another seed gives other expected counts."""
    events = dwelling_fires(TOWER_HAMLETS, date(2018, 1, 1), date(2018, 12, 31))[:80]
    dates = [e[0] for e in events]
    xs, ys = [e[1] for e in events], [e[2] for e in events]
    result = knox(dates, x=xs, y=ys, permutations=5, seed=7)
    rng = np.random.default_rng(7)
    tables = []
    for _ in range(5):
        order = rng.permutation(len(events))
        shuffled = [(dates[int(k)], x, y) for k, (_, x, y) in zip(order, events, strict=True)]
        tables.append(brute_force(shuffled, result.space_labels, result.time_labels))
    stacked = np.array(tables)
    assert np.allclose(result.expected, stacked.mean(axis=0))
    observed = np.array(result.observed)
    assert np.allclose(result.p_value, (1 + (stacked >= observed).sum(axis=0)) / 6)
    again = knox(dates, x=xs, y=ys, permutations=5, seed=7)
    assert again.expected == result.expected and again.p_value == result.p_value
    other = knox(dates, x=xs, y=ys, permutations=5, seed=8)
    assert other.expected != result.expected


def test_a_planted_near_repeat_is_read_in_plain_words() -> None:
    """Given incidents spread at random plus a copy of many of them 30 m and 3 days
    later, When tested, Then the zone says a burglary raises the risk within 100 m over
    the next 7 days, with the ratio the cells give, and a p-value of 0.001."""
    rng = np.random.default_rng(3)
    n = 400
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    days = np.datetime64("2022-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    x = np.concatenate([x, x[:100] + 30])
    y = np.concatenate([y, y[:100]])
    days = np.concatenate([days, days[:100] + np.timedelta64(3, "D")])
    result = knox(days, x=x, y=y, what="burglary")
    assert result.zone is not None
    z = result.zone
    assert (z.metres, z.days) == (100, 7)
    assert z.observed == result.observed[0][0] + result.observed[1][0]
    reading = result.readings()[0]
    assert reading.startswith("A burglary raises the risk of another within 100 m over the next")
    assert f"by {z.ratio:.1f}×" in reading and "p = 0.001" in reading


def test_no_pattern_says_so() -> None:
    """Given dates unrelated to places, When tested, Then no zone is claimed."""
    rng = np.random.default_rng(5)
    n = 300
    days = np.datetime64("2022-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    result = knox(days, x=rng.uniform(0, 3000, n), y=rng.uniform(0, 3000, n), permutations=199)
    if result.zone is None:
        assert result.readings()[0].startswith("No near-repeat pattern")
    else:  # chance can still make a cell significant; the reading then names it
        assert "raises the risk" in result.readings()[0]


def test_police_uk_months_are_refused_with_the_reason() -> None:
    """Given the shipped police.uk West Lancashire sample (each crime dated by month
    only), When its burglaries are tested, Then it is refused: the reason names
    month-level data and what the test needs; a source flagged month-level is refused
    too."""
    files = sorted(SAMPLES.glob("*-west-lancashire-street.csv.gz"))
    rows = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            rows += [r for r in csv.DictReader(fh) if r["Crime type"] == "Burglary"
                     and r["Longitude"]]  # fmt: skip
    assert len(rows) > 20
    dates = [date.fromisoformat(r["Month"] + "-01") for r in rows]
    with pytest.raises(NearRepeatRefused, match="month-level data") as err:
        knox(dates, lon=[float(r["Longitude"]) for r in rows],
             lat=[float(r["Latitude"]) for r in rows], what="burglary")  # fmt: skip
    assert "needs each incident's own date" in str(err.value)
    with pytest.raises(NearRepeatRefused, match="only the month"):
        knox([date(2024, 1, 5), date(2024, 1, 9)], x=[0, 1], y=[0, 1], resolution="month")


def test_lon_lat_are_projected_to_the_national_grid() -> None:
    """Given two points 150 m apart on the British National Grid, given as lon/lat,
    Then the pair is in 101–200 m."""
    from pyproj import Transformer

    to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform([530000.0, 530150.0], [180000.0, 180000.0])
    result = knox([date(2024, 5, 1), date(2024, 5, 2)], lon=lon, lat=lat, permutations=9)
    assert result.observed[2][0] == 1


def test_one_day_and_one_place_and_too_many_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given three incidents on one day at one place, Then all three pairs are in the
    first cell and no shuffle can change that (p = 1, ratio 1); Given more pairs than
    the test counts at once, Then it refuses and says what to narrow."""
    result = knox([date(2024, 2, 2)] * 3, x=[10.0] * 3, y=[20.0] * 3, permutations=9)
    assert result.observed[0][0] == 3 and result.expected[0][0] == 3.0
    assert result.ratio[0][0] == 1.0 and result.p_value[0][0] == 1.0
    assert result.zone is None
    monkeypatch.setattr(near_repeat, "CHECK_PAIRS_ABOVE", 2)
    monkeypatch.setattr(near_repeat, "MAX_PAIRS", 2)
    with pytest.raises(NearRepeatRefused, match="3 pairs of incidents lie within 500 m"):
        knox([date(2024, 2, 2)] * 3, x=[10.0] * 3, y=[20.0] * 3, permutations=9)
