"""Every write to initiatives, strands, action plans and their actions, and the queries
their pages and the weekly digest read.

Each write is atomic, validates with `full_clean()` and records an `ActivityEvent`
(`saferplaces.partnership.services.record_event`) in the same transaction; `actor` is the
signed-in user, or None for the system. Problems raise `ValidationError` with a message
that says what to fix.

Dependencies between actions: an action may depend only on other actions of its own plan,
never on itself, and never in a cycle (A needs B, B needs A). An action that starts
before an action it depends on is due is allowed (plans overlap in practice) but flagged:
`dependency_warnings` says "starts before X is due" for the pages.

Overdue is strict: an open action due today is not overdue; due yesterday it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from saferplaces.delivery.models import (
    ActionPlan,
    ActionStatus,
    DeliveryAction,
    Initiative,
    Rag,
    Strand,
)
from saferplaces.partnership.models import Group, Organisation, Person, Place
from saferplaces.partnership.services import Actor, record_event

M = TypeVar("M", bound=models.Model)

INITIATIVE_FIELDS = (
    "name", "kind", "starts_on", "ends_on", "aims", "summary", "lead_group", "lead_person",
)  # fmt: skip
STRAND_FIELDS = ("name", "description", "order")
ACTION_FIELDS = (
    "title", "strand", "owner_organisation", "owner_person", "starts_on", "due_on", "note",
    "order",
)  # fmt: skip


def _save(obj: M) -> M:
    obj.full_clean()
    obj.save()
    return obj


def _d(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


# Initiatives -----------------------------------------------------------------------------


def unique_slug(place: Place, name: str, *, exclude: int | None = None) -> str:
    """A slug for a new initiative: place and name ("west-lancashire-bright-sparx-2014"),
    with -2, -3 ... when it is taken."""
    base = slugify(f"{place.slug} {name}")[:150] or "initiative"
    slug, n = base, 1
    taken = Initiative.objects.exclude(pk=exclude) if exclude else Initiative.objects.all()
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_name_free(place: Place, name: str, exclude: int | None = None) -> None:
    clash = Initiative.objects.filter(place=place, name__iexact=name.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(f"{place.name} already has an initiative called {name.strip()}")


@transaction.atomic
def create_initiative(
    actor: Actor,
    *,
    place: Place,
    name: str,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    aims: str = "",
    summary: str = "",
    lead_group: Group | None = None,
    lead_person: Person | None = None,
    partners: Iterable[Organisation] = (),
    priorities: Iterable[Any] = (),
    slug: str = "",
) -> Initiative:
    """Create an initiative of `place` with its partners and the plan priorities it serves."""
    _check_name_free(place, name)
    initiative = _save(
        Initiative(
            place=place, name=name.strip(), slug=slug or unique_slug(place, name), kind=kind,
            starts_on=starts_on, ends_on=ends_on, aims=aims, summary=summary,
            lead_group=lead_group, lead_person=lead_person,
        )
    )  # fmt: skip
    initiative.partners.set(list(partners))
    initiative.priorities.set(list(priorities))
    record_event(
        actor, "created", initiative, f"Initiative {initiative.name} ({place.name}) created"
    )
    return initiative


@transaction.atomic
def update_initiative(actor: Actor, initiative: Initiative, **values: Any) -> Initiative:
    """Change the initiative's fields, and its `partners` and `priorities` when given.
    Unchanged values record nothing."""
    partners = values.pop("partners", None)
    priorities = values.pop("priorities", None)
    bad = set(values) - set(INITIATIVE_FIELDS)
    if bad:
        raise ValueError(f"Not editable here: {', '.join(sorted(bad))}")
    changed = [k for k, v in values.items() if getattr(initiative, k) != v]
    if "name" in changed:
        _check_name_free(initiative.place, values["name"], exclude=initiative.pk)
    for k in changed:
        setattr(initiative, k, values[k])
    if changed:
        _save(initiative)
    if partners is not None and set(initiative.partners.all()) != set(partners):
        initiative.partners.set(list(partners))
        changed.append("partners")
    if priorities is not None and set(initiative.priorities.all()) != set(priorities):
        initiative.priorities.set(list(priorities))
        changed.append("priorities")
    if changed:
        record_event(
            actor,
            "updated",
            initiative,
            f"Initiative {initiative.name}: {', '.join(changed)} changed",
        )
    return initiative


# Strands ---------------------------------------------------------------------------------


@transaction.atomic
def add_strand(
    actor: Actor, initiative: Initiative, *, name: str, description: str = "",
    order: int | None = None,
) -> Strand:  # fmt: skip
    """Add a strand (placed last unless `order` is given)."""
    if initiative.strands.filter(name__iexact=name.strip()).exists():
        raise ValidationError(f"{initiative.name} already has a strand called {name.strip()}")
    if order is None:
        last = initiative.strands.aggregate(m=models.Max("order"))["m"]
        order = 0 if last is None else last + 1
    strand = _save(Strand(initiative=initiative, name=name.strip(), description=description,
                          order=order))  # fmt: skip
    record_event(actor, "created", strand, f"Strand {strand.name} added to {initiative.name}")
    return strand


@transaction.atomic
def update_strand(actor: Actor, strand: Strand, **values: Any) -> Strand:
    """Change a strand's name, description or order."""
    bad = set(values) - set(STRAND_FIELDS)
    if bad:
        raise ValueError(f"Not editable here: {', '.join(sorted(bad))}")
    changed = [k for k, v in values.items() if getattr(strand, k) != v]
    if "name" in changed and (
        Strand.objects.filter(initiative_id=strand.initiative_id, name__iexact=values["name"])
        .exclude(pk=strand.pk)
        .exists()
    ):
        raise ValidationError(f"{strand.initiative} already has a strand called {values['name']}")
    if changed:
        for k in changed:
            setattr(strand, k, values[k])
        _save(strand)
        record_event(
            actor, "updated", strand, f"Strand {strand.name}: {', '.join(changed)} changed"
        )
    return strand


