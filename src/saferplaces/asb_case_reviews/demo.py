"""The demo's ASB Case Review panel and one plainly fictional review under way.

`load(place)` is called by the demo loader for West Lancashire after its people and
groups exist. It is idempotent: run twice, nothing is duplicated.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from saferplaces.asb_case_reviews import services
from saferplaces.asb_case_reviews.models import ApplicantKind, CaseReview, ThresholdSetting
from saferplaces.casework.rules.workdays import add_working_days, is_working_day
from saferplaces.governance import audit
from saferplaces.governance import services as governance
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import AgreementStatus, AuditAction, SharingAgreement
from saferplaces.partnership import services as partnership
from saferplaces.partnership.models import Group, Person, Place
from saferplaces.partnership.models.groups import GroupKind, MembershipRole
from saferplaces.partnership.models.people import PersonRole

PANEL_NAME = "ASB Case Review Panel"
MEMBERS = (
    ("officer", MembershipRole.CHAIR),
    ("police", MembershipRole.MEMBER),
    ("housing", MembershipRole.MEMBER),
)
# The single point of contact (a community safety officer) and the panel's coordinators
# see the applicant's details; everyone else on the panel works on the reference.
IDENTIFYING_ROLES = [PersonRole.COMMUNITY_SAFETY_OFFICER.value, PersonRole.PANEL_COORDINATOR.value]


def _working_days_before(day: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day before ``day``."""
    while n:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def _panel(place: Place) -> Group:
    parent = (
        Group.objects.filter(place=place, kind=GroupKind.STRATEGY).order_by("pk").first()
        or Group.objects.filter(place=place).exclude(kind=GroupKind.PANEL).order_by("pk").first()
    )
    return partnership.upsert_group(
        None,
        slug=f"{place.slug}-asb-case-review-panel",
        name=PANEL_NAME,
        kind=GroupKind.PANEL,
        place=place,
        parent=parent,
        restricted=True,
        cadence="As needed",
        purpose="Holds ASB Case Reviews (the Community Trigger, Anti-social Behaviour, Crime "
        "and Policing Act 2014 s.104): decides whether an application meets the threshold, "
        "reviews the agencies' response with an independent chair and makes recommendations.",
    )


def _agreement(
    actor: audit.Actor, place: Place, panel: Group, people: dict[str, Person], today: datetime.date
) -> SharingAgreement:
    existing = (
        SharingAgreement.objects.in_force(today)
        .filter(place=place, purpose=Purpose.ASB_CASE_REVIEW, panels=panel)
        .first()
    )
    if existing is not None:
        return existing
    starts = today - datetime.timedelta(days=90)
    agreement = governance.agreement_from_template(
        actor,
        place,
        Purpose.ASB_CASE_REVIEW,
        panels=[panel],
        starts_on=starts,
        dpia_reference="DEMO-DPIA-ACR-1 (fictional)",
    )
    before = {"identifying_roles": agreement.identifying_roles}
    agreement.identifying_roles = IDENTIFYING_ROLES
    agreement.save(update_fields=["identifying_roles"])
    audit.record(
        actor, AuditAction.UPDATE, "sharing_agreement", agreement.pk,
        f"Roles that see identifying details set for {agreement.title}",
        before=before, after={"identifying_roles": IDENTIFYING_ROLES},
    )  # fmt: skip
    for person in people.values():
        governance.sign_agreement(actor, agreement, person.organisation, person, starts)
    governance.set_agreement_status(actor, agreement, AgreementStatus.ACTIVE)
    return agreement


def _review(
    actor: audit.Actor, panel: Group, people: dict[str, Person], today: datetime.date
) -> CaseReview:
    existing = CaseReview.objects.filter(group=panel).order_by("pk").first()
    if existing is not None:
        return existing
    received = _working_days_before(today, 31)
    review = services.create_review(
        actor,
        panel,
        received_on=received,
        summary="Noise, shouting and intimidation from a neighbouring flat (fictional)",
        applicant_name="Avery Madeup (fictional)",
        applicant_kind=ApplicantKind.VICTIM,
        applicant_contact="1 Nowhere Lane, Exampleton (a fictional address)\navery@demo.invalid",
        victim_vulnerable=False,
        contact=people["officer"],
        chair_name="Lee Independent (fictional)",
        chair_organisation="Exampleshire Community Safety Partnership, a fictional neighbour",
    )
    reports = (
        (75, 74, "West Lancashire Borough Council", "Avery Madeup", "Example Court"),
        (50, 48, "Lancashire Constabulary", "Avery Madeup", "Example Court"),
        (30, 29, "West Lancashire Estates Management Team", "Neighbour B", "Example Court"),
        (12, 10, "Lancashire Constabulary", "Avery Madeup", "Example Court"),
    )
    for behaviour_ago, reported_ago, agency, reporter, location in reports:
        services.add_incident(
            actor,
            review,
            behaviour_on=received - datetime.timedelta(days=behaviour_ago),
            reported_on=received - datetime.timedelta(days=reported_ago),
            reported_to=agency,
            reporter=reporter,
            location=location,
            description="Loud music and shouting late at night; the applicant was "
            "threatened on the stairs (fictional).",
        )
    services.record_acknowledgement(actor, review, add_working_days(received, 3))
    services.decide_threshold(actor, review, decided_on=add_working_days(received, 12))
    return review


@transaction.atomic
def load(
    place: Place, actor: audit.Actor | None = None, *, today: datetime.date | None = None
) -> dict[str, int]:
    """The demo's ASB Case Review Panel for ``place`` (West Lancashire), its sharing
    agreement, threshold settings and one fictional review under way. Idempotent."""
    who = actor or audit.SYSTEM
    day = today or timezone.localdate()
    people = {
        username: Person.objects.select_related("organisation", "user").get(user__username=username)
        for username, _ in MEMBERS
    }
    panel = _panel(place)
    for username, role in MEMBERS:
        partnership.upsert_membership(None, group=panel, person=people[username], role=role)
    _agreement(who, place, panel, people, day)
    if not ThresholdSetting.objects.filter(place=place).exists():
        services.save_threshold_setting(
            who, place, hate_incident_qualifies=True, threshold_not_met_review=True
        )
    _review(who, panel, people, day)
    return {"asb_case_reviews": CaseReview.objects.filter(group=panel).count()}
