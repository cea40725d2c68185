"""Pages of outputs, headlines and evaluation: who sees what, the forms, htmx fragments."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from saferplaces.delivery.evaluation import MONTH_ONLY
from saferplaces.delivery.models import (
    EvaluationMeasure,
    EvaluationWindow,
    Initiative,
    Output,
    OutputKind,
    UnitCost,
    ValueCase,
)
from saferplaces.delivery.outputs import record_output
from saferplaces.evidence.scope import scope_for
from saferplaces.evidence.store import incident_store
from saferplaces.insight.indicators import indicator_by_slug
from saferplaces.insight.seasons import BONFIRE_MONTHS, window_counts
from saferplaces.partnership.models import Organisation, Place
from saferplaces.partnership.models.people import PersonRole
from tests.delivery.evaluation_support import delivery_sample_store, make_initiative
from tests.personas import World, client_for, make_person

__all__ = ["delivery_sample_store"]
pytestmark = pytest.mark.django_db
D = Decimal
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def sparx(world: World) -> Initiative:
    return make_initiative(world.district)


@pytest.fixture
def viewer(world: World) -> Client:
    """Ana, an analyst: a member of the partnership who may read but not change delivery."""
    return client_for(make_person("ana", world.council, first_name="Ana", role=PersonRole.ANALYST))


def _outputs_url(i: Initiative) -> str:
    return f"/initiatives/{i.slug}/outputs/"


def test_outputs_are_listed_per_strand_and_only_editors_get_the_form(
    sparx: Initiative, viewer: Client, alice_client: Client
) -> None:
    """Given 150 tons on the engagement days and approximately 500 attendees at Go4IT,
    When an analyst opens the outputs page, Then both strands show with totals and no
    form; When Alice (a community safety officer) opens it, Then she has the form."""
    days, go4it = sparx.strands.order_by("order")
    record_output(None, initiative=sparx, strand=days, kind=OutputKind.TONS_REMOVED,
                  quantity=D(150), on=datetime.date(2014, 11, 1))  # fmt: skip
    record_output(None, initiative=sparx, strand=go4it, kind=OutputKind.ATTENDEES,
                  quantity=D(500), on=datetime.date(2014, 10, 30), approximate=True)  # fmt: skip
    html = viewer.get(_outputs_url(sparx)).content.decode()
    assert "Community Action and Engagement Days" in html and "The Go4IT event" in html
    assert "150 tons removed" in html and "approximately 500 attendees" in html
    assert "Record an output" not in html and "Source:" in html
    assert "Record an output" in alice_client.get(_outputs_url(sparx)).content.decode()


def test_htmx_gets_the_fragment_and_strangers_get_nothing(
    sparx: Initiative, viewer: Client, world: World
) -> None:
    """Given the outputs page, When htmx asks, Then only the fragment comes back; When a
    signed-in user with no partnership profile asks, Then 404; signed out, the sign-in."""
    frag = viewer.get(_outputs_url(sparx), **HX).content.decode()  # type: ignore[arg-type]
    assert 'id="initiative-outputs"' in frag and "<html" not in frag
    stranger = Client()
    stranger.force_login(get_user_model().objects.create_user("stranger", password="x-pass-1"))
    assert stranger.get(_outputs_url(sparx)).status_code == 404
    assert Client().get(_outputs_url(sparx)).status_code == 302


def test_recording_an_output_with_and_without_htmx(
    sparx: Initiative, alice_client: Client, viewer: Client
) -> None:
    """Given Alice, When she records 6 engagement days, Then she is sent back to the
    outputs; with htmx the fragment comes back with the new total; a negative quantity is
    refused with a message; an analyst's post is 404 and records nothing."""
    url = f"/initiatives/{sparx.slug}/outputs/new/"
    data = {"kind": OutputKind.ENGAGEMENT_DAYS, "quantity": "6", "on": "2014-11-01",
            "strand": str(sparx.strands.get(order=0).pk)}  # fmt: skip
    r = alice_client.post(url, data)
    assert r.status_code == 302 and r["Location"] == _outputs_url(sparx)
    r = alice_client.post(url, {**data, "quantity": "9"}, **HX)  # type: ignore[arg-type]
    assert r.status_code == 200 and "15 engagement days" in r.content.decode()
    bad = alice_client.post(url, {**data, "quantity": "-1"})
    assert bad.status_code == 400 and "Enter how many as 0 or more" in bad.content.decode()
    far = alice_client.post(url, {**data, "on": "2016-01-01"})
    assert far.status_code == 400 and "The date must be between" in far.content.decode()
    assert viewer.post(url, data).status_code == 404
    assert sorted(Output.objects.values_list("quantity", flat=True)) == [D(6), D(9)]
    out = Output.objects.get(quantity=9)
    r = alice_client.post(f"/initiatives/{sparx.slug}/outputs/{out.pk}/remove/")
    assert r.status_code == 302 and not Output.objects.filter(pk=out.pk).exists()


