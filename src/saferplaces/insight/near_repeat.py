"""Near repeats: the Knox test of dated, located incidents (when and where together).

Method (Knox 1964; as in the Near Repeat Calculator, Ratcliffe 2009, and Johnson et al.
2007): every pair of incidents falls in one cell of a table of space bands (how far
apart) by time bands (how many days apart). The observed table counts the pairs. The
null hypothesis is that when an incident happened has nothing to do with where: the
dates are shuffled among the locations (locations fixed, dates permuted; numpy's
``default_rng(seed)``, so results repeat) and the pairs counted again, ``permutations``
times (999 by default). For each cell:

- **expected** = the mean count over the permutations;
- **ratio** = observed / expected (None when nothing is expected there);
- **p-value** = (1 + permutations counting at least the observed) / (1 + permutations):
  one-sided, the chance of this many pairs or more if time and place were unrelated. The
  smallest p-value 999 permutations can give is 0.001.

Bands, exactly (``d`` = straight-line distance rounded half up to whole metres,
``Δ`` = whole calendar days between the two dates, never negative):

- space: ``0 m (same place)`` holds d = 0 (under half a metre apart); ``1–100 m`` holds
  1 ≤ d ≤ 100; ``101–200 m`` holds 101 ≤ d ≤ 200; …; ``more than 500 m`` holds d ≥ 501.
- time: ``0–7 days`` holds Δ = 0, 1, …, 7 (eight values: same day up to a week apart);
  ``8–14 days`` holds 8 ≤ Δ ≤ 14; ``15–21 days`` holds 15 ≤ Δ ≤ 21; ``more than 21
  days`` holds Δ ≥ 22.

These are the Near Repeat Calculator's default bands (100 m and 7 days, five and three of
them) with labels that say what each holds: the Calculator's own labels are reported to be
off by one at the band edges, so a count read against its label can be a day or a metre
out. Here the label and the rule that fills the cell are the same thing.

Distances are on the British National Grid (EPSG:27700): pass x/y in metres, or
lon/lat (WGS84), which :func:`to_bng` projects with pyproj. Only pairs within the
largest space band are found (a KD-tree, ``scipy.spatial.cKDTree.query_pairs``): those
pairs do not change when dates are shuffled, so each permutation only recomputes their
day differences. The "more than 500 m" row is every pair's time band (the multiset of
all day differences does not change under a permutation of dates either) less the pairs
within 500 m.

Month-level data (police.uk publishes only the month of each crime) is refused: every
date on the first of its month with no time of day, or ``resolution="month"``.

Plain Python and numpy/scipy: no Django.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

DEFAULT_PERMUTATIONS = 999
DEFAULT_SEED = 1
ALPHA = 0.05
"""The p-value at or below which a cell counts as more than chance."""
WORKERS = 2
"""Threads counting shuffles (numpy releases the GIL while it counts)."""
MAX_PAIRS = 40_000_000
"""Pairs within the space bands counted at most (about 1 GB of work space)."""
CHECK_PAIRS_ABOVE = 20_000
"""Incidents above which the pairs are counted before they are listed."""
CHUNK = 32_768
"""Pairs counted at a time (their work space stays in the processor's cache)."""
BLOCK = 16
"""Shuffles per thread task."""
GRID_STEPS = (100, 50, 25, 10, 5, 2)
"""Grids a source may round its coordinates to (checked largest first)."""

MONTH_LEVEL_REASON = (
    "{what}: every one of the {n} dates falls on the first of its month with no time of "
    "day, so this is month-level data (police.uk publishes only the month of each crime). "
    "The days between two incidents cannot be measured, so the Knox test cannot be run: "
    "it needs each incident's own date (a fire service or police incident export with dates)."
)

MONTH_LEVEL_SOURCE = (
    "{what}: the source records only the month of each incident (police.uk publishes "
    "only the month of each crime), so the days between two incidents cannot be measured "
    "and the Knox test cannot be run: it needs each incident's own date (a fire service "
    "or police incident export with dates)."
)


class NearRepeatRefused(ValueError):
    """The Knox test cannot be run on these incidents; the message says why."""


IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- bands


@dataclass(frozen=True)
class Bands:
    """Space and time bands: ``space_bands`` bands ``space_band`` metres wide after the
    same-place band, ``time_bands`` bands ``time_band`` days wide, and a band beyond each."""

    space_band: int = 100
    space_bands: int = 5
    time_band: int = 7
    time_bands: int = 3

    def __post_init__(self) -> None:
        for name in ("space_band", "space_bands", "time_band", "time_bands"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise NearRepeatRefused(f"{name.replace('_', ' ')} must be a whole number ≥ 1")

    @property
    def max_distance(self) -> int:
        """The last metre inside the space bands (500 m by default)."""
        return self.space_band * self.space_bands

    @property
    def max_days(self) -> int:
        """The last day difference inside the time bands (21 days by default)."""
        return self.time_band * self.time_bands

    @property
    def rows(self) -> int:
        """Space rows: same place, each band, beyond."""
        return self.space_bands + 2

    @property
    def columns(self) -> int:
        """Time columns: each band, beyond."""
        return self.time_bands + 1

    def space_range(self, row: int) -> tuple[int, int | None]:
        """(smallest, largest) whole metres in space row ``row`` (None: no largest)."""
        if row == 0:
            return 0, 0
        if row <= self.space_bands:
            return (row - 1) * self.space_band + 1, row * self.space_band
        return self.max_distance + 1, None

    def time_range(self, column: int) -> tuple[int, int | None]:
        """(smallest, largest) whole days in time column ``column`` (None: no largest)."""
        if column == 0:
            return 0, self.time_band
        if column < self.time_bands:
            return column * self.time_band + 1, (column + 1) * self.time_band
        return self.max_days + 1, None

    def space_label(self, row: int) -> str:
        low, high = self.space_range(row)
        if row == 0:
            return "0 m (same place)"
        if high is None:
            return f"more than {self.max_distance:,} m"
        return f"{low:,}–{high:,} m"

    def time_label(self, column: int) -> str:
        low, high = self.time_range(column)
        if high is None:
            return f"more than {self.max_days} days"
        return f"{low}–{high} days"

    def space_rule(self, row: int) -> str:
        """What the row holds, as a rule on the rounded distance d."""
        low, high = self.space_range(row)
        if row == 0:
            return "d = 0 m (under half a metre apart)"
        return f"d ≥ {low:,} m" if high is None else f"{low:,} m ≤ d ≤ {high:,} m"

    def time_rule(self, column: int) -> str:
        """What the column holds, as a rule on the day difference Δ."""
        low, high = self.time_range(column)
        if high is None:
            return f"Δ ≥ {low} days"
        return f"{low} ≤ Δ ≤ {high} days ({high - low + 1} values)"

    def space_index(self, metres: IntArray) -> IntArray:
        """Space row of each rounded distance."""
        m = np.asarray(metres, dtype=np.int64)
        row = (m + self.space_band - 1) // self.space_band  # 0 → 0, 1..100 → 1, ...
        return np.minimum(row, self.space_bands + 1)

    def time_lookup(self, largest: int) -> IntArray:
        """Time column of each day difference 0..``largest``."""
        days = np.arange(largest + 1, dtype=np.int64)
        col = np.where(days <= self.time_band, 0, (days + self.time_band - 1) // self.time_band - 1)
        return np.minimum(col, self.time_bands)


# --------------------------------------------------------------------------- inputs


def to_bng(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Longitude/latitude (WGS84) to British National Grid metres (pyproj, EPSG:27700)."""
    from pyproj import Transformer

    transformer = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def as_datetimes(dates: Sequence[date | datetime] | npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Dates or datetimes as numpy ``datetime64[s]``."""
    arr = np.asarray(dates)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[s]")
    return np.array([np.datetime64(d, "s") for d in arr], dtype="datetime64[s]")


def is_month_level(stamps: npt.NDArray[Any]) -> bool:
    """Every date on the first of its month with no time of day (at least two dates)."""
    if len(stamps) < 2:
        return False
    days = stamps.astype("datetime64[D]")
    midnight = bool((stamps == days.astype("datetime64[s]")).all())
    first = bool((days == days.astype("datetime64[M]").astype("datetime64[D]")).all())
    return midnight and first


def grid_step(x: FloatArray, y: FloatArray) -> int | None:
    """The grid (metres) every location is rounded to, when one of :data:`GRID_STEPS`."""
    xi, yi = np.rint(x).astype(np.int64), np.rint(y).astype(np.int64)
    if len(xi) == 0 or not (np.allclose(x, xi, atol=0.01) and np.allclose(y, yi, atol=0.01)):
        return None
    for step in GRID_STEPS:
        if not (xi % step).any() and not (yi % step).any():
            return step
    return None


def rounded_metres(d: FloatArray) -> IntArray:
    """Distances rounded half up to whole metres."""
    return np.floor(np.asarray(d, dtype=float) + 0.5).astype(np.int64)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class Cell:
    """One space band × time band."""

    row: int
    column: int
    space: str
    time: str
    space_rule: str
    time_rule: str
    observed: int
    expected: float
    ratio: float | None
    p_value: float

    @property
    def elevated(self) -> bool:
        """More pairs than chance would give (ratio above 1, p at or below ALPHA)."""
        return self.ratio is not None and self.ratio > 1 and self.p_value <= ALPHA

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "space": self.space,
            "time": self.time,
            "space_rule": self.space_rule,
            "time_rule": self.time_rule,
            "observed": self.observed,
            "expected": round(self.expected, 3),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "p_value": round(self.p_value, 4),
            "elevated": self.elevated,
        }


@dataclass(frozen=True)
class Zone:
    """The near-repeat zone: the largest block of space bands from the same place and
    time bands from the same day in which every cell holds more pairs than chance."""

    rows: int
    """Space rows 0..rows-1 (same place up to the zone's last band)."""
    columns: int
    """Time columns 0..columns-1."""
    metres: int
    days: int
    observed: int
    expected: float
    ratio: float
    p_value: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "within_metres": self.metres,
            "within_days": self.days,
            "observed": self.observed,
            "expected": round(self.expected, 3),
            "ratio": round(self.ratio, 3),
            "p_value": round(self.p_value, 4),
        }


@dataclass
class KnoxResult:
    """The Knox table of a set of incidents, with its reading."""

    what: str
    events: int
    pairs: int
    """Every pair of incidents (n × (n − 1) / 2)."""
    bands: Bands
    observed: list[list[int]]
    expected: list[list[float]]
    ratio: list[list[float | None]]
    p_value: list[list[float]]
    permutations: int
    seed: int
    zone: Zone | None
    grid: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def space_labels(self) -> list[str]:
        return [self.bands.space_label(r) for r in range(self.bands.rows)]

    @property
    def time_labels(self) -> list[str]:
        return [self.bands.time_label(c) for c in range(self.bands.columns)]

    def cells(self) -> list[Cell]:
        """Every cell, row by row (space), then column by column (time)."""
        b = self.bands
        return [
            Cell(r, c, b.space_label(r), b.time_label(c), b.space_rule(r), b.time_rule(c),
                 self.observed[r][c], self.expected[r][c], self.ratio[r][c], self.p_value[r][c])
            for r in range(b.rows)
            for c in range(b.columns)
        ]  # fmt: skip

    @property
    def method(self) -> str:
        return (
            f"Knox test: every pair of the {self.events:,} incidents counted by distance "
            f"(whole metres, British National Grid) and days apart; expected counts are the "
            f"mean over {self.permutations:,} random shuffles of the dates among the "
            f"locations (seed {self.seed}); p is one-sided (this many pairs or "
            f"more), and the smallest p {self.permutations:,} shuffles can give is "
            f"{1 / (self.permutations + 1):.4f}."
        )

    def readings(self) -> list[str]:
        """Plain sentences: the near-repeat zone (or that there is none), then each cell
        close in space and time that holds more pairs than chance."""
        what = self.what
        out = []
        if self.zone is not None:
            z = self.zone
            where = f"within {z.metres:,} m"
            if z.metres == 0:
                where = "at the same place" + (
                    f" (the same {self.grid} m grid square)" if self.grid and self.grid > 1 else ""
                )
            out.append(
                f"{_article(what).capitalize()} {what} raises the risk of another {where} "
                f"over the next {z.days} days by "
                f"{z.ratio:.1f}× ({z.observed:,} pairs of incidents against {z.expected:,.1f} "
                f"expected if time and place were unrelated; p = {_p(z.p_value, self)})."
            )
        else:
            out.append(
                f"No near-repeat pattern: no {what} was followed by another close by in both "
                f"space and time more often than chance would give (p ≤ {ALPHA})."
            )
        for cell in self.cells():
            if (
                cell.elevated
                and cell.row <= self.bands.space_bands
                and (cell.column < self.bands.time_bands)
            ):
                out.append(
                    f"{cell.space}, {cell.time} apart: {cell.observed:,} pairs against "
                    f"{cell.expected:,.1f} expected ({cell.ratio:.2f}×, "
                    f"p = {_p(cell.p_value, self)})."
                )
        return out

    def as_dict(self) -> dict[str, Any]:
        b = self.bands
        return {
            "what": self.what,
            "events": self.events,
            "pairs": self.pairs,
            "bands": {
                "space_band_m": b.space_band,
                "space_bands": b.space_bands,
                "time_band_days": b.time_band,
                "time_bands": b.time_bands,
            },
            "space_labels": self.space_labels,
            "time_labels": self.time_labels,
            "permutations": self.permutations,
            "seed": self.seed,
            "grid_m": self.grid,
            "cells": [c.as_dict() for c in self.cells()],
            "zone": self.zone.as_dict() if self.zone else None,
            "readings": self.readings(),
            "method": self.method,
            "notes": list(self.notes),
        }


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _p(p: float, result: KnoxResult) -> str:
    """A p-value as read: "0.001" is the smallest the permutations can give."""
    return f"{p:.3f}" if result.permutations >= 999 or p >= 0.001 else f"{p:.4f}"


# --------------------------------------------------------------------------- the test


def knox(
    dates: Sequence[date | datetime] | npt.NDArray[Any],
    *,
    x: npt.ArrayLike | None = None,
    y: npt.ArrayLike | None = None,
    lon: npt.ArrayLike | None = None,
    lat: npt.ArrayLike | None = None,
    bands: Bands | None = None,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    resolution: str = "day",
    what: str = "incident",
) -> KnoxResult:
    """The Knox test of incidents at (x, y) metres on the British National Grid, or at
    (lon, lat), on ``dates``. ``what`` names one incident in the readings ("burglary").

    Raises NearRepeatRefused for month-level dates, fewer than two incidents, lengths
    that differ or missing coordinates."""
    bands = bands or Bands()
    if resolution == "month":
        raise NearRepeatRefused(MONTH_LEVEL_SOURCE.format(what=what))
    if permutations < 1:
        raise NearRepeatRefused("permutations must be at least 1 (999 is the default)")
    stamps = as_datetimes(dates)
    n = len(stamps)
    if is_month_level(stamps):
        raise NearRepeatRefused(MONTH_LEVEL_REASON.format(what=what, n=n))
    if n < 2:
        raise NearRepeatRefused(f"{what}: the Knox test needs at least two incidents ({n} held)")
    if x is not None and y is not None:
        xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    elif lon is not None and lat is not None:
        xs, ys = to_bng(lon, lat)
    else:
        raise NearRepeatRefused("give x and y (metres, British National Grid) or lon and lat")
    if len(xs) != n or len(ys) != n:
        raise NearRepeatRefused(f"{n} dates but {len(xs)} x and {len(ys)} y values")
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise NearRepeatRefused("every incident needs a location (some coordinates are missing)")
    days = stamps.astype("datetime64[D]").astype(np.int64)
    days = days - days.min()
    table, perms = _count(xs, ys, days, bands, permutations, seed)
    expected = perms.mean(axis=0)
    p = (1 + (perms >= table[None, :, :]).sum(axis=0)) / (1 + permutations)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, table / np.where(expected > 0, expected, 1), np.nan)
    result = KnoxResult(
        what=what,
        events=n,
        pairs=n * (n - 1) // 2,
        bands=bands,
        observed=table.tolist(),
        expected=expected.tolist(),
        ratio=[[None if math.isnan(v) else float(v) for v in row] for row in ratio],
        p_value=p.tolist(),
        permutations=permutations,
        seed=seed,
        zone=_zone(table, perms, bands),
        grid=grid_step(xs, ys),
    )
    if result.grid is not None and result.grid > 1:
        result.notes.append(
            f"Locations are given to the nearest {result.grid} m, so '0 m (same place)' means "
            f"the same {result.grid} m grid square and a distance can be out by up to "
            f"{math.ceil(result.grid * math.sqrt(2))} m."
        )
    near = sum(result.observed[r][c] for r in range(bands.space_bands + 1)
               for c in range(bands.time_bands))  # fmt: skip
    if near < 20:
        result.notes.append(
            f"Only {near} pairs fall within {bands.max_distance:,} m and {bands.max_days} days: "
            "too few for the test to find a pattern that is there."
        )
    return result


def _count(
    x: FloatArray, y: FloatArray, days: IntArray, bands: Bands, permutations: int, seed: int
) -> tuple[IntArray, IntArray]:
    """(observed table, table of each permutation) for the pairs of these incidents."""
    counter = _PairCounter(x, y, days, bands)
    small = days.astype(counter.dtype)
    observed = counter.table(small)
    rng = np.random.default_rng(seed)
    perms = np.empty((permutations, bands.rows, bands.columns), dtype=np.int64)
    workers = max(1, min(WORKERS, os.cpu_count() or 1))
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while done < permutations:
            # shuffles drawn in order from one generator, so threads never change them
            blocks: list[list[npt.NDArray[Any]]] = []
            for _ in range(workers):
                size = min(BLOCK, permutations - done - sum(map(len, blocks)))
                if size > 0:
                    blocks.append([rng.permutation(small) for _ in range(size)])
            for block, tables in zip(blocks, pool.map(counter.tables, blocks), strict=True):
                perms[done : done + len(block)] = tables
                done += len(block)
    return observed, perms


class _PairCounter:
    """The pairs within the largest space band, sorted by their first incident, with
    each pair's space row; and every pair's time column counts (fixed under a shuffle)."""

    def __init__(self, x: FloatArray, y: FloatArray, days: IntArray, bands: Bands) -> None:
        self.bands = bands
        n = len(x)
        tree = cKDTree(np.column_stack([x, y]))
        reach = bands.max_distance + 0.5
        if n > CHECK_PAIRS_ABOVE:
            close = (int(tree.count_neighbors(tree, reach)) - n) // 2
            if close > MAX_PAIRS:
                raise NearRepeatRefused(
                    f"{close:,} pairs of incidents lie within {bands.max_distance:,} m of each "
                    f"other, more than the {MAX_PAIRS:,} this test counts at once: test a "
                    "shorter period or a smaller place, or use narrower space bands"
                )
        pairs = tree.query_pairs(reach, output_type="ndarray")
        i, j = pairs[:, 0].astype(np.intp), pairs[:, 1].astype(np.intp)
        metres = rounded_metres(np.hypot(x[i] - x[j], y[i] - y[j]))
        keep = metres <= bands.max_distance
        i, j, rows = i[keep], j[keep], bands.space_index(metres[keep])
        order = np.argsort(i, kind="stable")
        self.j = j[order]
        self.first_counts = np.bincount(i, minlength=n)
        """Pairs whose first incident is k (their ``i`` is ``np.repeat(arange(n), this)``)."""
        self.base = rows[order] * bands.columns
        self.row_totals = np.bincount(rows, minlength=bands.space_bands + 1)
        self.lookup = bands.time_lookup(int(days.max()))
        self.all_pairs = _all_pair_columns(days, self.lookup, bands.columns)
        self.dtype = np.int16 if int(days.max()) < 2**15 - 1 else np.int32
        # chunks of about CHUNK pairs, cut between first incidents
        ends = np.cumsum(self.first_counts)
        cuts = np.searchsorted(ends, np.arange(CHUNK, len(self.j), CHUNK), side="left")
        edges = [0, *sorted(set((cuts + 1).tolist()) - {0, n}), n]
        self.chunks = list(itertools.pairwise(edges))
        starts = np.concatenate([[0], ends]).tolist()
        self.spans = [(int(starts[lo]), int(starts[hi])) for lo, hi in self.chunks]

    def tables(self, block: list[npt.NDArray[Any]]) -> list[IntArray]:
        """The table of each shuffle in ``block``."""
        return [self.table(d) for d in block]

    def table(self, d: npt.NDArray[Any]) -> IntArray:
        """The table of pairs when incident k happened on day ``d[k]``: each pair's days
        apart, then only the pairs close in time are placed in their cells (the rest of
        each space row is its last column). Pairs go through in chunks that stay in the
        processor's cache."""
        b = self.bands
        inner = b.space_bands + 1
        cells = inner * b.columns
        within = np.zeros(cells, dtype=np.int64)
        for (lo, hi), (a, z) in zip(self.chunks, self.spans, strict=True):
            gaps = np.repeat(d[lo:hi], self.first_counts[lo:hi])
            gaps -= np.take(d, self.j[a:z], mode="clip")
            np.abs(gaps, out=gaps)
            near = np.flatnonzero(gaps <= b.max_days)
            if len(near):
                within += np.bincount(
                    self.base[a:z][near] + self.lookup[gaps[near]], minlength=cells
                )
        table = within.reshape(inner, b.columns)
        table[:, b.time_bands] = self.row_totals - table[:, : b.time_bands].sum(axis=1)
        out = np.empty((b.rows, b.columns), dtype=np.int64)
        out[:inner] = table
        out[-1] = self.all_pairs - table.sum(axis=0)
        return out


def _all_pair_columns(days: IntArray, lookup: IntArray, columns: int) -> IntArray:
    """How many of all n(n−1)/2 pairs fall in each time column (from the day counts)."""
    per_day = np.bincount(days).astype(np.int64)
    lags = np.correlate(per_day, per_day, mode="full")[len(per_day) - 1 :].copy()
    lags[0] = (int((per_day * per_day).sum()) - int(per_day.sum())) // 2
    return np.bincount(lookup[: len(lags)], weights=lags, minlength=columns).astype(np.int64)


def _zone(table: IntArray, perms: IntArray, bands: Bands) -> Zone | None:
    """The largest block from the same place and the same day whose every cell holds
    more pairs than chance (a cell where no pair could fall does not break it)."""
    expected = perms.mean(axis=0)
    p = (1 + (perms >= table[None, :, :]).sum(axis=0)) / (1 + perms.shape[0])
    ok = (table > expected) & (p <= ALPHA)
    empty = (table == 0) & (perms.max(axis=0) == 0)
    good = ok | empty
    best: tuple[int, int, int] | None = None
    for rows in range(1, bands.space_bands + 2):
        for cols in range(1, bands.time_bands + 1):
            block = good[:rows, :cols]
            if not block.all() or not ok[:rows, :cols].any():
                continue
            key = (rows * cols, cols, rows)
            if best is None or key > best:
                best = key
    if best is None:
        return None
    _, cols, rows = best
    observed = int(table[:rows, :cols].sum())
    shuffled = perms[:, :rows, :cols].sum(axis=(1, 2))
    mean = float(shuffled.mean())
    return Zone(
        rows=rows,
        columns=cols,
        metres=bands.space_range(rows - 1)[1] or 0,
        days=bands.time_range(cols - 1)[1] or 0,
        observed=observed,
        expected=mean,
        ratio=observed / mean if mean > 0 else math.inf,
        p_value=float((1 + (shuffled >= observed).sum()) / (1 + perms.shape[0])),
    )
