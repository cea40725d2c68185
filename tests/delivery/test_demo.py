"""The demo's delivery is West Lancashire's 2014/15 as the CSP's briefing gives it: the
three funding streams, the three funded projects, Bright Sparx 2014 and its value case."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Model, Sum
from django.test import Client
from django.urls import reverse

from saferplaces.delivery import funding, outputs
from saferplaces.delivery.demo import BRIGHT_SPARX, ENGAGEMENT, FRESHERS, load_delivery_demo
from saferplaces.delivery.models import (
    ActionPlan,
    ActionStatus,
    Allocation,
    DeliveryAction,
    EvaluationMeasure,
    FundingStream,
    Initiative,
    Output,
    OutputKind,
    QuarterlyReturn,
    Strand,
    UnitCost,
    ValueCase,
)
from saferplaces.insight.value import avoided_cost
from saferplaces.partnership.demo.loader import load_demo
from saferplaces.partnership.models import Person, Place
from saferplaces.strategy import plan_demo

MODELS: list[type[Model]] = [
    Initiative,
    Strand,
    ActionPlan,
    DeliveryAction,
    Output,
    FundingStream,
    Allocation,
    QuarterlyReturn,
    EvaluationMeasure,
    UnitCost,
    ValueCase,
]


@pytest.fixture
def demo(db: None, fast_passwords: None) -> None:
    load_demo()
    plan_demo.load()
    load_delivery_demo()


def _counts() -> dict[str, int]:
    counts = {m.__name__: m._default_manager.count() for m in MODELS}
    counts["partners"] = Initiative.partners.through.objects.count()
    counts["priorities"] = Initiative.priorities.through.objects.count()
    counts["depends_on"] = DeliveryAction.depends_on.through.objects.count()
    return counts


def _in_2014_15(kind: str) -> Decimal:
    total = Output.objects.filter(
        initiative__place__slug="west-lancashire",
        kind=kind,
        on__range=(datetime.date(2014, 4, 1), datetime.date(2015, 3, 31)),
    ).aggregate(total=Sum("quantity"))["total"]
    assert total is not None
    return Decimal(total)


@pytest.mark.django_db
def test_three_streams_total_19750_and_allocations_never_exceed_them(demo: None) -> None:
    """Given the demo
    Then West Lancashire has three 2014/15 streams (OPCC £10,000, the council £5,000,
    Estates £4,750) totalling exactly £19,750.00, accountable to the Local Priorities Group;
    no stream is allocated more than it holds; every allocation says it is illustrative; and
    every 2014/15 return is submitted, its spend adding up to its allocation."""
    streams = FundingStream.objects.filter(place__slug="west-lancashire", year=2014)
    assert sorted(s.amount for s in streams) == [
        Decimal("4750.00"),
        Decimal("5000.00"),
        Decimal("10000.00"),
    ]
    assert streams.aggregate(total=Sum("amount"))["total"] == Decimal("19750.00")
    assert {s.accountable_to.slug for s in streams if s.accountable_to} == {"west-lancashire-lpg"}
    assert all(s.accountable_to is not None for s in streams)
    for stream in streams:
        allocated = stream.allocations.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        assert Decimal(0) < allocated <= stream.amount, stream
    allocations = Allocation.objects.filter(stream__in=streams)
    assert {a.initiative.slug for a in allocations} == {BRIGHT_SPARX, FRESHERS, ENGAGEMENT}
    for allocation in allocations:
        assert allocation.purpose.startswith("Illustrative: the seed gives only the stream totals")
        returns = allocation.returns.all()
        assert sorted(r.quarter for r in returns) == [1, 2, 3, 4]
        assert not QuarterlyReturn.objects.filter(allocation=allocation).outstanding().exists()
        assert sum(r.spend or Decimal(0) for r in returns) == allocation.amount
        assert [r.due_on for r in returns] == [funding.due_date(2014, q) for q in (1, 2, 3, 4)]


@pytest.mark.django_db
def test_funding_summary_and_monitoring_of_the_demo_year(demo: None) -> None:
    """Given the demo, when the funding summary and monitoring for West Lancashire 2014/15
    are read today, then they hold £19,750.00, all of it allocated, and no return is
    overdue or due (all four returns of each of the four allocations are submitted)."""
    place = Place.objects.get(slug="west-lancashire")
    summary = funding.summary(place, 2014)
    assert summary.totals.amount == Decimal("19750.00")
    assert summary.totals.allocated == summary.totals.amount
    assert summary.totals.spent == summary.totals.amount
    assert (summary.totals.returns_overdue, summary.totals.returns_due) == (0, 0)
    monitoring = funding.monitoring(place, 2014)
    assert monitoring.counts["overdue"] == 0
    assert monitoring.counts["submitted"] == 4 * Allocation.objects.count() == 16


@pytest.mark.django_db
def test_freshers_plan_has_26_actions_all_done_in_september(demo: None) -> None:
    """Given the demo, then the Freshers' plan has exactly 26 actions, each owned by an
    organisation, done, in September 2014, and the initiative records 26 actions delivered."""
    freshers = Initiative.objects.get(slug=FRESHERS)
    actions = DeliveryAction.objects.filter(plan__initiative=freshers)
    assert actions.count() == 26
    assert set(actions.values_list("status", flat=True)) == {ActionStatus.DONE}
    for action in actions:
        assert action.starts_on.year == 2014 and action.starts_on.month == 9
        assert action.due_on.month == 9
    assert freshers.outputs.get(kind=OutputKind.ACTIONS_DELIVERED).quantity == 26


@pytest.mark.django_db
def test_bright_sparx_strands_plan_and_outputs(demo: None) -> None:
    """Given the demo, then Bright Sparx 2014 has its four strands, a plan of actions over
    about three weeks from late October, serves the General ASB priority, records 200
    young people in diversionary activities and approximately 500 at Go4IT, and is
    evaluated on deliberate fires, ASB and criminal damage in October–November and ASB on
    Mischief Night."""
    bright = Initiative.objects.get(slug=BRIGHT_SPARX)
    assert bright.strands.count() == 4
    assert {s.name for s in bright.strands.all()} >= {"The Go4IT event"}
    assert len(bright.aim_list) == 4
    actions = DeliveryAction.objects.filter(plan__initiative=bright)
    first = min(a.starts_on for a in actions)
    last = max(a.due_on for a in actions)
    assert 14 <= (last - first).days <= 24
    assert first.month == 10 and last.month == 11
    assert actions.filter(depends_on__isnull=False).exists()
    assert {p.title for p in bright.priorities.all()} == {"General ASB"}
    go4it = bright.outputs.get(kind=OutputKind.ATTENDEES)
    assert go4it.quantity == 500 and go4it.approximate
    assert go4it.strand is not None and go4it.strand.name == "The Go4IT event"
    participants = bright.outputs.get(kind=OutputKind.PARTICIPANTS)
    assert participants.quantity == 200 and not participants.approximate
    measures = {(m.indicator_key, m.window) for m in bright.evaluation_measures.all()}
    assert measures == {
        ("deliberate-fires", "october-november"),
        ("anti-social-behaviour", "october-november"),
        ("criminal-damage-and-arson", "october-november"),
        ("anti-social-behaviour", "mischief-night"),
    }


@pytest.mark.django_db
def test_the_years_headline_is_15_days_and_375_tons(demo: None) -> None:
    """Given the demo, then outputs in 2014/15 across initiatives sum to 15 engagement days
    and 375 tons removed, 6 days and 150 tons of them Bright Sparx's."""
    assert _in_2014_15(OutputKind.ENGAGEMENT_DAYS) == 15
    assert _in_2014_15(OutputKind.TONS_REMOVED) == 375
    sentences = outputs.headlines(Place.objects.get(slug="west-lancashire"), 2014).sentences
    assert "15 engagement days" in sentences and "375 tons removed" in sentences
    assert "approximately 500 attendees" in sentences
    bright = Initiative.objects.get(slug=BRIGHT_SPARX)
    assert bright.outputs.get(kind=OutputKind.ENGAGEMENT_DAYS).quantity == 6
    assert bright.outputs.get(kind=OutputKind.TONS_REMOVED).quantity == 150


