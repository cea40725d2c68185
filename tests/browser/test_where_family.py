"""In a real browser: Most similar partnerships draws its funnel plot for West
Lancashire once every Lancashire partnership holds a month of police.uk data, and axe
finds no serious or critical WCAG violation on the page, on the page without a funnel
(West Lancashire's samples alone) or on the form's error state."""

from __future__ import annotations

from typing import Any

import pytest

from saferplaces.evidence.services import import_files
from saferplaces.partnership.demo.loader import demo_places
from tests.browser import axe
from tests.places import SAMPLES
from tests.where import (
    LANCASHIRE,
    make_officer,
    needs_lancashire,
    no_violations,
    screenshot,
    sign_in,
)


@pytest.mark.shared_data
@needs_lancashire
@pytest.mark.django_db(transaction=True)
def test_family_funnel_draws_and_passes_axe(page: Any, live_server: Any, settings: Any) -> None:
    """Given West Lancashire's samples and June 2021 for all Lancashire, When the officer
    opens West Lancashire's family for 2014/15, Then there is no funnel, the reason is
    given and the page passes axe; for June 2021 the funnel is drawn by vega-embed with
    its text alternative and table, and passes axe; an unknown period gives the error
    summary, which passes axe."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_places()
    import_files("police-uk", sorted(SAMPLES.glob("*.csv.gz")))
    import_files("police-uk", [LANCASHIRE / "2021-06-lancashire-street.csv.gz"])
    axe.install(page, live_server.url)
    url = f"{live_server.url}/places/west-lancashire/family/"
    make_officer()
    sign_in(page, f"{url}?period=2014/15")
    page.wait_for_url("**/places/west-lancashire/family/**")
    assert "No funnel plot and no bands" in page.locator("[data-no-funnel]").inner_text()
    assert page.locator("#family-table tbody tr").count() == 16
    no_violations(page, "family without a funnel")

    page.goto(f"{url}?period=custom&from_month=2021-06&to_month=2021-06")
    page.wait_for_selector("#family-funnel.sp-chart__canvas--drawn svg")
    assert page.locator(".sp-chart__canvas--drawn").count() == 1
    assert "Funnel plot:" in page.locator("#family-funnel-alt").inner_text()
    caption = "Every partnership with data, 2021-06 to 2021-06"
    assert page.get_by_role("table", name=caption).is_visible()
    screenshot(page, "family")
    no_violations(page, "family with its funnel")

    page.goto(f"{url}?period=nonsense")
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    no_violations(page, "family, a period that is not one")
