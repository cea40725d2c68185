"""Services: each write is atomic and leaves exactly its activity event."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from saferplaces.partnership import services
from saferplaces.partnership.models import (
    Action,
    ActivityEvent,
    AgendaItem,
    Escalation,
    Meeting,
    Person,
)
from saferplaces.partnership.models.escalations import EscalationStatus
from tests.personas import World

TODAY = datetime.date(2025, 6, 15)


def test_add_action_records_who_did_it(world: World, alice: Person) -> None:
    """Given Alice in the LPG, when she adds an action, then one event names her and it."""
    before = ActivityEvent.objects.count()
    action = services.add_action(
        alice.user, group=world.lpg, title="Map hotspots", owner=alice, due_date=TODAY
    )
    assert ActivityEvent.objects.count() == before + 1
    event = ActivityEvent.objects.first()
    assert event is not None
    assert (event.actor, event.verb, event.object_type, event.object_id) == (
        alice.user,
        "added",
        "partnership.action",
        str(action.pk),
    )
    assert "Map hotspots" in event.summary


def test_action_owner_must_be_a_member(world: World, alice: Person, bob: Person) -> None:
    with pytest.raises(ValidationError, match="must be a member"):
        services.add_action(alice.user, group=world.lpg, title="x", owner=bob, due_date=TODAY)
    assert not Action.objects.exists()


def test_escalation_goes_to_the_parent_group(world: World, alice: Person) -> None:
    escalation = services.raise_escalation(
        alice.user, group=world.lpg, title="Need funds", detail="Because", raised_by=alice
    )
    assert escalation.to_group == world.executive
    assert escalation.status == EscalationStatus.OPEN
    assert world.executive.escalations_received.get() == escalation


def test_a_group_with_no_parent_cannot_escalate(world: World, alice: Person) -> None:
    with pytest.raises(ValidationError, match="no parent group"):
        services.raise_escalation(
            None, group=world.county_group, title="x", detail="y", raised_by=alice
        )
    assert not Escalation.objects.exists()


def test_resolving_needs_a_resolution(world: World, alice: Person) -> None:
    escalation = services.raise_escalation(
        None, group=world.lpg, title="t", detail="d", raised_by=alice
    )
    with pytest.raises(ValidationError, match="Enter the resolution"):
        services.resolve_escalation(None, escalation, resolution=" ")
    resolved = services.resolve_escalation(None, escalation, resolution="Funded", on=TODAY)
    resolved.refresh_from_db()
    assert (resolved.status, resolved.resolved_on, resolved.is_closed) == ("resolved", TODAY, True)


class TestEscalationAnswers:
    """Every answer to an escalation is a row of its own; none is ever overwritten."""

    @pytest.fixture
    def escalation(self, world: World, alice: Person) -> Escalation:
        return services.raise_escalation(
            alice.user, group=world.lpg, title="Funding gap", detail="d", raised_by=alice
        )

    def test_resolve_reopen_resolve_keeps_both_resolutions(
        self, escalation: Escalation, alice: Person, sam: Person
    ) -> None:
        """Given an escalation, When it is resolved, reopened with a reason and resolved
        again, Then both resolutions and the reason are kept in order, the escalation's
        current state is the latest answer, and each step left its activity event."""
        before = ActivityEvent.objects.count()
        services.resolve_escalation(sam.user, escalation, resolution="Partners pay", by=sam)
        services.reopen_escalation(
            alice.user, escalation, reason="Two partners withdrew", by=alice, on=TODAY
        )
        assert (escalation.status, escalation.resolution) == ("open", "")
        services.resolve_escalation(sam.user, escalation, resolution="OPCC grant", by=sam)
        answers = list(escalation.responses.values_list("status", "text", "by"))
        assert answers == [
            ("resolved", "Partners pay", sam.pk),
            ("open", "Two partners withdrew", alice.pk),
            ("resolved", "OPCC grant", sam.pk),
        ]
        assert [r.verb for r in escalation.responses.all()] == ["Resolved", "Reopened", "Resolved"]
        escalation.refresh_from_db()
        assert (escalation.status, escalation.resolution, escalation.resolved_by) == (
            "resolved",
            "OPCC grant",
            sam,
        )
        events = ActivityEvent.objects.order_by("pk")[before:]
        assert [e.verb for e in events] == ["resolved", "reopened", "resolved"]
        assert "Two partners withdrew" in events[1].summary

    def test_reopening_needs_a_reason_that_says_what_to_fix(
        self, escalation: Escalation, alice: Person
    ) -> None:
        services.resolve_escalation(None, escalation, resolution="Done")
        before = ActivityEvent.objects.count()
        with pytest.raises(ValidationError) as raised:
            services.reopen_escalation(None, escalation, reason="  ", by=alice)
        assert raised.value.message_dict == {
            "reason": ["Enter why you are reopening the escalation"]
        }
        escalation.refresh_from_db()
        assert (escalation.status, escalation.resolution) == ("resolved", "Done")
        assert escalation.responses.count() == 1
        assert ActivityEvent.objects.count() == before

    def test_a_closed_escalation_is_not_answered_again_without_reopening(
        self, escalation: Escalation
    ) -> None:
        services.return_escalation(None, escalation, reason="The LPG can fund it")
        for answer in (
            lambda: services.resolve_escalation(None, escalation, resolution="Overwrite"),
            lambda: services.accept_escalation(None, escalation),
            lambda: services.return_escalation(None, escalation, reason="Again"),
        ):
            with pytest.raises(ValidationError, match="reopen it, giving a reason"):
                answer()
        escalation.refresh_from_db()
        assert (escalation.status, escalation.resolution) == ("returned", "The LPG can fund it")
        assert escalation.responses.count() == 1

    def test_a_stale_copy_cannot_overwrite_a_newer_answer(self, escalation: Escalation) -> None:
        """Given two people opened the same open escalation, When the first resolves it and
        the second (holding the old copy) resolves it too, Then the second is refused: the
        service reads the status afresh under a row lock."""
        stale = Escalation.objects.get(pk=escalation.pk)
        services.resolve_escalation(None, escalation, resolution="First answer")
        assert stale.status == "open"
        with pytest.raises(ValidationError, match="already resolved"):
            services.resolve_escalation(None, stale, resolution="Second answer")
        assert Escalation.objects.get(pk=escalation.pk).resolution == "First answer"

    def test_only_closed_escalations_reopen_and_accepting_is_kept(
        self, escalation: Escalation
    ) -> None:
        with pytest.raises(ValidationError, match="nothing to reopen"):
            services.reopen_escalation(None, escalation, reason="Why not")
        services.accept_escalation(None, escalation, note="On the July agenda")
        with pytest.raises(ValidationError, match="already accepted"):
            services.accept_escalation(None, escalation)
        services.resolve_escalation(None, escalation, resolution="Agreed in July")
        assert list(escalation.responses.values_list("status", "text")) == [
            ("accepted", "On the July agenda"),
            ("resolved", "Agreed in July"),
        ]

    def test_when_the_event_cannot_be_written_the_answer_is_undone(
        self, escalation: Escalation, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("activity log unavailable")

        monkeypatch.setattr(services, "record_event", broken)
        with pytest.raises(RuntimeError):
            services.resolve_escalation(None, escalation, resolution="Lost")
        escalation.refresh_from_db()
        assert (escalation.status, escalation.resolution) == ("open", "")
        assert not escalation.responses.exists()


def test_a_meeting_whose_agenda_fails_half_way_writes_nothing(world: World) -> None:
    """Given an agenda whose second item is too long, when the meeting is added, then
    neither the meeting, nor its first item, nor any activity event is saved."""
    before = ActivityEvent.objects.count()
    with pytest.raises(ValidationError):
        services.add_meeting(
            None, group=world.lpg, title="June", date=TODAY, agenda=["Performance", "x" * 201]
        )
    assert not Meeting.objects.exists()
    assert not AgendaItem.objects.exists()
    assert ActivityEvent.objects.count() == before


def test_when_the_event_cannot_be_written_the_change_is_undone(
    world: World, alice: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the activity log fails after the action row is inserted, then no action remains."""

    def broken(*args: object, **kwargs: object) -> None:
        assert Action.objects.count() == 1  # the row was written before the failure
        raise RuntimeError("activity log unavailable")

    monkeypatch.setattr(services, "record_event", broken)
    with pytest.raises(RuntimeError):
        services.add_action(alice.user, group=world.lpg, title="x", owner=alice, due_date=TODAY)
    assert not Action.objects.exists()


