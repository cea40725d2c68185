"""Every write to plans and the policing body's objectives, and the county matrix.

Each write is atomic and records an `ActivityEvent` (through
`saferplaces.partnership.services.record_event`) in the same transaction. `actor` is the
signed-in user, or None for the system (the demo loader). `upsert_*` functions are
idempotent on a natural key, so loading the same plan twice changes nothing.

`county_matrix(plan)` reads a county Community Safety Agreement against the district
plans of its period: which district holds each county priority (an explicit link, or
the same title with case, spaces and punctuation ignored), the local priorities the
county plan does not cover, and each district's escalation route to the county.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from saferplaces.evidence.figures import indicator_set
from saferplaces.evidence.scope import district_places
from saferplaces.partnership.models import Group, Place
from saferplaces.partnership.models.groups import GroupKind
from saferplaces.partnership.models.places import PlaceKind, lookup_key
from saferplaces.partnership.services import Actor, record_event, upsert_row
from saferplaces.strategy.models.plans import (
    ContributoryFactor,
    Plan,
    PlanKind,
    PlanPriority,
    PlanStatus,
    PolicingObjective,
    SharedOutcome,
    StatutoryRequirement,
)

M = TypeVar("M", bound=models.Model)

PLAN_FIELDS = ("title", "period_label", "starts_on", "ends_on", "vision", "source")


def _save(obj: M) -> M:
    obj.full_clean()
    obj.save()
    return obj


def indicator_names() -> dict[str, str]:
    """Indicator key → name, for every indicator the evidence layer knows."""
    return {i.slug: i.name for i in indicator_set()}


def check_indicator_keys(keys: Iterable[str]) -> list[str]:
    """The keys, de-duplicated in order; ValidationError naming any unknown key."""
    known = indicator_names()
    wanted = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ValidationError(f"Unknown indicator: {', '.join(unknown)}")
    return wanted


# Plans ------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    actor: Actor,
    *,
    place: Place,
    kind: str,
    title: str,
    period_label: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    vision: str = "",
    source: str = "",
) -> Plan:
    plan = _save(
        Plan(
            place=place,
            kind=kind,
            title=title,
            period_label=period_label,
            starts_on=starts_on,
            ends_on=ends_on,
            vision=vision,
            source=source,
        )
    )
    record_event(actor, "created", plan, f"Plan {plan.title} ({place.name}) created")
    return plan


@transaction.atomic
def edit_plan(actor: Actor, plan: Plan, **values: Any) -> Plan:
    """Change the plan's title, period, dates, vision or source (others are refused)."""
    bad = set(values) - set(PLAN_FIELDS)
    if bad:
        raise ValueError(f"Not editable here: {', '.join(sorted(bad))}")
    _draft(plan)
    changed = [k for k, v in values.items() if getattr(plan, k) != v]
    if changed:
        for k in changed:
            setattr(plan, k, values[k])
        _save(plan)
        record_event(actor, "updated", plan, f"Plan {plan.title}: {', '.join(changed)} changed")
    return plan


@transaction.atomic
def upsert_plan(
    actor: Actor,
    *,
    place: Place,
    kind: str,
    period_label: str,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    vision: str = "",
    source: str = "",
) -> Plan:
    """Create or update a plan by (place, kind, period): for loaders."""
    plan, what = upsert_row(
        Plan,
        {"place": place, "kind": kind, "period_label": period_label},
        {"title": title, "starts_on": starts_on, "ends_on": ends_on, "vision": vision,
         "source": source},
    )  # fmt: skip
    if what:
        record_event(actor, what, plan, f"Plan {plan.title} ({place.name}) {what}")
    return plan


@transaction.atomic
def approve_plan(actor: Actor, plan: Plan, *, approved_on: datetime.date, note: str = "") -> Plan:
    """Record the plan's approval (who recorded it, when it was approved, by whom)."""
    if plan.is_approved:
        raise ValidationError("This plan is already approved")
    if not plan.priorities.exists():
        raise ValidationError("Add at least one priority issue before approving the plan")
    plan.status = PlanStatus.APPROVED
    plan.approved_on = approved_on
    plan.approval_note = note
    plan.approved_by = actor if actor is not None and actor.is_authenticated else None  # type: ignore[assignment]
    _save(plan)
    record_event(actor, "approved", plan, f"Plan {plan.title} approved {approved_on:%d %B %Y}")
    return plan


