"""Every write to a death review: atomic, each with its audit event (before and after).

Stages happen in order: a function that moves a review on refuses (ValidationError) when
the review is not at the stage before, or when its date is before the previous stage's
or in the future. The name of the deceased never enters the audit trail (only whether it
is recorded), so deleting a review at the end of its retention period removes it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from saferplaces.casework.rules import clocks as rules
from saferplaces.death_reviews.clocks import review_clocks
from saferplaces.death_reviews.models import (
    MIN_AGE,
    ClockExtension,
    ClockKey,
    DeathReview,
    FamilyContact,
    ManagementReview,
    PlanAction,
    QaOutcome,
    Stage,
    review_abbreviation,
)
from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction
from saferplaces.partnership.models import Group, Organisation

OBJECT_TYPE = "death_review"


def snapshot(review: DeathReview) -> dict[str, Any]:
    """The review as the audit trail keeps it (the deceased's name only as 'recorded')."""
    return {
        "reference": review.reference,
        "pseudonym": review.pseudonym,
        "real_name_recorded": bool(review.real_name),
        "age_at_death": review.age_at_death,
        "date_of_death": review.date_of_death,
        "circumstances": review.circumstances,
        "notified_by": review.notified_by.name,
        "notified_on": review.notified_on,
        "stage": review.stage,
        "scoping_on": review.scoping_on,
        "decided_on": review.decided_on,
        "review_held": review.review_held,
        "decision_reasons": review.decision_reasons,
        "home_office_informed_on": review.home_office_informed_on,
        "chair_name": review.chair_name,
        "panel_appointed_on": review.panel_appointed_on,
        "report_completed_on": review.report_completed_on,
        "qa_submitted_on": review.qa_submitted_on,
        "qa_outcome": review.qa_outcome,
        "qa_outcome_on": review.qa_outcome_on,
        "sent_on": review.sent_on,
        "published_on": review.published_on,
        "published_where": review.published_where,
    }


def _record(
    actor: audit.Actor, action: AuditAction, review: DeathReview, summary: str,
    before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    audit.record(
        actor, action, OBJECT_TYPE, review.pk, f"{review.reference}: {summary}",
        before=before, after=after,
    )  # fmt: skip


def _today() -> datetime.date:
    return timezone.localdate()


def _not_future(field: str, day: datetime.date, what: str) -> None:
    if day > _today():
        raise ValidationError({field: f"{what} must be today or in the past"})


def _not_before(field: str, day: datetime.date, earlier: datetime.date | None, what: str) -> None:
    if earlier is not None and day < earlier:
        raise ValidationError({field: f"{what} must be on or after {earlier:%-d %B %Y}"})


def _at(review: DeathReview, *stages: Stage, doing: str) -> None:
    if review.stage not in stages:
        wanted = " or ".join(f"'{s.label.lower()}'" for s in stages)
        raise ValidationError(
            f"Cannot record that {doing} now: the review is at "
            f"'{review.get_stage_display().lower()}', and this follows {wanted}"
        )


def next_reference(group: Group, year: int) -> str:
    """The next pseudonymous reference of the panel for a year: DHR-2026-01, DHR-2026-02..."""
    prefix = f"{review_abbreviation()}-{year}-"
    taken = set(
        DeathReview.objects.filter(group=group, reference__startswith=prefix).values_list(
            "reference", flat=True
        )
    )
    n = 1
    while f"{prefix}{n:02d}" in taken:
        n += 1
    return f"{prefix}{n:02d}"


@transaction.atomic
def notify(
    actor: audit.Actor,
    group: Group,
    *,
    pseudonym: str,
    age_at_death: int,
    date_of_death: datetime.date,
    circumstances: str,
    notified_by: Organisation,
    notified_on: datetime.date,
    real_name: str = "",
    reference: str = "",
) -> DeathReview:
    """Record a notification of a death: the review starts at 'notified' and its decision
    clock starts running."""
    if age_at_death < MIN_AGE:
        raise ValidationError(
            {
                "age_at_death": f"A review covers the death of a person aged {MIN_AGE} or over: "
                f"enter an age of {MIN_AGE} or more"
            }
        )
    _not_future("date_of_death", date_of_death, "The date of death")
    _not_future("notified_on", notified_on, "The date of notification")
    _not_before("notified_on", notified_on, date_of_death, "The date of notification")
    reference = reference.strip() or next_reference(group, notified_on.year)
    if DeathReview.objects.filter(group=group, reference=reference).exists():
        raise ValidationError({"reference": f"{reference} is already used: choose another"})
    review = DeathReview.objects.create(
        group=group,
        reference=reference,
        pseudonym=pseudonym.strip(),
        real_name=real_name.strip(),
        age_at_death=age_at_death,
        date_of_death=date_of_death,
        circumstances=circumstances,
        notified_by=notified_by,
        notified_on=notified_on,
    )
    _record(actor, AuditAction.CREATE, review, "notification recorded", after=snapshot(review))
    return review


def _move(actor: audit.Actor, review: DeathReview, summary: str, **changes: Any) -> DeathReview:
    before = snapshot(review)
    for name, value in changes.items():
        setattr(review, name, value)
    review.save(update_fields=list(changes))
    _record(actor, AuditAction.UPDATE, review, summary, before=before, after=snapshot(review))
    return review


@transaction.atomic
def start_scoping(actor: audit.Actor, review: DeathReview, on: datetime.date) -> DeathReview:
    _at(review, Stage.NOTIFIED, doing="scoping started")
    _not_future("on", on, "The date scoping started")
    _not_before("on", on, review.notified_on, "The date scoping started")
    return _move(actor, review, "scoping started", stage=Stage.SCOPING, scoping_on=on)


@transaction.atomic
def decide(
    actor: audit.Actor, review: DeathReview, *, held: bool, on: datetime.date, reasons: str
) -> DeathReview:
    """The decision to hold a review, or not; either way with reasons. It meets the decision
    clock and, for a review to be held, starts the completion clock."""
    _at(review, Stage.SCOPING, doing="a decision was made")
    if not reasons.strip():
        raise ValidationError({"reasons": "Enter the reasons for the decision"})
    _not_future("on", on, "The date of the decision")
    _not_before("on", on, review.scoping_on, "The date of the decision")
    stage = Stage.DECIDED if held else Stage.NOT_HELD
    summary = "decided to hold a review" if held else "decided not to hold a review"
    return _move(
        actor, review, summary,
        stage=stage, decided_on=on, review_held=held, decision_reasons=reasons.strip(),
    )  # fmt: skip


@transaction.atomic
def inform_home_office(actor: audit.Actor, review: DeathReview, on: datetime.date) -> DeathReview:
    """The Home Office told of the decision (of either kind; a review not held stays closed)."""
    _at(review, Stage.DECIDED, Stage.NOT_HELD, doing="the Home Office was informed")
    if review.home_office_informed_on is not None:
        raise ValidationError("The Home Office has already been informed")
    _not_future("on", on, "The date the Home Office was informed")
    _not_before("on", on, review.decided_on, "The date the Home Office was informed")
    stage = Stage.HOME_OFFICE if review.stage == Stage.DECIDED else Stage.NOT_HELD
    return _move(actor, review, "Home Office informed", stage=stage, home_office_informed_on=on)


@transaction.atomic
def appoint_panel(
    actor: audit.Actor, review: DeathReview, *, chair_name: str, on: datetime.date
) -> DeathReview:
    _at(review, Stage.HOME_OFFICE, doing="the chair and panel were appointed")
    if not chair_name.strip():
        raise ValidationError({"chair_name": "Enter the name of the independent chair"})
    _not_future("on", on, "The date of appointment")
    _not_before("on", on, review.home_office_informed_on, "The date of appointment")
    return _move(
        actor, review, "independent chair and panel appointed",
        stage=Stage.PANEL, chair_name=chair_name.strip(), panel_appointed_on=on,
    )  # fmt: skip


def _imr_snapshot(imr: ManagementReview) -> dict[str, Any]:
    return {
        "agency": imr.agency.name,
        "requested_on": imr.requested_on,
        "due_on": imr.due_on,
        "received_on": imr.received_on,
    }


@transaction.atomic
def request_imr(
    actor: audit.Actor,
    review: DeathReview,
    *,
    agency: Organisation,
    requested_on: datetime.date,
    due_on: datetime.date,
) -> ManagementReview:
    """Ask an agency for its individual management review (once the panel is appointed)."""
    _at(review, Stage.PANEL, Stage.IMRS, doing="an individual management review was requested")
    _not_future("requested_on", requested_on, "The date requested")
    _not_before("requested_on", requested_on, review.panel_appointed_on, "The date requested")
    _not_before("due_on", due_on, requested_on, "The due date")
    if review.imrs.filter(agency=agency).exists():
        raise ValidationError({"agency": f"{agency.name} has already been asked for its review"})
    imr = ManagementReview.objects.create(
        review=review, agency=agency, requested_on=requested_on, due_on=due_on
    )
    if review.stage == Stage.PANEL:
        review.stage = Stage.IMRS
        review.save(update_fields=["stage"])
    _record(
        actor, AuditAction.CREATE, review, f"IMR requested from {agency.name}",
        after=_imr_snapshot(imr),
    )  # fmt: skip
    return imr


@transaction.atomic
def receive_imr(
    actor: audit.Actor, imr: ManagementReview, received_on: datetime.date
) -> ManagementReview:
    if imr.received_on is not None:
        raise ValidationError({"received_on": "This review has already been received"})
    _not_future("received_on", received_on, "The date received")
    _not_before("received_on", received_on, imr.requested_on, "The date received")
    before = _imr_snapshot(imr)
    imr.received_on = received_on
    imr.save(update_fields=["received_on"])
    _record(
        actor, AuditAction.UPDATE, imr.review, f"IMR received from {imr.agency.name}",
        before=before, after=_imr_snapshot(imr),
    )  # fmt: skip
    return imr


@transaction.atomic
def complete_report(actor: audit.Actor, review: DeathReview, on: datetime.date) -> DeathReview:
    """The overview report, executive summary and action plan completed (meets the
    completion clock). Every requested IMR must have been received."""
    _at(review, Stage.IMRS, doing="the overview report was completed")
    waiting = [i.agency.name for i in review.imrs.filter(received_on__isnull=True)]
    if waiting:
        raise ValidationError(f"Individual management reviews still awaited: {', '.join(waiting)}")
    _not_future("on", on, "The date completed")
    _not_before("on", on, review.panel_appointed_on, "The date completed")
    return _move(
        actor, review, "overview report, executive summary and action plan completed",
        stage=Stage.REPORT, report_completed_on=on,
    )  # fmt: skip


@transaction.atomic
def submit_for_qa(actor: audit.Actor, review: DeathReview, on: datetime.date) -> DeathReview:
    """Submitted to the Home Office quality assurance panel (again, after amendments)."""
    _at(review, Stage.REPORT, Stage.QA, doing="the report was submitted for quality assurance")
    if review.stage == Stage.QA and review.qa_outcome in ("", QaOutcome.APPROVED):
        raise ValidationError("The report is already with the quality assurance panel")
    _not_future("on", on, "The date submitted")
    _not_before("on", on, review.qa_outcome_on or review.report_completed_on, "The date submitted")
    return _move(
        actor, review, "submitted to the Home Office quality assurance panel",
        stage=Stage.QA, qa_submitted_on=on, qa_outcome="", qa_outcome_on=None,
    )  # fmt: skip


@transaction.atomic
def record_qa_outcome(
    actor: audit.Actor, review: DeathReview, *, outcome: str, on: datetime.date
) -> DeathReview:
    _at(review, Stage.QA, doing="the quality assurance outcome was received")
    if review.qa_outcome:
        raise ValidationError("The outcome is recorded: submit the report again first")
    if outcome not in QaOutcome.values:
        raise ValidationError({"outcome": "Select the panel's outcome"})
    _not_future("on", on, "The date of the outcome")
    _not_before("on", on, review.qa_submitted_on, "The date of the outcome")
    return _move(
        actor, review, f"quality assurance outcome: {QaOutcome(outcome).label.lower()}",
        qa_outcome=outcome, qa_outcome_on=on,
    )  # fmt: skip


@transaction.atomic
def send_report(actor: audit.Actor, review: DeathReview, on: datetime.date) -> DeathReview:
    """Sent to the Secretary of State and the Domestic Abuse Commissioner (after QA approval)."""
    _at(review, Stage.QA, doing="the report was sent")
    if review.qa_outcome not in (QaOutcome.APPROVED, QaOutcome.AMEND):
        raise ValidationError("The quality assurance panel has not approved the report yet")
    _not_future("on", on, "The date sent")
    _not_before("on", on, review.qa_outcome_on, "The date sent")
    return _move(
        actor, review, "sent to the Secretary of State and the Domestic Abuse Commissioner",
        stage=Stage.SENT, sent_on=on,
    )  # fmt: skip


@transaction.atomic
def publish(
    actor: audit.Actor, review: DeathReview, *, on: datetime.date, where: str
) -> DeathReview:
    _at(review, Stage.SENT, doing="the review was published")
    if not where.strip():
        raise ValidationError({"where": "Enter where the report is published"})
    _not_future("on", on, "The date published")
    _not_before("on", on, review.sent_on, "The date published")
    return _move(
        actor, review, "published", stage=Stage.PUBLISHED, published_on=on,
        published_where=where.strip(),
    )  # fmt: skip


@transaction.atomic
def extend_clock(
    actor: audit.Actor,
    review: DeathReview,
    *,
    clock: str,
    to: datetime.date,
    reason: str,
) -> ClockExtension:
    """Extend a running clock to a later date. A reason is required and kept."""
    if clock not in ClockKey.values:
        raise ValidationError({"clock": "Choose a clock to extend"})
    current = {c.key: c for c in review_clocks(review, _today())}.get(clock)
    if current is None:
        raise ValidationError({"clock": "That clock has not started"})
    if current.clock.met_on is not None:
        raise ValidationError(
            f"The clock was met on {current.clock.met_on:%-d %B %Y}: it cannot be extended"
        )
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the extension"})
    if to <= current.clock.effective_due:
        raise ValidationError(
            {"to": f"The new due date must be after {current.clock.effective_due:%-d %B %Y}"}
        )
    rules.extend(current.clock, to, reason)  # the rules agree (raises ClockError otherwise)
    before = {"due": current.clock.effective_due}
    extension = ClockExtension.objects.create(
        review=review,
        clock=clock,
        extended_to=to,
        reason=reason.strip(),
        recorded_by_id=actor.user.pk
        if actor.user is not None and actor.user.is_authenticated
        else None,
    )
    _record(
        actor, AuditAction.UPDATE, review,
        f"{ClockKey(clock).label} clock extended to {to:%-d %B %Y}",
        before=before, after={"due": to, "reason": reason.strip()},
    )  # fmt: skip
    return extension


def _family_snapshot(contact: FamilyContact) -> dict[str, Any]:
    return {
        "contacted_on": contact.contacted_on,
        "relationship": contact.relationship,
        "name_recorded": bool(contact.name),
        "advocacy_offered": contact.advocacy_offered,
        "advocacy_by": contact.advocacy_by,
        "terms_of_reference_input": contact.terms_of_reference_input,
    }


@transaction.atomic
def record_family_contact(
    actor: audit.Actor,
    review: DeathReview,
    *,
    contacted_on: datetime.date,
    relationship: str,
    name: str = "",
    advocacy_offered: bool = False,
    advocacy_by: str = "",
    terms_of_reference_input: bool = False,
    notes: str = "",
) -> FamilyContact:
    if review.is_closed:
        raise ValidationError("This review is closed")
    if not relationship.strip():
        raise ValidationError({"relationship": "Enter their relationship to the deceased"})
    _not_future("contacted_on", contacted_on, "The date of contact")
    _not_before("contacted_on", contacted_on, review.notified_on, "The date of contact")
    contact = FamilyContact.objects.create(
        review=review,
        contacted_on=contacted_on,
        relationship=relationship.strip(),
        name=name.strip(),
        advocacy_offered=advocacy_offered,
        advocacy_by=advocacy_by.strip(),
        terms_of_reference_input=terms_of_reference_input,
        notes=notes.strip(),
    )
    _record(
        actor, AuditAction.CREATE, review, f"contact with family recorded ({contact.relationship})",
        after=_family_snapshot(contact),
    )  # fmt: skip
    return contact


def _action_snapshot(action: PlanAction) -> dict[str, Any]:
    return {
        "action": action.action,
        "owner": action.owner.name,
        "due_on": action.due_on,
        "done_on": action.done_on,
    }


@transaction.atomic
def add_plan_action(
    actor: audit.Actor,
    review: DeathReview,
    *,
    action: str,
    owner: Organisation,
    due_on: datetime.date,
) -> PlanAction:
    """An action of the plan (once a review is to be held)."""
    if not review.review_held:
        raise ValidationError("An action plan follows a decision to hold a review")
    if not action.strip():
        raise ValidationError({"action": "Enter the action"})
    item = PlanAction.objects.create(
        review=review, action=action.strip(), owner=owner, due_on=due_on
    )
    _record(
        actor, AuditAction.CREATE, review, f"action added for {owner.name}",
        after=_action_snapshot(item),
    )  # fmt: skip
    return item


@transaction.atomic
def complete_plan_action(
    actor: audit.Actor, item: PlanAction, done_on: datetime.date
) -> PlanAction:
    if item.done_on is not None:
        raise ValidationError({"done_on": "This action is already done"})
    _not_future("done_on", done_on, "The date done")
    before = _action_snapshot(item)
    item.done_on = done_on
    item.save(update_fields=["done_on"])
    _record(
        actor, AuditAction.UPDATE, item.review, f"action done ({item.owner.name})",
        before=before, after=_action_snapshot(item),
    )  # fmt: skip
    return item


def expired(cutoff: datetime.date) -> QuerySet[DeathReview]:
    """Reviews past retention: published, or decided not to be held, before the cut-off."""
    return DeathReview.objects.filter(
        Q(published_on__lt=cutoff) | Q(stage=Stage.NOT_HELD, decided_on__lt=cutoff)
    )
