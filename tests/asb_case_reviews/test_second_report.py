"""The 2025 guidance: at a person's second report within 6 months, tell them of their
right to an ASB Case Review."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from saferplaces.asb_case_reviews import services
from saferplaces.asb_case_reviews.models import AsbReport
from saferplaces.governance.models import AuditAction, AuditEvent
from tests.asb_case_reviews.conftest import Acr, signed_in

pytestmark = pytest.mark.django_db


def test_second_report_within_six_months_prompts(acr: Acr) -> None:
    """Given Jo reported on 10 January
    Then a report on 1 June (within 6 months) prompts, whatever the spacing and case of
    the name; a report by someone else does not; nor one after more than 6 months."""
    place = acr.world.district
    assert not services.second_report_check(place, "Jo Bloggs", datetime.date(2025, 1, 10)).prompt
    report, check = services.log_report(
        acr.actor(), acr.panel, reporter="Jo Bloggs", reported_on=datetime.date(2025, 1, 10)
    )
    assert not check.prompt and not report.prompted
    check = services.second_report_check(place, "  jo   BLOGGS ", datetime.date(2025, 6, 1))
    assert check.prompt and check.earlier == (datetime.date(2025, 1, 10),)
    assert not services.second_report_check(place, "Sam Other", datetime.date(2025, 6, 1)).prompt
    assert not services.second_report_check(place, "Jo Bloggs", datetime.date(2025, 7, 11)).prompt
    assert services.second_report_check(place, "Jo Bloggs", datetime.date(2025, 7, 10)).prompt


def test_logging_a_second_report_shows_the_prompt(acr: Acr) -> None:
    """Given Jo reported last month
    When Perry logs Jo's new report on the page
    Then the next page tells him to tell Jo of the right to an ASB Case Review, the report
    is stored as prompted, and the log and the page each wrote an audit event."""
    today = timezone.localdate()
    services.log_report(
        acr.actor(), acr.panel, reporter="Jo Bloggs", reported_on=today - datetime.timedelta(30)
    )
    client = signed_in(acr.perry)
    form = client.get(reverse("asb_case_reviews:report_new"))
    assert form.status_code == 200
    assert AuditEvent.objects.order_by("seq").last().action == AuditAction.VIEW  # type: ignore[union-attr]
    response = client.post(
        reverse("asb_case_reviews:report_new"),
        {"group": acr.panel.pk, "reporter": "Jo Bloggs", "reported_on": today.isoformat()},
    )
    report = AsbReport.objects.order_by("pk").last()
    assert report is not None and report.prompted
    assert response.status_code == 302
    assert response["Location"] == reverse("asb_case_reviews:report", args=[report.pk])
    created = AuditEvent.objects.order_by("seq").last()
    assert created is not None and created.action == AuditAction.CREATE
    page = client.get(response["Location"]).content.decode()
    assert "tell them of their right to an ASB Case Review" in page
    viewed = AuditEvent.objects.order_by("seq").last()
    assert viewed is not None and viewed.action == AuditAction.VIEW


def test_a_first_report_does_not_prompt(acr: Acr) -> None:
    client = signed_in(acr.dana)
    response = client.post(
        reverse("asb_case_reviews:report_new"),
        {
            "group": acr.panel.pk,
            "reporter": "New Person",
            "reported_on": timezone.localdate().isoformat(),
        },
    )
    page = client.get(response["Location"]).content.decode()
    assert 'id="no-prompt"' in page and 'id="second-report-prompt"' not in page


def test_reports_are_404_to_people_without_access(acr: Acr) -> None:
    report, _ = services.log_report(
        acr.actor(), acr.panel, reporter="Jo Bloggs", reported_on=timezone.localdate()
    )
    client = signed_in(acr.colin)
    assert client.get(reverse("asb_case_reviews:report", args=[report.pk])).status_code == 404
    assert client.get(reverse("asb_case_reviews:report_new")).status_code == 404
