"""Casework pages: the panels a person works on, a panel's cases, a case, and the forms
that change a case.

Every page is a `casework_page` (signed in, two-factor, never cached); every panel and
case is reached through `governance.access.require_panel_access`, which answers 404 to
anyone who may not see it; every view, search, export and edit writes an audit event.
"""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from saferplaces.casework import forms, services
from saferplaces.casework.models import (
    OPEN_STATUSES,
    Case,
    CaseAction,
    CaseStatus,
    Panel,
    Subject,
)
from saferplaces.casework.risk import available, instrument_for
from saferplaces.casework.subjects import likely_duplicates
from saferplaces.governance import audit
from saferplaces.governance.access import PanelAccess, panels_visible_to, require_panel_access
from saferplaces.governance.models import AuditAction
from saferplaces.governance.pages import casework_page, client_address
from saferplaces.governance.suppression import suppress
from saferplaces.partnership.models import Person
from saferplaces.spreadsheet import safe_row

PAGE_SIZE = 50


def _panel(request: HttpRequest, slug: str) -> tuple[Panel, PanelAccess]:
    panel = get_object_or_404(Panel.objects.select_related("group__place"), group__slug=slug)
    return panel, require_panel_access(request.user, panel.group)


def _case(request: HttpRequest, reference: str) -> tuple[Case, PanelAccess]:
    case = get_object_or_404(
        Case.objects.select_related("panel__group__place", "subject", "lead_agency"),
        reference=reference,
    )
    return case, require_panel_access(request.user, case.panel.group)


def _actor(request: HttpRequest, access: PanelAccess) -> audit.Actor:
    return services.actor_for(access, client_address(request))


@casework_page
def index(request: HttpRequest) -> HttpResponse:
    """The panels whose casework the user may see, with their cohort figures."""
    panels = list(
        Panel.objects.filter(group__in=panels_visible_to(request.user)).select_related("group")
    )
    rows = [(panel, Case.objects.filter(panel=panel).cohort_figures()) for panel in panels]
    for panel, _ in rows:
        access = require_panel_access(request.user, panel.group)
        audit.record(
            _actor(request, access), AuditAction.VIEW, "panel", panel.group.slug,
            f"Listed {panel}: cohort figures",
        )  # fmt: skip
    return render(
        request,
        "casework/index.html",
        {"rows": rows, "death_review_name": settings.DEATH_REVIEW_NAME},
    )


@casework_page
def panel_cases(request: HttpRequest, slug: str) -> HttpResponse:
    """A panel's cases: open ones by default, any status or a reference on request."""
    panel, access = _panel(request, slug)
    status = request.GET.get("status", "open")
    query = request.GET.get("q", "").strip()[:40]
    cases = Case.objects.filter(panel=panel).select_related("lead_agency")
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status in CaseStatus.values:
        cases = cases.filter(status=status)
    if query:
        cases = cases.filter(reference__icontains=query)
    if access.identifying:
        cases = cases.select_related("subject")
    page = Paginator(cases.order_by("reference"), PAGE_SIZE).get_page(request.GET.get("page"))
    searched = bool(query) or status != "open"
    audit.record(
        _actor(request, access), AuditAction.SEARCH if searched else AuditAction.VIEW,
        "panel", panel.group.slug,
        f"Case list of {panel}" + (f": status {status}, reference {query!r}" if searched else ""),
    )  # fmt: skip
    figures = Case.objects.filter(panel=panel).cohort_figures()
    overdue = Case.objects.filter(panel=panel).review_overdue().count()
    return render(
        request,
        "casework/panel.html",
        {
            "panel": panel, "access": access, "page": page, "status": status, "q": query,
            "figures": figures, "overdue": overdue, "statuses": CaseStatus.choices,
        },
    )  # fmt: skip


@casework_page
def panel_figures_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The panel's cohort figures for publication: small numbers suppressed."""
    panel, access = _panel(request, slug)
    figures = Case.objects.filter(panel=panel).cohort_figures()
    audit.record(
        _actor(request, access), AuditAction.EXPORT, "panel", panel.group.slug,
        f"Cohort figures of {panel} exported (suppressed below the threshold)",
    )  # fmt: skip
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{panel.group.slug}-figures.csv"'
    writer = csv.writer(response)
    writer.writerow(["panel", "measure", "count"])
    for measure, value in figures.items():
        writer.writerow(safe_row([panel.group.name, measure, suppress(value).export]))
    return response