@transaction.atomic
def reopen_plan(actor: Actor, plan: Plan, *, reason: str) -> Plan:
    """Return an approved plan to draft to amend it (a county agreement is "a living
    document"), with the reason recorded in the activity log."""
    if not plan.is_approved:
        raise ValidationError("This plan is already a draft")
    if not reason.strip():
        raise ValidationError("Enter why the plan is being reopened")
    plan.status = PlanStatus.DRAFT
    plan.approved_on = None
    plan.approved_by = None
    plan.approval_note = ""
    _save(plan)
    record_event(actor, "reopened", plan, f"Plan {plan.title} reopened as a draft: {reason}")
    return plan


# Items of a plan ---------------------------------------------------------------------------


def _draft(plan: Plan) -> None:
    """Refuse to change an approved plan: reopen it first (`reopen_plan`)."""
    if plan.is_approved:
        raise ValidationError(f"{plan.title} is approved: reopen it as a draft before changing it")


def _next_order(qs: models.QuerySet[Any]) -> int:
    last = qs.aggregate(m=models.Max("order"))["m"]
    return (last or 0) + 1


@transaction.atomic
def add_priority(
    actor: Actor,
    plan: Plan,
    *,
    title: str,
    description: str = "",
    indicator_keys: Sequence[str] = (),
    county_priority: PlanPriority | None = None,
    order: int | None = None,
) -> PlanPriority:
    _draft(plan)
    _check_county_link(plan, county_priority)
    priority = _save(
        PlanPriority(
            plan=plan,
            title=title,
            description=description,
            indicator_keys=check_indicator_keys(indicator_keys),
            county_priority=county_priority,
            order=_next_order(plan.priorities.all()) if order is None else order,
        )
    )
    record_event(actor, "created", priority, f"Priority {title} added to {plan.title}")
    return priority


@transaction.atomic
def edit_priority(
    actor: Actor,
    priority: PlanPriority,
    *,
    title: str,
    description: str,
    indicator_keys: Sequence[str],
    county_priority: PlanPriority | None,
) -> PlanPriority:
    _draft(priority.plan)
    _check_county_link(priority.plan, county_priority)
    before = (priority.title, priority.description, priority.indicator_keys,
              priority.county_priority_id)  # fmt: skip
    priority.title = title
    priority.description = description
    priority.indicator_keys = check_indicator_keys(indicator_keys)
    priority.county_priority = county_priority
    after = (priority.title, priority.description, priority.indicator_keys,
             priority.county_priority_id)  # fmt: skip
    if before != after:
        _save(priority)
        record_event(actor, "updated", priority, f"Priority {title} of {priority.plan} changed")
    return priority


def _check_county_link(plan: Plan, county_priority: PlanPriority | None) -> None:
    if county_priority is None:
        return
    if plan.is_county_agreement:
        raise ValidationError("A county agreement's priority cannot feed another county priority")
    if not county_priority.plan.is_county_agreement:
        raise ValidationError("Link a district priority to a county agreement's priority")


@transaction.atomic
def add_factor(
    actor: Actor, plan: Plan, *, title: str, description: str = ""
) -> ContributoryFactor:
    _draft(plan)
    factor = _save(
        ContributoryFactor(
            plan=plan, title=title, description=description,
            order=_next_order(plan.factors.all()),
        )
    )  # fmt: skip
    record_event(actor, "created", factor, f"Contributory factor {title} added to {plan.title}")
    return factor


@transaction.atomic
def add_outcome(actor: Actor, plan: Plan, *, text: str, number: int | None = None) -> SharedOutcome:
    """A shared outcome, numbered next unless `number` is given."""
    _draft(plan)
    if number is None:
        number = (plan.outcomes.aggregate(m=models.Max("number"))["m"] or 0) + 1
    if plan.outcomes.filter(number=number).exists():
        raise ValidationError(f"Shared outcome {number} already exists: choose another number")
    outcome = _save(SharedOutcome(plan=plan, number=number, text=text))
    record_event(actor, "created", outcome, f"Shared outcome {number} added to {plan.title}")
    return outcome


