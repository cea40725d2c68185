import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from saferplaces.evidence.models import Import, ImportRun, IndicatorDefinition, MappingDefinition
from saferplaces.insight.sources import incidents_csv


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = ["file_name", "source", "status", "rows_accepted", "rows_rejected", "started_at"]
    list_filter = ["source", "status"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Import)
class ImportAdmin(admin.ModelAdmin[Import]):
    """Imports are read here; they are made, confirmed and withdrawn on the import pages
    (or with `saferplaces import`), never edited, so that they match the store."""

    list_display = ["started_at", "kind", "status", "rows_accepted", "rows_rejected",
                    "imported_by_name"]  # fmt: skip
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Import._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MappingDefinitionForm(forms.ModelForm[MappingDefinition]):
    class Meta:
        model = MappingDefinition
        fields = ["name", "slug", "toml"]
        widgets = {"toml": forms.Textarea(attrs={"rows": 24, "cols": 100})}

    def clean(self) -> dict[str, Any]:
        """The TOML must be a mapping the import can read; its source and dataset are
        listed from it."""
        super().clean()
        text = self.cleaned_data.get("toml") or ""
        with tempfile.TemporaryDirectory(prefix="saferplaces-mapping-") as tmp:
            path = Path(tmp) / "mapping.toml"
            path.write_text(text, encoding="utf-8")
            try:
                mapping = incidents_csv.load_mapping(path)
            except (incidents_csv.MappingError, ValueError) as exc:
                message = str(exc).replace(f"{path}: ", "").replace(str(path), "the mapping")
                raise forms.ValidationError({"toml": message}) from None
        self.instance.source, self.instance.dataset = mapping.source, mapping.dataset
        return self.cleaned_data


@admin.register(MappingDefinition)
class MappingDefinitionAdmin(admin.ModelAdmin[MappingDefinition]):
    form = MappingDefinitionForm
    list_display = ["name", "source", "dataset", "created_by", "created_at"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin[IndicatorDefinition]):
    list_display = ["name", "slug", "unit", "active"]
    prepopulated_fields = {"slug": ["name"]}
