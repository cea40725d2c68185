"""Death review services: the deadline clocks, the order of stages, the age rule, audit."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from saferplaces.death_reviews import services
from saferplaces.death_reviews.clocks import current_clock, review_clocks
from saferplaces.death_reviews.models import (
    ClockKey,
    DeathReview,
    QaOutcome,
    ReviewClockSetting,
    Stage,
)
from saferplaces.governance import audit
from saferplaces.governance.models import AuditAction, AuditEvent
from tests.death_reviews.conftest import ACTOR, NOTIFIED, Panel, notify

D = datetime.date


def _decided(review: DeathReview, on: D, *, held: bool = True) -> DeathReview:
    services.start_scoping(ACTOR, review, review.notified_on)
    return services.decide(ACTOR, review, held=held, on=on, reasons="Criteria met")


def _clock(review: DeathReview, key: str, today: D) -> object:
    return {c.key: c for c in review_clocks(review, today)}[key]


def test_decision_is_due_a_month_after_notification(review: DeathReview) -> None:
    """Given a notification on 10 March 2025
    When its clocks are read
    Then the decision is due on 10 April 2025, and there is no completion clock yet."""
    clocks = review_clocks(review, D(2025, 3, 20))
    assert [c.key for c in clocks] == [ClockKey.DECISION]
    assert clocks[0].clock.due_on == D(2025, 4, 10)
    assert clocks[0].status == "running"


def test_month_end_clamps(panel: Panel) -> None:
    """Given a notification on 31 January and a decision on 31 August
    Then the decision is due on 28 February and the report on 28 February next year."""
    review = notify(panel, notified_on=D(2025, 1, 31), date_of_death=D(2025, 1, 30))
    assert _clock(review, ClockKey.DECISION, D(2025, 2, 1)).clock.due_on == D(2025, 2, 28)  # type: ignore[attr-defined]
    other = notify(panel, notified_on=D(2025, 8, 20), date_of_death=D(2025, 8, 19))
    _decided(other, D(2025, 8, 31))
    completion = _clock(other, ClockKey.COMPLETION, D(2025, 9, 1))
    assert completion.clock.due_on == D(2026, 2, 28)  # type: ignore[attr-defined]
    assert completion.clock.started_on == D(2025, 8, 31)  # type: ignore[attr-defined]


def test_decision_meets_the_clock_and_starts_completion(review: DeathReview) -> None:
    """Given a review decided on the last day allowed
    Then the decision clock is met and the completion clock runs 6 months from the decision."""
    _decided(review, D(2025, 4, 10))
    decision, completion = review_clocks(review, D(2025, 5, 1))
    assert decision.status == "met" and decision.clock.met_on == D(2025, 4, 10)
    assert completion.clock.due_on == D(2025, 10, 10)
    assert current_clock(review, D(2025, 5, 1)) == completion


def test_late_decision_and_overdue_clock(review: DeathReview) -> None:
    """Given no decision by the due date
    Then the clock is overdue by the days since; decided later it reads 'met late'."""
    clock = _clock(review, ClockKey.DECISION, D(2025, 4, 15))
    assert clock.status == "overdue" and clock.days_overdue == 5  # type: ignore[attr-defined]
    _decided(review, D(2025, 4, 12))
    assert _clock(review, ClockKey.DECISION, D(2025, 5, 1)).status == "met late"  # type: ignore[attr-defined]


def test_partnership_setting_changes_the_defaults(panel: Panel, review: DeathReview) -> None:
    """Given the partnership sets 2 months for the decision and 9 for completion
    Then the clocks follow its setting."""
    ReviewClockSetting.objects.create(
        place=panel.world.district, decision_months=2, completion_months=9
    )
    assert _clock(review, ClockKey.DECISION, NOTIFIED).clock.due_on == D(2025, 5, 10)  # type: ignore[attr-defined]
    _decided(review, D(2025, 3, 31))
    assert _clock(review, ClockKey.COMPLETION, NOTIFIED).clock.due_on == D(2025, 12, 31)  # type: ignore[attr-defined]


def test_extension_needs_a_reason_and_a_later_date(review: DeathReview) -> None:
    """Given a running decision clock
    When it is extended without a reason, or to a date not after the due date, it is refused
    When it is extended with a reason, the due date moves, the reason is kept and audited."""
    with pytest.raises(ValidationError) as no_reason:
        services.extend_clock(ACTOR, review, clock=ClockKey.DECISION, to=D(2025, 5, 1), reason=" ")
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as too_early:
        services.extend_clock(
            ACTOR, review, clock=ClockKey.DECISION, to=D(2025, 4, 10), reason="Awaiting police"
        )
    assert "to" in too_early.value.message_dict
    services.extend_clock(
        ACTOR, review, clock=ClockKey.DECISION, to=D(2025, 5, 1), reason="Awaiting police"
    )
    clock = _clock(review, ClockKey.DECISION, D(2025, 4, 20))
    assert clock.clock.effective_due == D(2025, 5, 1)  # type: ignore[attr-defined]
    assert clock.status != "overdue"  # type: ignore[attr-defined]
    assert [e.reason for e in review.extensions.all()] == ["Awaiting police"]
    event = AuditEvent.objects.filter(object_type="death_review", summary__contains="extended")
    assert event.get().after == {"due": "2025-05-01", "reason": "Awaiting police"}


def test_a_met_clock_cannot_be_extended(review: DeathReview) -> None:
    _decided(review, D(2025, 4, 1))
    with pytest.raises(ValidationError):
        services.extend_clock(
            ACTOR, review, clock=ClockKey.DECISION, to=D(2025, 6, 1), reason="Too late"
        )


def test_age_under_16_is_refused(panel: Panel) -> None:
    """Given a death of a person aged 15
    Then no review is recorded (the service refuses, and the database would too)."""
    with pytest.raises(ValidationError) as error:
        notify(panel, age_at_death=15)
    assert "16 or over" in error.value.message_dict["age_at_death"][0]
    assert not DeathReview.objects.exists()
    review = notify(panel, age_at_death=16)
    with pytest.raises(IntegrityError):
        DeathReview.objects.filter(pk=review.pk).update(age_at_death=12)


def test_stages_happen_in_order(panel: Panel, review: DeathReview) -> None:
    """Given a notified review
    Then each later stage is refused until the one before it is recorded."""
    with pytest.raises(ValidationError, match="at 'notified'"):
        services.decide(ACTOR, review, held=True, on=D(2025, 3, 20), reasons="x")
    with pytest.raises(ValidationError):
        services.publish(ACTOR, review, on=D(2025, 3, 20), where="web")
    services.start_scoping(ACTOR, review, D(2025, 3, 11))
    with pytest.raises(ValidationError):
        services.start_scoping(ACTOR, review, D(2025, 3, 12))
    with pytest.raises(ValidationError) as no_reasons:
        services.decide(ACTOR, review, held=True, on=D(2025, 3, 20), reasons="")
    assert "reasons" in no_reasons.value.message_dict
    with pytest.raises(ValidationError) as before_scoping:
        services.decide(ACTOR, review, held=True, on=D(2025, 3, 1), reasons="x")
    assert "on" in before_scoping.value.message_dict
    services.decide(ACTOR, review, held=True, on=D(2025, 3, 20), reasons="Criteria met")
    with pytest.raises(ValidationError):
        services.appoint_panel(ACTOR, review, chair_name="A Chair", on=D(2025, 3, 25))
    services.inform_home_office(ACTOR, review, D(2025, 3, 21))
    services.appoint_panel(ACTOR, review, chair_name="A Chair", on=D(2025, 3, 25))
    imr = services.request_imr(
        ACTOR, review, agency=panel.world.police, requested_on=D(2025, 4, 1), due_on=D(2025, 5, 1)
    )
    assert review.stage == Stage.IMRS
    with pytest.raises(ValidationError, match="still awaited: Testshire Police"):
        services.complete_report(ACTOR, review, D(2025, 5, 2))
    services.receive_imr(ACTOR, imr, D(2025, 4, 30))
    services.complete_report(ACTOR, review, D(2025, 8, 1))
    with pytest.raises(ValidationError):
        services.send_report(ACTOR, review, D(2025, 8, 2))
    services.submit_for_qa(ACTOR, review, D(2025, 8, 2))
    with pytest.raises(ValidationError, match="not approved"):
        services.send_report(ACTOR, review, D(2025, 8, 3))
    services.record_qa_outcome(ACTOR, review, outcome=QaOutcome.RESUBMIT, on=D(2025, 9, 1))
    services.submit_for_qa(ACTOR, review, D(2025, 9, 15))
    services.record_qa_outcome(ACTOR, review, outcome=QaOutcome.APPROVED, on=D(2025, 10, 1))
    services.send_report(ACTOR, review, D(2025, 10, 5))
    services.publish(ACTOR, review, on=D(2025, 11, 1), where="https://example.invalid/dhr")
    review.refresh_from_db()
    assert review.stage == Stage.PUBLISHED
    completion = _clock(review, ClockKey.COMPLETION, D(2025, 12, 1))
    assert completion.status == "met"  # type: ignore[attr-defined]


def test_decision_not_to_hold_closes_the_review(review: DeathReview) -> None:
    _decided(review, D(2025, 3, 28), held=False)
    assert review.stage == Stage.NOT_HELD and review.is_closed
    services.inform_home_office(ACTOR, review, D(2025, 3, 29))
    review.refresh_from_db()
    assert review.stage == Stage.NOT_HELD
    assert [c.key for c in review_clocks(review, D(2025, 4, 1))] == [ClockKey.DECISION]
    with pytest.raises(ValidationError):
        services.add_plan_action(
            ACTOR, review, action="x", owner=review.notified_by, due_on=D(2025, 5, 1)
        )


def test_dates_may_not_be_in_the_future(panel: Panel) -> None:
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        notify(panel, notified_on=tomorrow)
    assert "notified_on" in error.value.message_dict


def test_every_write_is_audited_with_before_and_after(review: DeathReview) -> None:
    """Given a review moved to scoping
    Then the audit trail holds its creation and the change, before and after, without the
    deceased's name, and the chain verifies."""
    services.start_scoping(ACTOR, review, D(2025, 3, 11))
    events = list(AuditEvent.objects.filter(object_type="death_review", object_id=str(review.pk)))
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert events[1].before["stage"] == "notified" and events[1].after["stage"] == "scoping"
    assert all("Terry" not in str(e.before) + str(e.after) for e in events)
    assert events[0].after["real_name_recorded"] is True
    assert audit.verify().ok


