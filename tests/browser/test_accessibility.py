"""Accessibility in a real browser, on every page type: axe-core (vendored in
tests/browser/vendor/axe-core, nothing fetched at test time) finds no serious or critical
violation of the WCAG 2.x A and AA rules, and every page reflows at 320 CSS pixels without
scrolling sideways (WCAG 1.4.10; a wide table scrolls inside its own focusable box).

axe is loaded from a same-origin URL that the browser itself answers (see tests/browser/
axe.py): the site's Content-Security-Policy refuses the inline script that Playwright's
``add_script_tag(path=...)`` would write, and the policy stays on for the whole run.
"""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

import pytest
from django.core.management import call_command

from saferplaces.delivery.models import Initiative
from saferplaces.evidence.models import BatchStatus, Import
from saferplaces.partnership.demo.loader import DEMO_PASSWORD
from saferplaces.partnership.models import Escalation, Meeting, Place
from saferplaces.reports.models import BoardPaper
from tests.browser import axe
from tests.browser.signin import two_factor_if_asked
from tests.places import SAMPLES

LPG = "west-lancashire-lpg"
ACTION_FORM_WITH_ERRORS = "action form, submitted empty"
PAPERS = "/places/west-lancashire/papers/"
UPLOAD_WITH_ERRORS = "upload, submitted with no files"
MAPPING_PREVIEWED = "mapping editor, a sample previewed"
SAMPLE_EXPORT = (
    "Ref,Date,Type,LSOA code\n"
    + "".join(f"F{i},0{1 + i % 9}/11/2014,Deliberate fire,E01025474\n" for i in range(24))
    + "F99,31/02/2014,Deliberate fire,E01025474\n"
).encode()


HOT = "/places/west-lancashire/hotspots/"


def _pages() -> list[tuple[str, str]]:
    """(what, path) of every page type the officer opens once signed in."""
    meeting = Meeting.objects.filter(group__slug=LPG).order_by("date").first()
    escalation = Escalation.objects.filter(from_group__slug=LPG).order_by("pk").first()
    assert meeting is not None and escalation is not None
    landed, running, waiting = _imports()
    sparx = Initiative.objects.get(name="Bright Sparx 2014")
    plan = sparx.action_plans.get()
    return [
        ("home, searching", "/?q=lanc"),
        ("place: district", "/places/west-lancashire/"),
        ("place: police force area", "/places/lancashire-police-force-area/"),
        ("structure diagram", "/places/west-lancashire/structure/"),
        ("group, as a member", f"/groups/{LPG}/"),
        ("meeting", f"/meetings/{meeting.pk}/"),
        (ACTION_FORM_WITH_ERRORS, f"/groups/{LPG}/actions/new/"),
        ("escalation", f"/escalations/{escalation.pk}/"),
        ("dashboard: district", "/places/west-lancashire/dashboard/"),
        ("dashboard: county, partial coverage", "/places/lancashire/dashboard/?period=2014/15"),
        ("dashboard: district with no data", "/places/lancaster/dashboard/?period=2014/15"),
        ("imports", "/imports/"),
        ("upload", "/imports/new/"),
        (UPLOAD_WITH_ERRORS, "/imports/new/"),
        ("import, imported", f"/imports/{landed}/"),
        ("import, in progress (polling)", f"/imports/{running}/"),
        ("import, waiting for confirmation", f"/imports/{waiting}/"),
        ("withdraw an import", f"/imports/{landed}/withdraw/"),
        ("mapping editor, a sample to choose", "/imports/mappings/new/"),
        (MAPPING_PREVIEWED, "/imports/mappings/new/"),
        ("board papers, none yet", PAPERS),
        ("board papers, ready, being written and failed", PAPERS),
        ("initiatives", "/places/west-lancashire/initiatives/"),
        ("initiative", f"/initiatives/{sparx.slug}/"),
        ("action plan: timeline and list", f"/initiatives/{sparx.slug}/plans/{plan.pk}/"),
        ("evaluation", f"/initiatives/{sparx.slug}/evaluation/"),
        ("headlines", "/places/west-lancashire/headlines/?year=2014/15"),
        ("funding summary", "/places/west-lancashire/funding/?year=2014/15"),
        ("funding monitoring", "/places/west-lancashire/funding/monitoring/"),
        ("hot spots: Gi* over 3 years", "/places/west-lancashire/hotspots/?period=2014/15&years=3"),
        ("hot spots: density", "/places/west-lancashire/hotspots/?period=2014/15&layer=density"),
        (
            "hot spots: harm, no weights",
            "/places/west-lancashire/hotspots/?period=2014/15&layer=harm",
        ),
        ("nights of the year, month-level data", "/places/west-lancashire/seasons/"),
        ("near repeats, refused for months", "/places/west-lancashire/near-repeats/"),
        ("most similar partnerships", "/places/west-lancashire/family/?period=2014/15"),
        ("API tokens", "/account/api-tokens/"),
        ("change password", "/password/"),
        ("page not found", "/places/nowhere/"),
    ]


