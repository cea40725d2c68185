"""The register of sharing agreements and the supervisors' audit trail: who may read and
change them, the writes the pages need beyond `services`, and the trail's pages.

- The register is not personal data: any signed-in person of the partnership may read it
  (their organisation serves the agreement's place, a place above it or a place below
  it), and the partnership's administrators (staff) read all of it.
- Making and changing agreements is for community safety officers and staff
  (`can_manage_agreements`); everyone else is answered 404.
- An organisation signs through a person of that organisation who is a board member or a
  community safety officer (`can_sign_for`).
- A supervisor (the `line_manager` of a person) reads the audit trail of their own staff;
  nobody else does, not even their peers or another person's supervisor (`trail_owner`
  answers 404).

Every write here is atomic and writes its audit event through `audit.record`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from saferplaces.governance import audit
from saferplaces.governance.models import (
    AgreementParty,
    AgreementStatus,
    AuditAction,
    AuditEvent,
    SharingAgreement,
)
from saferplaces.partnership.models import Organisation, Person, Place
from saferplaces.partnership.models.groups import is_administrator
from saferplaces.partnership.models.people import PersonRole

User = AbstractBaseUser | AnonymousUser

SIGNING_ROLES = frozenset(
    {PersonRole.BOARD_MEMBER.value, PersonRole.COMMUNITY_SAFETY_OFFICER.value}
)
TRAIL_PAGE_SIZE = 50


def person_of(user: User) -> Person | None:
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return None
    return Person.objects.select_related("organisation", "user").filter(user_id=user.pk).first()


# Reading the register --------------------------------------------------------------------


def _up(place: Place) -> set[int]:
    """The place and every place above it."""
    return {place.pk, *(p.pk for p in place.ancestors())}


def _related(place: Place, served: list[Place]) -> bool:
    """Whether a place an organisation serves is this place, above it or below it."""
    above = _up(place)
    return any(p.pk in above or place.pk in _up(p) for p in served)


def readable_places(user: User, places: Iterable[Place]) -> set[int]:
    """Of these places, the ones whose agreements the user may read (see the docstring)."""
    candidates = list(places)
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return set()
    if is_administrator(user):
        return {p.pk for p in candidates}
    person = person_of(user)
    if person is None:
        return set()
    served = list(person.organisation.places.select_related("parent"))
    return {p.pk for p in candidates if _related(p, served)}


def readable_agreements(user: User) -> list[SharingAgreement]:
    """The agreements whose place the user's partnership covers (every one for staff)."""
    agreements = list(
        SharingAgreement.objects.select_related("place", "place__parent").prefetch_related(
            "parties__organisation", "panels"
        )
    )
    allowed = readable_places(user, {a.place_id: a.place for a in agreements}.values())
    return [a for a in agreements if a.place_id in allowed]


def readable_agreement(user: User, pk: int) -> SharingAgreement:
    """One agreement the user may read, or 404."""
    agreement = (
        SharingAgreement.objects.select_related("place", "place__parent").filter(pk=pk).first()
    )
    if agreement is None or not readable_places(user, [agreement.place]):
        raise Http404("No such agreement")
    return agreement


def standing(agreement: SharingAgreement, today: datetime.date | None = None) -> str:
    """ "In force", "Lapsed", "Not yet in force" or "Not in force" (draft, suspended, ended)."""
    day = today or timezone.localdate()
    if agreement.status != AgreementStatus.ACTIVE:
        return "Not in force"
    if day > agreement.expires_on:
        return "Lapsed"
    if day < agreement.starts_on:
        return "Not yet in force"
    return "In force"


# Changing the register -----------------------------------------------------------------


def can_manage_agreements(user: User) -> bool:
    """Community safety officers and staff make and change agreements."""
    if is_administrator(user):
        return True
    person = person_of(user)
    return person is not None and person.role == PersonRole.COMMUNITY_SAFETY_OFFICER


