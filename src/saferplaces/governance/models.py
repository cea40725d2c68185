"""Sharing agreements (who may share what, on which lawful basis, for which panels), the
append-only audit trail of casework, and retention periods per record type."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from saferplaces.governance.catalogue import Purpose
from saferplaces.partnership.models.people import PersonRole


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


def _default_identifying_roles() -> list[str]:
    return [PersonRole.PANEL_COORDINATOR.value]


class SharingAgreementQuerySet(models.QuerySet["SharingAgreement"]):
    def in_force(self, on: datetime.date | None = None) -> SharingAgreementQuerySet:
        """Agreements that grant access on ``on`` (today by default): active, started and
        not yet expired. An agreement that lapses closes the access it gave."""
        day = on or timezone.localdate()
        return self.filter(status=AgreementStatus.ACTIVE, starts_on__lte=day, expires_on__gte=day)


class SharingAgreement(models.Model):
    """An information sharing agreement: parties, purpose, lawful basis, data items, DPIA,
    retention, review date and status, and the panels whose casework it covers."""

    place = models.ForeignKey(
        "partnership.Place", on_delete=models.PROTECT, related_name="sharing_agreements"
    )
    title = models.CharField(max_length=200)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    lawful_basis = models.TextField(help_text="One basis per line")
    data_items = models.TextField("Data items shared")
    dpia_reference = models.CharField("DPIA reference", max_length=80, blank=True)
    retention = models.TextField("Retention")
    security = models.TextField(blank=True)
    panels = models.ManyToManyField(
        "partnership.Group",
        related_name="sharing_agreements",
        blank=True,
        help_text="The multi-agency panels whose casework this agreement covers",
    )
    identifying_roles = models.JSONField(
        "Roles that see identifying details",
        default=_default_identifying_roles,
        help_text="Person roles (for example panel coordinators) shown names, dates of birth "
        "and addresses; everyone else with access sees the pseudonymous case only",
    )
    status = models.CharField(
        max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    starts_on = models.DateField()
    expires_on = models.DateField(help_text="The agreement lapses after this day")
    review_on = models.DateField("Review date")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[SharingAgreementQuerySet] = SharingAgreementQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["place__name", "purpose", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def in_force_on(self, day: datetime.date) -> bool:
        return self.status == AgreementStatus.ACTIVE and self.starts_on <= day <= self.expires_on

    @property
    def review_overdue(self) -> bool:
        return self.status == AgreementStatus.ACTIVE and self.review_on < timezone.localdate()


class AgreementParty(models.Model):
    """An organisation's signature on an agreement: a party counts once it has signed."""

    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.CASCADE, related_name="parties"
    )
    organisation = models.ForeignKey(
        "partnership.Organisation", on_delete=models.PROTECT, related_name="agreement_parties"
    )
    signed_by = models.ForeignKey(
        "partnership.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation"], name="party_once")
        ]
        verbose_name_plural = "agreement parties"

    def __str__(self) -> str:
        return f"{self.organisation} ({self.agreement})"


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    CREATE = "create", "Created"
    UPDATE = "update", "Edited"
    DELETE = "delete", "Deleted"
    PURGE = "purge", "Deleted at the end of its retention period"
    DENIED = "denied", "Refused (no access)"


class AuditAppendOnly(Exception):
    """An audit event may be written once and never changed or deleted through the ORM."""


class AuditEvent(models.Model):
    """One casework event: who, acting for which organisation, what, which record, when,
    from where, and before and after for edits. Hash-chained: ``hash`` covers the event and
    the hash of the one before it, so altering or removing any event breaks the chain
    (`saferplaces audit verify`). Written only by `saferplaces.governance.audit.record`."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, db_index=True)
    organisation = models.CharField(max_length=160, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300)
    address = models.CharField("From (IP address)", max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["user", "seq"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditAppendOnly("An audit event cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnly("An audit event cannot be deleted")


class AuditChainHead(models.Model):
    """The newest link of the audit chain (one row): locked while an event is appended, so
    events are numbered and chained one at a time, and removing the newest events is seen."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain at #{self.seq}"


class RetentionPeriod(models.Model):
    """How long a kind of record is kept after it ends; overrides the default the record
    type registers. `saferplaces retention purge` deletes what has expired."""

    record_type = models.CharField(max_length=60, unique=True)
    keep_days = models.PositiveIntegerField("Keep for (days)")
    reason = models.CharField(max_length=200, blank=True, help_text="Why this period")

    class Meta:
        ordering = ["record_type"]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.keep_days} days"
