"""Domestic Homicide Reviews (becoming Domestic Abuse Related Death Reviews).

A review belongs to a partnership's review panel (a `partnership.Group`): who may see it
is decided by `saferplaces.governance.access` on that group. The review moves through
stages in order (notification, scoping, the decision to hold a review or not, the Home
Office informed, the independent chair and panel appointed, individual management
reviews, the overview report, quality assurance, the report sent, publication), each
stage recording its date. Two deadline clocks run on those dates: the decision (1 month
after notification by default) and completion of the overview report (6 months after the
decision by default). A partnership may change the defaults (`ReviewClockSetting`);
extending a clock needs a reason, kept as a `ClockExtension`.

The name shown is ``settings.DEATH_REVIEW_NAME`` (never written into a template).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MIN_AGE = 16
DEFAULT_DECISION_MONTHS = 1
DEFAULT_COMPLETION_MONTHS = 6


def review_name() -> str:
    """What the partnership calls a review ("Domestic Homicide Review" by default)."""
    return str(getattr(settings, "DEATH_REVIEW_NAME", "") or "Domestic Homicide Review")


def review_abbreviation() -> str:
    """The initials of the name: DHR, or DARDR once renamed."""
    return "".join(word[0] for word in review_name().split() if word[:1].isalpha()).upper()


class Circumstances(models.TextChoices):
    HOMICIDE = "homicide", "Homicide"
    SUICIDE = "suicide", "Suicide"
    OTHER = "other", "Other death"
    UNKNOWN = "unknown", "Not yet known"


class Stage(models.TextChoices):
    """The stages in the order a review passes through them."""

    NOTIFIED = "notified", "Notified"
    SCOPING = "scoping", "Scoping"
    DECIDED = "decided", "Decided to hold a review"
    NOT_HELD = "not_held", "Decided not to hold a review"
    HOME_OFFICE = "home_office", "Home Office informed"
    PANEL = "panel", "Chair and panel appointed"
    IMRS = "imrs", "Individual management reviews"
    REPORT = "report", "Overview report completed"
    QA = "qa", "Quality assurance"
    SENT = "sent", "Sent to the Secretary of State and the Domestic Abuse Commissioner"
    PUBLISHED = "published", "Published"


STAGE_ORDER = [
    Stage.NOTIFIED, Stage.SCOPING, Stage.DECIDED, Stage.HOME_OFFICE, Stage.PANEL,
    Stage.IMRS, Stage.REPORT, Stage.QA, Stage.SENT, Stage.PUBLISHED,
]  # fmt: skip


def stage_index(stage: str) -> int:
    """Position of a stage in the order (a decision not to hold ranks with the decision)."""
    if stage == Stage.NOT_HELD:
        return STAGE_ORDER.index(Stage.DECIDED)
    return STAGE_ORDER.index(Stage(stage))


class QaOutcome(models.TextChoices):
    APPROVED = "approved", "Approved for publication"
    AMEND = "amend", "Approved subject to amendments"
    RESUBMIT = "resubmit", "Asked to resubmit"


class ClockKey(models.TextChoices):
    DECISION = "decision", "Decision to hold a review"
    COMPLETION = "completion", "Overview report completed"


class ReviewClockSetting(models.Model):
    """A partnership's own deadline defaults (otherwise 1 and 6 months, as the statutory
    guidance sets)."""

    place = models.OneToOneField(
        "partnership.Place",
        on_delete=models.CASCADE,
        related_name="death_review_clocks",
        help_text="The partnership (district) these defaults apply to",
    )
    decision_months = models.PositiveSmallIntegerField(
        "Decision due (months after notification)", default=DEFAULT_DECISION_MONTHS
    )
    completion_months = models.PositiveSmallIntegerField(
        "Overview report due (months after the decision)", default=DEFAULT_COMPLETION_MONTHS
    )

    class Meta:
        verbose_name = "review clock setting"

    def __str__(self) -> str:
        return f"{self.place}: decision {self.decision_months}, completion {self.completion_months}"


class DeathReview(models.Model):
    group = models.ForeignKey(
        "partnership.Group", on_delete=models.PROTECT, related_name="death_reviews"
    )
    reference = models.CharField(max_length=30, help_text="Pseudonymous, e.g. DHR-2026-01")
    pseudonym = models.CharField(
        "Pseudonym of the deceased", max_length=80, help_text="The name used for publication"
    )
    real_name = models.CharField("Name of the deceased", max_length=160, blank=True)
    age_at_death = models.PositiveSmallIntegerField()
    date_of_death = models.DateField()
    circumstances = models.CharField(
        max_length=10, choices=Circumstances.choices, default=Circumstances.UNKNOWN
    )
    notified_by = models.ForeignKey(
        "partnership.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    notified_on = models.DateField()
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.NOTIFIED)
    scoping_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    review_held = models.BooleanField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    home_office_informed_on = models.DateField(null=True, blank=True)
    chair_name = models.CharField("Independent chair", max_length=160, blank=True)
    panel_appointed_on = models.DateField(null=True, blank=True)
    report_completed_on = models.DateField(null=True, blank=True)
    qa_submitted_on = models.DateField(null=True, blank=True)
    qa_outcome = models.CharField(max_length=10, choices=QaOutcome.choices, blank=True)
    qa_outcome_on = models.DateField(null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    published_where = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-notified_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["group", "reference"], name="death_review_ref_once"),
            models.CheckConstraint(
                condition=Q(age_at_death__gte=MIN_AGE), name="death_review_age_16_or_over"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.stage in (Stage.NOT_HELD, Stage.PUBLISHED)


class ClockExtension(models.Model):
    """An extension of a review's clock, with its reason (kept: never edited)."""

    review = models.ForeignKey(DeathReview, on_delete=models.CASCADE, related_name="extensions")
    clock = models.CharField(max_length=12, choices=ClockKey.choices)
    extended_to = models.DateField()
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "clock", "extended_to", "pk"]

    def __str__(self) -> str:
        return f"{self.review} {self.clock} to {self.extended_to}"


class ManagementReview(models.Model):
    """An individual management review (IMR) asked of one agency."""

    review = models.ForeignKey(DeathReview, on_delete=models.CASCADE, related_name="imrs")
    agency = models.ForeignKey(
        "partnership.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField()
    due_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["review", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "agency"], name="death_review_imr_once")
        ]
        verbose_name = "individual management review"

    def __str__(self) -> str:
        return f"IMR {self.agency} ({self.review})"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.received_on is None and self.due_on < today


class FamilyContact(models.Model):
    """Contact with the family: who (their relationship; their name is identifying), when,
    whether advocacy was offered, and their input to the terms of reference."""

    review = models.ForeignKey(DeathReview, on_delete=models.CASCADE, related_name="family")
    contacted_on = models.DateField()
    relationship = models.CharField(max_length=80, help_text="For example, mother or sister")
    name = models.CharField(max_length=160, blank=True)
    advocacy_offered = models.BooleanField(default=False)
    advocacy_by = models.CharField(max_length=160, blank=True)
    terms_of_reference_input = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "contacted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.relationship} ({self.contacted_on})"


class PlanAction(models.Model):
    """One action of the review's action plan, owned by an agency, tracked to done."""

    review = models.ForeignKey(DeathReview, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=300)
    owner = models.ForeignKey(
        "partnership.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["review", "due_on", "pk"]

    def __str__(self) -> str:
        return self.action

    def is_overdue(self, today: datetime.date) -> bool:
        return self.done_on is None and self.due_on < today
