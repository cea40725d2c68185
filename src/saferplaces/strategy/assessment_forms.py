"""Forms for strategic assessments. They validate; `saferplaces.strategy.assessments`
writes."""

from __future__ import annotations

from django import forms

from saferplaces.govuk import GovukFormMixin, GovukRadios
from saferplaces.partnership.models import Organisation
from saferplaces.strategy.assessments import CRITERIA, SCORE_MAX, SCORE_MIN
from saferplaces.strategy.gather import GatherError, assessment_period


class AssessmentForm(GovukFormMixin, forms.Form):
    year = forms.CharField(
        label="Financial year",
        max_length=20,
        help_text="For example, 2014/15",
        error_messages={"required": "Enter the financial year, for example 2014/15"},
    )

    def clean_year(self) -> str:
        try:
            return assessment_period(self.cleaned_data["year"]).label
        except GatherError:
            raise forms.ValidationError("Enter a financial year such as 2014/15") from None


class SectionForm(GovukFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label="Partner organisation",
        queryset=Organisation.objects.order_by("name"),
        error_messages={"required": "Select the partner organisation"},
    )
    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter a title for the section"}
    )
    text = forms.CharField(
        label="What the partner says",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter what the partner says"},
    )


class SurveyForm(GovukFormMixin, forms.Form):
    survey = forms.CharField(
        label="Survey name",
        max_length=200,
        help_text="For example, Living in Lancashire 2014",
        error_messages={"required": "Enter the name of the survey"},
    )
    file = forms.FileField(
        label="Results file (CSV)",
        help_text="Columns: question, area, response (optional), share (a percentage, "
        "0 to 100) and base (the number who answered)",
        error_messages={"required": "Select a CSV file of survey results"},
    )


class OverrideForm(GovukFormMixin, forms.Form):
    criterion = forms.ChoiceField(
        label="Criterion",
        choices=[(c.slug, c.label) for c in CRITERIA],
        widget=GovukRadios,
        error_messages={"required": "Select the criterion to score"},
    )
    score = forms.TypedChoiceField(
        label="New score",
        coerce=int,
        choices=[(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)],
        widget=GovukRadios,
        help_text="1 is low, 5 is high",
        error_messages={"required": "Select the new score"},
    )
    reason = forms.CharField(
        label="Why are you changing the score?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The reason is kept and shown beside the score in the assessment",
        error_messages={"required": "Enter the reason for changing the score"},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("Enter the reason for changing the score")
        return reason


class SignOffForm(GovukFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label="I approve this strategic assessment on behalf of the partnership",
        error_messages={"required": "Confirm that you approve the assessment"},
    )
