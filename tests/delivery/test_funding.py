"""Funding streams, allocations and quarterly returns (saferplaces.delivery.funding):
money exact to the penny, totals that reconcile, over-allocation refused, returns overdue
on the right day."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from saferplaces.delivery import funding
from saferplaces.delivery.models import (
    Allocation,
    FundingStream,
    Initiative,
    QuarterlyReturn,
    Rag,
)
from saferplaces.partnership.models import ActivityEvent, Person
from tests.delivery.evaluation_support import make_initiative
from tests.personas import World

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2014


def _stream(world: World, funder: str = "OPCC", amount: str = "10000.00") -> FundingStream:
    return funding.create_stream(
        None, place=world.district, funder=funder, year=YEAR, amount=D(amount),
        accountable_to=world.lpg,
    )  # fmt: skip


def test_a_stream_is_recorded_with_an_event(world: World, alice: Person) -> None:
    """Given Alice, When she records the OPCC's £10,000 for 2014/15, Then the stream
    holds exactly £10,000.00 and an event names it."""
    stream = _stream(world)
    assert FundingStream.objects.get(pk=stream.pk).amount == D("10000.00")
    assert stream.year_label == "2014/15"
    assert ActivityEvent.objects.filter(verb="created", object_id=str(stream.pk)).exists()


def test_allocating_creates_four_returns_due_28_days_after_each_quarter(world: World) -> None:
    """Given a 2014/15 stream, When £2,500 is allocated to Bright Sparx, Then four returns
    exist, due 28 July, 28 October, 28 January and 28 April (the default 28 days after
    30 June, 30 September, 31 December and 31 March)."""
    stream = _stream(world)
    allocation = funding.allocate(None, stream=stream, initiative=make_initiative(world.district),
                                  amount=D("2500"))  # fmt: skip
    dues = list(allocation.returns.order_by("quarter").values_list("quarter", "due_on"))
    assert dues == [
        (1, datetime.date(2014, 7, 28)),
        (2, datetime.date(2014, 10, 28)),
        (3, datetime.date(2015, 1, 28)),
        (4, datetime.date(2015, 4, 28)),
    ]
    assert Allocation.objects.get(pk=allocation.pk).amount == D("2500.00")


def test_the_due_days_are_a_setting(world: World, settings: object) -> None:
    """Given SAFERPLACES_RETURN_DUE_DAYS of 10, When allocating, Then Q3's return is due
    10 January 2015."""
    settings.RETURN_DUE_DAYS = 10  # type: ignore[attr-defined]
    allocation = funding.allocate(
        None, stream=_stream(world), initiative=make_initiative(world.district), amount=D("1")
    )
    assert allocation.returns.get(quarter=3).due_on == datetime.date(2015, 1, 10)
    assert funding.due_date(2014, 4, days=0) == datetime.date(2015, 3, 31)


def test_over_allocation_is_refused_with_the_exact_figures(world: World) -> None:
    """Given £10,000 with £7,500.50 allocated, When £2,500.00 more is allocated, Then it
    is refused: it would take the stream to £10,000.50, £0.50 more than it holds, with
    £2,499.50 left; nothing is written."""
    stream = _stream(world)
    funding.allocate(None, stream=stream, initiative=make_initiative(world.district, "A"),
                     amount=D("7500.50"))  # fmt: skip
    second = make_initiative(world.district, "B")
    with pytest.raises(ValidationError) as exc:
        funding.allocate(None, stream=stream, initiative=second, amount=D("2500.00"))
    assert exc.value.messages == [
        "Allocating £2,500.00 would take OPCC 2014/15 to £10,000.50, more than the "
        "£10,000.00 it holds (£2,499.50 left)"
    ]
    assert not Allocation.objects.filter(initiative=second).exists()
    exact = funding.allocate(None, stream=stream, initiative=second, amount=D("2499.50"))
    assert funding.summary(world.district, YEAR).rows[0].unallocated == D("0.00")
    assert exact.amount == D("2499.50")


def test_changing_an_allocation_is_checked_without_counting_itself(world: World) -> None:
    """Given £10,000 with £6,000 and £3,000 allocated, When the £3,000 becomes £4,000 it
    is accepted (exactly full), and when it becomes £4,000.01 it is refused."""
    stream = _stream(world)
    funding.allocate(None, stream=stream, initiative=make_initiative(world.district, "A"),
                     amount=D("6000"))  # fmt: skip
    b = funding.allocate(None, stream=stream, initiative=make_initiative(world.district, "B"),
                         amount=D("3000"))  # fmt: skip
    funding.change_allocation(None, b, amount=D("4000"))
    with pytest.raises(ValidationError, match=r"£4,000\.01 would take .* to £10,000\.01"):
        funding.change_allocation(None, b, amount=D("4000.01"))
    assert Allocation.objects.get(pk=b.pk).amount == D("4000.00")


def test_fractions_of_a_penny_and_a_second_allocation_are_refused(world: World) -> None:
    stream = _stream(world)
    sparx = make_initiative(world.district)
    with pytest.raises(ValidationError, match="fractions of a penny"):
        funding.allocate(None, stream=stream, initiative=sparx, amount=D("10.005"))
    funding.allocate(None, stream=stream, initiative=sparx, amount=D("10"))
    with pytest.raises(ValidationError, match="already has an allocation"):
        funding.allocate(None, stream=stream, initiative=sparx, amount=D("10"))


def test_a_stream_cannot_shrink_below_what_is_allocated(world: World) -> None:
    stream = _stream(world)
    funding.allocate(None, stream=stream, initiative=make_initiative(world.district),
                     amount=D("5000"))  # fmt: skip
    with pytest.raises(ValidationError, match=r"£5,000\.00 allocated"):
        funding.update_stream(None, stream, amount=D("4999.99"))
    assert funding.update_stream(None, stream, amount=D("5000")).amount == D("5000.00")


def test_two_allocations_in_turn_cannot_both_take_the_last_pounds(world: World) -> None:
    """Given £1,000 and two initiatives each asking for £600, When both are allocated
    one after the other, Then exactly one succeeds."""
    stream = _stream(world, amount="1000")
    outcomes = []
    for name in ("A", "B"):
        try:
            funding.allocate(None, stream=stream, initiative=make_initiative(world.district, name),
                             amount=D("600"))  # fmt: skip
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
    assert sorted(outcomes) == ["ok", "refused"]
    assert funding.summary(world.district, YEAR).totals.allocated == D("600.00")


@pytest.mark.django_db(transaction=True)
def test_two_allocations_racing_on_postgresql_are_serialised(world: World) -> None:
    """Given £1,000 on PostgreSQL, When two threads allocate £600 at the same moment,
    Then the stream row lock lets one through and refuses the other."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers itself)")
    stream = _stream(world, amount="1000")
    initiatives = [make_initiative(world.district, n) for n in ("A", "B")]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run(i: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            funding.allocate(None, stream=stream, initiative=initiatives[i], amount=D("600"))
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert Allocation.objects.filter(stream=stream).count() == 1


def test_a_return_goes_overdue_the_day_after_its_due_date(world: World) -> None:
    """Given Q1's return due 28 July 2014, Then on 28 July it is due (not overdue), on
    29 July it is overdue, and once submitted it is not overdue."""
    allocation = funding.allocate(
        None, stream=_stream(world), initiative=make_initiative(world.district), amount=D("100")
    )
    q1 = allocation.returns.get(quarter=1)
    due, after = datetime.date(2014, 7, 28), datetime.date(2014, 7, 29)
    assert q1.due_on == due
    assert not q1.is_overdue(due) and q1.is_overdue(after)
    on_the_day = funding.summary(world.district, YEAR, today=due).rows[0]
    day_after = funding.summary(world.district, YEAR, today=after).rows[0]
    assert (on_the_day.returns_due, on_the_day.returns_overdue) == (4, 0)
    assert (day_after.returns_due, day_after.returns_overdue) == (3, 1)
    assert [r.pk for r in funding.monitoring(world.district, YEAR, after).overdue] == [q1.pk]
    funding.submit_return(None, q1, spend=D("40.10"), rag=Rag.GREEN,
                          submitted_on=datetime.date(2014, 8, 2))  # fmt: skip
    later = funding.summary(world.district, YEAR, today=after).rows[0]
    assert (later.returns_overdue, later.returns_submitted, later.spent) == (0, 1, D("40.10"))


def test_submitting_and_correcting_a_return_records_who_and_when(
    world: World, alice: Person
) -> None:
    allocation = funding.allocate(
        None, stream=_stream(world), initiative=make_initiative(world.district), amount=D("100")
    )
    q2 = allocation.returns.get(quarter=2)
    with pytest.raises(ValidationError, match=r"£0\.00 or more"):
        funding.submit_return(alice.user, q2, spend=D("-1"), rag=Rag.GREEN)
    with pytest.raises(ValidationError, match="has not been submitted"):
        funding.correct_return(alice.user, q2, spend=D("1"), rag=Rag.GREEN)
    funding.submit_return(alice.user, q2, spend=D("20"), rag=Rag.AMBER, narrative="Slow start",
                          submitted_on=datetime.date(2014, 10, 20))  # fmt: skip
    funding.correct_return(alice.user, q2, spend=D("25.50"), rag=Rag.GREEN,
                           submitted_on=datetime.date(2014, 10, 21))  # fmt: skip
    stored = QuarterlyReturn.objects.get(pk=q2.pk)
    assert (stored.spend, stored.rag, stored.submitted_by) == (D("25.50"), Rag.GREEN, alice.user)
    assert stored.submitted_on == datetime.date(2014, 10, 21)
    verbs = set(ActivityEvent.objects.filter(object_id=str(q2.pk)).values_list("verb", flat=True))
    assert {"submitted", "corrected"} <= verbs


def test_an_allocation_with_submitted_returns_cannot_be_removed(world: World) -> None:
    stream = _stream(world)
    a = funding.allocate(None, stream=stream, initiative=make_initiative(world.district, "A"),
                         amount=D("100"))  # fmt: skip
    b = funding.allocate(None, stream=stream, initiative=make_initiative(world.district, "B"),
                         amount=D("100"))  # fmt: skip
    funding.submit_return(None, a.returns.get(quarter=1), spend=D("1"), rag=Rag.RED)
    with pytest.raises(ValidationError, match=r"1 submitted return .* cannot be removed"):
        funding.remove_allocation(None, a)
    funding.remove_allocation(None, b)
    assert not Allocation.objects.filter(pk=b.pk).exists()
    assert not QuarterlyReturn.objects.filter(allocation_id=b.pk).exists()


def test_the_summary_reconciles_with_the_rows_it_sums(world: World) -> None:
    """Given three streams like West Lancashire's (£10,000 + £6,000 + £3,750) with
    allocations and two submitted returns, Then each row and the totals are the exact
    sums of the stored pence."""
    opcc, council, fire = (_stream(world, f, a) for f, a in
                           (("OPCC", "10000"), ("Council", "6000"), ("Fire", "3750")))  # fmt: skip
    sparx, divert = make_initiative(world.district, "Sparx"), make_initiative(world.district, "D")
    a1 = funding.allocate(None, stream=opcc, initiative=sparx, amount=D("4000.33"))
    funding.allocate(None, stream=opcc, initiative=divert, amount=D("5999.67"))
    funding.allocate(None, stream=fire, initiative=sparx, amount=D("0.01"))
    funding.submit_return(None, a1.returns.get(quarter=1), spend=D("0.10"), rag=Rag.GREEN)
    funding.submit_return(None, a1.returns.get(quarter=2), spend=D("0.20"), rag=Rag.GREEN)
    s = funding.summary(world.district, YEAR, today=datetime.date(2014, 11, 1))
    by_funder = {r.funder: r for r in s.rows}
    assert by_funder["OPCC"].allocated == D("10000.00")
    assert by_funder["OPCC"].spent == D("0.30")
    assert by_funder["Council"].allocated == D("0.00") and council.pk == by_funder["Council"].pk
    assert [a.initiative for a in by_funder["OPCC"].allocations] == ["D", "Sparx"]
    assert s.totals.amount == D("19750.00")
    assert s.totals.allocated == D("10000.01")
    assert s.totals.unallocated == D("9749.99")
    assert s.totals.returns_overdue == sum(r.returns_overdue for r in s.rows) == 4
    data = s.as_json()
    assert data["totals"]["amount"] == "19750.00"
    assert data["streams"][0]["amount"] in {"6000.00", "3750.00", "10000.00"}


MONEY = st.integers(min_value=1, max_value=99_999_999).map(lambda p: D(p) / 100)


@hsettings(max_examples=15, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    streams=st.lists(
        st.tuples(MONEY, st.lists(st.tuples(MONEY, st.one_of(st.none(), MONEY)), max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_totals_reconcile_for_any_amounts(
    world: World, streams: list[tuple[Decimal, list[tuple[Decimal, Decimal | None]]]]
) -> None:
    """For any streams, allocations (each accepted only while the stream has room) and
    submitted spend, the summary's rows equal the stored pence and its totals equal the
    sums of its rows, exactly."""
    QuarterlyReturn.objects.all().delete()
    Allocation.objects.all().delete()
    FundingStream.objects.all().delete()
    Initiative.objects.all().delete()
    expected: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
    n = 0
    for i, (amount, allocations) in enumerate(streams):
        stream = _stream(world, f"Funder {i}", str(amount))
        allocated = spent = D("0")
        for alloc_amount, spend in allocations:
            n += 1
            initiative = make_initiative(world.district, f"I{n}")
            try:
                a = funding.allocate(None, stream=stream, initiative=initiative,
                                     amount=alloc_amount)  # fmt: skip
            except ValidationError:
                assert allocated + alloc_amount > amount
                continue
            allocated += alloc_amount
            if spend is not None:
                funding.submit_return(None, a.returns.get(quarter=1), spend=spend, rag=Rag.GREEN)
                spent += spend
        expected[stream.funder] = (amount, allocated, spent)
    s = funding.summary(world.district, YEAR)
    assert {r.funder: (r.amount, r.allocated, r.spent) for r in s.rows} == expected
    assert s.totals.amount == sum((e[0] for e in expected.values()), D("0"))
    assert s.totals.allocated == sum((e[1] for e in expected.values()), D("0"))
    assert s.totals.spent == sum((e[2] for e in expected.values()), D("0"))
    assert s.totals.unallocated == s.totals.amount - s.totals.allocated
    assert all(r.unallocated >= 0 for r in s.rows)


def test_the_summary_and_monitoring_take_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    """Given 5 streams with 2 allocations each, Then the summary and the monitoring page's
    figures each take at most 4 queries (no query per stream or return)."""
    for i in range(5):
        stream = _stream(world, f"F{i}", "1000")
        for j in range(2):
            funding.allocate(None, stream=stream,
                             initiative=make_initiative(world.district, f"I{i}{j}"),
                             amount=D("10"))  # fmt: skip
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        s = funding.summary(world.district, YEAR, today=datetime.date(2015, 6, 1))
    assert s.totals.returns_overdue == 40
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        m = funding.monitoring(world.district, YEAR, datetime.date(2015, 6, 1), limit=10)
    assert m.counts["overdue"] == 40 and len(m.overdue) == 10


def test_monitoring_by_group_and_status(world: World) -> None:
    """Given one stream the LPG monitors and one it does not, Then the LPG's monitoring
    holds only the first's returns; due soon is within 14 days."""
    mine = _stream(world, "OPCC")
    other = funding.create_stream(None, place=world.district, funder="Other", year=YEAR,
                                  amount=D("10"))  # fmt: skip
    funding.allocate(None, stream=mine, initiative=make_initiative(world.district, "A"),
                     amount=D("1"))  # fmt: skip
    funding.allocate(None, stream=other, initiative=make_initiative(world.district, "B"),
                     amount=D("1"))  # fmt: skip
    day = datetime.date(2014, 7, 20)  # Q1 due 28 July: 8 days away
    lpg = funding.monitoring(world.district, YEAR, day, group=world.lpg)
    everyone = funding.monitoring(world.district, YEAR, day)
    assert [r.initiative for r in lpg.due_soon] == ["A"]
    assert sorted(r.initiative for r in everyone.due_soon) == ["A", "B"]
    assert lpg.counts == {"overdue": 0, "due_soon": 1, "due_later": 3, "submitted": 0}


def test_years_parse_strictly() -> None:
    assert funding.parse_year("2014/15") == 2014
    assert funding.parse_year("2014/2015") == 2014
    for bad in ("2014", "2014/16", "soon", "2014-10"):
        with pytest.raises(funding.FundingYearError, match="not a financial year"):
            funding.parse_year(bad)
    assert funding.year_of(datetime.date(2015, 3, 31)) == 2014
    assert funding.year_of(datetime.date(2015, 4, 1)) == 2015
