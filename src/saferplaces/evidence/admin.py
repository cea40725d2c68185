from django.contrib import admin
from django.http import HttpRequest

from saferplaces.evidence.models import ImportRun, IndicatorDefinition


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = ["file_name", "source", "status", "rows_accepted", "rows_rejected", "started_at"]
    list_filter = ["source", "status"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin[IndicatorDefinition]):
    list_display = ["name", "slug", "unit", "active"]
    prepopulated_fields = {"slug": ["name"]}
