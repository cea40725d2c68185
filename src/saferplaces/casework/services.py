"""Every write to casework: one atomic function per change, each writing its audit event
(who, acting for which organisation, what, which record, before and after) in the same
transaction, so a change and its record stand or fall together.

Callers decide access first (`saferplaces.governance.access`); these functions take the
`PanelAccess` that says who is acting and for whom.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Length

from saferplaces.casework import subjects
from saferplaces.casework.models import (
    TRANSITIONS,
    Case,
    CaseAction,
    CaseNote,
    CaseStatus,
    Panel,
    PanelKind,
    Referral,
    RiskAssessment,
    Subject,
)
from saferplaces.casework.risk import instrument_for
from saferplaces.casework.rules import instruments, marac
from saferplaces.governance import audit
from saferplaces.governance.access import PanelAccess
from saferplaces.governance.models import AuditAction
from saferplaces.partnership.models import Organisation, Person

EDITABLE = (
    "lead_agency", "cohort", "custody", "pathway_needs", "selected_on", "selection_reason",
    "deselected_on", "deselection_reason", "next_review_on",
)  # fmt: skip


def actor_for(access: PanelAccess, address: str = "") -> audit.Actor:
    return audit.Actor(access.membership.person.user, access.organisation.name, address)


def _state(case: Case) -> dict[str, Any]:
    values = {name: getattr(case, name) for name in EDITABLE if name != "lead_agency"}
    return {"status": case.status, "lead_agency": case.lead_agency.name, **values}


def _next_reference(panel: Panel) -> str:
    """The panel's next reference (REV-00001, …, REV-99999, REV-100000). The panel's row is
    locked first, so two cases opened at once never take the same number."""
    Panel.objects.select_for_update().filter(pk=panel.pk).first()
    prefix = f"{panel.reference_prefix}-"
    last = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:05d}"


@transaction.atomic
def add_subject(
    actor: audit.Actor, panel: Panel, *, given_name: str, family_name: str,
    date_of_birth: datetime.date | None, gender: str = "", address: str = "", postcode: str = "",
) -> Subject:  # fmt: skip
    """Key a person's identifying details once (check `subjects.likely_duplicates` first)."""
    if not given_name.strip() or not family_name.strip():
        raise ValidationError("Enter the person's given name and family name")
    subject = Subject.objects.create(
        place=panel.group.place, given_name=given_name.strip(), family_name=family_name.strip(),
        date_of_birth=date_of_birth, gender=gender, address=address, postcode=postcode.upper(),
        name_key=subjects.name_key(given_name, family_name),
        sound_key=subjects.sound_key(family_name),
    )  # fmt: skip
    audit.record(actor, AuditAction.CREATE, "subject", subject.pk, f"Subject keyed for {panel}")
    return subject


@transaction.atomic
def open_case(
    access: PanelAccess, panel: Panel, subject: Subject, *, lead_agency: Organisation,
    referred_by: Organisation, reason: str, referred_on: datetime.date, address: str = "",
    **details: Any,
) -> Case:  # fmt: skip
    """A referral to the panel opens a case (status "referred") with its first referral."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the person is referred"})
    unknown = set(details) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Unknown case fields: {', '.join(sorted(unknown))}")
    case = Case.objects.create(
        panel=panel, subject=subject, reference=_next_reference(panel),
        lead_agency=lead_agency, opened_on=referred_on, **details,
    )  # fmt: skip
    Referral.objects.create(
        case=case, organisation=referred_by, referred_by=access.membership.person,
        reason=reason, referred_on=referred_on, repeat=_is_repeat(panel, subject, referred_on),
    )  # fmt: skip
    audit.record(
        actor_for(access, address), AuditAction.CREATE, "case", case.reference,
        f"Case opened on {panel}", after=_state(case) | {"subject": subject.pk},
    )  # fmt: skip
    return case


def _is_repeat(panel: Panel, subject: Subject, on: datetime.date) -> bool:
    """MARAC: any further abuse against the same victim within 12 months of the last referral."""
    if panel.kind != PanelKind.MARAC:
        return False
    earlier = Referral.objects.filter(case__panel=panel, case__subject=subject, referred_on__lt=on)
    return marac.is_repeat(on, list(earlier.values_list("referred_on", flat=True)))


@transaction.atomic
def add_referral(
    access: PanelAccess, case: Case, *, organisation: Organisation, reason: str,
    referred_on: datetime.date, address: str = "",
) -> Referral:  # fmt: skip
    """A further referral of the same person; for MARAC, flagged as a repeat when due."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the person is referred"})
    referral = Referral.objects.create(
        case=case, organisation=organisation, referred_by=access.membership.person,
        reason=reason, referred_on=referred_on,
        repeat=_is_repeat(case.panel, case.subject, referred_on),
    )  # fmt: skip
    audit.record(
        actor_for(access, address), AuditAction.CREATE, "referral", case.reference,
        f"Referral by {organisation}" + (" (repeat)" if referral.repeat else ""),
        after={
            "referred_on": referred_on, "organisation": organisation.name,
            "repeat": referral.repeat,
        },
    )  # fmt: skip
    return referral


