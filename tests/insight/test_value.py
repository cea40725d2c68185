"""Avoided cost with the arithmetic shown (saferplaces.insight.value)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saferplaces.insight.value import avoided_cost, format_money, format_quantity

D = Decimal


@pytest.mark.parametrize(
    ("baseline", "cost", "step", "headline_start"),
    [
        ("30", "515", "30 call-outs a night × £515 = £15,450 a night", "Up to £15,450 a night"),
        ("1", "515", "1 call-out a night × £515 = £515 a night", "Up to £515 a night"),
        ("2.5", "100.10", "2.5 call-outs a night × £100.10 = £250.25 a night", "Up to £250.25"),
        ("0", "515", "0 call-outs a night × £515 = £0 a night", "Up to £0 a night"),
    ],
)
def test_without_an_observed_figure_only_the_baseline_cost_is_stated(
    baseline: str, cost: str, step: str, headline_start: str
) -> None:
    """Given a baseline and a unit cost but no observed figure, When the case is worked,
    Then the one step is the baseline's cost, the headline says "up to", and no saving is
    given."""
    r = avoided_cost(baseline_per_period=D(baseline), unit_cost=D(cost))
    assert r.steps == (step,)
    assert r.headline.startswith(headline_start)
    assert "No saving is claimed" in r.headline
    assert r.avoided_total is None and r.avoided_per_period is None and not r.measured
    assert r.baseline_cost_per_period == (D(baseline) * D(cost)).quantize(D("0.01"))


@pytest.mark.parametrize(
    ("baseline", "observed", "periods", "total", "step", "headline_start"),
    [
        ("30", "12", 3, "27810.00", "(30 − 12) × £515 × 3 nights = £27,810", "£27,810 avoided"),
        ("30", "12", 1, "9270.00", "(30 − 12) × £515 × 1 night = £9,270", "£9,270 avoided"),
        ("30", "30", 2, "0.00", "(30 − 30) × £515 × 2 nights = £0", "No cost avoided"),
        ("10", "12", 1, "-1030.00", "(10 − 12) × £515 × 1 night = −£1,030", "No cost avoided"),
    ],
)
def test_with_an_observed_figure_the_avoided_cost_is_worked_through(
    baseline: str, observed: str, periods: int, total: str, step: str, headline_start: str
) -> None:
    """Given a baseline, an observed figure and periods, When the case is worked, Then
    the second step shows (baseline − observed) × cost × periods and the total."""
    r = avoided_cost(baseline_per_period=D(baseline), observed_per_period=D(observed),
                     unit_cost=D("515"), periods=periods)  # fmt: skip
    assert r.steps[1] == step
    assert r.avoided_total == D(total)
    assert r.headline.startswith(headline_start)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"baseline_per_period": D("1"), "unit_cost": D("0")},
        {"baseline_per_period": D("-1"), "unit_cost": D("1")},
        {"baseline_per_period": D("1"), "unit_cost": D("1"), "observed_per_period": D("-1")},
        {"baseline_per_period": D("1"), "unit_cost": D("1"), "periods": 0},
    ],
)
def test_impossible_inputs_are_refused(kwargs: dict[str, object]) -> None:
    """Given a zero cost, negative demand or no periods, Then the case is refused."""
    with pytest.raises(ValueError):
        avoided_cost(**kwargs)  # type: ignore[arg-type]


def test_formatting() -> None:
    """Money shows pence only when there are some; quantities drop trailing zeros."""
    assert format_money(D("15450")) == "£15,450"
    assert format_money(D("0.5")) == "£0.50"
    assert format_money(D("-3")) == "−£3"
    assert format_quantity(D("30.00")) == "30"
    assert format_quantity(D("1234.50")) == "1,234.5"


amounts = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)


@given(baseline=amounts, observed=amounts, cost=st.decimals(min_value="0.01",
       max_value=5000, places=2), periods=st.integers(min_value=1, max_value=60))  # fmt: skip
def test_total_is_difference_times_cost_times_periods(
    baseline: Decimal, observed: Decimal, cost: Decimal, periods: int
) -> None:
    """For any inputs, the total is exact to the penny and never exceeds the cost of the
    baseline over the periods."""
    r = avoided_cost(baseline_per_period=baseline, observed_per_period=observed,
                     unit_cost=cost, periods=periods)  # fmt: skip
    exact = (baseline - observed) * cost * periods
    assert r.avoided_total == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert r.avoided_total is not None
    assert r.avoided_total <= (baseline * cost * periods).quantize(D("0.01"), ROUND_HALF_UP)
