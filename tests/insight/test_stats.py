"""The Poisson z test and c-chart run rules."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from saferplaces.insight.stats import c_chart, poisson_z, run_rule_signals, verdict

counts = st.integers(min_value=0, max_value=100_000)


@given(counts, counts)
def test_poisson_z_is_antisymmetric(a: int, b: int) -> None:
    assert math.isclose(poisson_z(a, b), -poisson_z(b, a), abs_tol=1e-9)


@given(counts)
def test_poisson_z_zero_when_equal(a: int) -> None:
    assert poisson_z(a, a) == 0.0
    assert verdict(poisson_z(a, a)) == "within normal variation"


@given(counts, counts)
def test_poisson_z_sign_follows_change(a: int, b: int) -> None:
    z = poisson_z(a, b)
    assert (z > 0) == (a > b) and (z < 0) == (a < b)


@given(counts, counts)
def test_poisson_z_monotonic_in_current(a: int, b: int) -> None:
    assert poisson_z(a + 1, b) > poisson_z(a, b)


def test_poisson_z_known_value_and_verdicts() -> None:
    """Given 100 vs 144: z = 2(10 - 12) = -4, a significant reduction."""
    assert poisson_z(100, 144) == -4.0
    assert verdict(-4.0) == "significant reduction"
    assert verdict(2.0) == "significant increase"
    assert verdict(1.9) == "within normal variation"


def test_run_rules() -> None:
    """Given a steady series with a spike, a shift and a trend, each rule fires."""
    base = [100] * 12
    limits = c_chart(base)  # mean 100, sigma 10
    spike = [*base[:5], 140, *base[6:]]
    assert "beyond-limits" in run_rule_signals(spike, limits)[5]
    shift = [101] * 8 + [100] * 4
    assert all("run-of-8" in s for s in run_rule_signals(shift, limits)[:8])
    trend = [90, 92, 94, 96, 98, 100, 100, 100]
    assert "trend-of-6" in run_rule_signals(trend, limits)[5]
    two_of_three = [100, 121, 100, 122, 100]
    sig = run_rule_signals(two_of_three, limits)
    assert "2-of-3-beyond-2-sigma" in sig[1] and "2-of-3-beyond-2-sigma" in sig[3]
    gap = [101] * 4 + [None] + [101] * 4
    assert not any("run-of-8" in s for s in run_rule_signals(gap, limits))
