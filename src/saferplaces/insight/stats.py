"""Small statistics for judging change: the Poisson z test and c-chart run rules."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_CRITICAL = 1.96


def poisson_z(current: int, previous: int) -> float:
    """z = 2(sqrt current - sqrt previous): approximately standard normal when the two
    counts come from the same Poisson rate."""
    if current < 0 or previous < 0:
        raise ValueError("counts must be non-negative")
    return 2.0 * (math.sqrt(current) - math.sqrt(previous))


def verdict(z: float, critical: float = Z_CRITICAL) -> str:
    """``"significant increase"``, ``"significant reduction"`` or
    ``"within normal variation"``."""
    if z > critical:
        return "significant increase"
    if z < -critical:
        return "significant reduction"
    return "within normal variation"


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