# Action plans and actions ----------------------------------------------------------------


@transaction.atomic
def create_action_plan(actor: Actor, initiative: Initiative, *, title: str) -> ActionPlan:
    """Start a multi-agency action plan for the initiative."""
    if initiative.action_plans.filter(title__iexact=title.strip()).exists():
        raise ValidationError(
            f"{initiative.name} already has an action plan called {title.strip()}"
        )
    plan = _save(ActionPlan(initiative=initiative, title=title.strip()))
    record_event(actor, "created", plan, f"Action plan {plan.title} created for {initiative.name}")
    return plan


def _check_action(action: DeliveryAction) -> None:
    """The strand belongs to the plan's initiative; the owner works for the owning
    organisation; the due date is not before the start."""
    problems: dict[str, str] = {}
    strand, person = action.strand, action.owner_person
    if strand is not None and strand.initiative_id != action.plan.initiative_id:
        problems["strand"] = f"{strand} is not a strand of {action.plan.initiative}"
    if (
        person is not None
        and action.owner_organisation_id is not None
        and person.organisation_id != action.owner_organisation_id
    ):
        problems["owner_person"] = (
            f"{person.name} works for {person.organisation}, not "
            f"{action.owner_organisation}: choose the person's organisation or another person"
        )
    if action.starts_on and action.due_on and action.due_on < action.starts_on:
        problems["due_on"] = "The due date must be the same as or after the start date"
    if problems:
        raise ValidationError(problems)


