"""Setting up a partnership for any community safety partnership in England and Wales.

One call (the `partnership create` command and the admin page both use it) gives a CSP
its responsible authorities as organisations (the district council of each district,
the county council where the area is two-tier, the police force, the fire and rescue
authority, health and probation), a statutory board, and a first administrator.
Running it again duplicates nothing: an organisation of the same kind already serving
the place is reused, and an existing administrator keeps their password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from saferplaces.partnership import services
from saferplaces.partnership.models import Group, Organisation, Person, Place
from saferplaces.partnership.models.groups import GroupKind, MembershipRole
from saferplaces.partnership.models.people import OrganisationKind, PersonRole
from saferplaces.partnership.models.places import PlaceKind
from saferplaces.partnership.services import Actor

BOARD_PURPOSE = (
    "The statutory strategy group of the community safety partnership (Crime and Disorder "
    "Act 1998, s.5): the responsible authorities formulate and implement the strategy to "
    "reduce crime and disorder, anti-social behaviour, substance misuse and re-offending."
)


@dataclass
class PartnershipSetup:
    place: Place
    board: Group
    organisations: list[Organisation] = field(default_factory=list)
    administrator: Person | None = None
    password: str | None = None
    """The administrator's first password, when this call created them (shown once)."""


def partnership_place(name_or_code: str) -> Place:
    """The place of a CSP: a district (most CSPs are one district) or a partnership area
    of several districts. Raises ValidationError saying what to give instead."""
    try:
        place = Place.objects.by_name_or_code(name_or_code)
    except (Place.DoesNotExist, Place.MultipleObjectsReturned) as e:
        raise ValidationError(str(e)) from None
    if place.kind not in (PlaceKind.DISTRICT, PlaceKind.CSP):
        raise ValidationError(
            f"{place.label} is not a community safety partnership: give a district or a "
            "partnership of several districts (for example 'Newcastle upon Tyne' or E22000363)"
        )
    return place


def _organisation(actor: Actor, kind: str, name: str, place: Place | None) -> Organisation | None:
    """The organisation of `kind` serving `place`, or a new one called `name`."""
    if place is None:
        return None
    found = Organisation.objects.filter(kind=kind, places=place).order_by("pk").first()
    if found is not None:
        return found
    found = Organisation.objects.filter(name=name).first()
    places = [place, *(found.places.all() if found else [])]
    return services.upsert_organisation(
        actor, slug=found.slug if found else slugify(name), name=name, kind=kind, places=places
    )


def _places_above(place: Place) -> dict[str, Place | None]:
    districts = [place] if place.kind == PlaceKind.DISTRICT else list(place.members.all())
    first = districts[0] if districts else place

    def one(kind: str, field_name: str) -> Place | None:
        code = getattr(first, field_name)
        if not code:
            return None
        return Place.objects.filter(kind=kind, **{field_name: code}).first()

    return {
        "county": one(PlaceKind.COUNTY, "county_code"),
        "force": one(PlaceKind.FORCE, "pfa_code"),
        "fire": one(PlaceKind.FIRE, "fra_code"),
        "region": one(PlaceKind.REGION, "region_code"),
    }


@transaction.atomic
def set_up_partnership(
    actor: Actor,
    place: Place,
    *,
    admin_username: str | None = None,
    admin_email: str = "",
) -> PartnershipSetup:
    """Organisations, board and first administrator of the partnership of `place`."""
    if place.kind not in (PlaceKind.DISTRICT, PlaceKind.CSP):
        raise ValidationError(f"{place.label} is not a community safety partnership")
    above = _places_above(place)
    districts = [place] if place.kind == PlaceKind.DISTRICT else list(place.members.all())
    wanted: list[tuple[str, str, Place | None]] = [
        (OrganisationKind.COUNCIL, f"{d.name} Council", d) for d in districts
    ]
    county, force, fire, region = above["county"], above["force"], above["fire"], above["region"]
    if county is not None:
        wanted.append((OrganisationKind.COUNTY_COUNCIL, f"{county.name} County Council", county))
    if force is not None:
        wanted.append((OrganisationKind.POLICE, f"{force.pfa_name or force.name} Police", force))
    if fire is not None:
        name = f"{fire.fra_name or fire.name} Fire and Rescue Service"
        wanted.append((OrganisationKind.FIRE, name, fire))
    wanted.append((OrganisationKind.HEALTH, f"NHS integrated care board for {place.name}", place))
    if region is not None:
        wanted.append((OrganisationKind.PROBATION, f"Probation Service, {region.name}", region))
    organisations = [o for kind, name, at in wanted if (o := _organisation(actor, kind, name, at))]
    board = Group.objects.filter(place=place, kind=GroupKind.STRATEGY, statutory=True).first()
    board = services.upsert_group(
        actor,
        slug=board.slug if board else slugify(f"{place.name} community safety partnership"),
        name=board.name if board else f"{place.name} Community Safety Partnership",
        kind=GroupKind.STRATEGY,
        place=place,
        purpose=board.purpose if board else BOARD_PURPOSE,
        cadence=board.cadence if board else "Quarterly",
        statutory=True,
        parent=board.parent if board else None,
    )
    setup = PartnershipSetup(place, board, organisations)
    if admin_username:
        setup.administrator, setup.password = _administrator(
            actor, admin_username, admin_email, organisations[0], board
        )
    return setup


def _administrator(
    actor: Actor, username: str, email: str, council: Organisation, board: Group
) -> tuple[Person, str | None]:
    existing = Person.objects.filter(user__username=username).first()
    password = None if existing else secrets.token_urlsafe(12)
    person = existing or services.upsert_person(
        actor,
        username=username,
        first_name="",
        last_name="",
        organisation=council,
        role=PersonRole.COMMUNITY_SAFETY_OFFICER,
        job_title="Partnership administrator",
        email=email,
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    if not board.memberships.filter(person=person).exists():
        role = MembershipRole.SECRETARIAT
        services.upsert_membership(actor, group=board, person=person, role=role)
    return person, password