def _new_case_context(panel: Panel, form: Any, matches: Any = ()) -> dict[str, Any]:
    return {"panel": panel, "form": form, "matches": matches, "iom": forms.IomForm(prefix="iom")}


@casework_page
def new_case(request: HttpRequest, slug: str) -> HttpResponse:
    """Open a case: key the person (warned of likely duplicates first) and the referral."""
    panel, access = _panel(request, slug)
    if not access.identifying:
        raise Http404("No such page")
    form = forms.NewCaseForm(request.POST or None)
    iom = forms.IomForm(request.POST or None, prefix="iom")
    if request.method != "POST" or not form.is_valid() or not iom.is_valid():
        audit.record(
            _actor(request, access), AuditAction.VIEW, "panel", panel.group.slug,
            "New case form opened",
        )  # fmt: skip
        return render(
            request, "casework/new_case.html", _new_case_context(panel, form) | {"iom": iom}
        )
    data = form.cleaned_data
    # the panel ids first: one nested subquery costs PostgreSQL ~11 ms to plan
    panel_ids = list(panels_visible_to(request.user).values_list("pk", flat=True))
    visible = Subject.objects.filter(cases__panel__group_id__in=panel_ids).distinct()
    actor = _actor(request, access)
    subject = None
    if data["use_subject"]:
        subject = visible.filter(pk=data["use_subject"]).first()
        if subject is None:
            raise Http404("No such page")
    elif not data["confirmed_new"]:
        matches = likely_duplicates(
            visible, data["given_name"], data["family_name"], data["date_of_birth"]
        )
        audit.record(
            actor, AuditAction.SEARCH, "subject", "", f"Duplicate check before keying on {panel}: "
            f"{len(matches)} likely match(es)",
        )  # fmt: skip
        if matches:
            context = _new_case_context(panel, form, matches) | {"iom": iom}
            return render(request, "casework/new_case.html", context)
    details = {
        k: v for k, v in iom.cleaned_data.items() if panel.is_iom and v not in ("", None, [])
    }
    try:
        if subject is None:
            subject = services.add_subject(
                actor, panel, given_name=data["given_name"], family_name=data["family_name"],
                date_of_birth=data["date_of_birth"], gender=data["gender"],
                address=data["address"], postcode=data["postcode"],
            )  # fmt: skip
        case = services.open_case(
            access, panel, subject, lead_agency=data["lead_agency"],
            referred_by=data["referred_by"], reason=data["reason"], referred_on=data["referred_on"],
            address=client_address(request), **details,
        )  # fmt: skip
    except ValidationError as error:
        form.add_error(None, error)
        return render(
            request, "casework/new_case.html", _new_case_context(panel, form) | {"iom": iom}
        )
    return redirect("casework:case", reference=case.reference)


@casework_page
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case(request, reference)
    audit.record(
        _actor(request, access), AuditAction.VIEW, "case", case.reference,
        f"Case viewed{' with identifying details' if access.identifying else ''}",
    )  # fmt: skip
    return render(request, "casework/case.html", _case_context(case, access))


def _people(case: Case) -> Any:
    return Person.objects.filter(memberships__group=case.panel.group).select_related(
        "user", "organisation"
    )


def _case_context(case: Case, access: PanelAccess, **forms_: Any) -> dict[str, Any]:
    return {
        "case": case,
        "access": access,
        "referrals": case.referrals.select_related("organisation"),
        "assessments": case.risk_assessments.all(),
        "actions": case.actions.select_related("agency", "owner__user"),
        "notes": case.notes.select_related("author__user")[:50],
        "status_form": forms_.get("status_form") or forms.StatusForm(allowed=case.next_statuses()),
        "referral_form": forms_.get("referral_form") or forms.ReferralForm(prefix="referral"),
        "action_form": forms_.get("action_form")
        or forms.ActionForm(prefix="action", people=_people(case)),
        "note_form": forms_.get("note_form") or forms.NoteForm(prefix="note"),
        "instruments": available(),
        "review_overdue": case.review_overdue(),
    }


