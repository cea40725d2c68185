"""Avoided cost, with the arithmetic shown: what demand a partnership no longer has to
meet is worth, at a unit cost it names (a fire call-out at £515).

Plain Python and Decimal throughout. Without an observed figure the only statement made
is the cost of the baseline ("up to £15,450 a night"), never an assumed saving; with one,
the avoided cost is (baseline − observed) × unit cost × periods, each step as a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
MINUS = "\u2212"
"""The typographic minus sign used in the arithmetic."""


def money(amount: Decimal) -> Decimal:
    """An amount to the penny (half up)."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    """£15,450 for whole pounds, £15,450.50 otherwise; a minus sign before the £."""
    amount = money(amount)
    sign = MINUS if amount < 0 else ""
    whole = amount == amount.to_integral_value()
    text = f"{abs(amount):,.0f}" if whole else f"{abs(amount):,.2f}"
    return f"{sign}£{text}"


def format_quantity(value: Decimal) -> str:
    """30 for 30.00, 2.5 for 2.50, with thousands separators."""
    value = money(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


def plural(word: str, count: Decimal | int) -> str:
    """`word` for exactly one, `word`s otherwise (call-out, call-outs)."""
    if not word or Decimal(count) == 1 or word.endswith("s"):
        return word
    return f"{word}s"


@dataclass(frozen=True)
class ValueResult:
    """An avoided-cost case worked through; money to the penny."""

    unit: str
    period: str
    unit_cost: Decimal
    baseline_per_period: Decimal
    observed_per_period: Decimal | None
    periods: int
    baseline_cost_per_period: Decimal
    """The cost of the baseline demand in one period: the most one period could save."""
    avoided_per_period: Decimal | None
    """(baseline − observed) × unit cost; None without an observed figure."""
    avoided_total: Decimal | None
    """avoided_per_period × periods; None without an observed figure."""
    steps: tuple[str, ...]
    headline: str

    @property
    def measured(self) -> bool:
        """Whether an observed figure was given (so a saving can be stated)."""
        return self.observed_per_period is not None


def avoided_cost(
    *,
    baseline_per_period: Decimal,
    unit_cost: Decimal,
    observed_per_period: Decimal | None = None,
    periods: int = 1,
    unit: str = "call-out",
    period: str = "night",
) -> ValueResult:
    """The avoided cost of reducing demand from the baseline to the observed figure.

    ``observed_per_period`` None: only the cost of the baseline is stated, as the most
    that could be avoided ("up to £15,450 a night"), never a saving.
    """
    if unit_cost <= 0:
        raise ValueError("the unit cost must be more than zero")
    if baseline_per_period < 0 or (observed_per_period is not None and observed_per_period < 0):
        raise ValueError("demand cannot be negative")
    if periods < 1:
        raise ValueError("there must be at least one period")
    base_cost = money(baseline_per_period * unit_cost)
    per = f"a {period}"
    first = (
        f"{format_quantity(baseline_per_period)} {plural(unit, baseline_per_period)} {per} "
        f"× {format_money(unit_cost)} = {format_money(base_cost)} {per}"
    )
    if observed_per_period is None:
        headline = (
            f"Up to {format_money(base_cost)} {per}: the cost of the baseline demand. "
            "No saving is claimed without an observed figure."
        )
        return ValueResult(unit, period, unit_cost, baseline_per_period, None, periods,
                           base_cost, None, None, (first,), headline)  # fmt: skip
    difference = baseline_per_period - observed_per_period
    avoided = money(difference * unit_cost)
    total = money(difference * unit_cost * periods)
    second = (
        f"({format_quantity(baseline_per_period)} {MINUS} {format_quantity(observed_per_period)})"
        f" × {format_money(unit_cost)} × {periods} {plural(period, periods)} = "
        f"{format_money(total)}"
    )
    if difference > 0:
        headline = (
            f"{format_money(total)} avoided over {periods} {plural(period, periods)} "
            f"({format_money(avoided)} {per})."
        )
    elif difference == 0:
        headline = "No cost avoided: the observed demand equals the baseline."
    else:
        headline = (
            f"No cost avoided: the observed demand is above the baseline, costing "
            f"{format_money(-total)} more over {periods} {plural(period, periods)}."
        )
    return ValueResult(unit, period, unit_cost, baseline_per_period, observed_per_period,
                       periods, base_cost, avoided, total, (first, second), headline)  # fmt: skip


__all__ = ["ValueResult", "avoided_cost", "format_money", "format_quantity", "money", "plural"]
