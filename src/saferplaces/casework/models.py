"""Panels, the people they work with and their cases.

A **subject** holds a person's identifying details (name, date of birth, address); the
**case** that a panel works on is pseudonymous (a reference such as REV-0042) and points
to its subject, so identifying details are shown only where the sharing agreement allows
(`saferplaces.governance.access`). Cohort figures ("117 managed, 51 in custody") are
counted from cases, never typed.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class PanelKind(models.TextChoices):
    IOM = "iom", "Integrated offender management"
    DIVERSION = "diversion", "Early intervention / diversion"
    EXPLOITATION = "exploitation", "Child exploitation"
    ASB_RISK = "asb_risk", "ASB risk assessment conference"
    MARAC = "marac", "MARAC (domestic abuse)"
    OCG = "ocg", "Organised crime group"


class Panel(models.Model):
    """The casework side of a multi-agency panel (a group of the partnership structure)."""

    group = models.OneToOneField(
        "partnership.Group", on_delete=models.CASCADE, related_name="casework_panel"
    )
    kind = models.CharField(max_length=20, choices=PanelKind.choices)
    reference_prefix = models.CharField(
        max_length=6, unique=True, help_text="Case references start with this, e.g. REV"
    )

    class Meta:
        ordering = ["group__name"]

    def __str__(self) -> str:
        return self.group.name

    @property
    def is_iom(self) -> bool:
        return self.kind == PanelKind.IOM


class Subject(models.Model):
    """A person a panel works with: identifying details, kept apart from the case."""

    place = models.ForeignKey("partnership.Place", on_delete=models.PROTECT, related_name="+")
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    name_key = models.CharField(max_length=170, db_index=True, editable=False)
    sound_key = models.CharField(max_length=40, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"


class CaseStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


# What each status may become: referred → accepted or declined → active → closed.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.REFERRED: (CaseStatus.ACCEPTED, CaseStatus.DECLINED),
    CaseStatus.ACCEPTED: (CaseStatus.ACTIVE, CaseStatus.CLOSED),
    CaseStatus.ACTIVE: (CaseStatus.CLOSED,),
    CaseStatus.DECLINED: (),
    CaseStatus.CLOSED: (),
}
OPEN_STATUSES = (CaseStatus.REFERRED, CaseStatus.ACCEPTED, CaseStatus.ACTIVE)


class Cohort(models.TextChoices):
    FIXED = "fixed", "Fixed"
    FLEX = "flex", "Flex"
    FREE = "free", "Free"


class Custody(models.TextChoices):
    CUSTODY = "custody", "In custody"
    COMMUNITY = "community", "In the community"


class Pathway(models.TextChoices):
    ACCOMMODATION = "accommodation", "Accommodation"
    EMPLOYMENT = "employment", "Education, training and employment"
    HEALTH = "health", "Health"
    SUBSTANCES = "substances", "Drugs and alcohol"
    FINANCE = "finance", "Finance, benefit and debt"
    FAMILY = "family", "Children and families"
    ATTITUDES = "attitudes", "Attitudes, thinking and behaviour"


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def managed(self) -> CaseQuerySet:
        """Cases the panel is managing now (accepted or active)."""
        return self.filter(status__in=(CaseStatus.ACCEPTED, CaseStatus.ACTIVE))

    def review_overdue(self, today: datetime.date | None = None) -> CaseQuerySet:
        return self.open().filter(next_review_on__lt=today or timezone.localdate())

    def cohort_figures(self) -> dict[str, int]:
        """Managed, in custody, in the community and per cohort: counted, never typed."""
        managed = Q(status__in=(CaseStatus.ACCEPTED, CaseStatus.ACTIVE))
        return self.aggregate(
            managed=Count("pk", filter=managed),
            in_custody=Count("pk", filter=managed & Q(custody=Custody.CUSTODY)),
            in_community=Count("pk", filter=managed & Q(custody=Custody.COMMUNITY)),
            fixed=Count("pk", filter=managed & Q(cohort=Cohort.FIXED)),
            flex=Count("pk", filter=managed & Q(cohort=Cohort.FLEX)),
            free=Count("pk", filter=managed & Q(cohort=Cohort.FREE)),
            referred=Count("pk", filter=Q(status=CaseStatus.REFERRED)),
            closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
        )


class Case(models.Model):
    """What a panel works on, pseudonymously: a reference, status, lead agency and plan."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="cases")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=20, unique=True)
    status = models.CharField(
        max_length=10, choices=CaseStatus.choices, default=CaseStatus.REFERRED
    )
    lead_agency = models.ForeignKey(
        "partnership.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    cohort = models.CharField(max_length=5, choices=Cohort.choices, blank=True)
    custody = models.CharField("Status", max_length=10, choices=Custody.choices, blank=True)
    pathway_needs = models.JSONField(default=list, blank=True)
    selected_on = models.DateField("Selected on", null=True, blank=True)
    selection_reason = models.CharField(max_length=300, blank=True)
    deselected_on = models.DateField("De-selected on", null=True, blank=True)
    deselection_reason = models.CharField(max_length=300, blank=True)
    next_review_on = models.DateField("Next review", null=True, blank=True)
    opened_on = models.DateField(default=timezone.localdate)
    decided_on = models.DateField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=300, blank=True)

    objects: ClassVar[CaseQuerySet] = CaseQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["reference"]
        indexes = [
            models.Index(fields=["panel", "status", "reference"]),
            models.Index(fields=["status", "closed_on"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def review_overdue(self, today: datetime.date | None = None) -> bool:
        day = today or timezone.localdate()
        return bool(
            self.status in OPEN_STATUSES and self.next_review_on and self.next_review_on < day
        )

    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]

    def pathway_labels(self) -> list[str]:
        labels = dict(Pathway.choices)
        return [labels.get(p, p) for p in self.pathway_needs]


class Referral(models.Model):
    """Who referred the person to the panel, why and when (a case may have several)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey(
        "partnership.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    referred_by = models.ForeignKey(
        "partnership.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    referred_on = models.DateField()
    repeat = models.BooleanField(
        default=False, help_text="MARAC: further abuse within 12 months of the last referral"
    )

    class Meta:
        ordering = ["-referred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case} referred {self.referred_on} by {self.organisation}"


class RiskInstrument(models.Model):
    """An instrument an administrator configures: the wording of its questions (licensed
    material the product does not ship) and, for other instruments, its scoring bands."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=160)
    question_count = models.PositiveSmallIntegerField()
    bands = models.JSONField(help_text='e.g. [{"level": "standard", "min_yes": 0}, …]')
    questions = models.JSONField(
        default=list, blank=True, help_text="The wording, one per question"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RiskAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    instrument = models.CharField(max_length=40)
    answers = models.JSONField()
    yes_count = models.PositiveSmallIntegerField()
    scored_level = models.CharField(max_length=10)
    judged_level = models.CharField(max_length=10, blank=True)
    judgement_reason = models.TextField(blank=True)
    level = models.CharField(max_length=10)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        "partnership.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.instrument} {self.level}"


class CaseAction(models.Model):
    """An action for an agency on a case, with an owner and a due date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    agency = models.ForeignKey(
        "partnership.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "partnership.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["done_on", "due_on", "pk"]

    def __str__(self) -> str:
        return self.text

    def overdue(self, today: datetime.date | None = None) -> bool:
        return self.done_on is None and self.due_on < (today or timezone.localdate())


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "partnership.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.CharField(max_length=160)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Note on {self.case}"


def visible_cases(user: AbstractBaseUser | AnonymousUser) -> CaseQuerySet:
    """Cases on the panels the user may see (the rule lives in governance.access)."""
    from saferplaces.governance.access import panels_visible_to

    return Case.objects.filter(panel__group__in=panels_visible_to(user))
