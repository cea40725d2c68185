"""An append-only record of every write made through the services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ActivityEvent(models.Model):
    """Who did what to which record, and when. Written in the same transaction as the change."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partnership_events",
        help_text="Empty when the change was made by the system (for example `load_demo`).",
    )
    verb = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.object_type} {self.object_id}"
