"""Who may read and change delivery: the one place that decides.

Every signed-in member of the partnership (any Person, and staff) may read initiatives,
action plans, outputs, evaluations and funding: they are the partnership's own business
and carry no personal data. Changing them is for community safety officers and county
policy officers (who run delivery and funding) and staff; an action's owner may also
update that action's status and RAG. Everyone else gets 404 for a form, as the
partnership's other forms do, so that a page does not reveal itself.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404, HttpRequest

from saferplaces.delivery.models import DeliveryAction
from saferplaces.partnership.models import Person
from saferplaces.partnership.models.people import PersonRole

User = AbstractBaseUser | AnonymousUser | None

EDITING_ROLES = (PersonRole.COMMUNITY_SAFETY_OFFICER, PersonRole.COUNTY_POLICY_OFFICER)


def _active_pk(user: User) -> int | None:
    """The primary key of a signed-in, active user; None for anyone else."""
    if user is None or not user.is_authenticated or not getattr(user, "is_active", False):
        return None
    pk: int = user.pk
    return pk


def can_view_delivery(user: User) -> bool:
    """Staff, or any signed-in user with a partnership profile."""
    pk = _active_pk(user)
    if pk is None:
        return False
    return bool(getattr(user, "is_staff", False)) or Person.objects.filter(user_id=pk).exists()


def can_edit_delivery(user: User) -> bool:
    """Staff, community safety officers and county policy officers."""
    pk = _active_pk(user)
    if pk is None:
        return False
    if getattr(user, "is_staff", False):
        return True
    return Person.objects.filter(user_id=pk, role__in=EDITING_ROLES).exists()


def can_update_action(user: User, action: DeliveryAction) -> bool:
    """Editors, and the person who owns the action."""
    if can_edit_delivery(user):
        return True
    pk = _active_pk(user)
    if pk is None or action.owner_person_id is None:
        return False
    return Person.objects.filter(pk=action.owner_person_id, user_id=pk).exists()


def require_viewer(request: HttpRequest) -> None:
    """404 unless the signed-in user may read delivery."""
    if not can_view_delivery(request.user):
        raise Http404("No such page")


def require_editor(request: HttpRequest) -> None:
    """404 unless the signed-in user may change delivery (do not reveal the form)."""
    if not can_edit_delivery(request.user):
        raise Http404("No such page")
