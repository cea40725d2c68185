"""The partnership plan and the county Community Safety Agreement, in the shape of the
Lancashire CSA 2014/16 table: priority issues, contributory factors, shared outcomes
(numbered) and statutory requirements, with a vision.

Each priority lists the evidence layer's indicator keys (the slugs of
`saferplaces.evidence.figures.indicator_set()`, e.g. ``"anti-social-behaviour"``) so
that its progress shows on the place's dashboard, and the policing body's objectives it
has regard to (`PolicingObjective`; the body is ``settings.POLICING_BODY``). A district
priority may name the county priority it feeds (`PlanPriority.county_priority`).

Delivery hook: initiatives that deliver a priority belong to the delivery app (issue
13). They should point here with ``ForeignKey("strategy.PlanPriority", null=True,
related_name="initiatives")``; nothing in this module depends on them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from saferplaces.partnership.models import Place

__all__ = [
    "ContributoryFactor",
    "Plan",
    "PlanKind",
    "PlanPriority",
    "PlanStatus",
    "PolicingObjective",
    "SharedOutcome",
    "StatutoryRequirement",
]


class PlanKind(models.TextChoices):
    PARTNERSHIP = "partnership", "Partnership plan"
    COUNTY_AGREEMENT = "county_agreement", "County Community Safety Agreement"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class Plan(models.Model):
    """A district partnership's plan or a two-tier county's Community Safety Agreement."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=20, choices=PlanKind.choices, default=PlanKind.PARTNERSHIP)
    title = models.CharField(max_length=200)
    period_label = models.CharField(
        "Period", max_length=20, help_text="As the plan names it, for example 2014/16"
    )
    starts_on = models.DateField("Starts on")
    ends_on = models.DateField("Ends on")
    vision = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who recorded the approval in saferplaces",
    )
    approved_on = models.DateField(null=True, blank=True)
    approval_note = models.CharField(
        max_length=300, blank=True, help_text="Who approved it, for example Full Council"
    )
    source = models.CharField(
        max_length=300, blank=True, help_text="The document the plan was taken from, if any"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["place__name", "-starts_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "kind", "period_label"], name="plan_once_per_period"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="plan_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_county_agreement(self) -> bool:
        return self.kind == PlanKind.COUNTY_AGREEMENT

    @property
    def is_approved(self) -> bool:
        return self.status == PlanStatus.APPROVED


class PolicingObjective(models.Model):
    """One objective of the policing body (``settings.POLICING_BODY``: a Police and Crime
    Commissioner, a mayor or a policing board) for its area, from its published plan."""

    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="policing_objectives",
        help_text="The policing body's area (usually a police force area)",
    )
    reference = models.CharField(max_length=20, blank=True, help_text="For example 1 or PO2")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source_document = models.CharField(
        max_length=200, blank=True, help_text="For example Police and Crime Plan 2013–17"
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["place__name", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place", "title"], name="policing_objective_once")
        ]

    def __str__(self) -> str:
        return f"{self.reference}. {self.title}" if self.reference else self.title


class PlanPriority(models.Model):
    """A priority issue of a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)
    indicator_keys = models.JSONField(
        default=list,
        blank=True,
        help_text="Slugs of the evidence layer's indicators that measure this priority",
    )
    county_priority = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="district_priorities",
        help_text="The county agreement's priority this district priority feeds, if any",
    )
    objectives = models.ManyToManyField(
        PolicingObjective,
        blank=True,
        related_name="priorities",
        verbose_name="Has regard to",
    )

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name_plural = "plan priorities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "title"], name="plan_priority_once"),
        ]

    def __str__(self) -> str:
        return self.title


class ContributoryFactor(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="factors")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "title"], name="contributory_factor_once"),
        ]

    def __str__(self) -> str:
        return self.title


class SharedOutcome(models.Model):
    """A numbered shared outcome ("1. Communities are more cohesive and resilient")."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="outcomes")
    number = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="shared_outcome_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class StatutoryRequirement(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="requirements")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "title"], name="statutory_requirement_once"),
        ]

    def __str__(self) -> str:
        return self.title
