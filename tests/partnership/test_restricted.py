"""Restricted groups (need to know): a group that handles people shows its page, members,
meetings, minutes, actions and escalations only to its members and the partnership's
administrators; everyone else is answered 404, as if it did not exist.

In the test world the Testford Divert Group is a multi-agency panel, so it is restricted
by default. Bob sits on it; Alice chairs its parent, the LPG (the group Divert escalates
to); Charlie is signed in but on no group; Sam is staff (an administrator).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from saferplaces.partnership import services
from saferplaces.partnership.models import Escalation, Group, Meeting, Person
from saferplaces.partnership.models.groups import GroupKind
from tests.personas import World

DIVERT = "testford-divert"


@pytest.fixture
def divert_meeting(world: World, bob: Person) -> Meeting:
    meeting = services.add_meeting(
        bob.user,
        group=world.divert,
        title="Cohort review",
        date=timezone.localdate(),
        agenda=["Young person A: referral"],
    )
    services.record_decision(bob.user, meeting=meeting, text="Refer A to the youth service")
    return meeting


@pytest.fixture
def divert_escalation(world: World, bob: Person) -> Escalation:
    """Divert (restricted) escalates to the LPG (open to every signed-in user)."""
    return services.raise_escalation(
        bob.user,
        group=world.divert,
        title="Young person A at risk of exploitation",
        detail="Needs a place on the IWP's list",
        raised_by=bob,
    )


def test_panels_are_restricted_by_default_and_other_groups_are_not(world: World) -> None:
    """Given the test world, Then its panel (Divert) is restricted and the rest are not;
    When a group is created with `restricted` said outright, Then that is kept."""
    assert world.divert.restricted
    assert not any(
        g.restricted for g in (world.county_group, world.area_group, world.executive, world.lpg)
    )
    open_panel = services.upsert_group(
        None,
        slug="open-panel",
        name="Open panel",
        kind=GroupKind.PANEL,
        place=world.district,
        parent=world.lpg,
        restricted=False,
    )
    assert not open_panel.restricted
    # re-running an upsert without saying keeps what is there
    again = services.upsert_group(
        None, slug="open-panel", name="Open panel", kind=GroupKind.PANEL, place=world.district,
        parent=world.lpg,
    )  # fmt: skip
    assert not again.restricted


def test_the_list_and_the_single_answer_agree_for_everyone(
    world: World, alice: Person, bob: Person, charlie: Person, sam: Person
) -> None:
    """`GroupQuerySet.visible_to` and `Group.is_visible_to` are one rule: for every
    persona and every group they give the same answer."""
    users = [p.user for p in (alice, bob, charlie, sam)] + [AnonymousUser()]
    for user in users:
        listed = set(Group.objects.visible_to(user))
        for group in Group.objects.all():
            assert (group in listed) == group.is_visible_to(user), (user, group)
    assert world.divert not in Group.objects.visible_to(charlie.user)
    assert world.divert not in Group.objects.visible_to(alice.user)
    assert world.divert in Group.objects.visible_to(bob.user)
    assert world.divert in Group.objects.visible_to(sam.user)
    assert not Group.objects.visible_to(AnonymousUser()).exists()


def _divert_urls(meeting: Meeting) -> list[str]:
    return [
        reverse("group", args=[DIVERT]),
        reverse("meeting", args=[meeting.pk]),
        reverse("meeting_new", args=[DIVERT]),
        reverse("action_new", args=[DIVERT]),
        reverse("escalation_new", args=[DIVERT]),
        reverse("agenda_item_new", args=[meeting.pk]),
        reverse("decision_new", args=[meeting.pk]),
    ]


@pytest.mark.parametrize("who", ["charlie_client", "alice_client"])
def test_a_restricted_group_is_404_to_people_outside_it(
    request: pytest.FixtureRequest, who: str, divert_meeting: Meeting
) -> None:
    """Given Divert's meeting and minutes, When Charlie (no group) or Alice (chair of the
    parent group, not of Divert) asks for Divert's page, its meeting or its forms, Then
    each answers 404, exactly as a group that does not exist."""
    client: Client = request.getfixturevalue(who)
    for url in _divert_urls(divert_meeting):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Young person A" not in response.content
        assert b"Refer A to the youth service" not in response.content
    assert client.get(reverse("group", args=["no-such-group"])).status_code == 404


@pytest.mark.parametrize("who", ["bob_client", "sam_client"])
def test_members_and_administrators_see_a_restricted_group(
    request: pytest.FixtureRequest, who: str, divert_meeting: Meeting
) -> None:
    """Given Divert's meeting, When Bob (a member) or Sam (staff) opens Divert's page and
    the meeting, Then they see the members, the agenda and the decision."""
    client: Client = request.getfixturevalue(who)
    page = client.get(reverse("group", args=[DIVERT]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bob Persona" in html and "Cohort review" in html and "Restricted" in html
    meeting = client.get(reverse("meeting", args=[divert_meeting.pk])).content.decode()
    assert "Young person A: referral" in meeting and "Refer A to the youth service" in meeting


def test_a_restricted_groups_escalation_is_hidden_on_the_parents_page_from_outsiders(
    charlie_client: Client, divert_escalation: Escalation
) -> None:
    """Given Divert escalated a case to the LPG, When Charlie opens the LPG's page (which
    he may see), Then the escalation is not listed, and its own page is 404."""
    lpg = charlie_client.get(reverse("group", args=["testford-lpg"]))
    assert lpg.status_code == 200
    assert b"Young person A" not in lpg.content
    escalation_page = charlie_client.get(reverse("escalation", args=[divert_escalation.pk]))
    assert escalation_page.status_code == 404


@pytest.mark.parametrize("who", ["alice_client", "bob_client", "sam_client"])
def test_the_addressees_the_raisers_and_staff_see_the_escalation(
    request: pytest.FixtureRequest, who: str, divert_escalation: Escalation
) -> None:
    """Given Divert escalated to the LPG, Then Alice (a member of the LPG: the addressee),
    Bob (a member of Divert, who raised it) and Sam (staff) see it on the LPG's page and
    on its own page."""
    client: Client = request.getfixturevalue(who)
    lpg = client.get(reverse("group", args=["testford-lpg"])).content.decode()
    assert "Young person A at risk of exploitation" in lpg
    page = client.get(reverse("escalation", args=[divert_escalation.pk]))
    assert page.status_code == 200
    assert "Needs a place on the IWP" in page.content.decode()


def test_alice_answers_divert_without_a_link_to_its_page(
    alice_client: Client, divert_escalation: Escalation
) -> None:
    """Alice may answer what Divert escalated, but Divert's page stays closed to her: the
    LPG's page names Divert without linking to it."""
    html = alice_client.get(reverse("group", args=["testford-lpg"])).content.decode()
    assert reverse("escalation_resolve", args=[divert_escalation.pk]) in html
    assert f'href="{reverse("group", args=[DIVERT])}"' not in html
    assert "Testford Divert Group" in html and "members only" in html


