"""Groups of the partnership, their members and their escalation line (the parent group).

Who may see a group is decided here and nowhere else (`GroupQuerySet.visible_to` for
lists, `Group.is_visible_to` for one group; the two agree): a group that handles people
(offender management, exploitation, organised crime, MARAC, ASB risk panels) is
*restricted*, and only its members and the partnership's administrators (staff users)
may see its page, members, meetings, minutes, actions and escalations. Everyone else is
answered 404, as if it did not exist. Any signed-in user may see an unrestricted group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from saferplaces.partnership.models.people import Person


class GroupKind(models.TextChoices):
    STRATEGY = "strategy", "Strategy group"
    COUNTY_STRATEGY = "county_strategy", "County strategy group"
    AREA_STEERING = "area_steering", "Area steering group"
    THEMATIC = "thematic", "Thematic delivery group"
    TASK_AND_TIME = "task_time", "Task and time group"
    PANEL = "panel", "Multi-agency panel"


def restricted_by_default(kind: str) -> bool:
    """A new group is restricted when it is a multi-agency panel, unless told otherwise."""
    return kind == GroupKind.PANEL


def is_administrator(user: AbstractBaseUser | AnonymousUser) -> bool:
    """The partnership's administrators: active staff users. They may see every group."""
    return bool(
        user.is_authenticated
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
    )


class GroupQuerySet(models.QuerySet["Group"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> GroupQuerySet:
        """Groups the user may see: every unrestricted group, the restricted groups the
        user is a member of, and every group for an administrator. None when signed out.

        `Group.is_visible_to` answers the same question for one group."""
        if not user.is_authenticated:
            return self.none()
        if is_administrator(user):
            return self.all()
        mine = Membership.objects.filter(person__user_id=user.pk).values("group_id")
        return self.filter(Q(restricted=False) | Q(pk__in=mine))

    def with_member(self, user: AbstractBaseUser | AnonymousUser) -> GroupQuerySet:
        """Groups the user is a member of (none for anonymous users or users with no profile)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__person__user_id=user.pk).distinct()

    def contributable_by(self, user: AbstractBaseUser | AnonymousUser) -> GroupQuerySet:
        """Groups whose meetings, actions and escalations the user may add to."""
        if not user.is_authenticated:
            return self.none()
        if is_administrator(user):
            return self.all()
        return self.with_member(user)


class Group(models.Model):
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=GroupKind.choices)
    place = models.ForeignKey("partnership.Place", on_delete=models.PROTECT, related_name="groups")
    purpose = models.TextField("Purpose (terms of reference)", blank=True)
    cadence = models.CharField("Meets", max_length=80, blank=True, help_text="e.g. Monthly")
    statutory = models.BooleanField(default=False)
    restricted = models.BooleanField(
        "Restricted (need to know)",
        default=False,
        help_text="Handles people: visible to its members and the partnership's "
        "administrators only. Multi-agency panels are restricted unless told otherwise.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="Escalates to",
    )

    objects: ClassVar[GroupQuerySet] = GroupQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=models.F("id")),
                name="group_not_own_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problem = escalation_line_problem(self, self.parent)
        if problem:
            raise ValidationError({"parent": problem})

    def escalation_line(self) -> list[Group]:
        """The parent, its parent and so on up to the top (the county strategy group)."""
        line: list[Group] = []
        node = self.parent
        while node is not None and node not in line and node != self:
            line.append(node)
            node = node.parent
        return line

    @property
    def chair(self) -> Person | None:
        membership = self.memberships.filter(role=MembershipRole.CHAIR).first()
        return membership.person if membership else None

    def has_member(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        return bool(
            user.is_authenticated and self.memberships.filter(person__user_id=user.pk).exists()
        )

    def is_visible_to(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        """May the user see this group (its page, members, meetings, actions and
        escalations)? The same rule as `GroupQuerySet.visible_to`, for one group."""
        if not user.is_authenticated:
            return False
        if not self.restricted or is_administrator(user):
            return True
        return self.has_member(user)

    def can_contribute(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        """Members of the group (and administrators) may add meetings, actions and
        escalations. Everyone who may contribute may also see the group."""
        return bool(user.is_authenticated and (is_administrator(user) or self.has_member(user)))


def escalation_line_problem(group: Group, parent: Group | None) -> str:
    """Why `parent` cannot be the group's escalation line, or "" if it can."""
    if parent is None:
        return ""
    if group.pk is not None and parent.pk == group.pk:
        return "A group cannot escalate to itself: choose a different parent group"
    node: Group | None = parent
    seen: set[int] = set()
    while node is not None:
        if group.pk is not None and node.pk == group.pk:
            return (
                f"{parent.name} already escalates to {group.name}: choose a parent group "
                "that is not below this group"
            )
        if node.pk in seen:  # an existing loop elsewhere; stop rather than spin
            return f"The escalation line above {parent.name} loops: fix it first"
        seen.add(node.pk)
        node = node.parent
    return ""


class MembershipRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    MEMBER = "member", "Member"
    SECRETARIAT = "secretariat", "Secretariat"
    ADVISER = "adviser", "Adviser"


class Membership(models.Model):
    """A person sitting on a group for an organisation, in a role."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        "partnership.Person", on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "partnership.Organisation", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        max_length=12, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )

    class Meta:
        ordering = ["group", "role", "person"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="membership_once"),
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="chair"), name="membership_one_chair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}, {self.group})"
