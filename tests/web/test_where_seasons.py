"""Nights of the year (`/places/<slug>/seasons/`): the page's counts checked against the
raw London Fire Brigade files read here with csv, gzip and datetime; incomplete years
marked, never drawn as 0; refusals said in words; form errors as a 400."""

from __future__ import annotations

import html
import json
import re
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from saferplaces.partnership.models import Place
from saferplaces.reports.charts import render_svg
from tests.places import SAMPLES
from tests.where import (
    TOWER_HAMLETS,
    dwelling_days,
    event_rows,
    festival_days,
    needs_fire,
    row_count,
    text_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/places/{slug}/seasons/"


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


def test_anonymous_is_sent_to_sign_in(client: Client, west_lancashire: str) -> None:
    response = client.get(URL.format(slug=west_lancashire))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.shared_data
@needs_fire
def test_bonfire_period_year_by_year_equals_the_raw_file(
    officer: Client, london_fires: Place
) -> None:
    """Given London's fires, When the Bonfire period is shown for Tower Hamlets (the
    default window), Then each year's count in the table and in the chart equals the raw
    festival-days rows of 29 October-12 November of that year; the nights chart holds the
    latest complete year's 15 nights beside the average of the years before, night by
    night; the verdict, the motive, the notes and the source are said."""
    first = time.perf_counter()
    response = officer.get(URL.format(slug=london_fires.slug))
    first = time.perf_counter() - first
    warm = time.perf_counter()
    officer.get(URL.format(slug=london_fires.slug))
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
def test_an_incomplete_year_is_marked_never_zero(officer: Client, london_fires: Place) -> None:
    """Given the dwelling-fires file ends on 31 August 2024, When your own dates
    08-25..09-05 are shown, Then each year equals the raw rows, 2024 is marked incomplete
    (7 of 12 days) with no bar in the chart, and there is no verdict for 2024."""
    response = officer.get(URL.format(slug=london_fires.slug), {"dates": "08-25..09-05"})
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
def test_refusals_are_said_in_words(officer: Client, london_fires: Place) -> None:
    """Deliberate fires from files without motive, and a Freshers' week not set, are
    refused with the reason (not errors of the form: status 200); Diwali, whose days
    move, counts each year the rows the raw file itself flags Diwali."""
    url = URL.format(slug=london_fires.slug)
    response = officer.get(url, {"window": "diwali"})
    page = response.content.decode()
    raw = [r for _, r in event_rows() if r["Borough code"] == TOWER_HAMLETS]
    flagged = Counter(r["Year"] for r in raw if r["Diwali"] == "1")
    rows = table_rows(page, "season-years")
    assert {y: int(r[1]) for y, r in rows.items()} == {y: flagged[y] for y in rows}
    assert sum(flagged.values()) > 0 and set(flagged) <= set(rows)
    assert "Diwali (dates differ each year): incidents in" in text_of(page)
    response = officer.get(url, {"window": "diwali", "category": "outdoor-fire"})
    page = response.content.decode()
    outdoor = Counter(
        r["Year"]
        for r in raw
        if r["Diwali"] == "1" and r["Property Category"] in ("Outdoor", "Outdoor Structure")
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
    want = row_count(sorted(SAMPLES.glob("2013-1[01]-*.csv.gz")))
    rows = table_rows(page, "season-years")
    assert rows["2013"] == ["October 2013 to November 2013", f"{want:,}", "Yes"]  # no nights
    assert "No nights to show: this data records only the month" in text_of(page)
    assert "season-nights-spec" not in page