@pytest.mark.parametrize(
    ("who", "linked"), [("charlie_client", False), ("alice_client", False), ("bob_client", True)]
)
def test_place_page_and_structure_name_a_restricted_group_without_a_link(
    request: pytest.FixtureRequest, world: World, who: str, linked: bool
) -> None:
    """The place page and the structure diagram keep the structure whole: Divert is named
    for everyone, linked only for those who may open it."""
    client: Client = request.getfixturevalue(who)
    link = f'href="{reverse("group", args=[DIVERT])}"'
    for url in (reverse("place", args=["testford"]), reverse("place_structure", args=["testford"])):
        html = client.get(url).content.decode()
        assert "Testford Divert Group" in html, url
        assert (link in html) is linked, url
        assert ("members only" in html) is not linked, url


def test_home_lists_a_members_restricted_group(bob_client: Client) -> None:
    html = bob_client.get(reverse("home")).content.decode()
    assert reverse("group", args=[DIVERT]) in html


def test_an_escalation_to_a_restricted_group_is_kept_from_the_open_groups_readers(
    world: World, alice: Person, bob: Person, charlie_client: Client, bob_client: Client
) -> None:
    """Given a task group (open) under Divert (restricted) escalates to Divert, When
    Charlie opens the task group's page, Then Divert's answer is not shown to him; Bob,
    on Divert, sees it."""
    task = services.upsert_group(
        None,
        slug="testford-task",
        name="Testford Task Group",
        kind=GroupKind.TASK_AND_TIME,
        place=world.district,
        parent=world.divert,
    )
    escalation = services.raise_escalation(
        None, group=task, title="Named young people", detail="See list", raised_by=alice
    )
    services.resolve_escalation(None, escalation, resolution="B and C referred", by=bob)
    charlie_sees = charlie_client.get(reverse("group", args=["testford-task"])).content.decode()
    assert "Named young people" not in charlie_sees and "B and C referred" not in charlie_sees
    bob_sees = bob_client.get(reverse("group", args=["testford-task"])).content.decode()
    assert "Named young people" in bob_sees and "B and C referred" in bob_sees


def test_a_group_added_in_the_admin_starts_restricted(admin_client: Client, world: World) -> None:
    """Failing closed: the admin's form for a new group has "restricted" ticked."""
    html = admin_client.get("/admin/partnership/group/add/").content.decode()
    start = html.index('name="restricted"')
    assert "checked" in html[start : html.index(">", start)]
