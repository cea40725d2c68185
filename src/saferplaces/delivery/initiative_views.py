"""Pages of initiatives and their multi-agency action plans: a place's initiatives, an
initiative (with its plans' timelines and lists), a plan page, the forms, and the lead
group's overdue actions (an htmx fragment on the group's page).

Pages are for signed-in members of the partnership (`delivery.access.require_viewer`);
forms for editors (`require_editor`), and an action's status also for its owner
(`can_update_action`); anyone else gets 404. Every write goes through
`saferplaces.delivery.initiatives`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from saferplaces.delivery import initiatives as services
from saferplaces.delivery.access import (
    can_edit_delivery,
    can_update_action,
    require_editor,
    require_viewer,
)
from saferplaces.delivery.initiative_forms import (
    ActionForm,
    ActionPlanForm,
    InitiativeForm,
    StatusForm,
    StrandForm,
)
from saferplaces.delivery.models import ActionPlan, DeliveryAction, Initiative, Strand
from saferplaces.delivery.pages import form_page, write_or_error
from saferplaces.partnership.models import Group, Place

SOURCE = "Source: the action plans recorded in saferplaces by the partnership's officers."


def _today() -> datetime.date:
    return timezone.localdate()


def _initiative(slug: str) -> Initiative:
    return get_object_or_404(
        Initiative.objects.select_related("place", "lead_group", "lead_person__user"), slug=slug
    )


def _plan(initiative: Initiative, pk: int) -> ActionPlan:
    return get_object_or_404(ActionPlan, pk=pk, initiative=initiative)


def _action(initiative: Initiative, pk: int) -> DeliveryAction:
    return get_object_or_404(
        DeliveryAction.objects.select_related("plan__initiative"), pk=pk,
        plan__initiative=initiative,
    )  # fmt: skip


def _url(initiative: Initiative) -> str:
    return reverse("delivery:initiative", args=[initiative.slug])


def _plan_url(plan: ActionPlan) -> str:
    return reverse("delivery:action_plan", args=[plan.initiative.slug, plan.pk])


# Initiatives -----------------------------------------------------------------------------


@login_required
@require_GET
def initiative_list(request: HttpRequest, place: str) -> HttpResponse:
    require_viewer(request)
    here = get_object_or_404(Place, slug=place)
    return render(
        request,
        "delivery/initiative_list.html",
        {"place": here, "ancestors": [*here.ancestors(), here],
         "initiatives": services.initiatives_of(here), "can_edit": can_edit_delivery(request.user),
         "source": SOURCE},
    )  # fmt: skip


@login_required
@require_GET
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    require_viewer(request)
    initiative = _initiative(slug)
    today = _today()
    plans = [
        {"plan": p, "timeline": services.timeline(p, today), "rows": services.plan_rows(p, today)}
        for p in initiative.action_plans.all()
    ]
    return render(
        request,
        "delivery/initiative_detail.html",
        {
            "initiative": initiative,
            "ancestors": [*initiative.place.ancestors(), initiative.place],
            "partners": initiative.partners.all(),
            "priorities": initiative.priorities.select_related("plan__place"),
            "strands": initiative.strands.all(),
            "plans": plans,
            "today": today,
            "can_edit": can_edit_delivery(request.user),
            "source": SOURCE,
        },
    )


def _initiative_values(d: dict[str, Any]) -> dict[str, Any]:
    keys = (*services.INITIATIVE_FIELDS, "partners", "priorities")
    return {k: d[k] for k in keys if k in d}


@login_required
@require_http_methods(["GET", "POST"])
def initiative_new(request: HttpRequest, place: str) -> HttpResponse:
    require_editor(request)
    here = get_object_or_404(Place, slug=place)
    form = InitiativeForm(request.POST or None, place=here)
    holder: list[Initiative] = []
    if (
        request.method == "POST"
        and form.is_valid()
        and write_or_error(
            form,
            lambda: holder.append(
                services.create_initiative(
                    request.user, place=here, **_initiative_values(form.cleaned_data)
                )
            ),
        )
    ):
        messages.success(request, f"{holder[0].name} created")
        return redirect(_url(holder[0]))
    return form_page(
        request, form, title="Create an initiative", caption=here.name,
        back=reverse("delivery:initiatives", args=[here.slug]), button="Create initiative",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, slug: str) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    initial = {f: getattr(initiative, f) for f in services.INITIATIVE_FIELDS}
    initial["partners"] = list(initiative.partners.all())
    initial["priorities"] = list(initiative.priorities.all())
    form = InitiativeForm(request.POST or None, initial=initial, place=initiative.place)
    if (
        request.method == "POST"
        and form.is_valid()
        and write_or_error(
            form,
            lambda: services.update_initiative(
                request.user, initiative, **_initiative_values(form.cleaned_data)
            ),
        )
    ):
        messages.success(request, "Initiative saved")
        return redirect(_url(initiative))
    return form_page(request, form, title="Edit the initiative", caption=initiative.name,
                      back=_url(initiative), button="Save")  # fmt: skip


# Strands ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def strand_new(request: HttpRequest, slug: str) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    form = StrandForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and write_or_error(
            form, lambda: services.add_strand(request.user, initiative, **form.cleaned_data)
        )
    ):
        messages.success(request, f"Strand {form.cleaned_data['name']} added")
        return redirect(_url(initiative))
    return form_page(request, form, title="Add a strand", caption=initiative.name,
                      back=_url(initiative), button="Add strand")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def strand_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    strand = get_object_or_404(Strand, pk=pk, initiative=initiative)
    form = StrandForm(request.POST or None,
                      initial={"name": strand.name, "description": strand.description})  # fmt: skip
    if (
        request.method == "POST"
        and form.is_valid()
        and write_or_error(
            form, lambda: services.update_strand(request.user, strand, **form.cleaned_data)
        )
    ):
        messages.success(request, "Strand saved")
        return redirect(_url(initiative))
    return form_page(request, form, title="Edit the strand", caption=initiative.name,
                      back=_url(initiative), button="Save")  # fmt: skip


# Action plans and actions ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_plan_new(request: HttpRequest, slug: str) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    form = ActionPlanForm(request.POST or None)
    holder: list[ActionPlan] = []
    if (
        request.method == "POST"
        and form.is_valid()
        and write_or_error(
            form,
            lambda: holder.append(
                services.create_action_plan(request.user, initiative, **form.cleaned_data)
            ),
        )
    ):
        messages.success(request, f"{holder[0].title} created: add its actions")
        return redirect(_plan_url(holder[0]))
    return form_page(request, form, title="Start an action plan", caption=initiative.name,
                      back=_url(initiative), button="Create action plan")  # fmt: skip


@login_required
@require_GET
def action_plan(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One plan: its timeline and its list (``?order=due``, ``-due`` or ``start``)."""
    require_viewer(request)
    initiative = _initiative(slug)
    plan = _plan(initiative, pk)
    today = _today()
    order = request.GET.get("order", "due")
    if order not in ("due", "-due", "start"):
        order = "due"
    return render(
        request,
        "delivery/action_plan.html",
        {"initiative": initiative, "ancestors": [*initiative.place.ancestors(), initiative.place],
         "p": {"plan": plan, "timeline": services.timeline(plan, today),
               "rows": services.plan_rows(plan, today, order=order)},
         "order": order, "today": today, "can_edit": can_edit_delivery(request.user),
         "source": SOURCE},
    )  # fmt: skip


