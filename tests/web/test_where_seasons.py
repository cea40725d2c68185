"""Nights of the year (`/places/<slug>/seasons/`): the page's counts checked against the
raw London Fire Brigade files read here with csv, gzip and datetime; incomplete years
marked, never drawn as 0; refusals said in words; form errors as a 400."""

from __future__ import annotations

import csv
import gzip
import html
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from saferplaces.evidence.services import import_files
from saferplaces.insight.imports import shipped_mapping
from saferplaces.partnership.geography import load_geography
from saferplaces.reports.charts import render_svg
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.django_db

FIRE = SHARED_DATA / "fire"
EVENTS = FIRE / "lfb_fire_incidents_event_periods_2009_2024.csv.gz"
DWELLINGS = FIRE / "lfb_dwelling_fires_2009_2024.csv.gz"
SAMPLES = Path(__file__).resolve().parents[2] / "src/saferplaces/insight/samples/police_uk"
TOWER_HAMLETS = "E09000030"
URL = "/places/{slug}/seasons/"
needs_fire = pytest.mark.skipif(not FIRE.is_dir(), reason=f"{FIRE} is absent")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officer(db: None) -> Client:
    user = get_user_model().objects.create_user("season-officer", password="x-password-1")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def london_fires() -> str:
    """Both LFB files imported; the slug of Tower Hamlets."""
    load_geography(force_areas=["E23000001"])
    import_files("incidents", [EVENTS], mapping=shipped_mapping("lfb_fire_event_periods"))
    import_files("incidents", [DWELLINGS], mapping=shipped_mapping("lfb_dwelling_fires"))
    from saferplaces.partnership.models import Place

    return Place.objects.get(lad_code=TOWER_HAMLETS).slug


@pytest.fixture
def west_lancashire() -> str:
    load_geography(force_areas=["E23000003"])
    files = sorted((SAMPLES / "west_lancashire").glob("2013-1[01]-*.csv.gz"))
    import_files("police-uk", files)
    return "west-lancashire"


def festival_days(borough: str) -> Counter[date]:
    """The festival-days file's rows of a borough by day, read with csv and datetime."""
    with gzip.open(EVENTS, "rt", encoding="utf-8", newline="") as fh:
        return Counter(
            datetime.strptime(f"{r['Year']} {r['Month']} {r['Day']}", "%Y %B %d").date()
            for r in csv.DictReader(fh)
            if r["Borough code"] == borough
        )


def dwelling_days(borough: str) -> Counter[date]:
    with gzip.open(DWELLINGS, "rt", encoding="utf-8", newline="") as fh:
        return Counter(
            date.fromisoformat(r["date"]) for r in csv.DictReader(fh) if r["borough"] == borough
        )


def spec(page: str, spec_id: str) -> dict[str, Any]:
    m = re.search(rf'<script id="{spec_id}" type="application/json">(.*?)</script>', page, re.S)
    assert m, f"no {spec_id}"
    return dict(json.loads(m.group(1)))


def table_rows(page: str, dom_id: str) -> dict[str, list[str]]:
    """The rows of the table in the figure `dom_id`: row header → the other cells' text."""
    start = page.index(f'id="{dom_id}"')
    body = page[start : page.index("</table>", start)]
    out = {}
    for head, rest in re.findall(
        r'<th scope="row" class="govuk-table__header">(.*?)</th>(.*?)</tr>', body, re.S
    ):
        out[html.unescape(head)] = [
            html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rest)
        ]
    return out


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_anonymous_is_sent_to_sign_in(client: Client, west_lancashire: str) -> None:
    response = client.get(URL.format(slug=west_lancashire))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.shared_data
