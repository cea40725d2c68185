"""Recording and removing outputs (saferplaces.delivery.outputs)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from saferplaces.delivery.models import Output, OutputKind
from saferplaces.delivery.outputs import (
    initiative_totals,
    outputs_by_strand,
    record_output,
    remove_output,
)
from saferplaces.partnership.models import ActivityEvent, Person
from tests.delivery.evaluation_support import make_initiative
from tests.personas import World

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2014, 10, 25)


def test_an_output_is_recorded_on_its_strand_with_an_event(world: World, alice: Person) -> None:
    """Given Bright Sparx and its engagement-days strand, When Alice records 150 tons
    removed, Then the output is stored with her as recorder and an activity event says
    what was recorded."""
    sparx = make_initiative(world.district)
    days = sparx.strands.get(order=0)
    out = record_output(alice.user, initiative=sparx, strand=days, kind=OutputKind.TONS_REMOVED,
                        quantity=D("150"), on=DAY)  # fmt: skip
    assert Output.objects.get(pk=out.pk).quantity == D("150.00")
    assert out.recorded_by == alice.user
    event = ActivityEvent.objects.get(verb="recorded", object_id=str(out.pk))
    assert "150 tons removed on 25 October 2014" in event.summary


def test_a_strand_of_another_initiative_is_refused(world: World) -> None:
    """Given two initiatives, When an output names the other's strand, Then it is refused
    and nothing is stored."""
    sparx = make_initiative(world.district)
    other = make_initiative(world.district, name="Freshers 2014", strands=("Welcome stall",))
    with pytest.raises(ValidationError, match="not a strand of Bright Sparx"):
        record_output(None, initiative=sparx, strand=other.strands.get(), quantity=D(1),
                      kind=OutputKind.EVENTS_HELD, on=DAY)  # fmt: skip
    assert not Output.objects.exists()


@pytest.mark.parametrize(
    ("quantity", "on", "field"),
    [
        (D("-1"), DAY, "quantity"),
        (D("1"), datetime.date(2014, 8, 1), "on"),
        (D("1"), datetime.date(2015, 3, 1), "on"),
    ],
)
def test_negative_quantities_and_far_dates_are_refused(
    world: World, quantity: Decimal, on: datetime.date, field: str
) -> None:
    """Given Bright Sparx (20 October to 9 November 2014), When an output is negative or
    dated far outside the operation, Then the field at fault is named."""
    sparx = make_initiative(world.district)
    with pytest.raises(ValidationError) as caught:
        record_output(None, initiative=sparx, kind=OutputKind.PARTICIPANTS, quantity=quantity,
                      on=on)  # fmt: skip
    assert field in caught.value.message_dict


def test_an_unknown_kind_is_refused(world: World) -> None:
    """Given an output kind that is not one of the typed measures, Then it is refused."""
    sparx = make_initiative(world.district)
    with pytest.raises(ValidationError) as caught:
        record_output(None, initiative=sparx, kind="smiles", quantity=D(1), on=DAY)
    assert "kind" in caught.value.message_dict


def test_removing_an_output_keeps_an_event(world: World, alice: Person) -> None:
    """Given a recorded output, When it is removed, Then it is gone and the log says what
    it was."""
    sparx = make_initiative(world.district)
    out = record_output(None, initiative=sparx, kind=OutputKind.ATTENDEES, quantity=D(500),
                        on=DAY, approximate=True)  # fmt: skip
    pk = out.pk
    remove_output(alice.user, out)
    assert not Output.objects.filter(pk=pk).exists()
    event = ActivityEvent.objects.get(verb="removed", object_id=str(pk))
    assert "approximately 500 attendees" in event.summary


def test_outputs_are_grouped_by_strand_with_totals(world: World) -> None:
    """Given outputs on two strands and one on none, When grouped, Then each strand has
    its own outputs and totals, the strandless ones come last, and the initiative's totals
    are the sums."""
    sparx = make_initiative(world.district)
    days, go4it = sparx.strands.order_by("order")
    for q in ("100", "50.5"):
        record_output(None, initiative=sparx, strand=days, kind=OutputKind.TONS_REMOVED,
                      quantity=D(q), on=DAY)  # fmt: skip
    record_output(None, initiative=sparx, strand=go4it, kind=OutputKind.ATTENDEES,
                  quantity=D(500), on=DAY, approximate=True)  # fmt: skip
    record_output(None, initiative=sparx, kind=OutputKind.PARTICIPANTS, quantity=D(200), on=DAY)
    groups = outputs_by_strand(sparx)
    assert [g[0] for g in groups] == [days, go4it, None]
    assert [(t.kind, t.quantity) for t in groups[0][2]] == [("tons_removed", D("150.5"))]
    assert groups[1][2][0].sentence == "approximately 500 attendees"
    assert [len(g[1]) for g in groups] == [2, 1, 1]
    totals = {t.kind: t.quantity for t in initiative_totals(sparx)}
    assert totals == {"tons_removed": D("150.5"), "attendees": D(500), "participants": D(200)}
