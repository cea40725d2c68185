"""Pages of ASB Case Reviews. Every page is a casework page (`casework_page`: signed in,
never cached); every review page asks `require_panel_access` on the review's panel and
answers 404 to anyone else; every page shown writes an audit event (VIEW, SEARCH when a
list is filtered, EXPORT for the CSV); every change goes through `services`."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from saferplaces.asb_case_reviews import figures as annual
from saferplaces.asb_case_reviews import services
from saferplaces.asb_case_reviews.clocks import review_clocks
from saferplaces.asb_case_reviews.forms import (
    AcknowledgementForm,
    AppealForm,
    ApplicationForm,
    ContactsForm,
    IncidentForm,
    OutcomeForm,
    PolicingBodyReviewForm,
    RecommendationForm,
    ReportForm,
    ThresholdForm,
    default_year,
)
from saferplaces.asb_case_reviews.models import AsbReport, CaseReview, ThresholdSetting
from saferplaces.governance import audit
from saferplaces.governance.access import PanelAccess, panels_visible_to, require_panel_access
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import AuditAction, SharingAgreement
from saferplaces.governance.pages import casework_page, client_address
from saferplaces.partnership.models import Group, Person, Place

OBJECT = services.OBJECT


def _actor(request: HttpRequest, access: PanelAccess | None) -> audit.Actor:
    organisation = access.organisation.name if access is not None else ""
    return audit.Actor(request.user, organisation, client_address(request))


def _asb_panels(request: HttpRequest) -> QuerySet[Group]:
    """Panels the user may see that an ASB Case Review agreement in force covers."""
    covered = SharingAgreement.objects.in_force().filter(purpose=Purpose.ASB_CASE_REVIEW)
    return (
        panels_visible_to(request.user)
        .filter(sharing_agreements__in=covered)
        .select_related("place")
        .distinct()
    )


def _review(request: HttpRequest, reference: str) -> tuple[CaseReview, PanelAccess]:
    """The review and the user's access to its panel; 404 when either is missing."""
    review = get_object_or_404(
        CaseReview.objects.select_related("group__place", "contact__user", "contact__organisation"),
        reference=reference,
    )
    return review, require_panel_access(request.user, review.group)


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message.messages)
    else:
        form.add_error(None, error.messages)


def _review_url(review: CaseReview) -> str:
    return reverse("asb_case_reviews:review", args=[review.reference])


# Lists ---------------------------------------------------------------------------------


@casework_page
def review_list(request: HttpRequest) -> HttpResponse:
    """Reviews of every panel the user may see, with their clocks; overdue ones flagged."""
    visible = panels_visible_to(request.user)
    reviews = list(
        CaseReview.objects.filter(group__in=visible)
        .select_related("group__place")
        .order_by("-received_on", "-reference")
    )
    show = request.GET.get("show", "")
    today = timezone.localdate()
    settings_by_place: dict[int, ThresholdSetting] = {}
    rows = []
    for review in reviews:
        place = review.group.place
        if place.pk not in settings_by_place:
            settings_by_place[place.pk] = ThresholdSetting.for_place(place)
        clocks = review_clocks(review, today, settings_by_place[place.pk])
        overdue = [c for c in clocks if c.overdue]
        if show == "open" and review.closed_on is not None:
            continue
        if show == "overdue" and not overdue:
            continue
        rows.append({"review": review, "clocks": clocks, "overdue": overdue})
    overdue_rows = [row for row in rows if row["overdue"]]
    organisation = _list_organisation(request)
    actor = audit.Actor(request.user, organisation, client_address(request))
    if show in {"open", "overdue"}:
        audit.record(
            actor, AuditAction.SEARCH, OBJECT, "", f"Listed ASB Case Reviews ({show})",
            after={"show": show, "results": len(rows)},
        )  # fmt: skip
    else:
        audit.record(
            actor, AuditAction.VIEW, OBJECT, "", "Listed ASB Case Reviews",
            after={"results": len(rows)},
        )  # fmt: skip
    return render(
        request,
        "asb_case_reviews/list.html",
        {
            "rows": rows,
            "overdue_rows": overdue_rows,
            "show": show,
            "can_add": _asb_panels(request).exists(),
            "filters": [("", "All"), ("open", "Open"), ("overdue", "Overdue")],
        },
    )


def _list_organisation(request: HttpRequest) -> str:
    """The user's own organisation, for audit events that concern no single panel."""
    person = (
        Person.objects.select_related("organisation")
        .filter(user_id=int(request.user.pk or 0))
        .first()
    )
    return person.organisation.name if person is not None else ""


# A new application ---------------------------------------------------------------------


