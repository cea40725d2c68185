"""The demo's review panel and one plainly fictional review in progress.

`load(place)` (idempotent) gives the demo district (West Lancashire) its review panel: a
restricted multi-agency panel under the CSP Executive Group, with the council's community
safety officer, police, health and probation on it, and the probation panel coordinator
(whose role sees identifying details under the agreement); a sharing agreement from the
death review template, signed by each member's organisation and active; and one review in
progress: decided to hold, chair appointed, IMRs requested and one received, the
completion clock running. Call it after the partnership demo (it needs its people).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from saferplaces.death_reviews import services
from saferplaces.death_reviews.models import Circumstances, DeathReview, review_name
from saferplaces.governance import audit
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import AgreementStatus, SharingAgreement
from saferplaces.governance.services import (
    agreement_from_template,
    set_agreement_status,
    sign_agreement,
)
from saferplaces.partnership import services as partnership
from saferplaces.partnership.models import Group, Organisation, Person, Place
from saferplaces.partnership.models.groups import GroupKind, MembershipRole

EXECUTIVE_SUFFIX = "-csp-executive-group"
PSEUDONYM = "Adult R (fictional)"
MEMBERS = [
    ("officer", MembershipRole.CHAIR),
    ("police", MembershipRole.MEMBER),
    ("health", MembershipRole.MEMBER),
    ("probation", MembershipRole.MEMBER),
    ("coordinator", MembershipRole.SECRETARIAT),
]


def _panel(place: Place) -> Group:
    parent = Group.objects.filter(slug=f"{place.slug}{EXECUTIVE_SUFFIX}").first()
    group = partnership.upsert_group(
        None,
        slug=f"{place.slug}-dhr-panel",
        name=f"{place.name} {review_name()} Panel",
        kind=GroupKind.PANEL,
        place=place,
        purpose="Decides whether to hold a review after a death that has, or appears to have, "
        "resulted from domestic abuse, commissions the independent chair and oversees the "
        "review to publication and its action plan to completion.",
        cadence="As needed",
        parent=parent,
        restricted=True,
    )
    for username, role in MEMBERS:
        person = Person.objects.filter(user__username=username).first()
        if person is not None:
            partnership.upsert_membership(None, group=group, person=person, role=role)
    return group


def _agreement(actor: audit.Actor, place: Place, group: Group, today: datetime.date) -> None:
    agreement = (
        SharingAgreement.objects.filter(place=place, purpose=Purpose.DEATH_REVIEW, panels=group)
        .order_by("pk")
        .first()
    )
    if agreement is None:
        start = today - datetime.timedelta(days=200)
        agreement = agreement_from_template(
            actor, place, Purpose.DEATH_REVIEW, panels=[group], starts_on=start,
            expires_on=start + datetime.timedelta(days=3 * 365), dpia_reference="DEMO-DPIA-DHR",
        )  # fmt: skip
    for membership in group.memberships.select_related("organisation", "person"):
        sign_agreement(
            actor, agreement, membership.organisation, membership.person, agreement.starts_on
        )
    if agreement.status != AgreementStatus.ACTIVE:
        set_agreement_status(actor, agreement, AgreementStatus.ACTIVE, reason="demo")


def _organisation(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()


def _review(actor: audit.Actor, group: Group, today: datetime.date) -> DeathReview | None:
    existing = DeathReview.objects.filter(group=group, pseudonym=PSEUDONYM).first()
    if existing is not None:
        return existing
    police = _organisation("lancashire-constabulary")
    if police is None:
        return None
    notified = today - datetime.timedelta(days=120)
    review = services.notify(
        actor, group,
        pseudonym=PSEUDONYM, real_name="Robin Imaginary-Person", age_at_death=34,
        date_of_death=notified - datetime.timedelta(days=6), circumstances=Circumstances.HOMICIDE,
        notified_by=police, notified_on=notified,
    )  # fmt: skip
    services.start_scoping(actor, review, notified + datetime.timedelta(days=2))
    decided = notified + datetime.timedelta(days=21)
    services.decide(
        actor, review, held=True, on=decided,
        reasons="The death appears to have resulted from violence by an intimate partner; "
        "several agencies had contact with the couple in the year before. (Demo: fictional.)",
    )  # fmt: skip
    services.inform_home_office(actor, review, decided + datetime.timedelta(days=3))
    appointed = decided + datetime.timedelta(days=24)
    services.appoint_panel(actor, review, chair_name="Independent Chair (fictional)", on=appointed)
    requested = appointed + datetime.timedelta(days=5)
    agencies = ["lancashire-constabulary", "nhs-west-lancashire-ccg", "lancashire-probation-crc"]
    imrs = []
    for slug in agencies:
        agency = _organisation(slug)
        if agency is not None:
            imrs.append(
                services.request_imr(
                    actor,
                    review,
                    agency=agency,
                    requested_on=requested,
                    due_on=requested + datetime.timedelta(weeks=8),
                )
            )
    if imrs:
        services.receive_imr(actor, imrs[0], requested + datetime.timedelta(days=40))
    services.record_family_contact(
        actor, review, contacted_on=notified + datetime.timedelta(days=25), relationship="Sister",
        name="Sam Imaginary-Person", advocacy_offered=True,
        advocacy_by="A specialist advocacy service for families (fictional)",
        terms_of_reference_input=True,
        notes="Asked that the review look at the agencies' contact in the last year. (Demo.)",
    )  # fmt: skip
    return review


@transaction.atomic
def load(
    place: Place, actor: audit.Actor | None = None, today: datetime.date | None = None
) -> DeathReview | None:
    """Load (or leave as it is) the demo review panel, its agreement and its one review."""
    who = actor or audit.SYSTEM
    day = today or timezone.localdate()
    group = _panel(place)
    _agreement(who, place, group, day)
    return _review(who, group, day)
