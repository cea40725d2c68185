"""Pages of information governance: the register of sharing agreements (read by anyone
signed in of the partnership; made and changed by community safety officers and staff),
signing for one's organisation, and the audit trail a supervisor reads of their own staff.

Who may do what is decided in `saferplaces.governance.register`; everyone else is
answered 404. Writes go through `services` and `register`, each with its audit event.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from saferplaces.governance import audit, register, services
from saferplaces.governance.catalogue import TEMPLATES, Purpose
from saferplaces.governance.forms import InviteForm, NewAgreementForm, StatusForm, TrailFilterForm
from saferplaces.governance.models import AgreementStatus, SharingAgreement
from saferplaces.governance.pages import casework_page, client_address
from saferplaces.partnership.models.people import PersonRole


def _actor(request: HttpRequest) -> audit.Actor:
    person = register.person_of(request.user)
    organisation = person.organisation.name if person else ""
    return audit.Actor(request.user, organisation, client_address(request))


def _apply_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form (field errors where they belong)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _agreement_url(agreement: SharingAgreement) -> str:
    return reverse("governance:agreement", kwargs={"pk": agreement.pk})


# The register -------------------------------------------------------------------------


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    by_place: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    agreements = sorted(
        register.readable_agreements(request.user),
        key=lambda a: (a.place.name, a.get_purpose_display(), a.title),
    )
    for agreement in agreements:
        parties = list(agreement.parties.all())
        by_place.setdefault(agreement.place.name, []).append(
            {
                "agreement": agreement,
                "signed": [p for p in parties if p.signed_on],
                "invited": [p for p in parties if not p.signed_on],
                "lawful_basis": [
                    line for line in agreement.lawful_basis.splitlines() if line.strip()
                ],
                "standing": register.standing(agreement, today),
            }
        )
    context = {
        "partnerships": list(by_place.items()),
        "can_manage": register.can_manage_agreements(request.user),
    }
    return render(request, "governance/agreement_list.html", context)


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = register.readable_agreement(request.user, pk)
    person = register.person_of(request.user)
    parties = list(agreement.parties.select_related("organisation", "signed_by__user"))
    my_party = next(
        (
            p
            for p in parties
            if person is not None
            and p.organisation_id == person.organisation_id
            and p.signed_on is None
            and register.can_sign_for(person, p.organisation)
        ),
        None,
    )
    roles = dict(PersonRole.choices)
    context = {
        "agreement": agreement,
        "standing": register.standing(agreement),
        "parties": parties,
        "lawful_basis": [line for line in agreement.lawful_basis.splitlines() if line.strip()],
        "panels": list(agreement.panels.order_by("name")),
        "identifying_roles": [roles.get(r, r) for r in agreement.identifying_roles or []],
        "history": register.history(agreement),
        "can_manage": register.can_manage_agreements(request.user),
        "can_sign": my_party is not None and agreement.status != AgreementStatus.ENDED,
        "my_organisation": person.organisation if person else None,
        "next_statuses": register.next_statuses(agreement),
        "can_invite": agreement.status != AgreementStatus.ENDED,
    }
    return render(request, "governance/agreement_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest) -> HttpResponse:
    register.require_manager(request.user)
    places = register.manageable_places(request.user)
    form = NewAgreementForm(request.POST if request.method == "POST" else None, places=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.agreement_from_template(
                _actor(request),
                data["place"],
                data["purpose"],
                panels=data["panels"],
                starts_on=data["starts_on"],
                dpia_reference=data["dpia_reference"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"Draft agreement made: {agreement.title}")
            return redirect(_agreement_url(agreement))
    context = {
        "form": form,
        "templates": [(Purpose(t.purpose).label, t) for t in TEMPLATES.values()],
    }
    return render(
        request, "governance/agreement_new.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_invite(request: HttpRequest, pk: int) -> HttpResponse:
    register.require_manager(request.user)
    agreement = register.readable_agreement(request.user, pk)
    form = InviteForm(request.POST if request.method == "POST" else None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            register.invite_party(_actor(request), agreement, organisation)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"{organisation.name} invited to sign")
            return redirect(_agreement_url(agreement))
    context = {
        "form": form,
        "agreement": agreement,
        "title": "Invite an organisation",
        "button": "Invite",
    }
    return render(
        request, "governance/agreement_form.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign for one's own organisation: a board member or community safety officer of an
    invited organisation. Everyone else: 404. Signing again changes nothing."""
    agreement = register.readable_agreement(request.user, pk)
    person = register.person_of(request.user)
    if person is None or not register.can_sign_for(person, person.organisation):
        raise Http404("No such page")
    party = agreement.parties.filter(organisation=person.organisation).first()
    if party is None:
        raise Http404("No such page")
    if party.signed_on is not None:
        messages.success(
            request,
            f"{person.organisation.name} already signed on {party.signed_on:%d %B %Y}",
        )
        return redirect(_agreement_url(agreement))
    form = Form(request.POST if request.method == "POST" else None)
    if agreement.status == AgreementStatus.ENDED:
        form.add_error(None, "This agreement has ended: it can no longer be signed")
    elif request.method == "POST":
        services.sign_agreement(
            _actor(request), agreement, person.organisation, person, timezone.localdate()
        )
        messages.success(request, f"Signed for {person.organisation.name}")
        return redirect(_agreement_url(agreement))
    context = {"form": form, "agreement": agreement, "organisation": person.organisation}
    return render(
        request, "governance/agreement_sign.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_status(request: HttpRequest, pk: int, status: str) -> HttpResponse:
    register.require_manager(request.user)
    agreement = register.readable_agreement(request.user, pk)
    offered = dict(register.next_statuses(agreement))
    if status not in offered:
        raise Http404("No such page")
    verb = offered[status]
    reason_required = register.TRANSITIONS[status][2]
    form = StatusForm(
        request.POST if request.method == "POST" else None,
        reason_required=reason_required,
        verb=verb,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_agreement_status(
                _actor(request), agreement, status, reason=form.cleaned_data["reason"].strip()
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(
                request, f"Agreement {agreement.get_status_display().lower()}: {agreement.title}"
            )
            return redirect(_agreement_url(agreement))
    leads: dict[str, str] = {
        AgreementStatus.ACTIVE: "Once active, members of the panels it covers who act for an "
        "organisation that has signed see those panels' casework, from the start date to "
        "the end date.",
        AgreementStatus.SUSPENDED: "Suspending closes the access the agreement gives at once. "
        "It can be activated again.",
        AgreementStatus.ENDED: "Ending closes the access the agreement gives for good.",
    }
    lead = leads[status]
    context = {
        "form": form,
        "agreement": agreement,
        "title": f"{verb} the agreement",
        "button": f"{verb} the agreement",
        "lead": lead,
        "warning": status != AgreementStatus.ACTIVE,
    }
    return render(
        request, "governance/agreement_form.html", context, status=400 if form.errors else 200
    )


# The audit trail for supervisors -----------------------------------------------------


@casework_page
def audit_staff(request: HttpRequest) -> HttpResponse:
    """The people whose trail the signed-in supervisor may read."""
    staff = register.supervised(request.user)
    return render(request, "governance/audit_staff.html", {"staff": staff})


@casework_page
def audit_trail(request: HttpRequest, username: str) -> HttpResponse:
    """A member of staff's audit events, newest first, 50 a page; for their supervisor."""
    staff = register.trail_owner(request.user, username)
    form = TrailFilterForm(request.GET or None)
    page = None
    newer_url = older_url = ""
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        date_from, date_to, before = data.get("date_from"), data.get("date_to"), data.get("before")
        page = register.trail_page(staff, before=before, date_from=date_from, date_to=date_to)
        register.record_trail_read(
            _actor(request), staff, date_from=date_from, date_to=date_to, before=before
        )
        dates = {k: v.isoformat() for k, v in (("date_from", date_from), ("date_to", date_to)) if v}
        base = reverse("governance:audit_trail", kwargs={"username": username})
        if page.older is not None:
            older_url = f"{base}?{urlencode({**dates, 'before': page.older})}"
        if before is not None:
            newer_url = f"{base}?{urlencode(dates)}" if dates else base
    context = {
        "staff": staff,
        "form": form,
        "page": page,
        "older_url": older_url,
        "newest_url": newer_url,
    }
    return render(
        request, "governance/audit_trail.html", context, status=400 if form.errors else 200
    )
