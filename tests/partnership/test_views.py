"""Every page: anonymous users go to sign-in, members may add, others get 404 on forms."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from saferplaces.partnership import services
from saferplaces.partnership.models import (
    Action,
    ActivityEvent,
    AgendaItem,
    Decision,
    Escalation,
    Meeting,
    Person,
)
from tests.personas import World


@pytest.fixture
def meeting(world: World, alice: Person) -> Meeting:
    return services.add_meeting(
        alice.user,
        group=world.lpg,
        title="June meeting",
        date=timezone.localdate(),
        agenda=["Performance"],
    )


@pytest.fixture
def escalation(world: World, bob: Person) -> Escalation:
    """Bob's Divert group escalates to Alice's LPG."""
    return services.raise_escalation(
        bob.user, group=world.divert, title="Cohort full", detail="No capacity", raised_by=bob
    )


@pytest.fixture
def action(world: World, alice: Person) -> Action:
    return services.add_action(
        alice.user, group=world.lpg, title="Leaflet drop", owner=alice,
        due_date=timezone.localdate() + datetime.timedelta(days=14),
    )  # fmt: skip


def read_urls(world: World, meeting: Meeting) -> list[str]:
    return [
        reverse("home"),
        reverse("place", args=["testford"]),
        reverse("place_structure", args=["testford"]),
        reverse("group", args=["testford-lpg"]),
        reverse("meeting", args=[meeting.pk]),
    ]


def lpg_form_urls(meeting: Meeting, escalation: Escalation, action: Action) -> list[str]:
    return [
        reverse("action_status", args=[action.pk]),
        reverse("meeting_new", args=["testford-lpg"]),
        reverse("action_new", args=["testford-lpg"]),
        reverse("escalation_new", args=["testford-lpg"]),
        reverse("agenda_item_new", args=[meeting.pk]),
        reverse("decision_new", args=[meeting.pk]),
        reverse("escalation_resolve", args=[escalation.pk]),  # answered by the LPG
    ]


def test_anonymous_users_are_sent_to_sign_in(
    client: Client, world: World, meeting: Meeting, escalation: Escalation, action: Action
) -> None:
    for url in read_urls(world, meeting) + lpg_form_urls(meeting, escalation, action):
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login") + "?next="), url
    assert Action.objects.count() == 1
    action.refresh_from_db()
    assert action.status == "open"


def test_any_signed_in_user_may_read_the_structure(
    charlie_client: Client, world: World, meeting: Meeting
) -> None:
    for url in read_urls(world, meeting):
        assert charlie_client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["bob_client", "charlie_client"])
def test_forms_are_404_for_people_outside_the_group(
    request: pytest.FixtureRequest,
    who: str,
    meeting: Meeting,
    escalation: Escalation,
    action: Action,
) -> None:
    """Bob (another group) and Charlie (no group) cannot see or use the LPG's forms."""
    client: Client = request.getfixturevalue(who)
    before = ActivityEvent.objects.count()
    for url in lpg_form_urls(meeting, escalation, action):
        assert client.get(url).status_code == 404, url
        assert (
            client.post(
                url,
                {"title": "x", "text": "x", "status": "resolved", "resolution": "x", "detail": "x"},
            ).status_code
            == 404
        ), url
    assert ActivityEvent.objects.count() == before
    action.refresh_from_db()
    assert action.status == "open"


def test_forms_open_for_members_and_staff(
    alice_client: Client,
    sam_client: Client,
    meeting: Meeting,
    escalation: Escalation,
    action: Action,
) -> None:
    for client in (alice_client, sam_client):
        for url in lpg_form_urls(meeting, escalation, action):
            response = client.get(url)
            assert response.status_code == 200, url
            assert b'class="govuk-back-link"' in response.content


def test_home_lists_places_and_your_groups(alice_client: Client, world: World) -> None:
    html = alice_client.get(reverse("home")).content.decode()
    for name in ["Testshire", "South Testshire", "Testford"]:
        assert name in html
    assert reverse("place", args=["testford"]) in html
    assert "Your groups" in html and reverse("group", args=["testford-lpg"]) in html


def test_home_for_someone_in_no_group(charlie_client: Client) -> None:
    assert (
        "You are not a member of any group" in charlie_client.get(reverse("home")).content.decode()
    )


def test_place_page_shows_codes_population_and_groups(alice_client: Client) -> None:
    html = alice_client.get(reverse("place", args=["testford"])).content.decode()
    for text in [
        "E07999999",
        "E22999999",
        "E23999999",
        "E31999999",
        "101,000",
        "100,000",
        "Population by year",
        "Testford Local Priorities Group",
        reverse("place_structure", args=["testford"]),
    ]:
        assert text in html
    assert '<nav class="govuk-breadcrumbs' in html


