"""Forms for funding streams, allocations and quarterly returns. They validate;
`saferplaces.delivery.funding` writes (and refuses over-allocation)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from saferplaces.delivery.funding import FundingYearError, parse_year
from saferplaces.delivery.models import Initiative, Rag
from saferplaces.govuk import GovukFormMixin, GovukRadios, date_field
from saferplaces.partnership.models import Group


def _required(what: str) -> dict[str, str]:
    return {"required": f"Enter {what}"}


def money_field(label: str, *, minimum: str = "0.01", help_text: str = "") -> forms.DecimalField:
    """Pounds and pence: up to £9,999,999,999.99, never a float."""
    return forms.DecimalField(
        label=label,
        min_value=Decimal(minimum),
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": f"Enter the {label.lower()} in pounds and pence",
            "invalid": f"Enter the {label.lower()} as a number, for example 2500.00",
            "min_value": f"Enter {'£0.00 or more' if minimum == '0' else 'more than £0.00'}",
            "max_decimal_places": "Enter pounds and pence: at most 2 decimal places",
            "max_digits": "Enter an amount under £10,000,000,000",
            "max_whole_digits": "Enter an amount under £10,000,000,000",
        },
    )


class StreamForm(GovukFormMixin, forms.Form):
    funder = forms.CharField(
        max_length=160,
        error_messages=_required("the funder"),
        help_text="For example Office of the Police and Crime Commissioner",
    )
    name = forms.CharField(
        label="Grant name (optional)", required=False, max_length=160,
        help_text="Needed only when one funder gives more than one stream in a year",
    )  # fmt: skip
    year = forms.CharField(
        label="Financial year", max_length=9, error_messages=_required("the financial year"),
        help_text="For example 2014/15",
    )  # fmt: skip
    amount = money_field("Amount", help_text="In pounds and pence, for example 10000.00")
    conditions = forms.CharField(
        label="Conditions (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    accountable_to = forms.ModelChoiceField(
        queryset=Group.objects.none(), required=False, label="Monitored by (optional)",
        empty_label="No group", help_text="The group that monitors the returns",
    )  # fmt: skip

    def __init__(self, *args: Any, groups: QuerySet[Group], editing: bool = False,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["accountable_to"].queryset = groups  # type: ignore[attr-defined]
        if editing:
            del self.fields["year"]

    def clean_year(self) -> int:
        try:
            return parse_year(self.cleaned_data["year"])
        except FundingYearError as exc:
            raise forms.ValidationError("Enter a financial year like 2014/15") from exc


class AllocationForm(GovukFormMixin, forms.Form):
    initiative = forms.ModelChoiceField(
        queryset=Initiative.objects.none(),
        error_messages={"required": "Select the initiative to fund"},
        empty_label="Choose an initiative",
    )
    amount = money_field("Amount", help_text="In pounds and pence, for example 2500.00")
    purpose = forms.CharField(label="Purpose (optional)", required=False, max_length=300)
    decided_on = date_field("Decided on", required=False)

    def __init__(
        self, *args: Any, initiatives: QuerySet[Initiative] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if initiatives is None:
            del self.fields["initiative"]
        else:
            self.fields["initiative"].queryset = initiatives  # type: ignore[attr-defined]


class ReturnForm(GovukFormMixin, forms.Form):
    spend = money_field("Spend this quarter", minimum="0", help_text="£0.00 if nothing was spent")
    rag = forms.ChoiceField(
        label="RAG rating", choices=Rag.choices, widget=GovukRadios,
        error_messages={"required": "Select a RAG rating"},
    )  # fmt: skip
    outputs = forms.CharField(
        label="Outputs (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the money delivered this quarter",
    )  # fmt: skip
    narrative = forms.CharField(
        label="Narrative (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    submitted_on = date_field("Submitted on", what="the date the return was submitted")
