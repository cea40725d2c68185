"""Every write to the partnership structure. Each function is atomic and records who did
what as an `ActivityEvent` in the same transaction, so a change and its record stand or
fall together.

`actor` is the signed-in user making the change, or None for the system (`load_demo`).
`upsert_*` functions are idempotent on a natural key (a slug, a username, a pair of
keys): they create, update only what differs, and record an event only when something
changed, so loading the same reference data twice changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from saferplaces.partnership.models import (
    Action,
    ActivityEvent,
    AgendaItem,
    Decision,
    Escalation,
    Group,
    Meeting,
    Membership,
    Organisation,
    Person,
    Place,
    PlacePopulation,
)
from saferplaces.partnership.models.escalations import EscalationStatus
from saferplaces.partnership.models.groups import escalation_line_problem
from saferplaces.partnership.models.meetings import ActionStatus, MeetingStatus

Actor = AbstractBaseUser | AnonymousUser | None
M = TypeVar("M", bound=models.Model)


def record_event(actor: Actor, verb: str, obj: models.Model, summary: str) -> ActivityEvent:
    """Append one activity row. Call it inside the transaction that made the change."""
    user = actor if actor is not None and actor.is_authenticated else None
    return ActivityEvent.objects.create(
        actor=user,  # type: ignore[misc]
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:300],
    )


def _upsert(model: type[M], lookup: Mapping[str, Any], values: Mapping[str, Any]) -> tuple[M, str]:
    """update_or_create that tells what happened: "created", "updated" or "" (unchanged)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, ""
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    obj.save(update_fields=changed)
    return obj, "updated"


# Reference data -------------------------------------------------------------------------


@transaction.atomic
def upsert_place(
    actor: Actor,
    *,
    slug: str,
    name: str,
    kind: str,
    parent: Place | None = None,
    **codes: str,
) -> Place:
    """Create or update a place by slug. `codes`: lad_code, csp_code, pfa_code, fra_code…"""
    place, what = _upsert(
        Place, {"slug": slug}, {"name": name, "kind": kind, "parent": parent, **codes}
    )
    if what:
        record_event(actor, what, place, f"Place {place.name} ({place.get_kind_display()}) {what}")
    return place


@transaction.atomic
def record_populations(
    actor: Actor, place: Place, by_year: Mapping[int, int], source: str = ""
) -> int:
    """Set the population of a place for each year given. Returns how many rows changed."""
    changed = 0
    for year, population in sorted(by_year.items()):
        _, what = _upsert(
            PlacePopulation,
            {"place": place, "year": int(year)},
            {"population": int(population), "source": source},
        )
        changed += bool(what)
    if changed:
        years = f"{min(by_year)} to {max(by_year)}" if len(by_year) > 1 else str(min(by_year))
        record_event(actor, "population", place, f"Population of {place.name} set for {years}")
    return changed


@transaction.atomic
def upsert_organisation(
    actor: Actor, *, slug: str, name: str, kind: str, places: Iterable[Place] = ()
) -> Organisation:
    organisation, what = _upsert(Organisation, {"slug": slug}, {"name": name, "kind": kind})
    wanted = {p.pk for p in places}
    current = set(organisation.places.values_list("pk", flat=True))
    if wanted != current:
        organisation.places.set(wanted)
        what = what or "updated"
    if what:
        record_event(actor, what, organisation, f"Organisation {organisation.name} {what}")
    return organisation


@transaction.atomic
def upsert_person(
    actor: Actor,
    *,
    username: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    role: str,
    job_title: str = "",
    email: str = "",
    password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> Person:
    """Create or update a user and their partnership profile. A password is set only when
    the user is created (re-running never resets a password someone has changed)."""
    user_model = get_user_model()
    user, what = _upsert_user(
        user_model, username, first_name, last_name, email, is_staff, is_superuser, password
    )
    person, person_what = _upsert(
        Person, {"user": user}, {"organisation": organisation, "role": role, "job_title": job_title}
    )
    what = what or person_what
    if what:
        record_event(actor, what, person, f"Person {person.name} ({organisation.name}) {what}")
    return person


def _upsert_user(
    user_model: Any,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    is_staff: bool,
    is_superuser: bool,
    password: str | None,
) -> tuple[Any, str]:
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "is_staff": is_staff,
        "is_superuser": is_superuser,
    }
    user = user_model._default_manager.filter(username=username).first()
    if user is None:
        user = user_model(username=username, **values)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        return user, "created"
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    if changed:
        user.save(update_fields=changed)
    return user, "updated" if changed else ""


@transaction.atomic
def upsert_group(
    actor: Actor,
    *,
    slug: str,
    name: str,
    kind: str,
    place: Place,
    purpose: str = "",
    cadence: str = "",
    statutory: bool = False,
    parent: Group | None = None,
) -> Group:
    """Create or update a group by slug. The parent (escalation line) may not loop."""
    existing = Group.objects.filter(slug=slug).first()
    if existing is not None:
        problem = escalation_line_problem(existing, parent)
        if problem:
            raise ValidationError({"parent": problem})
    group, what = _upsert(
        Group,
        {"slug": slug},
        {
            "name": name,
            "kind": kind,
            "place": place,
            "purpose": purpose,
            "cadence": cadence,
            "statutory": statutory,
            "parent": parent,
        },
    )
    if what:
        record_event(actor, what, group, f"Group {group.name} {what}")
    return group


@transaction.atomic
def set_group_parent(actor: Actor, group: Group, parent: Group | None) -> Group:
    """Change the escalation line of a group; rejects a group as its own parent and cycles."""
    problem = escalation_line_problem(group, parent)
    if problem:
        raise ValidationError({"parent": problem})
    group.parent = parent
    group.save(update_fields=["parent"])
    target = parent.name if parent else "nobody"
    record_event(actor, "updated", group, f"{group.name} now escalates to {target}")
    return group