@pytest.mark.django_db
def test_value_case_is_15450_a_night(demo: None) -> None:
    """Given the demo, then Bright Sparx's value case (30 call-outs a night at £515, nothing
    observed) prices the baseline at £15,450 for one night."""
    case = ValueCase.objects.get(initiative__slug=BRIGHT_SPARX)
    assert case.observed_per_period is None
    assert (case.period, case.periods) == ("night", 1)
    assert case.unit_cost.name == "Fire call-out" and case.unit_cost.source
    cost = case.baseline_per_period * case.periods * case.unit_cost.amount
    assert cost == Decimal("15450.00")
    worked = avoided_cost(
        baseline_per_period=case.baseline_per_period,
        unit_cost=case.unit_cost.amount,
        observed_per_period=case.observed_per_period,
        periods=case.periods,
        unit=case.unit_cost.unit,
        period=case.period,
    )
    assert worked.baseline_cost_per_period == cost and worked.avoided_total is None
    assert "£15,450" in worked.headline


@pytest.mark.django_db
def test_loading_twice_changes_nothing(demo: None) -> None:
    """Given the demo loaded, when the delivery demo is loaded again, then every table has
    the same rows and no row was touched."""
    before = _counts()
    stamps = list(Initiative.objects.values_list("pk", "updated_at"))
    actions = list(DeliveryAction.objects.values_list("pk", "updated_at"))
    load_delivery_demo()
    assert _counts() == before
    assert list(Initiative.objects.values_list("pk", "updated_at")) == stamps
    assert list(DeliveryAction.objects.values_list("pk", "updated_at")) == actions


@pytest.mark.django_db
def test_demo_pages_show_the_briefings_figures(demo: None) -> None:
    """Given the demo, when the officer opens West Lancashire's 2014/15 funding and
    headlines and Bright Sparx's evaluation, then the pages show the briefing's figures:
    £19,750.00 of funding, 375 tons removed on 15 engagement days, up to £15,450 a night."""
    client = Client()
    client.force_login(Person.objects.get(user__username="officer").user)
    year = {"year": "2014/15"}
    funding_page = client.get(reverse("delivery:funding", args=["west-lancashire"]), year)
    assert funding_page.status_code == 200
    assert "£19,750.00" in funding_page.content.decode()
    headlines = client.get(reverse("delivery:headlines", args=["west-lancashire"]), year)
    assert headlines.status_code == 200
    text = headlines.content.decode()
    assert "375 tons removed" in text and "15 engagement days" in text
    evaluation = client.get(reverse("delivery:initiative_evaluation", args=[BRIGHT_SPARX]))
    assert evaluation.status_code == 200
    assert "£15,450" in evaluation.content.decode()


@pytest.mark.django_db
def test_load_demo_command_loads_delivery(fast_passwords: None) -> None:
    """Given an empty database, when `load_demo` runs, then the delivery demo is there with
    its priorities linked (the plans are loaded first)."""
    call_command("load_demo", stdout=io.StringIO())
    assert Initiative.objects.filter(place__slug="west-lancashire").count() == 3
    assert Initiative.objects.get(slug=FRESHERS).priorities.exists()
