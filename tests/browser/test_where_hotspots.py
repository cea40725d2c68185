"""In a real browser: West Lancashire's hot spots page draws its map with each of the
three layers (hot spots, density, harm), its legend is present, a tooltip names the LSOA,
and axe finds no serious or critical violation on any of them."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from saferplaces.strategy.harm_weights import upload_harm_weights
from tests.browser import axe
from tests.places import SAMPLES
from tests.where import no_violations, sign_in

CSS = (
    "Offence code,Offence,Weight\n"
    "28,Burglary in a dwelling,439\n"
    "45,Theft from a vehicle,47\n"
    "46,Shoplifting,25\n"
)
MAPPING = "offence_code,category\n28,burglary\n45,vehicle-crime\n46,shoplifting\n"
PATH = "/places/west-lancashire/hotspots/"


def _sign_in(page: Any, live_server: Any) -> None:
    """Sign in as the demo's officer, sent to sign in first from the hot spots page."""
    sign_in(page, f"{live_server.url}{PATH}", "officer", DEMO_PASSWORD)
    page.wait_for_url(f"**{PATH}")


@pytest.mark.django_db(transaction=True)
def test_the_map_draws_each_layer_with_its_legend_and_passes_axe(
    page: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    """Given the demo, its sample data and harm weights uploaded, when the officer opens
    the hot spots page, then the map has West Lancashire's 73 LSOAs coloured by class
    with a legend and the text alternative; choosing density draws the bands under the
    outlines; choosing harm colours the LSOAs by harm; axe passes on each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    call_command("import", "police-uk", str(SAMPLES), "--no-progress", stdout=io.StringIO())
    w, m = tmp_path / "css.csv", tmp_path / "map.csv"
    w.write_text(CSS, encoding="utf-8")
    m.write_text(MAPPING, encoding="utf-8")
    upload_harm_weights(None, w, "ons-css", "2020", m)
    axe.install(page, live_server.url)
    _sign_in(page, live_server)

    # hot spots (the default layer)
    page.wait_for_selector('#where-map.sp-map--drawn[data-drawn-layer="hotspots"]')
    assert page.locator("#where-map path.leaflet-interactive").count() == 73
    assert page.locator('[data-testid="legend"] li').count() >= 7
    assert "Hot spot, 99% confidence" in page.locator('[data-testid="legend"]').inner_text()
    described = page.locator("#where-map").get_attribute("aria-describedby")
    assert page.locator(f"#{described}").inner_text().startswith("All crime per 1,000")
    page.locator("#where-map path.leaflet-interactive").first.hover(force=True)
    assert page.locator(".leaflet-tooltip").inner_text().startswith("West Lancashire ")
    if os.environ.get("SAFERPLACES_SCREENSHOTS"):
        page.screenshot(path=os.environ["SAFERPLACES_SCREENSHOTS"], full_page=True)
    no_violations(page, "hot spots")

    # density: the bands as filled polygons beneath the LSOA outlines
    page.select_option("#id_layer", "density")
    page.get_by_role("button", name="Show the map").click()
    page.wait_for_selector('#where-map.sp-map--drawn[data-drawn-layer="density"]')
    bands = page.locator('[data-testid="density-table"] tbody tr').count()
    assert bands >= 1
    # bands (filled, no stroke) + 73 LSOA outlines + district outline
    assert page.locator("#where-map path").count() >= 73 + bands
    assert page.locator('#where-map path[fill="none"]').count() >= 73
    assert page.locator('[data-testid="legend"] li').count() == bands
    no_violations(page, "density")

    # harm
    page.select_option("#id_layer", "harm")
    page.get_by_role("button", name="Show the map").click()
    page.wait_for_selector('#where-map.sp-map--drawn[data-drawn-layer="harm"]')
    assert page.locator("#where-map path.leaflet-interactive").count() == 73
    assert "ONS Crime Severity Score" in page.locator('[data-testid="weights"]').inner_text()
    assert page.locator('[data-testid="legend"] li').count() >= 2
    page.locator("#where-map path.leaflet-interactive").first.hover(force=True)
    assert "per 1,000 residents" in page.locator(".leaflet-tooltip").inner_text()
    no_violations(page, "harm")


@pytest.mark.django_db(transaction=True)
def test_left_out_lsoas_are_hatched(page: Any, live_server: Any, settings: Any) -> None:
    """Given West Lancashire's data only, when Lancashire county's hot spots are drawn,
    then the LSOAs of the other districts are filled with the hatch, not a colour."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    call_command("import", "police-uk", str(SAMPLES), "--no-progress", stdout=io.StringIO())
    _sign_in(page, live_server)
    from saferplaces.partnership.models import Place

    county = Place.objects.filter(kind="county", name__icontains="Lancashire").first()
    assert county is not None
    page.goto(f"{live_server.url}/places/{county.slug}/hotspots/?period=2014/15")
    page.wait_for_selector("#where-map.sp-map--drawn", timeout=60_000)
    hatched = page.locator('#where-map path[fill="url(#sp-where-hatch)"]').count()
    coloured = page.locator("#where-map path.leaflet-interactive").count() - hatched
    assert hatched > 500 and coloured == 73
    assert page.locator("#sp-where-hatch").count() == 1
