"""In a real browser: the West Lancashire performance dashboard draws its charts and map,
and the period form changes the figures."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pptx import Presentation

from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from tests.browser.signin import two_factor_if_asked
from tests.places import SAMPLES


def _sign_in_and_open(page: Any, live_server: Any) -> None:
    call_command("load_demo", stdout=io.StringIO())
    call_command("import", "police-uk", str(SAMPLES), "--no-progress", stdout=io.StringIO())
    page.goto(f"{live_server.url}/places/west-lancashire/dashboard/")
    assert "/sign-in/" in page.url  # anonymous: sent to sign in first
    page.fill("#id_username", "officer")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, "officer")
    page.wait_for_url("**/places/west-lancashire/dashboard/")


@pytest.mark.django_db(transaction=True)
def test_dashboard_draws_charts_and_the_period_form_changes_figures(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given the demo and its sample data, when the officer opens West Lancashire's
    dashboard, then the charts are drawn as SVG and the map has its 73 LSOAs, each named
    with its count and rate on hover; when they choose 2013/14, then the figures change
    to that year's."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _sign_in_and_open(page, live_server)
    assert page.get_by_role("heading", level=1).inner_text() == "West Lancashire: 2014/15"

    page.wait_for_selector("#trend-all-crime svg")
    page.wait_for_selector("#districts svg")
    page.wait_for_selector("#categories svg")
    page.wait_for_selector("#spark-all-crime svg")
    page.wait_for_selector("#lsoa-map.sp-map--drawn path.leaflet-interactive")
    assert page.locator("#lsoa-map path.leaflet-interactive").count() == 73
    page.locator("#lsoa-map path.leaflet-interactive").first.hover(force=True)
    tooltip = page.locator(".leaflet-tooltip").inner_text()
    assert tooltip.startswith("West Lancashire ") and "per 1,000" in tooltip
    assert page.locator("[data-spec] svg").count() >= 10
    if os.environ.get("SAFERPLACES_SCREENSHOTS"):
        page.screenshot(path=os.environ["SAFERPLACES_SCREENSHOTS"], full_page=True)

    count_2014 = page.locator('[data-count="all-crime"]').inner_text()
    page.select_option("#id_period", "2013/14")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url("**/dashboard/?period=2013%2F14**")
    assert page.get_by_role("heading", level=1).inner_text() == "West Lancashire: 2013/14"
    page.wait_for_selector("#trend-all-crime svg")
    count_2013 = page.locator('[data-count="all-crime"]').inner_text()
    assert count_2013 != count_2014

    # a bad custom range: the GOV.UK error summary says what to fix
    page.select_option("#id_period", "custom")
    page.fill("#id_from_month", "2014-10")
    page.fill("#id_to_month", "2014-01")
    page.get_by_role("button", name="Show figures").click()
    assert "must be the same as or after" in page.locator(".govuk-error-summary").inner_text()


@pytest.mark.django_db(transaction=True)
def test_generate_the_board_pack_from_the_dashboard(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    """Given the dashboard for 2014/15, when the officer presses "Generate the board pack",
    then the papers page lists the three papers for 2014/15 and the deck downloads as a
    .pptx whose headline carries the dashboard's All crime figures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The task runs as soon as the request commits (the worker process is not running here).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _sign_in_and_open(page, live_server)
    count = int(page.locator('[data-count="all-crime"]').inner_text().split()[0].replace(",", ""))
    with page.expect_navigation(url="**/places/west-lancashire/papers/", timeout=90_000):
        page.get_by_role("button", name="Generate the board pack").click()
    page.wait_for_selector("text=Download PowerPoint briefing")
    assert page.locator("[data-format]").count() == 3
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PowerPoint briefing").click()
    download = info.value
    assert download.suggested_filename == "west-lancashire-performance-2014-15.pptx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    deck = Presentation(str(path))
    shapes = [shape for slide in deck.slides for shape in slide.shapes]
    text = "\n".join(s.text_frame.text for s in shapes if s.has_text_frame)
    cells = {c.text for s in shapes if s.has_table for row in s.table.rows for c in row.cells}
    assert "All crime down by" in text or "All crime up by" in text
    assert f"{count:,}" in cells
