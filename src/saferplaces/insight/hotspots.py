"""Where incidents concentrate: hot and cold spots of LSOA rates, how they change over
the years, and a density surface of incident points.

- **Getis-Ord Gi\\*** (Getis and Ord 1992, Ord and Getis 1995) through PySAL's ``esda``
  (``G_Local(star=True, transform="B")``): each LSOA's rate per 1,000 residents summed
  with its neighbours' (binary weights, the LSOA itself included) against the whole
  place. Pseudo p-values come from conditional permutation (999 by default, seeded so
  results repeat): esda's p is one-sided in the direction observed, so it is doubled
  (two-sided, capped at 1); then the Benjamini-Hochberg false discovery rate correction
  over every LSOA tested. Hot and cold spots at 90, 95 and 99 % confidence.
- **Neighbours**: contiguity from the shipped 2011 LSOA boundaries: LSOAs of one
  boundary file touch where they share a point (Queen contiguity, identical to
  ``libpysal.weights.Queen`` there); LSOAs of different files are neighbours when they
  come within :data:`~saferplaces.insight.boundaries.SEAM_WIDTH` (each file was
  quantised on its own grid, so district edges miss each other by a few metres). A
  distance band (LSOA centroids within a distance, in metres on the British National
  Grid) is the option.
- **Persistent and emerging**: Gi\\* for each year, then per LSOA the pattern of its
  classes ("hot for 3 years running", "newly hot", "cooling") and a Mann-Kendall trend
  test of its Gi\\* z-scores (Kendall's tau between year and z, ``scipy.stats.kendalltau``:
  exact when there are no ties, as the Mann-Kendall test is).
- **Density surface**: a Gaussian kernel density estimate, binned (points counted
  on a grid and smoothed with a Gaussian filter, Wand 1994), in incidents per km².
  Bandwidth: :data:`DEFAULT_BANDWIDTH_M` metres, or Scott's rule on request.

Plain Python: no Django. esda and libpysal are imported when first used (they take
over a second to import).
"""

from __future__ import annotations

import gzip
import json
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
from scipy import ndimage, stats
from scipy.spatial import cKDTree

from saferplaces.insight.boundaries import (
    SEAM_WIDTH,
    LsoaShape,
    _polygonal,
    geojson_geometry,
    lsoa_shapes,
)
from saferplaces.insight.geography import lsoa_to_district

DEFAULT_PERMUTATIONS = 999
DEFAULT_SEED = 1
CONFIDENCE_LEVELS = (99, 95, 90)
"""Confidence levels of the map's classes: 99 % is p ≤ 0.01 after the correction."""
MIN_LSOAS = 8
"""Fewer LSOAs with data than this and Gi\\* is refused: there is no 'rest of the
place' to compare a neighbourhood with."""
DEFAULT_BANDWIDTH_M = 250.0
"""The density surface's default bandwidth (the Gaussian kernel's standard deviation),
in metres: about the spacing of police.uk's anonymous map points in a town, so the
surface does not draw detail the points do not hold. ``"scott"`` asks for Scott's rule
instead (σ = n^(-1/6) × the points' standard deviation, averaged over east and north)."""
CONTIGUITY_VERSION = 1

LIMITATIONS = (
    "police.uk moves every incident to an anonymous map point near where it happened "
    "(the centre of a street, or a public place, chosen to stand for several addresses), "
    "so this map shows areas, not streets or addresses: no street-level precision is "
    "claimed.",
    "A hot spot is an LSOA whose rate, together with its neighbours', is higher than "
    "across the place analysed: it says where incidents concentrate, not why, and it "
    "changes if the area analysed changes.",
    "Rates are per 1,000 residents: places many people visit (town centres, stations, "
    "retail parks) have more people at risk than live there, so they look higher.",
    "p-values come from random permutations with a fixed seed: with another seed an LSOA "
    "near a threshold can change class.",
)
DENSITY_LIMITATION = (
    "The density surface spreads each mapped point over the bandwidth: it shows where "
    "incidents were mapped (anonymised points), not where each one happened."
)