def test_structure_page_draws_the_escalation_line(alice_client: Client, world: World) -> None:
    """The diagram has a box per group, a line per escalation, up to the county; the list
    below has the same links. Divert is restricted and Alice is not on it: its box is
    drawn by name, without a link."""
    html = alice_client.get(reverse("place_structure", args=["testford"])).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    for group in [world.county_group, world.area_group, world.executive, world.lpg]:
        link = f'href="{reverse("group", args=[group.slug])}"'
        assert link in svg, group
        assert html.count(link) >= 2, group  # once in the diagram, once in the list
    assert reverse("group", args=[world.divert.slug]) not in html
    assert "Testford Divert Group" in svg and "sp-structure__closed" in svg
    assert svg.count("sp-structure__line") == 4  # four child-to-parent lines
    assert svg.count("<rect") == 5
    assert "The structure as a list" in html


def test_group_page(
    alice_client: Client, world: World, alice: Person, bob: Person, escalation: Escalation
) -> None:
    today = timezone.localdate()
    services.add_action(
        None,
        group=world.lpg,
        title="Late one",
        owner=alice,
        due_date=today - datetime.timedelta(days=2),
    )
    services.add_action(
        None,
        group=world.lpg,
        title="Future one",
        owner=alice,
        due_date=today + datetime.timedelta(days=2),
    )
    services.add_action(
        None,
        group=world.lpg,
        title="Done one",
        owner=alice,
        due_date=today - datetime.timedelta(days=2),
        status="done",
    )
    html = alice_client.get(reverse("group", args=["testford-lpg"])).content.decode()
    assert "Oversees delivery of agreed priorities" in html
    assert "Monthly" in html and "Alice Persona" in html
    assert "Testford Executive Group" in html and "Testford Divert Group" in html
    actions = html[html.index('id="open-actions"') :]
    actions = actions[: actions.index("</table>")]
    assert "Late one" in actions and "Future one" in actions and "Done one" not in actions
    assert actions.count(">Overdue<") == 1
    assert "Cohort full" in html
    assert reverse("escalation_resolve", args=[escalation.pk]) in html
    assert reverse("action_new", args=["testford-lpg"]) in html


def test_a_member_updates_an_actions_status(alice_client: Client, action: Action) -> None:
    """Given an open action of Alice's group, When she marks it done, Then the group page
    no longer lists it as open and the change is in the activity log."""
    url = reverse("action_status", args=[action.pk])
    assert url in alice_client.get(reverse("group", args=["testford-lpg"])).content.decode()
    response = alice_client.post(url, {"status": "done"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    event = ActivityEvent.objects.latest("pk")
    assert "Leaflet drop" in event.summary and "Open → Done" in event.summary
    html = alice_client.get(reverse("group", args=["testford-lpg"]), follow=True)
    text = html.content.decode()
    assert "is now done" in text
    actions = text[text.index('id="open-actions"') :]
    assert "Leaflet drop" not in actions[: actions.index("</table>")]


def test_an_action_status_form_says_what_to_fix(alice_client: Client, action: Action) -> None:
    response = alice_client.post(reverse("action_status", args=[action.pk]), {"status": "lost"})
    assert response.status_code == 400
    assert "Select a status" in response.content.decode()
    action.refresh_from_db()
    assert action.status == "open"


def test_group_page_hides_form_links_from_non_members(charlie_client: Client) -> None:
    html = charlie_client.get(reverse("group", args=["testford-lpg"])).content.decode()
    assert reverse("action_new", args=["testford-lpg"]) not in html


def test_unknown_pages_are_404(alice_client: Client) -> None:
    assert alice_client.get(reverse("place", args=["nowhere"])).status_code == 404
    assert alice_client.get(reverse("group", args=["nothing"])).status_code == 404
    assert alice_client.get(reverse("meeting", args=[999])).status_code == 404


class TestActionForm:
    url = "/groups/testford-lpg/actions/new/"

    def test_owner_choices_are_the_group_members(self, alice_client: Client, bob: Person) -> None:
        html = alice_client.get(self.url).content.decode()
        assert "Alice Persona (Testford Council)" in html
        assert "Bob Persona" not in html

    def test_adding_an_action(self, alice_client: Client, alice: Person) -> None:
        due = timezone.localdate() + datetime.timedelta(days=7)
        response = alice_client.post(
            self.url,
            {"title": "Walk the hotspots", "owner": alice.pk, "due_date": due},
            follow=True,
        )
        assert response.redirect_chain == [(reverse("group", args=["testford-lpg"]), 302)]
        html = response.content.decode()
        assert "Action &#x27;Walk the hotspots&#x27; added" in html
        assert "Walk the hotspots" in html
        action = Action.objects.get()
        assert (action.owner, action.due_date, action.status) == (alice, due, "open")
        assert (
            ActivityEvent.objects.filter(object_type="partnership.action", actor=alice.user).count()
            == 1
        )

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"title": "", "due_date": "2999-01-01"}, "Enter what needs to be done"),
            ({"title": "x", "due_date": ""}, "Enter a due date"),
            ({"title": "x", "due_date": "2000-01-01"}, "Due date must be today or in the future"),
            ({"title": "x", "due_date": "2025-02-31"}, "Due date must be a real date"),
            ({"title": "x", "due_date": "2999-01-01", "owner": ""}, "Select who owns the action"),
        ],
    )
    def test_invalid_input_shows_the_error_summary_and_saves_nothing(
        self, alice_client: Client, alice: Person, bob: Person, data: dict[str, str], message: str
    ) -> None:
        before = ActivityEvent.objects.count()
        response = alice_client.post(self.url, {"owner": alice.pk, **data})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'class="govuk-error-summary"' in html and "There is a problem" in html
        assert message in html
        assert "<title>Error:" in html
        assert not Action.objects.exists()
        assert ActivityEvent.objects.count() == before

    def test_an_owner_outside_the_group_is_refused(self, alice_client: Client, bob: Person) -> None:
        response = alice_client.post(
            self.url, {"title": "x", "owner": bob.pk, "due_date": "2999-01-01"}
        )
        assert response.status_code == 400
        assert "Select an owner from the group" in response.content.decode()
        assert not Action.objects.exists()


