"""The demo's review panel and its one fictional review: idempotent, and usable."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from saferplaces.death_reviews import demo
from saferplaces.death_reviews.clocks import current_clock
from saferplaces.death_reviews.models import DeathReview, Stage
from saferplaces.governance.access import panel_access
from saferplaces.governance.models import AuditEvent, SharingAgreement
from saferplaces.partnership.demo.loader import load_demo
from saferplaces.partnership.models import Group, Person, Place
from tests.death_reviews.conftest import signed_in


@pytest.mark.django_db
def test_demo_loads_once_and_shows_a_review_in_progress(fast_passwords: None) -> None:
    """Given the demo partnership
    When the death review demo is loaded twice
    Then there is one restricted panel under the CSP Executive Group, one active agreement,
    one review (decided to hold, chair appointed, three IMRs requested and one received, the
    completion clock running), and the second load wrote nothing."""
    load_demo()
    place = Place.objects.get(slug="west-lancashire")
    first = demo.load(place)
    events = AuditEvent.objects.count()
    second = demo.load(place)
    assert first is not None and first == second
    assert AuditEvent.objects.count() == events
    group = Group.objects.get(death_reviews__isnull=False)
    assert group.restricted and group.kind == "panel"
    assert group.parent is not None and group.parent.slug == "west-lancashire-csp-executive-group"
    assert SharingAgreement.objects.filter(panels=group).count() == 1
    review = DeathReview.objects.get()
    assert review.stage == Stage.IMRS and review.review_held and review.chair_name
    assert review.imrs.count() == 3
    assert review.imrs.filter(received_on__isnull=False).count() == 1
    clock = current_clock(review, timezone.localdate())
    assert clock is not None and clock.key == "completion" and clock.status == "running"
    officer = Person.objects.get(user__username="officer")
    coordinator = Person.objects.get(user__username="coordinator")
    access = panel_access(officer.user, group)
    assert access is not None and not access.identifying
    coordinator_access = panel_access(coordinator.user, group)
    assert coordinator_access is not None and coordinator_access.identifying
    html = signed_in(officer).get(reverse("death_reviews:review", args=[review.pk])).content
    assert b"Adult R (fictional)" in html and b"Robin Imaginary-Person" not in html
    listing = signed_in(officer).get(reverse("death_reviews:list")).content
    assert b"2 IMRs overdue" in listing and b"Running" in listing
    html = signed_in(coordinator).get(reverse("death_reviews:review", args=[review.pk])).content
    assert b"Robin Imaginary-Person" in html
    analyst = Person.objects.get(user__username="analyst")
    response = signed_in(analyst).get(reverse("death_reviews:review", args=[review.pk]))
    assert response.status_code == 404
