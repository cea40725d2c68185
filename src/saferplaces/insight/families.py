"""Most similar partnerships ("families"), funnel limits and a ranking within a family.

Method (shown with every answer, see ``METHOD``):

* Each community safety partnership (CSP, 2024 codes) of England and Wales is described
  by the measures the product ships, built from its 2011 LSOAs (``measures_by_csp``):
  ``population`` (ONS mid-2020, sum over the LSOAs), ``imd_mean_rank`` (the mean English
  IMD 2019 rank of its LSOAs: lower is more deprived) and ``imd_decile1_share`` (the share
  of its LSOAs in the most deprived tenth of England, IMD 2019). Population is taken as
  its natural logarithm, so that a partnership of 100,000 is as far from one of 200,000
  as one of 500,000 is from one of 1,000,000.
* Each measure is standardised to a z-score over all partnerships that hold it (mean 0,
  standard deviation 1, population standard deviation).
* The distance between two partnerships is the Euclidean distance over the z-scores of
  the measures the partnership holds, divided by the square root of their number (a root
  mean square difference). A peer must hold every measure the partnership holds, so an
  English partnership's family is English; a Welsh one's may include English ones.
* The family of a partnership is its ``k`` nearest others (15 by default), ties broken by
  code.

Not used, because the product ships no offline source for them: population density (no
area table; the LSOA boundary files are not read for area) and the urban/rural mix (the
ONS rural-urban classification is not shipped). Wales has no IMD 2019 in the shipped data
(the Welsh index is a separate index), so Welsh partnerships are compared on population
only, and say so.

Funnel limits: for a partnership of population ``n`` and a reference rate ``p`` per
person (the family's or all partnerships' pooled rate), the expected count is
``n * p``; the 95% and 99.8% control limits are the exact Poisson quantiles at
0.025/0.975 and 0.001/0.999 of that expected count, turned into rates per 1,000.

Rank within the family: 1 is the highest rate. Its uncertainty is by simulation: each
member's count is drawn from a Poisson distribution with its observed count as mean
(seeded; 1,000 draws by default), the members re-ranked each time, and the 2.5th and
97.5th percentiles of the partnership's rank reported as a 95% interval.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.stats import poisson

from saferplaces.insight.geography import lsoa_populations, reference_rows
from saferplaces.insight.reference_geography import reference_districts

DEFAULT_PEERS = 15
MEASURES = ("population", "imd_mean_rank", "imd_decile1_share")
"""The measures used, in order (population is compared as its logarithm)."""
MISSING_MEASURES = ("population density", "urban/rural mix")
"""Measures the method would use but the product ships no offline source for."""
POPULATION_YEAR = 2020
METHOD = (
    "Most similar partnerships: z-scores of log population (ONS mid-2020), mean IMD 2019 "
    "LSOA rank and share of LSOAs in the most deprived decile (IMD 2019, England only); "
    "root mean square difference over the partnership's measures (peers must hold them all); "
    "the nearest "
    "15 by default. Not used (no shipped source): population density, urban/rural mix. "
    "Welsh partnerships are compared on population only (no Welsh IMD shipped)."
)
LEVELS = {"95%": 0.95, "99.8%": 0.998}


@dataclass(frozen=True)
class CspMeasures:
    """One partnership's measures (None: not held)."""

    code: str
    name: str
    values: dict[str, float | None]


@dataclass(frozen=True)
class Peer:
    """One member of a family and its distance from the partnership."""

    code: str
    name: str
    distance: float
    measures_used: tuple[str, ...]


@cache
def measures_by_csp() -> dict[str, CspMeasures]:
    """Every CSP of England and Wales (2024 codes) with its measures."""
    pop = lsoa_populations().get(POPULATION_YEAR, {})
    imd = {
        r["lsoa11_code"]: (int(r["IMD_rank"]), int(r["IMD_decile"]))
        for r in reference_rows("imd2019_lsoa11_rank_decile.csv.gz")
    }
    lsoas: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for d in reference_districts():
        lsoas[d.csp_code].extend(d.lsoas)
        names[d.csp_code] = d.csp_name
    out: dict[str, CspMeasures] = {}
    for code, codes in lsoas.items():
        pops = [pop.get(c) for c in codes]
        population = (
            float(sum(p for p in pops if p is not None))
            if all(p is not None for p in pops) and codes
            else None
        )
        ranks = [imd[c] for c in codes if c in imd]
        held = bool(codes) and len(ranks) == len(codes)
        values: dict[str, float | None] = {
            "population": population,
            "imd_mean_rank": sum(r for r, _ in ranks) / len(ranks) if held else None,
            "imd_decile1_share": sum(1 for _, d in ranks if d == 1) / len(ranks) if held else None,
        }
        out[code] = CspMeasures(code, names[code], values)
    return out


def standardise(rows: Mapping[str, Mapping[str, float | None]]) -> dict[str, dict[str, float]]:
    """z-scores of each measure over the rows that hold it (population as its log);
    a measure with no spread gives 0 for all."""
    measures = sorted({m for v in rows.values() for m in v})
    out: dict[str, dict[str, float]] = {code: {} for code in rows}
    for m in measures:
        held = {c: v[m] for c, v in rows.items() if v.get(m) is not None}
        xs = {c: math.log(x) if m == "population" else x for c, x in held.items() if x is not None}
        if not xs:
            continue
        mean = sum(xs.values()) / len(xs)
        sd = math.sqrt(sum((x - mean) ** 2 for x in xs.values()) / len(xs))
        for c, x in xs.items():
            out[c][m] = (x - mean) / sd if sd > 0 else 0.0
    return out


