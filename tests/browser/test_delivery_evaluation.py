"""Outputs, headlines and evaluation in a real browser: a community safety officer records
an output through the htmx form (the totals update in place), reads the year's headlines
and Bright Sparx's evaluation on West Lancashire's sample (Mischief Night refused on
police.uk, the value case's arithmetic); every page passes axe."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from saferplaces.delivery.models import (
    EvaluationMeasure,
    EvaluationWindow,
    Output,
    UnitCost,
    ValueCase,
)
from saferplaces.partnership.demo.loader import demo_places
from saferplaces.partnership.models import Organisation, Place
from tests.browser import axe
from tests.delivery.evaluation_support import make_initiative
from tests.personas import make_person
from tests.places import SAMPLES


def _check(page: Any, what: str, found: list[str]) -> None:
    problem = axe.describe(what, axe.violations(page))
    if problem:
        found.append(problem)


@pytest.mark.django_db(transaction=True)
def test_officer_records_an_output_and_reads_the_evaluation(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given West Lancashire's sample and Bright Sparx with two measures and a value case,
    When the officer records 150 tons through the form, Then the outputs update in place
    without a page load and the headlines say 150 tons removed; the evaluation shows the
    verdicts and the arithmetic; and each page passes axe."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_places()
    call_command("import", "police-uk", str(SAMPLES), "--no-progress", stdout=io.StringIO())
    place = Place.objects.get(slug="west-lancashire")
    sparx = make_initiative(place)
    for i, w in enumerate((EvaluationWindow.OCTOBER_NOVEMBER, EvaluationWindow.MISCHIEF_NIGHT)):
        EvaluationMeasure.objects.create(initiative=sparx, indicator_key="anti-social-behaviour",
                                         window=w, years=3, order=i)  # fmt: skip
    cost = UnitCost.objects.create(name="Fire call-out", unit="call-out", amount=Decimal(515),
                                   source="Lancashire Fire and Rescue")  # fmt: skip
    ValueCase.objects.create(initiative=sparx, unit_cost=cost, baseline_per_period=Decimal(30))
    org = Organisation.objects.create(name="West Lancashire Borough Council", slug="wlbc")
    officer = make_person("olive", org, first_name="Olive")
    client = Client()
    client.force_login(officer.user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])  # fmt: skip
    axe.install(page, live_server.url)
    found: list[str] = []

    page.goto(f"{live_server.url}/initiatives/{sparx.slug}/outputs/")
    _check(page, "outputs", found)
    page.get_by_label("tons removed").check()
    page.fill("#id_quantity", "150")
    page.fill("#id_on", "2014-11-01")
    page.select_option("#id_strand", label="Community Action and Engagement Days")
    page.evaluate("window.__noReload = true")
    page.get_by_role("button", name="Record the output").click()
    page.get_by_test_id("output-totals").get_by_text("150 tons removed").wait_for()
    assert page.evaluate("window.__noReload === true"), "the page reloaded: htmx did not swap"
    assert Output.objects.get().quantity == Decimal(150)
    _check(page, "outputs after recording", found)

    page.goto(f"{live_server.url}/places/west-lancashire/headlines/?year=2014/15")
    assert "150 tons removed" in page.get_by_test_id("headlines").inner_text()
    _check(page, "headlines", found)

    page.goto(f"{live_server.url}/initiatives/{sparx.slug}/evaluation/")
    verdicts = page.get_by_test_id("verdict").all_inner_texts()
    assert len(verdicts) == 2 and "police.uk records only the month" in verdicts[1]
    assert "30 call-outs a night × £515 = £15,450 a night" in page.content()
    _check(page, "evaluation", found)
    assert not found, "\n".join(found)