@transaction.atomic
def change_status(
    access: PanelAccess, case: Case, status: str, *, on: datetime.date, reason: str = "",
    address: str = "",
) -> Case:  # fmt: skip
    """Move a case along its lifecycle: referred → accepted or declined → active → closed."""
    if status not in TRANSITIONS.get(case.status, ()):
        allowed = (
            ", ".join(CaseStatus(s).label.lower() for s in TRANSITIONS[case.status]) or "nothing"
        )
        raise ValidationError(
            {"status": f"A {case.get_status_display().lower()} case can become {allowed}"}
        )
    if status in (CaseStatus.DECLINED, CaseStatus.CLOSED) and not reason.strip():
        raise ValidationError({"reason": "Give the reason"})
    before = _state(case)
    case.status = status
    if status in (CaseStatus.ACCEPTED, CaseStatus.DECLINED):
        case.decided_on, case.decision_reason = on, reason
    if status == CaseStatus.ACTIVE and case.panel.is_iom and case.selected_on is None:
        case.selected_on, case.selection_reason = on, reason or case.selection_reason
    if status == CaseStatus.CLOSED:
        case.closed_on, case.closure_reason = on, reason
        if case.panel.is_iom and case.deselected_on is None:
            case.deselected_on, case.deselection_reason = on, reason
    case.save()
    audit.record(
        actor_for(access, address), AuditAction.UPDATE, "case", case.reference,
        f"Case {case.get_status_display().lower()}" + (f": {reason}" if reason else ""),
        before=before, after=_state(case),
    )  # fmt: skip
    return case


@transaction.atomic
def update_case(
    access: PanelAccess, case: Case, changes: Mapping[str, Any], *, address: str = ""
) -> Case:
    """Edit the case's plan (cohort, custody, pathway needs, dates, lead agency)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Unknown case fields: {', '.join(sorted(unknown))}")
    before = _state(case)
    for name, value in changes.items():
        setattr(case, name, value)
    case.full_clean(exclude=["panel", "subject"])
    case.save()
    after = _state(case)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit.record(
            actor_for(access, address), AuditAction.UPDATE, "case", case.reference,
            f"Case edited: {', '.join(sorted(changed))}",
            before={k: before[k] for k in changed}, after={k: after[k] for k in changed},
        )  # fmt: skip
    return case


@transaction.atomic
def assess_risk(
    access: PanelAccess, case: Case, *, instrument_key: str, answers: Sequence[bool | None],
    assessed_on: datetime.date, judged_level: str = "", reason: str = "", address: str = "",
) -> RiskAssessment:  # fmt: skip
    """Score a risk checklist; professional judgement may raise the level, never lower it."""
    instrument = instrument_for(instrument_key)
    try:
        scored = instruments.score(instrument, list(answers))
        level = instruments.final_level(instrument, scored.level, judged_level or None, reason)
    except instruments.InstrumentError as error:
        raise ValidationError(str(error)) from error
    assessment = RiskAssessment.objects.create(
        case=case, instrument=instrument.key, answers=list(answers), yes_count=scored.yes_count,
        scored_level=scored.level, judged_level=judged_level, judgement_reason=reason,
        level=level, assessed_on=assessed_on, assessed_by=access.membership.person,
    )  # fmt: skip
    audit.record(
        actor_for(access, address), AuditAction.CREATE, "risk_assessment", case.reference,
        f"{instrument.name}: {scored.yes_count} yes, {level} risk",
        after={"yes": scored.yes_count, "scored": scored.level, "level": level},
    )  # fmt: skip
    return assessment


@transaction.atomic
def add_action(
    access: PanelAccess, case: Case, *, agency: Organisation, owner: Person | None, text: str,
    due_on: datetime.date, address: str = "",
) -> CaseAction:  # fmt: skip
    if not text.strip():
        raise ValidationError({"text": "Say what is to be done"})
    action = CaseAction.objects.create(
        case=case, agency=agency, owner=owner, text=text, due_on=due_on
    )
    audit.record(
        actor_for(access, address), AuditAction.CREATE, "case_action", case.reference,
        f"Action for {agency}: {text[:200]}", after={"due_on": due_on, "agency": agency.name},
    )  # fmt: skip
    return action


@transaction.atomic
def complete_action(
    access: PanelAccess, action: CaseAction, *, done_on: datetime.date, address: str = ""
) -> CaseAction:
    before = {"done_on": action.done_on}
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    audit.record(
        actor_for(access, address), AuditAction.UPDATE, "case_action", action.case.reference,
        f"Action done: {action.text[:200]}", before=before, after={"done_on": done_on},
    )  # fmt: skip
    return action


@transaction.atomic
def add_note(access: PanelAccess, case: Case, text: str, *, address: str = "") -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": "Write the note"})
    note = CaseNote.objects.create(
        case=case, author=access.membership.person, organisation=access.organisation.name, text=text
    )
    audit.record(
        actor_for(access, address), AuditAction.CREATE, "case_note", case.reference, "Note added"
    )
    return note
