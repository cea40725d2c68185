"""In a real browser: Nights of the year draws its two charts and Near repeats shows
its Knox table, for Tower Hamlets from the London Fire Brigade files, and axe finds no
serious or critical WCAG violation on either page (nor on the form's error state)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import axe
from tests.where import (
    import_london_fires,
    import_west_lancashire_autumn_2013,
    make_officer,
    needs_fire,
    no_violations,
    screenshot,
    sign_in,
)


@pytest.mark.shared_data
@needs_fire
@pytest.mark.django_db(transaction=True)
def test_seasons_charts_draw_and_the_knox_table_shows(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given London's fires, When the officer opens Tower Hamlets' Nights of the year,
    Then both charts are drawn by vega-embed and the page passes axe; When they open Near
    repeats for dwelling fires in 2019, Then the Knox table shows its 7 × 4 cells and the
    page passes axe; a window that is not one gives the error summary, which passes axe."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    slug = import_london_fires().slug
    axe.install(page, live_server.url)
    seasons = f"{live_server.url}/places/{slug}/seasons/"
    make_officer()
    sign_in(page, seasons)
    page.wait_for_url(f"**/places/{slug}/seasons/")
    page.wait_for_selector("#season-years.sp-chart__canvas--drawn svg")
    page.wait_for_selector("#season-nights.sp-chart__canvas--drawn svg")
    assert page.locator(".sp-chart__canvas--drawn").count() == 2
    assert "Bonfire period, year by year" in page.locator("#season-years-alt").inner_text()
    screenshot(page, "seasons")
    no_violations(page, "seasons")

    # a year the data does not wholly hold: marked in the chart, no bar
    page.goto(f"{seasons}?dates=08-25..09-05")
    page.wait_for_selector("#season-years.sp-chart__canvas--drawn svg")
    assert "incomplete" in page.locator("#season-years svg").inner_html()
    screenshot(page, "seasons-incomplete")

    page.fill("#id_dates", "11-31")
    page.get_by_role("button", name="Show the window").click()
    assert "11-31 is not a day of the year" in page.locator(".govuk-error-summary").inner_text()
    no_violations(page, "seasons, a window that is not one")

    page.goto(
        f"{live_server.url}/places/{slug}/near-repeats/?category=dwelling-fire"
        "&first=2019-01-01&last=2019-12-31"
    )
    table = page.get_by_role("table", name="Pairs of dwelling fires")
    assert table.is_visible()
    assert page.locator("#knox-table td.sp-knox__cell").count() == 28
    assert page.get_by_role("columnheader", name="0–7 days").is_visible()
    screenshot(page, "near-repeats")
    no_violations(page, "near repeats")

    # police.uk months: the month-level explanation, a month window drawn, the refusal
    import_west_lancashire_autumn_2013()
    page.goto(f"{live_server.url}/places/west-lancashire/seasons/")
    assert "Months only, not nights" in page.locator("[data-month-level]").inner_text()
    no_violations(page, "seasons, police.uk months")
    page.get_by_role("link", name="October-November (whole months, October to November)").click()
    page.wait_for_selector("#season-years.sp-chart__canvas--drawn svg")
    screenshot(page, "seasons-months")
    no_violations(page, "seasons, a month window of police.uk months")
    page.goto(f"{live_server.url}/places/west-lancashire/near-repeats/")
    assert "records only the month of each crime" in page.locator("[data-refusal]").inner_text()
    no_violations(page, "near repeats, police.uk refused")
