"""Where incidents concentrate: hot and cold spots of LSOA rates, how they change over
the years (the density surface of incident points is in :mod:`.density`).

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

Plain Python: no Django. esda and libpysal are imported when first used (they take
over a second to import). Nothing is downloaded: libpysal fetches its example data sets
only when they are asked for, which this module never does (importing it does make an
empty ``pysal`` folder in the user's data directory, ``~/.local/share/pysal``).
"""

from __future__ import annotations

import gzip
import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from scipy import stats
from scipy.spatial import cKDTree

from saferplaces.insight.boundaries import (
    SEAM_WIDTH,
    LsoaShape,
    lsoa_shapes,
)
from saferplaces.insight.density import to_bng
from saferplaces.insight.geography import lsoa_to_district

DEFAULT_PERMUTATIONS = 999
DEFAULT_SEED = 1
CONFIDENCE_LEVELS = (99, 95, 90)
"""Confidence levels of the map's classes: 99 % is p ≤ 0.01 after the correction."""
MIN_LSOAS = 8
"""Fewer LSOAs with data than this and Gi\\* is refused: there is no 'rest of the
place' to compare a neighbourhood with."""
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
    x, y = to_bng(shapely.get_x(centroids), shapely.get_y(centroids))
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(threshold_m, output_type="ndarray")
    out: dict[str, list[str]] = {c: [] for c in codes}
    for i, j in pairs.tolist():
        out[codes[i]].append(codes[j])
        out[codes[j]].append(codes[i])
    return {c: tuple(sorted(n)) for c, n in out.items()}


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
        some = (
            "1 LSOA at that floor reaches"
            if len(at_floor) == 1
            else (f"{len(at_floor)} LSOAs at that floor reach")
        )
        return (
            f"With {self.permutations:,} permutations the smallest p-value is {floor:.4f}; "
            f"corrected over {len(self.rows):,} LSOAs, {some} only q = {best:.3f}, "
            f"so no LSOA can show {capped[0]}% confidence here. "
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


__all__ = [
    "CONFIDENCE_LEVELS",
    "DEFAULT_PERMUTATIONS",
    "DEFAULT_SEED",
    "LEGEND",
    "LEGEND_NOTE",
    "LIMITATIONS",
    "GiRow",
    "GiStar",
    "HotspotError",
    "LegendEntry",
    "Pattern",
    "Spot",
    "Trend",
    "classify",
    "contiguity",
    "distance_band",
    "emerging",
    "fdr",
    "gi_star",
    "mann_kendall",
    "national_contiguity",
    "pattern_label",
    "pattern_of",
]
