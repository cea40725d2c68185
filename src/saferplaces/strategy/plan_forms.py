"""Forms for plans. They validate; `saferplaces.strategy.plans` writes."""

from __future__ import annotations

from typing import Any

from django import forms

from saferplaces.govuk import GovukCheckboxes, GovukFormMixin, GovukRadios, date_field
from saferplaces.strategy.models.plans import Plan, PlanKind, PlanPriority, PolicingObjective
from saferplaces.strategy.plans import indicator_names


def _required(what: str) -> dict[str, str]:
    return {"required": f"Enter {what}"}


class PlanForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What kind of plan is it?",
        choices=PlanKind.choices,
        widget=GovukRadios,
        initial=PlanKind.PARTNERSHIP,
        error_messages={"required": "Select what kind of plan it is"},
    )
    title = forms.CharField(
        max_length=200,
        error_messages=_required("a title"),
        help_text="For example, Lancashire Community Safety Agreement 2014/16",
    )
    period_label = forms.CharField(
        label="Period",
        max_length=20,
        error_messages=_required("the period"),
        help_text="As the plan names it, for example 2014/16",
    )
    starts_on = date_field("Start date", what="the date the plan starts")
    ends_on = date_field("End date", what="the date the plan ends")
    vision = forms.CharField(
        label="Vision (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    source = forms.CharField(
        label="Source document (optional)",
        required=False,
        max_length=300,
        help_text="The document the plan was taken from, if any",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be the same as or after the start date")
        return data


class PriorityForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=200, error_messages=_required("the priority issue"))
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    indicator_keys = forms.MultipleChoiceField(
        label="Indicators that measure it (optional)",
        required=False,
        widget=GovukCheckboxes,
        help_text="Its progress shows on the place's dashboard",
    )
    county_priority = forms.ModelChoiceField(
        queryset=PlanPriority.objects.none(),
        required=False,
        label="County priority it feeds (optional)",
        empty_label="None",
    )
    objectives = forms.ModelMultipleChoiceField(
        queryset=PolicingObjective.objects.none(),
        required=False,
        widget=GovukCheckboxes,
        label="Objectives it has regard to (optional)",
    )

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        objectives: Any,
        county_priorities: Any,
        body: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator_keys"].choices = list(indicator_names().items())  # type: ignore[attr-defined]
        obj_field = self.fields["objectives"]
        obj_field.queryset = objectives  # type: ignore[attr-defined]
        obj_field.label = f"{body} objectives it has regard to (optional)"
        if plan.is_county_agreement:
            del self.fields["county_priority"]
        else:
            self.fields["county_priority"].queryset = county_priorities  # type: ignore[attr-defined]


class FactorForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=200, error_messages=_required("the contributory factor"))
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RequirementForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=200, error_messages=_required("the statutory requirement"))
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutcomeForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="Shared outcome", max_length=300, error_messages=_required("the shared outcome")
    )
    number = forms.IntegerField(
        label="Number (optional)",
        required=False,
        min_value=1,
        max_value=99,
        help_text="Leave empty to number it after the last",
        error_messages={
            "invalid": "Number must be a whole number",
            "min_value": "Number must be 1 or more",
            "max_value": "Number must be 99 or less",
        },
    )


class ApproveForm(GovukFormMixin, forms.Form):
    approved_on = date_field("Date approved", what="the date the plan was approved")
    note = forms.CharField(
        label="Approved by (optional)",
        required=False,
        max_length=300,
        help_text="For example, Full Council on the recommendation of Cabinet",
    )


class ReopenForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the plan being reopened?",
        max_length=200,
        error_messages={"required": "Enter why the plan is being reopened"},
        help_text="For example, amendment agreed by the Cabinet Member under delegated authority",
    )


class ObjectiveForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(
        label="Reference (optional)", required=False, max_length=20, help_text="For example 1"
    )
    title = forms.CharField(max_length=200, error_messages=_required("the objective"))
    description = forms.CharField(
        label="Description (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source_document = forms.CharField(
        label="Published in (optional)",
        required=False,
        max_length=200,
        help_text="For example, Police and Crime Plan 2013 to 2017",
    )
