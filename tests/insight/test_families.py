"""Most similar partnerships, funnel limits and ranks within a family."""

from __future__ import annotations

import math
import random

from scipy.stats import poisson

from saferplaces.insight import families as f


def test_funnel_limits_are_exact_poisson_quantiles() -> None:
    """Given populations and a reference rate, When the funnel limits are computed,
    Then each equals scipy's Poisson quantile of the expected count, as a rate per 1,000."""
    rate = 43.0 / 1000
    for population in (2_000, 25_000, 114_496, 1_100_000):
        point = f.funnel_limits(population, rate)
        lam = population * rate
        for got, p in ((point.lower_95, 0.025), (point.upper_95, 0.975),
                       (point.lower_998, 0.001), (point.upper_998, 0.999)):  # fmt: skip
            assert math.isclose(got, poisson.ppf(p, lam) * 1000 / population)
        assert point.lower_998 <= point.lower_95 < point.upper_95 <= point.upper_998


def test_band_names_the_limit_crossed() -> None:
    """Given a funnel point, When counts well above, slightly above and at expectation are
    banded, Then the words say which limit they cross."""
    point = f.funnel_limits(10_000, 0.04)
    assert f.band(400, point) == "within the limits"
    assert f.band(int(point.upper_998 * 10) + 5, point) == "above the 99.8% limit"
    assert f.band(int(point.lower_998 * 10) - 5, point) == "below the 99.8% limit"


def test_nearest_matches_brute_force() -> None:
    """Given random measures (some missing), When the nearest are found, Then they are the
    brute-force k smallest distances over the partnership's measures, ties by code."""
    rng = random.Random(7)
    rows: dict[str, dict[str, float | None]] = {
        f"C{i:03}": {
            "population": rng.uniform(5e4, 1e6),
            "imd_mean_rank": None if i % 9 == 0 else rng.uniform(1, 32844),
            "imd_decile1_share": None if i % 9 == 0 else rng.random(),
        }
        for i in range(80)
    }
    z = f.standardise(rows)
    names = {c: c for c in rows}
    for code in ("C001", "C009", "C050"):
        got = [p.code for p in f.nearest(code, z, names, k=15)]
        own = z[code]
        brute = []
        for other, v in z.items():
            if other == code or not set(own) <= set(v):
                continue
            d = math.sqrt(sum((own[m] - v[m]) ** 2 for m in own) / len(own))
            brute.append((d, other))
        assert got == [c for _, c in sorted(brute)[:15]]
    assert all(set(z[p.code]) >= {"imd_mean_rank"} for p in f.nearest("C001", z, names))


def test_standardise_gives_mean_zero_sd_one() -> None:
    """Given measures, When standardised, Then each has mean 0 and SD 1 over its holders."""
    z = f.standardise({"A": {"imd_mean_rank": 1.0}, "B": {"imd_mean_rank": 3.0},
                       "C": {"imd_mean_rank": None}})  # fmt: skip
    assert z["A"]["imd_mean_rank"] == -1.0 and z["B"]["imd_mean_rank"] == 1.0
    assert z["C"] == {}


def test_all_families_agree_with_nearest_on_shipped_measures() -> None:
    """Given the shipped measures, When every family is computed at once, Then it equals
    the one-at-a-time nearest for sampled partnerships, and English ones have English peers."""
    ms = f.measures_by_csp()
    assert len(ms) > 290
    fam = f.all_families()
    z = f.standardise({c: m.values for c, m in ms.items()})
    names = {c: m.name for c, m in ms.items()}
    for code in sorted(ms)[::40]:
        assert [p.code for p in fam[code]] == [p.code for p in f.nearest(code, z, names)]
        assert len(fam[code]) == f.DEFAULT_PEERS
    english = next(c for c in ms if c.startswith("E"))
    assert all(p.code.startswith("E") for p in fam[english])


def test_rank_interval_is_seeded_and_holds_the_rank() -> None:
    """Given a family's counts (one with no data), When the rank interval is simulated
    twice with one seed, Then it repeats, contains the rank and leaves out no-data members."""
    counts: dict[str, int | None] = {"A": 500, "B": 480, "C": 300, "D": None}
    pops = {"A": 10_000, "B": 10_000, "C": 10_000, "D": 10_000}
    one = f.rank_interval("B", counts, pops, seed=3)
    assert one == f.rank_interval("B", counts, pops, seed=3)
    assert one is not None and one.of == 3 and one.rank == 2
    assert one.low <= one.rank <= one.high and one.low == 1
    assert f.rank_interval("D", counts, pops) is None
    table = f.family_table(["A", "D"], counts, pops)
    assert table[1]["rate_per_1000"] == "no data" and table[0]["rate_per_1000"] == 50.0
