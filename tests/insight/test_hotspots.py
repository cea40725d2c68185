"""Hot spots (Gi*), their persistence over years, and the density surface, checked
against PySAL's esda and libpysal run directly and against brute-force sums on the
shipped West Lancashire sample (police.uk, 2014/15)."""

from __future__ import annotations

import csv
import functools
import gzip
import itertools
import math
import warnings
from collections import Counter

import numpy as np
import pytest

from saferplaces.insight.boundaries import LsoaShape, lsoa_shapes
from saferplaces.insight.density import density_bands, density_surface
from saferplaces.insight.geography import lsoa_population
from saferplaces.insight.hotspots import (
    LEGEND,
    LIMITATIONS,
    MIN_LSOAS,
    HotspotError,
    Pattern,
    Spot,
    classify,
    contiguity,
    distance_band,
    emerging,
    fdr,
    gi_star,
    mann_kendall,
    national_contiguity,
    pattern_of,
)
from tests.insight.conftest import WEST_LANCS, sample_files

YEAR_2014_15 = [f"2014-{m:02d}" for m in range(4, 13)] + [f"2015-{m:02d}" for m in (1, 2, 3)]


@functools.cache
def _sample_points(months: tuple[str, ...]) -> tuple[tuple[float, float, str], ...]:
    out = []
    for path in sample_files(list(months)):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["Longitude"] and r["LSOA code"]:
                    out.append((float(r["Longitude"]), float(r["Latitude"]), r["LSOA code"]))
    return tuple(out)


def wl_rates(months: list[str] = YEAR_2014_15) -> dict[str, float | None]:
    """West Lancashire's rate per 1,000 residents by LSOA, counted with the csv module
    (every incident row of the sample, crimes and ASB)."""
    shapes = lsoa_shapes([WEST_LANCS])
    counts = Counter(code for _, _, code in _sample_points(tuple(months)))
    out: dict[str, float | None] = {}
    for code in shapes:
        pop = lsoa_population(code, 2014)
        out[code] = 1000.0 * counts[code] / pop if pop else None
    return out


