"""Every write to how an initiative is judged: evaluation measures, unit costs and value
cases. Each is atomic, validated (`full_clean`) and records an activity event in the
same transaction; a problem raises ValidationError saying what to fix."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from saferplaces.delivery.models import EvaluationMeasure, Initiative, UnitCost, ValueCase
from saferplaces.evidence.figures import indicator_set
from saferplaces.partnership.models import Place
from saferplaces.partnership.services import Actor, record_event


@transaction.atomic
def add_measure(
    actor: Actor, *, initiative: Initiative, indicator_key: str, window: str, years: int = 10
) -> EvaluationMeasure:
    """Evaluate the initiative on an indicator in a window over ``years`` years."""
    names = {i.slug: i.name for i in indicator_set()}
    if indicator_key not in names:
        raise ValidationError({"indicator_key": f"Unknown indicator: {indicator_key}"})
    if initiative.evaluation_measures.filter(indicator_key=indicator_key, window=window).exists():
        raise ValidationError(
            f"{initiative.name} is already evaluated on {names[indicator_key]} in this window"
        )
    last = initiative.evaluation_measures.order_by("-order").values_list("order", flat=True)
    measure = EvaluationMeasure(initiative=initiative, indicator_key=indicator_key, window=window,
                                years=years, order=(last.first() or 0) + 1)  # fmt: skip
    measure.full_clean()
    measure.save()
    record_event(actor, "added", measure,
                 f"{initiative.name}: evaluated on {names[indicator_key]}, "
                 f"{measure.get_window_display()}, {years} years")  # fmt: skip
    return measure


@transaction.atomic
def remove_measure(actor: Actor, measure: EvaluationMeasure) -> None:
    record_event(actor, "removed", measure, f"{measure.initiative.name}: no longer {measure}")
    measure.delete()


@transaction.atomic
def add_unit_cost(
    actor: Actor, *, place: Place | None, name: str, unit: str, amount: Decimal, source: str
) -> UnitCost:
    """A unit cost the place's value cases may use (``place`` None: every partnership)."""
    if UnitCost.objects.filter(place=place, name__iexact=name.strip()).exists():
        raise ValidationError({"name": f"A unit cost named {name} already exists: choose it"})
    cost = UnitCost(place=place, name=name.strip(), unit=unit.strip(), amount=amount,
                    source=source.strip())  # fmt: skip
    cost.full_clean()
    cost.save()
    record_event(actor, "added", cost, str(cost))
    return cost


def unit_costs_for(place: Place) -> list[UnitCost]:
    """The unit costs a place's value cases may use: its own and the shared ones."""
    return list(UnitCost.objects.filter(Q(place=place) | Q(place__isnull=True)).order_by("name"))


@transaction.atomic
def add_value_case(
    actor: Actor,
    *,
    initiative: Initiative,
    unit_cost: UnitCost,
    baseline_per_period: Decimal,
    observed_per_period: Decimal | None = None,
    period: str = "night",
    periods: int = 1,
    basis: str = "",
) -> ValueCase:
    """Price the demand the initiative addresses at ``unit_cost``."""
    if unit_cost.place_id not in (None, initiative.place_id):
        raise ValidationError({"unit_cost": f"{unit_cost.name} belongs to another place"})
    if baseline_per_period < 0:
        raise ValidationError({"baseline_per_period": "The baseline must be 0 or more"})
    if observed_per_period is not None and observed_per_period < 0:
        raise ValidationError({"observed_per_period": "The observed figure must be 0 or more"})
    case = ValueCase(initiative=initiative, unit_cost=unit_cost,
                     baseline_per_period=baseline_per_period,
                     observed_per_period=observed_per_period, period=period.strip() or "night",
                     periods=periods, basis=basis.strip())  # fmt: skip
    case.full_clean()
    case.save()
    record_event(actor, "added", case,
                 f"{initiative.name}: value case at {unit_cost}")  # fmt: skip
    return case


@transaction.atomic
def remove_value_case(actor: Actor, case: ValueCase) -> None:
    record_event(actor, "removed", case, f"{case.initiative.name}: value case removed")
    case.delete()


__all__ = [
    "add_measure",
    "add_unit_cost",
    "add_value_case",
    "remove_measure",
    "remove_value_case",
    "unit_costs_for",
]
