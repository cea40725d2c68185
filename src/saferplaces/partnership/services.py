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
    PlaceAlias,
    PlacePopulation,
)
from saferplaces.partnership.models.escalations import (
    CLOSED,
    EscalationResponse,
    EscalationStatus,
)
from saferplaces.partnership.models.groups import escalation_line_problem, restricted_by_default
from saferplaces.partnership.models.meetings import ActionStatus, MeetingStatus
from saferplaces.partnership.models.places import AliasKind, lookup_key

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


def upsert_row(
    model: type[M], lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[M, str]:
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
    former_codes: Iterable[str] | None = None,
    other_names: Iterable[str] | None = None,
    members: Iterable[Place] | None = None,
    **codes: str,
) -> Place:
    """Create or update a place by slug. `codes`: lad_code, csp_code, pfa_code, fra_code…

    The place answers to its name and own code, and to `former_codes` and `other_names`
    when given (None keeps those it has); `members` (when given) are the districts it
    covers.
    """
    place, what = upsert_row(
        Place, {"slug": slug}, {"name": name, "kind": kind, "parent": parent, **codes}
    )
    sync_aliases(place, former_codes=former_codes, other_names=other_names)
    if members is not None:
        wanted = {m.pk for m in members}
        if wanted != set(place.members.values_list("pk", flat=True)):
            place.members.set(wanted)
            what = what or "updated"
    if what:
        record_event(actor, what, place, f"Place {place.name} ({place.get_kind_display()}) {what}")
    return place


@transaction.atomic
def move_place(actor: Actor, place: Place, parent: Place | None) -> Place:
    """Put a place under another (a partnership arranging its districts into areas)."""
    if place.parent_id != (parent.pk if parent else None):
        place.parent = parent
        place.full_clean()
        place.save(update_fields=["parent"])
        where = parent.name if parent else "the top"
        record_event(actor, "moved", place, f"Place {place.name} moved under {where}")
    return place


def aliases_for(
    place: Place, *, former_codes: Iterable[str] = (), other_names: Iterable[str] = ()
) -> dict[str, tuple[str, str]]:
    """key → (kind, text) of every name and code `place` answers to."""
    wanted: dict[str, tuple[str, str]] = {}
    own = [place.code, place.csp_code if place.kind == "district" else ""]
    for kind, texts in (
        (AliasKind.OTHER, other_names),
        (AliasKind.FORMER, former_codes),
        (AliasKind.CODE, own),
        (AliasKind.NAME, [place.name]),
    ):
        for text in texts:
            if text and lookup_key(text):
                wanted[lookup_key(text)] = (str(kind), text)
    return wanted


def sync_aliases(
    place: Place,
    *,
    former_codes: Iterable[str] | None = None,
    other_names: Iterable[str] | None = None,
) -> None:
    """Keep the place's aliases in step with its name and codes (and with its former
    codes and other names when given)."""
    have = {a.key: a for a in place.aliases.all()}

    def kept(kind: str) -> list[str]:
        return [a.text for a in have.values() if a.kind == kind]

    wanted = aliases_for(
        place,
        former_codes=kept(AliasKind.FORMER) if former_codes is None else former_codes,
        other_names=kept(AliasKind.OTHER) if other_names is None else other_names,
    )
    stale = [a.pk for k, a in have.items() if (a.kind, a.text) != wanted.get(k)]
    PlaceAlias.objects.filter(pk__in=stale).delete()
    PlaceAlias.objects.bulk_create(
        PlaceAlias(place=place, key=key, kind=kind, text=text)
        for key, (kind, text) in wanted.items()
        if key not in have or have[key].pk in stale
    )