@needs_fire
def test_bonfire_period_year_by_year_equals_the_raw_file(
    officer: Client, london_fires: str
) -> None:
    """Given London's fires, When the Bonfire period is shown for Tower Hamlets (the
    default window), Then each year's count in the table and in the chart equals the raw
    festival-days rows of 29 October-12 November of that year; the nights chart holds the
    latest complete year's 15 nights beside the average of the years before, night by
    night; the verdict, the motive, the notes and the source are said."""
    first = time.perf_counter()
    response = officer.get(URL.format(slug=london_fires))
    first = time.perf_counter() - first
    warm = time.perf_counter()
    officer.get(URL.format(slug=london_fires))
    warm = time.perf_counter() - warm
    print(f"seasons page Tower Hamlets: first {first:.2f} s, warm {warm:.3f} s")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="bonfire-period" selected>' in page  # the window shown
    by_day = festival_days(TOWER_HAMLETS)
    rows = table_rows(page, "season-years")
    assert len(rows) >= 10
    want = {}
    for year in map(int, rows):
        days = [date(year, 10, 29) + timedelta(days=i) for i in range(15)]
        want[year] = sum(by_day[d] for d in days)
    assert {int(y): int(r[1].replace(",", "")) for y, r in rows.items()} == want
    assert all(r[4] == "Yes" and r[2] == "15 of 15" for r in rows.values())
    years = spec(page, "season-years-spec")
    assert {int(r["year"]): r["count"] for r in years["data"]["values"]} == want
    latest = max(want)
    nights = spec(page, "season-nights-spec")["data"]["values"]
    this = [r["count"] for r in nights if r["series"] == str(latest)]
    assert this == [by_day[date(latest, 10, 29) + timedelta(days=i)] for i in range(15)]
    before = [r["count"] for r in nights if r["series"] != str(latest)]
    assert before == [
        round(
            sum(by_day[date(y, 10, 29) + timedelta(days=i)] for y in want if y < latest)
            / len([y for y in want if y < latest]),
            2,
        )
        for i in range(15)
    ]
    text = text_of(page)
    before_years = [want[y] for y in want if y < latest]
    mean = round(sum(before_years) / len(before_years), 2)
    assert f"{latest}: {want[latest]:,} against an average of {mean:,} in the 15 complete" in text
    assert "Motive not recorded" in text and "not added in" in text
    assert "Source: London Fire Brigade incident records (lfb/fire-event-periods" in text
    for block in ("season-years-spec", "season-nights-spec"):
        assert render_svg(spec(page, block)).startswith("<svg")


@pytest.mark.shared_data
@needs_fire
def test_an_incomplete_year_is_marked_never_zero(officer: Client, london_fires: str) -> None:
    """Given the dwelling-fires file ends on 31 August 2024, When your own dates
    08-25..09-05 are shown, Then each year equals the raw rows, 2024 is marked incomplete
    (7 of 12 days) with no bar in the chart, and there is no verdict for 2024."""
    response = officer.get(URL.format(slug=london_fires), {"dates": "08-25..09-05"})
    assert response.status_code == 200
    page = response.content.decode()
    raw = dwelling_days(TOWER_HAMLETS)
    rows = table_rows(page, "season-years")
    for year, cells in rows.items():
        days = [date(int(year), 8, 25) + timedelta(days=i) for i in range(12)]
        assert int(cells[1].replace(",", "")) == sum(raw[d] for d in days if d <= date(2024, 8, 31))
    assert rows["2024"][2] == "7 of 12" and rows["2024"][4].startswith("Incomplete: 7 of 12")
    assert all(r[4] == "Yes" for y, r in rows.items() if y != "2024")
    chart = {r["year"]: r for r in spec(page, "season-years-spec")["data"]["values"]}
    assert chart["2024"]["count"] is None and chart["2024"]["state"] == "incomplete"
    assert "No bar, not zero: 2024 (incomplete)" in spec(page, "season-years-spec")["description"]
    assert "No verdict for 2024: 2024 is incomplete" in text_of(page)
    assert "08-25..09-05 (25 August to 5 September): incidents in" in text_of(page)
    nights = spec(page, "season-nights-spec")["data"]["values"]
    assert {r["series"] for r in nights} == {"2023", "Average night 2009–2022"}


