"""Initiatives (projects and time-boxed operations), their strands, multi-agency action
plans and the outputs they record.

Bright Sparx 2014 is one initiative: an operation of West Lancashire, led by the Local
Priorities Group, serving the plan priority "General ASB including Mischief, Halloween
and Bonfire Period", with four strands (engagement days, diversionary activities, the
Go4IT event, Mischief Night plans), a 3-week action plan and outputs such as 150 tons
removed on the engagement days.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from saferplaces.partnership.models import Group, Organisation, Person, Place

__all__ = [
    "ActionPlan",
    "ActionStatus",
    "DeliveryAction",
    "DeliveryActionQuerySet",
    "Initiative",
    "InitiativeKind",
    "Output",
    "OutputKind",
    "Rag",
    "Strand",
]


class InitiativeKind(models.TextChoices):
    PROJECT = "project", "Project"
    OPERATION = "operation", "Time-boxed operation"


class Rag(models.TextChoices):
    """Red, amber, green: the rating a lead gives an action or a quarterly return."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class Initiative(models.Model):
    """A project or a time-boxed operation that delivers the partnership's priorities."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="initiatives")
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    kind = models.CharField(
        max_length=10, choices=InitiativeKind.choices, default=InitiativeKind.PROJECT
    )
    starts_on = models.DateField("Starts on")
    ends_on = models.DateField("Ends on")
    aims = models.TextField(blank=True, help_text="One aim a line")
    summary = models.TextField(blank=True)
    lead_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
        help_text="The group that oversees delivery, for example the Local Priorities Group",
    )
    lead_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="initiatives", help_text="Who delivers it"
    )
    priorities = models.ManyToManyField(
        "strategy.PlanPriority",
        blank=True,
        related_name="initiatives",
        help_text="The plan priorities it serves",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["place__name", "-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="initiative_name_once"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="initiative_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def aim_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.aims.splitlines() if line.strip(" -•\t")]


class Strand(models.Model):
    """One strand of delivery of an initiative, e.g. "The Go4IT event"."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="strands")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["initiative", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "name"], name="strand_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class ActionPlan(models.Model):
    """A multi-agency action plan of an initiative (Bright Sparx's 3-week plan, the
    Freshers' plan of 26 actions)."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="action_plans"
    )
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["initiative", "id"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "title"], name="action_plan_once")
        ]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class DeliveryActionQuerySet(models.QuerySet["DeliveryAction"]):
    def open(self) -> DeliveryActionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date) -> DeliveryActionQuerySet:
        """Open actions whose due date has passed (due today is not yet overdue)."""
        return self.open().filter(due_on__lt=today)


class DeliveryAction(models.Model):
    """One action of a multi-agency action plan (shown as "Action"; the partnership's
    meeting action log is `partnership.Action`)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    strand = models.ForeignKey(
        Strand, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(max_length=300)
    owner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="delivery_actions"
    )
    owner_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="delivery_actions"
    )
    starts_on = models.DateField("Starts on")
    due_on = models.DateField("Due on")
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    note = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[DeliveryActionQuerySet] = DeliveryActionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["plan", "starts_on", "order", "id"]
        verbose_name = "action"
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=F("starts_on")), name="action_due_after")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_on < today


class OutputKind(models.TextChoices):
    """Typed measures an initiative records; the label is the unit as a headline says it."""

    TONS_REMOVED = "tons_removed", "tons removed"
    EVENTS_HELD = "events_held", "events held"
    PARTICIPANTS = "participants", "participants"
    ATTENDEES = "attendees", "attendees"
    ENGAGEMENT_DAYS = "engagement_days", "engagement days"
    ACTIONS_DELIVERED = "actions_delivered", "actions delivered"


class Output(models.Model):
    """A quantity of one output kind recorded for an initiative (and strand) on a date."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="outputs")
    strand = models.ForeignKey(
        Strand, null=True, blank=True, on_delete=models.SET_NULL, related_name="outputs"
    )
    kind = models.CharField(max_length=20, choices=OutputKind.choices)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    on = models.DateField("Date")
    approximate = models.BooleanField(
        default=False, help_text='The figure is an estimate ("approximately 500")'
    )
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["initiative", "on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="output_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.get_kind_display()}"
