"""Every write to ASB Case Reviews: one atomic function per change, each writing its audit
event (with before and after for edits) in the same transaction.

Callers decide access first (`saferplaces.governance.access.require_panel_access`) and
pass the `audit.Actor` that says who acted, for which organisation and from where.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferplaces.asb_case_reviews.models import (
    ON_BEHALF_OF_VICTIM,
    ApplicantKind,
    AsbReport,
    CaseReview,
    Recommendation,
    ReportedIncident,
    ThresholdSetting,
    reporter_key,
)
from saferplaces.casework.rules.threshold import (
    SECOND_REPORT_WITHIN_MONTHS,
    ThresholdDecision,
    assess,
    second_report_prompt,
)
from saferplaces.casework.rules.workdays import add_months
from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction
from saferplaces.partnership.models import Group, Person, Place

OBJECT = "asb_case_review"

STATE_FIELDS = (
    "acknowledged_on", "threshold_met", "threshold_engine_met", "threshold_decided_on",
    "contact_id", "chair_name", "chair_organisation", "meeting_on", "outcome",
    "applicant_told_on", "appeal_lodged_on", "appeal_decided_on", "appeal_upheld",
    "appeal_notes", "policing_body_review_requested_on", "policing_body_review_decided_on",
    "policing_body_review_outcome", "closed_on",
)  # fmt: skip


def _state(review: CaseReview) -> dict[str, Any]:
    """The review's stage fields, for an audit event's before and after (no applicant details)."""
    return {name: getattr(review, name) for name in STATE_FIELDS}


def _today() -> datetime.date:
    return timezone.localdate()


def _not_future(field: str, day: datetime.date | None, what: str) -> None:
    if day is not None and day > _today():
        raise ValidationError({field: f"{what} must be today or in the past"})


def _not_before(field: str, day: datetime.date | None, start: datetime.date, what: str) -> None:
    if day is not None and day < start:
        raise ValidationError({field: f"{what} must be on or after {start:%-d %B %Y}"})


def _closing_date(review: CaseReview) -> datetime.date | None:
    """When the application ended, or None while something is still to do.

    It ends when the applicant is told a "threshold not met" decision (taken as the day
    of the decision) or the outcome of the review; a later appeal or policing body
    review reopens it until decided."""
    if review.appeal_open or review.policing_body_review_open:
        return None
    if review.threshold_met is False and review.threshold_decided_on is not None:
        ended = review.threshold_decided_on
    elif review.threshold_met and review.applicant_told_on is not None:
        ended = review.applicant_told_on
    else:
        return None
    later = [
        d
        for d in (review.appeal_decided_on, review.policing_body_review_decided_on)
        if d is not None
    ]
    return max([ended, *later])


def _save(
    actor: audit.Actor, review: CaseReview, before: dict[str, Any], summary: str
) -> CaseReview:
    review.closed_on = _closing_date(review)
    review.save()
    audit.record(
        actor, AuditAction.UPDATE, OBJECT, review.reference, summary,
        before=before, after=_state(review),
    )  # fmt: skip
    return review


def next_reference(year: int) -> str:
    """ACR-<year>-<number>, numbered from 001 in each year of receipt."""
    prefix = f"ACR-{year}-"
    numbers = [
        int(ref.removeprefix(prefix))
        for ref in CaseReview.objects.filter(reference__startswith=prefix).values_list(
            "reference", flat=True
        )
        if ref.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def create_review(
    actor: audit.Actor,
    group: Group,
    *,
    received_on: datetime.date,
    summary: str,
    applicant_name: str,
    applicant_kind: str,
    applicant_contact: str = "",
    consent_recorded_on: datetime.date | None = None,
    victim_vulnerable: bool = False,
    contact: Person | None = None,
    chair_name: str = "",
    chair_organisation: str = "",
) -> CaseReview:
    """Record an application for an ASB Case Review, received by the partnership's panel."""
    if applicant_kind not in ApplicantKind.values:
        raise ValidationError({"applicant_kind": "Choose who is applying"})
    if not applicant_name.strip():
        raise ValidationError({"applicant_name": "Enter the applicant's name"})
    if not summary.strip():
        raise ValidationError({"summary": "Say briefly what the application is about"})
    _not_future("received_on", received_on, "The date the application was received")
    if applicant_kind in ON_BEHALF_OF_VICTIM:
        if consent_recorded_on is None:
            raise ValidationError(
                {
                    "consent_recorded_on": "Enter the date the victim's consent was recorded: "
                    "someone applying for the victim needs it"
                }
            )
        _not_future("consent_recorded_on", consent_recorded_on, "The date consent was recorded")
    else:
        consent_recorded_on = None
    review = CaseReview.objects.create(
        group=group,
        reference=next_reference(received_on.year),
        received_on=received_on,
        summary=summary.strip(),
        applicant_name=applicant_name.strip(),
        applicant_contact=applicant_contact.strip(),
        applicant_kind=applicant_kind,
        consent_recorded_on=consent_recorded_on,
        victim_vulnerable=victim_vulnerable,
        contact=contact,
        chair_name=chair_name.strip(),
        chair_organisation=chair_organisation.strip(),
    )
    audit.record(
        actor, AuditAction.CREATE, OBJECT, review.reference,
        f"ASB Case Review application recorded for {group.name}",
        after={"received_on": received_on, "applicant_kind": applicant_kind,
               "victim_vulnerable": victim_vulnerable, **_state(review)},
    )  # fmt: skip
    return review


