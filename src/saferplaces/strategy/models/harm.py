"""Harm weights an administrator uploaded: a published index (the ONS Crime Severity
Score or the Cambridge Crime Harm Index) read by ``saferplaces.insight.harm``, mapped to
our categories through the partnership's offence mapping, and kept with its source,
edition and how the category weights were made. One table is active at a time: the one
strategic assessments weigh categories by."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HarmIndex(models.TextChoices):
    ONS_CSS = "ons-css", "ONS Crime Severity Score"
    CHI = "chi", "Cambridge Crime Harm Index"


class HarmWeightsTable(models.Model):
    index = models.CharField(max_length=10, choices=HarmIndex.choices)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=200)
    year = models.CharField(max_length=60, help_text="The edition, e.g. 2016")
    url = models.URLField(max_length=500, blank=True)
    unit = models.CharField(max_length=100)
    is_official = models.BooleanField(default=True)
    offences = models.JSONField(default=dict, help_text="Offence code → weight, as published")
    categories = models.JSONField(default=dict, help_text="Category slug → weight")
    aggregation = models.TextField(blank=True, help_text="How the category weights were made")
    unmapped_offences = models.JSONField(default=list)
    unweighted_offences = models.JSONField(default=list)
    weights_file = models.CharField(max_length=255, help_text="The file as uploaded")
    mapping_file = models.CharField(max_length=255, help_text="The offence mapping as uploaded")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    uploaded_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=False)

    class Meta:
        ordering = ("-uploaded_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("active",),
                condition=models.Q(active=True),
                name="one_active_harm_weights_table",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.source}, {self.year})"
