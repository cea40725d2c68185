"""Every write to the register of sharing agreements: atomic, each with its audit event."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from saferplaces.governance import audit
from saferplaces.governance.catalogue import TEMPLATES
from saferplaces.governance.models import (
    AgreementParty,
    AgreementStatus,
    AuditAction,
    SharingAgreement,
)
from saferplaces.partnership.models import Group, Organisation, Person, Place


def _snapshot(agreement: SharingAgreement) -> dict[str, object]:
    return {
        "title": agreement.title,
        "status": agreement.status,
        "starts_on": agreement.starts_on,
        "expires_on": agreement.expires_on,
        "review_on": agreement.review_on,
        "panels": sorted(agreement.panels.values_list("slug", flat=True)),
        "identifying_roles": agreement.identifying_roles,
    }


@transaction.atomic
def agreement_from_template(
    actor: audit.Actor,
    place: Place,
    purpose: str,
    *,
    panels: Iterable[Group],
    starts_on: datetime.date,
    expires_on: datetime.date | None = None,
    dpia_reference: str = "",
) -> SharingAgreement:
    """One partnership-wide agreement for a purpose, from its template: a draft that each
    party then signs up to. Expires a year after it starts unless told otherwise."""
    template = TEMPLATES.get(purpose)
    if template is None:
        raise ValidationError({"purpose": f"No template for {purpose!r}: choose a listed purpose"})
    ends = expires_on or starts_on.replace(year=starts_on.year + 1) - datetime.timedelta(days=1)
    agreement = SharingAgreement.objects.create(
        place=place,
        title=f"{place.name}: {template.title}",
        purpose=purpose,
        lawful_basis=template.lawful_basis,
        data_items=template.data_items,
        retention=template.retention,
        dpia_reference=dpia_reference,
        starts_on=starts_on,
        expires_on=ends,
        review_on=ends,
    )
    agreement.panels.set(list(panels))
    audit.record(
        actor, AuditAction.CREATE, "sharing_agreement", agreement.pk,
        f"Sharing agreement drafted: {agreement.title}", after=_snapshot(agreement),
    )  # fmt: skip
    return agreement


@transaction.atomic
def sign_agreement(
    actor: audit.Actor,
    agreement: SharingAgreement,
    organisation: Organisation,
    signed_by: Person | None,
    signed_on: datetime.date,
) -> AgreementParty:
    """Record an organisation's signature (it becomes a party). Signing twice changes nothing."""
    party, _ = AgreementParty.objects.get_or_create(agreement=agreement, organisation=organisation)
    if party.signed_on is None:
        party.signed_by, party.signed_on = signed_by, signed_on
        party.save()
        audit.record(
            actor, AuditAction.UPDATE, "sharing_agreement", agreement.pk,
            f"{organisation.name} signed {agreement.title}",
            after={"party": organisation.name, "signed_on": signed_on},
        )  # fmt: skip
    return party


@transaction.atomic
def set_agreement_status(
    actor: audit.Actor, agreement: SharingAgreement, status: str, *, reason: str = ""
) -> SharingAgreement:
    """Activate, suspend or end an agreement. Suspending or ending closes the access it gave."""
    if status not in AgreementStatus.values:
        raise ValidationError({"status": f"Unknown status {status!r}"})
    if (
        status == AgreementStatus.ACTIVE
        and not agreement.parties.filter(signed_on__isnull=False).exists()
    ):
        raise ValidationError({"status": "No party has signed yet: record a signature first"})
    before = _snapshot(agreement)
    agreement.status = status
    agreement.save(update_fields=["status"])
    audit.record(
        actor, AuditAction.UPDATE, "sharing_agreement", agreement.pk,
        f"Sharing agreement {agreement.get_status_display().lower()}: {agreement.title}"
        + (f" ({reason})" if reason else ""),
        before=before, after=_snapshot(agreement),
    )  # fmt: skip
    return agreement