class TestMeetingForms:
    def test_add_a_meeting_with_its_agenda(self, alice_client: Client, world: World) -> None:
        response = alice_client.post(
            "/groups/testford-lpg/meetings/new/",
            {
                "title": "July meeting",
                "date": "2030-07-01",
                "location": "Town Hall",
                "status": "scheduled",
                "agenda": "Performance\n\nFunding\n",
            },
        )
        meeting = Meeting.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
        assert list(meeting.agenda_items.values_list("title", flat=True)) == [
            "Performance",
            "Funding",
        ]

    def test_a_meeting_needs_a_date(self, alice_client: Client) -> None:
        response = alice_client.post(
            "/groups/testford-lpg/meetings/new/",
            {"title": "x", "date": "", "status": "scheduled", "agenda": "One"},
        )
        assert response.status_code == 400
        assert "Enter the date of the meeting" in response.content.decode()
        assert not Meeting.objects.exists() and not AgendaItem.objects.exists()

    def test_agenda_item_and_decision(self, alice_client: Client, meeting: Meeting) -> None:
        response = alice_client.post(
            f"/meetings/{meeting.pk}/agenda/new/",
            {"title": "Funding", "minutes": "Discussed the grant"},
        )
        assert response.status_code == 302
        item = meeting.agenda_items.get(title="Funding")
        assert item.order == 2
        response = alice_client.post(
            f"/meetings/{meeting.pk}/decisions/new/",
            {"text": "Bid for the grant", "agenda_item": item.pk},
        )
        assert response.status_code == 302
        html = alice_client.get(f"/meetings/{meeting.pk}/").content.decode()
        assert "Discussed the grant" in html and "Bid for the grant" in html
        assert Decision.objects.get().agenda_item == item

    def test_empty_decision_is_refused(self, alice_client: Client, meeting: Meeting) -> None:
        response = alice_client.post(f"/meetings/{meeting.pk}/decisions/new/", {"text": ""})
        assert response.status_code == 400
        assert "Enter the decision" in response.content.decode()
        assert not Decision.objects.exists()

    def test_empty_agenda_item_is_refused(self, alice_client: Client, meeting: Meeting) -> None:
        response = alice_client.post(f"/meetings/{meeting.pk}/agenda/new/", {"title": ""})
        assert response.status_code == 400
        assert "Enter a title for the agenda item" in response.content.decode()
        assert meeting.agenda_items.count() == 1


