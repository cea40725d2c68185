"""Services: the threshold decision stored with its reasons, the clocks (bank holidays
skipped), references, closing and retention."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from saferplaces.asb_case_reviews import services
from saferplaces.asb_case_reviews.clocks import review_clocks
from saferplaces.asb_case_reviews.models import ApplicantKind, CaseReview, ThresholdSetting
from saferplaces.governance import audit, retention
from saferplaces.governance.models import AuditAction, AuditEvent
from tests.asb_case_reviews.conftest import Acr, add_complaints, make_review

pytestmark = pytest.mark.django_db


def test_threshold_met_is_stored_with_the_engines_reasons_and_who_and_when(acr: Acr) -> None:
    """Given an application with 3 qualifying complaints
    When the officer records the threshold decision
    Then it is met, with the engine's reasons, the settings used, who decided and when,
    and an audit event holds the before and after."""
    review = make_review(acr)
    add_complaints(acr, review, 3)
    decided = review.received_on + datetime.timedelta(days=3)
    services.decide_threshold(acr.actor(), review, decided_on=decided)
    review.refresh_from_db()
    assert review.threshold_met is True
    assert review.threshold_engine_met is True
    assert review.threshold_decided_on == decided
    assert review.threshold_decided_by == acr.dana.user
    assert review.threshold_recorded_at is not None
    assert any("3 qualifying complaints" in r and "met" in r for r in review.threshold_reasons)
    assert review.threshold_policy["complaints_needed"] == 3
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=review.reference).last()
    assert event is not None and event.summary.endswith("threshold met")
    assert event.before is not None and event.before["threshold_met"] is None
    assert event.after is not None and event.after["threshold_met"] is True
    assert audit.verify().ok


def test_threshold_not_met_says_why_and_closes_the_application(acr: Acr) -> None:
    """Given 2 qualifying complaints and one reported too late after the behaviour
    When the threshold is decided
    Then it is not met, the reasons say 3 are needed and why one did not count, and the
    application is closed on the day of the decision."""
    review = make_review(acr)
    add_complaints(acr, review, 2)
    services.add_incident(
        acr.actor(), review,
        behaviour_on=review.received_on - datetime.timedelta(days=90),
        reported_on=review.received_on - datetime.timedelta(days=20),
        reported_to="Testford Council", reporter="Resident X",
    )  # fmt: skip
    services.decide_threshold(acr.actor(), review, decided_on=review.received_on)
    review.refresh_from_db()
    assert review.threshold_met is False
    assert any("3 are needed" in r for r in review.threshold_reasons)
    assert any("not counted" in r and "within 1 month" in r for r in review.threshold_reasons)
    assert review.closed_on == review.received_on
    assert review.stage == "Closed"


def test_the_partnerships_own_threshold_is_used(acr: Acr) -> None:
    """Given a partnership that needs 2 complaints, or 1 hate incident
    When an application with one hate incident is decided
    Then the threshold is met, and the settings used are stored."""
    services.save_threshold_setting(
        acr.actor(), acr.world.district, complaints_needed=2, hate_incident_qualifies=True
    )
    review = make_review(acr)
    add_complaints(acr, review, 1, hate=True)
    services.decide_threshold(acr.actor(), review, decided_on=review.received_on)
    review.refresh_from_db()
    assert review.threshold_met is True
    assert review.threshold_policy["complaints_needed"] == 2
    assert any("hate" in r for r in review.threshold_reasons)


def test_a_setting_the_act_does_not_allow_is_refused(acr: Acr) -> None:
    """Given a partnership trying to need 4 complaints (the Act allows 3 or fewer)
    Then the setting is refused."""
    with pytest.raises(ValidationError):
        services.save_threshold_setting(acr.actor(), acr.world.district, complaints_needed=4)
    assert not ThresholdSetting.objects.exists()


def test_a_decision_unlike_the_engines_needs_a_reason(acr: Acr) -> None:
    """Given an application the engine says does not meet the threshold
    When the officer records 'met' without a reason, it is refused; with one, it is stored
    with the engine's own verdict beside it."""
    review = make_review(acr)
    with pytest.raises(ValidationError):
        services.decide_threshold(acr.actor(), review, decided_on=review.received_on, met=True)
    services.decide_threshold(
        acr.actor(), review, decided_on=review.received_on, met=True, reason="Local discretion"
    )
    review.refresh_from_db()
    assert review.threshold_met is True and review.threshold_engine_met is False
    assert review.threshold_reasons[-1].endswith("Local discretion")


def test_consent_is_needed_when_someone_applies_for_the_victim(acr: Acr) -> None:
    """Given a councillor applying for the victim
    Then the application needs the date consent was recorded."""
    with pytest.raises(ValidationError):
        make_review(acr, applicant_kind=ApplicantKind.COUNCILLOR)
    review = make_review(
        acr,
        applicant_kind=ApplicantKind.COUNCILLOR,
        consent_recorded_on=datetime.date(2025, 1, 2),
    )
    assert review.on_behalf_of_victim


def test_references_count_up_within_the_year_of_receipt(acr: Acr) -> None:
    first = make_review(acr, received_on=datetime.date(2025, 5, 1))
    second = make_review(acr, received_on=datetime.date(2025, 6, 1))
    other = make_review(acr, received_on=datetime.date(2024, 6, 1))
    assert (first.reference, second.reference) == ("ACR-2025-001", "ACR-2025-002")
    assert other.reference == "ACR-2024-001"


