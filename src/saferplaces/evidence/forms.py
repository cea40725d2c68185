"""Forms of the import pages. They validate; the services in ``uploads``, ``mappings`` and
``services`` write."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django import forms
from django.forms.utils import ErrorDict

from saferplaces.evidence.mappings import (
    DATE_FORMATS,
    TIME_FORMATS,
    MappingSpec,
    Sample,
    category_choices,
)
from saferplaces.evidence.models import MappingDefinition
from saferplaces.evidence.uploads import StoredUpload, describe_limit, file_problem
from saferplaces.govuk import GovukFormMixin, GovukRadios

POLICE_UK = "police-uk"
INCIDENTS = "incidents"
KINDS = [
    (POLICE_UK, "police.uk street files"),
    (INCIDENTS, "An incident export, read with a saved mapping"),
]
NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MappingChoiceField(forms.ModelChoiceField[MappingDefinition]):
    def label_from_instance(self, obj: MappingDefinition) -> str:
        return f"{obj.name} ({obj.source} / {obj.dataset})"


class UploadForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What are the files?",
        choices=KINDS,
        widget=GovukRadios,
        error_messages={"required": "Select what the files are"},
    )
    mapping = MappingChoiceField(
        queryset=MappingDefinition.objects.all(),
        required=False,
        label="Mapping (for an incident export)",
        empty_label="Choose a saved mapping",
        help_text="How to read the export's columns",
        error_messages={"invalid_choice": "Choose a mapping from the list"},
    )
    uploads = forms.Field(
        label="Files",
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".csv,.gz,.zip"}),
    )
    skip_bad_rows = forms.BooleanField(
        required=False,
        label="Import the good rows and list the bad ones",
        help_text="Otherwise a file with any bad row is not imported at all.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uploads"].help_text = (
            "CSV files, gzipped CSV files (.csv.gz) or zip archives, as downloaded: for "
            "police.uk, the monthly street files, a month's zip or the bulk archive. Choose "
            f"several at once if you need to, up to {describe_limit()} in all."
        )
        self.fields["uploads"].widget.attrs["aria-describedby"] = "id_uploads-hint"

    def clean_uploads(self) -> list[StoredUpload]:
        files = [f for f in self.files.getlist("uploads") if isinstance(f, StoredUpload)]
        if not files:
            raise forms.ValidationError("Select the files to upload")
        kind = self.cleaned_data.get("kind", POLICE_UK)
        problems = [p for p in (file_problem(f, kind) for f in files) if p]
        if problems:
            raise forms.ValidationError(problems)
        return files

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == INCIDENTS and not data.get("mapping"):
            if MappingDefinition.objects.exists():
                self.add_error("mapping", "Choose the mapping that reads this export")
            else:
                self.add_error("mapping", "No mapping is saved yet: make one from a sample of "
                               "the export first")  # fmt: skip
        if data.get("kind") == POLICE_UK:
            data["mapping"] = None
        return data

    def refuse(self, message: str) -> UploadForm:
        """This form, showing ``message`` against the files (the upload was refused before
        it was read)."""
        self._errors = ErrorDict({"uploads": self.error_class([message])})
        return self


class SampleForm(GovukFormMixin, forms.Form):
    sample = forms.Field(
        label="A sample of the export",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,.gz"}),
        help_text="A CSV file (or .csv.gz) with the export's header row. Only its first 20 "
        "rows are read.",
    )

    def refuse(self, message: str) -> SampleForm:
        self._errors = ErrorDict({"sample": self.error_class([message])})
        return self


def _column(label: str, *, required: bool = False, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={
            "required": f"Choose the {label.lower()}",
            "invalid_choice": f"Choose the {label.lower()} from the sample's columns",
        },
    )


def category_field_name(value: str) -> str:
    return "cat_" + hashlib.sha1(value.encode()).hexdigest()[:10]  # noqa: S324 - a name


class MappingForm(GovukFormMixin, forms.Form):
    """The editor's columns and names, built around one sample's header."""

    name = forms.CharField(
        label="Name of the mapping",
        max_length=80,
        help_text="How it is listed on the upload page, for example Lancashire Fire ASB fires",
        error_messages={"required": "Enter a name for the mapping"},
    )
    source = forms.CharField(
        label="Source name",
        max_length=40,
        help_text="A short name for where the data comes from, in lower case, for example "
        "lfrs. Pages name the data by it.",
        error_messages={"required": "Enter a source name"},
    )
    dataset = forms.CharField(
        label="Dataset name",
        max_length=80,
        help_text="Which of the source's exports this is, for example deliberate-fires",
        error_messages={"required": "Enter a dataset name"},
    )
    date_column = _column("Date column", required=True)
    date_format = forms.ChoiceField(
        label="Format of the date", choices=DATE_FORMATS,
        help_text="Choose one with the time if the column holds both",
    )  # fmt: skip
    time_column = _column(
        "Time column",
        help_text="If the time is in the date column, choose that column again",
    )
    time_format = forms.ChoiceField(label="Format of the time", choices=TIME_FORMATS)
    category_column = _column("Category column")
    default_category = forms.ChoiceField(
        label="Category of any other value",
        required=False,
        help_text="Or of every row, when no column holds the category",
    )
    id_column = _column("Reference column", help_text="The export's own incident reference")
    easting_column = _column("Easting column")
    northing_column = _column("Northing column")
    lon_column = _column("Longitude column")
    lat_column = _column("Latitude column")
    lsoa_column = _column("LSOA code column")
    district_column = _column(
        "District code column", help_text="A local authority district code, such as E07000127"
    )

    def __init__(self, *args: Any, sample: Sample, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sample = sample
        columns = [(c, c) for c in sample.header]
        for name, f in self.fields.items():
            if name.endswith("_column") and isinstance(f, forms.ChoiceField):
                f.choices = [("", "Choose a column" if f.required else "None"), *columns]
        default = self.fields["default_category"]
        assert isinstance(default, forms.ChoiceField)
        default.choices = [("", "None: reject the row"), *category_choices()]
        column = (self.data.get("category_column") if self.is_bound else None) or ""
        self.category_values = sample.values(column) if column else []
        for value in self.category_values:
            self.fields[category_field_name(value)] = forms.ChoiceField(
                label=value or "(empty)",
                required=False,
                choices=[("", "Use the category of any other value"), *category_choices()],
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )

    @property
    def category_fields(self) -> list[forms.BoundField]:
        return [self[category_field_name(v)] for v in self.category_values]

    def _slug(self, name: str, label: str) -> str:
        value = str(self.cleaned_data.get(name) or "").strip()
        if value and not NAME_RE.fullmatch(value):
            raise forms.ValidationError(
                f"{label} must start with a lower case letter or digit and use only lower "
                "case letters, digits, hyphens and underscores"
            )
        return value

    def clean_source(self) -> str:
        value = self._slug("source", "Source name")
        if value == "police_uk":
            raise forms.ValidationError("police_uk is police.uk's own source: choose another")
        return value

    def clean_dataset(self) -> str:
        return self._slug("dataset", "Dataset name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        pairs = [("easting_column", "northing_column", "easting", "northing"),
                 ("lon_column", "lat_column", "longitude", "latitude")]  # fmt: skip
        given = 0
        for first, second, a, b in pairs:
            if bool(data.get(first)) != bool(data.get(second)):
                missing = second if data.get(first) else first
                self.add_error(missing, f"Choose both the {a} and the {b} columns")
            given += bool(data.get(first) and data.get(second))
        if given > 1:
            self.add_error("lon_column", "Choose easting and northing, or longitude and "
                           "latitude, not both")  # fmt: skip
        if not given and not data.get("lsoa_column") and not data.get("district_column"):
            self.add_error("lsoa_column", "Choose the columns that say where each incident "
                           "was: LSOA code, district code, or coordinates")  # fmt: skip
        if not data.get("category_column") and not data.get("default_category"):
            self.add_error("category_column", "Choose the category column, or a category "
                           "for every row")  # fmt: skip
        elif not data.get("default_category") and not any(
            data.get(category_field_name(v)) for v in self.category_values
        ):
            self.add_error("default_category", "Give a value of the category column a "
                           "category, or choose the category of any other value")  # fmt: skip
        return data

    def spec(self) -> MappingSpec:
        """The mapping this valid form describes."""
        data = self.cleaned_data
        keys = {"id": "id_column", "date": "date_column", "time": "time_column",
                "category": "category_column", "easting": "easting_column",
                "northing": "northing_column", "lon": "lon_column", "lat": "lat_column",
                "lsoa": "lsoa_column", "district": "district_column"}  # fmt: skip
        columns = {key: data[name] for key, name in keys.items() if data.get(name)}
        time_format = data["time_format"]
        if columns.get("time") and columns.get("time") == columns.get("date"):
            time_format = data["date_format"]
        categories = {}
        if columns.get("category"):
            for value in self.category_values:
                slug = data.get(category_field_name(value))
                if slug:
                    categories[value] = slug
        if not categories:
            # Every row takes the default: the reader needs no category column for that
            # (and would not accept one with no value mapped).
            columns.pop("category", None)
        return MappingSpec(
            source=data["source"],
            dataset=data["dataset"],
            columns=columns,
            date_format=data["date_format"],
            time_format=time_format,
            categories=categories,
            default_category=data.get("default_category") or "",
            delimiter=self.sample.delimiter,
        )
