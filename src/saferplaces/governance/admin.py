"""The admin of information governance: sharing agreements (each change written to the
audit trail), retention periods, and the audit trail itself, strictly read-only: nobody,
not even a superuser, may add, change or delete an audit event here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from saferplaces.governance import audit, register
from saferplaces.governance.models import (
    AgreementParty,
    AuditEvent,
    RetentionPeriod,
    SharingAgreement,
)
from saferplaces.governance.pages import client_address


def _actor(request: HttpRequest) -> audit.Actor:
    person = register.person_of(request.user)
    return audit.Actor(
        request.user, person.organisation.name if person else "", client_address(request)
    )


class AgreementPartyInline(admin.TabularInline[AgreementParty, SharingAgreement]):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["signed_by"]


@admin.register(SharingAgreement)
class SharingAgreementAdmin(admin.ModelAdmin[SharingAgreement]):
    list_display = ["title", "place", "purpose", "status", "starts_on", "expires_on", "review_on"]
    list_filter = ["status", "purpose"]
    search_fields = ["title", "dpia_reference"]
    filter_horizontal = ["panels"]
    inlines = [AgreementPartyInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SharingAgreement]:
        return super().get_queryset(request).select_related("place")

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        # The agreement, its panels and parties are saved apart: snapshot before, record
        # after all of them (`save_related`), in one transaction.
        with transaction.atomic():
            if object_id is not None and request.method == "POST":
                current = SharingAgreement.objects.filter(pk=object_id).first()
                request._agreement_before = register.snapshot(current) if current else None  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(
        self, request: HttpRequest, form: ModelForm[SharingAgreement], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_agreement_before", None) if change else None
        register.record_admin_change(_actor(request), form.instance, before)

    def delete_model(self, request: HttpRequest, obj: SharingAgreement) -> None:
        with transaction.atomic():
            before = register.snapshot(obj)
            register.record_admin_change(_actor(request), obj, before, deleted=True)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SharingAgreement]) -> None:
        with transaction.atomic():
            for agreement in queryset:
                self.delete_model(request, agreement)


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(admin.ModelAdmin[RetentionPeriod]):
    list_display = ["record_type", "keep_days", "reason"]
    search_fields = ["record_type"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only, for everyone: the trail is written only by `audit.record`."""

    list_display = ["seq", "at", "username", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["=username", "=object_id"]
    date_hierarchy = None
    show_full_result_count = False  # counting a million events on every page is slow
    ordering = ["-seq"]
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: AuditEvent | None = None) -> list[str]:
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
