"""Meetings of a group: agenda items with minutes, decisions, and the action log."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.db import models
from django.utils import timezone


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def upcoming(self, today: datetime.date) -> MeetingQuerySet:
        return self.filter(date__gte=today).exclude(status=MeetingStatus.HELD).order_by("date")

    def past(self, today: datetime.date) -> MeetingQuerySet:
        return self.filter(models.Q(date__lt=today) | models.Q(status=MeetingStatus.HELD)).order_by(
            "-date"
        )


class Meeting(models.Model):
    group = models.ForeignKey(
        "partnership.Group", on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(max_length=160)
    date = models.DateField()
    location = models.CharField(max_length=160, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )

    objects: ClassVar[MeetingQuerySet] = MeetingQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return f"{self.group}: {self.title} ({self.date:%d %B %Y})"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    minutes = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_item_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionQuerySet(models.QuerySet["Action"]):
    def open(self) -> ActionQuerySet:
        """Not done and not cancelled."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date) -> ActionQuerySet:
        """Open and due before `today`."""
        return self.open().filter(due_date__lt=today)


class Action(models.Model):
    group = models.ForeignKey("partnership.Group", on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        "partnership.Person", on_delete=models.PROTECT, related_name="actions"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[ActionQuerySet] = ActionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["due_date", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date < today
