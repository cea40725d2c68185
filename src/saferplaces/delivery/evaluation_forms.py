"""Forms for outputs, evaluation measures, unit costs and value cases. They validate;
`saferplaces.delivery.outputs` and `saferplaces.delivery.evaluation_services` write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from saferplaces.delivery.models import EvaluationWindow, Initiative, OutputKind, Strand, UnitCost
from saferplaces.evidence.figures import indicator_set
from saferplaces.govuk import GovukFormMixin, GovukRadios, date_field


def _required(what: str) -> dict[str, str]:
    return {"required": f"Enter {what}"}


def number_field(
    label: str, *, what: str, required: bool = True, help_text: str = ""
) -> forms.DecimalField:
    """A quantity of 0 or more, to 2 decimal places (never a float)."""
    return forms.DecimalField(
        label=label if required else f"{label} (optional)",
        required=required,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as a number, for example 150",
            "min_value": f"Enter {what} as 0 or more",
            "max_decimal_places": "Enter at most 2 decimal places",
            "max_digits": "Enter a smaller number",
            "max_whole_digits": "Enter a smaller number",
        },
    )


class OutputForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What was delivered?",
        choices=[(value, str(label).capitalize()) for value, label in OutputKind.choices],
        widget=GovukRadios,
        error_messages={"required": "Select what was delivered"},
    )
    quantity = number_field("How many", what="how many", help_text="For example 150")
    approximate = forms.BooleanField(
        label="This is an estimate", required=False, help_text='Shown as "approximately 500"'
    )
    on = date_field("Date", what="the date it was delivered")
    strand: forms.ModelChoiceField[Strand] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Strand (optional)",
        empty_label="None: the initiative as a whole",
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["strand"].queryset = initiative.strands.all()  # type: ignore[attr-defined]
        if not initiative.strands.exists():
            del self.fields["strand"]


class MeasureForm(GovukFormMixin, forms.Form):
    indicator_key = forms.ChoiceField(
        label="Indicator",
        error_messages={"required": "Select an indicator"},
        help_text="Counted from the incident data held for the place",
    )
    window = forms.ChoiceField(
        label="Window compared each year",
        choices=EvaluationWindow.choices,
        widget=GovukRadios,
        initial=EvaluationWindow.INITIATIVE,
        error_messages={"required": "Select the window compared each year"},
        help_text="A window of days (Mischief Night, the initiative's own dates) needs "
        "day-level data; police.uk records only the month",
    )
    years = forms.IntegerField(
        label="Years shown",
        min_value=2,
        max_value=30,
        initial=10,
        help_text="The initiative's own year and the years before it",
        error_messages={
            "required": "Enter how many years to show",
            "invalid": "Years shown must be a whole number",
            "min_value": "Show at least 2 years",
            "max_value": "Show at most 30 years",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(i.slug, i.name) for i in indicator_set()]
        self.fields["indicator_key"].choices = choices  # type: ignore[attr-defined]


class ValueCaseForm(GovukFormMixin, forms.Form):
    """A value case at an existing unit cost, or at a new one entered here."""

    unit_cost: forms.ModelChoiceField[UnitCost] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Unit cost (optional)",
        empty_label="A new unit cost (enter it below)",
    )
    cost_name = forms.CharField(
        label="New unit cost: name (optional)", required=False, max_length=160,
        help_text="For example Fire call-out",
    )  # fmt: skip
    cost_unit = forms.CharField(
        label="New unit cost: unit (optional)", required=False, max_length=60,
        help_text="For example call-out",
    )  # fmt: skip
    cost_amount = forms.DecimalField(
        label="New unit cost: amount in pounds (optional)",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        help_text="For example 515.00",
        error_messages={
            "invalid": "Enter the amount as a number, for example 515.00",
            "min_value": "Enter more than £0.00",
            "max_decimal_places": "Enter pounds and pence: at most 2 decimal places",
        },
    )
    cost_source = forms.CharField(
        label="New unit cost: source (optional)", required=False, max_length=300,
        help_text="Where the figure comes from, and its year",
    )  # fmt: skip
    baseline_per_period = number_field(
        "Baseline a period", what="the baseline a period",
        help_text="Units of demand a period before the initiative, for example 30",
    )  # fmt: skip
    observed_per_period = number_field(
        "Observed a period", what="the observed figure a period", required=False,
        help_text="Leave empty when it has not been measured: only the baseline's cost is shown",
    )  # fmt: skip
    period = forms.CharField(
        label="Period", max_length=30, initial="night", error_messages=_required("the period"),
        help_text="For example night",
    )  # fmt: skip
    periods = forms.IntegerField(
        label="How many periods", min_value=1, initial=1,
        error_messages={"required": "Enter how many periods", "min_value": "Enter 1 or more",
                        "invalid": "Enter a whole number of periods"},
    )  # fmt: skip
    basis = forms.CharField(
        label="Where the baseline comes from (optional)", required=False, max_length=300
    )

    NEW_FIELDS = ("cost_name", "cost_unit", "cost_amount", "cost_source")

    def __init__(self, *args: Any, costs: list[UnitCost], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit_cost"]
        field.queryset = UnitCost.objects.filter(pk__in=[c.pk for c in costs])  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit_cost") is None:
            missing = {
                "cost_name": "Enter the new unit cost's name, or choose a unit cost",
                "cost_unit": "Enter the new unit cost's unit, for example call-out",
                "cost_amount": "Enter the new unit cost's amount in pounds",
                "cost_source": "Enter where the new unit cost comes from",
            }
            for name, message in missing.items():
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        return data