@pytest.mark.shared_data
@needs_fire
def test_refusals_are_said_in_words(officer: Client, london_fires: str) -> None:
    """Deliberate fires from files without motive, and a Freshers' week not set, are
    refused with the reason (not errors of the form: status 200); Diwali, whose days
    move, counts each year the rows the raw file itself flags Diwali."""
    url = URL.format(slug=london_fires)
    response = officer.get(url, {"window": "diwali"})
    page = response.content.decode()
    with gzip.open(EVENTS, "rt", encoding="utf-8", newline="") as fh:
        flagged = Counter(
            r["Year"]
            for r in csv.DictReader(fh)
            if r["Borough code"] == TOWER_HAMLETS and r["Diwali"] == "1"
        )
    rows = table_rows(page, "season-years")
    assert {y: int(r[1]) for y, r in rows.items()} == {y: flagged[y] for y in rows}
    assert sum(flagged.values()) > 0 and set(flagged) <= set(rows)
    assert "Diwali (dates differ each year): incidents in" in text_of(page)
    response = officer.get(url, {"window": "diwali", "category": "outdoor-fire"})
    page = response.content.decode()
    with gzip.open(EVENTS, "rt", encoding="utf-8", newline="") as fh:
        outdoor = Counter(
            r["Year"]
            for r in csv.DictReader(fh)
            if r["Borough code"] == TOWER_HAMLETS
            and r["Diwali"] == "1"
            and r["Property Category"] in ("Outdoor", "Outdoor Structure")
        )
    rows = table_rows(page, "season-years")
    assert {y: int(r[1]) for y, r in rows.items()} == {y: outdoor[y] for y in rows}
    assert "Diwali (dates differ each year): outdoor fires in" in text_of(page)
    response = officer.get(url, {"window": "bonfire-night", "category": "deliberate"})
    assert response.status_code == 200
    assert "does not record motive" in text_of(response.content.decode())
    response = officer.get(url, {"window": "freshers-week"})
    assert response.status_code == 200
    assert "SAFERPLACES_FRESHERS_WEEKS=" in text_of(response.content.decode())


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"window": "bonfire-fortnight"},
            "Choose a window from the list ('bonfire-fortnight' is not one)",
        ),
        ({"dates": "next week"}, "Enter your own dates as month-day..month-day"),
        ({"dates": "10-29..13-40"}, "13-40 is not a day of the year"),
        ({"dates": "02-29"}, "29 February is not in every year"),
        ({"window": "", "dates": ""}, "Enter your own dates, such as 10-29..11-12, or choose"),
        (
            {"category": "burglaries-of-cars"},
            "Choose a category from the list: 'burglaries-of-cars' is not one",
        ),
    ],
)
def test_a_bad_window_or_category_is_a_400_saying_what_to_fix(
    officer: Client, west_lancashire: str, query: dict[str, str], message: str
) -> None:
    response = officer.get(URL.format(slug=west_lancashire), query)
    assert response.status_code == 400
    page = text_of(response.content.decode())
    assert "There is a problem" in page and message in page
    assert page.count(message) == 2  # in the summary and beside the field


def test_police_uk_months_answer_month_windows_only(officer: Client, west_lancashire: str) -> None:
    """Given police.uk months for West Lancashire, When the page opens (the Bonfire
    period), Then it says the data records only the month, refuses the window and links
    October-November; When October-November is shown, Then 2013 counts the raw rows of
    both months and there are no nights."""
    url = URL.format(slug=west_lancashire)
    response = officer.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    text = text_of(page)
    assert "Months only, not nights" in text and "records only the month of each incident" in text
    assert "Not counted: Bonfire period is a day window" in text
    assert 'href="?window=october-november"' in page
    response = officer.get(url, {"window": "october-november"})
    page = response.content.decode()
    want = 0
    for f in sorted((SAMPLES / "west_lancashire").glob("2013-1[01]-*.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            want += sum(1 for _ in csv.DictReader(fh))
    rows = table_rows(page, "season-years")
    assert rows["2013"] == ["October 2013 to November 2013", f"{want:,}", "Yes"]  # no nights
    assert "No nights to show: this data records only the month" in text_of(page)
    assert "season-nights-spec" not in page