def esda_direct(rates: dict[str, float | None], seed: int = 1, permutations: int = 999):  # type: ignore[no-untyped-def]
    """esda's G_Local with libpysal's own Queen weights over the same LSOAs."""
    from esda import G_Local
    from libpysal.weights import Queen

    shapes = lsoa_shapes([WEST_LANCS])
    codes = sorted(c for c, r in rates.items() if r is not None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = Queen.from_iterable([shapes[c].geometry for c in codes], ids=codes)
        y = np.array([rates[c] for c in codes])
        g = G_Local(y, w, transform="B", star=True, permutations=permutations, seed=seed)
    return codes, g


def test_contiguity_within_a_district_is_libpysal_queen() -> None:
    """Given West Lancashire's 73 LSOAs (one boundary file)
    When contiguity is built from the shapes
    Then every LSOA has exactly the neighbours libpysal's Queen contiguity gives."""
    from libpysal.weights import Queen

    shapes = lsoa_shapes([WEST_LANCS])
    ours = contiguity(shapes)
    codes = sorted(shapes)
    queen = Queen.from_iterable([shapes[c].geometry for c in codes], ids=codes)
    assert len(ours) == 73
    assert {c: tuple(sorted(queen.neighbors[c])) for c in codes} == ours


def test_contiguity_joins_districts_across_the_seam() -> None:
    """Given West Lancashire and its neighbour Chorley (two boundary files whose grids
    miss each other by metres)
    When contiguity is built
    Then some West Lancashire LSOAs have Chorley neighbours, and the relation is
    symmetric."""
    shapes = lsoa_shapes([WEST_LANCS, "E07000118"])
    ours = contiguity(shapes)
    cross = [(a, b) for a, ns in ours.items() for b in ns if shapes[a].file != shapes[b].file]
    assert cross
    assert all(a in ours[b] for a, b in cross)


def test_gi_star_matches_esda_run_directly() -> None:
    """Given West Lancashire's 2014/15 rates per 1,000 from the sample
    When Gi* runs with 999 permutations and seed 1
    Then z-scores and permutation p-values equal esda's G_Local run directly with
    libpysal's Queen weights, p is twice esda's p_sim, and q is Benjamini-Hochberg."""
    rates = wl_rates()
    result = gi_star(rates, contiguity(lsoa_shapes([WEST_LANCS])), permutations=999, seed=1)
    codes, g = esda_direct(rates)
    rows = result.by_code()
    assert sorted(rows) == codes
    np.testing.assert_allclose([rows[c].z for c in codes], g.Zs, rtol=1e-10)
    np.testing.assert_array_equal([rows[c].p_sim for c in codes], g.p_sim)
    np.testing.assert_allclose([rows[c].p for c in codes], np.minimum(1, 2 * g.p_sim))
    assert any(r.spot is not Spot.NOT_SIGNIFICANT for r in result.rows)
    for level in (90, 95, 99):
        alpha = (100 - level) / 100
        from esda import fdr as esda_fdr

        threshold = esda_fdr(np.minimum(1, 2 * g.p_sim), alpha)
        expected = {
            c for c, p in zip(codes, np.minimum(1, 2 * g.p_sim), strict=True) if p <= threshold
        }
        got = {r.code for r in result.rows if (r.spot.confidence or 0) >= level}
        assert got == expected
        for r in result.rows:
            if r.code in got:
                assert r.spot.hot == (g.Zs[codes.index(r.code)] > 0)


def test_seeded_results_repeat_and_seed_matters() -> None:
    """Given the same rates
    When Gi* runs twice with seed 7 and once with seed 8
    Then the two seed-7 runs are identical and seed 8 gives other p-values."""
    rates = wl_rates()
    weights = contiguity(lsoa_shapes([WEST_LANCS]))
    a = gi_star(rates, weights, seed=7, permutations=199)
    b = gi_star(rates, weights, seed=7, permutations=199)
    c = gi_star(rates, weights, seed=8, permutations=199)
    assert a.rows == b.rows
    assert [r.p_sim for r in a.rows] != [r.p_sim for r in c.rows]
    assert [r.z for r in a.rows] == [r.z for r in c.rows]


def test_excluded_lsoas_are_named_not_zero() -> None:
    """Given rates where two LSOAs have no figure
    When Gi* runs
    Then those two are excluded with the reason, and are not among the rows."""
    rates = wl_rates()
    gone = sorted(rates)[:2]
    for code in gone:
        rates[code] = None
    result = gi_star(rates, contiguity(lsoa_shapes([WEST_LANCS])), permutations=99)
    assert set(gone) <= set(result.excluded)
    assert not set(gone) & {r.code for r in result.rows}
    assert "no rate" in result.excluded[gone[0]]
    assert len(result.rows) + len(result.excluded) == len(rates)


def test_islands_are_excluded() -> None:
    """Given an LSOA whose neighbours all have no figure
    When Gi* runs
    Then it is excluded as having no neighbour with a rate."""
    rates = wl_rates()
    weights = contiguity(lsoa_shapes([WEST_LANCS]))
    lonely = sorted(rates)[10]
    for n in weights[lonely]:
        rates[n] = None
    result = gi_star(rates, weights, permutations=99)
    assert result.excluded[lonely] == "no neighbouring LSOA with a rate"


def test_refusals() -> None:
    """Given too few LSOAs, or the same rate everywhere, or too few permutations
    When Gi* is asked
    Then it refuses with the reason."""
    weights = contiguity(lsoa_shapes([WEST_LANCS]))
    codes = sorted(weights)
    with pytest.raises(HotspotError, match="at least"):
        gi_star({c: 1.0 for c in codes[: MIN_LSOAS - 1]}, weights)
    with pytest.raises(HotspotError, match="same rate"):
        gi_star(dict.fromkeys(codes, 5.0), weights)
    with pytest.raises(HotspotError, match="permutations"):
        gi_star(wl_rates(), weights, permutations=10)


def test_fdr_matches_esda_threshold() -> None:
    """Given many p-values
    When they are corrected
    Then q ≤ α picks exactly the p-values at or below esda.fdr's threshold."""
    from esda import fdr as esda_fdr

    p = np.random.default_rng(3).beta(0.3, 2.0, 500)
    q = fdr(p)
    for alpha in (0.01, 0.05, 0.1):
        assert set(np.flatnonzero(q <= alpha)) == set(np.flatnonzero(p <= esda_fdr(p, alpha)))
    assert np.all(q >= p)


@pytest.mark.parametrize(
    ("z", "q", "spot"),
    [
        (2.9, 0.004, Spot.HOT_99),
        (2.9, 0.01, Spot.HOT_99),
        (2.1, 0.03, Spot.HOT_95),
        (1.7, 0.09, Spot.HOT_90),
        (1.7, 0.11, Spot.NOT_SIGNIFICANT),
        (-1.7, 0.08, Spot.COLD_90),
        (-2.2, 0.04, Spot.COLD_95),
        (-3.0, 0.002, Spot.COLD_99),
        (float("nan"), 0.001, Spot.NOT_SIGNIFICANT),
    ],
)
def test_classes(z: float, q: float, spot: Spot) -> None:
    """Given a z-score and a corrected p-value, the class is the sign and the level."""
    assert classify(z, q) is spot


H, C, N = Spot.HOT_95, Spot.COLD_99, Spot.NOT_SIGNIFICANT


@pytest.mark.parametrize(
    ("spots", "pattern", "run"),
    [
        ((H, H, H), Pattern.PERSISTENT_HOT, 3),
        ((N, H, H), Pattern.PERSISTENT_HOT, 2),
        ((N, N, H), Pattern.NEW_HOT, 1),
        ((None, N, H), Pattern.NEW_HOT, 1),
        ((H, N, H), Pattern.INTERMITTENT_HOT, 1),
        ((H, H, N), Pattern.COOLING, 0),
        ((H, N, N), Pattern.COOLING, 0),
        ((C, C), Pattern.PERSISTENT_COLD, 2),
        ((N, C), Pattern.NEW_COLD, 1),
        ((C, N, C), Pattern.INTERMITTENT_COLD, 1),
        ((C, N), Pattern.WARMING, 0),
        ((N, N, N), Pattern.NO_PATTERN, 0),
        ((None, None, H), Pattern.NO_PATTERN, 1),
        ((H, H, None), Pattern.NOT_TESTED, 0),
        ((Spot.HOT_90, Spot.HOT_99), Pattern.PERSISTENT_HOT, 2),
    ],
)
def test_patterns(spots: tuple[Spot | None, ...], pattern: Pattern, run: int) -> None:
    """Given an LSOA's classes over the years (oldest first), its pattern and run."""
    assert pattern_of(spots) == (pattern, run)


def test_pattern_needs_the_confidence_asked() -> None:
    """Given hot at 90% in both years, at 95% required it is no pattern."""
    assert pattern_of((Spot.HOT_90, Spot.HOT_90), confidence=95) == (Pattern.NO_PATTERN, 0)


def _mk_brute(values: list[float]) -> tuple[float, float]:
    """Mann-Kendall by hand: S over all pairs, tau = S / (n(n-1)/2), exact two-sided p
    by enumerating every ordering of the values."""
    n = len(values)

    def s_of(v: tuple[float, ...]) -> int:
        return sum((v[j] > v[i]) - (v[j] < v[i]) for i in range(n) for j in range(i + 1, n))

    s = s_of(tuple(values))
    all_s = [s_of(p) for p in itertools.permutations(values)]
    p = sum(abs(x) >= abs(s) for x in all_s) / len(all_s)
    return s / (n * (n - 1) / 2), p


@pytest.mark.parametrize(
    "values",
    [[0.1, 0.5, 1.2, 2.0, 2.5], [3.0, 2.0, 2.5, 1.0, 0.2, -1.0], [1.0, -1.0, 2.0, 0.0, 0.5]],
)
def test_mann_kendall_against_brute_force(values: list[float]) -> None:
    """Given a short series without ties, tau and p equal the exact enumeration."""
    tau, p = mann_kendall(values)
    want_tau, want_p = _mk_brute(values)
    assert tau == pytest.approx(want_tau)
    assert p == pytest.approx(want_p)


def test_emerging_over_years() -> None:
    """Given Gi* for three halves of the sample (as three 'years')
    When the patterns are read
    Then every LSOA tested gets a label, the labels follow the per-year classes, and
    with three years no trend is claimed."""
    weights = contiguity(lsoa_shapes([WEST_LANCS]))
    months = sorted({p.name[:7] for p in sample_files()})
    thirds = [months[i::3] for i in range(3)]
    yearly = {
        2020 + i: gi_star(wl_rates(m), weights, permutations=199) for i, m in enumerate(thirds)
    }
    trends = emerging(yearly)
    assert {t.code for t in trends} == set().union(*(set(g.by_code()) for g in yearly.values()))
    for t in trends:
        assert t.spots == tuple(
            yearly[y].by_code()[t.code].spot if t.code in yearly[y].by_code() else None
            for y in (2020, 2021, 2022)
        )
        assert (t.pattern, t.run) == pattern_of(t.spots)
        assert t.trend.startswith("too few years")
    persistent = [t for t in trends if t.pattern is Pattern.PERSISTENT_HOT]
    assert all(t.label == f"hot for {t.run} years running" for t in persistent)


def test_distance_band_matches_libpysal() -> None:
    """Given West Lancashire's LSOA centroids on the British National Grid
    When a 1,500 m distance band is built
    Then the neighbours equal libpysal's DistanceBand on the same points."""
    from libpysal.weights import DistanceBand
    from pyproj import Transformer

    shapes = lsoa_shapes([WEST_LANCS])
    codes = sorted(shapes)
    t = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    pts = [t.transform(shapes[c].geometry.centroid.x, shapes[c].geometry.centroid.y) for c in codes]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        band = DistanceBand(pts, threshold=1500, binary=True, ids=codes, silence_warnings=True)
    ours = distance_band(shapes, 1500)
    assert {c: tuple(sorted(band.neighbors[c])) for c in codes} == ours


def test_density_against_brute_force() -> None:
    """Given 300 of the sample's mapped points
    When the density surface is drawn with a 400 m bandwidth
    Then at every cell centre it is within 2% (of the peak) of the exact Gaussian kernel
    sum, and it integrates to the number of points."""
    from pyproj import Transformer

    pts = _sample_points(tuple(YEAR_2014_15))[:300]
    lon = np.array([p[0] for p in pts])
    lat = np.array([p[1] for p in pts])
    surface = density_surface(lon, lat, bandwidth=400.0)
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(lon, lat)
    cx, cy = surface.centres()
    gx, gy = np.meshgrid(cx, cy)
    d2 = (gx[..., None] - x) ** 2 + (gy[..., None] - y) ** 2
    exact = np.exp(-d2 / (2 * 400.0**2)).sum(axis=-1) / (2 * math.pi * 400.0**2) * 1e6
    assert surface.points == 300
    assert np.max(np.abs(surface.values - exact)) < 0.02 * exact.max()
    total = surface.values.sum() * surface.cell**2 / 1e6
    assert total == pytest.approx(300, rel=0.01)
    assert "Gaussian kernel" in surface.describe() and "400 m" in surface.describe()


def test_density_scott_rule() -> None:
    """Given points, Scott's rule is n^(-1/6) times the mean standard deviation."""
    from pyproj import Transformer

    pts = _sample_points(tuple(YEAR_2014_15))[:500]
    lon = np.array([p[0] for p in pts])
    lat = np.array([p[1] for p in pts])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True).transform(lon, lat)
    surface = density_surface(lon, lat, bandwidth="scott")
    want = 500 ** (-1 / 6) * (np.std(x, ddof=1) + np.std(y, ddof=1)) / 2
    assert surface.bandwidth_m == pytest.approx(want)
    assert surface.bandwidth_rule == "Scott's rule"