def test_upserts_change_nothing_the_second_time(world: World) -> None:
    before = ActivityEvent.objects.count()
    again = services.upsert_place(
        None,
        slug="testford",
        name="Testford",
        kind="district",
        parent=world.area,
        lad_code="E07999999",
        csp_code="E22999999",
        pfa_code="E23999999",
        fra_code="E31999999",
        county_code="E10999999",
    )
    assert again == world.district
    assert services.record_populations(None, world.district, {2019: 100_000}, "test") == 0
    assert ActivityEvent.objects.count() == before
    services.upsert_place(
        None, slug="testford", name="Testford Borough", kind="district", parent=world.area
    )
    assert ActivityEvent.objects.count() == before + 1
    assert ActivityEvent.objects.first().verb == "updated"  # type: ignore[union-attr]


def test_agenda_items_are_numbered_in_order(world: World, alice: Person) -> None:
    meeting = services.add_meeting(
        alice.user, group=world.lpg, title="July", date=TODAY, agenda=["One", "Two"]
    )
    third = services.add_agenda_item(alice.user, meeting=meeting, title="Three")
    assert list(meeting.agenda_items.values_list("order", "title")) == [
        (1, "One"),
        (2, "Two"),
        (3, "Three"),
    ]
    assert third.order == 3
    decision = services.record_decision(
        alice.user, meeting=meeting, text="Agreed", agenda_item=third
    )
    assert decision.agenda_item == third