@transaction.atomic
def record_populations(
    actor: Actor, place: Place, by_year: Mapping[int, int], source: str = ""
) -> int:
    """Set the population of a place for each year given. Returns how many rows changed."""
    changed = 0
    for year, population in sorted(by_year.items()):
        _, what = upsert_row(
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
    organisation, what = upsert_row(Organisation, {"slug": slug}, {"name": name, "kind": kind})
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
    person, person_what = upsert_row(
        Person, {"user": user}, {"organisation": organisation, "role": role, "job_title": job_title}
    )
    what = what or person_what
    if what:
        record_event(actor, what, person, f"Person {person.name} ({organisation.name}) {what}")
    return person


@transaction.atomic
def set_line_manager(actor: Actor, person: Person, manager: Person | None) -> Person:
    """Record who supervises the person (and so may read their casework audit trail)."""
    if manager is not None and manager.pk == person.pk:
        raise ValidationError({"line_manager": "A person cannot be their own line manager"})
    if person.line_manager_id != (manager.pk if manager else None):
        person.line_manager = manager
        person.save(update_fields=["line_manager"])
        who = manager.name if manager else "nobody"
        record_event(actor, "updated", person, f"{person.name} now reports to {who}")
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
    restricted: bool | None = None,
) -> Group:
    """Create or update a group by slug. The parent (escalation line) may not loop.

    `restricted` (need to know): None keeps an existing group's setting and makes a new
    group restricted when it is a multi-agency panel."""
    existing = Group.objects.filter(slug=slug).first()
    if existing is not None:
        problem = escalation_line_problem(existing, parent)
        if problem:
            raise ValidationError({"parent": problem})
    values: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "place": place,
        "purpose": purpose,
        "cadence": cadence,
        "statutory": statutory,
        "parent": parent,
    }
    if restricted is not None:
        values["restricted"] = restricted
    elif existing is None:
        values["restricted"] = restricted_by_default(kind)
    group, what = upsert_row(Group, {"slug": slug}, values)
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
    membership, what = upsert_row(
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


# Answers to an escalation. Each appends an EscalationResponse (never changed afterwards)
# and copies it into the escalation's current state, with its ActivityEvent, in one
# transaction. A closed (resolved or returned) escalation changes only by being reopened,
# with a reason, so that no answer is ever overwritten.

_ANSWERABLE = (EscalationStatus.OPEN, EscalationStatus.ACCEPTED)


def _respond(
    actor: Actor,
    escalation: Escalation,
    *,
    status: EscalationStatus,
    text: str,
    by: Person | None,
    on: datetime.date | None,
    allowed_from: Iterable[str],
    verb: str,
) -> Escalation:
    # Lock the row and read its status afresh: two people answering at once cannot both win.
    current = (
        Escalation.objects.select_for_update().select_related("to_group").get(pk=escalation.pk)
    )
    if current.status not in set(allowed_from):
        raise ValidationError(_state_problem(current, status))
    response = EscalationResponse(
        escalation=current,
        status=status,
        text=text.strip(),
        by=by,
        on=on or timezone.localdate(),
    )
    response.full_clean()
    response.save()
    closed = status in CLOSED
    current.status = status
    current.resolution = response.text if closed else ""
    current.resolved_by = by if closed else None
    current.resolved_on = response.on if closed else None
    current.save(update_fields=["status", "resolution", "resolved_by", "resolved_on"])
    record_event(
        actor,
        verb,
        current,
        f"Escalation '{current.title}' {response.verb.lower()} by {current.to_group.name}"
        + (f": {response.text}" if response.text else ""),
    )
    for name in ("status", "resolution", "resolved_by", "resolved_on"):
        setattr(escalation, name, getattr(current, name))
    return escalation


def _state_problem(escalation: Escalation, wanted: str) -> str:
    """Why an escalation in its current status cannot take this answer."""
    if escalation.is_closed and wanted != EscalationStatus.OPEN:
        return (
            f"This escalation is already {escalation.get_status_display().lower()}: "
            "reopen it, giving a reason, before you answer it again"
        )
    if wanted == EscalationStatus.OPEN:
        return "This escalation is not resolved or returned, so there is nothing to reopen"
    return f"This escalation is already {escalation.get_status_display().lower()}"


@transaction.atomic
def accept_escalation(
    actor: Actor,
    escalation: Escalation,
    *,
    note: str = "",
    by: Person | None = None,
    on: datetime.date | None = None,
) -> Escalation:
    """The receiving group takes an open escalation on ("we are working on it")."""
    return _respond(
        actor,
        escalation,
        status=EscalationStatus.ACCEPTED,
        text=note,
        by=by,
        on=on,
        allowed_from=[EscalationStatus.OPEN],
        verb="accepted",
    )


@transaction.atomic
def resolve_escalation(
    actor: Actor,
    escalation: Escalation,
    *,
    resolution: str,
    by: Person | None = None,
    on: datetime.date | None = None,
) -> Escalation:
    """Resolve an open or accepted escalation. Needs the resolution."""
    if not resolution.strip():
        raise ValidationError({"resolution": "Enter the resolution"})
    return _respond(
        actor,
        escalation,
        status=EscalationStatus.RESOLVED,
        text=resolution,
        by=by,
        on=on,
        allowed_from=_ANSWERABLE,
        verb="resolved",
    )


@transaction.atomic
def return_escalation(
    actor: Actor,
    escalation: Escalation,
    *,
    reason: str,
    by: Person | None = None,
    on: datetime.date | None = None,
) -> Escalation:
    """Return an open or accepted escalation to the group that raised it. Needs a reason."""
    if not reason.strip():
        raise ValidationError({"resolution": "Enter why the issue is returned to the group"})
    return _respond(
        actor,
        escalation,
        status=EscalationStatus.RETURNED,
        text=reason,
        by=by,
        on=on,
        allowed_from=_ANSWERABLE,
        verb="returned",
    )


@transaction.atomic
def reopen_escalation(
    actor: Actor,
    escalation: Escalation,
    *,
    reason: str,
    by: Person | None = None,
    on: datetime.date | None = None,
) -> Escalation:
    """Reopen a resolved or returned escalation, saying why. Its earlier answers stay."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you are reopening the escalation"})
    return _respond(
        actor,
        escalation,
        status=EscalationStatus.OPEN,
        text=reason,
        by=by,
        on=on,
        allowed_from=CLOSED,
        verb="reopened",
    )


def respond_to_escalation(
    actor: Actor,
    escalation: Escalation,
    *,
    status: str,
    text: str,
    by: Person | None = None,
    on: datetime.date | None = None,
) -> Escalation:
    """The response form's one entry point: accept, resolve or return."""
    if status == EscalationStatus.ACCEPTED:
        return accept_escalation(actor, escalation, note=text, by=by, on=on)
    if status == EscalationStatus.RESOLVED:
        return resolve_escalation(actor, escalation, resolution=text, by=by, on=on)
    if status == EscalationStatus.RETURNED:
        return return_escalation(actor, escalation, reason=text, by=by, on=on)
    raise ValidationError({"status": "Select accepted, resolved or returned"})
