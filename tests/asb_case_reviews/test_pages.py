"""Who sees an ASB Case Review (404 for everyone but panel members acting for a party to
the agreement in force), what they see, and that every page wrote its audit event."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from saferplaces.asb_case_reviews import services
from saferplaces.asb_case_reviews.models import CaseReview
from saferplaces.governance import audit
from saferplaces.governance import services as governance
from saferplaces.governance.models import AgreementStatus, AuditAction, AuditEvent
from tests.asb_case_reviews.conftest import Acr, add_complaints, make_review, signed_in

pytestmark = pytest.mark.django_db


def _url(name: str, review: CaseReview | None = None, *args: object) -> str:
    if review is None:
        return reverse(f"asb_case_reviews:{name}", args=args)
    return reverse(f"asb_case_reviews:{name}", args=[review.reference, *args])


REVIEW_PAGES = [
    "review", "incident_new", "acknowledge", "contacts", "threshold", "outcome",
    "recommendation_new", "appeal",
]  # fmt: skip


@pytest.fixture
def review(acr: Acr) -> CaseReview:
    review = make_review(acr)
    add_complaints(acr, review, 3)
    services.decide_threshold(acr.actor(), review, decided_on=review.received_on)
    return review


@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_panel_member_sees_each_page_and_it_is_audited(
    acr: Acr, review: CaseReview, name: str
) -> None:
    """Given Perry on the panel, acting for a party to the agreement in force
    When he opens the page
    Then he sees it (never cached) and a VIEW event names him, his organisation and the review."""
    before = AuditEvent.objects.count()
    response = signed_in(acr.perry).get(_url(name, review))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.order_by("seq").last()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.action, event.username, event.object_id) == (
        AuditAction.VIEW, "perry", review.reference,
    )  # fmt: skip
    assert event.organisation == "Testshire Police"


@pytest.mark.parametrize("who", ["colin", "bea"])
@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_others_get_404(acr: Acr, review: CaseReview, who: str, name: str) -> None:
    """Given Colin (same organisation as Dana, not on the panel) or Bea (a board member)
    Then every page of the review is 404, and the list does not show it."""
    client = signed_in(getattr(acr, who))
    assert client.get(_url(name, review)).status_code == 404
    listing = client.get(_url("list"))
    assert listing.status_code == 200
    assert review.reference not in listing.content.decode()
    assert client.get(_url("new")).status_code == 404
    assert client.get(_url("figures")).status_code == 404


def test_anonymous_is_sent_to_sign_in(review: CaseReview, client: Client) -> None:
    """Given someone not signed in
    Then the review, the list and the figures send them to sign in and show nothing."""
    for url in (_url("review", review), _url("list"), _url("figures"), _url("figures_csv")):
        response = client.get(url)
        assert response.status_code == 302
        assert review.reference not in response.content.decode()
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_member_whose_agreement_lapsed_gets_404(acr: Acr, review: CaseReview) -> None:
    """Given the agreement ends
    Then Perry, still on the panel, gets 404 and no longer sees the review listed."""
    governance.set_agreement_status(audit.SYSTEM, acr.agreement, AgreementStatus.ENDED)
    client = signed_in(acr.perry)
    assert client.get(_url("review", review)).status_code == 404
    assert review.reference not in client.get(_url("list")).content.decode()


def test_member_whose_organisation_did_not_sign_gets_404(acr: Acr, review: CaseReview) -> None:
    """Given Colin is put on the panel for a new organisation that never signed
    Then he still gets 404."""
    from saferplaces.partnership import services as partnership
    from saferplaces.partnership.models.groups import MembershipRole

    other = partnership.upsert_organisation(None, slug="other", name="Other Org", kind="other")
    partnership.upsert_membership(
        None, group=acr.panel, person=acr.colin, role=MembershipRole.MEMBER, organisation=other
    )
    assert signed_in(acr.colin).get(_url("review", review)).status_code == 404


def test_applicant_details_only_for_identifying_roles(acr: Acr, review: CaseReview) -> None:
    """Given Dana (a panel coordinator: the agreement's identifying role) and Perry (not)
    Then Dana sees the applicant's name and contact details and Perry does not."""
    dana = signed_in(acr.dana).get(_url("review", review)).content.decode()
    perry = signed_in(acr.perry).get(_url("review", review)).content.decode()
    assert "Robin Applicant" in dana and "1 Test Street" in dana and "Resident 0" in dana
    assert "Robin Applicant" not in perry and "1 Test Street" not in perry
    assert "Resident 0" not in perry
    assert "Identifying details are shown only" in perry


def test_threshold_page_shows_the_engines_decision_and_reasons(
    acr: Acr, review: CaseReview
) -> None:
    page = signed_in(acr.dana).get(_url("threshold", review)).content.decode()
    assert "threshold engine's decision: threshold met" in page
    assert "3 qualifying complaints" in page


def test_list_flags_overdue_and_filtering_is_a_search(acr: Acr) -> None:
    """Given an application received 30 days ago, not acknowledged
    Then the list warns that it is overdue; filtering writes a SEARCH event."""
    late = make_review(acr, received_on=timezone.localdate() - datetime.timedelta(days=30))
    client = signed_in(acr.dana)
    page = client.get(_url("list")).content.decode()
    assert 'id="overdue-warning"' in page and late.reference in page
    assert AuditEvent.objects.order_by("seq").last().action == AuditAction.VIEW  # type: ignore[union-attr]
    page = client.get(_url("list") + "?show=overdue").content.decode()
    assert late.reference in page
    event = AuditEvent.objects.order_by("seq").last()
    assert event is not None and event.action == AuditAction.SEARCH


def test_new_application_form_creates_and_audits(acr: Acr) -> None:
    """Given Dana fills in the application form
    Then the review exists on her panel with the next reference and a CREATE event."""
    client = signed_in(acr.dana)
    assert client.get(_url("new")).status_code == 200
    assert AuditEvent.objects.order_by("seq").last().action == AuditAction.VIEW  # type: ignore[union-attr]
    today = timezone.localdate()
    response = client.post(
        _url("new"),
        {
            "group": acr.panel.pk, "received_on": today.isoformat(),
            "summary": "Youths gathering", "applicant_name": "Sol Test",
            "applicant_kind": "councillor", "applicant_contact": "",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Enter the date the victim" in response.content.decode()
    response = client.post(
        _url("new"),
        {
            "group": acr.panel.pk, "received_on": today.isoformat(),
            "summary": "Youths gathering", "applicant_name": "Sol Test",
            "applicant_kind": "councillor", "consent_recorded_on": today.isoformat(),
            "victim_vulnerable": "on", "contact": acr.dana.pk,
        },
    )  # fmt: skip
    review = CaseReview.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("review", review)
    assert review.group == acr.panel and review.victim_vulnerable and review.contact == acr.dana
    event = AuditEvent.objects.order_by("seq").last()
    assert event is not None and (event.action, event.object_id) == (
        AuditAction.CREATE, review.reference,
    )  # fmt: skip


def test_forms_write_through_services_with_audit(acr: Acr) -> None:
    """Given a new application
    When Dana adds incidents, acknowledges, decides, records the meeting, a recommendation,
    marks it done and records an appeal through the pages
    Then each change is saved and audited (CREATE or UPDATE)."""
    review = make_review(acr)
    client = signed_in(acr.dana)
    day = review.received_on

    def post(name: str, data: dict[str, object], *args: object) -> None:
        before = AuditEvent.objects.count()
        response = client.post(_url(name, review, *args), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        event = AuditEvent.objects.order_by("seq").last()
        assert AuditEvent.objects.count() == before + 1
        assert event is not None and event.action in {AuditAction.CREATE, AuditAction.UPDATE}

    for i in range(3):
        reported = day - datetime.timedelta(days=3 + i)
        post("incident_new", {
            "behaviour_on": (reported - datetime.timedelta(days=1)).isoformat(),
            "reported_on": reported.isoformat(), "reported_to": "Testshire Police",
            "reporter": f"Resident {i}", "location": "Test Court",
        })  # fmt: skip
    post("acknowledge", {"acknowledged_on": day.isoformat()})
    post("contacts", {"contact": acr.perry.pk, "chair_name": "Indy Chair"})
    post("threshold", {"decided_on": day.isoformat(), "decision": "engine"})
    post("outcome", {"meeting_on": day.isoformat(), "outcome": "Plan agreed"})
    post("recommendation_new", {"text": "Mediation", "owner_agency": "Testford Council",
                                "due_on": day.isoformat()})  # fmt: skip
    rec = review.recommendations.get()
    post("recommendation_done", {}, rec.pk)
    post("appeal", {"lodged_on": day.isoformat()})
    review.refresh_from_db()
    assert review.incidents.count() == 3
    assert review.threshold_met and review.meeting_on == day and review.appeal_lodged_on == day
    assert review.contact == acr.perry and review.chair_name == "Indy Chair"
    rec.refresh_from_db()
    assert rec.done_on is not None
    page = client.get(_url("review", review)).content.decode()
    assert "Indy Chair" in page and "Mediation" in page


def test_policing_body_review_shows_the_configured_title(acr: Acr, settings: object) -> None:
    """Given local policy allows a review of 'threshold not met' and the policing body is
    configured as a mayor
    Then the review page and form use that title."""
    settings.POLICING_BODY = "Mayor of Testshire"  # type: ignore[attr-defined]
    services.save_threshold_setting(acr.actor(), acr.world.district, threshold_not_met_review=True)
    review = make_review(acr)
    services.decide_threshold(acr.actor(), review, decided_on=review.received_on)
    client = signed_in(acr.dana)
    page = client.get(_url("review", review)).content.decode()
    assert "Review by the Mayor of Testshire" in page
    assert "Police and Crime Commissioner" not in page
    form = client.get(_url("policing_body_review", review))
    assert form.status_code == 200 and "Mayor of Testshire" in form.content.decode()