def _back(case: Case) -> HttpResponse:
    return redirect("casework:case", reference=case.reference)


def _case_form_post(request: HttpRequest, reference: str, name: str) -> HttpResponse:
    """Handle one of the case page's forms; on error, show the case page with it."""
    case, access = _case(request, reference)
    address = client_address(request)
    form: Any
    try:
        if name == "status_form":
            form = forms.StatusForm(request.POST, allowed=case.next_statuses())
            if form.is_valid():
                d = form.cleaned_data
                services.change_status(
                    access, case, d["status"], on=d["on"], reason=d["reason"], address=address
                )
                return _back(case)
        elif name == "referral_form":
            form = forms.ReferralForm(request.POST, prefix="referral")
            if form.is_valid():
                services.add_referral(access, case, address=address, **form.cleaned_data)
                return _back(case)
        elif name == "action_form":
            form = forms.ActionForm(request.POST, prefix="action", people=_people(case))
            if form.is_valid():
                services.add_action(access, case, address=address, **form.cleaned_data)
                return _back(case)
        else:
            form = forms.NoteForm(request.POST, prefix="note")
            if form.is_valid():
                services.add_note(access, case, form.cleaned_data["text"], address=address)
                return _back(case)
    except ValidationError as error:
        form.add_error(None, error)
    audit.record(
        services.actor_for(access, address), AuditAction.VIEW, "case", case.reference,
        "Case viewed (form returned with errors)",
    )  # fmt: skip
    return render(
        request, "casework/case.html", _case_context(case, access, **{name: form}), status=400
    )


@require_POST
@casework_page
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    return _case_form_post(request, reference, "status_form")


@require_POST
@casework_page
def case_referral(request: HttpRequest, reference: str) -> HttpResponse:
    return _case_form_post(request, reference, "referral_form")


@require_POST
@casework_page
def case_action(request: HttpRequest, reference: str) -> HttpResponse:
    return _case_form_post(request, reference, "action_form")


@require_POST
@casework_page
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    return _case_form_post(request, reference, "note_form")


@require_POST
@casework_page
def action_done(request: HttpRequest, reference: str, action_id: int) -> HttpResponse:
    case, access = _case(request, reference)
    action = get_object_or_404(CaseAction, pk=action_id, case=case)
    if action.done_on is None:
        services.complete_action(
            access, action, done_on=timezone.localdate(), address=client_address(request)
        )
    return _back(case)


@casework_page
def case_plan(request: HttpRequest, reference: str) -> HttpResponse:
    """Edit the plan: lead agency, next review, cohort, custody, pathway needs."""
    case, access = _case(request, reference)
    initial = {
        "lead_agency": case.lead_agency, "next_review_on": case.next_review_on,
        "cohort": case.cohort, "custody": case.custody, "pathway_needs": case.pathway_needs,
        "selection_reason": case.selection_reason, "deselection_reason": case.deselection_reason,
    }  # fmt: skip
    form = forms.PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_case(access, case, form.cleaned_data, address=client_address(request))
            return _back(case)
        except ValidationError as error:
            form.add_error(None, error)
    audit.record(
        _actor(request, access), AuditAction.VIEW, "case", case.reference, "Case plan opened"
    )
    return render(request, "casework/plan.html", {"case": case, "form": form, "access": access})


@casework_page
def risk_assessment(request: HttpRequest, reference: str, instrument: str) -> HttpResponse:
    """Score a risk checklist (the wording is what the administrator configured)."""
    case, access = _case(request, reference)
    tool = instrument_for(instrument)
    form = forms.RiskForm(request.POST or None, instrument=tool)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.assess_risk(
                access, case, instrument_key=tool.key, answers=form.answers(),
                assessed_on=d["assessed_on"], judged_level=d["judged_level"], reason=d["reason"],
                address=client_address(request),
            )  # fmt: skip
            return _back(case)
        except ValidationError as error:
            form.add_error(None, error)
    audit.record(
        _actor(request, access), AuditAction.VIEW, "case", case.reference, f"{tool.name} opened"
    )
    return render(request, "casework/risk.html", {"case": case, "form": form, "instrument": tool})


def case_url(case: Case) -> str:
    return reverse("casework:case", kwargs={"reference": case.reference})