def check_dependencies(action: DeliveryAction, depends_on: Iterable[DeliveryAction]) -> None:
    """Refuse a dependency on the action itself, on an action of another plan, or one that
    closes a cycle; the message names the actions."""
    wanted = list(depends_on)
    for other in wanted:
        if action.pk is not None and other.pk == action.pk:
            raise ValidationError(f"{action.title} cannot depend on itself")
        if other.plan_id != action.plan_id:
            raise ValidationError(
                f"{action.title} cannot depend on {other.title}: it is an action of another plan"
            )
    if action.pk is None:
        return  # a new action has no dependents yet, so no cycle can pass through it
    edges: dict[int, list[int]] = {}
    for a_id, d_id in DeliveryAction.depends_on.through.objects.filter(
        from_deliveryaction__plan_id=action.plan_id
    ).values_list("from_deliveryaction_id", "to_deliveryaction_id"):
        edges.setdefault(a_id, []).append(d_id)
    edges[action.pk] = [o.pk for o in wanted]
    titles = dict(DeliveryAction.objects.filter(plan_id=action.plan_id).values_list("pk", "title"))
    titles[action.pk] = action.title
    path = _cycle_from(action.pk, edges)
    if path:
        names = " → ".join(titles.get(pk, str(pk)) for pk in path)
        raise ValidationError(f"These actions would depend on each other in a circle: {names}")


