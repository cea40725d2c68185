"""The demo's ASB Case Review Panel: made once, a fictional review under way that the
demo's officer may open."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from saferplaces.asb_case_reviews import demo
from saferplaces.asb_case_reviews.clocks import review_clocks
from saferplaces.asb_case_reviews.models import CaseReview
from saferplaces.governance.access import panel_access
from saferplaces.governance.models import SharingAgreement
from saferplaces.partnership.models.people import PersonRole
from tests.asb_case_reviews.conftest import signed_in
from tests.personas import World, make_person

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_a_review_under_way(world: World) -> None:
    """Given the demo's officer, police and housing people
    When the demo is loaded twice
    Then there is one panel, one agreement in force and one fictional review whose
    threshold is met and whose meeting is still to come; the officer sees its applicant."""
    housing = world.council  # any organisation will do in this small world
    officer = make_person("officer", world.council, first_name="Alex")
    make_person("police", world.police, first_name="Taylor", role=PersonRole.BOARD_MEMBER)
    make_person("housing", housing, first_name="Jordan", role=PersonRole.PANEL_COORDINATOR)
    demo.load(world.district)
    demo.load(world.district)
    review = CaseReview.objects.get()
    assert review.group.name == demo.PANEL_NAME and review.group.restricted
    assert SharingAgreement.objects.in_force().filter(panels=review.group).count() == 1
    assert review.threshold_met is True and review.meeting_on is None
    assert "fictional" in review.applicant_name
    clocks = {c.key: c for c in review_clocks(review, timezone.localdate())}
    assert clocks["meeting"].status in {"due soon", "running"}
    access = panel_access(officer.user, review.group)
    assert access is not None and access.identifying
    page = signed_in(officer).get(reverse("asb_case_reviews:review", args=[review.reference]))
    assert page.status_code == 200 and "Avery Madeup" in page.content.decode()
