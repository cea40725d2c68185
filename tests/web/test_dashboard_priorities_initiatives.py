"""The dashboard's plan priorities table: a "Delivered by" column naming the initiatives
that serve each priority, linked, with their actions done, open and overdue today."""

from __future__ import annotations

import datetime

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferplaces.delivery.models import ActionPlan, DeliveryAction, Initiative
from saferplaces.delivery.models.initiatives import ActionStatus
from saferplaces.insight.periods import parse_period
from saferplaces.partnership.models import Group, Organisation, Place
from saferplaces.partnership.models.groups import GroupKind
from saferplaces.partnership.models.people import OrganisationKind
from saferplaces.strategy import plans
from saferplaces.strategy.models import Plan, PlanPriority
from saferplaces.web.dashboard.priorities import plan_progress
from tests.web import test_dashboard as dashboard_tests

# The dashboard tests' fixtures: the sample months imported once, a signed-in officer.
URL = dashboard_tests.URL
sample_store = dashboard_tests.sample_store
_fresh_cache = dashboard_tests._fresh_cache
imported = dashboard_tests.imported
officer = dashboard_tests.officer

D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.fixture
def police(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Lancashire Constabulary", slug="lancashire-constabulary",
        kind=OrganisationKind.POLICE,
    )  # fmt: skip


@pytest.fixture
def wl_plan(imported: Place) -> Plan:
    """West Lancashire's plan for 2014/15: general ASB, reoffending."""
    plan = plans.create_plan(
        None, place=imported, kind="partnership", title="Priorities 2014/15",
        period_label="2014/15", starts_on=D(2014, 4, 1), ends_on=D(2015, 3, 31),
    )  # fmt: skip
    plans.add_priority(None, plan, title="General ASB", indicator_keys=["anti-social-behaviour"])
    plans.add_priority(None, plan, title="Reducing reoffending", indicator_keys=[])
    return plan


def initiative(place: Place, name: str, *priorities: PlanPriority) -> Initiative:
    lpg, _ = Group.objects.get_or_create(
        slug="wl-lpg", defaults={"name": "Local Priorities Group", "place": place,
                                 "kind": GroupKind.THEMATIC},
    )  # fmt: skip
    made = Initiative.objects.create(
        place=place, name=name, slug=name.lower().replace(" ", "-"), lead_group=lpg,
        starts_on=D(2014, 10, 1), ends_on=D(2014, 11, 5),
    )  # fmt: skip
    made.priorities.add(*priorities)
    return made


def actions(made: Initiative, owner: Organisation, today: datetime.date, done: int = 1) -> None:
    """``done`` done, one open and overdue, one open due today, one cancelled."""
    plan = ActionPlan.objects.create(initiative=made, title="3-week action plan")
    rows = [(ActionStatus.DONE, today - 9 * DAY)] * done + [
        (ActionStatus.IN_PROGRESS, today - DAY),
        (ActionStatus.NOT_STARTED, today),
        (ActionStatus.CANCELLED, today - 3 * DAY),
    ]
    for n, (status, due) in enumerate(rows):
        DeliveryAction.objects.create(
            plan=plan, title=f"Action {n}", owner_organisation=owner, status=status,
            starts_on=today - 10 * DAY, due_on=due, order=n,
        )  # fmt: skip


def rows(html: bytes) -> dict[str, lxml.html.HtmlElement]:
    doc = lxml.html.fromstring(html)
    (table,) = doc.xpath('//*[@data-testid="plan-priorities"]')
    return {tr.xpath("./th")[0].text_content().strip(): tr for tr in table.xpath(".//tbody/tr")}


@pytest.mark.django_db
def test_delivered_by_names_the_initiatives_with_their_actions(
    officer: Client, wl_plan: Plan, police: Organisation
) -> None:
    """Given General ASB served by Bright Sparx 2014 (12 actions done, one overdue, one
    due today, one cancelled) and by Freshers, and Reducing reoffending served by none,
    When the 2014/15 dashboard is opened, Then the "Delivered by" column links both
    initiatives with "12 of 14 actions done, 2 open, 1 overdue" for Bright Sparx, and the
    reoffending row says no initiative is linked yet."""
    today = timezone.localdate()
    asb = wl_plan.priorities.get(title="General ASB")
    sparx = initiative(wl_plan.place, "Bright Sparx 2014", asb)
    actions(sparx, police, today, done=12)
    initiative(wl_plan.place, "Freshers 2014", asb)
    page = officer.get(URL, {"period": "2014/15"})
    assert page.status_code == 200
    (head,) = lxml.html.fromstring(page.content).xpath('//*[@data-testid="plan-priorities"]//thead')
    assert "Delivered by" in head.text_content()
    by_title = rows(page.content)
    (cell,) = by_title["General ASB"].xpath('.//*[@data-testid="delivered-by"]')
    links = {a.text_content(): a.get("href") for a in cell.xpath(".//a")}
    assert links == {
        "Bright Sparx 2014": reverse("delivery:initiative", args=["bright-sparx-2014"]),
        "Freshers 2014": reverse("delivery:initiative", args=["freshers-2014"]),
    }
    text = " ".join(cell.text_content().split())
    assert "Bright Sparx 2014: 12 of 14 actions done, 2 open, 1 overdue" in text
    assert "Freshers 2014: No actions recorded yet" in text
    (empty,) = by_title["Reducing reoffending"].xpath('.//*[@data-testid="delivered-by"]')
    assert empty.text_content().strip() == "No initiative is linked to this priority yet."
    assert b'data-testid="delivery-source"' in page.content


@pytest.mark.django_db
def test_overdue_is_counted_on_the_day(wl_plan: Plan, police: Organisation) -> None:
    """The action due today is not overdue today, and is tomorrow."""
    today = D(2014, 10, 20)
    asb = wl_plan.priorities.get(title="General ASB")
    actions(initiative(wl_plan.place, "Bright Sparx 2014", asb), police, today)
    period = parse_period("2014/15")

    def overdue(on: datetime.date) -> int:
        progress = plan_progress(wl_plan.place, period, [], today=on)
        assert progress is not None
        (row,) = [r for r in progress.rows if r.title == "General ASB"]
        (view,) = row.initiatives
        return view.overdue

    assert (overdue(today), overdue(today + DAY)) == (1, 2)


@pytest.mark.django_db
def test_the_priorities_cost_the_same_queries_however_many_initiatives(
    wl_plan: Plan, police: Organisation
) -> None:
    period = parse_period("2014/15")
    asb, reoffending = wl_plan.priorities.order_by("order", "pk")
    actions(initiative(wl_plan.place, "Bright Sparx 2014", asb), police, D(2014, 10, 20))
    with CaptureQueriesContext(connection) as few:
        plan_progress(wl_plan.place, period, [])
    for n in range(4):
        made = initiative(wl_plan.place, f"Initiative {n}", asb, reoffending)
        actions(made, police, D(2014, 10, 20))
    with CaptureQueriesContext(connection) as many:
        progress = plan_progress(wl_plan.place, period, [])
    assert progress is not None
    assert [len(r.initiatives) for r in progress.rows] == [5, 4]
    assert len(many) == len(few)
