"""ASB Case Reviews (the "Community Trigger", ASB, Crime and Policing Act 2014 s.104).

An application (`CaseReview`) belongs to a partnership panel (a `partnership.Group`), so
who may see it is decided by `saferplaces.governance.access` on that group. The
partnership's threshold and its working-day clocks are settings per partnership place
(`ThresholdSetting`), turned into the rules' `ThresholdPolicy`. The rules themselves
(the threshold engine, working days, clocks) live in `saferplaces.casework.rules`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from saferplaces.casework.rules.threshold import (
    STATUTORY_COMPLAINTS,
    STATUTORY_REPORT_WITHIN_MONTHS,
    STATUTORY_WITHIN_MONTHS,
    Complaint,
    PolicyError,
    ThresholdPolicy,
    policy_from_mapping,
)

DEFAULT_ACKNOWLEDGE_DAYS = 5
DEFAULT_DECIDE_DAYS = 15
DEFAULT_MEETING_DAYS = 35


class ThresholdSetting(models.Model):
    """A partnership's ASB Case Review threshold and deadlines (one per partnership place).

    A partnership without a row uses the statutory threshold and the default clocks."""

    place = models.OneToOneField(
        "partnership.Place", on_delete=models.CASCADE, related_name="asb_threshold_setting"
    )
    complaints_needed = models.PositiveSmallIntegerField(
        default=STATUTORY_COMPLAINTS,
        validators=[MinValueValidator(1), MaxValueValidator(STATUTORY_COMPLAINTS)],
        help_text="Qualifying complaints that meet the threshold: the Act's 3, or fewer",
    )
    within_months = models.PositiveSmallIntegerField(
        "Complaints within (months)",
        default=STATUTORY_WITHIN_MONTHS,
        validators=[MinValueValidator(STATUTORY_WITHIN_MONTHS)],
        help_text="The application must come within this many months of a complaint (6 or more)",
    )
    report_within_months = models.PositiveSmallIntegerField(
        "Reported within (months of the behaviour)",
        default=STATUTORY_REPORT_WITHIN_MONTHS,
        validators=[MinValueValidator(STATUTORY_REPORT_WITHIN_MONTHS)],
        help_text="A complaint counts when made within this many months of the behaviour",
    )
    linked_location_reports = models.PositiveSmallIntegerField(
        "Reports about one location from different people",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="A local route: this many different people reporting the same location "
        "meets the threshold. Leave blank for no such route.",
    )
    hate_incident_qualifies = models.BooleanField(
        "One hate incident or crime meets the threshold", default=False
    )
    vulnerable_victim_override = models.BooleanField(
        "A vulnerable victim meets the threshold with one qualifying complaint", default=False
    )
    acknowledge_within_working_days = models.PositiveSmallIntegerField(
        "Acknowledge within (working days)",
        default=DEFAULT_ACKNOWLEDGE_DAYS,
        validators=[MinValueValidator(1)],
    )
    decide_within_working_days = models.PositiveSmallIntegerField(
        "Decide the threshold within (working days of receipt)",
        default=DEFAULT_DECIDE_DAYS,
        validators=[MinValueValidator(1)],
    )
    meeting_within_working_days = models.PositiveSmallIntegerField(
        "Hold the review meeting within (working days of receipt)",
        default=DEFAULT_MEETING_DAYS,
        validators=[MinValueValidator(1)],
    )
    threshold_not_met_review = models.BooleanField(
        "Local policy lets the policing body review a 'threshold not met' decision",
        default=False,
    )

    class Meta:
        ordering = ["place__name"]
        verbose_name = "ASB Case Review threshold setting"

    def __str__(self) -> str:
        return f"ASB Case Review threshold for {self.place}"

    def policy_mapping(self) -> dict[str, Any]:
        return {
            "complaints_needed": self.complaints_needed,
            "within_months": self.within_months,
            "report_within_months": self.report_within_months,
            "linked_location_reports": self.linked_location_reports,
            "hate_incident_qualifies": self.hate_incident_qualifies,
            "vulnerable_victim_override": self.vulnerable_victim_override,
        }

    def policy(self) -> ThresholdPolicy:
        """The rules' policy for these settings (raises PolicyError when not allowed)."""
        return policy_from_mapping(self.policy_mapping())

    def clean(self) -> None:
        try:
            self.policy()
        except PolicyError as error:
            raise ValidationError(str(error)) from error
        if self.meeting_within_working_days < self.decide_within_working_days:
            raise ValidationError(
                {
                    "meeting_within_working_days": "The review meeting cannot be due before "
                    "the threshold decision"
                }
            )

    @classmethod
    def for_place(cls, place: Any) -> ThresholdSetting:
        """The partnership's settings, or the defaults (unsaved) when it has none."""
        found = cls.objects.filter(place=place).first()
        return found if found is not None else cls(place=place)


class ApplicantKind(models.TextChoices):
    VICTIM = "victim", "The victim"
    CARER = "carer", "A carer or family member, with the victim's consent"
    COUNCILLOR = "councillor", "A councillor, with the victim's consent"
    MP = "mp", "A Member of Parliament, with the victim's consent"
    OTHER = "other", "Someone else acting with the victim's consent"
    BUSINESS = "business", "A business"
    COMMUNITY_GROUP = "community", "A community group"


ON_BEHALF_OF_VICTIM = frozenset(
    {ApplicantKind.CARER, ApplicantKind.COUNCILLOR, ApplicantKind.MP, ApplicantKind.OTHER}
)