def test_national_contiguity_reads_its_cache(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a cache written by this version
    When national contiguity is asked for
    Then it is read from the cache and nothing is built."""
    from pathlib import Path

    import saferplaces.insight.hotspots as hs

    path = Path(str(tmp_path)) / "contiguity.json.gz"
    small = contiguity(lsoa_shapes([WEST_LANCS]))
    calls: list[int] = []
    real = hs.lsoa_shapes

    def stand_in(districts: object) -> dict[str, LsoaShape]:
        calls.append(1)
        return real([WEST_LANCS])

    monkeypatch.setattr(hs, "lsoa_shapes", stand_in)
    assert national_contiguity(path) == small  # built (from the stand-in) and written
    assert calls == [1]
    assert national_contiguity(path) == small  # read back
    assert calls == [1]


def test_every_view_says_what_it_cannot() -> None:
    """The limitations name police.uk's anonymised points; the legend covers every class."""
    assert any("anonymous map point" in s and "street" in s for s in LIMITATIONS)
    assert {e.spot for e in LEGEND} == {s.value for s in Spot} | {"excluded"}


def test_density_bands_cover_the_cells_above_each_level() -> None:
    """Given a density surface of the sample's points
    When it is cut into map bands
    Then each band's area (back on the British National Grid) is the area of the cells
    at or above its level, the bands nest, and the top band holds the peak."""
    import shapely
    from pyproj import Transformer
    from shapely.geometry import Point, shape

    pts = _sample_points(tuple(YEAR_2014_15))
    surface = density_surface(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
    bands = density_bands(surface)["features"]
    assert [f["properties"]["band"] for f in bands] == [1, 2, 3, 4, 5]
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    geoms = [shape(f["geometry"]) for f in bands]
    for f, g in zip(bands, geoms, strict=True):
        cells = int((surface.values >= f["properties"]["min_per_km2"] - 1e-9).sum())
        area = shapely.transform(
            g, lambda xy: np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1]))
        )
        assert area.area == pytest.approx(cells * surface.cell**2, rel=0.01)
    for outer, inner in itertools.pairwise(geoms):
        assert outer.buffer(1e-4).contains(inner)
    row, col = divmod(int(surface.values.argmax()), surface.values.shape[1])
    cx, cy = surface.centres()
    lon, lat = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True).transform(
        cx[col], cy[row]
    )
    assert geoms[-1].contains(Point(lon, lat))


