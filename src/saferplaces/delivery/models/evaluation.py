"""How an initiative is judged: the indicators and windows it is evaluated on, the unit
costs a partnership uses, and the value cases that put a price on avoided demand.

Bright Sparx is evaluated on deliberate fires and ASB in October–November over ten
years and on ASB on Mischief Night year by year (`EvaluationMeasure`); its value case
is "30 fire call-outs a night at £515 each, up to £15,450 a night" (`ValueCase` with the
`UnitCost` "Fire call-out", £515).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from saferplaces.delivery.models.initiatives import Initiative
from saferplaces.partnership.models import Place

__all__ = ["EvaluationMeasure", "EvaluationWindow", "UnitCost", "ValueCase"]


class EvaluationWindow(models.TextChoices):
    """The window compared year by year: the initiative's own dates, or a named one."""

    INITIATIVE = "initiative", "The initiative's own dates, each year"
    OCTOBER_NOVEMBER = "october-november", "October–November"
    BONFIRE_PERIOD = "bonfire-period", "Bonfire period (29 October–12 November)"
    HALLOWEEN = "halloween", "Halloween (31 October)"
    MISCHIEF_NIGHT = "mischief-night", "Mischief Night (4 November)"
    FRESHERS_WEEK = "freshers-week", "Freshers' Week"


class EvaluationMeasure(models.Model):
    """One indicator in one window, compared across the years before the initiative."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="evaluation_measures"
    )
    indicator_key = models.CharField(
        max_length=80, help_text="Slug of an evidence indicator, e.g. anti-social-behaviour"
    )
    window = models.CharField(
        max_length=20, choices=EvaluationWindow.choices, default=EvaluationWindow.INITIATIVE
    )
    years = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(2), MaxValueValidator(30)],
        help_text="How many years to show, the initiative's own year included",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["initiative", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "indicator_key", "window"], name="evaluation_measure_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_key} in {self.get_window_display()}"


class UnitCost(models.Model):
    """What one unit of demand costs, e.g. a fire call-out at £515, with its source."""

    place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="unit_costs",
        help_text="Blank for a cost every partnership may use",
    )
    name = models.CharField(max_length=160, help_text="For example Fire call-out")
    unit = models.CharField(max_length=60, help_text="For example call-out")
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    source = models.CharField(max_length=300, help_text="Where the figure comes from, and its year")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="unit_cost_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="unit_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: £{self.amount:,} per {self.unit}"


class ValueCase(models.Model):
    """Avoided demand priced: (baseline − observed) units a period × periods × unit cost.

    ``observed_per_period`` blank means the case states only the cost of the baseline
    ("up to £15,450 a night"), never an assumed saving.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="value_cases")
    unit_cost = models.ForeignKey(UnitCost, on_delete=models.PROTECT, related_name="value_cases")
    baseline_per_period = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="Units a period before the initiative"
    )
    observed_per_period = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True,
        help_text="Units a period with it; blank when not measured",
    )  # fmt: skip
    period = models.CharField(max_length=30, default="night", help_text="For example night")
    periods = models.PositiveIntegerField(default=1, help_text="How many periods it covers")
    basis = models.CharField(max_length=300, blank=True, help_text="Where the baseline comes from")

    class Meta:
        ordering = ["initiative", "id"]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.unit_cost.name}"
