"""Pages of initiatives and action plans: who may see and change them, what they show,
and the lead group's overdue actions (saferplaces.delivery.initiative_views)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from saferplaces.delivery import initiatives as services
from saferplaces.delivery.models import ActionPlan, ActionStatus, DeliveryAction, Initiative, Rag
from saferplaces.partnership.models import Person
from saferplaces.partnership.models.people import PersonRole
from saferplaces.strategy import plans as strategy
from saferplaces.strategy.models.plans import PlanKind
from tests.delivery.initiative_support import make_plan, make_sparx
from tests.personas import World, client_for, make_person

pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    return timezone.localdate()


def _ago(n: int) -> datetime.date:
    return _today() - datetime.timedelta(days=n)


@pytest.fixture
def analyst(world: World) -> Person:
    """Dana, an analyst of the council: may read delivery, not change it."""
    return make_person("dana", world.council, first_name="Dana", role=PersonRole.ANALYST)


@pytest.fixture
def live(world: World) -> tuple[Initiative, ActionPlan]:
    """An initiative led by the LPG running around today, with a 3-week plan: one action
    due yesterday (overdue), one due today (not overdue)."""
    sparx = services.create_initiative(
        None, place=world.district, name="Bright Sparx", kind="operation", starts_on=_ago(10),
        ends_on=_ago(-10), lead_group=world.lpg, partners=[world.police],
        aims="Reduce deliberate fires\nDivert young people",
    )  # fmt: skip
    services.add_strand(None, sparx, name="The Go4IT event")
    plan = make_plan(sparx)
    services.add_action(None, plan, title="Skip hire", owner_organisation=world.council,
                        starts_on=_ago(10), due_on=_ago(1), rag=Rag.AMBER)  # fmt: skip
    services.add_action(None, plan, title="Leaflet drop", owner_organisation=world.police,
                        starts_on=_ago(5), due_on=_today())  # fmt: skip
    services.add_action(None, plan, title="Go4IT event", owner_organisation=world.police,
                        starts_on=_ago(0), due_on=_ago(-10))  # fmt: skip
    return sparx, plan


def test_pages_need_a_signed_in_user(world: World, live: tuple[Initiative, ActionPlan]) -> None:
    """Given a visitor who is not signed in, Then the list, the initiative and the group's
    delivery redirect to sign in."""
    sparx, _ = live
    for url in (
        reverse("delivery:initiatives", args=[world.district.slug]),
        reverse("delivery:initiative", args=[sparx.slug]),
        reverse("delivery:group_delivery", args=[world.lpg.slug]),
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_forms_are_404_for_people_who_may_not_edit(
    world: World, analyst: Person, live: tuple[Initiative, ActionPlan]
) -> None:
    """Given Dana, an analyst, Then every form is 404 for her, but she may read the pages;
    the list shows her no "New initiative" button."""
    sparx, plan = live
    action = plan.actions.first()
    assert action is not None
    dana = client_for(analyst)
    for url in (
        reverse("delivery:initiative_new", args=[world.district.slug]),
        reverse("delivery:initiative_edit", args=[sparx.slug]),
        reverse("delivery:strand_new", args=[sparx.slug]),
        reverse("delivery:action_plan_new", args=[sparx.slug]),
        reverse("delivery:plan_action_new", args=[sparx.slug, plan.pk]),
        reverse("delivery:plan_action_edit", args=[sparx.slug, action.pk]),
        reverse("delivery:plan_action_status", args=[sparx.slug, action.pk]),
        reverse("delivery:plan_action_remove", args=[sparx.slug, action.pk]),
    ):
        assert dana.get(url).status_code == 404, url
    listing = dana.get(reverse("delivery:initiatives", args=[world.district.slug]))
    assert listing.status_code == 200 and "New initiative" not in listing.content.decode()
    assert dana.get(reverse("delivery:initiative", args=[sparx.slug])).status_code == 200


def test_the_owner_of_an_action_may_update_its_status(
    world: World, analyst: Person, live: tuple[Initiative, ActionPlan]
) -> None:
    """Given Dana owns an action, When she marks it done, Then it is done today; she still
    may not edit it."""
    sparx, plan = live
    mine = services.add_action(None, plan, title="Data pack", owner_organisation=world.council,
                               owner_person=analyst, starts_on=_ago(3), due_on=_ago(2))  # fmt: skip
    dana = client_for(analyst)
    url = reverse("delivery:plan_action_status", args=[sparx.slug, mine.pk])
    response = dana.post(url, {"status": ActionStatus.DONE, "rag": Rag.GREEN})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.completed_on) == (ActionStatus.DONE, _today())
    edit = reverse("delivery:plan_action_edit", args=[sparx.slug, mine.pk])
    assert dana.get(edit).status_code == 404


def test_an_editor_creates_an_initiative_and_errors_say_what_to_fix(
    world: World, alice_client: Client
) -> None:
    """Given Alice (a community safety officer), When she submits an empty form, Then the
    page is 400 and says what to enter; When she fills it in, Then the initiative exists."""
    url = reverse("delivery:initiative_new", args=[world.district.slug])
    assert (
        "New initiative"
        in alice_client.get(
            reverse("delivery:initiatives", args=[world.district.slug])
        ).content.decode()
    )
    bad = alice_client.post(url, {"starts_on": "2014-10-20", "ends_on": "2014-10-01"})
    text = bad.content.decode()
    assert bad.status_code == 400
    assert "Enter the initiative&#x27;s name" in text
    assert "Select what kind of initiative it is" in text
    assert "The end date must be the same as or after the start date" in text
    good = alice_client.post(url, {
        "name": "Bright Sparx 2014", "kind": "operation", "starts_on": "2014-10-20",
        "ends_on": "2014-11-09", "lead_group": world.lpg.pk,
        "partners": [world.police.pk, world.council.pk],
    })  # fmt: skip
    sparx = Initiative.objects.get(name="Bright Sparx 2014")
    assert good.status_code == 302 and good["Location"] == reverse(
        "delivery:initiative", args=[sparx.slug]
    )
    assert sparx.partners.count() == 2 and sparx.lead_group == world.lpg


def test_action_form_errors_name_the_problem(
    world: World, alice: Person, alice_client: Client
) -> None:
    """Given a plan, When Alice adds an action due before it starts, owned by a police
    action but naming herself (council), Then both problems are said; a circular
    dependency through the edit form is refused, naming the actions."""
    sparx = make_sparx(world)
    plan = make_plan(sparx)
    url = reverse("delivery:plan_action_new", args=[sparx.slug, plan.pk])
    bad = alice_client.post(url, {
        "title": "Patrols", "owner_organisation": world.police.pk, "owner_person": alice.pk,
        "starts_on": "2014-10-25", "due_on": "2014-10-21",
    })  # fmt: skip
    text = bad.content.decode()
    assert bad.status_code == 400
    assert "The due date must be the same as or after the start date" in text
    assert "Alice Persona works for Testford Council" in text
    assert not DeliveryAction.objects.exists()
    a = services.add_action(None, plan, title="Book venue", owner_organisation=world.council,
                            starts_on=datetime.date(2014, 10, 20),
                            due_on=datetime.date(2014, 10, 21))  # fmt: skip
    b = services.add_action(None, plan, title="Invite schools", owner_organisation=world.council,
                            starts_on=datetime.date(2014, 10, 22),
                            due_on=datetime.date(2014, 10, 23), depends_on=[a])  # fmt: skip
    edit = reverse("delivery:plan_action_edit", args=[sparx.slug, a.pk])
    cyc = alice_client.post(edit, {
        "title": "Book venue", "owner_organisation": world.council.pk,
        "starts_on": "2014-10-20", "due_on": "2014-10-21", "depends_on": [b.pk],
    })  # fmt: skip
    assert cyc.status_code == 400
    assert "Book venue → Invite schools → Book venue" in cyc.content.decode()


def test_the_initiative_page_shows_its_parts_and_loads_the_other_sections(
    world: World, alice_client: Client, live: tuple[Initiative, ActionPlan]
) -> None:
    """Given the live initiative serving a plan priority, Then its page links the lead
    group and the priority's plan, lists partners, strands and aims, draws the timeline
    with the overdue action in words, and loads outputs, evaluation and funding by htmx
    with plain links."""
    sparx, plan = live
    splan = strategy.create_plan(None, place=world.district, kind=PlanKind.PARTNERSHIP,
                                 title="Testford plan", period_label="2014/15",
                                 starts_on=_ago(100), ends_on=_ago(-100))  # fmt: skip
    prio = strategy.add_priority(None, splan, title="General ASB including Mischief")
    services.update_initiative(None, sparx, priorities=[prio])
    text = alice_client.get(reverse("delivery:initiative", args=[sparx.slug])).content.decode()
    assert f'href="{reverse("group", args=[world.lpg.slug])}"' in text
    assert f'href="{reverse("strategy:plan", args=[world.district.slug, splan.pk])}"' in text
    assert "Testshire Police" in text and "The Go4IT event" in text
    assert "Divert young people" in text
    assert f'id="timeline-{plan.pk}"' in text
    assert "Not started, RAG amber, overdue by 1 day" in text
    assert (
        "Leaflet drop" in text and "Not started, overdue" not in text.split("Leaflet drop")[1][:600]
    )
    for name in ("initiative_outputs", "initiative_evaluation", "initiative_funding"):
        url = reverse(f"delivery:{name}", args=[sparx.slug])
        assert f'hx-get="{url}" hx-trigger="load"' in text
        assert f'href="{url}"' in text
    assert "Source:" in text


def test_the_plan_list_sorts_by_due_date(
    alice_client: Client, live: tuple[Initiative, ActionPlan]
) -> None:
    sparx, plan = live
    url = reverse("delivery:action_plan", args=[sparx.slug, plan.pk])
    table = alice_client.get(url).content.decode().split(f'id="actions-{plan.pk}"')[1]
    assert table.index("Skip hire") < table.index("Leaflet drop") < table.index("Go4IT event")
    rev = alice_client.get(url + "?order=-due").content.decode().split(f'id="actions-{plan.pk}"')[1]
    assert rev.index("Go4IT event") < rev.index("Leaflet drop") < rev.index("Skip hire")
    assert 'aria-sort="descending"' in rev


def test_the_group_fragment_lists_overdue_actions_only(
    world: World, alice_client: Client, live: tuple[Initiative, ActionPlan]
) -> None:
    """Given one action due yesterday and one due today, Then the LPG's fragment lists the
    first with 1 day overdue and not the second; without htmx it is a whole page."""
    url = reverse("delivery:group_delivery", args=[world.lpg.slug])
    fragment = alice_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "Skip hire" in fragment and "1 day</strong>" in fragment
    assert "Leaflet drop" not in fragment and "Go4IT event" not in fragment
    assert "1 action overdue" in fragment
    page = alice_client.get(url).content.decode()
    assert "<html" in page and "Skip hire" in page


def test_a_group_that_leads_nothing_says_so(world: World, sam_client: Client) -> None:
    url = reverse("delivery:group_delivery", args=[world.executive.slug])
    text = sam_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Testford Executive Group leads no initiatives." in text


def test_a_restricted_group_is_404_for_non_members(world: World, alice_client: Client) -> None:
    """Given Divert is restricted and Alice is not on it, Then its delivery is 404 to her."""
    url = reverse("delivery:group_delivery", args=[world.divert.slug])
    assert alice_client.get(url).status_code == 404


def test_the_group_page_loads_its_delivery(world: World, alice_client: Client) -> None:
    text = alice_client.get(reverse("group", args=[world.lpg.slug])).content.decode()
    url = reverse("delivery:group_delivery", args=[world.lpg.slug])
    assert f'hx-get="{url}" hx-trigger="load"' in text and f'href="{url}"' in text


def test_removing_an_action_asks_then_removes(
    alice_client: Client, live: tuple[Initiative, ActionPlan]
) -> None:
    sparx, plan = live
    action = plan.actions.get(title="Leaflet drop")
    url = reverse("delivery:plan_action_remove", args=[sparx.slug, action.pk])
    assert "Remove the action Leaflet drop?" in alice_client.get(url).content.decode()
    assert alice_client.post(url).status_code == 302
    assert not plan.actions.filter(title="Leaflet drop").exists()


def test_an_editor_adds_a_strand_starts_a_plan_and_edits_the_initiative(
    world: World, alice_client: Client
) -> None:
    """Given Bright Sparx, When Alice adds a strand, starts a plan and renames the
    initiative through the forms, Then each is stored and she lands on the right page."""
    sparx = make_sparx(world)
    strand = alice_client.post(reverse("delivery:strand_new", args=[sparx.slug]),
                               {"name": "Mischief Night plans"})  # fmt: skip
    assert strand.status_code == 302
    assert list(sparx.strands.values_list("name", flat=True)) == ["Mischief Night plans"]
    started = alice_client.post(reverse("delivery:action_plan_new", args=[sparx.slug]),
                                {"title": "3-week plan"})  # fmt: skip
    plan = sparx.action_plans.get()
    assert started["Location"] == reverse("delivery:action_plan", args=[sparx.slug, plan.pk])
    again = alice_client.post(reverse("delivery:action_plan_new", args=[sparx.slug]),
                              {"title": "3-week plan"})  # fmt: skip
    assert again.status_code == 400
    assert "already has an action plan called 3-week plan" in again.content.decode()
    edit = reverse("delivery:initiative_edit", args=[sparx.slug])
    form = alice_client.get(edit).content.decode()
    assert 'value="Bright Sparx 2014"' in form
    saved = alice_client.post(edit, {
        "name": "Bright Sparx", "kind": "operation", "starts_on": "2014-10-20",
        "ends_on": "2014-11-09", "partners": [world.police.pk],
    })  # fmt: skip
    assert saved.status_code == 302
    sparx.refresh_from_db()
    assert sparx.name == "Bright Sparx" and list(sparx.partners.all()) == [world.police]
    assert sparx.lead_group is None