@transaction.atomic
def add_incident(
    actor: audit.Actor,
    review: CaseReview,
    *,
    behaviour_on: datetime.date,
    reported_on: datetime.date,
    reported_to: str,
    reporter: str,
    location: str = "",
    hate: bool = False,
    description: str = "",
) -> ReportedIncident:
    """Add an incident the applicant (or others) reported to an agency."""
    if reported_on < behaviour_on:
        raise ValidationError({"reported_on": "The report cannot come before the behaviour"})
    _not_future("reported_on", reported_on, "The date it was reported")
    if not reported_to.strip():
        raise ValidationError(
            {"reported_to": "Enter the agency or organisation it was reported to"}
        )
    if not reporter.strip():
        raise ValidationError({"reporter": "Enter who reported it (a name or a label)"})
    incident = ReportedIncident.objects.create(
        review=review,
        behaviour_on=behaviour_on,
        reported_on=reported_on,
        reported_to=reported_to.strip(),
        reporter=reporter.strip(),
        location=location.strip(),
        hate=hate,
        description=description.strip(),
    )
    audit.record(
        actor, AuditAction.CREATE, "asb_reported_incident", incident.pk,
        f"Incident reported on {reported_on:%-d %B %Y} added to {review.reference}",
        after={"review": review.reference, "behaviour_on": behaviour_on,
               "reported_on": reported_on, "reported_to": incident.reported_to, "hate": hate},
    )  # fmt: skip
    return incident


@transaction.atomic
def record_acknowledgement(
    actor: audit.Actor, review: CaseReview, acknowledged_on: datetime.date
) -> CaseReview:
    """The applicant was told their application has been received."""
    _not_future("acknowledged_on", acknowledged_on, "The date of acknowledgement")
    _not_before("acknowledged_on", acknowledged_on, review.received_on, "The acknowledgement")
    before = _state(review)
    review.acknowledged_on = acknowledged_on
    return _save(actor, review, before, f"{review.reference} acknowledged")


@transaction.atomic
def set_contacts(
    actor: audit.Actor,
    review: CaseReview,
    *,
    contact: Person | None,
    chair_name: str,
    chair_organisation: str,
) -> CaseReview:
    """The single point of contact and the independent chair."""
    before = _state(review)
    review.contact = contact
    review.chair_name = chair_name.strip()
    review.chair_organisation = chair_organisation.strip()
    return _save(actor, review, before, f"{review.reference}: contact and chair recorded")


def assess_review(review: CaseReview) -> ThresholdDecision:
    """What the threshold engine decides for this application under its partnership's policy."""
    setting = ThresholdSetting.for_place(review.group.place)
    return assess(
        setting.policy(),
        review.received_on,
        [incident.complaint() for incident in review.incidents.all()],
        vulnerable_victim=review.victim_vulnerable,
    )


@transaction.atomic
def decide_threshold(
    actor: audit.Actor,
    review: CaseReview,
    *,
    decided_on: datetime.date,
    met: bool | None = None,
    reason: str = "",
) -> CaseReview:
    """Record the threshold decision: the engine's, with its reasons stored.

    ``met`` may differ from the engine only with a ``reason`` (local discretion), which is
    stored with the engine's reasons."""
    _not_future("decided_on", decided_on, "The date of the decision")
    _not_before("decided_on", decided_on, review.received_on, "The decision")
    setting = ThresholdSetting.for_place(review.group.place)
    decision = assess_review(review)
    final = decision.met if met is None else met
    reasons = list(decision.reasons)
    if final != decision.met:
        if not reason.strip():
            raise ValidationError(
                {"reason": "Give a reason for a decision different from the threshold engine's"}
            )
        verdict = "met" if final else "not met"
        reasons.append(f"Decided {verdict}, unlike the engine, because: {reason.strip()}")
    elif reason.strip():
        reasons.append(f"Note: {reason.strip()}")
    before = _state(review)
    review.threshold_met = final
    review.threshold_engine_met = decision.met
    review.threshold_reasons = reasons
    review.threshold_policy = setting.policy_mapping()
    review.threshold_decided_on = decided_on
    review.threshold_decided_by = (
        actor.user if actor.user is not None and actor.user.is_authenticated else None  # type: ignore[assignment]
    )
    review.threshold_recorded_at = timezone.now()
    verdict = "met" if final else "not met"
    return _save(actor, review, before, f"{review.reference}: threshold {verdict}")