@casework_page
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest) -> HttpResponse:
    panels = _asb_panels(request)
    if not panels.exists():
        raise Http404("No such page")
    form = ApplicationForm(request.POST or None, groups=panels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        access = require_panel_access(request.user, data["group"])
        try:
            review = services.create_review(
                _actor(request, access),
                data["group"],
                received_on=data["received_on"],
                summary=data["summary"],
                applicant_name=data["applicant_name"],
                applicant_kind=data["applicant_kind"],
                applicant_contact=data["applicant_contact"],
                consent_recorded_on=data["consent_recorded_on"],
                victim_vulnerable=data["victim_vulnerable"],
                contact=data["contact"],
                chair_name=data["chair_name"],
                chair_organisation=data["chair_organisation"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Application {review.reference} recorded")
            return redirect(_review_url(review))
    audit.record(
        audit.Actor(request.user, _list_organisation(request), client_address(request)),
        AuditAction.VIEW, OBJECT, "", "Opened the form for a new ASB Case Review application",
    )  # fmt: skip
    return render(
        request,
        "asb_case_reviews/form.html",
        {
            "form": form,
            "title": "Record an application for an ASB Case Review",
            "caption": "ASB Case Reviews",
            "button": "Record the application",
            "back": reverse("asb_case_reviews:list"),
            "back_label": "ASB Case Reviews",
        },
    )


# One review ----------------------------------------------------------------------------


@casework_page
def review_detail(request: HttpRequest, reference: str) -> HttpResponse:
    review, access = _review(request, reference)
    setting = ThresholdSetting.for_place(review.group.place)
    today = timezone.localdate()
    audit.record(
        _actor(request, access), AuditAction.VIEW, OBJECT, review.reference,
        f"Viewed ASB Case Review {review.reference}",
        after={"identifying": access.identifying},
    )  # fmt: skip
    return render(
        request,
        "asb_case_reviews/detail.html",
        {
            "review": review,
            "access": access,
            "clocks": review_clocks(review, today, setting),
            "incidents": list(review.incidents.all()),
            "recommendations": list(review.recommendations.all()),
            "setting": setting,
            "policing_body": settings.POLICING_BODY,
            "show_policing_body": setting.threshold_not_met_review
            or review.policing_body_review_requested_on is not None,
            "decided_by": _user_name(review.threshold_decided_by),
        },
    )


def _user_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


Save = Callable[[audit.Actor, CaseReview, Any], object]


def _review_form(
    request: HttpRequest,
    reference: str,
    *,
    form_class: Callable[..., forms.Form],
    title: str,
    button: str,
    save: Save,
    done: str,
    initial: Callable[[CaseReview], dict[str, Any]] | None = None,
    form_kwargs: Callable[[CaseReview], dict[str, Any]] | None = None,
    extra: Callable[[CaseReview], dict[str, Any]] | None = None,
    allowed: Callable[[CaseReview], bool] | None = None,
) -> HttpResponse:
    """A form about one review: 404 without access, VIEW audited when shown, saved by a
    service (which writes its own audit event), then back to the review."""
    review, access = _review(request, reference)
    if allowed is not None and not allowed(review):
        raise Http404("No such page")
    actor = _actor(request, access)
    kwargs = form_kwargs(review) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
    else:
        form = form_class(initial=initial(review) if initial else None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(actor, review, form)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(_review_url(review))
    audit.record(
        actor, AuditAction.VIEW, OBJECT, review.reference,
        f"Opened '{title}' for {review.reference}",
    )  # fmt: skip
    context = {
        "form": form,
        "review": review,
        "title": title,
        "caption": review.reference,
        "button": button,
        "back": _review_url(review),
        "back_label": review.reference,
    }
    if extra is not None:
        context |= extra(review)
    return render(request, "asb_case_reviews/form.html", context)


@casework_page
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest, reference: str) -> HttpResponse:
    def save(actor: audit.Actor, review: CaseReview, form: Any) -> object:
        return services.add_incident(actor, review, **form.cleaned_data)

    return _review_form(
        request, reference, form_class=IncidentForm, title="Add a reported incident",
        button="Add the incident", save=save, done="Incident added",
    )  # fmt: skip


@casework_page
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    def save(actor: audit.Actor, review: CaseReview, form: Any) -> object:
        return services.record_acknowledgement(actor, review, form.cleaned_data["acknowledged_on"])

    return _review_form(
        request, reference, form_class=AcknowledgementForm, title="Record the acknowledgement",
        button="Save", save=save, done="Acknowledgement recorded",
        initial=lambda r: {"acknowledged_on": r.acknowledged_on or timezone.localdate()},
    )  # fmt: skip


@casework_page
@require_http_methods(["GET", "POST"])
def contacts(request: HttpRequest, reference: str) -> HttpResponse:
    def save(actor: audit.Actor, review: CaseReview, form: Any) -> object:
        return services.set_contacts(actor, review, **form.cleaned_data)

    return _review_form(
        request, reference, form_class=ContactsForm,
        title="Single point of contact and independent chair", button="Save", save=save,
        done="Contact and chair recorded",
        initial=lambda r: {"contact": r.contact, "chair_name": r.chair_name,
                           "chair_organisation": r.chair_organisation},
        form_kwargs=lambda r: {"group": r.group},
    )  # fmt: skip


@casework_page
@require_http_methods(["GET", "POST"])
def threshold(request: HttpRequest, reference: str) -> HttpResponse:
    def save(actor: audit.Actor, review: CaseReview, form: Any) -> object:
        return services.decide_threshold(
            actor, review, decided_on=form.cleaned_data["decided_on"], met=form.met(),
            reason=form.cleaned_data["reason"],
        )  # fmt: skip

    def extra(review: CaseReview) -> dict[str, Any]:
        setting = ThresholdSetting.for_place(review.group.place)
        return {
            "engine": services.assess_review(review),
            "setting": setting,
            "incident_count": review.incidents.count(),
        }

    return _review_form(
        request, reference, form_class=ThresholdForm, title="Decide the threshold",
        button="Record the decision", save=save, done="Threshold decision recorded",
        initial=lambda r: {"decided_on": timezone.localdate()}, extra=extra,
    )  # fmt: skip


@casework_page
@require_http_methods(["GET", "POST"])
def outcome(request: HttpRequest, reference: str) -> HttpResponse:
    def save(actor: audit.Actor, review: CaseReview, form: Any) -> object:
        return services.record_outcome(actor, review, **form.cleaned_data)

    return _review_form(
        request, reference, form_class=OutcomeForm, title="Record the review meeting and outcome",
        button="Save", save=save, done="Review meeting and outcome recorded",
        initial=lambda r: {"meeting_on": r.meeting_on, "outcome": r.outcome,
                           "applicant_told_on": r.applicant_told_on},
        allowed=lambda r: bool(r.threshold_met),
    )  # fmt: skip


@casework_page
@require_http_methods(["GET", "POST"])
def recommendation_new(request: HttpRequest, reference: str) -> HttpResponse:
    def save(actor: audit.Actor, review: CaseReview, form: Any) -> object:
        return services.add_recommendation(actor, review, **form.cleaned_data)

    return _review_form(
        request, reference, form_class=RecommendationForm, title="Add a recommendation",
        button="Add the recommendation", save=save, done="Recommendation added",
        allowed=lambda r: bool(r.threshold_met),
    )  # fmt: skip


@casework_page
@require_POST
def recommendation_done(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    review, access = _review(request, reference)
    recommendation = get_object_or_404(review.recommendations, pk=pk)
    services.complete_recommendation(_actor(request, access), recommendation, timezone.localdate())
    messages.success(request, "Recommendation marked done")
    return redirect(_review_url(review))


@casework_page
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, reference: str) -> HttpResponse:
    def save(actor: audit.Actor, review: CaseReview, form: Any) -> object:
        return services.record_appeal(
            actor, review, lodged_on=form.cleaned_data["lodged_on"],
            decided_on=form.cleaned_data["decided_on"], upheld=form.upheld_value(),
            notes=form.cleaned_data["notes"],
        )  # fmt: skip

    def initial(review: CaseReview) -> dict[str, Any]:
        upheld = {None: "", True: "yes", False: "no"}[review.appeal_upheld]
        return {
            "lodged_on": review.appeal_lodged_on, "decided_on": review.appeal_decided_on,
            "upheld": upheld, "notes": review.appeal_notes,
        }  # fmt: skip

    return _review_form(
        request, reference, form_class=AppealForm, title="Record an appeal", button="Save",
        save=save, done="Appeal recorded", initial=initial,
        allowed=lambda r: r.threshold_met is not None,
    )  # fmt: skip


@casework_page
@require_http_methods(["GET", "POST"])
def policing_body_review(request: HttpRequest, reference: str) -> HttpResponse:
    def save(actor: audit.Actor, review: CaseReview, form: Any) -> object:
        return services.record_policing_body_review(actor, review, **form.cleaned_data)

    def allowed(review: CaseReview) -> bool:
        setting = ThresholdSetting.for_place(review.group.place)
        return setting.threshold_not_met_review and review.threshold_met is False

    body = settings.POLICING_BODY
    return _review_form(
        request, reference, form_class=PolicingBodyReviewForm,
        title=f"Review of 'threshold not met' by the {body}", button="Save", save=save,
        done=f"Review by the {body} recorded", allowed=allowed,
        initial=lambda r: {"requested_on": r.policing_body_review_requested_on,
                           "decided_on": r.policing_body_review_decided_on,
                           "outcome": r.policing_body_review_outcome},
    )  # fmt: skip


# The 2025 guidance: a person's second report -------------------------------------------


@casework_page
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Log a person's report of ASB; the next page says whether to tell them of their right."""
    panels = _asb_panels(request)
    if not panels.exists():
        raise Http404("No such page")
    form = ReportForm(request.POST or None, groups=panels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        access = require_panel_access(request.user, data["group"])
        try:
            report, _ = services.log_report(
                _actor(request, access), data["group"], reporter=data["reporter"],
                reported_on=data["reported_on"], location=data["location"],
                description=data["description"],
            )  # fmt: skip
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect(reverse("asb_case_reviews:report", args=[report.pk]))
    audit.record(
        audit.Actor(request.user, _list_organisation(request), client_address(request)),
        AuditAction.VIEW, "asb_report", "", "Opened the form to log an ASB report",
    )  # fmt: skip
    return render(
        request,
        "asb_case_reviews/form.html",
        {
            "form": form,
            "title": "Log a report of anti-social behaviour",
            "caption": "ASB Case Reviews",
            "lead": "When this is the person's second report within 6 months, you will be "
            "asked to tell them of their right to an ASB Case Review.",
            "button": "Log the report",
            "back": reverse("asb_case_reviews:list"),
            "back_label": "ASB Case Reviews",
        },
    )


@casework_page
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AsbReport.objects.select_related("group", "place"), pk=pk)
    access = require_panel_access(request.user, report.group)
    check = services.second_report_check(
        report.place, report.reporter, report.reported_on, exclude=[report.pk]
    )
    audit.record(
        _actor(request, access), AuditAction.VIEW, "asb_report", report.pk,
        f"Viewed an ASB report logged for {report.place.name}",
    )  # fmt: skip
    return render(
        request,
        "asb_case_reviews/report.html",
        {"report": report, "check": check, "access": access},
    )


# Annual figures ------------------------------------------------------------------------


def _figures(request: HttpRequest) -> tuple[annual.AnnualFigures, list[Place], list[int]]:
    """The partnership and year asked for, among the places whose panels the user sees."""
    places = list(
        Place.objects.filter(groups__in=panels_visible_to(request.user)).distinct().order_by("name")
    )
    if not places:
        raise Http404("No such page")
    slug = request.GET.get("place") or places[0].slug
    place = next((p for p in places if p.slug == slug), None)
    if place is None:
        raise Http404("No such page")
    today = timezone.localdate()
    latest = annual.financial_year_of(today)
    years = list(range(latest, latest - 8, -1))
    try:
        year = int(request.GET.get("year") or default_year(today))
    except ValueError:
        raise Http404("No such page") from None
    if year not in years:
        raise Http404("No such page")
    return annual.annual_figures(place, year), places, years


@casework_page
def figures(request: HttpRequest) -> HttpResponse:
    result, places, years = _figures(request)
    published = result.published()
    audit.record(
        audit.Actor(request.user, _list_organisation(request), client_address(request)),
        AuditAction.VIEW, "asb_case_review_figures", result.place.slug,
        f"Viewed ASB Case Review figures for {result.place.name}, {result.label}",
    )  # fmt: skip
    return render(
        request,
        "asb_case_reviews/figures.html",
        {
            "result": result,
            "rows": [(name, published[key]) for key, name in annual.MEASURES],
            "places": places,
            "years": [(y, annual.label(y)) for y in years],
            "threshold": next(iter(published.values())).threshold,
            "first": annual.financial_year(result.start_year)[0],
            "last": annual.financial_year(result.start_year)[1],
        },
    )


@casework_page
def figures_csv(request: HttpRequest) -> HttpResponse:
    result, _, _ = _figures(request)
    published = result.published()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"asb-case-reviews-{result.place.slug}-{result.start_year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["partnership", "financial_year", "measure", "value"])
    for key, name in annual.MEASURES:
        writer.writerow([result.place.name, result.label, name, published[key].export])
    audit.record(
        audit.Actor(request.user, _list_organisation(request), client_address(request)),
        AuditAction.EXPORT, "asb_case_review_figures", result.place.slug,
        f"Exported ASB Case Review figures for {result.place.name}, {result.label} (CSV)",
        after={key: published[key].export for key, _ in annual.MEASURES},
    )  # fmt: skip
    return response
