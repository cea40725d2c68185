"""A board paper asked for from the dashboard: built by a background task, then kept in
the data directory for download."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils import timezone

from saferplaces.insight.periods import Period


class PaperFormat(models.TextChoices):
    PPTX = "pptx", "PowerPoint briefing"
    PDF = "pdf", "PDF report"
    XLSX = "xlsx", "Excel workbook"


class PaperStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being written"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


CONTENT_TYPES = {
    PaperFormat.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    PaperFormat.PDF: "application/pdf",
    PaperFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class BoardPaper(models.Model):
    place = models.ForeignKey("partnership.Place", on_delete=models.CASCADE, related_name="papers")
    period_label = models.CharField(max_length=40, help_text="e.g. 2014/15")
    period_start = models.DateField()
    period_end = models.DateField()
    format = models.CharField(max_length=4, choices=PaperFormat.choices)
    status = models.CharField(max_length=8, choices=PaperStatus.choices, default=PaperStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="per cent")
    stage = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    file = models.CharField(max_length=255, blank=True, help_text="path in the data directory")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.place} {self.period_label} ({self.get_format_display()})"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[PaperFormat(self.format)]

    @property
    def download_name(self) -> str:
        period = re.sub(r"[^0-9A-Za-z]+", "-", self.period_label).strip("-")
        return f"{self.place.slug}-performance-{period}.{self.format}"

    @property
    def period(self) -> Period:
        return Period(self.period_label, self.period_start, self.period_end)
