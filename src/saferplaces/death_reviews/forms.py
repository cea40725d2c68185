"""Forms for the death review pages. They validate what is typed; `services.py` writes and
enforces the order of stages (its ValidationErrors are shown on the same form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from saferplaces.death_reviews.models import MIN_AGE, Circumstances, ClockKey, QaOutcome
from saferplaces.govuk import GovukFormMixin, GovukRadios, date_field
from saferplaces.partnership.models import Group, Organisation


def _organisation(label: str, what: str) -> forms.ModelChoiceField[Organisation]:
    return forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        label=label,
        empty_label="Choose an organisation",
        error_messages={"required": f"Select {what}", "invalid_choice": f"Select {what}"},
    )


class NotificationForm(GovukFormMixin, forms.Form):
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        label="Review panel",
        empty_label=None,
        error_messages={"required": "Select the review panel"},
    )
    reference = forms.CharField(
        label="Reference (optional)",
        max_length=30,
        required=False,
        help_text="Pseudonymous. Leave empty for the next one, for example DHR-2026-01",
    )
    pseudonym = forms.CharField(
        label="Pseudonym of the deceased",
        max_length=80,
        help_text="The name the published report will use, chosen with the family if possible",
        error_messages={"required": "Enter a pseudonym for the deceased"},
    )
    real_name = forms.CharField(
        label="Name of the deceased (optional)",
        max_length=160,
        required=False,
        help_text="Shown only to the roles the sharing agreement allows",
    )
    age_at_death = forms.IntegerField(
        label="Age at death",
        min_value=0,
        max_value=130,
        help_text=f"A review covers the death of a person aged {MIN_AGE} or over",
        error_messages={
            "required": "Enter the age at death",
            "invalid": "Age at death must be a whole number",
            "min_value": "Age at death must be a whole number",
            "max_value": "Age at death must be 130 or less",
        },
    )
    date_of_death = date_field("Date of death", what="the date of death")
    circumstances = forms.ChoiceField(
        choices=Circumstances.choices,
        initial=Circumstances.UNKNOWN,
        help_text="A death by suicide after domestic abuse is reviewed too",
    )
    notified_by = _organisation("Notified by", "the organisation that notified the partnership")
    notified_on = date_field("Notified on", what="the date of notification")

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]

    def clean_age_at_death(self) -> int:
        age = int(self.cleaned_data["age_at_death"])
        if age < MIN_AGE:
            raise forms.ValidationError(
                f"A review covers the death of a person aged {MIN_AGE} or over: "
                f"enter an age of {MIN_AGE} or more"
            )
        return age


class DateForm(GovukFormMixin, forms.Form):
    on = date_field("Date")


class DecisionForm(GovukFormMixin, forms.Form):
    held = forms.TypedChoiceField(
        label="Will a review be held?",
        choices=[("yes", "Yes, hold a review"), ("no", "No, do not hold a review")],
        coerce=lambda v: v == "yes",
        widget=GovukRadios,
        error_messages={"required": "Select whether a review will be held"},
    )
    on = date_field("Date of the decision")
    reasons = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reasons for the decision"},
    )


class PanelForm(GovukFormMixin, forms.Form):
    chair_name = forms.CharField(
        label="Independent chair",
        max_length=160,
        error_messages={"required": "Enter the name of the independent chair"},
    )
    on = date_field("Date appointed", what="the date the chair and panel were appointed")


class QaOutcomeForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=QaOutcome.choices,
        widget=GovukRadios,
        error_messages={"required": "Select the panel's outcome"},
    )
    on = date_field("Date of the outcome")


class PublishForm(GovukFormMixin, forms.Form):
    on = date_field("Date published", what="the date published")
    where = forms.CharField(
        label="Where it is published",
        max_length=300,
        help_text="For example, the partnership's website address",
        error_messages={"required": "Enter where the report is published"},
    )


class ExtendForm(GovukFormMixin, forms.Form):
    to = date_field("New due date", what="the new due date")
    reason = forms.CharField(
        label="Reason for the extension",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept with the review and in the audit trail",
        error_messages={"required": "Enter the reason for the extension"},
    )

    def __init__(self, *args: Any, clock: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = ClockKey(clock)


class ImrForm(GovukFormMixin, forms.Form):
    agency = _organisation("Agency", "the agency")
    requested_on = date_field("Requested on", what="the date requested")
    due_on = date_field("Due on", what="the due date")


class ReceivedForm(GovukFormMixin, forms.Form):
    received_on = date_field("Received on", what="the date received")


class FamilyForm(GovukFormMixin, forms.Form):
    contacted_on = date_field("Date of contact")
    relationship = forms.CharField(
        label="Relationship to the deceased",
        max_length=80,
        help_text="For example, mother or sister",
        error_messages={"required": "Enter their relationship to the deceased"},
    )
    name = forms.CharField(
        label="Name (optional)",
        max_length=160,
        required=False,
        help_text="Shown only to the roles the sharing agreement allows",
    )
    advocacy_offered = forms.BooleanField(label="Specialist advocacy offered", required=False)
    advocacy_by = forms.CharField(
        label="Advocacy by (optional)",
        max_length=160,
        required=False,
        help_text="For example, an advocacy service for families after fatal domestic abuse",
    )
    terms_of_reference_input = forms.BooleanField(
        label="Contributed to the terms of reference", required=False
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class PlanActionForm(GovukFormMixin, forms.Form):
    action = forms.CharField(
        label="Action", max_length=300, error_messages={"required": "Enter the action"}
    )
    owner = _organisation("Owner agency", "the agency that owns the action")
    due_on = date_field("Due on", what="the due date")


class DoneForm(GovukFormMixin, forms.Form):
    done_on = date_field("Done on", what="the date done")
