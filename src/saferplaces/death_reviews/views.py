"""Pages of the death reviews. Every page is a `casework_page` (signed in, never cached),
decides access with `saferplaces.governance.access` on the review's panel (404 to everyone
else) and writes an audit VIEW event; every write goes through `services.py`.

The name shown is ``settings.DEATH_REVIEW_NAME``, passed to every template as
``review_name`` (and ``review_abbr``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from saferplaces.death_reviews import services
from saferplaces.death_reviews.clocks import current_clock, review_clocks
from saferplaces.death_reviews.forms import (
    DateForm,
    DecisionForm,
    DoneForm,
    ExtendForm,
    FamilyForm,
    ImrForm,
    NotificationForm,
    PanelForm,
    PlanActionForm,
    PublishForm,
    QaOutcomeForm,
    ReceivedForm,
)
from saferplaces.death_reviews.models import (
    ClockKey,
    DeathReview,
    ManagementReview,
    PlanAction,
    QaOutcome,
    Stage,
    review_abbreviation,
    review_name,
    stage_index,
)
from saferplaces.governance import audit
from saferplaces.governance.access import PanelAccess, panels_visible_to, require_panel_access
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import AuditAction, SharingAgreement
from saferplaces.governance.pages import casework_page, client_address
from saferplaces.partnership.models import Group

OBJECT_TYPE = services.OBJECT_TYPE


def _today() -> datetime.date:
    return timezone.localdate()


def _names() -> dict[str, str]:
    name = review_name()
    return {
        "review_name": name,
        "review_name_lower": name.lower(),
        "review_abbr": review_abbreviation(),
    }


def _actor(request: HttpRequest, access: PanelAccess | None) -> audit.Actor:
    organisation = access.organisation.name if access else ""
    return audit.Actor(request.user, organisation, client_address(request))


def _review_panels(request: HttpRequest) -> QuerySet[Group]:
    """The panels the user may see that a death review agreement in force covers."""
    covered = SharingAgreement.objects.in_force(_today()).filter(purpose=Purpose.DEATH_REVIEW)
    return (
        panels_visible_to(request.user)
        .filter(sharing_agreements__in=covered)
        .distinct()
        .order_by("name")
    )


def _review(request: HttpRequest, pk: int) -> tuple[DeathReview, PanelAccess]:
    review = get_object_or_404(
        DeathReview.objects.select_related("group", "group__place", "notified_by"), pk=pk
    )
    return review, require_panel_access(request.user, review.group)


def _view(request: HttpRequest, review: DeathReview, access: PanelAccess, what: str) -> None:
    audit.record(
        _actor(request, access), AuditAction.VIEW, OBJECT_TYPE, review.pk,
        f"{review.reference}: {what}",
    )  # fmt: skip


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@casework_page
def review_list(request: HttpRequest) -> HttpResponse:
    panels = list(_review_panels(request))
    if not panels:
        raise Http404("No such page")
    today = _today()
    reviews = (
        DeathReview.objects.filter(group__in=panels)
        .select_related("group")
        .prefetch_related("imrs", "actions", "extensions")
    )
    rows = []
    for review in reviews:
        clock = current_clock(review, today)
        late = [c for c in review_clocks(review, today) if c.status == "overdue"]
        imrs_late = sum(1 for i in review.imrs.all() if i.is_overdue(today))
        actions_late = sum(1 for a in review.actions.all() if a.is_overdue(today))
        rows.append(
            {
                "review": review,
                "clock": clock,
                "overdue": bool(late),
                "imrs_late": imrs_late,
                "actions_late": actions_late,
            }
        )
    audit.record(
        audit.Actor(request.user, "", client_address(request)), AuditAction.VIEW, OBJECT_TYPE,
        "", f"List of reviews ({len(rows)}) for {', '.join(p.name for p in panels)}"[:300],
    )  # fmt: skip
    return render(
        request,
        "death_reviews/list.html",
        {
            **_names(),
            "rows": rows,
            "overdue_count": sum(1 for r in rows if r["overdue"]),
            "panels": panels,
        },
    )


@casework_page
def notify(request: HttpRequest) -> HttpResponse:
    panels = _review_panels(request)
    if not panels.exists():
        raise Http404("No such page")
    form = NotificationForm(request.POST or None, groups=panels)
    access = None
    if request.method == "POST" and form.is_valid():
        group = form.cleaned_data["group"]
        access = require_panel_access(request.user, group)
        data = {k: v for k, v in form.cleaned_data.items() if k != "group"}
        try:
            review = services.notify(_actor(request, access), group, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Notification recorded as {review.reference}")
            return redirect("death_reviews:review", review.pk)
    audit.record(_actor(request, access), AuditAction.VIEW, OBJECT_TYPE, "", "Notification form")
    name = review_name()
    return render(
        request,
        "death_reviews/form.html",
        {
            **_names(),
            "form": form,
            "title": "Record a notification of a death",
            "caption": name,
            "lead": f"A {name} covers a death of a person aged 16 or over that has, or appears "
            "to have, resulted from domestic abuse: homicide and suicide alike.",
            "button": "Record the notification",
            "back": reverse("death_reviews:list"),
            "back_label": "the list of reviews",
        },
    )


def _timeline(review: DeathReview) -> list[dict[str, Any]]:
    done_at = stage_index(review.stage)
    entries: list[tuple[Stage, datetime.date | None, str, str]] = [
        (Stage.NOTIFIED, review.notified_on, f"Notified by {review.notified_by.name}", ""),
        (Stage.SCOPING, review.scoping_on, "Scoping", "scoping"),
        (
            Stage.NOT_HELD if review.stage == Stage.NOT_HELD else Stage.DECIDED,
            review.decided_on,
            "Decision whether to hold a review",
            "decision",
        ),
        (Stage.HOME_OFFICE, review.home_office_informed_on, "Home Office informed", "home-office"),
        (Stage.PANEL, review.panel_appointed_on, "Independent chair and panel appointed", "panel"),
        (Stage.IMRS, None, "Individual management reviews requested", ""),
        (
            Stage.REPORT,
            review.report_completed_on,
            "Overview report, executive summary and action plan",
            "report",
        ),
        (Stage.QA, review.qa_submitted_on, "Home Office quality assurance panel", "qa"),
        (
            Stage.SENT,
            review.sent_on,
            "Sent to the Secretary of State and the Domestic Abuse Commissioner",
            "sent",
        ),
        (Stage.PUBLISHED, review.published_on, "Published", "published"),
    ]
    first_imr = review.imrs.order_by("requested_on").first()
    result = []
    for stage, on, label, step in entries:
        index = stage_index(stage)
        if stage == Stage.IMRS and first_imr is not None:
            on = first_imr.requested_on
        done = index <= done_at
        if review.stage == Stage.NOT_HELD and index > done_at:
            continue
        result.append(
            {
                "label": label,
                "on": on,
                "done": done,
                "next": index == done_at + 1 and not review.is_closed,
                "step": step,
            }
        )
    return result


def _next_steps(review: DeathReview) -> list[tuple[str, str]]:
    """The forms that can move the review on from where it is (step slug, button text)."""
    stage = review.stage
    steps: list[tuple[str, str]] = []
    if stage == Stage.NOTIFIED:
        steps.append(("scoping", "Record that scoping started"))
    elif stage == Stage.SCOPING:
        steps.append(("decision", "Record the decision"))
    elif stage in (Stage.DECIDED, Stage.NOT_HELD) and review.home_office_informed_on is None:
        steps.append(("home-office", "Record that the Home Office was informed"))
    elif stage == Stage.HOME_OFFICE:
        steps.append(("panel", "Record the chair and panel appointed"))
    elif stage == Stage.IMRS:
        steps.append(("report", "Record the overview report completed"))
    elif stage == Stage.REPORT:
        steps.append(("qa", "Record the submission for quality assurance"))
    elif stage == Stage.QA:
        if not review.qa_outcome:
            steps.append(("qa-outcome", "Record the quality assurance outcome"))
        elif review.qa_outcome in (QaOutcome.APPROVED, QaOutcome.AMEND):
            steps.append(("sent", "Record the report sent"))
        if review.qa_outcome in (QaOutcome.AMEND, QaOutcome.RESUBMIT):
            steps.append(("qa", "Record a resubmission for quality assurance"))
    elif stage == Stage.SENT:
        steps.append(("published", "Record the publication"))
    return steps


@casework_page
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review, access = _review(request, pk)
    today = _today()
    _view(request, review, access, "review page")
    imrs = [(i, i.is_overdue(today)) for i in review.imrs.select_related("agency")]
    actions = [(a, a.is_overdue(today)) for a in review.actions.select_related("owner")]
    can_imr = review.stage in (Stage.PANEL, Stage.IMRS)
    return render(
        request,
        "death_reviews/review.html",
        {
            **_names(),
            "review": review,
            "access": access,
            "identifying": access.identifying,
            "timeline": _timeline(review),
            "clocks": review_clocks(review, today),
            "steps": _next_steps(review),
            "imrs": imrs,
            "can_imr": can_imr,
            "family": list(review.family.all()),
            "actions": actions,
            "overdue_actions": sum(1 for _, late in actions if late),
            "can_plan": bool(review.review_held),
            "today": today,
        },
    )


@dataclass(frozen=True)
class Step:
    title: str
    button: str
    form: type[forms.Form]
    write: Callable[[audit.Actor, DeathReview, dict[str, Any]], object]
    label: str = ""


STEPS: dict[str, Step] = {
    "scoping": Step(
        "Scoping started", "Save", DateForm,
        lambda a, r, d: services.start_scoping(a, r, d["on"]), "Date scoping started",
    ),
    "decision": Step(
        "Decision whether to hold a review", "Save the decision", DecisionForm,
        lambda a, r, d: services.decide(a, r, held=d["held"], on=d["on"], reasons=d["reasons"]),
    ),
    "home-office": Step(
        "Home Office informed", "Save", DateForm,
        lambda a, r, d: services.inform_home_office(a, r, d["on"]),
        "Date the Home Office was informed",
    ),
    "panel": Step(
        "Independent chair and panel appointed", "Save", PanelForm,
        lambda a, r, d: services.appoint_panel(a, r, chair_name=d["chair_name"], on=d["on"]),
    ),
    "report": Step(
        "Overview report, executive summary and action plan completed", "Save", DateForm,
        lambda a, r, d: services.complete_report(a, r, d["on"]), "Date completed",
    ),
    "qa": Step(
        "Submitted to the Home Office quality assurance panel", "Save", DateForm,
        lambda a, r, d: services.submit_for_qa(a, r, d["on"]), "Date submitted",
    ),
    "qa-outcome": Step(
        "Quality assurance outcome", "Save the outcome", QaOutcomeForm,
        lambda a, r, d: services.record_qa_outcome(a, r, outcome=d["outcome"], on=d["on"]),
    ),
    "sent": Step(
        "Sent to the Secretary of State and the Domestic Abuse Commissioner", "Save", DateForm,
        lambda a, r, d: services.send_report(a, r, d["on"]), "Date sent",
    ),
    "published": Step(
        "Published", "Save", PublishForm,
        lambda a, r, d: services.publish(a, r, on=d["on"], where=d["where"]),
    ),
}  # fmt: skip


def _form_page(
    request: HttpRequest,
    review: DeathReview,
    access: PanelAccess,
    form: forms.Form,
    write: Callable[[], object],
    *,
    title: str,
    button: str,
    done: str,
    lead: str = "",
) -> HttpResponse:
    """Show a form for a review; on a valid POST, write through the service and go back."""
    if request.method == "POST" and form.is_valid():
        try:
            write()
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("death_reviews:review", review.pk)
    _view(request, review, access, f"form: {title}")
    return render(
        request,
        "death_reviews/form.html",
        {
            **_names(),
            "form": form,
            "review": review,
            "title": title,
            "caption": f"{review.reference} ({review.pseudonym})",
            "lead": lead,
            "button": button,
            "back": reverse("death_reviews:review", args=[review.pk]),
            "back_label": review.reference,
        },
    )


@casework_page
def stage_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    review, access = _review(request, pk)
    spec = STEPS.get(step)
    if spec is None:
        raise Http404("No such page")
    form = spec.form(request.POST or None)
    if spec.label and "on" in form.fields:
        form.fields["on"].label = spec.label
    return _form_page(
        request, review, access, form,
        lambda: spec.write(_actor(request, access), review, form.cleaned_data),
        title=spec.title, button=spec.button, done=f"{spec.title}: saved",
    )  # fmt: skip


@casework_page
def extend_clock(request: HttpRequest, pk: int, clock: str) -> HttpResponse:
    review, access = _review(request, pk)
    if clock not in ClockKey.values:
        raise Http404("No such page")
    form = ExtendForm(request.POST or None, clock=clock)
    current = {c.key: c for c in review_clocks(review, _today())}.get(clock)
    lead = ""
    if current is not None:
        lead = f"Now due on {current.clock.effective_due:%-d %B %Y}."
    return _form_page(
        request, review, access, form,
        lambda: services.extend_clock(
            _actor(request, access), review, clock=clock,
            to=form.cleaned_data["to"], reason=form.cleaned_data["reason"],
        ),
        title=f"Extend the clock: {ClockKey(clock).label.lower()}", button="Extend the clock",
        done="Clock extended", lead=lead,
    )  # fmt: skip


@casework_page
def imr_new(request: HttpRequest, pk: int) -> HttpResponse:
    review, access = _review(request, pk)
    form = ImrForm(request.POST or None)
    return _form_page(
        request, review, access, form,
        lambda: services.request_imr(_actor(request, access), review, **form.cleaned_data),
        title="Request an individual management review", button="Save the request",
        done="Individual management review requested",
    )  # fmt: skip


@casework_page
def imr_received(request: HttpRequest, pk: int, imr_pk: int) -> HttpResponse:
    review, access = _review(request, pk)
    imr: ManagementReview = get_object_or_404(review.imrs.select_related("agency"), pk=imr_pk)
    form = ReceivedForm(request.POST or None)
    return _form_page(
        request, review, access, form,
        lambda: services.receive_imr(
            _actor(request, access), imr, form.cleaned_data["received_on"]
        ),
        title=f"Individual management review received from {imr.agency.name}", button="Save",
        done="Individual management review received",
    )  # fmt: skip


@casework_page
def family_new(request: HttpRequest, pk: int) -> HttpResponse:
    review, access = _review(request, pk)
    form = FamilyForm(request.POST or None)
    if not access.identifying:
        del form.fields["name"]
    return _form_page(
        request, review, access, form,
        lambda: services.record_family_contact(
            _actor(request, access), review, **form.cleaned_data
        ),
        title="Record contact with the family", button="Save the contact",
        done="Contact with the family recorded",
    )  # fmt: skip


@casework_page
def action_new(request: HttpRequest, pk: int) -> HttpResponse:
    review, access = _review(request, pk)
    form = PlanActionForm(request.POST or None)
    return _form_page(
        request, review, access, form,
        lambda: services.add_plan_action(_actor(request, access), review, **form.cleaned_data),
        title="Add an action to the action plan", button="Add the action", done="Action added",
    )  # fmt: skip


@casework_page
def action_done(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    review, access = _review(request, pk)
    item: PlanAction = get_object_or_404(review.actions.select_related("owner"), pk=action_pk)
    form = DoneForm(request.POST or None)
    return _form_page(
        request, review, access, form,
        lambda: services.complete_plan_action(
            _actor(request, access), item, form.cleaned_data["done_on"]
        ),
        title=f"Action done: {item.action}", button="Save", done="Action marked done",
    )  # fmt: skip
