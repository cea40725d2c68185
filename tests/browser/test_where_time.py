"""In a real browser: Nights of the year draws its two charts and Near repeats shows
its Knox table, for Tower Hamlets from the London Fire Brigade files, and axe finds no
serious or critical WCAG violation on either page (nor on the form's error state)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from saferplaces.evidence.services import import_files
from saferplaces.insight.imports import shipped_mapping
from saferplaces.partnership.geography import load_geography
from saferplaces.partnership.models import Place
from tests.browser import axe
from tests.browser.signin import two_factor_if_asked
from tests.conftest import SHARED_DATA
from tests.places import SAMPLES

FIRE = SHARED_DATA / "fire"
EVENTS = FIRE / "lfb_fire_incidents_event_periods_2009_2024.csv.gz"
DWELLINGS = FIRE / "lfb_dwelling_fires_2009_2024.csv.gz"
PASSWORD = "x-password-where-1"


def _sign_in(page: Any, live_server: Any, url: str) -> None:
    get_user_model().objects.create_user("where-officer", password=PASSWORD)
    page.goto(url)
    assert "/sign-in/" in page.url
    page.fill("#id_username", "where-officer")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, "where-officer")


def _screenshot(page: Any, name: str) -> None:
    """With SAFERPLACES_SCREENSHOTS set (a file path), save the page beside that file."""
    if os.environ.get("SAFERPLACES_SCREENSHOTS"):
        where = Path(os.environ["SAFERPLACES_SCREENSHOTS"])
        page.screenshot(path=str(where.with_name(f"{where.stem}-{name}.png")), full_page=True)


def _no_violations(page: Any, what: str) -> None:
    found = axe.violations(page)
    assert not found, axe.describe(what, found)


@pytest.mark.shared_data
@pytest.mark.skipif(not FIRE.is_dir(), reason=f"{FIRE} is absent")
@pytest.mark.django_db(transaction=True)
def test_seasons_charts_draw_and_the_knox_table_shows(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given London's fires, When the officer opens Tower Hamlets' Nights of the year,
    Then both charts are drawn by vega-embed and the page passes axe; When they open Near
    repeats for dwelling fires in 2019, Then the Knox table shows its 7 × 4 cells and the
    page passes axe; a window that is not one gives the error summary, which passes axe."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_geography(force_areas=["E23000001"])
    import_files("incidents", [EVENTS], mapping=shipped_mapping("lfb_fire_event_periods"))
    import_files("incidents", [DWELLINGS], mapping=shipped_mapping("lfb_dwelling_fires"))
    slug = Place.objects.get(lad_code="E09000030").slug
    axe.install(page, live_server.url)
    seasons = f"{live_server.url}/places/{slug}/seasons/"
    _sign_in(page, live_server, seasons)
    page.wait_for_url(f"**/places/{slug}/seasons/")
    page.wait_for_selector("#season-years.sp-chart__canvas--drawn svg")
    page.wait_for_selector("#season-nights.sp-chart__canvas--drawn svg")
    assert page.locator(".sp-chart__canvas--drawn").count() == 2
    assert "Bonfire period, year by year" in page.locator("#season-years-alt").inner_text()
    _screenshot(page, "seasons")
    _no_violations(page, "seasons")

    # a year the data does not wholly hold: marked in the chart, no bar
    page.goto(f"{seasons}?dates=08-25..09-05")
    page.wait_for_selector("#season-years.sp-chart__canvas--drawn svg")
    assert "incomplete" in page.locator("#season-years svg").inner_html()
    _screenshot(page, "seasons-incomplete")

    page.fill("#id_dates", "11-31")
    page.get_by_role("button", name="Show the window").click()
    assert "11-31 is not a day of the year" in page.locator(".govuk-error-summary").inner_text()
    _no_violations(page, "seasons, a window that is not one")

    page.goto(
        f"{live_server.url}/places/{slug}/near-repeats/?category=dwelling-fire"
        "&first=2019-01-01&last=2019-12-31"
    )
    table = page.get_by_role("table", name="Pairs of dwelling fires")
    assert table.is_visible()
    assert page.locator("#knox-table td.sp-knox__cell").count() == 28
    assert page.get_by_role("columnheader", name="0–7 days").is_visible()
    _screenshot(page, "near-repeats")
    _no_violations(page, "near repeats")

    # police.uk months: the month-level explanation, a month window drawn, the refusal
    load_geography(force_areas=["E23000003"])
    import_files("police-uk", sorted(SAMPLES.glob("2013-1[01]-*.csv.gz")))
    page.goto(f"{live_server.url}/places/west-lancashire/seasons/")
    assert "Months only, not nights" in page.locator("[data-month-level]").inner_text()
    _no_violations(page, "seasons, police.uk months")
    page.get_by_role("link", name="October-November (whole months, October to November)").click()
    page.wait_for_selector("#season-years.sp-chart__canvas--drawn svg")
    _screenshot(page, "seasons-months")
    _no_violations(page, "seasons, a month window of police.uk months")
    page.goto(f"{live_server.url}/places/west-lancashire/near-repeats/")
    assert "records only the month of each crime" in page.locator("[data-refusal]").inner_text()
    _no_violations(page, "near repeats, police.uk refused")
