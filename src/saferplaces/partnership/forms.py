"""Forms for the partnership pages. They validate; the services in `services.py` write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from saferplaces.govuk import GovukFormMixin, date_widget
from saferplaces.partnership.models import AgendaItem, Group, Meeting, Person
from saferplaces.partnership.models.escalations import EscalationStatus
from saferplaces.partnership.models.meetings import ActionStatus, MeetingStatus


class PersonChoiceField(forms.ModelChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class MeetingForm(GovukFormMixin, forms.Form):
    title = forms.CharField(
        max_length=160,
        error_messages={"required": "Enter a title for the meeting"},
        help_text="For example, Monthly meeting",
    )
    date = forms.DateField(
        widget=date_widget(),
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Date of the meeting must be a real date",
        },
    )
    location = forms.CharField(max_length=160, required=False)
    status = forms.ChoiceField(choices=MeetingStatus.choices, initial=MeetingStatus.SCHEDULED)
    agenda = forms.CharField(
        label="Agenda (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One agenda item on each line",
    )

    def clean_agenda(self) -> list[str]:
        items = [line.strip() for line in self.cleaned_data["agenda"].splitlines()]
        items = [item for item in items if item]
        too_long = [item for item in items if len(item) > 200]
        if too_long:
            raise forms.ValidationError("Each agenda item must be 200 characters or fewer")
        return items


class ActionForm(GovukFormMixin, forms.Form):
    title = forms.CharField(
        label="What needs to be done",
        max_length=200,
        error_messages={"required": "Enter what needs to be done"},
    )
    owner = PersonChoiceField(
        queryset=Person.objects.none(),
        label="Owner",
        empty_label="Choose a member of the group",
        error_messages={
            "required": "Select who owns the action",
            "invalid_choice": "Select an owner from the group's members",
        },
    )
    due_date = forms.DateField(
        label="Due date",
        widget=date_widget(),
        error_messages={"required": "Enter a due date", "invalid": "Due date must be a real date"},
    )
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(),
        required=False,
        label="Agreed at meeting (optional)",
        empty_label="Not agreed at a meeting",
    )

    def __init__(
        self, *args: Any, group: Group, today: datetime.date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        self.today = today or timezone.localdate()
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = (
            Person.objects.filter(memberships__group=group)
            .select_related("user", "organisation")
            .distinct()
        )
        meeting = self.fields["meeting"]
        assert isinstance(meeting, forms.ModelChoiceField)
        meeting.queryset = group.meetings.order_by("-date")

    def clean_due_date(self) -> datetime.date:
        due: datetime.date = self.cleaned_data["due_date"]
        if due < self.today:
            raise forms.ValidationError("Due date must be today or in the future")
        return due


class EscalationForm(GovukFormMixin, forms.Form):
    title = forms.CharField(
        label="Issue",
        max_length=200,
        error_messages={"required": "Enter the issue you are escalating"},
    )
    detail = forms.CharField(
        label="Detail",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What has the group tried, and what does it need from the parent group?",
        error_messages={"required": "Enter the detail of the issue"},
    )

    def __init__(self, *args: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.group.parent_id is None:
            raise forms.ValidationError(
                f"{self.group.name} has no parent group to escalate to. "
                "Ask an administrator to set the group it escalates to"
            )
        return cleaned


class ActionStatusForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Choose a status"), *ActionStatus.choices],
        error_messages={"required": "Select a status", "invalid_choice": "Select a status"},
    )


class ResolveEscalationForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[
            ("", "Choose an outcome"),
            (EscalationStatus.ACCEPTED.value, "Accepted: we are working on it"),
            (EscalationStatus.RESOLVED.value, "Resolved"),
            (EscalationStatus.RETURNED.value, "Returned to the group"),
        ],
        error_messages={"required": "Select an outcome"},
    )
    resolution = forms.CharField(
        label="Resolution",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Needed when you resolve the issue, or say why you return it. It is kept "
        "as it is: to change the outcome later, reopen the escalation",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        status = cleaned.get("status")
        if not (cleaned.get("resolution") or "").strip():
            if status == EscalationStatus.RESOLVED:
                self.add_error("resolution", "Enter the resolution")
            elif status == EscalationStatus.RETURNED:
                self.add_error("resolution", "Enter why the issue is returned to the group")
        return cleaned


class ReopenEscalationForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you reopening it?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The earlier answer stays on the record beside your reason",
        error_messages={"required": "Enter why you are reopening the escalation"},
    )


class AgendaItemForm(GovukFormMixin, forms.Form):
    title = forms.CharField(
        label="Agenda item",
        max_length=200,
        error_messages={"required": "Enter a title for the agenda item"},
    )
    minutes = forms.CharField(
        label="Minutes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class DecisionForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="Decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the decision"},
    )
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        required=False,
        label="Agenda item (optional)",
        empty_label="Not about one agenda item",
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agenda_item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = meeting.agenda_items.all()
