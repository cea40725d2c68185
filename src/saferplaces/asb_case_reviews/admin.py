"""Django admin: a partnership's ASB Case Review threshold and deadlines.

Applications themselves are casework, seen only through the pages (need to know, every
view audited); they are not registered here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from saferplaces.asb_case_reviews.models import ThresholdSetting
from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction
from saferplaces.governance.pages import client_address


@admin.register(ThresholdSetting)
class ThresholdSettingAdmin(admin.ModelAdmin[ThresholdSetting]):
    list_display = (
        "place",
        "complaints_needed",
        "within_months",
        "linked_location_reports",
        "hate_incident_qualifies",
        "vulnerable_victim_override",
        "acknowledge_within_working_days",
        "decide_within_working_days",
        "meeting_within_working_days",
    )
    autocomplete_fields = ("place",)
    fieldsets = (
        (None, {"fields": ("place",)}),
        (
            "Threshold (ASB, Crime and Policing Act 2014 s.104)",
            {
                "fields": (
                    "complaints_needed",
                    "within_months",
                    "report_within_months",
                    "linked_location_reports",
                    "hate_incident_qualifies",
                    "vulnerable_victim_override",
                )
            },
        ),
        (
            "Deadlines (working days from receipt)",
            {
                "fields": (
                    "acknowledge_within_working_days",
                    "decide_within_working_days",
                    "meeting_within_working_days",
                )
            },
        ),
        ("Local policy", {"fields": ("threshold_not_met_review",)}),
    )

    def save_model(
        self, request: HttpRequest, obj: ThresholdSetting, form: Any, change: bool
    ) -> None:
        """Saved with an audit event in the same transaction."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                audit.Actor(request.user, "", client_address(request)),
                AuditAction.UPDATE if change else AuditAction.CREATE,
                "asb_threshold_setting",
                obj.pk,
                f"ASB Case Review threshold for {obj.place} saved (admin)",
                after=obj.policy_mapping(),
            )
