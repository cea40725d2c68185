"""The dashboard's period chooser: a GET form read with the evidence layer's period rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest

from saferplaces.evidence.figures import latest_month, months_held
from saferplaces.evidence.periods import PeriodAfterData, default_period, period_from
from saferplaces.evidence.scope import PlaceScope
from saferplaces.evidence.store import incident_store
from saferplaces.govuk import GovukFormMixin
from saferplaces.insight.periods import (
    Period,
    PeriodError,
    financial_year,
    format_month,
    parse_month,
)

CUSTOM = "custom"
ROLLING = "rolling"
PERIOD_EXAMPLE = "Enter a period such as 2014/15, 2014 or rolling"


@dataclass(frozen=True)
class Selection:
    """A resolved period and the query parameters that name it (for links and CSVs)."""

    period: Period
    params: dict[str, str]
    kind: str
    """"financial", "calendar", "rolling" or "custom"."""

    @property
    def papers_params(self) -> dict[str, str]:
        """The same period as the board papers form reads it (`period`, or `from`/`to`)."""
        if self.kind == "custom":
            return {"from": self.params["from_month"], "to": self.params["to_month"]}
        return {"period": self.params["period"]}


def selection_for(period: Period) -> Selection:
    """The selection for a period chosen by the page itself (the default)."""
    return Selection(period, {"period": period.label}, "financial")


def _fy_start(month: str) -> int:
    d = parse_month(month)
    return d.year if d.month >= 4 else d.year - 1


def period_choices(months: list[str], current: str | None = None) -> list[tuple[str, str]]:
    """Financial years, calendar years, rolling 12 months and custom, for the data held."""
    fys = sorted({_fy_start(m) for m in months}, reverse=True)
    cys = sorted({int(m[:4]) for m in months}, reverse=True)
    choices = [(financial_year(y).label, f"Financial year {financial_year(y).label}") for y in fys]
    choices += [(str(y), f"Calendar year {y}") for y in cys]
    if months:
        choices.append((ROLLING, f"Rolling 12 months to {parse_month(max(months)):%B %Y}"))
    choices.append((CUSTOM, "Custom range (enter the months below)"))
    if current and current not in {v for v, _ in choices}:
        choices.insert(0, (current, current))
    return choices


class PeriodForm(GovukFormMixin, forms.Form):
    period = forms.CharField(
        label="Period",
        required=False,
        widget=forms.Select(),
        help_text="Compared with the same months a year earlier (or, for a longer period, "
        "as many years earlier as it takes not to overlap)",
    )
    from_month = forms.CharField(
        label="From (custom range)",
        required=False,
        help_text="For example, 2014-01",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    to_month = forms.CharField(
        label="To (custom range)",
        required=False,
        help_text="For example, 2014-10",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def __init__(
        self, *args: Any, months: list[str], latest: str | None = None, **kwargs: Any
    ) -> None:
        """`months`: the months (YYYY-MM) the place holds, for the choices and the default
        period; `latest`: the latest month held anywhere (no period may start after it)."""
        super().__init__(*args, **kwargs)
        self.months = months
        self.latest = latest or (max(months) if months else None)
        current = self.data.get("period") if self.is_bound else None
        period_field = self.fields["period"]
        period_field.widget.choices = period_choices(months, current or None)
        for name in ("from_month", "to_month"):
            self.fields[name].widget.attrs["class"] += " govuk-input--width-5"
        self.selection: Selection | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("period") or "").strip()
        first = (data.get("from_month") or "").strip()
        last = (data.get("to_month") or "").strip()
        if text.lower() == CUSTOM or (not text and (first or last)):
            self._custom(first, last)
        elif not text:
            fy = default_period(parse_month(m) for m in self.months)
            if fy is not None:
                self.selection = selection_for(fy)
        else:
            try:
                period = period_from(text, latest_month=self.latest)
            except PeriodAfterData as e:
                self.add_error("period", str(e).capitalize())
                return data
            except PeriodError:
                self.add_error("period", PERIOD_EXAMPLE)
                return data
            self.selection = _named(text, period)
        return data

    def _custom(self, first: str, last: str) -> None:
        months: dict[str, str] = {}
        for name, value, which, example in (
            ("from_month", first, "first", "2014-01"),
            ("to_month", last, "last", "2014-10"),
        ):
            if not value:
                self.add_error(
                    name, f"Enter the {which} month of the custom range, such as {example}"
                )
                continue
            try:
                months[name] = format_month(parse_month(value))
            except PeriodError:
                self.add_error(
                    name, f"Enter the {which} month as year and month, such as {example}"
                )
        if len(months) < 2:
            return
        try:
            period = period_from(None, months["from_month"], months["to_month"], self.latest)
        except PeriodAfterData as e:
            self.add_error("from_month", str(e).capitalize())
            return
        except PeriodError:
            self.add_error(
                "to_month", "The last month must be the same as or after the first month"
            )
            return
        params = {"period": CUSTOM, **months}
        self.selection = Selection(period, params, "custom")


F = TypeVar("F", bound=PeriodForm)


def bind_period_form(
    form_class: type[F],
    request: HttpRequest,
    scope: PlaceScope | None,
    defaults: dict[str, str] | None = None,
    **kwargs: Any,
) -> F:
    """A period form (`form_class`, given `kwargs`) bound to the query, or to nothing
    asked: the place's latest complete period; `defaults` fill the fields left empty.
    Bound again so the select shows the period actually shown."""
    months = months_held(scope) if scope is not None else []
    if not months:  # a place with no data: offer the periods the store holds
        months = incident_store().months()
    latest = latest_month()
    fields = form_class.base_fields
    data = {k: request.GET.get(k, "") for k in fields}
    data.update({k: v for k, v in (defaults or {}).items() if not data[k].strip()})
    asked = any(k in request.GET for k in fields)
    bound = data if asked else {**(defaults or {}), "period": ""}
    form = form_class(bound, months=months, latest=latest, **kwargs)
    if form.is_valid() and form.selection is not None and not data["period"].strip():
        shown = CUSTOM if form.selection.kind == "custom" else form.selection.params["period"]
        form = form_class({**data, "period": shown}, months=months, latest=latest, **kwargs)
        form.is_valid()
    return form


def _named(text: str, period: Period) -> Selection:
    lowered = text.strip().lower()
    if lowered.startswith(ROLLING):
        return Selection(period, {"period": f"{ROLLING}:{format_month(period.end)}"}, "rolling")
    if "/" in lowered and period.length == 12 and period.start.month == 4:
        return Selection(period, {"period": period.label}, "financial")
    if lowered.isdigit():
        return Selection(period, {"period": period.label}, "calendar")
    return Selection(
        period,
        {"period": CUSTOM, "from_month": format_month(period.start),
         "to_month": format_month(period.end)},
        "custom",
    )  # fmt: skip
