"""The strategy app in the Django admin."""

from django.contrib import admin

from saferplaces.strategy.models import (
    AssessmentSection,
    AssessmentVersion,
    ContributoryFactor,
    Plan,
    PlanPriority,
    PolicingObjective,
    PriorityCandidate,
    ScoreOverride,
    SharedOutcome,
    StatutoryRequirement,
    StrategicAssessment,
    SurveyResult,
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


# Strategic assessments (assessment*.py) ----------------------------------------------------


class AssessmentSectionInline(admin.StackedInline[AssessmentSection, StrategicAssessment]):
    model = AssessmentSection
    extra = 0
    raw_id_fields = ("organisation", "written_by")


class AssessmentVersionInline(admin.TabularInline[AssessmentVersion, StrategicAssessment]):
    model = AssessmentVersion
    extra = 0
    readonly_fields = ("format", "number", "file", "created_by", "created")
    can_delete = False


@admin.register(StrategicAssessment)
class StrategicAssessmentAdmin(admin.ModelAdmin[StrategicAssessment]):
    list_display = ("place", "year", "status", "signed_off_by", "signed_off_on")
    list_filter = ("status",)
    search_fields = ("place__name", "year")
    raw_id_fields = ("place", "signed_off_by", "created_by")
    inlines = (AssessmentSectionInline, AssessmentVersionInline)


class ScoreOverrideInline(admin.TabularInline[ScoreOverride, PriorityCandidate]):
    model = ScoreOverride
    extra = 0
    readonly_fields = ("criterion", "original", "score", "reason", "by", "on")
    can_delete = False


@admin.register(PriorityCandidate)
class PriorityCandidateAdmin(admin.ModelAdmin[PriorityCandidate]):
    list_display = ("name", "assessment", "rank", "total")
    raw_id_fields = ("assessment",)
    inlines = (ScoreOverrideInline,)


@admin.register(SurveyResult)
class SurveyResultAdmin(admin.ModelAdmin[SurveyResult]):
    list_display = ("survey", "question", "area", "response", "share", "base")
    search_fields = ("survey", "question", "area")
    raw_id_fields = ("assessment", "imported_by")
