"""Issues a group raises to its parent group, tracked to resolution."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import F, Q


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    RESOLVED = "resolved", "Resolved"
    RETURNED = "returned", "Returned"


class EscalationQuerySet(models.QuerySet["Escalation"]):
    def unresolved(self) -> EscalationQuerySet:
        return self.filter(status__in=[EscalationStatus.OPEN, EscalationStatus.ACCEPTED])


class Escalation(models.Model):
    from_group = models.ForeignKey(
        "partnership.Group", on_delete=models.CASCADE, related_name="escalations_raised"
    )
    to_group = models.ForeignKey(
        "partnership.Group",
        on_delete=models.PROTECT,
        related_name="escalations_received",
        help_text="The parent group when the issue was raised",
    )
    title = models.CharField(max_length=200)
    detail = models.TextField()
    raised_by = models.ForeignKey(
        "partnership.Person", on_delete=models.PROTECT, related_name="escalations_raised"
    )
    raised_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    resolution = models.TextField(blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "partnership.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations_resolved",
    )

    objects: ClassVar[EscalationQuerySet] = EscalationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_group=F("to_group")), name="escalation_to_another_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.from_group} → {self.to_group})"

    @property
    def is_closed(self) -> bool:
        return self.status in (EscalationStatus.RESOLVED, EscalationStatus.RETURNED)
