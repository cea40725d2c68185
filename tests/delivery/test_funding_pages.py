"""Funding pages: the year's summary, monitoring (for a place and for the Local
Priorities Group), a stream, an initiative's funding fragment, and the forms."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from saferplaces.delivery import funding
from saferplaces.delivery.models import Allocation, FundingStream, QuarterlyReturn, Rag
from saferplaces.partnership.models import Person
from saferplaces.partnership.models.people import PersonRole
from tests.delivery.evaluation_support import make_initiative
from tests.personas import World, client_for, make_person

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def viewer(world: World) -> Client:
    """An analyst: may read delivery, may not change it."""
    return client_for(make_person("vic", world.police, first_name="Vic",
                                  role=PersonRole.ANALYST))  # fmt: skip


@pytest.fixture
def stream(world: World) -> FundingStream:
    return funding.create_stream(None, place=world.district, funder="OPCC", year=2014,
                                 amount=D("10000"), accountable_to=world.lpg)  # fmt: skip


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_the_summary_page_shows_streams_totals_and_links(
    world: World, stream: FundingStream, viewer: Client
) -> None:
    """Given a £10,000 stream with £2,500.50 allocated to Bright Sparx, When an analyst
    opens the 2014/15 funding page, Then it shows the amount, the allocation, what is not
    allocated, the workbook and monitoring links and a Source line; no editing button."""
    sparx = make_initiative(world.district)
    funding.allocate(None, stream=stream, initiative=sparx, amount=D("2500.50"))
    response = viewer.get(reverse("delivery:funding", args=["testford"]), {"year": "2014/15"})
    assert response.status_code == 200
    text = _text(response.content)
    assert "Funding 2014/15" in text
    assert "£10,000.00" in text and "£2,500.50" in text and "£7,499.50" in text
    assert "Bright Sparx 2014 £2,500.50" in text
    assert reverse("funding_workbook", args=["testford", "2014-15"]) in response.content.decode()
    assert reverse("delivery:funding_monitoring", args=["testford"]) in response.content.decode()
    assert "Source:" in text
    assert "Record a funding stream" not in text


def test_a_bad_year_says_what_to_fix_and_sign_in_is_needed(
    world: World, stream: FundingStream, viewer: Client, client: Client
) -> None:
    url = reverse("delivery:funding", args=["testford"])
    bad = viewer.get(url, {"year": "2014/16"})
    assert bad.status_code == 400
    assert "not a financial year" in _text(bad.content)
    assert client.get(url).status_code == 302  # signed out: to the sign-in page


def test_an_editor_records_a_stream_and_allocates_it(world: World, alice: Person) -> None:
    """Given Alice (a community safety officer), When she records a £5,000 stream and
    allocates £6,000 of it, Then the allocation is refused with the exact figures; £5,000
    is accepted and the stream page shows four returns."""
    c = client_for(alice)
    sparx = make_initiative(world.district)
    r = c.post(reverse("delivery:stream_new", args=["testford"]),
               {"funder": "Council", "year": "2014/15", "amount": "5000.00",
                "accountable_to": world.lpg.pk})  # fmt: skip
    assert r.status_code == 302
    stream = FundingStream.objects.get(funder="Council")
    assert stream.amount == D("5000.00") and stream.year == 2014
    url = reverse("delivery:allocation_new", args=[stream.pk])
    refused = c.post(url, {"initiative": sparx.pk, "amount": "6000"})
    assert refused.status_code == 400
    assert "Allocating £6,000.00 would take Council 2014/15 to £6,000.00, more than the " \
        "£5,000.00 it holds (£5,000.00 left)" in _text(refused.content)  # fmt: skip
    assert c.post(url, {"initiative": sparx.pk, "amount": "5000"}).status_code == 302
    page = c.get(reverse("delivery:stream", args=[stream.pk]))
    assert _text(page.content).count("Not yet due") + _text(page.content).count("Overdue") >= 4
    assert Allocation.objects.get(stream=stream).returns.count() == 4


def test_forms_are_404_for_someone_who_may_not_edit(
    world: World, stream: FundingStream, viewer: Client
) -> None:
    allocation = funding.allocate(None, stream=stream, initiative=make_initiative(world.district),
                                  amount=D("1"))  # fmt: skip
    ret = allocation.returns.get(quarter=1)
    for url in (
        reverse("delivery:stream_new", args=["testford"]),
        reverse("delivery:stream_edit", args=[stream.pk]),
        reverse("delivery:allocation_new", args=[stream.pk]),
        reverse("delivery:allocation_edit", args=[allocation.pk]),
        reverse("delivery:return_submit", args=[ret.pk]),
    ):
        assert viewer.get(url).status_code == 404, url
    assert (
        viewer.post(reverse("delivery:allocation_remove", args=[allocation.pk])).status_code == 404
    )
    assert viewer.get(reverse("delivery:stream", args=[stream.pk])).status_code == 200


def test_submitting_a_return_through_the_form(
    world: World, stream: FundingStream, alice: Person
) -> None:
    allocation = funding.allocate(None, stream=stream, initiative=make_initiative(world.district),
                                  amount=D("100"))  # fmt: skip
    ret = allocation.returns.get(quarter=2)
    c = client_for(alice)
    url = reverse("delivery:return_submit", args=[ret.pk])
    bad = c.post(url, {"spend": "-5", "rag": "green", "submitted_on": "2014-10-20"})
    assert bad.status_code == 400 and "£0.00 or more" in _text(bad.content)
    ok = c.post(url, {"spend": "12.34", "rag": "amber", "narrative": "On track",
                      "submitted_on": "2014-10-20"})  # fmt: skip
    assert ok.status_code == 302
    stored = QuarterlyReturn.objects.get(pk=ret.pk)
    assert (stored.spend, stored.rag, stored.submitted_by) == (D("12.34"), Rag.AMBER, alice.user)


def test_removing_an_allocation_with_submitted_returns_is_refused_on_the_page(
    world: World, stream: FundingStream, alice: Person
) -> None:
    allocation = funding.allocate(None, stream=stream, initiative=make_initiative(world.district),
                                  amount=D("100"))  # fmt: skip
    funding.submit_return(None, allocation.returns.get(quarter=1), spend=D("1"), rag=Rag.GREEN)
    r = client_for(alice).post(reverse("delivery:allocation_remove", args=[allocation.pk]))
    assert r.status_code == 400
    assert "cannot be removed" in _text(r.content)
    assert Allocation.objects.filter(pk=allocation.pk).exists()


def test_monitoring_for_the_place_and_for_the_lpg(
    world: World, stream: FundingStream, viewer: Client
) -> None:
    """Given one stream the LPG monitors and one it does not, each with an allocation,
    Then the place's monitoring page lists both initiatives and the LPG's only its own;
    the 2014/15 returns are overdue today (years later)."""
    other = funding.create_stream(None, place=world.district, funder="Other", year=2014,
                                  amount=D("10"))  # fmt: skip
    funding.allocate(None, stream=stream, initiative=make_initiative(world.district, "Mine"),
                     amount=D("1"))  # fmt: skip
    funding.allocate(None, stream=other, initiative=make_initiative(world.district, "Theirs"),
                     amount=D("1"))  # fmt: skip
    place_page = viewer.get(reverse("delivery:funding_monitoring", args=["testford"]),
                            {"year": "2014/15"})  # fmt: skip
    assert place_page.status_code == 200
    text = _text(place_page.content)
    assert "Mine" in text and "Theirs" in text and "Overdue (8)" in text
    lpg = viewer.get(reverse("delivery:group_funding", args=[world.lpg.slug]), {"year": "2014/15"})
    text = _text(lpg.content)
    assert "Mine" in text and "Theirs" not in text and "Overdue (4)" in text
    same = viewer.get(reverse("delivery:funding_monitoring", args=["testford"]),
                      {"year": "2014/15", "group": world.lpg.slug})  # fmt: skip
    assert "Theirs" not in _text(same.content)


def test_the_initiative_fragment_and_page(
    world: World, stream: FundingStream, alice: Person, viewer: Client
) -> None:
    """Given Bright Sparx with £250 from the OPCC, Then its funding is an htmx fragment
    (no page around it) with the HX-Request header and a full page without; an editor sees
    links to submit each return, a viewer does not."""
    sparx = make_initiative(world.district)
    allocation = funding.allocate(None, stream=stream, initiative=sparx, amount=D("250"))
    funding.submit_return(None, allocation.returns.get(quarter=1), spend=D("50"), rag=Rag.GREEN,
                          submitted_on=datetime.date(2014, 7, 20))  # fmt: skip
    url = reverse("delivery:initiative_funding", args=[sparx.slug])
    fragment = client_for(alice).get(url, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html and 'id="initiative-funding"' in html
    assert "£250.00 from" in _text(fragment.content) and "£50.00" in html
    assert html.count(reverse("delivery:return_submit", args=[0])[:-2]) == 4
    page = viewer.get(url)
    assert "<html" in page.content.decode()
    assert "Overdue" in _text(page.content)
    assert "/funding/returns/" not in page.content.decode()
