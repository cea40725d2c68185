"""Issue 12's last piece: each priority of a plan names the initiatives that deliver it
(Bright Sparx 2014 serves West Lancashire's general ASB priority) on the plan page, with
their actions' progress for signed-in readers, and in the Word and PDF documents."""

from __future__ import annotations

import datetime
import io

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from saferplaces.delivery.models import ActionPlan, DeliveryAction, Initiative
from saferplaces.delivery.models.initiatives import OPEN_STATUSES, ActionStatus
from saferplaces.partnership.models import Organisation
from saferplaces.strategy import plan_documents
from saferplaces.strategy import plans as svc
from saferplaces.strategy.models import Plan, PlanPriority
from saferplaces.strategy.plan_documents import NO_INITIATIVE, build_docx, build_pdf, outline
from tests.personas import World
from tests.strategy.test_plans import ASB, county_plan
from tests.strategy.test_plans_documents import docx_text

D = datetime.date


def bright_sparx(
    world: World, priority: PlanPriority, name: str = "Bright Sparx 2014"
) -> Initiative:
    initiative = Initiative.objects.create(
        place=world.district, name=name, slug=name.lower().replace(" ", "-"),
        starts_on=D(2014, 10, 1), ends_on=D(2014, 11, 5), lead_group=world.lpg,
    )  # fmt: skip
    initiative.priorities.add(priority)
    return initiative


def add_actions(initiative: Initiative, today: datetime.date, owner: Organisation) -> None:
    """One done, one open and overdue, one open and due today, one cancelled."""
    plan = ActionPlan.objects.create(initiative=initiative, title="3-week action plan")
    for title, status, due in [
        ("Engagement days", ActionStatus.DONE, today - datetime.timedelta(days=9)),
        ("Letters to schools", ActionStatus.IN_PROGRESS, today - datetime.timedelta(days=1)),
        ("Go4IT event", ActionStatus.NOT_STARTED, today),
        ("Bonfire patrol", ActionStatus.CANCELLED, today - datetime.timedelta(days=3)),
    ]:
        DeliveryAction.objects.create(
            plan=plan, title=title, owner_organisation=owner, status=status,
            starts_on=today - datetime.timedelta(days=10), due_on=due,
        )  # fmt: skip


def approved(world: World) -> tuple[Plan, PlanPriority]:
    plan = county_plan(world)
    svc.approve_plan(None, plan, approved_on=D(2014, 12, 4))
    return plan, plan.priorities.get(title=ASB)


def cards(html: bytes) -> dict[str, lxml.html.HtmlElement]:
    doc = lxml.html.fromstring(html)
    return {
        card.xpath(".//h3")[0].text_content().strip(): card
        for card in doc.xpath('//*[@data-testid="priority"]')
    }


def test_strategy_spells_the_action_statuses_as_delivery_does() -> None:
    """strategy may not import delivery, so it names the statuses by value: they must be
    delivery's."""
    assert set(plan_documents.OPEN_STATUSES) == {str(s) for s in OPEN_STATUSES}
    assert plan_documents.DONE_STATUS == ActionStatus.DONE
    assert plan_documents.CANCELLED_STATUS == ActionStatus.CANCELLED


@pytest.mark.django_db
def test_the_plan_page_names_the_initiatives_and_their_actions(
    world: World, alice_client: Client
) -> None:
    """Given an approved plan whose ASB priority is served by Bright Sparx 2014 (four
    actions: one done, one overdue, one due today, one cancelled), When a member opens
    the plan, Then the ASB priority is "Delivered by" Bright Sparx, linked, with its
    period, lead group and "1 of 3 actions done, 2 open, 1 overdue", and every other
    priority says no initiative is linked yet."""
    plan, asb = approved(world)
    initiative = bright_sparx(world, asb)
    add_actions(initiative, timezone.localdate(), world.police)
    page = alice_client.get(reverse("strategy:plan", args=[world.county.slug, plan.pk]))
    assert page.status_code == 200
    by_title = cards(page.content)
    (delivered,) = by_title[ASB].xpath('.//*[@data-testid="delivered-by"]')
    (link,) = delivered.xpath(".//a")
    assert link.text_content() == "Bright Sparx 2014"
    assert link.get("href") == reverse("delivery:initiative", args=[initiative.slug])
    text = " ".join(delivered.text_content().split())
    assert "1 October 2014 to 5 November 2014" in text
    assert f"led by {world.lpg.name}" in text
    assert "1 of 3 actions done, 2 open, 1 overdue (1 cancelled, not counted)" in text
    for title in ("Child Sexual Exploitation", "Violent Crime"):
        (other,) = by_title[title].xpath('.//*[@data-testid="delivered-by"]')
        assert other.text_content().strip() == NO_INITIATIVE
    assert b"Source of the actions' progress" in page.content


