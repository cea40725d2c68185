"""Pages of outputs, the year's headlines and evaluation.

Every page is for signed-in members of the partnership (`delivery.access.require_viewer`);
forms are for editors (`require_editor`: 404 for anyone else). The outputs and evaluation
pages answer htmx requests with their fragment (for the initiative's page to load) and
other requests with a whole page. Every write goes through `delivery.outputs` or
`delivery.evaluation_services`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saferplaces.delivery import evaluation_services as services
from saferplaces.delivery.access import can_edit_delivery, require_editor, require_viewer
from saferplaces.delivery.evaluation import evaluate
from saferplaces.delivery.evaluation_forms import MeasureForm, OutputForm, ValueCaseForm
from saferplaces.delivery.models import EvaluationMeasure, Initiative, Output, ValueCase
from saferplaces.delivery.outputs import (
    headlines as year_headlines,
)
from saferplaces.delivery.outputs import (
    initiative_totals,
    outputs_by_strand,
    record_output,
    remove_output,
)
from saferplaces.delivery.pages import form_page, write_or_error
from saferplaces.partnership.models import Place


def _htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _initiative(slug: str) -> Initiative:
    return get_object_or_404(Initiative.objects.select_related("place"), slug=slug)


def _base(request: HttpRequest, initiative: Initiative) -> dict[str, Any]:
    place = initiative.place
    return {
        "initiative": initiative,
        "place": place,
        "ancestors": [*place.ancestors(), place],
        "here_link": reverse("delivery:initiative", args=[initiative.slug]),
        "here_label": initiative.name,
        "can_edit": can_edit_delivery(request.user),
    }


# Headlines -------------------------------------------------------------------------------


def _financial_year_of(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _parse_year(text: str) -> int | None:
    """2014 from "2014/15" (or "2014"); None when it is not a financial year."""
    head, _, tail = text.strip().partition("/")
    if not head.isdigit() or len(head) != 4:
        return None
    start = int(head)
    if tail and (not tail.isdigit() or int(tail) % 100 != (start + 1) % 100):
        return None
    return start if 1990 <= start <= 2100 else None


@login_required
@require_GET
def headlines(request: HttpRequest, place: str) -> HttpResponse:
    """The year's outputs of a place's initiatives as headlines, per initiative below."""
    require_viewer(request)
    here = get_object_or_404(Place, slug=place)
    asked = request.GET.get("year", "")
    start = _parse_year(asked) if asked else None
    problem = (
        f"{asked} is not a financial year: enter one like 2014/15"
        if asked and start is None
        else ""
    )
    if start is None:
        latest = (
            Output.objects.filter(initiative__place_id__in=here.descendant_ids())
            .order_by("-on")
            .values_list("on", flat=True)
            .first()
        )
        start = _financial_year_of(latest or datetime.date.today())
    h = year_headlines(here, start)
    kinds = [(t.kind, t.label) for t in h.totals]
    rows = [
        (i.initiative, [{t.kind: t for t in i.totals}.get(k) for k, _ in kinds])
        for i in h.initiatives
    ]
    context = {
        "place": here,
        "ancestors": [*here.ancestors(), here],
        "h": h,
        "kinds": kinds,
        "rows": rows,
        "problem": problem,
        "previous_year": f"{start - 1}/{start % 100:02d}",
        "next_year": f"{start + 1}/{(start + 2) % 100:02d}",
        "output_count": sum(t.outputs for t in h.totals),
    }
    return render(request, "delivery/headlines.html", context, status=400 if problem else 200)


# Outputs ---------------------------------------------------------------------------------


def _outputs_context(
    request: HttpRequest, initiative: Initiative, form: OutputForm | None
) -> dict[str, Any]:
    context = _base(request, initiative)
    if context["can_edit"] and form is None:
        form = OutputForm(initiative=initiative, initial={"on": initiative.ends_on})
    context.update(
        groups=outputs_by_strand(initiative),
        totals=initiative_totals(initiative),
        form=form if context["can_edit"] else None,
    )
    return context


def _outputs_response(request: HttpRequest, initiative: Initiative, form: OutputForm | None = None,
                      status: int = 200) -> HttpResponse:  # fmt: skip
    context = _outputs_context(request, initiative, form)
    template = "delivery/_outputs.html" if _htmx(request) else "delivery/outputs.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def initiative_outputs(request: HttpRequest, slug: str) -> HttpResponse:
    """The initiative's outputs per strand with totals; for editors, a form to record one."""
    require_viewer(request)
    return _outputs_response(request, _initiative(slug))


