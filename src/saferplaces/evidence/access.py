"""Who may put data into the incident store from the web: the one place that decides.

Uploading, confirming or cancelling an upload, withdrawing an import, reading an import's
result and rejected rows, and making mappings are for analysts and community safety
officers (a Person with one of those roles) and for staff. Everyone else gets 404, as the
partnership's forms do, so that a page does not reveal itself.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404, HttpRequest

from saferplaces.partnership.models import Person
from saferplaces.partnership.models.people import PersonRole

IMPORTING_ROLES = (PersonRole.ANALYST, PersonRole.COMMUNITY_SAFETY_OFFICER)


def can_import(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Whether ``user`` may upload data, withdraw imports and make mappings: staff, or a
    Person whose role is analyst or community safety officer."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_staff", False):
        return True
    return Person.objects.filter(user_id=user.pk, role__in=IMPORTING_ROLES).exists()


def require_importer(request: HttpRequest) -> None:
    """404 unless the signed-in user may import (do not reveal the page)."""
    if not can_import(request.user):
        raise Http404("No such page")