def require_manager(user: User) -> None:
    """404 unless the user may make and change agreements (do not reveal the forms)."""
    if not can_manage_agreements(user):
        raise Http404("No such page")


def manageable_places(user: User) -> list[Place]:
    """The partnership places an agreement may be made for: the places the user's
    organisation serves and the places with groups below them (a county's police makes
    one for a district's panels); every place that has a group, for staff."""
    with_groups = list(
        Place.objects.filter(groups__isnull=False).distinct().select_related("parent")
    )
    if is_administrator(user):
        return sorted(with_groups, key=lambda p: p.name)
    person = person_of(user)
    if person is None:
        return []
    served = list(person.organisation.places.all())
    served_ids = {p.pk for p in served}
    below = [p for p in with_groups if served_ids & _up(p)]
    return sorted({p.pk: p for p in [*served, *below]}.values(), key=lambda p: p.name)


def can_sign_for(person: Person | None, organisation: Organisation) -> bool:
    """A board member or community safety officer of that organisation signs for it."""
    return (
        person is not None
        and person.organisation_id == organisation.pk
        and person.role in SIGNING_ROLES
    )


@transaction.atomic
def invite_party(
    actor: audit.Actor, agreement: SharingAgreement, organisation: Organisation
) -> AgreementParty:
    """Invite an organisation to sign (a party that has not signed yet). Inviting an
    organisation already invited or signed changes nothing."""
    if agreement.status == AgreementStatus.ENDED:
        raise ValidationError(
            {"organisation": "This agreement has ended: make a new one to invite parties"}
        )
    party, created = AgreementParty.objects.get_or_create(
        agreement=agreement, organisation=organisation
    )
    if created:
        audit.record(
            actor, AuditAction.UPDATE, "sharing_agreement", agreement.pk,
            f"{organisation.name} invited to sign {agreement.title}",
            after={"party": organisation.name, "invited": True},
        )  # fmt: skip
    return party


# Status changes the pages offer: from which statuses, and whether a reason is needed.
TRANSITIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    AgreementStatus.ACTIVE: (
        frozenset({AgreementStatus.DRAFT, AgreementStatus.SUSPENDED}),
        "Activate",
        False,
    ),
    AgreementStatus.SUSPENDED: (frozenset({AgreementStatus.ACTIVE}), "Suspend", True),
    AgreementStatus.ENDED: (
        frozenset({AgreementStatus.DRAFT, AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED}),
        "End",
        True,
    ),
}


def next_statuses(agreement: SharingAgreement) -> list[tuple[str, str]]:
    """(status, verb) for each change the agreement's status allows now."""
    return [
        (status, verb)
        for status, (sources, verb, _) in TRANSITIONS.items()
        if agreement.status in sources
    ]


def snapshot(agreement: SharingAgreement) -> dict[str, object]:
    """What an audit event keeps of an agreement (before and after an edit in the admin)."""
    return {
        "title": agreement.title,
        "purpose": agreement.purpose,
        "status": agreement.status,
        "lawful_basis": agreement.lawful_basis,
        "data_items": agreement.data_items,
        "dpia_reference": agreement.dpia_reference,
        "retention": agreement.retention,
        "security": agreement.security,
        "starts_on": agreement.starts_on,
        "expires_on": agreement.expires_on,
        "review_on": agreement.review_on,
        "panels": sorted(agreement.panels.values_list("slug", flat=True)) if agreement.pk else [],
        "identifying_roles": agreement.identifying_roles,
        "parties": [
            {"organisation": p.organisation.name, "signed_on": p.signed_on}
            for p in agreement.parties.select_related("organisation")
        ]
        if agreement.pk
        else [],
    }


