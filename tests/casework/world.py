"""The casework personas, on the Testford world of tests/personas.py.

- Priya coordinates the Testford IOM panel for Testshire Police: she sees its cases and
  the people's identifying details (her role is one the agreement allows).
- Dev sits on the panel for Testshire Police as a board member: he sees the cases by
  reference only.
- Olly works for Testshire Police too but is not on the panel: 404.
- Bea sits on Testford's Executive Group (the board), not on the panel: 404.
- Lena sits on the panel for Testshire Probation, whose agreement lapsed yesterday: 404.
- Zed coordinates another partnership's IOM panel (Otherton): 404 for Testford's.
- Sam is staff (an administrator of the site): casework is need-to-know, so 404 too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from saferplaces.casework import services as casework
from saferplaces.casework.models import Case, Custody, Panel, PanelKind
from saferplaces.governance import audit
from saferplaces.governance import services as governance
from saferplaces.governance.access import require_panel_access
from saferplaces.governance.catalogue import Purpose
from saferplaces.governance.models import AgreementStatus
from saferplaces.partnership import services
from saferplaces.partnership.models import Group, Organisation, Person
from saferplaces.partnership.models.groups import GroupKind, MembershipRole
from saferplaces.partnership.models.people import OrganisationKind, PersonRole
from saferplaces.partnership.models.places import PlaceKind
from tests.personas import World, make_person, make_world


@dataclass
class CaseworkWorld:
    world: World
    probation: Organisation
    iom: Panel
    other_iom: Panel
    priya: Person
    dev: Person
    olly: Person
    bea: Person
    lena: Person
    zed: Person
    sam: Person
    case: Case


def _panel(
    world: World, slug: str, name: str, place, prefix: str, kind: str = PanelKind.IOM
) -> Panel:  # type: ignore[no-untyped-def]
    group = services.upsert_group(
        None, slug=slug, name=name, kind=GroupKind.PANEL, place=place, parent=None
    )
    return Panel.objects.get_or_create(
        group=group, defaults={"kind": kind, "reference_prefix": prefix}
    )[0]


def agree(
    place,
    panels: list[Group],
    orgs: list[Organisation],
    *,
    starts: datetime.date,
    expires: datetime.date,
    purpose: str = Purpose.IOM,
):  # type: ignore[no-untyped-def]
    agreement = governance.agreement_from_template(
        audit.SYSTEM, place, purpose, panels=panels, starts_on=starts, expires_on=expires
    )
    for org in orgs:
        governance.sign_agreement(audit.SYSTEM, agreement, org, None, starts)
    governance.set_agreement_status(audit.SYSTEM, agreement, AgreementStatus.ACTIVE)
    return agreement


def make_casework_world() -> CaseworkWorld:
    world = make_world()
    today = timezone.localdate()
    probation = services.upsert_organisation(
        None, slug="testshire-probation", name="Testshire Probation",
        kind=OrganisationKind.PROBATION, places=[world.district],
    )  # fmt: skip
    iom = _panel(world, "testford-iom", "Testford IOM", world.district, "TIO")
    other_place = services.upsert_place(
        None, slug="otherton", name="Otherton", kind=PlaceKind.DISTRICT, parent=world.area,
        lad_code="E07999998",
    )  # fmt: skip
    other_iom = _panel(world, "otherton-iom", "Otherton IOM", other_place, "OIO")

    def member(username: str, org: Organisation, group: Group, role: str, first: str) -> Person:
        person = make_person(username, org, first_name=first, role=role)
        services.upsert_membership(
            None, group=group, person=person, role=MembershipRole.MEMBER, organisation=org
        )
        return person

    priya = member("priya", world.police, iom.group, PersonRole.PANEL_COORDINATOR, "Priya")
    dev = member("dev", world.police, iom.group, PersonRole.BOARD_MEMBER, "Dev")
    olly = make_person("olly", world.police, first_name="Olly", role=PersonRole.PANEL_COORDINATOR)
    bea = member("bea", world.council, world.executive, PersonRole.BOARD_MEMBER, "Bea")
    lena = member("lena", probation, iom.group, PersonRole.PANEL_COORDINATOR, "Lena")
    zed = member("zed", world.police, other_iom.group, PersonRole.PANEL_COORDINATOR, "Zed")
    sam = make_person("sam", world.council, first_name="Sam", staff=True)

    year = datetime.timedelta(days=365)
    agree(world.district, [iom.group], [world.police], starts=today - year, expires=today + year)
    agree(
        world.district,
        [iom.group],
        [probation],
        starts=today - year,
        expires=today - datetime.timedelta(days=1),
    )
    agree(other_place, [other_iom.group], [world.police], starts=today - year, expires=today + year)

    access = require_panel_access(priya.user, iom.group)
    subject = casework.add_subject(
        casework.actor_for(access), iom, given_name="Testy", family_name="McTestface",
        date_of_birth=datetime.date(1990, 5, 17), address="1 Fictional Row", postcode="TE1 1ST",
    )  # fmt: skip
    case = casework.open_case(
        access, iom, subject, lead_agency=world.police, referred_by=probation,
        reason="Prolific acquisitive offending", referred_on=today - datetime.timedelta(days=30),
        custody=Custody.COMMUNITY,
    )  # fmt: skip
    return CaseworkWorld(
        world, probation, iom, other_iom, priya, dev, olly, bea, lena, zed, sam, case
    )