def _action_values(d: dict[str, Any]) -> dict[str, Any]:
    keys = (*services.ACTION_FIELDS, "depends_on")
    return {k: (list(d[k]) if k == "depends_on" else d[k]) for k in keys if k in d}


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    plan = _plan(initiative, pk)
    form = ActionForm(request.POST or None, plan=plan)
    if (
        request.method == "POST"
        and form.is_valid()
        and write_or_error(
            form,
            lambda: services.add_action(
                request.user, plan, today=_today(), **_action_values(form.cleaned_data)
            ),
        )
    ):
        messages.success(request, f"Action {form.cleaned_data['title']} added")
        return redirect(_plan_url(plan))
    return form_page(request, form, title="Add an action", caption=plan.title,
                      back=_plan_url(plan), button="Add action")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    action = _action(initiative, pk)
    initial = {f: getattr(action, f) for f in services.ACTION_FIELDS}
    initial["depends_on"] = list(action.depends_on.all())
    form = ActionForm(request.POST or None, initial=initial, plan=action.plan, action=action)
    if (
        request.method == "POST"
        and form.is_valid()
        and write_or_error(
            form,
            lambda: services.update_action(
                request.user, action, **_action_values(form.cleaned_data)
            ),
        )
    ):
        messages.success(request, "Action saved")
        return redirect(_plan_url(action.plan))
    return form_page(request, form, title="Edit the action", caption=action.title,
                      back=_plan_url(action.plan), button="Save")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Status and RAG: for editors and the action's owner."""
    initiative = _initiative(slug)
    action = _action(initiative, pk)
    if not can_update_action(request.user, action):
        raise Http404("No such page")
    form = StatusForm(request.POST or None, initial={"status": action.status, "rag": action.rag})
    if (
        request.method == "POST"
        and form.is_valid()
        and write_or_error(
            form,
            lambda: services.set_action_status(
                request.user, action, today=_today(), **form.cleaned_data
            ),
        )
    ):
        messages.success(request, f"{action.title}: {action.get_status_display()}")
        return redirect(_plan_url(action.plan))
    return form_page(request, form, title="Update the action's status", caption=action.title,
                      back=_plan_url(action.plan), button="Save")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def action_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    require_editor(request)
    initiative = _initiative(slug)
    action = _action(initiative, pk)
    back = _plan_url(action.plan)
    if request.method == "POST":
        title = action.title
        services.remove_action(request.user, action)
        messages.success(request, f"Action {title} removed")
        return redirect(back)
    return render(request, "delivery/action_remove.html", {"action": action, "back": back})


# The lead group's overdue actions --------------------------------------------------------


@login_required
@require_GET
def group_delivery(request: HttpRequest, slug: str) -> HttpResponse:
    """Overdue actions of initiatives the group leads (an htmx fragment; a page without)."""
    require_viewer(request)
    group = get_object_or_404(Group.objects.visible_to(request.user), slug=slug)
    today = _today()
    rows = [
        (a, services.days_overdue(a, today))
        for a in services.overdue_actions_for_group(group, today)
    ]
    context = {"group": group, "rows": rows, "today": today, "source": SOURCE,
               "led": group.initiatives.all()}  # fmt: skip
    if request.headers.get("HX-Request"):
        return render(request, "delivery/_group_delivery.html", context)
    context["ancestors"] = [*group.place.ancestors(), group.place]
    return render(request, "delivery/initiative_group_delivery.html", context)
