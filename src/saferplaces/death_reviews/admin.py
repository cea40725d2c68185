"""Admin: a partnership's own clock defaults (each change audited). Reviews themselves are
written through the pages (every write goes through a service and leaves an audit event)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from saferplaces.death_reviews.models import ReviewClockSetting
from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction
from saferplaces.governance.pages import client_address


def _values(obj: ReviewClockSetting) -> dict[str, Any]:
    return {"decision_months": obj.decision_months, "completion_months": obj.completion_months}


@admin.register(ReviewClockSetting)
class ReviewClockSettingAdmin(admin.ModelAdmin[Any]):
    list_display = ["place", "decision_months", "completion_months"]
    autocomplete_fields = ["place"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change:
            old = ReviewClockSetting.objects.filter(pk=obj.pk).first()
            before = _values(old) if old else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                audit.Actor(request.user, "", client_address(request)),
                AuditAction.UPDATE if change else AuditAction.CREATE,
                "death_review_clock_setting", obj.pk,
                f"Review clock defaults for {obj.place}: decision {obj.decision_months} "
                f"month(s), completion {obj.completion_months} month(s) (admin)",
                before=before, after=_values(obj),
            )  # fmt: skip