def test_nothing_is_downloaded(tmp_path: object) -> None:
    """Given a Python with every network connection refused and an empty home
    When Gi*, contiguity and a density surface run from a fresh import
    Then they work (no download is attempted: it would raise)."""
    import os
    import subprocess
    import sys

    script = """
import socket
def refuse(*a, **k):
    raise OSError("network refused in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
from saferplaces.insight.boundaries import lsoa_shapes
from saferplaces.insight.hotspots import contiguity, gi_star, distance_band
from saferplaces.insight.density import density_surface
shapes = lsoa_shapes(["E07000127"])
rates = {c: float(i % 7) for i, c in enumerate(sorted(shapes))}
gi_star(rates, contiguity(shapes), permutations=99)
gi_star(rates, distance_band(shapes, 2000), permutations=99)
density_surface([-2.9, -2.91, -2.85], [53.55, 53.56, 53.6])
print("ok")
"""
    env = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_resolution_note_when_permutations_cap_the_confidence() -> None:
    """Given a strong cluster tested with only 99 permutations
    When the result is read
    Then it says the permutations cap the confidence, and with 999 it does not."""
    rates = wl_rates()
    weights = contiguity(lsoa_shapes([WEST_LANCS]))
    few = gi_star(rates, weights, permutations=99)
    floor = 2 / 100
    assert min(r.p for r in few.rows) == pytest.approx(floor)
    note = few.resolution_note()
    assert note is not None and "99 permutations" in note and "0.0200" in note
    reached = max((r.spot.confidence or 0) for r in few.rows)
    assert f"show {min(lv for lv in (90, 95, 99) if lv > reached)}% confidence" in note
    many = gi_star(rates, weights, permutations=9999)
    assert min(r.q for r in many.rows) < min(r.q for r in few.rows)