def test_the_headlines_page(sparx: Initiative, viewer: Client, world: World) -> None:
    """Given outputs in 2014/15, When the headlines page is asked for 2014/15, Then the
    sentences and the per-initiative table show; an impossible year is a 400 saying so;
    a year with nothing says so rather than showing zeros."""
    record_output(None, initiative=sparx, kind=OutputKind.TONS_REMOVED, quantity=D(150),
                  on=datetime.date(2014, 11, 1))  # fmt: skip
    url = f"/places/{world.district.slug}/headlines/"
    html = viewer.get(url, {"year": "2014/15"}).content.decode()
    assert "Headlines 2014/15" in html and "150 tons removed" in html and sparx.name in html
    assert "Source:" in html
    bad = viewer.get(url, {"year": "2014/16"})
    assert bad.status_code == 400 and "is not a financial year" in bad.content.decode()
    empty = viewer.get(url, {"year": "2016/17"}).content.decode()
    assert "No outputs are recorded" in empty and "0 tons" not in empty
    assert "Headlines 2014/15" in viewer.get(url).content.decode()


@pytest.fixture
def west_lancs_sparx(settings: Any, delivery_sample_store: Path, demo: Place) -> Initiative:
    settings.INCIDENT_STORE_DIR = delivery_sample_store
    cache.clear()
    s = make_initiative(Place.objects.get(slug="west-lancashire"))
    EvaluationMeasure.objects.create(initiative=s, indicator_key="anti-social-behaviour",
                                     window=EvaluationWindow.OCTOBER_NOVEMBER, years=3)  # fmt: skip
    EvaluationMeasure.objects.create(initiative=s, indicator_key="anti-social-behaviour",
                                     window=EvaluationWindow.MISCHIEF_NIGHT, order=1)  # fmt: skip
    cost = UnitCost.objects.create(name="Fire call-out", unit="call-out", amount=D(515),
                                   source="Lancashire Fire and Rescue")  # fmt: skip
    ValueCase.objects.create(initiative=s, unit_cost=cost, baseline_per_period=D(30))
    return s


@pytest.fixture
def officer(fast_passwords: None, db: None) -> Client:
    org = Organisation.objects.create(name="West Lancashire Borough Council", slug="wlbc")
    return client_for(make_person("olive", org, first_name="Olive"))


def test_the_evaluation_page_on_the_sample(west_lancs_sparx: Initiative, officer: Client) -> None:
    """Given Bright Sparx on the sample with ASB October–November and Mischief Night and
    a value case, When the evaluation page is opened, Then the years show the insight
    engine's counts and "no data" for 2012, Mischief Night is refused, the arithmetic and
    "Up to £15,450 a night" show, and the source is named; htmx gets the fragment."""
    url = f"/initiatives/{west_lancs_sparx.slug}/evaluation/"
    html = officer.get(url).content.decode()
    direct = window_counts(incident_store(), BONFIRE_MONTHS, years=[2013, 2014],
                           indicator=indicator_by_slug("anti-social-behaviour"),
                           districts=scope_for(west_lancs_sparx.place).districts)  # fmt: skip
    for r in direct:
        assert f"{r.count:,}" in html
    assert "no data" in html and MONTH_ONLY[0].upper() + MONTH_ONLY[1:] in html
    assert "30 call-outs a night × £515 = £15,450 a night" in html
    assert "Up to £15,450 a night" in html and "Source: police.uk" in html
    frag = officer.get(url, **HX).content.decode()  # type: ignore[arg-type]
    assert 'id="initiative-evaluation"' in frag and "<html" not in frag


def test_editors_add_a_measure_and_a_value_case_with_a_new_unit_cost(
    sparx: Initiative, alice_client: Client, viewer: Client
) -> None:
    """Given Alice, When she adds ASB in October–November over 10 years and a value case
    of 30 call-outs a night at a new £515 unit cost, Then both are stored and the page
    says there is no data for Testford rather than counting zeros; a value case with no
    unit cost is refused naming what is missing; an analyst gets 404 for the forms."""
    base = f"/initiatives/{sparx.slug}/evaluation/"
    measure = {"indicator_key": "anti-social-behaviour", "window": "october-november",
               "years": "10"}  # fmt: skip
    r = alice_client.post(base + "measures/new/", measure)
    assert r.status_code == 302
    assert sparx.evaluation_measures.get().window == EvaluationWindow.OCTOBER_NOVEMBER
    again = alice_client.post(base + "measures/new/", measure)
    assert again.status_code == 400 and "already evaluated" in again.content.decode()
    case = {"baseline_per_period": "30", "period": "night", "periods": "1", "cost_name":
            "Fire call-out", "cost_unit": "call-out", "cost_amount": "515.00",
            "cost_source": "LFRS 2014"}  # fmt: skip
    assert alice_client.post(base + "value-cases/new/", case).status_code == 302
    assert UnitCost.objects.get().place == sparx.place
    assert ValueCase.objects.get().baseline_per_period == D(30)
    missing = alice_client.post(base + "value-cases/new/", {**case, "cost_amount": ""})
    assert missing.status_code == 400
    assert "Enter the new unit cost&#x27;s amount" in missing.content.decode()
    page = alice_client.get(base).content.decode()
    assert "no data" in page and "15,450" in page
    assert viewer.get(base + "measures/new/").status_code == 404
    assert viewer.get(base + "value-cases/new/").status_code == 404