@transaction.atomic
def record_outcome(
    actor: audit.Actor,
    review: CaseReview,
    *,
    meeting_on: datetime.date | None,
    outcome: str,
    applicant_told_on: datetime.date | None,
) -> CaseReview:
    """The review meeting, its outcome, and when the applicant was told."""
    if not review.threshold_met:
        raise ValidationError("A review is held only once the threshold is met")
    _not_before("meeting_on", meeting_on, review.received_on, "The review meeting")
    if applicant_told_on is not None:
        _not_future("applicant_told_on", applicant_told_on, "The date the applicant was told")
        if meeting_on is None:
            raise ValidationError({"meeting_on": "Enter the date of the review meeting first"})
        _not_before("applicant_told_on", applicant_told_on, meeting_on, "Telling the applicant")
    before = _state(review)
    review.meeting_on = meeting_on
    review.outcome = outcome.strip()
    review.applicant_told_on = applicant_told_on
    return _save(actor, review, before, f"{review.reference}: review meeting and outcome")


@transaction.atomic
def add_recommendation(
    actor: audit.Actor,
    review: CaseReview,
    *,
    text: str,
    owner_agency: str,
    due_on: datetime.date,
) -> Recommendation:
    """A recommendation of the review, for an agency, due on a date."""
    if not review.threshold_met:
        raise ValidationError("Recommendations come from a review: the threshold is not met")
    if not text.strip():
        raise ValidationError({"text": "Enter the recommendation"})
    if not owner_agency.strip():
        raise ValidationError({"owner_agency": "Enter the agency that owns it"})
    recommendation = Recommendation.objects.create(
        review=review, text=text.strip(), owner_agency=owner_agency.strip(), due_on=due_on
    )
    audit.record(
        actor, AuditAction.CREATE, "asb_recommendation", recommendation.pk,
        f"Recommendation for {recommendation.owner_agency} added to {review.reference}",
        after={"review": review.reference, "owner_agency": recommendation.owner_agency,
               "due_on": due_on},
    )  # fmt: skip
    return recommendation


@transaction.atomic
def complete_recommendation(
    actor: audit.Actor, recommendation: Recommendation, done_on: datetime.date
) -> Recommendation:
    """Mark a recommendation done."""
    _not_future("done_on", done_on, "The date it was done")
    before = {"done_on": recommendation.done_on}
    recommendation.done_on = done_on
    recommendation.save(update_fields=["done_on"])
    audit.record(
        actor, AuditAction.UPDATE, "asb_recommendation", recommendation.pk,
        f"Recommendation of {recommendation.review.reference} done",
        before=before, after={"done_on": done_on},
    )  # fmt: skip
    return recommendation


@transaction.atomic
def record_appeal(
    actor: audit.Actor,
    review: CaseReview,
    *,
    lodged_on: datetime.date,
    decided_on: datetime.date | None,
    upheld: bool | None,
    notes: str = "",
) -> CaseReview:
    """An appeal by the applicant against the decision or the review's handling."""
    _not_future("lodged_on", lodged_on, "The date the appeal was lodged")
    _not_before("lodged_on", lodged_on, review.received_on, "The appeal")
    if decided_on is not None:
        _not_before("decided_on", decided_on, lodged_on, "The appeal's decision")
        if upheld is None:
            raise ValidationError({"upheld": "Say whether the appeal was upheld"})
    elif upheld is not None:
        raise ValidationError({"decided_on": "Enter the date the appeal was decided"})
    before = _state(review)
    review.appeal_lodged_on = lodged_on
    review.appeal_decided_on = decided_on
    review.appeal_upheld = upheld
    review.appeal_notes = notes.strip()
    return _save(actor, review, before, f"{review.reference}: appeal recorded")