def record_admin_change(
    actor: audit.Actor,
    agreement: SharingAgreement,
    before: dict[str, object] | None,
    *,
    deleted: bool = False,
) -> None:
    """The audit event of an agreement changed in the admin (joins its transaction)."""
    if deleted:
        audit.record(
            actor, AuditAction.DELETE, "sharing_agreement", agreement.pk,
            f"Sharing agreement deleted in the admin: {agreement.title}", before=before,
        )  # fmt: skip
        return
    action = AuditAction.CREATE if before is None else AuditAction.UPDATE
    verb = "added" if before is None else "edited"
    audit.record(
        actor, action, "sharing_agreement", agreement.pk,
        f"Sharing agreement {verb} in the admin: {agreement.title}",
        before=before, after=snapshot(agreement),
    )  # fmt: skip


def history(agreement: SharingAgreement) -> list[AuditEvent]:
    """The agreement's audit events, oldest first."""
    return list(
        AuditEvent.objects.filter(object_type="sharing_agreement", object_id=str(agreement.pk))
        .order_by("seq")
        .only("seq", "at", "username", "organisation", "action", "summary")
    )


# The audit trail for supervisors -------------------------------------------------------


def supervised(user: User) -> list[Person]:
    """The people whose line manager the user is."""
    person = person_of(user)
    if person is None:
        return []
    return list(person.staff.select_related("user", "organisation"))


def trail_owner(user: User, username: str) -> Person:
    """The member of staff whose trail the user asks for, if the user is their line
    manager; 404 for everyone else (their peers, another person's supervisor, staff)."""
    supervisor = person_of(user)
    staff = (
        Person.objects.select_related("user", "organisation", "line_manager")
        .filter(user__username=username)
        .first()
    )
    if supervisor is None or staff is None or staff.line_manager_id != supervisor.pk:
        raise Http404("No such page")
    return staff


def _first_seq_at_or_after(moment: datetime.datetime) -> int:
    """The number of the first event written at or after ``moment`` (one past the last
    event when none was). Events are numbered in the order they are written and their
    times follow, so a binary search over the unique ``seq`` finds it in ~20 lookups;
    the date filter is applied to the rows as well, so a clock that stepped back only
    costs a few rows more."""
    newest = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    if newest is None:
        return 1
    low, high = 1, newest + 1  # the answer is in [low, high]
    while low < high:
        mid = (low + high) // 2
        row = (
            AuditEvent.objects.filter(seq__gte=mid).order_by("seq").values_list("seq", "at").first()
        )
        if row is None or row[1] >= moment:
            high = mid
        else:
            low = row[0] + 1
    return low


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class TrailPage:
    events: list[AuditEvent]
    older: int | None  # the ``before`` of the next page of older events, if any


def trail_page(
    staff: Person,
    *,
    before: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    size: int = TRAIL_PAGE_SIZE,
) -> TrailPage:
    """One page of a person's audit events, newest first: events numbered below
    ``before`` (keyset pagination on the (user, seq) index, fast at any depth), within
    the dates given (inclusive)."""
    events = AuditEvent.objects.filter(user_id=staff.user_id)
    if before is not None:
        events = events.filter(seq__lt=before)
    if date_from is not None:
        start = _start_of(date_from)
        events = events.filter(seq__gte=_first_seq_at_or_after(start), at__gte=start)
    if date_to is not None:
        end = _start_of(date_to + datetime.timedelta(days=1))
        events = events.filter(seq__lt=_first_seq_at_or_after(end), at__lt=end)
    rows = list(events.order_by("-seq")[: size + 1])
    older = rows[size - 1].seq if len(rows) > size else None
    return TrailPage(rows[:size], older)


def record_trail_read(
    actor: audit.Actor,
    staff: Person,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    before: int | None = None,
) -> AuditEvent:
    """Reading a person's trail is itself audited."""
    bits = []
    if date_from:
        bits.append(f"from {date_from:%d %B %Y}")
    if date_to:
        bits.append(f"to {date_to:%d %B %Y}")
    if before:
        bits.append(f"before event #{before}")
    detail = f" ({', '.join(bits)})" if bits else ""
    return audit.record(
        actor, AuditAction.VIEW, "audit_trail", staff.user.get_username(),
        f"Read the audit trail of {staff.name}{detail}",
    )  # fmt: skip
