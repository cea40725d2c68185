"""The audit trail a supervisor reads of their own staff, newest first, 50 a page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction, AuditEvent
from saferplaces.governance.register import trail_page
from saferplaces.partnership.models import Person
from tests.governance.conftest import Cast
from tests.personas import client_for


def trail(person: Person) -> str:
    return reverse("governance:audit_trail", kwargs={"username": person.user.username})


def activity(person: Person, n: int) -> list[AuditEvent]:
    actor = audit.Actor(person.user, person.organisation.name, "10.0.0.1")
    return [audit.record(actor, AuditAction.VIEW, "case", i, f"Viewed case {i}") for i in range(n)]


@pytest.mark.django_db
def test_supervisor_reads_their_staffs_trail_newest_first(cast: Cast) -> None:
    """Given Alice viewed three cases and Charlie one
    When Sue, their line manager, lists her staff and opens Alice's trail
    Then she sees Alice's three events newest first and none of Charlie's."""
    activity(cast.alice, 3)
    activity(cast.charlie, 1)
    sue = client_for(cast.sue)
    index = sue.get(reverse("governance:audit_staff"))
    assert index.status_code == 200
    assert trail(cast.alice) in index.content.decode()
    response = sue.get(trail(cast.alice))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    events = response.context["page"].events
    assert [e.summary for e in events] == ["Viewed case 2", "Viewed case 1", "Viewed case 0"]
    assert all(e.username == "alice" for e in events)


@pytest.mark.django_db
def test_nobody_else_reads_a_persons_trail(cast: Cast, sam_client: object) -> None:
    """Given Alice's trail
    When Charlie (her peer, same supervisor), Vic (another person's supervisor), Alice
    herself and Sam (staff) open it
    Then each gets 404, and the anonymous visitor is sent to sign in."""
    activity(cast.alice, 1)
    for person in (cast.charlie, cast.vic, cast.alice):
        assert client_for(person).get(trail(cast.alice)).status_code == 404
    assert sam_client.get(trail(cast.alice)).status_code == 404  # type: ignore[attr-defined]
    missing = reverse("governance:audit_trail", kwargs={"username": "nobody"})
    assert client_for(cast.sue).get(missing).status_code == 404


@pytest.mark.django_db
def test_reading_the_trail_is_audited(cast: Cast) -> None:
    """When Sue reads Alice's trail
    Then an audit VIEW event of object type audit_trail names Alice, written by Sue."""
    client_for(cast.sue).get(trail(cast.alice))
    event = AuditEvent.objects.get(object_type="audit_trail")
    assert event.action == AuditAction.VIEW
    assert event.object_id == "alice"
    assert event.username == "sue" and event.organisation == "Testford Council"
    assert audit.verify().ok


@pytest.mark.django_db
def test_trail_pages_by_fifty_with_keyset_links(cast: Cast) -> None:
    """Given Alice has 120 events (and Charlie's are interleaved)
    When Sue follows "Older events" from the newest page
    Then she reads 50, 50 and 20 events, each page older than the last, with no repeats."""
    for _ in range(4):
        activity(cast.alice, 30)
        activity(cast.charlie, 5)
    sue = client_for(cast.sue)
    url = trail(cast.alice)
    seen: list[int] = []
    sizes: list[int] = []
    while url:
        response = sue.get(url)
        assert response.status_code == 200
        events = response.context["page"].events
        sizes.append(len(events))
        seen.extend(e.seq for e in events)
        url = response.context["older_url"]
        if url:
            assert "Older events" in response.content.decode()
    assert sizes == [50, 50, 20]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 120


@pytest.mark.django_db
def test_trail_filters_by_date(cast: Cast) -> None:
    """Given ten of Alice's events written ten days ago and five today
    When Sue filters to the days up to five days ago, Then she sees the ten
    When she filters from today, Then she sees the five
    When "To" is before "From", Then the form says what to fix."""
    old = activity(cast.alice, 10)
    activity(cast.alice, 5)
    ten_days_ago = timezone.now() - datetime.timedelta(days=10)
    for i, event in enumerate(old):  # raw update: times still follow the numbers
        AuditEvent.objects.filter(pk=event.pk).update(
            at=ten_days_ago + datetime.timedelta(seconds=i)
        )
    today = timezone.localdate()
    sue = client_for(cast.sue)
    url = trail(cast.alice)
    response = sue.get(url, {"date_to": (today - datetime.timedelta(days=5)).isoformat()})
    assert len(response.context["page"].events) == 10
    response = sue.get(url, {"date_from": today.isoformat()})
    assert len(response.context["page"].events) == 5
    response = sue.get(url, {"date_from": today.isoformat(), "date_to": "2020-01-01"})
    assert response.status_code == 400
    assert "To must be the same as or after From" in response.content.decode()


@pytest.mark.django_db
def test_trail_page_date_bounds_use_the_event_numbers(cast: Cast) -> None:
    """Given events on three days, Then a page for the middle day holds only that day's."""
    events = activity(cast.alice, 9)
    start = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(12))
    ) - datetime.timedelta(days=3)
    for i, event in enumerate(events):
        AuditEvent.objects.filter(pk=event.pk).update(
            at=start + datetime.timedelta(days=i // 3, minutes=i)
        )
    middle = timezone.localtime(start + datetime.timedelta(days=1)).date()
    page = trail_page(cast.alice, date_from=middle, date_to=middle)
    assert [e.seq for e in page.events] == [events[5].seq, events[4].seq, events[3].seq]
    assert page.older is None
