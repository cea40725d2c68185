"""What the task worker says about itself: that it is alive (a heartbeat per worker), and
what it did with the tasks a worker that stopped left behind (saferplaces.operations.worker)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """One running task worker: its id (the id django-tasks records on the tasks it
    claims), the host and process it runs as, and when it last said it was alive."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"worker {self.worker_id} (pid {self.pid} on {self.host})"


class RecoveryOutcome(models.TextChoices):
    RETRIED = "retried", "Queued again"
    FAILED = "failed", "Marked failed"
    FINISHED = "finished", "Had finished: recorded, not run again"


class TaskRecovery(models.Model):
    """What the worker did with one task left running by a worker that had stopped."""

    task_id = models.UUIDField(db_index=True)
    task_path = models.TextField()
    worker_id = models.CharField(max_length=64, help_text="the worker that stopped")
    attempts = models.PositiveSmallIntegerField(help_text="runs started before this")
    outcome = models.CharField(max_length=10, choices=RecoveryOutcome.choices)
    reason = models.TextField()
    recovered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recovered_at"]
        verbose_name_plural = "task recoveries"

    def __str__(self) -> str:
        return f"{self.task_path} {self.task_id}: {self.get_outcome_display()}"
