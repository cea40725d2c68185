"""`saferplaces retention purge` over a record type registered for the test (meetings of
a group), so that it does not depend on casework's own record types."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import QuerySet
from django.utils import timezone

from saferplaces.governance import audit, retention
from saferplaces.governance.models import AuditAction, AuditEvent, RetentionPeriod
from saferplaces.partnership.models import Meeting
from tests.personas import World


def _old_meetings(cutoff: datetime.date) -> QuerySet[Meeting]:
    return Meeting.objects.filter(date__lt=cutoff)


@pytest.fixture
def meetings_registered() -> Iterator[None]:
    retention.register("test_meeting", "test meetings", 365, _old_meetings)
    yield
    retention.REGISTRY.pop("test_meeting", None)


@pytest.fixture
def two_meetings(world: World) -> tuple[Meeting, Meeting]:
    today = timezone.localdate()
    old = Meeting.objects.create(
        group=world.lpg, title="Old", date=today - datetime.timedelta(days=800)
    )
    recent = Meeting.objects.create(
        group=world.lpg, title="Recent", date=today - datetime.timedelta(days=30)
    )
    return old, recent


@pytest.mark.django_db
def test_purge_deletes_what_has_expired_and_records_it(
    meetings_registered: None, two_meetings: tuple[Meeting, Meeting]
) -> None:
    """Given a meeting 800 days old and one 30 days old, kept for 365 days
    When `saferplaces retention purge` runs
    Then the old one is deleted, the recent kept, and one PURGE audit event names the id."""
    old, recent = two_meetings
    out = StringIO()
    call_command("retention", "purge", stdout=out)
    assert "test_meeting: deleted 1 test meetings" in out.getvalue()
    assert list(Meeting.objects.all()) == [recent]
    event = AuditEvent.objects.get(object_type="test_meeting")
    assert event.action == AuditAction.PURGE and event.username == "system"
    assert event.before is not None and event.before["ids"] == [str(old.pk)]
    assert audit.verify().ok


@pytest.mark.django_db
def test_dry_run_deletes_nothing(
    meetings_registered: None, two_meetings: tuple[Meeting, Meeting]
) -> None:
    """When the purge runs with --dry-run, Then it says what would go and deletes nothing."""
    out = StringIO()
    call_command("retention", "purge", "--dry-run", stdout=out)
    assert "test_meeting: would delete 1 test meetings" in out.getvalue()
    assert Meeting.objects.count() == 2
    assert not AuditEvent.objects.filter(object_type="test_meeting").exists()


@pytest.mark.django_db
def test_a_retention_period_overrides_the_default(
    meetings_registered: None, two_meetings: tuple[Meeting, Meeting]
) -> None:
    """Given the administrator keeps test meetings for 1000 days
    When the purge runs, Then the 800-day-old meeting stays; `show` lists the period."""
    RetentionPeriod.objects.create(record_type="test_meeting", keep_days=1000)
    call_command("retention", "purge", stdout=StringIO())
    assert Meeting.objects.count() == 2
    out = StringIO()
    call_command("retention", "show", stdout=out)
    assert "test_meeting: test meetings, kept 1000 days" in out.getvalue()
