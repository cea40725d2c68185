"""A small world for ASB Case Reviews, on top of tests/personas.py's Testford.

- Dana (Testford Council, panel coordinator) and Perry (Testshire Police, community safety
  officer) sit on the Testford ASB Case Review Panel; both organisations have signed the
  partnership's ASB Case Review agreement, which is active. Dana's role is one the
  agreement lets see identifying details; Perry's is not.
- Colin works for Testford Council too but is not on the panel.
- Bea is a board member on the Testford Executive Group, not on the panel.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from saferplaces.asb_case_reviews import services
from saferplaces.asb_case_reviews.models import ApplicantKind, CaseReview
from saferplaces.governance import audit
from saferplaces.governance import services as governance
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import AgreementStatus, SharingAgreement
from saferplaces.partnership import services as partnership
from saferplaces.partnership.models import Group, Person
from saferplaces.partnership.models.groups import GroupKind, MembershipRole
from saferplaces.partnership.models.people import PersonRole
from tests.otp import verified_login
from tests.personas import World, make_person


@dataclass
class Acr:
    world: World
    panel: Group
    agreement: SharingAgreement
    dana: Person
    perry: Person
    colin: Person
    bea: Person

    def actor(self, person: Person | None = None) -> audit.Actor:
        who = person or self.dana
        return audit.Actor(who.user, who.organisation.name, "127.0.0.1")


def signed_in(person: Person) -> Client:
    """A client signed in as the person, two-factor verified (casework needs it)."""
    client = Client()
    verified_login(client, person.user)
    return client


def make_acr(world: World) -> Acr:
    panel = partnership.upsert_group(
        None,
        slug="testford-acr",
        name="Testford ASB Case Review Panel",
        kind=GroupKind.PANEL,
        place=world.district,
        parent=world.executive,
    )
    dana = make_person("dana", world.council, first_name="Dana", role=PersonRole.PANEL_COORDINATOR)
    perry = make_person("perry", world.police, first_name="Perry")
    colin = make_person("colin", world.council, first_name="Colin")
    bea = make_person("bea", world.council, first_name="Bea", role=PersonRole.BOARD_MEMBER)
    partnership.upsert_membership(None, group=panel, person=dana, role=MembershipRole.CHAIR)
    partnership.upsert_membership(None, group=panel, person=perry, role=MembershipRole.MEMBER)
    partnership.upsert_membership(
        None, group=world.executive, person=bea, role=MembershipRole.MEMBER
    )
    today = timezone.localdate()
    starts = today - datetime.timedelta(days=400)
    agreement = governance.agreement_from_template(
        audit.SYSTEM,
        world.district,
        Purpose.ASB_CASE_REVIEW,
        panels=[panel],
        starts_on=starts,
        expires_on=today + datetime.timedelta(days=200),
    )
    governance.sign_agreement(audit.SYSTEM, agreement, world.council, dana, starts)
    governance.sign_agreement(audit.SYSTEM, agreement, world.police, perry, starts)
    governance.set_agreement_status(audit.SYSTEM, agreement, AgreementStatus.ACTIVE)
    return Acr(world, panel, agreement, dana, perry, colin, bea)


@pytest.fixture
def acr(world: World) -> Acr:
    return make_acr(world)


def make_review(acr: Acr, received_on: datetime.date | None = None, **kw: object) -> CaseReview:
    values: dict[str, object] = {
        "received_on": received_on or timezone.localdate() - datetime.timedelta(days=10),
        "summary": "Noise from a neighbouring flat",
        "applicant_name": "Robin Applicant",
        "applicant_kind": ApplicantKind.VICTIM,
        "applicant_contact": "1 Test Street, Testford",
    }
    values.update(kw)
    return services.create_review(acr.actor(), acr.panel, **values)  # type: ignore[arg-type]


def add_complaints(acr: Acr, review: CaseReview, n: int, **kw: object) -> None:
    """``n`` qualifying complaints: each reported 2 days after the behaviour, within the
    month before the application."""
    for i in range(n):
        reported = review.received_on - datetime.timedelta(days=5 + 7 * i)
        services.add_incident(
            acr.actor(),
            review,
            behaviour_on=reported - datetime.timedelta(days=2),
            reported_on=reported,
            reported_to="Testshire Police",
            reporter=f"Resident {i}",
            **kw,  # type: ignore[arg-type]
        )
