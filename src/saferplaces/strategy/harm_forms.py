"""The harm weights upload form. It validates; `saferplaces.strategy.harm_weights`
reads the files and writes."""

from __future__ import annotations

from django import forms

from saferplaces.govuk import GovukFormMixin, GovukRadios
from saferplaces.strategy.models import HarmIndex


class HarmWeightsForm(GovukFormMixin, forms.Form):
    index = forms.ChoiceField(
        label="Which index is the file",
        choices=HarmIndex.choices,
        widget=GovukRadios,
        error_messages={"required": "Select which index the file is"},
    )
    year = forms.CharField(
        label="Edition",
        max_length=60,
        help_text="The year of the published weights, for example 2016 or year ending March 2020",
        error_messages={"required": "Enter the edition of the weights, for example 2016"},
    )
    weights_file = forms.FileField(
        label="Weights file (CSV or XLSX, as published)",
        help_text="The ONS offence weights sheet (offence code, offence, weight) or the "
        "Cambridge Crime Harm Index (HO code, offence, CHI days); title rows above the "
        "header are skipped",
        error_messages={"required": "Select the harm weights file"},
    )
    mapping_file = forms.FileField(
        label="Offence mapping (CSV or TOML)",
        help_text="Columns offence_code and category: which category each Home Office "
        "offence counts in, for example 28,burglary",
        error_messages={"required": "Select the offence mapping file"},
    )