class HotspotError(ValueError):
    """Gi\\* cannot be computed for these figures (the message says why)."""


# ---------------------------------------------------------------------------------------
# Neighbours

Neighbours = Mapping[str, Sequence[str]]


def contiguity(
    shapes: Mapping[str, LsoaShape], tolerance: float = SEAM_WIDTH
) -> dict[str, tuple[str, ...]]:
    """LSOA code → its neighbours' codes (sorted), from the boundaries.

    Within one boundary file LSOAs share their arcs exactly, so 'touch at a point' is
    Queen contiguity; across files the shapes are tested for coming within
    ``tolerance`` degrees of each other (see the module docstring)."""
    codes = sorted(shapes)
    geoms = np.array([shapes[c].geometry for c in codes], dtype=object)
    files = np.array([shapes[c].file for c in codes])
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = (a != b) & (files[a] == files[b])
    pairs = set(zip(a[keep].tolist(), b[keep].tolist(), strict=True))
    if len(set(files.tolist())) > 1:
        a, b = tree.query(geoms, predicate="dwithin", distance=tolerance)
        keep = files[a] != files[b]
        pairs |= set(zip(a[keep].tolist(), b[keep].tolist(), strict=True))
        pairs |= {(j, i) for i, j in pairs}
    out: dict[str, list[str]] = {c: [] for c in codes}
    for i, j in pairs:
        out[codes[i]].append(codes[j])
    return {c: tuple(sorted(n)) for c, n in out.items()}


