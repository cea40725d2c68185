"""Forms for casework pages. They validate; the services in `services.py` write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from saferplaces.casework.models import CaseStatus, Cohort, Custody, Pathway
from saferplaces.casework.rules import instruments
from saferplaces.govuk import GovukCheckboxes, GovukFormMixin, date_field
from saferplaces.partnership.models import Organisation, Person


def _today() -> datetime.date:
    return timezone.localdate()


class OrganisationField(forms.ModelChoiceField[Organisation]):
    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(
            queryset=Organisation.objects.order_by("name"),
            label=label,
            error_messages={"required": f"Choose the {label.lower()}"},
            **kwargs,
        )


class NewCaseForm(GovukFormMixin, forms.Form):
    given_name = forms.CharField(
        max_length=80, error_messages={"required": "Enter the person's given name"}
    )
    family_name = forms.CharField(
        max_length=80, error_messages={"required": "Enter the person's family name"}
    )
    date_of_birth = date_field("Date of birth", required=False, help_text="Leave empty if unknown")
    gender = forms.CharField(max_length=30, required=False)
    address = forms.CharField(max_length=200, required=False)
    postcode = forms.CharField(max_length=10, required=False)
    lead_agency = OrganisationField("Lead agency")
    referred_by = OrganisationField("Referred by")
    reason = forms.CharField(
        label="Why the person is referred",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the person is referred"},
    )
    referred_on = date_field("Date of referral", initial=_today)
    use_subject = forms.CharField(required=False, widget=forms.HiddenInput)
    confirmed_new = forms.BooleanField(
        required=False,
        label="This is a different person: key them as new",
    )

    def clean_date_of_birth(self) -> datetime.date | None:
        dob: datetime.date | None = self.cleaned_data.get("date_of_birth")
        if dob and dob > timezone.localdate():
            raise forms.ValidationError("Date of birth must be in the past")
        return dob


class IomForm(GovukFormMixin, forms.Form):
    cohort = forms.ChoiceField(choices=[("", "Not set"), *Cohort.choices], required=False)
    custody = forms.ChoiceField(
        label="Custody or community", choices=[("", "Not known"), *Custody.choices], required=False
    )
    pathway_needs = forms.MultipleChoiceField(
        choices=Pathway.choices, required=False, widget=GovukCheckboxes
    )


class PlanForm(IomForm):
    lead_agency = OrganisationField("Lead agency")
    next_review_on = date_field("Next review", required=False)
    selection_reason = forms.CharField(max_length=300, required=False)
    deselection_reason = forms.CharField(max_length=300, required=False)


class StatusForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(choices=CaseStatus.choices)
    on = date_field("Date", initial=_today)
    reason = forms.CharField(max_length=300, required=False, help_text="Needed to decline or close")

    def __init__(self, *args: Any, allowed: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(CaseStatus.choices)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s, labels[s]) for s in allowed]


class ReferralForm(GovukFormMixin, forms.Form):
    organisation = OrganisationField("Referred by")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the person is referred"},
    )
    referred_on = date_field("Date of referral", initial=_today)


class ActionForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="What is to be done",
        max_length=300,
        error_messages={"required": "Say what is to be done"},
    )
    agency = OrganisationField("Agency")
    owner = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, label="Owner")
    due_on = date_field("Due date")

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["owner"].queryset = people  # type: ignore[attr-defined]


class NoteForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the note"},
    )


ANSWERS = [("", "Not answered"), ("yes", "Yes"), ("no", "No")]
LEVELS = [("", "No change"), ("medium", "Medium"), ("high", "High")]


class RiskForm(GovukFormMixin, forms.Form):
    """A checklist: one yes / no / not answered per question, then professional judgement."""

    assessed_on = date_field("Date of assessment", initial=_today)
    judged_level = forms.ChoiceField(
        label="Professional judgement", choices=LEVELS, required=False,
        help_text="Judgement may raise the level the answers give, never lower it",
    )  # fmt: skip
    reason = forms.CharField(
        label="Reason for the judgement", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, instrument: instruments.Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        wording = list(getattr(instrument, "questions", None) or [])
        for number in range(1, instrument.question_count + 1):
            text = wording[number - 1] if len(wording) >= number else f"Question {number}"
            self.fields[f"q{number}"] = forms.ChoiceField(
                label=f"{number}. {text}", choices=ANSWERS, required=False,
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )  # fmt: skip

    def answers(self) -> list[bool | None]:
        values = [
            self.cleaned_data.get(f"q{n}", "") for n in range(1, self.instrument.question_count + 1)
        ]
        return [True if v == "yes" else False if v == "no" else None for v in values]
