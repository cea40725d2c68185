"""The exact test for two counts with its minimum, the Poisson z and c-chart run rules."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom

from saferplaces.insight.stats import (
    INCREASE,
    MINIMUM_TOTAL,
    NORMAL,
    REDUCTION,
    TOO_FEW,
    c_chart,
    exact_p_value,
    judge,
    poisson_z,
    run_rule_signals,
)

counts = st.integers(min_value=0, max_value=100_000)


@given(counts, counts)
def test_poisson_z_is_antisymmetric(a: int, b: int) -> None:
    assert math.isclose(poisson_z(a, b), -poisson_z(b, a), abs_tol=1e-9)


@given(counts)
def test_equal_counts_are_never_a_change(a: int) -> None:
    assert poisson_z(a, a) == 0.0
    assert judge(a, a).verdict in (NORMAL, TOO_FEW)


@given(counts, counts)
def test_poisson_z_sign_follows_change(a: int, b: int) -> None:
    z = poisson_z(a, b)
    assert (z > 0) == (a > b) and (z < 0) == (a < b)


@given(counts, counts)
def test_poisson_z_monotonic_in_current(a: int, b: int) -> None:
    assert poisson_z(a + 1, b) > poisson_z(a, b)


def test_known_values_and_verdicts() -> None:
    """Given 100 vs 144: z = 2(10 - 12) = -4 and the exact test calls it a reduction;
    given 4,648 against 5,104 (West Lancashire's All crime, 2014/15), a reduction too."""
    assert poisson_z(100, 144) == -4.0
    assert judge(100, 144).verdict == REDUCTION
    assert judge(144, 100).verdict == INCREASE
    assert judge(4648, 5104).verdict == REDUCTION
    assert judge(110, 100).verdict == NORMAL


def test_exact_p_value_is_the_two_sided_binomial_tail() -> None:
    """Given 15 against 5, when tested, then p is twice the binomial tail of 15 or more in
    20 at one half (computed here from scipy's distribution, not its test)."""
    expected = 2 * binom.sf(14, 20, 0.5)
    assert exact_p_value(15, 5) == pytest.approx(expected, rel=1e-9)
    assert exact_p_value(0, 0) == 1.0


@pytest.mark.parametrize(("current", "previous"), [(0, 2), (2, 0), (9, 0), (0, 9), (12, 7)])
def test_small_counts_are_too_few_to_judge(current: int, previous: int) -> None:
    """Given fewer than the stated minimum in the two periods together, no verdict: the
    dashboard once called 0 against 2 a significant reduction."""
    assert current + previous < MINIMUM_TOTAL
    j = judge(current, previous)
    assert j.verdict == TOO_FEW and not j.significant and j.p_value is None


def test_the_exact_test_disagrees_with_z_where_counts_are_small() -> None:
    """Given counts past the minimum but still small, the exact test decides: 6 against
    17 (p = 0.035) is a reduction, while 8 against 17 (z = -2.59, which the normal
    approximation would call significant, p = 0.11) is within normal variation."""
    assert judge(6, 17).verdict == REDUCTION
    assert abs(poisson_z(8, 17)) > 1.96 and judge(8, 17).verdict == NORMAL
    assert abs(poisson_z(9, 19)) > 1.96 and judge(9, 19).verdict == NORMAL


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
