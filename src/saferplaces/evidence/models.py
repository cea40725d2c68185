"""Records of the incident data: one ImportRun per file offered, and partnership-defined
indicators. The incidents themselves live in the insight store (Parquet), not here."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from saferplaces.insight.indicators import IndicatorError, validate_spec


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    CONFIRM = "confirm", "Waiting for confirmation"
    LANDED = "landed", "Imported"
    UNCHANGED = "unchanged", "Nothing new"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (BatchStatus.QUEUED, BatchStatus.RUNNING)
"""An import in one of these has not finished yet (its page keeps polling)."""


class Import(models.Model):
    """One import: the files offered together, who and when, what they replaced, and
    whether it has landed or been withdrawn. Its id is the import id the incident store
    records, so the two can always be matched (and recovered after a crash)."""

    id = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=20, help_text="police-uk or incidents")
    mapping = models.CharField(max_length=120, blank=True, help_text="the mapping's name")
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    files = models.JSONField(default=list, blank=True, help_text="names of the files offered")
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    replaced = models.JSONField(
        default=list, blank=True, help_text="months replaced: key, rows before and after"
    )
    message = models.TextField(blank=True, help_text="why it was refused or failed")
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=120, blank=True)
    upload = models.TextField(blank=True, help_text="folder of the uploaded files, if any")
    skip_bad_rows = models.BooleanField(
        default=False, help_text="the good rows land and the bad ones are reported"
    )
    partitions = models.JSONField(
        default=dict, blank=True, help_text="rows landed per source/dataset/month (uploads)"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
    )
    imported_by_name = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import {self.id} ({self.get_status_display()})"

    @property
    def runs(self) -> models.QuerySet[ImportRun]:
        return ImportRun.objects.filter(batch=self.id).order_by("file_name")

    @property
    def withdrawable(self) -> bool:
        return self.status == BatchStatus.LANDED

    @property
    def active(self) -> bool:
        """Not finished yet: waiting for the worker or running."""
        return self.status in ACTIVE_STATUSES


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", "Imported"
    UNCHANGED = "unchanged", "Unchanged (already imported)"
    PARTIAL = "partial", "Imported, bad rows skipped"
    REJECTED = "rejected", "Rejected"


class ImportRunQuerySet(models.QuerySet["ImportRun"]):
    def landed(self) -> ImportRunQuerySet:
        return self.filter(status__in=[ImportStatus.IMPORTED, ImportStatus.PARTIAL])


class ImportRun(models.Model):
    """One file offered to the incident store: who, when, what it held and what happened."""

    batch = models.UUIDField(db_index=True, help_text="files imported together share a batch")
    source = models.CharField(max_length=40, help_text="e.g. police_uk, lfb")
    file_name = models.CharField(max_length=255)
    file_path = models.TextField()
    checksum = models.CharField("BLAKE3 checksum", max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    months = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True, help_text="file:line: reason, first 200")
    rejects_report = models.TextField(blank=True, help_text="CSV of rejected rows, if any")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    imported_by_name = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "file_name"]
        indexes = [models.Index(fields=["source", "status"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def month_range(self) -> str:
        months = sorted(self.months or [])
        if not months:
            return ""
        return months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"


class IndicatorDefinition(models.Model):
    """A partnership's own indicator: a filter over the canonical incident columns."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=40, default="incidents", help_text="plural noun")
    filter = models.JSONField(
        help_text='e.g. {"categories": ["shoplifting"], "sources": ["police_uk"]}'
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The filter must be one the insight engine can compile, named in words."""
        if not isinstance(self.filter, dict):
            raise ValidationError(
                {"filter": 'Enter the filter as an object, e.g. {"categories": ["drugs"]}'}
            )
        try:
            validate_spec(self.filter)
        except IndicatorError as exc:
            raise ValidationError({"filter": f"Fix the filter: {exc}"}) from None


class MappingDefinition(models.Model):
    """A saved mapping for an incident export: the TOML text that
    ``insight.sources.incidents_csv.load_mapping`` reads, made in the mapping editor and
    chosen on the upload page. At import time the text is written to a file in the
    upload's folder and its path passed to the import."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True, help_text="names the mapping's file")
    source = models.CharField(max_length=40)
    dataset = models.CharField(max_length=80)
    toml = models.TextField("mapping (TOML)")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.source} / {self.dataset})"
