"""Who may see casework: decided here and nowhere else.

A person sees a panel's casework only as a **member of that panel, acting for an
organisation that has signed an agreement in force covering the panel**. Nobody else
does: not other members of the same organisation, not board members, not another
partnership, not the site's administrators, and not a member whose agreement has lapsed.
They are answered 404, so a page does not reveal that a record exists.

Identifying details (names, dates of birth, addresses) are shown only to the person roles
the covering agreement allows; everyone else with access works on the pseudonymous case.

Every casework view asks `panel_access` (one panel) or `panels_visible_to` (lists).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from saferplaces.governance.models import SharingAgreement
from saferplaces.partnership.models import Group, Membership, Organisation

User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class PanelAccess:
    """Why a user may see a panel's casework: the membership they sit in, the organisation
    they act for, the agreement that covers it, and whether they see identifying details."""

    group: Group
    membership: Membership
    organisation: Organisation
    agreement: SharingAgreement
    identifying: bool


def _agreements_in_force(
    group_ids: QuerySet[Group] | list[int], day: datetime.date
) -> QuerySet[SharingAgreement]:
    return SharingAgreement.objects.in_force(day).filter(panels__in=group_ids)


def panel_access(
    user: User, group: Group, *, on: datetime.date | None = None
) -> PanelAccess | None:
    """The user's access to this panel's casework, or None. See the module docstring."""
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return None
    membership = (
        Membership.objects.select_related("organisation", "person")
        .filter(group=group, person__user_id=user.pk)
        .first()
    )
    if membership is None:
        return None
    day = on or timezone.localdate()
    agreements = list(
        _agreements_in_force([group.pk], day)
        .filter(parties__organisation=membership.organisation, parties__signed_on__isnull=False)
        .distinct()
        .order_by("expires_on", "pk")
    )
    if not agreements:
        return None
    role = membership.person.role
    identifying = [a for a in agreements if role in (a.identifying_roles or [])]
    return PanelAccess(
        group=group,
        membership=membership,
        organisation=membership.organisation,
        agreement=(identifying or agreements)[-1],
        identifying=bool(identifying),
    )


def panels_visible_to(user: User, *, on: datetime.date | None = None) -> QuerySet[Group]:
    """The panels whose casework the user may see (the same rule as `panel_access`)."""
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return Group.objects.none()
    day = on or timezone.localdate()
    # One filter() call: the agreement in force and the signed party are the same agreement.
    covered = Membership.objects.filter(
        person__user_id=user.pk,
        group__sharing_agreements__in=SharingAgreement.objects.in_force(day),
        group__sharing_agreements__parties__organisation_id=F("organisation_id"),
        group__sharing_agreements__parties__signed_on__isnull=False,
    ).values("group_id")
    return Group.objects.filter(pk__in=covered)


def require_panel_access(user: User, group: Group) -> PanelAccess:
    """`panel_access`, or 404 (never 403: do not reveal that the panel's records exist)."""
    access = panel_access(user, group)
    if access is None:
        raise Http404("No such page")
    return access


def has_casework_access(user: User) -> bool:
    """Whether the user may see any casework at all (and so must use two-factor sign-in)."""
    return panels_visible_to(user).exists()
