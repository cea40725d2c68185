"""Forms for initiatives, strands, action plans and actions. They validate;
`saferplaces.delivery.initiatives` writes."""

from __future__ import annotations

from typing import Any

from django import forms

from saferplaces.delivery.models import (
    ActionPlan,
    ActionStatus,
    DeliveryAction,
    Initiative,
    InitiativeKind,
    Rag,
    Strand,
)
from saferplaces.govuk import GovukCheckboxes, GovukFormMixin, GovukRadios, date_field
from saferplaces.partnership.models import Group, Organisation, Person, Place
from saferplaces.strategy.models.plans import PlanPriority


def _required(what: str) -> dict[str, str]:
    return {"required": f"Enter {what}"}


def _ends_after(form: forms.Form, starts: str, ends: str, message: str) -> None:
    data = form.cleaned_data
    if data.get(starts) and data.get(ends) and data[ends] < data[starts]:
        form.add_error(ends, message)


class InitiativeForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=160, error_messages=_required("the initiative's name"),
                           help_text="For example, Bright Sparx 2014")  # fmt: skip
    kind = forms.ChoiceField(
        label="What kind of initiative is it?", choices=InitiativeKind.choices,
        widget=GovukRadios, error_messages={"required": "Select what kind of initiative it is"},
    )  # fmt: skip
    starts_on = date_field("Start date", what="the date the initiative starts")
    ends_on = date_field("End date", what="the date the initiative ends")
    aims = forms.CharField(label="Aims (optional)", required=False, help_text="One aim a line",
                           widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    summary = forms.CharField(label="Summary (optional)", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    lead_group = forms.ModelChoiceField(
        queryset=Group.objects.none(), required=False, label="Lead group (optional)",
        empty_label="None", help_text="The group that oversees delivery; it sees overdue actions",
    )  # fmt: skip
    lead_person = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, label="Lead officer (optional)",
        empty_label="None",
    )  # fmt: skip
    partners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(), required=False, widget=GovukCheckboxes,
        label="Partner organisations (optional)",
    )  # fmt: skip
    priorities = forms.ModelMultipleChoiceField(
        queryset=PlanPriority.objects.none(), required=False, widget=GovukCheckboxes,
        label="Plan priorities it serves (optional)",
    )  # fmt: skip

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = [*place.ancestors(), place]
        self.fields["lead_group"].queryset = Group.objects.filter(place__in=places)  # type: ignore[attr-defined]
        self.fields["lead_person"].queryset = Person.objects.select_related("user")  # type: ignore[attr-defined]
        self.fields["partners"].queryset = Organisation.objects.all()  # type: ignore[attr-defined]
        self.fields["priorities"].queryset = PlanPriority.objects.filter(  # type: ignore[attr-defined]
            plan__place__in=places
        ).select_related("plan")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _ends_after(self, "starts_on", "ends_on",
                    "The end date must be the same as or after the start date")  # fmt: skip
        return data


class StrandForm(GovukFormMixin, forms.Form):
    name = forms.CharField(max_length=160, error_messages=_required("the strand's name"),
                           help_text="For example, The Go4IT event")  # fmt: skip
    description = forms.CharField(label="Description (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class ActionPlanForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=200, error_messages=_required("the plan's title"),
                            help_text="For example, Bright Sparx 3-week action plan")  # fmt: skip


class ActionForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=300, label="Action",
                            error_messages=_required("what the action is"))  # fmt: skip
    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Owner organisation",
        empty_label="Choose an organisation",
        error_messages={"required": "Select the organisation that owns the action"},
    )  # fmt: skip
    owner_person = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, label="Owner (optional)",
        empty_label="Nobody named", help_text="A person of the owner organisation",
    )  # fmt: skip
    starts_on = date_field("Start date", what="the date the action starts")
    due_on = date_field("Due date", what="the date the action is due")
    strand = forms.ModelChoiceField(
        queryset=Strand.objects.none(), required=False, label="Strand (optional)",
        empty_label="None",
    )  # fmt: skip
    depends_on = forms.ModelMultipleChoiceField(
        queryset=DeliveryAction.objects.none(), required=False, widget=GovukCheckboxes,
        label="Depends on (optional)", help_text="Actions that must be done first",
    )  # fmt: skip
    note = forms.CharField(label="Note (optional)", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(
        self, *args: Any, plan: ActionPlan, action: DeliveryAction | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        initiative: Initiative = plan.initiative
        self.fields["owner_organisation"].queryset = Organisation.objects.all()  # type: ignore[attr-defined]
        self.fields["owner_person"].queryset = Person.objects.select_related(  # type: ignore[attr-defined]
            "user", "organisation"
        )
        self.fields["owner_person"].label_from_instance = (  # type: ignore[attr-defined]
            lambda p: f"{p.name} ({p.organisation})"
        )
        self.fields["strand"].queryset = initiative.strands.all()  # type: ignore[attr-defined]
        others = plan.actions.all()
        if action is not None:
            others = others.exclude(pk=action.pk)
        self.fields["depends_on"].queryset = others  # type: ignore[attr-defined]
        if not initiative.strands.exists():
            del self.fields["strand"]
        if not others.exists():
            del self.fields["depends_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _ends_after(self, "starts_on", "due_on",
                    "The due date must be the same as or after the start date")  # fmt: skip
        person, org = data.get("owner_person"), data.get("owner_organisation")
        if person and org and person.organisation_id != org.pk:
            self.add_error(
                "owner_person",
                f"{person.name} works for {person.organisation}: choose someone from {org} "
                "or change the owner organisation",
            )
        return data


class StatusForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=ActionStatus.choices, widget=GovukRadios,
        error_messages={"required": "Select the action's status"},
    )  # fmt: skip
    rag = forms.ChoiceField(
        label="RAG rating (optional)", required=False, widget=GovukRadios,
        choices=[("", "Not rated"), *Rag.choices],
        help_text="Green: on track. Amber: at risk. Red: will miss its due date or has",
    )  # fmt: skip
