"""The strategy app in the Django admin."""

from django.contrib import admin

from saferplaces.strategy.models import (
    ContributoryFactor,
    Plan,
    PlanPriority,
    PolicingObjective,
    SharedOutcome,
    StatutoryRequirement,
)

# Plans (plan_*.py) -------------------------------------------------------------------------


class PlanPriorityInline(admin.TabularInline[PlanPriority, Plan]):
    model = PlanPriority
    extra = 0
    fields = ("order", "title", "indicator_keys", "county_priority")
    raw_id_fields = ("county_priority",)


class ContributoryFactorInline(admin.TabularInline[ContributoryFactor, Plan]):
    model = ContributoryFactor
    extra = 0


class SharedOutcomeInline(admin.TabularInline[SharedOutcome, Plan]):
    model = SharedOutcome
    extra = 0


class StatutoryRequirementInline(admin.TabularInline[StatutoryRequirement, Plan]):
    model = StatutoryRequirement
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = ("title", "place", "kind", "period_label", "status")
    list_filter = ("kind", "status")
    search_fields = ("title", "place__name")
    raw_id_fields = ("place", "approved_by")
    inlines = (
        PlanPriorityInline,
        ContributoryFactorInline,
        SharedOutcomeInline,
        StatutoryRequirementInline,
    )


@admin.register(PolicingObjective)
class PolicingObjectiveAdmin(admin.ModelAdmin[PolicingObjective]):
    list_display = ("__str__", "place", "source_document", "active")
    list_filter = ("active",)
    raw_id_fields = ("place",)
