"""Forms of the register of sharing agreements and the audit trail. They validate; the
services (`services.py`, `register.py`) write."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from saferplaces.governance.catalogue import TEMPLATES, Purpose
from saferplaces.governance.models import SharingAgreement
from saferplaces.govuk import GovukCheckboxes, GovukFormMixin, GovukRadios, date_widget
from saferplaces.partnership.models import Group, Organisation, Place
from saferplaces.partnership.models.groups import GroupKind


class PlaceChoiceField(forms.ModelChoiceField[Place]):
    def label_from_instance(self, obj: Place) -> str:
        return obj.label


class NewAgreementForm(GovukFormMixin, forms.Form):
    """A new agreement from the partnership-wide template for its purpose."""

    place = PlaceChoiceField(
        label="Partnership",
        queryset=Place.objects.none(),
        empty_label="Choose the partnership",
        help_text="The place whose partnership the agreement is for",
        error_messages={
            "required": "Choose the partnership the agreement is for",
            "invalid_choice": "Choose a partnership from the list",
        },
    )
    purpose = forms.ChoiceField(
        label="What is the agreement for?",
        choices=[(p.value, p.label) for p in Purpose if p.value in TEMPLATES],
        widget=GovukRadios,
        help_text="Each purpose has one template that every party signs up to",
        error_messages={
            "required": "Choose what the agreement is for",
            "invalid_choice": "Choose a purpose from the list",
        },
    )
    panels = forms.ModelMultipleChoiceField(
        label="Panels it covers",
        queryset=Group.objects.none(),
        required=False,
        widget=GovukCheckboxes,
        help_text="The multi-agency panels whose casework the agreement covers. "
        "Members of a panel see its casework only when an agreement in force covers it.",
        error_messages={"invalid_choice": "Choose panels of the partnership you chose"},
    )
    starts_on = forms.DateField(
        label="Start date",
        widget=date_widget(),
        help_text="It runs for a year from this day; review it before then",
        error_messages={
            "required": "Enter the date the agreement starts",
            "invalid": "Start date must be a real date, for example 1 April 2026",
        },
    )
    dpia_reference = forms.CharField(
        label="DPIA reference",
        max_length=80,
        help_text="The reference of the data protection impact assessment, for example "
        "DPIA-2026-014",
        error_messages={
            "required": "Enter the DPIA reference: every sharing agreement needs a data "
            "protection impact assessment",
            "max_length": "DPIA reference must be 80 characters or fewer",
        },
    )

    def __init__(self, *args: Any, places: list[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in places]
        place_field = self.fields["place"]
        assert isinstance(place_field, forms.ModelChoiceField)
        place_field.queryset = Place.objects.filter(pk__in=ids).order_by("name")
        if len(ids) == 1:
            place_field.initial = ids[0]
        panel_field = self.fields["panels"]
        assert isinstance(panel_field, forms.ModelMultipleChoiceField)
        panel_field.queryset = (
            Group.objects.filter(kind=GroupKind.PANEL, place_id__in=ids)
            .select_related("place")
            .order_by("place__name", "name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        place, panels = data.get("place"), data.get("panels")
        if place is not None and panels:
            elsewhere = [g.name for g in panels if g.place_id != place.pk]
            if elsewhere:
                self.add_error(
                    "panels",
                    f"{', '.join(elsewhere)} is not a panel of {place.name}: "
                    "choose panels of the partnership you chose",
                )
        return data


class InviteForm(GovukFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label="Choose an organisation",
        help_text="It becomes a party once someone of it signs",
        error_messages={
            "required": "Choose the organisation to invite",
            "invalid_choice": "Choose an organisation from the list",
        },
    )

    def __init__(self, *args: Any, agreement: SharingAgreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.exclude(
            agreement_parties__agreement=agreement
        ).order_by("name")


class StatusForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the agreement's history",
        error_messages={"max_length": "Reason must be 200 characters or fewer"},
    )

    def __init__(self, *args: Any, reason_required: bool, verb: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.required = reason_required
        field.error_messages["required"] = f"Enter why you {verb.lower()} the agreement"
        if not reason_required:
            field.label = "Reason (optional)"


class TrailFilterForm(GovukFormMixin, forms.Form):
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=date_widget(),
        error_messages={"invalid": "From must be a real date, for example 1 April 2026"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=date_widget(),
        error_messages={"invalid": "To must be a real date, for example 30 April 2026"},
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: datetime.date | None = data.get("date_from")
        end: datetime.date | None = data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "To must be the same as or after From")
        return data
