"""Admin for casework's configuration only: panels and risk instruments (the wording an
administrator loads). Subjects and cases are deliberately not here: the admin would show
them to staff who are not on the panel, outside need-to-know access and the audit trail."""

from __future__ import annotations

from django.contrib import admin

from saferplaces.casework.models import Panel, RiskInstrument


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin[Panel]):
    list_display = ("group", "kind", "reference_prefix")
    list_filter = ("kind",)


@admin.register(RiskInstrument)
class RiskInstrumentAdmin(admin.ModelAdmin[RiskInstrument]):
    list_display = ("name", "key", "question_count")
    help_texts = {"questions": "The wording, one question per item, as your licence allows"}
