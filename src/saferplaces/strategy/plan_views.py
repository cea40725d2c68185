"""Pages of plans and the county Community Safety Agreement.

Plans are public documents: an approved plan, its county matrix and its Word and PDF
files may be read by anyone, signed in or not; a draft only by signed-in users (404
otherwise). Forms are for community safety officers, county policy officers and staff
(`can_edit_plans`); anyone else gets 404, so that a form does not reveal itself. Every
write goes through `saferplaces.strategy.plans`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from saferplaces.partnership.models import Person, Place
from saferplaces.partnership.models.people import PersonRole
from saferplaces.strategy import plans as services
from saferplaces.strategy.models.plans import Plan, PlanKind, PlanPriority, PolicingObjective
from saferplaces.strategy.plan_documents import build_docx, build_pdf, filename, outline
from saferplaces.strategy.plan_forms import (
    ApproveForm,
    FactorForm,
    ObjectiveForm,
    OutcomeForm,
    PlanForm,
    PriorityForm,
    ReopenForm,
    RequirementForm,
)

EDITING_ROLES = (PersonRole.COMMUNITY_SAFETY_OFFICER, PersonRole.COUNTY_POLICY_OFFICER)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def can_edit_plans(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff, and community safety officers and county policy officers."""
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_staff", False):
        return True
    return Person.objects.filter(user_id=user.pk, role__in=EDITING_ROLES).exists()


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_plans(request.user):
        raise Http404("No such page")


def _place(slug: str) -> Place:
    return get_object_or_404(Place, slug=slug)


def _plan(request: HttpRequest, place: str, pk: int) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("place"), pk=pk, place__slug=place)
    if not plan.is_approved and not request.user.is_authenticated:
        raise Http404("No such plan")
    return plan


def _plan_url(plan: Plan) -> str:
    return reverse("strategy:plan", args=[plan.place.slug, plan.pk])


def _form_page(
    request: HttpRequest, form: Form, *, title: str, caption: str, back: str, button: str,
    lead: str = "", status: int = 200,
) -> HttpResponse:  # fmt: skip
    context = {"form": form, "title": title, "caption": caption, "back": back,
               "button": button, "lead": lead}  # fmt: skip
    return render(request, "strategy/plan_form.html", context, status=status)


def _write_or_error(form: Form, write: Any) -> bool:
    """Run `write`; put a ValidationError on the form instead. True when written."""
    try:
        with transaction.atomic():
            write()
    except ValidationError as e:
        for message in e.messages:
            form.add_error(None, message)
        return False
    return True


@require_GET
def plan_list(request: HttpRequest, place: str) -> HttpResponse:
    here = _place(place)
    plans = Plan.objects.filter(place=here)
    if not request.user.is_authenticated:
        plans = plans.filter(status="approved")
    return render(
        request,
        "strategy/plan_list.html",
        {"place": here, "ancestors": [*here.ancestors(), here], "plans": plans,
         "can_edit": can_edit_plans(request.user)},
    )  # fmt: skip