def test_action_plan_overdue_and_done(review: DeathReview) -> None:
    _decided(review, D(2025, 3, 20))
    item = services.add_plan_action(
        ACTOR, review, action="Train staff on DASH", owner=review.notified_by, due_on=D(2025, 6, 1)
    )
    assert item.is_overdue(D(2025, 6, 2)) and not item.is_overdue(D(2025, 6, 1))
    services.complete_plan_action(ACTOR, item, D(2025, 6, 10))
    assert not item.is_overdue(D(2025, 7, 1))
    with pytest.raises(ValidationError):
        services.complete_plan_action(ACTOR, item, D(2025, 6, 11))


def test_reference_is_generated_from_the_name(settings: object, panel: Panel) -> None:
    """Given the name setting, references are its initials, the year and a number."""
    first = notify(panel)
    second = notify(panel)
    assert (first.reference, second.reference) == ("DHR-2025-01", "DHR-2025-02")
    settings.DEATH_REVIEW_NAME = "Domestic Abuse Related Death Review"  # type: ignore[attr-defined]
    assert notify(panel).reference == "DARDR-2025-01"
    with pytest.raises(ValidationError) as taken:
        notify(panel, reference="DHR-2025-01")
    assert "reference" in taken.value.message_dict


def test_retention_selects_published_and_not_held(panel: Panel) -> None:
    """Given one review decided not to be held and one still running
    Then retention after 10 years selects only the closed one, and purge deletes it."""
    from saferplaces.governance import retention

    closed = notify(panel)
    _decided(closed, D(2025, 3, 20), held=False)
    running = notify(panel)
    record_type = retention.REGISTRY["death_review"]
    assert record_type.default_days == 3650
    assert list(record_type.expired(D(2025, 3, 21))) == [closed]
    retention.purge(today=D(2035, 3, 20))
    assert list(DeathReview.objects.all()) == [running]