class TestEscalationForms:
    def test_raise_an_escalation_to_the_parent(
        self, alice_client: Client, alice: Person, world: World
    ) -> None:
        response = alice_client.post(
            "/groups/testford-lpg/escalations/new/",
            {"title": "Need funding", "detail": "For Bright Sparx"},
            follow=True,
        )
        assert "escalated to Testford Executive Group" in response.content.decode()
        escalation = Escalation.objects.get()
        assert (escalation.to_group, escalation.raised_by) == (world.executive, alice)

    def test_missing_detail(self, alice_client: Client) -> None:
        response = alice_client.post(
            "/groups/testford-lpg/escalations/new/", {"title": "Need funding", "detail": ""}
        )
        assert response.status_code == 400
        assert "Enter the detail of the issue" in response.content.decode()
        assert not Escalation.objects.exists()

    def test_a_group_with_no_parent_cannot_escalate(self, sam_client: Client) -> None:
        """Sam (staff) tries to escalate from the county strategy group: a clear error."""
        response = sam_client.post(
            "/groups/testshire-strategy/escalations/new/", {"title": "x", "detail": "y"}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "govuk-error-summary" in html
        assert "Testshire Strategy Group has no parent group to escalate to" in html
        assert not Escalation.objects.exists()

    def test_resolve(self, alice_client: Client, alice: Person, escalation: Escalation) -> None:
        url = f"/escalations/{escalation.pk}/resolve/"
        response = alice_client.post(url, {"status": "resolved", "resolution": ""})
        assert response.status_code == 400
        assert "Enter the resolution" in response.content.decode()
        escalation.refresh_from_db()
        assert escalation.status == "open"
        response = alice_client.post(url, {"status": "resolved", "resolution": "Extra places"})
        assert response.status_code == 302
        escalation.refresh_from_db()
        assert (escalation.status, escalation.resolution, escalation.resolved_by) == (
            "resolved",
            "Extra places",
            alice,
        )
        assert escalation.resolved_on == timezone.localdate()

    def test_a_closed_escalation_cannot_be_answered_again_by_the_form(
        self, alice_client: Client, alice: Person, escalation: Escalation
    ) -> None:
        """Given a resolved escalation, When Alice posts the response form again (an old
        tab, a second person), Then nothing changes and the page says to reopen it first;
        asking for the form sends her to the reopen page."""
        services.resolve_escalation(alice.user, escalation, resolution="Extra places", by=alice)
        url = reverse("escalation_resolve", args=[escalation.pk])
        response = alice_client.post(url, {"status": "resolved", "resolution": "Overwritten"})
        assert response.status_code == 400
        assert "reopen it, giving a reason" in response.content.decode()
        escalation.refresh_from_db()
        assert escalation.resolution == "Extra places"
        assert escalation.responses.count() == 1
        response = alice_client.get(url)
        assert response["Location"] == reverse("escalation_reopen", args=[escalation.pk])

    def test_resolve_reopen_resolve_keeps_both_answers(
        self, alice_client: Client, bob_client: Client, escalation: Escalation
    ) -> None:
        """Given Divert's escalation to the LPG, When Alice resolves it, reopens it with a
        reason and resolves it again, Then the escalation's page lists both resolutions and
        the reason, oldest first, and so does the LPG's page; Bob, who raised it, sees the
        same history."""
        resolve = reverse("escalation_resolve", args=[escalation.pk])
        reopen = reverse("escalation_reopen", args=[escalation.pk])
        alice_client.post(resolve, {"status": "resolved", "resolution": "Two extra places"})
        lpg = alice_client.get(reverse("group", args=["testford-lpg"])).content.decode()
        assert reopen in lpg and resolve not in lpg
        response = alice_client.post(reopen, {"reason": ""})
        assert response.status_code == 400
        html = response.content.decode()
        assert "There is a problem" in html and "Enter why you are reopening the escalation" in html
        response = alice_client.post(reopen, {"reason": "The places were withdrawn"})
        assert response.status_code == 302
        assert response["Location"] == reverse("escalation", args=[escalation.pk])
        alice_client.post(resolve, {"status": "resolved", "resolution": "Funded by the OPCC"})
        for client in (alice_client, bob_client):
            page = client.get(reverse("escalation", args=[escalation.pk])).content.decode()
            history = page[page.index('id="history"') :]
            order = [
                history.index("Two extra places"),
                history.index("The places were withdrawn"),
                history.index("Funded by the OPCC"),
            ]
            assert order == sorted(order)
            assert "Reopened" in history
        lpg = alice_client.get(reverse("group", args=["testford-lpg"])).content.decode()
        assert "Two extra places" in lpg and "Funded by the OPCC" in lpg
        escalation.refresh_from_db()
        assert (escalation.status, escalation.resolution) == ("resolved", "Funded by the OPCC")

    def test_only_the_receiving_group_may_reopen(
        self, bob_client: Client, charlie_client: Client, alice: Person, escalation: Escalation
    ) -> None:
        services.resolve_escalation(alice.user, escalation, resolution="Done", by=alice)
        url = reverse("escalation_reopen", args=[escalation.pk])
        for client in (bob_client, charlie_client):
            assert client.get(url).status_code == 404
            assert client.post(url, {"reason": "Not done"}).status_code == 404
        escalation.refresh_from_db()
        assert escalation.status == "resolved"

    def test_the_raising_group_cannot_resolve_its_own_escalation(
        self, bob_client: Client, escalation: Escalation
    ) -> None:
        assert bob_client.get(f"/escalations/{escalation.pk}/resolve/").status_code == 404