def national_contiguity(cache: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Contiguity of every 2011 LSOA of England and Wales (34,753), read from ``cache``
    (gzipped JSON) when it was written by this version, else built (about 10 s) and
    written there."""
    if cache is not None and cache.exists():
        try:
            data = json.loads(gzip.decompress(cache.read_bytes()))
            if data.get("version") == CONTIGUITY_VERSION and data.get("tolerance") == SEAM_WIDTH:
                return {k: tuple(v) for k, v in data["neighbours"].items()}
        except (OSError, ValueError, KeyError):
            pass
    built = contiguity(lsoa_shapes(sorted(set(lsoa_to_district().values()))))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        payload = {"version": CONTIGUITY_VERSION, "tolerance": SEAM_WIDTH, "neighbours": built}
        tmp.write_bytes(gzip.compress(json.dumps(payload, separators=(",", ":")).encode()))
        tmp.replace(cache)
    return built


def distance_band(
    shapes: Mapping[str, LsoaShape], threshold_m: float
) -> dict[str, tuple[str, ...]]:
    """LSOA code → the LSOAs whose centroids lie within ``threshold_m`` metres of its
    own (British National Grid), as ``libpysal.weights.DistanceBand(binary=True)``."""
    if threshold_m <= 0:
        raise HotspotError("The distance band must be more than 0 metres")
    codes = sorted(shapes)
    centroids = shapely.centroid(np.array([shapes[c].geometry for c in codes], dtype=object))
    x, y = _to_bng(shapely.get_x(centroids), shapely.get_y(centroids))
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(threshold_m, output_type="ndarray")
    out: dict[str, list[str]] = {c: [] for c in codes}
    for i, j in pairs.tolist():
        out[codes[i]].append(codes[j])
        out[codes[j]].append(codes[i])
    return {c: tuple(sorted(n)) for c, n in out.items()}


def _to_bng(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    transformer = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def _to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lon, lat = transformer.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


# ---------------------------------------------------------------------------------------
# Gi*


class Spot(StrEnum):
    """An LSOA's class on the hot spot map."""

    HOT_99 = "hot-99"
    HOT_95 = "hot-95"
    HOT_90 = "hot-90"
    NOT_SIGNIFICANT = "not-significant"
    COLD_90 = "cold-90"
    COLD_95 = "cold-95"
    COLD_99 = "cold-99"

    @property
    def hot(self) -> bool:
        return self.value.startswith("hot")

    @property
    def cold(self) -> bool:
        return self.value.startswith("cold")

    @property
    def confidence(self) -> int | None:
        return None if self is Spot.NOT_SIGNIFICANT else int(self.value.split("-")[1])


@dataclass(frozen=True)
class LegendEntry:
    spot: str
    label: str
    colour: str
    meaning: str


LEGEND = (
    LegendEntry("hot-99", "Hot spot, 99% confidence", "#d62f27",
                "High rates here and next door: a cluster this strong would arise by chance "
                "less than once in 100 times."),
    LegendEntry("hot-95", "Hot spot, 95% confidence", "#ed7551",
                "High rates here and next door: by chance less than once in 20 times."),
    LegendEntry("hot-90", "Hot spot, 90% confidence", "#fab984",
                "High rates here and next door: by chance less than once in 10 times."),
    LegendEntry("not-significant", "Neither hot nor cold", "#f7f7f2",
                "Rates here and next door are within what chance alone would give."),
    LegendEntry("cold-90", "Cold spot, 90% confidence", "#c0ccbe",
                "Low rates here and next door: by chance less than once in 10 times."),
    LegendEntry("cold-95", "Cold spot, 95% confidence", "#849eba",
                "Low rates here and next door: by chance less than once in 20 times."),
    LegendEntry("cold-99", "Cold spot, 99% confidence", "#4575b5",
                "Low rates here and next door: by chance less than once in 100 times."),
    LegendEntry("excluded", "Not tested", "#ffffff",
                "No data, no population estimate or no neighbour with data: left out, "
                "not counted as low."),
)  # fmt: skip
LEGEND_NOTE = (
    "Confidence allows for testing every LSOA at once (false discovery rate, "
    "Benjamini-Hochberg), so a 95% hot spot is one of a set of which at most about 1 in "
    "20 is expected to be there by chance."
)


def classify(z: float, q: float) -> Spot:
    """The map class of an LSOA from its Gi\\* z-score (direction) and its corrected
    two-sided p-value (confidence)."""
    for level in CONFIDENCE_LEVELS:
        if q <= (100 - level) / 100 and z != 0 and math.isfinite(z):
            return Spot(f"{'hot' if z > 0 else 'cold'}-{level}")
    return Spot.NOT_SIGNIFICANT


def fdr(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q): an LSOA is significant at level α after
    the correction when q ≤ α (the same set as ``esda.fdr(p, α)``'s threshold gives)."""
    arr = np.asarray(p, dtype=float)
    if arr.size == 0:
        return arr
    return np.asarray(stats.false_discovery_control(arr, method="bh"))


@dataclass(frozen=True)
class GiRow:
    """One LSOA's Gi\\*: its rate, z-score, p-values (esda's one-sided ``p_sim``, the
    two-sided ``p`` and the corrected ``q``) and class."""

    code: str
    rate: float
    neighbours: int
    z: float
    p_sim: float
    p: float
    q: float
    spot: Spot

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"spot": self.spot.value, "confidence": self.spot.confidence}


@dataclass(frozen=True)
class GiStar:
    """Gi\\* over a set of LSOAs, with what was left out and why."""

    rows: list[GiRow]
    weights: str
    permutations: int
    seed: int
    excluded: dict[str, str] = field(default_factory=dict)

    def by_code(self) -> dict[str, GiRow]:
        return {r.code: r for r in self.rows}

    def counts(self) -> dict[str, int]:
        """How many LSOAs fall in each class (every class listed, 0 included)."""
        out = {s.value: 0 for s in Spot}
        for r in self.rows:
            out[r.spot.value] += 1
        return out

    def resolution_note(self) -> str | None:
        """Said when the number of permutations, not the data, caps the confidence: the
        smallest two-sided p is 2/(permutations + 1), and after the correction over every
        LSOA tested no LSOA reached the next level although some sit at that floor."""
        floor = 2 / (self.permutations + 1)
        at_floor = [r for r in self.rows if r.p <= floor * (1 + 1e-6)]  # esda's p is float32
        if not at_floor:
            return None
        best = min(r.q for r in self.rows)
        capped = [lv for lv in sorted(CONFIDENCE_LEVELS) if best > (100 - lv) / 100]
        if not capped:
            return None
        return (
            f"With {self.permutations:,} permutations the smallest p-value is {floor:.4f}; "
            f"corrected over {len(self.rows):,} LSOAs, {len(at_floor)} LSOAs at that floor "
            f"reach only q = {best:.3f}, so no LSOA can show {capped[0]}% confidence here. "
            f"More permutations (e.g. {10 * (self.permutations + 1) - 1:,}) can separate "
            "the strongest clusters."
        )


def gi_star(
    rates: Mapping[str, float | None],
    neighbours: Neighbours,
    *,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    weights: str = "contiguity",
) -> GiStar:
    """Gi\\* of ``rates`` (LSOA code → rate; None means no figure and leaves the LSOA
    out, as do LSOAs with no neighbour among those with a figure). ``neighbours`` may
    hold more LSOAs than ``rates``: it is cut down to them. Raises :class:`HotspotError`
    when fewer than :data:`MIN_LSOAS` remain or every rate is the same."""
    if permutations < 99:
        raise HotspotError("At least 99 permutations are needed for a p-value of 0.01")
    excluded: dict[str, str] = {}
    held = {}
    for code, rate in rates.items():
        if rate is None or not math.isfinite(rate):
            excluded[code] = "no rate (no data or no population estimate)"
        else:
            held[code] = float(rate)
    graph: dict[str, list[str]] = {}
    for code in sorted(held):
        near = [n for n in neighbours.get(code, ()) if n in held and n != code]
        if near:
            graph[code] = near
        else:
            excluded[code] = "no neighbouring LSOA with a rate"
    codes = sorted(graph)
    if len(codes) < MIN_LSOAS:
        raise HotspotError(
            f"Gi* needs at least {MIN_LSOAS} neighbouring LSOAs with rates; {len(codes)} have"
        )
    y = np.array([held[c] for c in codes])
    if np.ptp(y) == 0:
        raise HotspotError("Every LSOA has the same rate: there is nothing to concentrate")
    g = _g_local(y, graph, codes, permutations, seed)
    z = np.asarray(g.Zs, dtype=float)
    p_sim = np.asarray(g.p_sim, dtype=float)
    p = np.minimum(1.0, 2.0 * p_sim)
    q = fdr(p)
    rows = [
        GiRow(c, held[c], len(graph[c]), float(z[i]), float(p_sim[i]), float(p[i]),
              float(q[i]), classify(float(z[i]), float(q[i])))
        for i, c in enumerate(codes)
    ]  # fmt: skip
    return GiStar(rows, weights, permutations, seed, dict(sorted(excluded.items())))


def _g_local(
    y: np.ndarray,
    graph: Mapping[str, Sequence[str]],
    codes: list[str],
    permutations: int,
    seed: int,
) -> Any:
    from esda import G_Local
    from libpysal.weights import W

    with warnings.catch_warnings():
        # esda warns that its permutation p-value is directed (one-sided in the
        # direction observed); it is doubled above, which is the two-sided value.
        warnings.simplefilter("ignore")
        w = W({c: list(graph[c]) for c in codes}, id_order=codes, silence_warnings=True)
        return G_Local(y, w, transform="B", star=True, permutations=permutations, seed=seed,
                       n_jobs=1, keep_simulations=False)  # fmt: skip


# ---------------------------------------------------------------------------------------
# Persistent and emerging hot spots


class Pattern(StrEnum):
    PERSISTENT_HOT = "persistent-hot"
    NEW_HOT = "new-hot"
    INTERMITTENT_HOT = "intermittent-hot"
    COOLING = "cooling"
    PERSISTENT_COLD = "persistent-cold"
    NEW_COLD = "new-cold"
    INTERMITTENT_COLD = "intermittent-cold"
    WARMING = "warming"
    NO_PATTERN = "no-pattern"
    NOT_TESTED = "not-tested"


MK_ALPHA = 0.05
MK_MIN_YEARS = 5
"""The Mann-Kendall test cannot reach p < 0.05 with fewer than 5 years (with 4 the
smallest two-sided p is 1/12), so fewer years give no trend."""


@dataclass(frozen=True)
class Trend:
    """One LSOA over the years: its class each year (None: not tested that year), its
    z-scores, the pattern in words, and the Mann-Kendall trend of the z-scores."""

    code: str
    years: tuple[int, ...]
    spots: tuple[Spot | None, ...]
    z: tuple[float | None, ...]
    pattern: Pattern
    label: str
    run: int
    tau: float | None
    trend_p: float | None
    trend: str

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["spots"] = [s.value if s else None for s in self.spots]
        d["pattern"] = self.pattern.value
        return d


def mann_kendall(values: Sequence[float]) -> tuple[float | None, float | None]:
    """(Kendall's tau against time, two-sided p) of a series in time order; (None,
    None) with fewer than 3 values or when every value is equal."""
    v = np.asarray(values, dtype=float)
    if len(v) < 3 or np.ptp(v) == 0:
        return None, None
    result = stats.kendalltau(np.arange(len(v)), v)
    return float(result.statistic), float(result.pvalue)


def pattern_of(spots: Sequence[Spot | None], confidence: int = 90) -> tuple[Pattern, int]:
    """The pattern of an LSOA's yearly classes (oldest first) and how many of the latest
    years in a row it held its last state (hot or cold at ``confidence`` or more)."""
    if not spots or spots[-1] is None:
        return Pattern.NOT_TESTED, 0

    def state(s: Spot | None) -> str | None:
        if s is None or s.confidence is None or s.confidence < confidence:
            return None
        return "hot" if s.hot else "cold"

    states = [state(s) for s in spots]
    last, earlier = states[-1], states[:-1]
    run = 0
    for s in reversed(states):
        if s != last:
            break
        run += 1
    if last is None:
        if "hot" in earlier:
            return Pattern.COOLING, 0
        if "cold" in earlier:
            return Pattern.WARMING, 0
        return Pattern.NO_PATTERN, 0
    kind = "HOT" if last == "hot" else "COLD"
    if run >= 2:
        return Pattern[f"PERSISTENT_{kind}"], run
    if last in earlier:
        return Pattern[f"INTERMITTENT_{kind}"], run
    if not any(s is not None for s in spots[:-1]):
        return Pattern.NO_PATTERN, run  # a single year tested: nothing to compare
    return Pattern[f"NEW_{kind}"], run


def pattern_label(
    pattern: Pattern, run: int, years: Sequence[int], spots: Sequence[Spot | None]
) -> str:
    """The plain words the map shows for a pattern."""
    last_year = years[-1] if years else None
    match pattern:
        case Pattern.PERSISTENT_HOT:
            return f"hot for {run} years running"
        case Pattern.PERSISTENT_COLD:
            return f"cold for {run} years running"
        case Pattern.NEW_HOT:
            return "newly hot"
        case Pattern.NEW_COLD:
            return "newly cold"
        case Pattern.INTERMITTENT_HOT:
            return "hot again, on and off"
        case Pattern.INTERMITTENT_COLD:
            return "cold again, on and off"
        case Pattern.COOLING:
            was = [y for y, s in zip(years, spots, strict=True) if s is not None and s.hot]
            return f"cooling: hot in {was[-1]}, not in {last_year}"
        case Pattern.WARMING:
            was = [y for y, s in zip(years, spots, strict=True) if s is not None and s.cold]
            return f"no longer cold: cold in {was[-1]}, not in {last_year}"
        case Pattern.NOT_TESTED:
            return f"not tested in {last_year}"
    return "no pattern over the years"


def emerging(yearly: Mapping[int, GiStar], *, confidence: int = 90) -> list[Trend]:
    """Every LSOA tested in any of the years: its pattern ("hot for 3 years running",
    "newly hot", "cooling" …) and the Mann-Kendall trend of its Gi\\* z-scores."""
    years = tuple(sorted(yearly))
    by_year = {y: yearly[y].by_code() for y in years}
    codes = sorted(set().union(*(set(r) for r in by_year.values()))) if years else []
    out = []
    for code in codes:
        rows = [by_year[y].get(code) for y in years]
        spots = tuple(r.spot if r else None for r in rows)
        zs = tuple(r.z if r else None for r in rows)
        pattern, run = pattern_of(spots, confidence)
        held = [z for z in zs if z is not None]
        tau, p = mann_kendall(held) if len(held) >= MK_MIN_YEARS else (None, None)
        if len(held) < MK_MIN_YEARS:
            trend = f"too few years for a trend test ({len(held)} of {MK_MIN_YEARS})"
        elif tau is None or p is None or p >= MK_ALPHA:
            trend = "no clear trend"
        else:
            trend = "rising" if tau > 0 else "falling"
        label = pattern_label(pattern, run, years, spots)
        out.append(Trend(code, years, spots, zs, pattern, label, run, tau, p, trend))
    return out


# ---------------------------------------------------------------------------------------
# Density surface

Bandwidth = float | Literal["scott"]
MAX_CELLS = 4_000_000


@dataclass(frozen=True)
class DensitySurface:
    """Incidents per km² on a grid of square cells (British National Grid, EPSG:27700):
    ``values[row, col]`` is the cell whose lower-left corner is
    (``x0 + col × cell``, ``y0 + row × cell``)."""

    x0: float
    y0: float
    cell: float
    values: np.ndarray
    bandwidth_m: float
    bandwidth_rule: str
    points: int
    method: str = "Gaussian kernel density estimate, binned (Wand 1994)"

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        ny, nx = self.values.shape
        return (self.x0 + (np.arange(nx) + 0.5) * self.cell,
                self.y0 + (np.arange(ny) + 0.5) * self.cell)  # fmt: skip

    def bounds_lonlat(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the grid in longitude and latitude."""
        ny, nx = self.values.shape
        xs = np.array([self.x0, self.x0 + nx * self.cell, self.x0, self.x0 + nx * self.cell])
        ys = np.array([self.y0, self.y0, self.y0 + ny * self.cell, self.y0 + ny * self.cell])
        lon, lat = _to_lonlat(xs, ys)
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())

    def describe(self) -> str:
        return (
            f"{self.method}, bandwidth {self.bandwidth_m:,.0f} m ({self.bandwidth_rule}), "
            f"{self.cell:,.0f} m cells, from {self.points:,} mapped points."
        )


def scott_bandwidth(x: np.ndarray, y: np.ndarray) -> float:
    """Scott's rule for two dimensions: n^(-1/6) × the mean of the standard deviations
    east and north (metres)."""
    n = len(x)
    return float(n ** (-1 / 6) * (np.std(x, ddof=1) + np.std(y, ddof=1)) / 2)


def density_surface(
    lon: Iterable[float],
    lat: Iterable[float],
    *,
    bandwidth: Bandwidth = DEFAULT_BANDWIDTH_M,
    cell: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> DensitySurface:
    """The density of points (longitude, latitude) in incidents per km².

    ``bandwidth`` is metres or ``"scott"``; ``cell`` defaults to a fifth of it (at least
    10 m, larger when the grid would pass :data:`MAX_CELLS`); ``bounds`` (west, south,
    east, north in degrees, e.g. the place's outline) default to the points' extent, and
    are widened by three bandwidths so the kernel's tails stay on the grid."""
    lo = np.asarray(list(lon) if not isinstance(lon, np.ndarray) else lon, dtype=float)
    la = np.asarray(list(lat) if not isinstance(lat, np.ndarray) else lat, dtype=float)
    ok = np.isfinite(lo) & np.isfinite(la)
    x, y = _to_bng(lo[ok], la[ok])
    if len(x) < 2:
        raise HotspotError("A density surface needs at least 2 mapped points")
    if bandwidth == "scott":
        h, rule = scott_bandwidth(x, y), "Scott's rule"
    else:
        h, rule = float(bandwidth), "fixed"
    if not h > 0:
        raise HotspotError("The bandwidth must be more than 0 metres")
    if bounds is None:
        xmin, xmax, ymin, ymax = x.min(), x.max(), y.min(), y.max()
    else:
        bx, by = _to_bng(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]]))
        xmin, xmax, ymin, ymax = bx.min(), bx.max(), by.min(), by.max()
    pad = 3 * h
    xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    size = max(10.0, h / 5) if cell is None else float(cell)
    while ((xmax - xmin) / size) * ((ymax - ymin) / size) > MAX_CELLS:
        size *= 1.5
    nx = max(1, math.ceil((xmax - xmin) / size))
    ny = max(1, math.ceil((ymax - ymin) / size))
    counts, _, _ = np.histogram2d(
        y, x, bins=[ny, nx], range=[[ymin, ymin + ny * size], [xmin, xmin + nx * size]]
    )
    smooth = ndimage.gaussian_filter(counts, sigma=h / size, mode="constant", truncate=4.0)
    per_km2 = smooth / (size * size) * 1e6
    return DensitySurface(float(xmin), float(ymin), size, per_km2, h, rule, len(x))


