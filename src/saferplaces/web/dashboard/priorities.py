"""The partnership plan's priorities on the dashboard: each priority with the indicators
that measure it, their figures and verdicts exactly as the indicator cards give them.

The plan shown is the place's plan whose period overlaps the dashboard's (an approved one
first); failing that, its latest plan, with both periods named, so nobody reads a
2015/16 plan's priorities as if the figures were for 2015/16. Each priority also names
the initiatives that deliver it, with their actions done, open and overdue today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from saferplaces.insight.periods import Period
from saferplaces.partnership.models import Place
from saferplaces.strategy.models import Plan, PlanStatus
from saferplaces.strategy.plan_documents import (
    InitiativeView,
    initiative_views,
    initiatives_prefetch,
)
from saferplaces.web.dashboard.build import Card


@dataclass(frozen=True)
class PriorityRow:
    title: str
    cards: list[Card]
    unknown: list[str]  # indicator keys the dashboard has no card for
    initiatives: tuple[InitiativeView, ...] = ()  # the initiatives that deliver it


@dataclass(frozen=True)
class PlanProgress:
    plan: Plan
    overlaps: bool
    rows: list[PriorityRow]


def plan_progress(
    place: Place, period: Period, cards: list[Card], today: datetime.date | None = None
) -> PlanProgress | None:
    """The place's plan for the period (or its latest) with each priority's cards and the
    initiatives that deliver it (their actions counted on ``today``, the local date unless
    given)."""
    approved_first = Case(
        When(status=PlanStatus.APPROVED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    plans = Plan.objects.filter(place=place).annotate(rank=approved_first)
    last_day = period.end.replace(day=28)
    plan = (
        plans.filter(starts_on__lte=last_day, ends_on__gte=period.start)
        .order_by("rank", "-starts_on")
        .first()
    )
    overlaps = plan is not None
    plan = plan or plans.order_by("-starts_on", "rank").first()
    if plan is None:
        return None
    by_slug = {card.slug: card for card in cards}
    rows = [
        PriorityRow(
            priority.title,
            [by_slug[k] for k in priority.indicator_keys if k in by_slug],
            [k for k in priority.indicator_keys if k not in by_slug],
            initiative_views(priority),
        )
        for priority in plan.priorities.order_by("order", "pk").prefetch_related(
            initiatives_prefetch(today or timezone.localdate())
        )
    ]
    return PlanProgress(plan, overlaps, rows)
