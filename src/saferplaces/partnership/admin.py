"""Django admin for the reference data: places, organisations, people, groups, memberships.

Operational records (meetings, actions, escalations) are written through the pages so
that every change goes through a service and leaves an activity event; the activity log
itself is read-only here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

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
from saferplaces.partnership.setup import partnership_place, set_up_partnership


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


class SetUpPartnershipForm(forms.Form):
    csp = forms.CharField(
        label="Community safety partnership",
        help_text="Its name or ONS code, for example Newcastle upon Tyne or E22000363",
    )
    admin_username = forms.CharField(
        label="First administrator's username (optional)", required=False, max_length=150
    )
    admin_email = forms.EmailField(label="Their email address", required=False)

    def clean_csp(self) -> Place:
        try:
            return partnership_place(self.cleaned_data["csp"])
        except ValidationError as e:
            raise forms.ValidationError(e.messages) from None


@admin.register(Place)
class PlaceAdmin(AuditedAdmin):
    list_display = ["name", "kind", "lad_code", "csp_code", "pfa_code", "fra_code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "lad_code", "csp_code", "lsoa_code", "aliases__key"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    filter_horizontal = ["members"]
    inlines = [PlacePopulationInline]
    change_list_template = "admin/partnership/place/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "set-up-partnership/",
                self.admin_site.admin_view(self.set_up_partnership),
                name="partnership_set_up",
            )
        ]
        return own + super().get_urls()

    def set_up_partnership(self, request: HttpRequest) -> HttpResponse:
        """The admin page of `saferplaces partnership create`: a CSP's organisations,
        board and first administrator, set up by the same service."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = SetUpPartnershipForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            setup = set_up_partnership(
                request.user,
                data["csp"],
                admin_username=data["admin_username"] or None,
                admin_email=data["admin_email"] or "",
            )
            text = (
                f"{setup.place.label}: {len(setup.organisations)} organisations and the "
                f"board '{setup.board.name}' are set up."
            )
            if setup.password:
                text += (
                    f" Administrator {data['admin_username']}: first password "
                    f"{setup.password} (shown once: they must change it when they sign in)."
                )
            messages.success(request, text)
            return redirect("admin:partnership_place_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Set up a community safety partnership",
            "form": form,
            "opts": self.model._meta,
        }
        status = 400 if form.errors else 200
        return render(request, "admin/partnership/set_up_partnership.html", context, status=status)


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
