"""Small statistics for judging change: the exact test for two counts, the Poisson z and
c-chart run rules.

A change between two counts is judged with the conditional binomial test: when two
counts come from Poisson processes with the same rate over equal exposure (the same
months of the year on both sides), then, given their total ``n``, the current count is
Binomial(``n``, 1/2). The two-sided p-value of that exact test decides the verdict at
the 95% level. It is exact for small counts, where the normal approximation behind the
Poisson z = 2(√current − √previous) calls 0 against 2 a "significant reduction".

Below :data:`MINIMUM_TOTAL` incidents in the two periods together no verdict is given
at all ("too few to judge"): a handful of incidents says little about a partnership's
performance whatever a test says.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import binomtest

Z_CRITICAL = 1.96
ALPHA = 0.05
"""Two-sided significance level of every verdict."""
MINIMUM_TOTAL = 20
"""Fewer incidents than this in the two periods together: too few to judge."""

INCREASE = "significant increase"
REDUCTION = "significant reduction"
NORMAL = "within normal variation"
TOO_FEW = "too few to judge"

TEST_NAME = "exact conditional binomial test for two Poisson counts (two-sided, 95%)"


def poisson_z(current: int, previous: int) -> float:
    """z = 2(sqrt current - sqrt previous): approximately standard normal when the two
    counts come from the same Poisson rate (shown as a measure of size, not the test)."""
    if current < 0 or previous < 0:
        raise ValueError("counts must be non-negative")
    return 2.0 * (math.sqrt(current) - math.sqrt(previous))


def exact_p_value(current: int, previous: int) -> float:
    """Two-sided p-value of the conditional binomial test of equal Poisson rates."""
    if current < 0 or previous < 0:
        raise ValueError("counts must be non-negative")
    total = current + previous
    if total == 0:
        return 1.0
    return float(binomtest(current, total, 0.5, alternative="two-sided").pvalue)


@dataclass(frozen=True)
class Judgement:
    """Whether a change between two like-for-like counts is bigger than chance."""

    verdict: str
    significant: bool
    p_value: float | None
    z: float

    @property
    def too_few(self) -> bool:
        return self.verdict == TOO_FEW


def judge(
    current: int, previous: int, *, alpha: float = ALPHA, minimum: int = MINIMUM_TOTAL
) -> Judgement:
    """The verdict on ``current`` against ``previous`` (counts over the same months).

    ``"too few to judge"`` below ``minimum`` incidents in all; otherwise the exact test
    at ``alpha``: ``"significant increase"``, ``"significant reduction"`` or
    ``"within normal variation"``.
    """
    z = poisson_z(current, previous)
    if current + previous < minimum:
        return Judgement(TOO_FEW, False, None, z)
    p = exact_p_value(current, previous)
    if p < alpha and current != previous:
        return Judgement(INCREASE if current > previous else REDUCTION, True, p, z)
    return Judgement(NORMAL, False, p, z)


@dataclass(frozen=True)
class ControlLimits:
    """c-chart centre line and sigma limits."""

    mean: float
    sigma: float

    @property
    def upper(self) -> float:
        """Upper 3-sigma control limit."""
        return self.mean + 3 * self.sigma

    @property
    def lower(self) -> float:
        """Lower 3-sigma control limit (never below 0)."""
        return max(0.0, self.mean - 3 * self.sigma)


def c_chart(counts: Sequence[int | None]) -> ControlLimits:
    """c-chart limits from the observed (non-missing) counts: sigma = sqrt mean."""
    seen = [c for c in counts if c is not None]
    mean = sum(seen) / len(seen) if seen else 0.0
    return ControlLimits(mean, math.sqrt(mean))


def run_rule_signals(counts: Sequence[int | None], limits: ControlLimits) -> list[list[str]]:
    """Signals per point; a missing point (None) breaks every run.

    Rules: ``beyond-limits`` (outside 3sigma); ``run-of-8`` (8 in a row on one side of the
    mean); ``trend-of-6`` (6 points each higher, or each lower, than the one before);
    ``2-of-3-beyond-2-sigma`` (2 of 3 consecutive beyond 2sigma on the same side).
    """
    n = len(counts)
    signals: list[list[str]] = [[] for _ in range(n)]
    m, s = limits.mean, limits.sigma

    def segment_ok(lo: int, hi: int) -> bool:
        return lo >= 0 and all(counts[k] is not None for k in range(lo, hi + 1))

    for i, c in enumerate(counts):
        if c is None:
            continue
        if c > limits.upper or c < limits.lower:
            signals[i].append("beyond-limits")
        if segment_ok(i - 7, i):
            window = [counts[k] for k in range(i - 7, i + 1)]
            if all(v is not None and v > m for v in window) or all(
                v is not None and v < m for v in window
            ):
                for k in range(i - 7, i + 1):
                    if "run-of-8" not in signals[k]:
                        signals[k].append("run-of-8")
        if segment_ok(i - 5, i):
            w = [int(counts[k] or 0) for k in range(i - 5, i + 1)]
            rising = all(w[k] > w[k - 1] for k in range(1, 6))
            falling = all(w[k] < w[k - 1] for k in range(1, 6))
            if rising or falling:
                for k in range(i - 5, i + 1):
                    if "trend-of-6" not in signals[k]:
                        signals[k].append("trend-of-6")
        if segment_ok(i - 2, i) and s > 0:
            w3 = [int(counts[k] or 0) for k in range(i - 2, i + 1)]
            for sign in (1, -1):
                beyond = [k for k, v in zip(range(i - 2, i + 1), w3, strict=True)
                          if sign * (v - m) > 2 * s]  # fmt: skip
                if len(beyond) >= 2:
                    for k in beyond:
                        if "2-of-3-beyond-2-sigma" not in signals[k]:
                            signals[k].append("2-of-3-beyond-2-sigma")
    return signals
