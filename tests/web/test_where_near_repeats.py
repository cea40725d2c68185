"""Near repeats (`/places/<slug>/near-repeats/`): the Knox table on the page checked
against the evidence function's cells and against every pair of the raw London Fire
Brigade file counted one by one; police.uk months refused in words; form errors a 400."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from django.test import Client

from saferplaces.evidence.near_repeat import near_repeats
from saferplaces.evidence.scope import scope_for
from saferplaces.partnership.models import Place
from tests.insight.test_near_repeat import brute_force, dwelling_fires
from tests.where import TOWER_HAMLETS, needs_fire, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/places/{slug}/near-repeats/"
CELL = re.compile(
    r'<td class="govuk-table__cell sp-knox__cell[^"]*" headers="(knox-row-\d+ knox-col-\d+)" '
    r'data-row="(\d+)" data-column="(\d+)" data-observed="(\d+)" data-expected="([^"]+)" '
    r'data-p="([^"]+)" data-elevated="(yes|no)">(.*?)</td>',
    re.S,
)


def header(page: str, dom_id: str) -> str:
    m = re.search(rf'<th scope="(?:row|col)" class="[^"]*" id="{dom_id}">(.*?)</th>', page, re.S)
    assert m, f"no header {dom_id}"
    return text_of(m.group(1)).strip()


def test_anonymous_is_sent_to_sign_in(client: Client, west_lancashire: str) -> None:
    response = client.get(URL.format(slug=west_lancashire))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.shared_data
@needs_fire
def test_the_knox_table_is_the_evidence_functions_cells(
    officer: Client, london_fires: Place
) -> None:
    """Given London's fires, When near repeats of dwelling fires in Tower Hamlets in 2019
    are asked, Then every cell of the page's table (observed, expected, p, marked or not)
    is the evidence function's cell, the observed pairs equal the raw file's pairs counted
    one by one, the 1–100 m / 0–7 days cell is headed by labels naming exactly its metres
    and days, a marked cell says so in words, and the readings, the method (999 shuffles,
    seed 1), the notes and the source are shown."""
    url = URL.format(slug=london_fires.slug)
    query = {"category": "dwelling-fire", "first": "2019-01-01", "last": "2019-12-31"}
    response = officer.get(url, query)
    assert response.status_code == 200
    page = response.content.decode()
    answer = near_repeats(
        scope_for(london_fires), "dwelling-fire", first=date(2019, 1, 1), last=date(2019, 12, 31)
    )
    found = CELL.findall(page)
    cells = answer.result.cells()
    assert len(found) == len(cells) == 28
    for (heads, row, col, observed, expected, p, elevated, body), c in zip(
        found, cells, strict=True
    ):
        assert (int(row), int(col), int(observed)) == (c.row, c.column, c.observed)
        assert heads == f"knox-row-{c.row} knox-col-{c.column}"
        assert float(expected) == pytest.approx(c.expected) and float(p) == pytest.approx(c.p_value)
        assert elevated == ("yes" if c.elevated else "no")
        assert ("More than chance" in body) is c.elevated
        assert f"p = {c.p_value:.3f}" in text_of(body)
    columns = len(answer.result.time_labels)
    events = dwelling_fires(TOWER_HAMLETS, date(2019, 1, 1), date(2019, 12, 31))
    want = brute_force(events, answer.result.space_labels, answer.result.time_labels)
    assert [
        [int(f[3]) for f in found[r * columns : (r + 1) * columns]] for r in range(len(want))
    ] == want
    assert header(page, "knox-row-1") == "1–100 m 1 m ≤ d ≤ 100 m"
    assert header(page, "knox-col-0") == "0–7 days 0 ≤ Δ ≤ 7 days (8 values)"
    assert header(page, "knox-row-6") == "more than 500 m d ≥ 501 m"
    text = text_of(page)
    for reading in answer.result.readings():
        assert reading in text
    assert "mean over 999 random shuffles of the dates among the locations (seed 1)" in text
    assert "nearest 50 m" in text and "not added in" in text
    assert answer.source_line in text


@pytest.mark.shared_data
@needs_fire
def test_the_default_category_over_every_day_held_first_and_warm(
    officer: Client, london_fires: Place
) -> None:
    """Given no query, Then dwelling fires are tested over every day the file holds (the
    first time computed, then from the cache)."""
    url = URL.format(slug=london_fires.slug)
    first = time.perf_counter()
    response = officer.get(url)
    first = time.perf_counter() - first
    warm = time.perf_counter()
    again = officer.get(url)
    warm = time.perf_counter() - warm
    print(f"near-repeats page Tower Hamlets, all days: first {first:.2f} s, warm {warm:.3f} s")
    assert response.status_code == again.status_code == 200
    text = text_of(response.content.decode())
    assert "Near repeats of dwelling fires in Tower Hamlets" in text
    events = dwelling_fires(TOWER_HAMLETS, date(2009, 1, 1), date(2024, 12, 31))
    assert f"{len(events):,} dated, located incidents" in text


def test_police_uk_months_are_refused_in_words(officer: Client, west_lancashire: str) -> None:
    """Given police.uk months, When near repeats of burglary are asked, Then the page
    (status 200, not an error) says police.uk records only the month of each crime and
    what the test needs, and shows no table."""
    response = officer.get(URL.format(slug=west_lancashire), {"category": "burglary"})
    assert response.status_code == 200
    page = response.content.decode()
    text = text_of(page)
    assert "Not tested:" in text and "records only the month of each crime" in text
    assert "needs each incident's own date" in text
    assert "knox-table" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"category": "burglaries-of-cars"},
            "Choose a category from the list: 'burglaries-of-cars' is not one",
        ),
        ({"category": "burglary", "first": "2013-02-30"}, "The first day must be a real date"),
        (
            {"category": "burglary", "first": "2013-11-01", "last": "2013-10-01"},
            "The last day must be the same as or after the first day",
        ),
    ],
)
def test_a_bad_category_or_date_is_a_400_saying_what_to_fix(
    officer: Client, west_lancashire: str, query: dict[str, str], message: str
) -> None:
    response = officer.get(URL.format(slug=west_lancashire), query)
    assert response.status_code == 400
    text = text_of(response.content.decode())
    assert "There is a problem" in text and text.count(message) == 2