@pytest.mark.django_db
def test_signed_out_readers_see_the_initiatives_but_not_their_actions(world: World) -> None:
    """An approved plan is public: the initiatives are named, their action counts (the
    partnership's working detail) are for signed-in members."""
    plan, asb = approved(world)
    add_actions(bright_sparx(world, asb), timezone.localdate(), world.police)
    page = Client().get(reverse("strategy:plan", args=[world.county.slug, plan.pk]))
    (delivered,) = cards(page.content)[ASB].xpath('.//*[@data-testid="delivered-by"]')
    assert "Bright Sparx 2014" in delivered.text_content()
    assert not delivered.xpath('.//*[@data-testid="initiative-actions"]')


@pytest.mark.django_db
def test_an_initiative_with_no_actions_says_so_never_0_of_0(
    world: World, alice_client: Client
) -> None:
    plan, asb = approved(world)
    bright_sparx(world, asb)
    page = alice_client.get(reverse("strategy:plan", args=[world.county.slug, plan.pk]))
    (summary,) = cards(page.content)[ASB].xpath('.//*[@data-testid="initiative-actions"]')
    assert summary.text_content() == "No actions recorded yet"


@pytest.mark.django_db
def test_the_plan_page_is_a_constant_number_of_queries(world: World, alice_client: Client) -> None:
    """One initiative or six (two on each priority, each with actions) cost the same
    queries."""
    plan, asb = approved(world)
    today = timezone.localdate()
    add_actions(bright_sparx(world, asb), today, world.police)
    url = reverse("strategy:plan", args=[world.county.slug, plan.pk])
    with CaptureQueriesContext(connection) as few:
        assert alice_client.get(url).status_code == 200
    for n, priority in enumerate(plan.priorities.all()):
        for k in range(2):
            add_actions(bright_sparx(world, priority, f"Initiative {n} {k}"), today, world.police)
    with CaptureQueriesContext(connection) as many:
        page = alice_client.get(url)
    assert page.content.count(b'data-testid="initiative"') == 7
    assert len(many) == len(few)


@pytest.mark.django_db
def test_the_word_and_pdf_documents_name_the_initiatives(world: World) -> None:
    """Given Bright Sparx serving the ASB priority, When the plan is written to Word and
    PDF, Then the priority has a "Delivered by" line naming it with its period and lead
    group, and the others say no initiative is linked yet."""
    plan, asb = approved(world)
    add_actions(bright_sparx(world, asb), D(2014, 10, 20), world.police)
    o = outline(plan, today=D(2014, 10, 20))
    paragraphs, _ = docx_text(build_docx(o))
    period = "1 October 2014 to 5 November 2014"
    line = f"Delivered by: Bright Sparx 2014 ({period}, led by {world.lpg.name})"
    assert line in paragraphs
    assert paragraphs.count(f"Delivered by: {NO_INITIATIVE}") == 2
    heading = paragraphs.index(ASB, paragraphs.index("Priority issues"))
    assert paragraphs.index(line) > heading
    pdf = PdfReader(io.BytesIO(build_pdf(o)))
    flat = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Delivered by: Bright Sparx 2014" in flat
    assert f"Delivered by: {NO_INITIATIVE}" in flat


@pytest.mark.django_db
def test_outline_counts_the_actions_on_the_day_given(world: World) -> None:
    """Overdue is open with the due date passed: a day later, the action due today is
    overdue too."""
    _, asb = approved(world)
    today = D(2014, 10, 20)
    add_actions(bright_sparx(world, asb), today, world.police)
    plan = asb.plan
    (on_the_day,) = next(
        v for v in outline(plan, today).priorities if v.priority == asb
    ).initiatives
    (next_day,) = next(
        v for v in outline(plan, today + datetime.timedelta(days=1)).priorities if v.priority == asb
    ).initiatives
    assert (on_the_day.actions, on_the_day.done, on_the_day.open) == (3, 1, 2)
    assert (on_the_day.overdue, next_day.overdue) == (1, 2)
    assert on_the_day.cancelled == 1
