"""Forms for the ASB Case Review pages. They validate; `services.py` writes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from saferplaces.asb_case_reviews.models import ON_BEHALF_OF_VICTIM, ApplicantKind
from saferplaces.govuk import GovukFormMixin, date_field
from saferplaces.partnership.models import Group, Person


class PanelChoiceField(forms.ModelChoiceField[Group]):
    def label_from_instance(self, obj: Group) -> str:
        return f"{obj.name} ({obj.place.name})"


class PersonChoiceField(forms.ModelChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class ContactsMixin(forms.Form):
    contact = PersonChoiceField(
        label="Single point of contact (optional)",
        queryset=Person.objects.none(),
        required=False,
        help_text="The person the applicant deals with throughout",
    )
    chair_name = forms.CharField(
        label="Independent chair (optional)",
        max_length=160,
        required=False,
        help_text="Someone not involved in the case, as the 2025 guidance recommends",
    )
    chair_organisation = forms.CharField(
        label="Chair's organisation (optional)", max_length=160, required=False
    )


def _people_on(groups: QuerySet[Group]) -> QuerySet[Person]:
    return (
        Person.objects.filter(memberships__group__in=groups)
        .select_related("user", "organisation")
        .distinct()
    )


class ApplicationForm(GovukFormMixin, ContactsMixin):
    group = PanelChoiceField(
        label="Panel",
        queryset=Group.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the panel that will handle the application"},
    )
    received_on = date_field("Date the application was received")
    summary = forms.CharField(
        label="What the application is about",
        max_length=200,
        help_text="A short description without names, for example 'Noise and intimidation "
        "from a neighbouring flat'",
        error_messages={"required": "Say briefly what the application is about"},
    )
    applicant_name = forms.CharField(
        label="Applicant's name",
        max_length=160,
        error_messages={"required": "Enter the applicant's name"},
    )
    applicant_contact = forms.CharField(
        label="Applicant's contact details (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Address, telephone or email",
    )
    applicant_kind = forms.ChoiceField(
        label="Who is applying",
        choices=ApplicantKind.choices,
        initial=ApplicantKind.VICTIM,
    )
    consent_recorded_on = date_field(
        "Date the victim's consent was recorded",
        required=False,
        help_text="Needed when someone applies on the victim's behalf (a carer, councillor, "
        "MP or someone else)",
    )
    victim_vulnerable = forms.BooleanField(
        label="The victim is vulnerable",
        required=False,
        help_text="Some partnerships let a vulnerable victim meet the threshold sooner",
    )

    field_order = [
        "group", "received_on", "summary", "applicant_kind", "applicant_name",
        "applicant_contact", "consent_recorded_on", "victim_vulnerable",
        "contact", "chair_name", "chair_organisation",
    ]  # fmt: skip

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, PanelChoiceField)
        field.queryset = groups.select_related("place")
        contact = self.fields["contact"]
        assert isinstance(contact, PersonChoiceField)
        contact.queryset = _people_on(groups)
        self.fields["received_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("applicant_kind") in ON_BEHALF_OF_VICTIM and not data.get(
            "consent_recorded_on"
        ):
            self.add_error(
                "consent_recorded_on",
                "Enter the date the victim's consent was recorded: someone applying for the "
                "victim needs it",
            )
        return data


class ContactsForm(GovukFormMixin, ContactsMixin):
    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = self.fields["contact"]
        assert isinstance(contact, PersonChoiceField)
        contact.queryset = _people_on(Group.objects.filter(pk=group.pk))


class IncidentForm(GovukFormMixin, forms.Form):
    behaviour_on = date_field("Date of the behaviour")
    reported_on = date_field("Date it was reported")
    reported_to = forms.CharField(
        label="Reported to",
        max_length=160,
        help_text="The agency or organisation told, for example Lancashire Constabulary",
        error_messages={"required": "Enter the agency or organisation it was reported to"},
    )
    reporter = forms.CharField(
        label="Reported by",
        max_length=160,
        help_text="The person's name, or a label such as 'Resident A'",
        error_messages={"required": "Enter who reported it (a name or a label)"},
    )
    location = forms.CharField(
        label="Location (optional)",
        max_length=200,
        required=False,
        help_text="Reports from different people about one location may count together",
    )
    hate = forms.BooleanField(label="It was a hate incident or crime", required=False)
    description = forms.CharField(
        label="What happened (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        behaviour, reported = data.get("behaviour_on"), data.get("reported_on")
        if behaviour and reported and reported < behaviour:
            self.add_error("reported_on", "The report cannot come before the behaviour")
        return data


class AcknowledgementForm(GovukFormMixin, forms.Form):
    acknowledged_on = date_field("Date the application was acknowledged")


class ThresholdForm(GovukFormMixin, forms.Form):
    AGREE, MET, NOT_MET = "engine", "met", "not_met"
    decided_on = date_field("Date of the decision")
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (AGREE, "As the threshold engine decided"),
            (MET, "Threshold met"),
            (NOT_MET, "Threshold not met"),
        ],
        initial=AGREE,
        help_text="A decision different from the engine's needs a reason",
    )
    reason = forms.CharField(
        label="Reason or note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def met(self) -> bool | None:
        choice = self.cleaned_data["decision"]
        return None if choice == self.AGREE else choice == self.MET


class OutcomeForm(GovukFormMixin, forms.Form):
    meeting_on = date_field("Date of the review meeting", required=False)
    outcome = forms.CharField(
        label="Outcome of the review (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    applicant_told_on = date_field("Date the applicant was told of the outcome", required=False)


class RecommendationForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="Recommendation",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the recommendation"},
    )
    owner_agency = forms.CharField(
        label="Owner (agency)",
        max_length=160,
        error_messages={"required": "Enter the agency that owns it"},
    )
    due_on = date_field("Due date")


class AppealForm(GovukFormMixin, forms.Form):
    UPHELD = [("", "Not decided yet"), ("yes", "Upheld"), ("no", "Not upheld")]
    lodged_on = date_field("Date the appeal was lodged")
    decided_on = date_field("Date the appeal was decided", required=False)
    upheld = forms.ChoiceField(label="Decision", choices=UPHELD, required=False)
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def upheld_value(self) -> bool | None:
        value = self.cleaned_data.get("upheld") or ""
        return None if value == "" else value == "yes"


class PolicingBodyReviewForm(GovukFormMixin, forms.Form):
    requested_on = date_field("Date the review was requested")
    decided_on = date_field("Date of the decision", required=False)
    outcome = forms.CharField(
        label="Outcome (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportForm(GovukFormMixin, forms.Form):
    group = PanelChoiceField(
        label="Partnership panel",
        queryset=Group.objects.none(),
        empty_label=None,
        help_text="Reports are kept for the partnership of this panel",
    )
    reporter = forms.CharField(
        label="Name of the person reporting",
        max_length=160,
        help_text="Written the same way each time, so that a second report is recognised",
        error_messages={"required": "Enter the name of the person reporting"},
    )
    reported_on = date_field("Date of the report")
    location = forms.CharField(label="Location (optional)", max_length=200, required=False)
    description = forms.CharField(
        label="What they reported (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, PanelChoiceField)
        field.queryset = groups.select_related("place")
        self.fields["reported_on"].initial = timezone.localdate()


class FiguresForm(forms.Form):
    """The partnership and year of the annual figures (GET)."""

    year = forms.IntegerField(min_value=2014, max_value=2100, required=False)


def default_year(today: datetime.date) -> int:
    """The last complete financial year."""
    return (today.year if today.month >= 4 else today.year - 1) - 1