@transaction.atomic
def record_policing_body_review(
    actor: audit.Actor,
    review: CaseReview,
    *,
    requested_on: datetime.date,
    decided_on: datetime.date | None,
    outcome: str = "",
) -> CaseReview:
    """Where local policy provides one: the policing body's review of "threshold not met"."""
    setting = ThresholdSetting.for_place(review.group.place)
    if not setting.threshold_not_met_review:
        raise ValidationError("This partnership's policy provides no such review")
    if review.threshold_met is not False:
        raise ValidationError("Only a 'threshold not met' decision can be reviewed this way")
    _not_future("requested_on", requested_on, "The date it was requested")
    _not_before("requested_on", requested_on, review.received_on, "The request")
    if decided_on is not None:
        _not_before("decided_on", decided_on, requested_on, "The decision")
    before = _state(review)
    review.policing_body_review_requested_on = requested_on
    review.policing_body_review_decided_on = decided_on
    review.policing_body_review_outcome = outcome.strip()
    return _save(actor, review, before, f"{review.reference}: policing body review recorded")


@transaction.atomic
def save_threshold_setting(actor: audit.Actor, place: Place, **values: Any) -> ThresholdSetting:
    """Create or change a partnership's threshold settings (validated as the rules require)."""
    setting = ThresholdSetting.for_place(place)
    before = None if setting.pk is None else _setting_state(setting)
    for name, value in values.items():
        if not hasattr(setting, name) or name in {"id", "pk", "place", "place_id"}:
            raise ValidationError(f"Unknown threshold setting {name!r}")
        setattr(setting, name, value)
    setting.full_clean()
    setting.save()
    audit.record(
        actor, AuditAction.CREATE if before is None else AuditAction.UPDATE,
        "asb_threshold_setting", setting.pk, f"ASB Case Review threshold for {place.name} saved",
        before=before, after=_setting_state(setting),
    )  # fmt: skip
    return setting


def _setting_state(setting: ThresholdSetting) -> dict[str, Any]:
    return setting.policy_mapping() | {
        "acknowledge_within_working_days": setting.acknowledge_within_working_days,
        "decide_within_working_days": setting.decide_within_working_days,
        "meeting_within_working_days": setting.meeting_within_working_days,
        "threshold_not_met_review": setting.threshold_not_met_review,
    }


# The 2025 guidance: the second report within 6 months --------------------------------


@dataclass(frozen=True)
class SecondReportCheck:
    """Whether to tell the person of their right to an ASB Case Review, and why."""

    prompt: bool
    earlier: tuple[datetime.date, ...]
    within_months: int = SECOND_REPORT_WITHIN_MONTHS


def second_report_check(
    place: Place, reporter: str, reported_on: datetime.date, *, exclude: Iterable[int] = ()
) -> SecondReportCheck:
    """Is a report by ``reporter`` on ``reported_on`` their second (or later) in 6 months,
    in this partnership? Names are compared ignoring case and spacing."""
    since = add_months(reported_on, -SECOND_REPORT_WITHIN_MONTHS)
    earlier = tuple(
        AsbReport.objects.filter(
            place=place,
            reporter_key=reporter_key(reporter),
            reported_on__gte=since,
            reported_on__lte=reported_on,
        )
        .exclude(pk__in=list(exclude))
        .order_by("reported_on")
        .values_list("reported_on", flat=True)
    )
    return SecondReportCheck(second_report_prompt(earlier, reported_on), earlier)


@transaction.atomic
def log_report(
    actor: audit.Actor,
    group: Group,
    *,
    reporter: str,
    reported_on: datetime.date,
    location: str = "",
    description: str = "",
) -> tuple[AsbReport, SecondReportCheck]:
    """Log a person's report of ASB and check whether it is their second in 6 months."""
    if not reporter.strip():
        raise ValidationError({"reporter": "Enter the name of the person reporting"})
    _not_future("reported_on", reported_on, "The date of the report")
    check = second_report_check(group.place, reporter, reported_on)
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    report = AsbReport.objects.create(
        group=group,
        place=group.place,
        reporter=reporter.strip(),
        reporter_key=reporter_key(reporter),
        reported_on=reported_on,
        location=location.strip(),
        description=description.strip(),
        prompted=check.prompt,
        logged_by=user,  # type: ignore[misc]
    )
    audit.record(
        actor, AuditAction.CREATE, "asb_report", report.pk,
        f"ASB report logged for {group.place.name}"
        + (": second report in 6 months, right to a review prompted" if check.prompt else ""),
        after={"reported_on": reported_on, "prompted": check.prompt},
    )  # fmt: skip
    return report, check
