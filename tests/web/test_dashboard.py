"""The performance dashboard: periods, figures, CSV downloads, no data, cache freshness."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from saferplaces.evidence.performance import performance
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.periods import financial_year, parse_period, rolling_12
from saferplaces.insight.store import IncidentStore
from saferplaces.partnership.models import Place
from tests.places import SAMPLES

URL = "/places/west-lancashire/dashboard/"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """West Lancashire's 24 sample months imported once (read-only for the tests)."""
    root = tmp_path_factory.mktemp("sample-store")
    import_police_uk(IncidentStore(root), sorted(SAMPLES.glob("*.csv.gz")))
    return root


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def imported(settings: Any, sample_store: Path, demo: Place) -> Place:
    settings.INCIDENT_STORE_DIR = sample_store
    return Place.objects.get(slug="west-lancashire")


@pytest.fixture
def officer(db: None) -> Client:
    user = get_user_model().objects.create_user("dash-officer", password="x-password-1")
    client = Client()
    client.force_login(user)
    return client


def card_count(html: str, slug: str) -> str:
    m = re.search(rf'data-count="{slug}">([\d,]+) ', html)
    assert m, f"no card count for {slug}"
    return m.group(1)


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_anonymous_is_sent_to_sign_in(client: Client, imported: Place) -> None:
    """Given no sign-in, when the dashboard or a CSV is asked for, then sign in first."""
    for url in (URL, URL + "indicators.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


def test_default_period_is_latest_complete_financial_year(officer: Client, imported: Place) -> None:
    """Given 2013-04..2015-03 held, when no period is chosen, then 2014/15 against 2013/14,
    with the All crime count of performance()."""
    response = officer.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "West Lancashire: 2014/15" in html
    assert "compared with 2013/14" in html
    perf = performance(imported, financial_year(2014))
    all_crime = next(r for r in perf.results if r.indicator == "all-crime")
    assert card_count(html, "all-crime") == f"{all_crime.count:,}"
    assert all_crime.count > 0
    # charts are specs for vega-embed, with text alternatives and data tables
    assert 'id="trend-all-crime-spec" type="application/json"' in html
    assert 'id="districts-spec"' in html and 'id="categories-spec"' in html
    assert "Show the data" in html
    assert "govuk-visually-hidden" in html and "a line chart of monthly crimes" in html
    assert "Mischief Night" in html and "needs day-level data" in html
    # the LSOA map: its values and the GeoJSON of the place, drawn from the request's place
    assert 'id="map-values"' in html and 'data-map="/places/west-lancashire/map.geojson"' in html
    assert "Martin Chorley" in html and "lancashire_districts" not in html
    # where the figures come from: source, force, last month held, how they differ
    assert "police.uk street-level crime" in html and "held to March 2015" in html
    assert "recorded-crime figures that many board papers quote" in html
    # the indicator without a source says so instead of zeros
    card = html.split('id="card-deliberate-fires"')[1].split("</li>")[0]
    assert "No data" in card and "no imported source supplies this indicator" in card.lower()
    assert re.search(r'data-count="deliberate-fires">\s*\d', card) is None
    # the board pack button posts the period
    assert 'action="/places/west-lancashire/papers/new/"' in html
    assert 'name="period" value="2014/15"' in html


@pytest.mark.parametrize(
    ("query", "period", "heading"),
    [
        ({"period": "2013/14"}, financial_year(2013), "2013/14"),
        ({"period": "2014"}, parse_period("2014"), "2014"),
        ({"period": "rolling"}, rolling_12("2015-03"), "12 months to 2015-03"),
        (
            {"period": "custom", "from_month": "2014-01", "to_month": "2014-10"},
            parse_period("2014-01..2014-10"),
            "2014-01 to 2014-10",
        ),
    ],
)
def test_every_period_kind(
    officer: Client, imported: Place, query: dict[str, str], period: Any, heading: str
) -> None:
    """Given a financial year, calendar year, rolling or custom period, then the page shows
    that period's figures from performance()."""
    response = officer.get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"West Lancashire: {heading}" in html
    perf = performance(imported, period)
    asb = next(r for r in perf.results if r.indicator == "anti-social-behaviour")
    assert card_count(html, "anti-social-behaviour") == f"{asb.count:,}"


CUSTOM = {"period": "custom"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "last summer"}, "Enter a period such as 2014/15"),
        ({"period": "2014/16"}, "Enter a period such as 2014/15"),
        ({**CUSTOM, "from_month": "2014-01"}, "Enter the last month of the custom"),
        ({**CUSTOM, "from_month": "Jan", "to_month": "2014-10"}, "Enter the first month as year"),
        ({**CUSTOM, "from_month": "2014-10", "to_month": "2014-01"}, "must be the same as or"),
    ],
)
def test_bad_period_is_a_400_with_the_error_summary(
    officer: Client, imported: Place, query: dict[str, str], message: str
) -> None:
    response = officer.get(URL, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert message in html
    assert "<title>Error:" in html
    csv_response = officer.get(URL + "indicators.csv", query)
    assert csv_response.status_code == 400


def test_csv_downloads_equal_the_results(officer: Client, imported: Place) -> None:
    """Given the dashboard's CSV links, each parses with the csv module and equals the
    figures of performance()."""
    perf = performance(imported, financial_year(2014))
    response = officer.get(URL + "indicators.csv", {"period": "2014/15"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="west-lancashire-indicators-2014-15.csv"'
    )
    rows = {r["Indicator"]: r for r in csv_rows(response)}
    for result in perf.results:
        row = rows[result.name]
        if result.count is not None:
            assert int(row["2014/15"]) == result.count
            assert int(row["2013/14"]) == result.previous_count
            assert row["Change"] == ("" if result.change is None else str(result.change))
            assert row["Verdict"] == result.verdict
        else:  # no data is an empty cell, never 0
            assert row["2014/15"] == "" and row["Verdict"] == "no data"

    page = officer.get(URL, {"period": "2014/15"}).content.decode()
    note = page.split('id="categories-heading"')[1].split("Download")[0]
    assert "Months before May 2013 are not counted." in note and ".." not in note
    categories = csv_rows(officer.get(URL + "categories.csv", {"period": "2014/15"}))
    assert {(r["Category"], int(r["2014/15"]), r["Verdict"]) for r in categories} == {
        (c.name, c.count, c.verdict) for c in perf.categories
    }
    lsoas = csv_rows(officer.get(URL + "lsoas.csv", {"period": "2014/15"}))
    assert sum(int(r["2014/15"]) for r in lsoas) == sum(s.count for s in perf.lsoas)
    assert len(lsoas) == 73 and lsoas[0]["LSOA"].startswith("West Lancashire")
    assert all(float(r["Rate per 1,000 residents"]) >= 0 for r in lsoas)

    trend = csv_rows(officer.get(URL + "trend-all-crime.csv", {"period": "2014/15"}))
    assert [r["Month"] for r in trend] == [p.month for p in perf.series["all-crime"]]
    assert [r["Count (crimes)"] for r in trend] == [
        "" if p.count is None else str(p.count) for p in perf.series["all-crime"]
    ]
    districts = csv_rows(officer.get(URL + "districts.csv", {"period": "2014/15"}))
    assert [r["LAD code"] for r in districts] == [d.code for d in perf.districts]
    assert "E07000127" in {r["LAD code"] for r in districts}

    links = re.findall(r'href="(/places/west-lancashire/dashboard/[\w-]+\.csv\?[^"]+)"',
                       officer.get(URL).content.decode())  # fmt: skip
    assert len(links) >= 6
    for link in links:
        assert officer.get(link.replace("&amp;", "&")).status_code == 200, link
    assert officer.get(URL + "nonsense.csv").status_code == 404


def test_a_place_with_no_data_says_no_data_held(officer: Client, imported: Place) -> None:
    """Given only West Lancashire's data, when Burnley's dashboard is opened, then it says
    no data is held rather than showing zeros."""
    response = officer.get("/places/burnley/dashboard/", {"period": "2014/15"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No data held for Burnley" in html
    assert re.search(r'data-count="[\w-]+">\s*\d', html) is None  # no card has a number
    assert 'id="trend-all-crime"' not in html


def test_nothing_imported_yet(officer: Client, demo: Place) -> None:
    response = officer.get(URL)
    assert response.status_code == 200
    assert "No data held" in response.content.decode()


def test_county_and_area_dashboards_count_only_what_they_hold(
    officer: Client, imported: Place
) -> None:
    """Given only West Lancashire's data, when the county, the force area and the South
    area dashboards are opened, then each says which districts it covers, shows West
    Lancashire's count (not the whole's), gives no verdict, and lists the districts with
    no data without a figure or a rank."""
    wl = next(r for r in performance(imported, financial_year(2014)).results
              if r.indicator == "all-crime")  # fmt: skip
    for slug, total in (("lancashire", 12), ("lancashire-police-force-area", 14),
                        ("south-lancashire", 4)):  # fmt: skip
        response = officer.get(f"/places/{slug}/dashboard/", {"period": "2014/15"})
        assert response.status_code == 200, slug
        html = response.content.decode()
        assert f"These figures covers 1 of {total} districts: West Lancashire" not in html
        assert f"covers 1 of {total} districts: West Lancashire" in html, slug
        assert card_count(html, "all-crime") == f"{wl.count:,}"
        card = html.split('id="card-all-crime"')[1].split("</li>")[0]
        assert "Partial coverage: no verdict" in card and "significant" not in card
        # every chart of the place says it counts a part: trends and seasons alike
        assert html.count("Counts West Lancashire only") >= 3, slug
        assert "the figures count 111,845 of them" in html
        assert "Districts side by side" in html
        districts = csv_rows(officer.get(f"/places/{slug}/dashboard/districts.csv",
                                         {"period": "2014/15"}))  # fmt: skip
        held = [r for r in districts if r["Count"]]
        assert [r["District"] for r in held] == ["West Lancashire"]
        assert all(r["Rate per 1,000 residents"] == "" for r in districts if not r["Count"])


def test_unlike_months_get_no_verdict_on_the_page(officer: Client, imported: Place) -> None:
    """Given 2013 held from April only, when 2014 is shown, then no card has a verdict or a
    percentage change on the whole, and each says what it compares like for like."""
    html = officer.get(URL, {"period": "2014"}).content.decode()
    card = html.split('id="card-all-crime"')[1].split("</li>")[0]
    assert "Incomplete: no verdict" in card and "%" not in card.split("Like for like")[0]
    assert "Like for like, April 2014 to December 2014 against April 2013 to December 2013" in card
    assert "2014 holds 12 months and 2013 9" in card


def test_the_map_is_the_places_lsoas_and_outlines(officer: Client, imported: Place) -> None:
    """Given West Lancashire, its map holds its 73 LSOAs and its outline; the county's map
    its districts' LSOAs and outlines; a second request is served from the file."""
    response = officer.get("/places/west-lancashire/map.geojson")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(b"".join(response.streaming_content))
    kinds = Counter(f["properties"]["kind"] for f in data["features"])
    assert kinds == {"lsoa": 73, "outline": 1}
    packed = officer.get("/places/west-lancashire/map.geojson", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(b"".join(packed.streaming_content))) == data
    county = officer.get("/places/lancashire/map.geojson")
    features = json.loads(b"".join(county.streaming_content))["features"]
    outlines = [f["properties"]["name"] for f in features if f["properties"]["kind"] == "outline"]
    assert len(outlines) == 13 and outlines[-1] == "Lancashire"
    assert officer.get("/places/lsoa-e01025468/map.geojson").status_code == 404


@pytest.mark.parametrize("period", ["2099/00", "2030"])
def test_a_period_after_the_data_is_a_400_naming_the_last_month(
    officer: Client, imported: Place, period: str
) -> None:
    """Given data to March 2015, a period after it is refused with the latest month held
    (it was an empty dashboard)."""
    response = officer.get(URL, {"period": period})
    assert response.status_code == 400
    assert "the latest month held" in response.content.decode()
    assert "March 2015" in response.content.decode()


def test_a_period_before_any_year_is_a_400_not_a_500(officer: Client, imported: Place) -> None:
    """`?period=0000/01` was a debug 500 showing the data directory."""
    response = officer.get(URL, {"period": "0000/01"})
    assert response.status_code == 400
    assert "Enter a period such as 2014/15" in response.content.decode()


def test_an_import_makes_the_figures_fresh(officer: Client, demo: Place) -> None:
    """Given the first year imported and the dashboard viewed (cached), when the second
    year is imported, then the dashboard shows the new figures."""
    files = sorted(SAMPLES.glob("*.csv.gz"))
    first = [str(f) for f in files if f.name < "2014-04"]
    rest = [str(f) for f in files if f.name >= "2014-04"]
    call_command("import", "police-uk", *first, "--no-progress", stdout=io.StringIO())
    before = officer.get(URL, {"period": "2014/15"}).content.decode()
    assert 'data-count="all-crime"' not in before  # no 2014/15 month yet
    assert officer.get(URL, {"period": "2013/14"}).status_code == 200
    call_command("import", "police-uk", *rest, "--no-progress", stdout=io.StringIO())
    after = officer.get(URL, {"period": "2014/15"}).content.decode()
    place = Place.objects.get(slug="west-lancashire")
    all_crime = next(
        r for r in performance(place, financial_year(2014)).results if r.indicator == "all-crime"
    )
    assert card_count(after, "all-crime") == f"{all_crime.count:,}"


def test_quality_banner_when_months_are_missing(officer: Client, imported: Place) -> None:
    """Given a custom period running past the last month held, then the data-quality
    banner says how many months the figures rest on."""
    response = officer.get(
        URL, {"period": "custom", "from_month": "2014-10", "to_month": "2015-06"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    banner = html.split('aria-labelledby="quality-title"')[1].split("</ul>")[0]
    assert "data for 6 of 9 months" in banner
    assert 'value="custom" selected' in html


def test_the_select_shows_the_default_period(officer: Client, imported: Place) -> None:
    html = officer.get(URL).content.decode()
    assert '<option value="2014/15" selected>' in html


def test_plan_priorities_show_their_indicators_as_the_cards_do(
    officer: Client, imported: Place
) -> None:
    """Given West Lancashire's plan for 2015/16 with General ASB measured by anti-social
    behaviour, when the 2014/15 dashboard is opened, then the priority lists that
    indicator with the card's own count and verdict, says the plan's period is not the
    dashboard's, and a priority with no indicator says so (never a 0)."""
    import datetime

    from saferplaces.strategy import plans

    plan = plans.create_plan(
        None, place=imported, kind="partnership", title="Priorities 2015/16",
        period_label="2015/16", starts_on=datetime.date(2015, 4, 1),
        ends_on=datetime.date(2016, 3, 31),
    )  # fmt: skip
    plans.add_priority(None, plan, title="General ASB", indicator_keys=["anti-social-behaviour"])
    plans.add_priority(None, plan, title="Reducing reoffending", indicator_keys=[])
    html = officer.get(URL, {"period": "2014/15"}).content.decode()
    section = html[html.index('id="priorities"') : html.index('id="indicators"')]
    assert "General ASB" in section and "Anti-social behaviour" in section
    assert card_count(html, "anti-social-behaviour") in section
    assert "not 2014/15" in section
    assert "No indicator measures this priority yet" in section