@transaction.atomic
def add_requirement(
    actor: Actor, plan: Plan, *, title: str, description: str = ""
) -> StatutoryRequirement:
    _draft(plan)
    requirement = _save(
        StatutoryRequirement(
            plan=plan, title=title, description=description,
            order=_next_order(plan.requirements.all()),
        )
    )  # fmt: skip
    record_event(
        actor, "created", requirement, f"Statutory requirement {title} added to {plan.title}"
    )
    return requirement


# The policing body's objectives ----------------------------------------------------------


@transaction.atomic
def upsert_objective(
    actor: Actor,
    *,
    place: Place,
    title: str,
    reference: str = "",
    description: str = "",
    source_document: str = "",
    order: int = 0,
) -> PolicingObjective:
    objective, what = upsert_row(
        PolicingObjective,
        {"place": place, "title": title},
        {"reference": reference, "description": description,
         "source_document": source_document, "order": order},
    )  # fmt: skip
    if what:
        record_event(actor, what, objective, f"Policing objective {title} ({place.name}) {what}")
    return objective


def objectives_for(plan: Plan) -> models.QuerySet[PolicingObjective]:
    """The active objectives of policing bodies whose area shares a district with the plan's
    place (or is the place itself)."""
    mine = {p.pk for p in district_places(plan.place)} | {plan.place.pk}
    wanted = [
        o.pk
        for o in PolicingObjective.objects.filter(active=True).select_related("place")
        if o.place_id in mine or mine & {p.pk for p in district_places(o.place)}
    ]
    return PolicingObjective.objects.filter(pk__in=wanted)


@transaction.atomic
def map_priority_objectives(
    actor: Actor, priority: PlanPriority, objectives: Iterable[PolicingObjective]
) -> PlanPriority:
    """Set the objectives the priority has regard to (replacing those it had)."""
    wanted = {o.pk for o in objectives}
    allowed = set(objectives_for(priority.plan).values_list("pk", flat=True))
    if wanted - allowed:
        raise ValidationError("Choose objectives of the policing body for this plan's area")
    if wanted != set(priority.objectives.values_list("pk", flat=True)):
        _draft(priority.plan)
        priority.objectives.set(wanted)
        names = ", ".join(str(o) for o in PolicingObjective.objects.filter(pk__in=wanted)) or "none"
        record_event(actor, "mapped", priority, f"Priority {priority.title} has regard to {names}")
    return priority


# The county matrix ------------------------------------------------------------------------


def title_key(title: str) -> str:
    """A title as the matrix compares it: case, spaces, punctuation ignored; & is "and"."""
    return lookup_key(title)


@dataclass(frozen=True)
class Cell:
    """Whether a district's plan holds one county priority, and through which of its own."""

    held_by: tuple[PlanPriority, ...] = ()
    how: str = ""
    """"linked" (a district priority names it) or "title" (same title), "" when not held."""

    @property
    def held(self) -> bool:
        return bool(self.held_by)


@dataclass(frozen=True)
class Uncovered:
    """A local priority that holds no county priority, and county items it resembles."""

    priority: PlanPriority
    related: tuple[str, ...] = ()
    """County contributory factors or statutory requirements whose title it contains."""


@dataclass
class DistrictRow:
    district: Place
    plan: Plan | None
    cells: list[Cell] = field(default_factory=list)
    uncovered: list[Uncovered] = field(default_factory=list)
    route: list[Group] = field(default_factory=list)
    """The district's strategy group, then its escalation line up to the county group."""
    route_from_area: bool = False
    """No strategy group is recorded for the district: the route starts at its area's."""


@dataclass
class CountyMatrix:
    plan: Plan
    priorities: list[PlanPriority]
    rows: list[DistrictRow]

    @property
    def totals(self) -> list[int]:
        """How many districts hold each county priority."""
        return [sum(1 for r in self.rows if r.cells[i].held) for i in range(len(self.priorities))]

    @property
    def uncovered_count(self) -> int:
        return sum(len(r.uncovered) for r in self.rows)