@transaction.atomic
def upsert_membership(
    actor: Actor,
    *,
    group: Group,
    person: Person,
    role: str,
    organisation: Organisation | None = None,
) -> Membership:
    """Put a person on a group (for their own organisation unless another is given)."""
    membership, what = _upsert(
        Membership,
        {"group": group, "person": person},
        {"role": role, "organisation": organisation or person.organisation},
    )
    if what:
        record_event(
            actor,
            what,
            membership,
            f"{person.name} is {membership.get_role_display().lower()} of {group.name}",
        )
    return membership


# Meetings ------------------------------------------------------------------------------


@transaction.atomic
def add_meeting(
    actor: Actor,
    *,
    group: Group,
    title: str,
    date: datetime.date,
    location: str = "",
    status: str = MeetingStatus.SCHEDULED,
    agenda: Iterable[str] = (),
) -> Meeting:
    """Add a meeting with its agenda items (one title each): all of it, or none of it."""
    meeting = Meeting(group=group, title=title, date=date, location=location, status=status)
    meeting.full_clean()
    meeting.save()
    record_event(actor, "added", meeting, f"Meeting '{title}' of {group.name} on {date:%d %B %Y}")
    for item in agenda:
        add_agenda_item(actor, meeting=meeting, title=item)
    return meeting


@transaction.atomic
def add_agenda_item(
    actor: Actor, *, meeting: Meeting, title: str, minutes: str = "", order: int | None = None
) -> AgendaItem:
    """Add an item at the end of the agenda (or at `order`)."""
    if order is None:
        last = meeting.agenda_items.aggregate(last=models.Max("order"))["last"]
        order = (last or 0) + 1
    item = AgendaItem(meeting=meeting, order=order, title=title.strip(), minutes=minutes)
    item.full_clean()
    item.save()
    record_event(actor, "added", item, f"Agenda item {order} '{item.title}' for {meeting.title}")
    return item


@transaction.atomic
def record_decision(
    actor: Actor, *, meeting: Meeting, text: str, agenda_item: AgendaItem | None = None
) -> Decision:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "Choose an agenda item of this meeting"})
    decision = Decision(meeting=meeting, text=text, agenda_item=agenda_item)
    decision.full_clean()
    decision.save()
    record_event(actor, "decided", decision, f"Decision at {meeting.title}: {text}")
    return decision


# Actions -------------------------------------------------------------------------------


@transaction.atomic
def add_action(
    actor: Actor,
    *,
    group: Group,
    title: str,
    owner: Person,
    due_date: datetime.date,
    meeting: Meeting | None = None,
    status: str = ActionStatus.OPEN,
) -> Action:
    """Add an action to a group's log. The owner must be a member of the group."""
    if not group.memberships.filter(person=owner).exists():
        raise ValidationError({"owner": f"The owner must be a member of {group.name}"})
    if meeting is not None and meeting.group_id != group.pk:
        raise ValidationError({"meeting": f"Choose a meeting of {group.name}"})
    action = Action(
        group=group, title=title, owner=owner, due_date=due_date, meeting=meeting, status=status
    )
    action.full_clean()
    action.save()
    record_event(
        actor, "added", action, f"Action '{title}' for {owner.name}, due {due_date:%d %B %Y}"
    )
    return action


@transaction.atomic
def update_action_status(actor: Actor, action: Action, status: str) -> Action:
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Select a status"})
    old = action.get_status_display()
    action.status = status
    action.save(update_fields=["status"])
    record_event(
        actor, "updated", action, f"Action '{action.title}': {old} → {action.get_status_display()}"
    )
    return action


# Escalations ---------------------------------------------------------------------------


@transaction.atomic
def raise_escalation(
    actor: Actor,
    *,
    group: Group,
    title: str,
    detail: str,
    raised_by: Person,
    raised_on: datetime.date | None = None,
) -> Escalation:
    """Raise an issue from a group to its parent group. A group with no parent cannot."""
    if group.parent_id is None:
        raise ValidationError(
            f"{group.name} has no parent group, so there is nowhere to escalate to"
        )
    escalation = Escalation(
        from_group=group,
        to_group=group.parent,
        title=title,
        detail=detail,
        raised_by=raised_by,
        raised_on=raised_on or timezone.localdate(),
    )
    escalation.full_clean()
    escalation.save()
    record_event(
        actor,
        "escalated",
        escalation,
        f"{group.name} escalated '{title}' to {escalation.to_group.name}",
    )
    return escalation


@transaction.atomic
def resolve_escalation(
    actor: Actor,
    escalation: Escalation,
    *,
    status: str,
    resolution: str,
    resolved_by: Person | None = None,
    resolved_on: datetime.date | None = None,
) -> Escalation:
    """Accept, resolve or return an escalation. Resolving or returning needs a resolution."""
    if status not in (
        EscalationStatus.ACCEPTED,
        EscalationStatus.RESOLVED,
        EscalationStatus.RETURNED,
    ):
        raise ValidationError({"status": "Select accepted, resolved or returned"})
    if status != EscalationStatus.ACCEPTED and not resolution.strip():
        raise ValidationError({"resolution": "Enter the resolution"})
    escalation.status = status
    escalation.resolution = resolution
    escalation.resolved_by = resolved_by
    escalation.resolved_on = (
        None if status == EscalationStatus.ACCEPTED else (resolved_on or timezone.localdate())
    )
    escalation.full_clean()
    escalation.save()
    record_event(
        actor,
        status,
        escalation,
        f"Escalation '{escalation.title}' {escalation.get_status_display().lower()} "
        f"by {escalation.to_group.name}",
    )
    return escalation
