"""`audit.verify` and `saferplaces audit verify` catch tampering with the trail: an
altered event, a removed one, and removed newest events."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction, AuditAppendOnly, AuditEvent


def five_events() -> list[AuditEvent]:
    actor = audit.Actor(None, "Testford Council", "10.0.0.1")
    return [
        audit.record(actor, AuditAction.VIEW, "case", i, f"Viewed case {i}", after={"n": i})
        for i in range(1, 6)
    ]


@pytest.mark.django_db
def test_an_untouched_trail_verifies() -> None:
    """Given five events, Then verify reports all five intact, and so does the command."""
    five_events()
    result = audit.verify()
    assert result.ok and result.events == 5
    call_command("audit", "verify")


@pytest.mark.django_db
def test_the_model_refuses_to_change_or_delete_an_event() -> None:
    """Given an event, When it is saved again or deleted through the model, Then refused."""
    event = five_events()[2]
    event.summary = "Nothing to see"
    with pytest.raises(AuditAppendOnly):
        event.save()
    with pytest.raises(AuditAppendOnly):
        event.delete()


@pytest.mark.django_db
def test_an_altered_event_is_named() -> None:
    """Given five events, When the third's summary is changed by a raw update
    Then verify names event #3 as altered and counts the two before it intact."""
    events = five_events()
    AuditEvent.objects.filter(pk=events[2].pk).update(summary="Viewed nothing")
    result = audit.verify()
    assert not result.ok
    assert result.broken_at == events[2].seq
    assert "altered" in result.reason
    assert result.events == 2


@pytest.mark.django_db
def test_a_removed_middle_event_is_named() -> None:
    """Given five events, When the third is deleted with raw SQL (the model refuses)
    Then verify names event #3 as missing."""
    events = five_events()
    AuditEvent.objects.filter(seq=events[2].seq)._raw_delete(AuditEvent.objects.db)
    result = audit.verify()
    assert result.broken_at == events[2].seq
    assert result.reason == f"event #{events[2].seq} is missing"


@pytest.mark.django_db
def test_removed_newest_events_are_seen() -> None:
    """Given five events, When the newest is deleted
    Then verify says the chain ends at #4 though 5 were written."""
    events = five_events()
    AuditEvent.objects.filter(seq=events[-1].seq)._raw_delete(AuditEvent.objects.db)
    result = audit.verify()
    assert not result.ok
    assert result.broken_at == 5
    assert "ends at event #4 but 5 were written" in result.reason


@pytest.mark.django_db
def test_a_renumbered_event_does_not_follow_its_predecessor() -> None:
    """Given five events, When the third is removed and the fourth renumbered to close the
    gap, Then verify says the renumbered event does not follow the one before it."""
    events = five_events()
    AuditEvent.objects.filter(seq=3)._raw_delete(AuditEvent.objects.db)
    AuditEvent.objects.filter(pk=events[3].pk).update(seq=3)
    result = audit.verify()
    assert result.broken_at == 3
    assert "does not follow" in result.reason


@pytest.mark.django_db
def test_the_command_exits_non_zero_naming_the_first_broken_link() -> None:
    """Given the second and fourth events altered
    When `saferplaces audit verify` runs, Then it fails naming event #2 (the first)."""
    events = five_events()
    AuditEvent.objects.filter(pk__in=[events[1].pk, events[3].pk]).update(after={"n": 99})
    with pytest.raises(CommandError, match=r"broken at event #2: event #2 was altered"):
        call_command("audit", "verify")
