"""The annual figures (April to March) and their suppression on the page and in the CSV."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from saferplaces.asb_case_reviews import services
from saferplaces.asb_case_reviews.figures import annual_figures, financial_year_of, label
from saferplaces.governance.models import AuditAction, AuditEvent
from tests.asb_case_reviews.conftest import Acr, add_complaints, make_review, signed_in

pytestmark = pytest.mark.django_db


def _year_of_reviews(acr: Acr, start_year: int) -> None:
    """Seven applications received in the year: two not met, five met, of which five
    reviews are held in the year and three make recommendations. One more application
    on 31 March of the year before and one on 1 April of the year after are not counted."""
    first = datetime.date(start_year, 4, 1)
    for i in range(7):
        review = make_review(acr, received_on=first + datetime.timedelta(days=30 * i))
        if i < 2:
            services.decide_threshold(acr.actor(), review, decided_on=review.received_on)
            continue
        add_complaints(acr, review, 3)
        services.decide_threshold(acr.actor(), review, decided_on=review.received_on)
        services.record_outcome(
            acr.actor(), review, meeting_on=review.received_on, outcome="", applicant_told_on=None
        )
        if i < 5:
            services.add_recommendation(
                acr.actor(), review, text="Act", owner_agency="Police", due_on=first
            )
            services.add_recommendation(
                acr.actor(), review, text="Act again", owner_agency="Council", due_on=first
            )
    make_review(acr, received_on=datetime.date(start_year, 3, 31))
    make_review(acr, received_on=datetime.date(start_year + 1, 4, 1))


def test_the_four_figures_count_the_financial_year(acr: Acr) -> None:
    _year_of_reviews(acr, 2024)
    figures = annual_figures(acr.world.district, 2024)
    assert figures.counts() == {
        "applications": 7,
        "threshold_not_met": 2,
        "reviews": 5,
        "with_recommendations": 3,
    }
    assert figures.label == "2024/25" == label(2024)
    assert financial_year_of(datetime.date(2025, 3, 31)) == 2024
    assert financial_year_of(datetime.date(2025, 4, 1)) == 2025


def test_published_figures_are_suppressed(acr: Acr) -> None:
    """Given 2 'not met' and 3 'with recommendations' (below 5)
    Then both are published as 'fewer than 5'; 7 and 5 are shown."""
    _year_of_reviews(acr, 2024)
    published = annual_figures(acr.world.district, 2024).published()
    assert str(published["applications"]) == "7"
    assert str(published["reviews"]) == "5"
    assert str(published["threshold_not_met"]) == "fewer than 5"
    assert published["with_recommendations"].export == "<5"


def test_figures_page_and_csv_show_suppressed_values_and_are_audited(acr: Acr) -> None:
    """Given a year of reviews
    When Dana opens the figures and downloads the CSV
    Then neither holds a small number, the page explains the suppression, the page wrote
    a VIEW event and the CSV an EXPORT event with the values it wrote."""
    _year_of_reviews(acr, 2024)
    client = signed_in(acr.dana)
    query = {"place": acr.world.district.slug, "year": "2024"}
    page = client.get(reverse("asb_case_reviews:figures"), query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "fewer than 5" in text and 'id="figures-note"' in text
    event = AuditEvent.objects.order_by("seq").last()
    assert event is not None and event.action == AuditAction.VIEW
    response = client.get(reverse("asb_case_reviews:figures_csv"), query)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["partnership", "financial_year", "measure", "value"]
    values = {row[2]: row[3] for row in rows[1:]}
    assert values == {
        "Applications received": "7",
        "Applications where the threshold was not met": "<5",
        "ASB Case Reviews carried out": "5",
        "Reviews that made recommendations": "<5",
    }
    event = AuditEvent.objects.order_by("seq").last()
    assert event is not None and event.action == AuditAction.EXPORT
    assert event.after == {
        "applications": 7, "threshold_not_met": "<5", "reviews": 5, "with_recommendations": "<5",
    }  # fmt: skip


def test_figures_of_a_partnership_the_user_has_no_panel_in_are_404(acr: Acr) -> None:
    client = signed_in(acr.dana)
    assert (
        client.get(reverse("asb_case_reviews:figures"), {"place": "testshire"}).status_code == 404
    )
    assert client.get(reverse("asb_case_reviews:figures"), {"year": "1999"}).status_code == 404
