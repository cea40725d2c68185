"""The weekly digest: one e-mail a lead group with its overdue actions and returns
(saferplaces.delivery.digest and `saferplaces digest send`)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from saferplaces.delivery import digest
from saferplaces.delivery import initiatives as services
from saferplaces.delivery.models import Allocation, FundingStream, Initiative, QuarterlyReturn
from saferplaces.partnership import services as partnership
from saferplaces.partnership.models import Person
from saferplaces.partnership.models.groups import MembershipRole
from tests.delivery.initiative_support import add, day, make_plan, make_sparx
from tests.personas import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def lpg_with_emails(world: World, alice: Person, charlie: Person) -> World:
    """Alice (alice@example.org) and Charlie (no e-mail address) sit on the LPG."""
    alice.user.email = "alice@example.org"
    alice.user.save()
    partnership.upsert_membership(None, group=world.lpg, person=charlie, role=MembershipRole.MEMBER)
    return world


def _return(initiative: Initiative, due_on: datetime.date, quarter: int = 3) -> QuarterlyReturn:
    stream = FundingStream.objects.create(
        place=initiative.place, funder="Police and Crime Commissioner", year=2014,
        amount=Decimal("10000.00"),
    )  # fmt: skip
    allocation = Allocation.objects.create(stream=stream, initiative=initiative,
                                           amount=Decimal("4000.00"))  # fmt: skip
    return QuarterlyReturn.objects.create(allocation=allocation, quarter=quarter, due_on=due_on)


def test_one_email_to_the_lead_groups_members_with_overdue_actions_and_returns(
    lpg_with_emails: World,
) -> None:
    """Given an action due on day 2 and a return due on day 1 of an initiative the LPG leads,
    When the digest is sent on day 5, Then one e-mail goes to Alice (Charlie has no address)
    naming the action, the days overdue and the return, in text and HTML."""
    world = lpg_with_emails
    sparx = make_sparx(world)
    add(make_plan(sparx), "Skip hire", world.council, 0, 2)
    _return(sparx, day(1))
    out = StringIO()
    call_command("digest", "send", "--today", day(5).isoformat(), stdout=out)
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["alice@example.org"]
    assert msg.subject == (
        "Testford Local Priorities Group: 1 overdue action and 1 overdue quarterly return "
        "on 25 October 2014"
    )
    assert "Skip hire" in msg.body and "overdue by 3 days" in msg.body
    assert "Q3 return for Bright Sparx 2014" in msg.body and "overdue by 4 days" in msg.body
    html = msg.alternatives[0]  # type: ignore[attr-defined]
    assert "Skip hire" in html[0] and html[1] == "text/html"
    assert "Sent to Testford Local Priorities Group (1 recipient: alice@example.org)" in (
        out.getvalue()
    )
    assert "not sent to: Charlie Persona" in out.getvalue()


def test_due_today_is_not_overdue_so_nothing_is_sent(lpg_with_emails: World) -> None:
    """Given an action and a return both due on day 4, When the digest runs on day 4,
    Then nothing is sent and it says so; on day 5 one is sent."""
    world = lpg_with_emails
    sparx = make_sparx(world)
    add(make_plan(sparx), "Skip hire", world.council, 0, 4)
    _return(sparx, day(4))
    out = StringIO()
    call_command("digest", "send", "--today", day(4).isoformat(), stdout=out)
    assert mail.outbox == []
    assert "Nothing overdue on 24 October 2014: no digest sent." in out.getvalue()
    call_command("digest", "send", "--today", day(5).isoformat(), stdout=StringIO())
    assert len(mail.outbox) == 1


def test_done_actions_and_submitted_returns_are_not_in_the_digest(lpg_with_emails: World) -> None:
    world = lpg_with_emails
    sparx = make_sparx(world)
    a = add(make_plan(sparx), "Skip hire", world.council, 0, 2)
    services.set_action_status(None, a, status="done", today=day(3))
    r = _return(sparx, day(1))
    r.submitted_on = day(3)
    r.save()
    assert digest.send_digests(day(10)) == []
    assert mail.outbox == []
    assert digest.build_digest(world.lpg, day(10)).has_overdue is False


def test_a_dry_run_prints_and_sends_nothing(lpg_with_emails: World) -> None:
    world = lpg_with_emails
    add(make_plan(make_sparx(world)), "Skip hire", world.council, 0, 2)
    out = StringIO()
    call_command("digest", "send", "--today", day(5).isoformat(), "--dry-run", stdout=out)
    assert mail.outbox == []
    assert "Would send to Testford Local Priorities Group" in out.getvalue()


def test_each_lead_group_gets_only_its_own(lpg_with_emails: World, bob: Person) -> None:
    """Given overdue actions in an LPG-led and a Divert-led initiative, and Bob
    (bob@example.org) on Divert, Then two e-mails go out, each with its own action."""
    world = lpg_with_emails
    bob.user.email = "bob@example.org"
    bob.user.save()
    add(make_plan(make_sparx(world)), "Skip hire", world.council, 0, 2)
    other = make_sparx(world, name="Divert op")
    services.update_initiative(None, other, lead_group=world.divert)
    add(make_plan(other), "Panel review", world.police, 0, 2)
    digest.send_digests(day(5))
    by_to = {tuple(m.to): m.body for m in mail.outbox}
    assert set(by_to) == {("alice@example.org",), ("bob@example.org",)}
    assert "Skip hire" in by_to[("alice@example.org",)]
    assert "Panel review" not in by_to[("alice@example.org",)]
    assert "Panel review" in by_to[("bob@example.org",)]


def test_links_use_the_base_url(lpg_with_emails: World) -> None:
    world = lpg_with_emails
    sparx = make_sparx(world)
    plan = make_plan(sparx)
    add(plan, "Skip hire", world.council, 0, 2)
    digest.send_digests(day(5), base_url="https://csp.example.org/")
    assert (
        f"https://csp.example.org/initiatives/{sparx.slug}/plans/{plan.pk}/" in mail.outbox[0].body
    )


def test_a_bad_date_is_refused() -> None:
    with pytest.raises(CommandError, match="not a date: give it as YYYY-MM-DD"):
        call_command("digest", "send", "--today", "25/10/2014")


def test_a_group_with_no_addresses_is_reported_not_sent(world: World, alice: Person) -> None:
    """Given an overdue action of the LPG and Alice (its only member) without an e-mail
    address, Then nothing is sent and the command says why, not that nothing is overdue."""
    add(make_plan(make_sparx(world)), "Skip hire", world.council, 0, 2)
    out = StringIO()
    call_command("digest", "send", "--today", day(5).isoformat(), stdout=out)
    assert mail.outbox == []
    assert out.getvalue().strip() == (
        "Not sent to Testford Local Priorities Group (1 overdue action, 0 overdue returns): "
        "none of its members has an e-mail address"
    )