@require_GET
def plan_detail(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    plan = _plan(request, place, pk)
    o = outline(plan)
    return render(
        request,
        "strategy/plan_detail.html",
        {
            "plan": plan,
            "o": o,
            "ancestors": [*plan.place.ancestors(), plan.place],
            "can_edit": can_edit_plans(request.user) and not plan.is_approved,
            "can_reopen": can_edit_plans(request.user) and plan.is_approved,
            "dashboard": reverse("dashboard", args=[plan.place.slug]),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, place: str) -> HttpResponse:
    _require_editor(request)
    here = _place(place)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        holder: list[Plan] = []
        if _write_or_error(
            form,
            lambda: holder.append(
                services.create_plan(
                    request.user, place=here, kind=d["kind"], title=d["title"],
                    period_label=d["period_label"], starts_on=d["starts_on"],
                    ends_on=d["ends_on"], vision=d["vision"], source=d["source"],
                )
            ),
        ):  # fmt: skip
            messages.success(request, f"{holder[0].title} created")
            return redirect(_plan_url(holder[0]))
    return _form_page(
        request, form, title="Create a plan", caption=here.name,
        back=reverse("strategy:plans", args=[here.slug]), button="Create plan",
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    _require_editor(request)
    plan = _plan(request, place, pk)
    initial = {f: getattr(plan, f) for f in services.PLAN_FIELDS}
    form = PlanForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid() and _write_or_error(
        form, lambda: services.edit_plan(request.user, plan, **form.cleaned_data)
    ):  # fmt: skip
        messages.success(request, "Plan saved")
        return redirect(_plan_url(plan))
    return _form_page(
        request, form, title="Edit the plan", caption=plan.title, back=_plan_url(plan),
        button="Save", status=400 if form.errors else 200,
    )  # fmt: skip


def _priority_form(request: HttpRequest, plan: Plan, **kwargs: Any) -> PriorityForm:
    county = PlanPriority.objects.filter(plan__kind=PlanKind.COUNTY_AGREEMENT).select_related(
        "plan"
    )
    return PriorityForm(
        request.POST or None, plan=plan, objectives=services.objectives_for(plan),
        county_priorities=county, body=settings.POLICING_BODY, **kwargs,
    )  # fmt: skip


ITEM_FORMS: dict[str, tuple[type[Form], str]] = {
    "factor": (FactorForm, "Add a contributory factor"),
    "outcome": (OutcomeForm, "Add a shared outcome"),
    "requirement": (RequirementForm, "Add a statutory requirement"),
}


@require_http_methods(["GET", "POST"])
def plan_add(request: HttpRequest, place: str, pk: int, what: str) -> HttpResponse:
    """Add a priority issue, contributory factor, shared outcome or statutory requirement."""
    _require_editor(request)
    plan = _plan(request, place, pk)
    form: Form
    if what == "priority":
        form, title = _priority_form(request, plan), "Add a priority issue"
    elif what in ITEM_FORMS:
        cls, title = ITEM_FORMS[what]
        form = cls(request.POST or None)
    else:
        raise Http404("No such item")
    if (
        request.method == "POST"
        and form.is_valid()
        and _write_or_error(form, lambda: _add(request, plan, what, form.cleaned_data))
    ):
        messages.success(request, f"{title[4:].capitalize()} added")
        return redirect(_plan_url(plan))
    return _form_page(
        request, form, title=title, caption=plan.title, back=_plan_url(plan), button="Add",
        status=400 if form.errors else 200,
    )  # fmt: skip


def _add(request: HttpRequest, plan: Plan, what: str, d: dict[str, Any]) -> None:
    user = request.user
    if what == "priority":
        priority = services.add_priority(
            user, plan, title=d["title"], description=d["description"],
            indicator_keys=d["indicator_keys"], county_priority=d.get("county_priority"),
        )  # fmt: skip
        services.map_priority_objectives(user, priority, d["objectives"])
    elif what == "factor":
        services.add_factor(user, plan, title=d["title"], description=d["description"])
    elif what == "outcome":
        services.add_outcome(user, plan, text=d["text"], number=d["number"])
    else:
        services.add_requirement(user, plan, title=d["title"], description=d["description"])


@require_http_methods(["GET", "POST"])
def priority_edit(request: HttpRequest, place: str, pk: int, priority: int) -> HttpResponse:
    _require_editor(request)
    plan = _plan(request, place, pk)
    item = get_object_or_404(PlanPriority, pk=priority, plan=plan)
    initial = {
        "title": item.title, "description": item.description,
        "indicator_keys": item.indicator_keys, "county_priority": item.county_priority,
        "objectives": list(item.objectives.all()),
    }  # fmt: skip
    form = _priority_form(request, plan, initial=initial)

    def write() -> None:
        d = form.cleaned_data
        services.edit_priority(
            request.user, item, title=d["title"], description=d["description"],
            indicator_keys=d["indicator_keys"], county_priority=d.get("county_priority"),
        )  # fmt: skip
        services.map_priority_objectives(request.user, item, d["objectives"])

    if request.method == "POST" and form.is_valid() and _write_or_error(form, write):
        messages.success(request, f"{item.title} saved")
        return redirect(_plan_url(plan))
    return _form_page(
        request, form, title=f"Edit {item.title}", caption=plan.title, back=_plan_url(plan),
        button="Save", status=400 if form.errors else 200,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def plan_approve(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    _require_editor(request)
    plan = _plan(request, place, pk)
    form = ApproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _write_or_error(
        form,
        lambda: services.approve_plan(
            request.user, plan, approved_on=form.cleaned_data["approved_on"],
            note=form.cleaned_data["note"],
        ),
    ):  # fmt: skip
        messages.success(request, f"{plan.title} approved")
        return redirect(_plan_url(plan))
    return _form_page(
        request, form, title="Record the plan's approval", caption=plan.title,
        back=_plan_url(plan), button="Record approval",
        lead="An approved plan is published: anyone may read it. It can no longer be edited.",
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def plan_reopen(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    _require_editor(request)
    plan = _plan(request, place, pk)
    form = ReopenForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _write_or_error(
            form,
            lambda: services.reopen_plan(request.user, plan, reason=form.cleaned_data["reason"]),
        )
    ):
        messages.success(request, f"{plan.title} reopened as a draft")
        return redirect(_plan_url(plan))
    return _form_page(
        request, form, title="Reopen the plan as a draft", caption=plan.title,
        back=_plan_url(plan), button="Reopen as a draft",
        lead="A draft is no longer published: only signed-in users may read it until it is "
        "approved again.", status=400 if form.errors else 200,
    )  # fmt: skip


@require_GET
def plan_matrix(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    plan = _plan(request, place, pk)
    if not plan.is_county_agreement:
        raise Http404("Only a county agreement has a matrix")
    matrix = services.county_matrix(plan)
    return render(
        request,
        "strategy/plan_matrix.html",
        {"plan": plan, "matrix": matrix, "ancestors": [*plan.place.ancestors(), plan.place]},
    )


@require_GET
def plan_docx(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    plan = _plan(request, place, pk)
    response = HttpResponse(build_docx(outline(plan)), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename(plan, "docx")}"'
    return response


@require_GET
def plan_pdf(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    plan = _plan(request, place, pk)
    response = HttpResponse(build_pdf(outline(plan)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(plan, "pdf")}"'
    return response


@require_http_methods(["GET", "POST"])
def objectives(request: HttpRequest, place: str) -> HttpResponse:
    """The register of the policing body's objectives for a place (its area)."""
    here = _place(place)
    can_edit = can_edit_plans(request.user)
    form = ObjectiveForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        _require_editor(request)
        assert form is not None
        if form.is_valid():
            d = form.cleaned_data
            last = PolicingObjective.objects.filter(place=here).count()
            if _write_or_error(
                form,
                lambda: services.upsert_objective(
                    request.user, place=here, order=last + 1, **d
                ),
            ):  # fmt: skip
                messages.success(request, "Objective added")
                return redirect(reverse("strategy:plan_objectives", args=[here.slug]))
    return render(
        request,
        "strategy/plan_objectives.html",
        {
            "place": here,
            "ancestors": [*here.ancestors(), here],
            "objectives": PolicingObjective.objects.filter(place=here),
            "form": form,
            "body": settings.POLICING_BODY,
        },
        status=400 if form is not None and form.errors else 200,
    )