def _cycle_from(start: int, edges: dict[int, list[int]]) -> list[int]:
    """A path start → ... → start through `edges`, or [] when there is none."""
    stack: list[tuple[int, list[int]]] = [(start, [start])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        for nxt in edges.get(node, []):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return []


def _done_date(status: str, today: datetime.date | None) -> datetime.date | None:
    return (today or timezone.localdate()) if status == ActionStatus.DONE else None


@transaction.atomic
def add_action(
    actor: Actor,
    plan: ActionPlan,
    *,
    title: str,
    owner_organisation: Organisation,
    starts_on: datetime.date,
    due_on: datetime.date,
    owner_person: Person | None = None,
    strand: Strand | None = None,
    status: str = ActionStatus.NOT_STARTED,
    rag: str = "",
    depends_on: Sequence[DeliveryAction] = (),
    note: str = "",
    order: int = 0,
    today: datetime.date | None = None,
) -> DeliveryAction:
    """Add an action to the plan with its owner, dates, status, RAG and dependencies."""
    action = DeliveryAction(
        plan=plan, title=title.strip(), owner_organisation=owner_organisation,
        owner_person=owner_person, starts_on=starts_on, due_on=due_on, strand=strand,
        status=status, rag=rag, note=note, order=order,
        completed_on=_done_date(status, today),
    )  # fmt: skip
    _check_action(action)
    check_dependencies(action, depends_on)
    _save(action)
    action.depends_on.set(list(depends_on))
    record_event(actor, "created", action, f"Action {action.title} added to {plan.title}")
    return action


@transaction.atomic
def update_action(actor: Actor, action: DeliveryAction, **values: Any) -> DeliveryAction:
    """Change an action's title, strand, owner, dates, note or order, and its
    `depends_on` when given. Status and RAG change through `set_action_status`."""
    depends_on = values.pop("depends_on", None)
    bad = set(values) - set(ACTION_FIELDS)
    if bad:
        raise ValueError(f"Not editable here: {', '.join(sorted(bad))}")
    changed = [k for k, v in values.items() if getattr(action, k) != v]
    for k in changed:
        setattr(action, k, values[k])
    _check_action(action)
    if depends_on is not None:
        check_dependencies(action, depends_on)
    if changed:
        _save(action)
    if depends_on is not None and set(action.depends_on.all()) != set(depends_on):
        action.depends_on.set(list(depends_on))
        changed.append("depends on")
    if changed:
        record_event(
            actor, "updated", action, f"Action {action.title}: {', '.join(changed)} changed"
        )
    return action


@transaction.atomic
def set_action_status(
    actor: Actor, action: DeliveryAction, *, status: str, rag: str = "",
    today: datetime.date | None = None,
) -> DeliveryAction:  # fmt: skip
    """Set status and RAG. Done records the day it was completed (kept if it was already
    done); any other status clears it."""
    if status not in ActionStatus.values:
        raise ValidationError(f"Choose a status: {', '.join(ActionStatus.labels)}")
    if rag and rag not in Rag.values:
        raise ValidationError("Choose a RAG rating: green, amber or red")
    if action.status == status and action.rag == rag:
        return action
    if status == ActionStatus.DONE:
        action.completed_on = action.completed_on or _done_date(status, today)
    else:
        action.completed_on = None
    action.status, action.rag = status, rag
    _save(action)
    what = action.get_status_display() + (f", {action.get_rag_display()}" if rag else "")
    record_event(actor, "updated", action, f"Action {action.title}: {what}")
    return action


@transaction.atomic
def remove_action(actor: Actor, action: DeliveryAction) -> None:
    """Remove an action; actions that depended on it lose that dependency."""
    title, plan = action.title, action.plan
    record_event(actor, "removed", action, f"Action {title} removed from {plan.title}")
    action.delete()


# Queries ---------------------------------------------------------------------------------


def initiatives_of(place: Place) -> models.QuerySet[Initiative]:
    """The place's initiatives, latest first, with their lead group."""
    return Initiative.objects.filter(place=place).select_related("lead_group", "place")


def actions_of(plan: ActionPlan) -> models.QuerySet[DeliveryAction]:
    """The plan's actions with their owners, strands and dependencies."""
    return (
        DeliveryAction.objects.filter(plan=plan)
        .select_related("owner_organisation", "owner_person__user", "strand")
        .prefetch_related("depends_on")
    )


def overdue_actions_for_group(group: Group, today: datetime.date) -> list[DeliveryAction]:
    """Open actions past their due date in plans of initiatives the group leads, the most
    overdue first."""
    return list(
        DeliveryAction.objects.overdue(today)
        .filter(plan__initiative__lead_group=group)
        .select_related("plan__initiative", "owner_organisation", "owner_person__user")
        .order_by("due_on", "plan__initiative__name", "id")
    )


def days_overdue(action: DeliveryAction, today: datetime.date) -> int:
    """Whole days past the due date (0 when it is not overdue)."""
    return max((today - action.due_on).days, 0) if action.is_open else 0


def dependency_warnings(actions: Iterable[DeliveryAction]) -> dict[int, list[str]]:
    """Action pk → "starts before X is due" for each dependency due after it starts."""
    out: dict[int, list[str]] = {}
    for a in actions:
        for dep in a.depends_on.all():
            if a.starts_on < dep.due_on:
                out.setdefault(a.pk, []).append(f"starts before {dep.title} is due")
    return out


def status_text(action: DeliveryAction, today: datetime.date) -> str:
    """The status in words, with the RAG and overdue days: "In progress, RAG amber,
    overdue by 2 days"."""
    parts = [action.get_status_display()]
    if action.rag:
        parts.append(f"RAG {action.get_rag_display().lower()}")
    n = days_overdue(action, today)
    if n:
        parts.append(f"overdue by {n} day{'s' if n != 1 else ''}")
    return ", ".join(parts)


@dataclass(frozen=True)
class Column:
    """One column of the timeline: a day, or a week starting on a Monday."""

    start: datetime.date
    end: datetime.date
    label: str
    long_label: str
    weekend: bool = False
    today: bool = False
    week_start: bool = False


@dataclass
class WeekHead:
    """A week over the day columns: its Monday and how many of its days the plan spans."""

    monday: datetime.date
    days: int

    @property
    def label(self) -> str:
        return f"Week of {_d(self.monday)}"

    @property
    def short(self) -> str:
        """ "Week of 20 Oct" over 4 days or more, "20 Oct" over fewer."""
        return f"{'Week of ' if self.days >= 4 else ''}{self.monday.day} {self.monday:%b}"


@dataclass
class Bar:
    action: DeliveryAction
    before: int
    span: int
    after: int
    tone: str
    text: str
    overdue: bool
    warnings: list[str] = field(default_factory=list)
    cells: list[tuple[Column, bool]] = field(default_factory=list)

    @property
    def dates(self) -> str:
        """ "20 October to 24 October 2014", or one day."""
        a = self.action
        if a.starts_on == a.due_on:
            return _d(a.due_on)
        return f"{a.starts_on.day} {a.starts_on:%B} to {_d(a.due_on)}"


@dataclass
class Timeline:
    """A plan's span as columns (days up to 9 weeks, else weeks) with one bar an action."""

    plan: ActionPlan
    unit: str
    columns: list[Column]
    weeks: list[WeekHead]
    bars: list[Bar]
    today: datetime.date
    today_in_span: bool
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    overdue: int


DAY_COLUMNS_UP_TO = 63


def _tone(action: DeliveryAction, overdue: bool) -> str:
    if action.status == ActionStatus.DONE:
        return "done"
    if action.status == ActionStatus.CANCELLED:
        return "cancelled"
    if overdue:
        return "red"
    return action.rag or "none"


def timeline(plan: ActionPlan, today: datetime.date) -> Timeline:
    """The plan's timeline on `today`: a day (or week) grid from its first start to its
    last due date, a bar an action with its status in words."""
    actions = list(actions_of(plan))
    if not actions:
        return Timeline(plan, "day", [], [], [], today, False, None, None, 0)
    first = min(a.starts_on for a in actions)
    last = max(a.due_on for a in actions)
    warnings = dependency_warnings(actions)
    if (last - first).days + 1 <= DAY_COLUMNS_UP_TO:
        unit = "day"
        columns = [
            Column(
                start=d, end=d, label=f"{d:%a}"[0] + f" {d.day}", long_label=f"{d:%A} {_d(d)}",
                weekend=d.weekday() >= 5, today=d == today, week_start=d.weekday() == 0,
            )
            for d in (first + datetime.timedelta(days=i) for i in range((last - first).days + 1))
        ]  # fmt: skip
    else:
        unit = "week"
        monday = first - datetime.timedelta(days=first.weekday())
        columns = []
        while monday <= last:
            sunday = monday + datetime.timedelta(days=6)
            columns.append(Column(start=monday, end=sunday, label=f"{monday.day} {monday:%b}",
                                  long_label=f"Week of {_d(monday)}",
                                  today=monday <= today <= sunday, week_start=True))  # fmt: skip
            monday += datetime.timedelta(days=7)
    weeks: list[WeekHead] = []
    if unit == "day":
        for c in columns:
            monday = c.start - datetime.timedelta(days=c.start.weekday())
            if weeks and weeks[-1].monday == monday:
                weeks[-1].days += 1
            else:
                weeks.append(WeekHead(monday, 1))
    bars = []
    for a in actions:
        i = next(n for n, c in enumerate(columns) if c.start <= a.starts_on <= c.end)
        j = next(n for n, c in enumerate(columns) if c.start <= a.due_on <= c.end)
        overdue = a.is_overdue(today)
        cells = [(c, i <= n <= j) for n, c in enumerate(columns)]
        bars.append(Bar(a, i, j - i + 1, len(columns) - j - 1, _tone(a, overdue),
                        status_text(a, today), overdue, warnings.get(a.pk, []), cells))  # fmt: skip
    return Timeline(
        plan, unit, columns, weeks, bars, today, first <= today <= last, first, last,
        sum(b.overdue for b in bars),
    )  # fmt: skip


def plan_rows(
    plan: ActionPlan, today: datetime.date, *, order: str = "due"
) -> list[tuple[DeliveryAction, str, list[str], bool]]:
    """The plan's actions for the list: (action, status in words, dependency warnings,
    overdue), ordered by due date ("due", "-due") or by start ("start")."""
    actions = list(actions_of(plan))
    warnings = dependency_warnings(actions)
    keys = {
        "due": lambda a: (a.due_on, a.starts_on, a.pk),
        "-due": lambda a: (-a.due_on.toordinal(), a.starts_on, a.pk),
        "start": lambda a: (a.starts_on, a.order, a.pk),
    }
    actions.sort(key=keys.get(order, keys["due"]))
    return [
        (a, status_text(a, today), warnings.get(a.pk, []), a.is_overdue(today)) for a in actions
    ]