def _set_up(page: Any, live_server: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", stdout=io.StringIO())
    call_command("import", "police-uk", str(SAMPLES), "--no-progress", stdout=io.StringIO())
    axe.install(page, live_server.url)


def _sign_in(page: Any, live_server: Any) -> None:
    page.fill("#id_username", "officer")
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    two_factor_if_asked(page, "officer")
    page.wait_for_url(f"{live_server.url}/")


def _imports() -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """The demo data's import (landed), one running and one waiting for confirmation."""
    landed = Import.objects.get(status=BatchStatus.LANDED)
    running = Import.objects.create(
        id=uuid.uuid4(), kind="police-uk", status=BatchStatus.RUNNING, progress=45,
        files=["2015-04-lancashire-street.csv"], stage="Reading and checking the files",
    )  # fmt: skip
    waiting = Import.objects.create(
        id=uuid.uuid4(), kind="police-uk", status=BatchStatus.CONFIRM, progress=100,
        files=["2014-12-lancashire-street.csv"], stage="Waiting for confirmation",
        replaced=[{"key": "police_uk/lancashire/2014-12", "month": "2014-12",
                   "rows_before": 656, "rows_after": 50, "from": "x.csv"}],
    )  # fmt: skip
    return landed.pk, running.pk, waiting.pk


def _preview_a_mapping(page: Any) -> None:
    page.set_input_files(
        "#id_sample", files=[{"name": "fires.csv", "mimeType": "text/csv", "buffer": SAMPLE_EXPORT}]
    )
    page.get_by_role("button", name="Read the columns").click()
    page.wait_for_selector("#id_date_column")
    page.fill("#id_name", "Fire service fires")
    page.fill("#id_source", "fire")
    page.fill("#id_dataset", "fires")
    page.select_option("#id_date_column", "Date")
    page.select_option("#id_date_format", "%d/%m/%Y")
    page.select_option("#id_category_column", "Type")
    page.select_option("#id_default_category", "other-fire")
    page.select_option("#id_lsoa_column", "LSOA code")
    page.get_by_role("button", name="Preview 20 rows").click()
    page.wait_for_selector('[data-testid="preview-rows"]')


def _add_papers() -> None:
    """One paper ready, one being written (the page polls for it) and one failed."""
    place = Place.objects.get(slug="west-lancashire")
    for fmt, status, progress in [("pptx", "ready", 100), ("pdf", "running", 40),
                                  ("xlsx", "failed", 0)]:  # fmt: skip
        BoardPaper.objects.create(
            place=place,
            period_label="2014/15",
            period_start=datetime.date(2014, 4, 1),
            period_end=datetime.date(2015, 3, 31),
            format=fmt,
            status=status,
            progress=progress,
            stage="Drawing the charts" if status == "running" else "",
            error="The deck could not be written." if status == "failed" else "",
            file=f"papers/west-lancashire.{fmt}" if status == "ready" else "",
        )


def _open(page: Any, live_server: Any, what: str, path: str) -> None:
    """Go to the page and wait until it is fully drawn."""
    if what.startswith("board papers, ready"):
        _add_papers()
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None
    if what == ACTION_FORM_WITH_ERRORS:
        page.get_by_role("button", name="Add action").click()
        page.wait_for_selector(".govuk-error-summary")
    elif what == UPLOAD_WITH_ERRORS:
        page.get_by_role("button", name="Upload and import").click()
        page.wait_for_selector(".govuk-error-summary")
    elif what == MAPPING_PREVIEWED:
        _preview_a_mapping(page)
    elif what == "page not found":
        assert response.status == 404
    else:
        assert response.status == 200, (what, response.status)
    if any(p in path for p in WITH_CHARTS) and page.locator("[data-spec]").count():
        page.wait_for_selector("[data-spec] svg", state="attached")
        page.wait_for_function(
            "document.querySelectorAll('[data-spec]:not(.sp-chart__canvas--drawn)').length === 0"
        )
        if page.locator("#lsoa-map").count():
            page.wait_for_selector("#lsoa-map.sp-map--drawn")
    if "/hotspots/" in path and page.locator(".sp-map").count():
        page.wait_for_selector(".sp-map--drawn")


WITH_CHARTS = ("/dashboard/", "/seasons/", "/family/")


def _dashboard_states(page: Any, what: str) -> list[str]:
    """Violations in what a user opens on a dashboard: every `details` open, each tab of the
    trends, and the map's tooltip."""
    found = []
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    found.append(axe.describe(f"{what}, details open", axe.violations(page)))
    tabs = page.locator(".govuk-tabs__list .govuk-tabs__tab")
    for i in range(tabs.count()):
        if not tabs.nth(i).is_visible():  # small screens show every panel, no tabs
            break
        tabs.nth(i).click()
        panel = tabs.nth(i).get_attribute("href")
        found.append(axe.describe(f"{what}, tab {panel}", axe.violations(page, panel)))
    areas = page.locator("#lsoa-map path.leaflet-interactive")
    if areas.count():
        areas.first.hover(force=True)
        page.wait_for_selector(".leaflet-tooltip")
        found.append(axe.describe(f"{what}, map tooltip", axe.violations(page, "#lsoa-map")))
    return [f for f in found if f]


@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_serious_violation_on_any_page_type(
    page: Any, live_server: Any, settings: Any
) -> None:
    """Given the demo and its sample data, when the officer signs in and opens each kind of
    page (search results, places, the structure, her group, a meeting, a form with errors,
    an escalation, the dashboards of a district, a partly covered county and a district with
    no data, imports, uploading (with errors), an import imported, in progress and waiting
    for confirmation, withdrawing one, the mapping editor and its preview, board papers,
    password, not found), then axe finds no serious or
    critical WCAG 2.x A/AA violation on any, nor with the dashboards' details open, on any
    trend tab, or with the map's tooltip showing."""
    _set_up(page, live_server, settings)
    page.goto(f"{live_server.url}/sign-in/")
    found = [axe.describe("sign in", axe.violations(page))]
    _sign_in(page, live_server)
    for what, path in _pages():
        _open(page, live_server, what, path)
        found.append(axe.describe(what, axe.violations(page)))
        if "/dashboard/" in path:
            found += _dashboard_states(page, what)
    report = "\n".join(f for f in found if f)
    assert not report, "axe found serious or critical violations:\n" + report


SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.django_db(transaction=True)
def test_every_page_reflows_at_320_css_pixels(page: Any, live_server: Any, settings: Any) -> None:
    """Given a 320 by 640 CSS-pixel screen, when the officer signs in and opens each kind
    of page, then none scrolls sideways (wide tables scroll inside their own box, charts
    shrink, the map fits) and axe finds no serious or critical violation there either (the
    boxes that scroll can be reached from the keyboard and are named)."""
    page.set_viewport_size({"width": 320, "height": 640})
    _set_up(page, live_server, settings)
    page.goto(f"{live_server.url}/sign-in/")
    wide: list[str] = []
    found: list[str] = []

    def check(what: str) -> None:
        overflow = page.evaluate(SIDEWAYS)
        if overflow > 0:
            wide.append(f"{what} ({page.url}): {overflow}px too wide")
        found.append(axe.describe(what, axe.violations(page)))

    check("sign in")
    _sign_in(page, live_server)
    for what, path in _pages():
        _open(page, live_server, what, path)
        if "/dashboard/" in path:
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        check(what)
    assert wide == [], "pages scroll sideways at 320px:\n" + "\n".join(wide)
    report = "\n".join(f for f in found if f)
    assert not report, "axe at 320px found serious or critical violations:\n" + report