def district_plan(district: Place, county_plan: Plan) -> Plan | None:
    """The district's partnership plan for the county plan's period: the latest starting
    plan whose dates overlap it (approved plans before drafts)."""
    candidates = Plan.objects.filter(
        place=district,
        kind=PlanKind.PARTNERSHIP,
        starts_on__lte=county_plan.ends_on,
        ends_on__gte=county_plan.starts_on,
    )
    return (
        candidates.filter(status=PlanStatus.APPROVED).order_by("-starts_on").first()
        or candidates.order_by("-starts_on").first()
    )


def matrix_districts(county_plan: Plan) -> list[Place]:
    """The districts the county plan's place covers; the districts of any area (an area
    steering group's area, such as North Lancashire) that takes in one of them, so that
    unitary districts in the same two-tier structure (Blackpool, Blackburn with Darwen)
    are read too; and any other district whose plan links a priority to the county plan."""
    districts = {d.pk: d for d in district_places(county_plan.place)}
    areas = Place.objects.filter(kind=PlaceKind.AREA, members__in=list(districts)).distinct()
    for area in areas:
        for d in district_places(area):
            districts.setdefault(d.pk, d)
    linked = Place.objects.filter(plans__priorities__county_priority__plan=county_plan).distinct()
    for d in linked:
        districts.setdefault(d.pk, d)
    return sorted(districts.values(), key=lambda d: d.name)


def escalation_route(district: Place) -> tuple[list[Group], bool]:
    """The district's strategy group and its escalation line (area steering group, county
    strategy group), and False. A district with no strategy group recorded: the steering
    group of an area that takes it in and its line, and True; ([], True) when none."""
    group = Group.objects.filter(place=district, kind=GroupKind.STRATEGY).order_by("name").first()
    if group is not None:
        return [group, *group.escalation_line()], False
    area_group = (
        Group.objects.filter(kind=GroupKind.AREA_STEERING)
        .filter(Q(place__members=district) | Q(place__children=district))
        .order_by("name")
        .first()
    )
    return ([area_group, *area_group.escalation_line()] if area_group else []), True


def county_matrix(county_plan: Plan) -> CountyMatrix:
    """Districts × the county plan's priorities (see the module docstring)."""
    if not county_plan.is_county_agreement:
        raise ValueError(f"{county_plan} is not a county Community Safety Agreement")
    priorities = list(county_plan.priorities.all())
    by_key = {title_key(p.title): p for p in priorities}
    county_items = [
        *(
            f"{t} (contributory factor)"
            for t in county_plan.factors.values_list("title", flat=True)
        ),
        *(
            f"{t} (statutory requirement)"
            for t in county_plan.requirements.values_list("title", flat=True)
        ),
    ]
    rows = []
    for district in matrix_districts(county_plan):
        plan = district_plan(district, county_plan)
        route, from_area = escalation_route(district)
        row = DistrictRow(district=district, plan=plan, route=route, route_from_area=from_area)
        held: dict[int, list[tuple[PlanPriority, str]]] = {}
        if plan is not None:
            for local in plan.priorities.select_related("county_priority"):
                target, how = _held(local, county_plan, by_key)
                if target is None:
                    row.uncovered.append(Uncovered(local, _related(local.title, county_items)))
                else:
                    held.setdefault(target.pk, []).append((local, how))
        for p in priorities:
            pairs = held.get(p.pk, [])
            how = "linked" if any(h == "linked" for _, h in pairs) else ("title" if pairs else "")
            row.cells.append(Cell(tuple(local for local, _ in pairs), how))
        rows.append(row)
    return CountyMatrix(plan=county_plan, priorities=priorities, rows=rows)


def _held(
    local: PlanPriority, county_plan: Plan, by_key: dict[str, PlanPriority]
) -> tuple[PlanPriority | None, str]:
    linked = local.county_priority
    if linked is not None and linked.plan_id == county_plan.pk:
        return linked, "linked"
    found = by_key.get(title_key(local.title))
    return (found, "title") if found else (None, "")


def _related(title: str, county_items: Sequence[str]) -> tuple[str, ...]:
    """County items (labelled "Title (kind)") whose title the local title contains."""
    key = title_key(title)
    found = []
    for item in county_items:
        item_key = title_key(item.rsplit(" (", 1)[0])
        if item_key and item_key in key:
            found.append(item)
    return tuple(found)