def distance(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
    """Root mean square difference over the measures of ``a``; inf when ``b`` lacks one
    of them (or ``a`` holds none)."""
    common = tuple(sorted(a))
    if not common or not set(common) <= set(b):
        return math.inf, common
    return math.sqrt(sum((a[m] - b[m]) ** 2 for m in common) / len(common)), common


def nearest(
    code: str,
    z: Mapping[str, Mapping[str, float]],
    names: Mapping[str, str],
    k: int = DEFAULT_PEERS,
) -> list[Peer]:
    """The ``k`` partnerships nearest to ``code`` (itself excluded), ties by code."""
    own = z[code]
    peers = []
    for other, values in z.items():
        if other == code:
            continue
        d, used = distance(own, values)
        peers.append(Peer(other, names.get(other, other), d, used))
    peers.sort(key=lambda p: (p.distance, p.code))
    return peers[:k]


def all_families(k: int = DEFAULT_PEERS) -> dict[str, list[Peer]]:
    """The family of every partnership, using vectorised distances."""
    ms = measures_by_csp()
    z = standardise({c: m.values for c, m in ms.items()})
    codes = sorted(z)
    cols = sorted({m for v in z.values() for m in v})
    x = np.array([[z[c].get(m, np.nan) for m in cols] for c in codes])
    held = ~np.isnan(x)
    xv = np.nan_to_num(x)
    diff2 = (xv[:, None, :] - xv[None, :, :]) ** 2
    both = held[:, None, :] & held[None, :, :]
    n = both.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.sqrt(np.where(both, diff2, 0.0).sum(axis=2) / n)
    dist[(n == 0) | (n < held.sum(axis=1)[:, None])] = np.inf
    np.fill_diagonal(dist, np.inf)
    names = {c: m.name for c, m in ms.items()}
    out: dict[str, list[Peer]] = {}
    for i, c in enumerate(codes):
        order = sorted(range(len(codes)), key=lambda j: (dist[i, j], codes[j]))[:k]
        out[c] = [
            Peer(codes[j], names[codes[j]], float(dist[i, j]),
                 tuple(m for m, b in zip(cols, both[i, j], strict=True) if b))
            for j in order
        ]  # fmt: skip
    return out


@dataclass(frozen=True)
class FunnelPoint:
    """Control limits (rates per 1,000) for one population."""

    population: int
    expected: float
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


def funnel_limits(population: int, rate_per_person: float) -> FunnelPoint:
    """Exact Poisson control limits for a population around a reference rate."""
    lam = population * rate_per_person
    per = 1000.0 / population

    def q(p: float) -> float:
        return float(poisson.ppf(p, lam)) * per

    return FunnelPoint(population, lam, q(0.025), q(0.975), q(0.001), q(0.999))


def band(count: int, point: FunnelPoint) -> str:
    """Where a partnership's rate sits against the funnel limits, in words."""
    rate = count * 1000.0 / point.population
    if rate > point.upper_998:
        return "above the 99.8% limit"
    if rate > point.upper_95:
        return "above the 95% limit"
    if rate < point.lower_998:
        return "below the 99.8% limit"
    if rate < point.lower_95:
        return "below the 95% limit"
    return "within the limits"


@dataclass(frozen=True)
class RankInterval:
    """A rank (1 = highest rate) among those with data, with a 95% interval."""

    rank: int
    low: int
    high: int
    of: int


def rank_interval(
    code: str,
    counts: Mapping[str, int | None],
    populations: Mapping[str, int],
    draws: int = 1000,
    seed: int = 14,
) -> RankInterval | None:
    """The rank of ``code`` by rate among the members with data, and its 95% interval
    by seeded Poisson simulation; None when ``code`` has no data."""
    held = sorted(c for c, n in counts.items() if n is not None and populations.get(c))
    if code not in held:
        return None
    obs = np.array([counts[c] for c in held], dtype=float)
    pops = np.array([populations[c] for c in held], dtype=float)
    i = held.index(code)
    rank = int((obs / pops > obs[i] / pops[i]).sum()) + 1
    sims = np.random.default_rng(seed).poisson(obs, size=(draws, len(held))) / pops
    ranks = (sims > sims[:, [i]]).sum(axis=1) + 1
    low, high = np.percentile(ranks, [2.5, 97.5])
    return RankInterval(rank, math.floor(low), math.ceil(high), len(held))


def pooled_rate(counts: Mapping[str, int | None], populations: Mapping[str, int]) -> float | None:
    """Total count over total population of the members with data (per person)."""
    held = [c for c, n in counts.items() if n is not None and populations.get(c)]
    if not held:
        return None
    return sum(counts[c] or 0 for c in held) / sum(populations[c] for c in held)


def family_table(
    members: Sequence[str], counts: Mapping[str, int | None], populations: Mapping[str, int]
) -> list[dict[str, object]]:
    """Per member: rate per 1,000 or 'no data' (never 0)."""
    rows: list[dict[str, object]] = []
    for c in members:
        n, p = counts.get(c), populations.get(c)
        rate: object = round(n * 1000 / p, 2) if n is not None and p else "no data"
        rows.append({"code": c, "count": n, "population": p, "rate_per_1000": rate})
    return rows
