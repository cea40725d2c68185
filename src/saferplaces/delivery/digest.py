"""The weekly delivery digest: for each lead group, the overdue actions of the initiatives
it leads and their overdue quarterly returns, e-mailed to the group's members.

One e-mail a lead group, to its members who have an e-mail address (members without one
are skipped and listed); nothing is sent to a group with nothing overdue. Mail goes
through Django's e-mail backend (`EMAIL_BACKEND`: the console backend in the demo).
Run it weekly with `saferplaces digest send` (see the management command).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from saferplaces.delivery.initiatives import days_overdue, overdue_actions_for_group
from saferplaces.delivery.models import DeliveryAction, QuarterlyReturn
from saferplaces.partnership.models import Group, Membership

SOURCE = "Source: the action plans and quarterly returns recorded in saferplaces."


@dataclass
class GroupDigest:
    """What one lead group is told: its overdue actions and returns, and who receives it."""

    group: Group
    today: datetime.date
    actions: list[tuple[DeliveryAction, int]]
    returns: list[tuple[QuarterlyReturn, int]]
    recipients: list[str]
    skipped: list[str] = field(default_factory=list)

    @property
    def has_overdue(self) -> bool:
        return bool(self.actions or self.returns)

    @property
    def subject(self) -> str:
        parts = []
        if self.actions:
            parts.append(
                f"{len(self.actions)} overdue action{'s' if len(self.actions) != 1 else ''}"
            )
        if self.returns:
            n = len(self.returns)
            parts.append(f"{n} overdue quarterly return{'s' if n != 1 else ''}")
        return f"{self.group.name}: {' and '.join(parts)} on {self.today.day} {self.today:%B %Y}"


def lead_groups() -> list[Group]:
    """Groups that lead at least one initiative."""
    return list(Group.objects.filter(initiatives__isnull=False).distinct().order_by("name"))


def _recipients(group: Group) -> tuple[list[str], list[str]]:
    """Members' e-mail addresses (once each), and the names of members without one."""
    emails: list[str] = []
    skipped: list[str] = []
    memberships = Membership.objects.filter(group=group).select_related("person__user")
    for m in memberships.order_by("person__user__last_name", "person__user__first_name"):
        email = (m.person.user.email or "").strip()
        if not email:
            skipped.append(m.person.name)
        elif email.lower() not in (e.lower() for e in emails):
            emails.append(email)
    return emails, skipped


def build_digest(group: Group, today: datetime.date) -> GroupDigest:
    """The group's digest on `today` (due today is not yet overdue)."""
    actions = [(a, days_overdue(a, today)) for a in overdue_actions_for_group(group, today)]
    returns = [
        (r, (today - r.due_on).days)
        for r in QuarterlyReturn.objects.overdue(today)
        .filter(allocation__initiative__lead_group=group)
        .select_related("allocation__initiative", "allocation__stream")
        .order_by("due_on", "allocation__initiative__name", "quarter")
    ]
    recipients, skipped = _recipients(group)
    return GroupDigest(group, today, actions, returns, recipients, skipped)


def build_digests(today: datetime.date) -> list[GroupDigest]:
    """Every lead group's digest, with or without anything overdue."""
    return [build_digest(g, today) for g in lead_groups()]


def message_for(digest: GroupDigest, base_url: str = "") -> EmailMultiAlternatives:
    """The e-mail (plain text and HTML) for one group's digest."""
    context = {"d": digest, "base_url": base_url.rstrip("/"), "source": SOURCE}
    msg = EmailMultiAlternatives(
        subject=digest.subject,
        body=render_to_string("delivery/digest_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=digest.recipients,
    )
    msg.attach_alternative(render_to_string("delivery/digest_email.html", context), "text/html")
    return msg


def send_digests(
    today: datetime.date, *, dry_run: bool = False, base_url: str = ""
) -> list[GroupDigest]:
    """Send one e-mail a lead group with something overdue and someone to tell. Returns
    every digest with something overdue: those with recipients were sent (or, in a dry
    run, would be); those without were not (no member has an e-mail address)."""
    due = [d for d in build_digests(today) if d.has_overdue]
    for digest in due:
        if digest.recipients and not dry_run:
            message_for(digest, base_url).send()
    return due
