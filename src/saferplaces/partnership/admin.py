"""Django admin for the reference data: places, organisations, people, groups, memberships.

Operational records (meetings, actions, escalations) are written through the pages so
that every change goes through a service and leaves an activity event; the activity log
itself is read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from saferplaces.partnership.models import (
    ActivityEvent,
    Group,
    Membership,
    Organisation,
    Person,
    Place,
    PlacePopulation,
)
from saferplaces.partnership.services import record_event


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Admin edits of reference data leave an activity event in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            verb = "updated" if change else "created"
            record_event(request.user, verb, obj, f"{obj._meta.verbose_name} {obj} {verb} (admin)")

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            summary = f"{obj._meta.verbose_name} {obj} deleted (admin)"
            record_event(request.user, "deleted", obj, summary)
            super().delete_model(request, obj)


class PlacePopulationInline(admin.TabularInline[PlacePopulation, Place]):
    model = PlacePopulation
    extra = 0


@admin.register(Place)
class PlaceAdmin(AuditedAdmin):
    list_display = ["name", "kind", "lad_code", "csp_code", "pfa_code", "fra_code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "lad_code", "csp_code", "lsoa_code"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [PlacePopulationInline]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "responsible_authority"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["places"]

    @admin.display(boolean=True, description="Responsible authority")
    def responsible_authority(self, obj: Organisation) -> bool:
        return obj.is_responsible_authority


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["__str__", "organisation", "role", "job_title"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "organisation"]


class MembershipInline(admin.TabularInline[Membership, Group]):
    model = Membership
    extra = 0
    autocomplete_fields = ["person", "organisation"]


@admin.register(Group)
class GroupAdmin(AuditedAdmin):
    list_display = ["name", "kind", "place", "parent", "statutory", "restricted"]
    list_filter = ["kind", "statutory", "restricted"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["place", "parent"]
    inlines = [MembershipInline]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new group starts restricted (need to know): untick it for a group whose
        papers every signed-in partner may read. Failing closed is the safer mistake."""
        initial: dict[str, Any] = {**super().get_changeform_initial_data(request)}
        initial.setdefault("restricted", True)
        return initial


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["person", "group", "organisation", "role"]
    list_filter = ["role", "group"]
    autocomplete_fields = ["person", "group", "organisation"]


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin[ActivityEvent]):
    list_display = ["created_at", "actor", "verb", "object_type", "object_id", "summary"]
    list_filter = ["verb", "object_type"]
    search_fields = ["summary"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