DENSITY_BANDS = 5


def density_bands(surface: DensitySurface, bands: int = DENSITY_BANDS) -> dict[str, Any]:
    """The surface as nested GeoJSON bands for a map (longitude/latitude, RFC 7946):
    band k holds every cell at or above k/``bands`` of the peak, so the bands stack
    from the widest and palest to the peak. Properties: ``band`` (1 = lowest),
    ``min_per_km2`` and ``label``. Cells in a row are merged into strips first, so a
    district's surface becomes a few thousand rectangles, then one polygon per band."""
    peak = float(surface.values.max())
    features: list[dict[str, Any]] = []
    if peak <= 0:
        return {"type": "FeatureCollection", "features": features}
    for k in range(1, bands + 1):
        level = peak * k / bands if k > 1 else peak / (2 * bands)
        strips = _strips(surface, surface.values >= level)
        if not strips:
            continue
        area = shapely.transform(
            shapely.coverage_union_all(np.array(strips, dtype=object)), _bng_to_lonlat_xy
        )
        features.append({
            "type": "Feature",
            "properties": {"band": k, "min_per_km2": round(level, 3),
                           "label": f"{level:,.0f} or more incidents per km²"},
            "geometry": geojson_geometry(_polygonal(area)),
        })  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def _strips(surface: DensitySurface, mask: np.ndarray) -> list[Any]:
    out = []
    for row in range(mask.shape[0]):
        line = np.concatenate([[False], mask[row], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(line))
        y0 = surface.y0 + row * surface.cell
        x = surface.x0 + edges * surface.cell
        for start, stop in zip(x[::2], x[1::2], strict=True):
            out.append(shapely.box(start, y0, stop, y0 + surface.cell))
    return out


def _bng_to_lonlat_xy(coords: np.ndarray) -> np.ndarray:
    lon, lat = _to_lonlat(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


__all__ = [
    "CONFIDENCE_LEVELS",
    "DEFAULT_BANDWIDTH_M",
    "DEFAULT_PERMUTATIONS",
    "DEFAULT_SEED",
    "DENSITY_LIMITATION",
    "LEGEND",
    "LEGEND_NOTE",
    "LIMITATIONS",
    "DensitySurface",
    "GiRow",
    "GiStar",
    "HotspotError",
    "LegendEntry",
    "Pattern",
    "Spot",
    "Trend",
    "classify",
    "contiguity",
    "density_bands",
    "density_surface",
    "distance_band",
    "emerging",
    "fdr",
    "gi_star",
    "mann_kendall",
    "national_contiguity",
    "pattern_label",
    "pattern_of",
    "scott_bandwidth",
]
