"""Issues a group raises to its parent group, tracked to resolution.

Every answer to an escalation (accepted, resolved, returned, reopened) is kept as an
`EscalationResponse` row that is never changed afterwards; `Escalation.status`,
`resolution`, `resolved_on` and `resolved_by` are the current state, copied from the
latest response by the service that appends it (`saferplaces.partnership.services`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from saferplaces.partnership.models.groups import Group, Membership, is_administrator

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    RESOLVED = "resolved", "Resolved"
    RETURNED = "returned", "Returned"


CLOSED = (EscalationStatus.RESOLVED, EscalationStatus.RETURNED)


class EscalationQuerySet(models.QuerySet["Escalation"]):
    def unresolved(self) -> EscalationQuerySet:
        return self.filter(status__in=[EscalationStatus.OPEN, EscalationStatus.ACCEPTED])

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> EscalationQuerySet:
        """Escalations the user may see. An escalation joins two groups, so it is shown to

        - whoever may see *both* groups (`Group.is_visible_to`), so that an issue raised by
          a restricted group (Nemesis, the Integrated Working Panel) is not listed on its
          unrestricted parent's page to people outside that restricted group, and the
          answers of a restricted group do not reach an open group's page for everyone;
        - always to the members of the group that raised it (they need the answer) and of
          the group it was raised to (the addressees must see what was escalated to them,
          even when the raising group is restricted and they are not its members);
        - and to administrators, who see everything.

        `Escalation.is_visible_to` answers the same question for one escalation."""
        if not user.is_authenticated:
            return self.none()
        if is_administrator(user):
            return self.all()
        visible = Group.objects.visible_to(user).values("pk")
        mine = Membership.objects.filter(person__user_id=user.pk).values("group_id")
        return self.filter(
            Q(from_group__in=visible, to_group__in=visible)
            | Q(from_group__in=mine)
            | Q(to_group__in=mine)
        )


class Escalation(models.Model):
    from_group = models.ForeignKey(
        "partnership.Group", on_delete=models.CASCADE, related_name="escalations_raised"
    )
    to_group = models.ForeignKey(
        "partnership.Group",
        on_delete=models.PROTECT,
        related_name="escalations_received",
        help_text="The parent group when the issue was raised",
    )
    title = models.CharField(max_length=200)
    detail = models.TextField()
    raised_by = models.ForeignKey(
        "partnership.Person", on_delete=models.PROTECT, related_name="escalations_raised"
    )
    raised_on = models.DateField()
    # The current state: written only by the services, from the latest response.
    status = models.CharField(
        max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    resolution = models.TextField(blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "partnership.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations_resolved",
    )

    objects: ClassVar[EscalationQuerySet] = EscalationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_group=F("to_group")), name="escalation_to_another_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.from_group} → {self.to_group})"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    def is_visible_to(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        """The rule of `EscalationQuerySet.visible_to`, for one escalation."""
        if not user.is_authenticated:
            return False
        if is_administrator(user):
            return True
        if self.from_group.is_visible_to(user) and self.to_group.is_visible_to(user):
            return True
        return self.from_group.has_member(user) or self.to_group.has_member(user)


class EscalationResponse(models.Model):
    """One answer to an escalation, kept as it was given: the status it moved the
    escalation to (`open` when it was reopened), the text (a resolution, why it was
    returned, why it was reopened), who gave it and on which day."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="responses")
    status = models.CharField(max_length=10, choices=EscalationStatus.choices)
    text = models.TextField(blank=True)
    by = models.ForeignKey(
        "partnership.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalation_responses",
    )
    on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.escalation.title!r} on {self.on:%d %B %Y}"

    @property
    def verb(self) -> str:
        """What the response did, in words: Accepted, Resolved, Returned or Reopened."""
        if self.status == EscalationStatus.OPEN:
            return "Reopened"
        return EscalationStatus(self.status).label