@login_required
@require_http_methods(["GET", "POST"])
def initiative_output_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Record an output (the form on the outputs page posts here)."""
    require_editor(request)
    initiative = _initiative(slug)
    if request.method != "POST":
        return _outputs_response(request, initiative)
    form = OutputForm(request.POST, initiative=initiative)
    if form.is_valid():
        d = form.cleaned_data
        written = write_or_error(form, lambda: record_output(
            request.user, initiative=initiative, kind=d["kind"], quantity=d["quantity"],
            on=d["on"], strand=d.get("strand"), approximate=d["approximate"], note=d["note"],
        ))  # fmt: skip
        if written:
            if _htmx(request):
                return _outputs_response(request, initiative)
            return redirect("delivery:initiative_outputs", slug=initiative.slug)
    return _outputs_response(request, initiative, form, status=200 if _htmx(request) else 400)


@login_required
@require_POST
def initiative_output_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    remove_output(request.user, get_object_or_404(Output, pk=pk, initiative=initiative))
    if _htmx(request):
        return _outputs_response(request, initiative)
    return redirect("delivery:initiative_outputs", slug=initiative.slug)


# Evaluation ------------------------------------------------------------------------------


@login_required
@require_GET
def initiative_evaluation(request: HttpRequest, slug: str) -> HttpResponse:
    """Each measure year by year with its verdict, and the value cases' arithmetic."""
    require_viewer(request)
    initiative = _initiative(slug)
    context = _base(request, initiative)
    context["e"] = evaluate(initiative)
    template = "delivery/_evaluation.html" if _htmx(request) else "delivery/evaluation.html"
    return render(request, template, context)


def _form_page(request: HttpRequest, initiative: Initiative, form: Form, *, title: str,
               button: str, lead: str = "") -> HttpResponse:  # fmt: skip
    back = reverse("delivery:initiative_evaluation", args=[initiative.slug])
    return form_page(request, form, title=title, caption=initiative.name, back=back,
                     button=button, lead=lead)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def initiative_measure_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Add an indicator and window the initiative is evaluated on."""
    require_editor(request)
    initiative = _initiative(slug)
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if write_or_error(form, lambda: services.add_measure(
            request.user, initiative=initiative, indicator_key=d["indicator_key"],
            window=d["window"], years=d["years"],
        )):  # fmt: skip
            return redirect("delivery:initiative_evaluation", slug=initiative.slug)
    return _form_page(request, initiative, form, title="Add an evaluation measure",
                      button="Add the measure",
                      lead="The indicator is counted in the window each year, and the "
                      "initiative's year is compared with the years before it.")  # fmt: skip


@login_required
@require_POST
def initiative_measure_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    measure = get_object_or_404(EvaluationMeasure, pk=pk, initiative=initiative)
    services.remove_measure(request.user, measure)
    return redirect("delivery:initiative_evaluation", slug=initiative.slug)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_value_case_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a value case at an existing unit cost or a new one."""
    require_editor(request)
    initiative = _initiative(slug)
    form = ValueCaseForm(request.POST or None, costs=services.unit_costs_for(initiative.place))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def write() -> None:
            cost = d["unit_cost"] or services.add_unit_cost(
                request.user, place=initiative.place, name=d["cost_name"], unit=d["cost_unit"],
                amount=d["cost_amount"], source=d["cost_source"],
            )  # fmt: skip
            services.add_value_case(
                request.user, initiative=initiative, unit_cost=cost,
                baseline_per_period=d["baseline_per_period"],
                observed_per_period=d["observed_per_period"], period=d["period"],
                periods=d["periods"], basis=d["basis"],
            )  # fmt: skip

        if write_or_error(form, write):
            return redirect("delivery:initiative_evaluation", slug=initiative.slug)
    return _form_page(request, initiative, form, title="Add a value case",
                      button="Add the value case",
                      lead="Demand before the initiative priced at a unit cost. Without an "
                      "observed figure only the baseline's cost is shown, never a saving.",
                      )  # fmt: skip


@login_required
@require_POST
def initiative_value_case_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    case = get_object_or_404(ValueCase, pk=pk, initiative=initiative)
    services.remove_value_case(request.user, case)
    return redirect("delivery:initiative_evaluation", slug=initiative.slug)