def test_clocks_skip_weekends_and_bank_holidays(acr: Acr) -> None:
    """Given an application received on Monday 14 April 2025 (Good Friday 18 April and
    Easter Monday 21 April are bank holidays)
    Then acknowledgement is due 5 working days later on Wednesday 23 April, the threshold
    decision 15 working days later on Thursday 8 May (after the early May bank holiday, 5 May)."""
    review = make_review(acr, received_on=datetime.date(2025, 4, 14))
    clocks = {c.key: c for c in review_clocks(review, datetime.date(2025, 4, 15))}
    assert clocks["acknowledge"].due_on == datetime.date(2025, 4, 23)
    assert clocks["threshold"].due_on == datetime.date(2025, 5, 8)
    assert clocks["acknowledge"].status == "due soon"
    assert clocks["meeting"].status == "running"
    late = {c.key: c for c in review_clocks(review, datetime.date(2025, 4, 24))}
    assert late["acknowledge"].status == "overdue" and late["acknowledge"].overdue


def test_clocks_are_met_by_the_matching_dates_and_follow_the_partnerships_settings(
    acr: Acr,
) -> None:
    """Given a partnership that acknowledges within 3 working days
    When the application is acknowledged on time and the threshold is not met
    Then the acknowledgement clock is met and the meeting clock is not needed."""
    services.save_threshold_setting(
        acr.actor(), acr.world.district, acknowledge_within_working_days=3
    )
    review = make_review(acr, received_on=datetime.date(2025, 4, 14))
    services.record_acknowledgement(acr.actor(), review, datetime.date(2025, 4, 16))
    services.decide_threshold(acr.actor(), review, decided_on=datetime.date(2025, 4, 17))
    clocks = {c.key: c for c in review_clocks(review, datetime.date(2025, 6, 1))}
    assert clocks["acknowledge"].due_on == datetime.date(2025, 4, 17)
    assert clocks["acknowledge"].status == "met"
    assert clocks["threshold"].status == "met"
    assert clocks["meeting"].status == "not needed"


def test_outcome_recommendations_and_appeal(acr: Acr) -> None:
    """Given a review that met the threshold
    When the meeting, a recommendation, telling the applicant and an appeal are recorded
    Then it closes when the applicant is told, reopens while the appeal is open and closes
    again when the appeal is decided."""
    review = make_review(acr)
    add_complaints(acr, review, 3)
    services.decide_threshold(acr.actor(), review, decided_on=review.received_on)
    meeting = review.received_on + datetime.timedelta(days=2)
    services.record_outcome(
        acr.actor(), review, meeting_on=meeting, outcome="", applicant_told_on=None
    )
    rec = services.add_recommendation(
        acr.actor(), review, text="Mediation", owner_agency="Testford Council", due_on=meeting
    )
    services.complete_recommendation(acr.actor(), rec, meeting)
    assert review.closed_on is None
    services.record_outcome(
        acr.actor(), review, meeting_on=meeting, outcome="Plan agreed", applicant_told_on=meeting
    )
    assert review.closed_on == meeting
    services.record_appeal(acr.actor(), review, lodged_on=meeting, decided_on=None, upheld=None)
    assert review.closed_on is None and review.stage == "Appeal under way"
    services.record_appeal(acr.actor(), review, lodged_on=meeting, decided_on=meeting, upheld=False)
    assert review.closed_on == meeting


def test_the_policing_body_review_needs_local_policy(acr: Acr) -> None:
    review = make_review(acr)
    services.decide_threshold(acr.actor(), review, decided_on=review.received_on)
    with pytest.raises(ValidationError):
        services.record_policing_body_review(
            acr.actor(), review, requested_on=review.received_on, decided_on=None
        )
    services.save_threshold_setting(acr.actor(), acr.world.district, threshold_not_met_review=True)
    services.record_policing_body_review(
        acr.actor(), review, requested_on=review.received_on, decided_on=None
    )
    assert review.closed_on is None


def test_retention_deletes_reviews_two_years_after_closure(acr: Acr) -> None:
    """Given a review closed three years ago and one closed last month
    When retention purges
    Then only the old one is deleted."""
    old = make_review(acr, received_on=datetime.date(2022, 1, 3))
    services.decide_threshold(acr.actor(), old, decided_on=datetime.date(2022, 1, 10))
    recent = make_review(acr)
    services.decide_threshold(acr.actor(), recent, decided_on=recent.received_on)
    assert "asb_case_review" in retention.REGISTRY
    assert retention.REGISTRY["asb_case_review"].default_days == 2 * 365
    retention.purge()
    assert list(CaseReview.objects.values_list("pk", flat=True)) == [recent.pk]


def test_threshold_settings_are_edited_in_the_admin(acr: Acr, admin_client: Client) -> None:
    """Given an administrator
    When they add a partnership's threshold setting in the Django admin
    Then it is saved, validated as the Act requires, and audited."""
    url = reverse("admin:asb_case_reviews_thresholdsetting_add")
    assert admin_client.get(url).status_code == 200
    data = {
        "place": acr.world.district.pk, "complaints_needed": 4, "within_months": 6,
        "report_within_months": 1, "acknowledge_within_working_days": 5,
        "decide_within_working_days": 15, "meeting_within_working_days": 35,
    }  # fmt: skip
    assert admin_client.post(url, data).status_code == 200  # refused: more than 3
    assert not ThresholdSetting.objects.exists()
    assert admin_client.post(url, data | {"complaints_needed": 2}).status_code == 302
    assert ThresholdSetting.objects.get().policy().complaints_needed == 2
    event = AuditEvent.objects.order_by("seq").last()
    assert event is not None and event.object_type == "asb_threshold_setting"
