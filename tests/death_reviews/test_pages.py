"""Death review pages: who sees them (everyone else 404), an audit event per view, the
name from settings, and the forms that move a review on."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from saferplaces.death_reviews.models import DeathReview, Stage
from saferplaces.governance.models import AuditAction, AuditEvent
from saferplaces.partnership import services as partnership
from saferplaces.partnership.models import Person
from saferplaces.partnership.models.groups import MembershipRole
from saferplaces.partnership.models.people import PersonRole
from tests.death_reviews.conftest import Panel, signed_in
from tests.personas import make_person

D = datetime.date


def _urls(review: DeathReview) -> list[str]:
    return [
        reverse("death_reviews:list"),
        reverse("death_reviews:notify"),
        reverse("death_reviews:review", args=[review.pk]),
        reverse("death_reviews:step", args=[review.pk, "scoping"]),
        reverse("death_reviews:extend", args=[review.pk, "decision"]),
        reverse("death_reviews:imr_new", args=[review.pk]),
        reverse("death_reviews:family_new", args=[review.pk]),
        reverse("death_reviews:action_new", args=[review.pk]),
    ]


def _views(review: DeathReview | None = None) -> int:
    events = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="death_review")
    if review is not None:
        events = events.filter(object_id=str(review.pk))
    return events.count()


def test_member_with_agreement_sees_the_review(dora_client: Client, review: DeathReview) -> None:
    """Given Dora, a panel coordinator on the panel whose police force signed the agreement
    When she opens the list and the review
    Then she sees them, with the deceased's name (her role sees identifying details), and
    each view is one audit event naming her organisation."""
    page = dora_client.get(reverse("death_reviews:list"))
    assert page.status_code == 200
    assert review.reference in page.content.decode()
    before = _views(review)
    page = dora_client.get(reverse("death_reviews:review", args=[review.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Adult T" in html and "Terry Testperson" in html
    assert "no-store" in page["Cache-Control"]
    assert _views(review) == before + 1
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).last()
    assert (
        event is not None and event.username == "dora" and event.organisation == "Testshire Police"
    )


def test_member_without_identifying_role_sees_the_pseudonym_only(
    eric_client: Client, review: DeathReview
) -> None:
    page = eric_client.get(reverse("death_reviews:review", args=[review.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Adult T" in html and "Terry" not in html


def test_every_page_writes_a_view_event(dora_client: Client, review: DeathReview) -> None:
    for url in _urls(review):
        before = _views()
        assert dora_client.get(url).status_code == 200, url
        assert _views() == before + 1, url


@pytest.mark.parametrize("who", ["charlie", "alice", "bella", "lapsed", "ended"])
def test_everyone_else_gets_404(panel: Panel, review: DeathReview, who: str) -> None:
    """Given Charlie (same council as Eric, on no group), Alice (on the LPG), Bella (a board
    member chairing the Executive Group the panel reports to), and Eric once the agreement
    has lapsed or been ended
    Then every page answers 404 and nothing is shown."""
    world = panel.world
    if who == "charlie":
        person = make_person("charlie", world.council, first_name="Charlie")
    elif who == "alice":
        person = make_person("alice", world.council, first_name="Alice")
        partnership.upsert_membership(None, group=world.lpg, person=person, role="member")
    elif who == "bella":
        person = make_person(
            "bella", world.council, first_name="Bella", role=PersonRole.BOARD_MEMBER
        )
        partnership.upsert_membership(
            None, group=world.executive, person=person, role=MembershipRole.CHAIR
        )
    else:
        person = panel.eric
        if who == "lapsed":
            type(panel.agreement).objects.filter(pk=panel.agreement.pk).update(
                expires_on=datetime.date.today() - datetime.timedelta(days=1)
            )
        else:
            from saferplaces.governance import audit
            from saferplaces.governance.services import set_agreement_status

            set_agreement_status(audit.SYSTEM, panel.agreement, "ended")
    client = signed_in(person)
    for url in _urls(review):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Adult T" not in response.content
    response = client.post(
        reverse("death_reviews:step", args=[review.pk, "scoping"]), {"on": "2025-03-11"}
    )
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.stage == Stage.NOTIFIED


def test_anonymous_is_sent_to_sign_in(client: Client, review: DeathReview) -> None:
    """Given nobody signed in
    Then every page sends them to sign in and shows nothing of the review."""
    for url in _urls(review):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "sign-in" in response["Location"] or "login" in response["Location"]
        assert b"Adult T" not in response.content


def test_unknown_review_is_404(dora_client: Client, review: DeathReview) -> None:
    assert (
        dora_client.get(reverse("death_reviews:review", args=[review.pk + 99])).status_code == 404
    )


def test_name_comes_from_settings(
    settings: object, dora_client: Client, review: DeathReview
) -> None:
    """Given the partnership uses the new name
    Then the pages say Domestic Abuse Related Death Review and never the old name."""
    settings.DEATH_REVIEW_NAME = "Domestic Abuse Related Death Review"  # type: ignore[attr-defined]
    for url in (
        reverse("death_reviews:list"),
        reverse("death_reviews:review", args=[review.pk]),
        reverse("death_reviews:notify"),
    ):
        html = dora_client.get(url).content.decode()
        assert "Domestic Abuse Related Death Review" in html, url
        assert "Domestic Homicide Review" not in html, url


def _notification(panel: Panel, **changes: str) -> dict[str, str]:
    data = {
        "group": str(panel.group.pk),
        "reference": "",
        "pseudonym": "Adult P",
        "real_name": "",
        "age_at_death": "52",
        "date_of_death": "2025-06-01",
        "circumstances": "suicide",
        "notified_by": str(panel.world.police.pk),
        "notified_on": "2025-06-03",
    }
    data.update(changes)
    return data


def test_notification_form_records_a_review(panel: Panel, dora_client: Client) -> None:
    response = dora_client.post(reverse("death_reviews:notify"), _notification(panel))
    review = DeathReview.objects.get(pseudonym="Adult P")
    assert response.status_code == 302
    assert response["Location"] == reverse("death_reviews:review", args=[review.pk])
    assert review.reference == "DHR-2025-01" and review.circumstances == "suicide"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(review.pk)).exists()


def test_age_under_16_is_a_clear_form_error(panel: Panel, dora_client: Client) -> None:
    """Given a notification of the death of a 15-year-old
    Then the form says that a review covers a person aged 16 or over, in the error summary
    and at the field, and nothing is recorded."""
    response = dora_client.post(
        reverse("death_reviews:notify"), _notification(panel, age_at_death="15")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert html.count("aged 16 or over: enter an age of 16 or more") == 2
    assert 'href="#id_age_at_death"' in html
    assert not DeathReview.objects.exists()


def test_stage_form_out_of_order_shows_the_reason(dora_client: Client, review: DeathReview) -> None:
    """Given a notified review
    When someone posts a decision before scoping
    Then the form shows why and the review stays where it was."""
    url = reverse("death_reviews:step", args=[review.pk, "decision"])
    response = dora_client.post(url, {"held": "yes", "on": "2025-03-20", "reasons": "Met"})
    assert response.status_code == 200
    assert "follows &#x27;scoping&#x27;" in response.content.decode()
    review.refresh_from_db()
    assert review.stage == Stage.NOTIFIED


def test_forms_move_the_review_on(panel: Panel, dora_client: Client, review: DeathReview) -> None:
    """Given a notified review
    When the panel records scoping, the decision, the Home Office, the chair, an IMR and its
    receipt, family contact, an extension and an action
    Then the review page shows each, with the completion clock running."""
    pk = review.pk
    posts = [
        (reverse("death_reviews:step", args=[pk, "scoping"]), {"on": "2025-03-11"}),
        (
            reverse("death_reviews:step", args=[pk, "decision"]),
            {"held": "yes", "on": "2025-03-31", "reasons": "Criteria met"},
        ),
        (reverse("death_reviews:step", args=[pk, "home-office"]), {"on": "2025-04-01"}),
        (
            reverse("death_reviews:step", args=[pk, "panel"]),
            {"chair_name": "Ivy Chair", "on": "2025-04-20"},
        ),
        (
            reverse("death_reviews:imr_new", args=[pk]),
            {
                "agency": str(panel.world.council.pk),
                "requested_on": "2025-04-21",
                "due_on": "2025-06-21",
            },
        ),
        (
            reverse("death_reviews:family_new", args=[pk]),
            {
                "contacted_on": "2025-04-02",
                "relationship": "Brother",
                "name": "Tom Testperson",
                "advocacy_offered": "on",
                "advocacy_by": "Family advocate",
                "terms_of_reference_input": "on",
                "notes": "",
            },
        ),
        (
            reverse("death_reviews:extend", args=[pk, "completion"]),
            {"to": "2025-12-31", "reason": "Criminal trial first"},
        ),
        (
            reverse("death_reviews:action_new", args=[pk]),
            {
                "action": "Review DASH training",
                "owner": str(panel.world.police.pk),
                "due_on": "2025-09-01",
            },
        ),
    ]
    for url, data in posts:
        response = dora_client.post(url, data)
        assert response.status_code == 302, (url, response.content.decode()[:3000])
    imr = review.imrs.get()
    response = dora_client.post(
        reverse("death_reviews:imr_received", args=[pk, imr.pk]), {"received_on": "2025-06-01"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.stage == Stage.IMRS and review.chair_name == "Ivy Chair"
    html = dora_client.get(reverse("death_reviews:review", args=[pk])).content.decode()
    for text in (
        "Ivy Chair", "Testford Council", "1 June 2025", "Brother", "Tom Testperson",
        "Criminal trial first", "31 December 2025", "Review DASH training",
        "Record the overview report completed",
    ):  # fmt: skip
        assert text in html, text


def test_list_warns_of_overdue_deadlines(dora_client: Client, review: DeathReview) -> None:
    """Given a review notified in March 2025 with no decision (due April 2025)
    Then the list warns that one review has an overdue deadline."""
    html = dora_client.get(reverse("death_reviews:list")).content.decode()
    assert "1 review has an overdue deadline" in html
    assert "Overdue by" in html


def test_no_death_review_panel_means_404_for_the_list(world: object, bob: Person) -> None:
    client = signed_in(bob)
    assert client.get(reverse("death_reviews:list")).status_code == 404
    assert client.get(reverse("death_reviews:notify")).status_code == 404