class CaseReview(models.Model):
    """One application for an ASB Case Review, from receipt to outcome and any appeal."""

    group = models.ForeignKey(
        "partnership.Group", on_delete=models.PROTECT, related_name="asb_case_reviews"
    )
    reference = models.CharField(max_length=20, unique=True, help_text="e.g. ACR-2026-001")
    received_on = models.DateField("Application received on")
    summary = models.CharField(
        "What the application is about",
        max_length=200,
        help_text="A short description without names, for example "
        "'Noise and intimidation from a neighbouring flat'",
    )
    # The applicant: identifying details, shown only when the agreement allows.
    applicant_name = models.CharField(max_length=160)
    applicant_contact = models.TextField(
        "Applicant's contact details", blank=True, help_text="Address, telephone or email"
    )
    applicant_kind = models.CharField(
        "Who is applying", max_length=12, choices=ApplicantKind.choices
    )
    consent_recorded_on = models.DateField(
        "Victim's consent recorded on",
        null=True,
        blank=True,
        help_text="Needed when someone applies on the victim's behalf",
    )
    victim_vulnerable = models.BooleanField("The victim is vulnerable", default=False)
    # Who runs it.
    contact = models.ForeignKey(
        "partnership.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Single point of contact",
    )
    chair_name = models.CharField("Independent chair", max_length=160, blank=True)
    chair_organisation = models.CharField("Chair's organisation", max_length=160, blank=True)
    # Stages.
    acknowledged_on = models.DateField(null=True, blank=True)
    threshold_met = models.BooleanField(null=True, blank=True)
    threshold_engine_met = models.BooleanField(
        null=True, blank=True, help_text="What the threshold engine decided"
    )
    threshold_reasons = models.JSONField(default=list, blank=True)
    threshold_policy = models.JSONField(
        default=dict, blank=True, help_text="The settings the decision was made under"
    )
    threshold_decided_on = models.DateField(null=True, blank=True)
    threshold_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    threshold_recorded_at = models.DateTimeField(null=True, blank=True)
    meeting_on = models.DateField("Review meeting held on", null=True, blank=True)
    outcome = models.TextField("Outcome of the review", blank=True)
    applicant_told_on = models.DateField("Applicant told of the outcome on", null=True, blank=True)
    appeal_lodged_on = models.DateField(null=True, blank=True)
    appeal_decided_on = models.DateField(null=True, blank=True)
    appeal_upheld = models.BooleanField(null=True, blank=True)
    appeal_notes = models.TextField(blank=True)
    policing_body_review_requested_on = models.DateField(null=True, blank=True)
    policing_body_review_decided_on = models.DateField(null=True, blank=True)
    policing_body_review_outcome = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-reference"]

    def __str__(self) -> str:
        return self.reference

    @property
    def on_behalf_of_victim(self) -> bool:
        return self.applicant_kind in ON_BEHALF_OF_VICTIM

    @property
    def appeal_open(self) -> bool:
        return self.appeal_lodged_on is not None and self.appeal_decided_on is None

    @property
    def policing_body_review_open(self) -> bool:
        return (
            self.policing_body_review_requested_on is not None
            and self.policing_body_review_decided_on is None
        )

    @property
    def stage(self) -> str:
        """Where the application stands, in words."""
        if self.appeal_open:
            return "Appeal under way"
        if self.policing_body_review_open:
            return "Decision under review by the policing body"
        if self.closed_on is not None:
            return "Closed"
        if self.threshold_met is None:
            return "Acknowledged" if self.acknowledged_on else "Received"
        if self.threshold_met is False:
            return "Threshold not met"
        if self.meeting_on is None:
            return "Threshold met: review under way"
        return "Review held"


class ReportedIncident(models.Model):
    """A complaint about the behaviour, as reported to an agency (the threshold counts these)."""

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="incidents")
    behaviour_on = models.DateField("Behaviour happened on")
    reported_on = models.DateField("Reported on")
    reported_to = models.CharField(
        "Reported to", max_length=160, help_text="The agency or organisation told"
    )
    reporter = models.CharField(
        "Reported by",
        max_length=160,
        help_text="The person's name, or a label such as 'Resident A'",
    )
    location = models.CharField(max_length=200, blank=True)
    hate = models.BooleanField("A hate incident or crime", default=False)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["reported_on", "behaviour_on", "pk"]

    def __str__(self) -> str:
        return f"{self.review}: reported {self.reported_on} to {self.reported_to}"

    def complaint(self) -> Complaint:
        return Complaint(
            reported_on=self.reported_on,
            behaviour_on=self.behaviour_on,
            reporter=self.reporter,
            agency=self.reported_to,
            location=self.location,
            hate=self.hate,
        )


class Recommendation(models.Model):
    """A recommendation of the review, owned by an agency, with a due date."""

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField("Recommendation")
    owner_agency = models.CharField("Owner (agency)", max_length=160)
    due_on = models.DateField("Due on")
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.review}: {self.text[:60]}"


class AsbReport(models.Model):
    """A report of ASB from a person, logged so that their second report within 6 months
    prompts staff to tell them of their right to an ASB Case Review (2025 guidance)."""

    group = models.ForeignKey(
        "partnership.Group", on_delete=models.PROTECT, related_name="asb_reports"
    )
    place = models.ForeignKey("partnership.Place", on_delete=models.PROTECT, related_name="+")
    reporter = models.CharField("Reported by", max_length=160)
    reporter_key = models.CharField(max_length=160, db_index=True, editable=False)
    reported_on = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    prompted = models.BooleanField(
        "Staff were prompted to tell the person of their right to a review", default=False
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = "ASB report"

    def __str__(self) -> str:
        return f"ASB report of {self.reported_on}"


def reporter_key(name: str) -> str:
    """Case- and spacing-insensitive form of a reporter's name."""
    return " ".join(name.split()).casefold()
