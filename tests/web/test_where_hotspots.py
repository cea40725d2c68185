"""The hot spots page (`/places/<slug>/hotspots/`): its three layers checked against the
evidence layer and, for harm, against counts made from the raw police.uk sample with csv;
excluded LSOAs marked as left out (never cold, never 0); no data said in words; bad input
a 400 with the GOV.UK error summary."""

from __future__ import annotations

import csv
import html as htmllib
import io
import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from saferplaces.evidence.hotspots import find_indicator, place_hotspots
from saferplaces.insight.geography import lsoa_population, lsoa_to_district, lsoas_of
from saferplaces.insight.harm import illustrative_weights
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.periods import financial_year
from saferplaces.insight.store import IncidentStore
from saferplaces.partnership.models import Place
from tests.places import SAMPLES
from tests.where import (
    FY_2014,
    WEIGHTS,
    WEST_LANCS,
    police_crimes,
    text_of,
    upload_weights,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

URL = "/places/{slug}/hotspots/"
CHORLEY = "E07000118"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """West Lancashire's 24 sample months imported once (read-only for the tests)."""
    root = tmp_path_factory.mktemp("hotspot-store")
    import_police_uk(IncidentStore(root), sorted(SAMPLES.glob("*.csv.gz")))
    return root


@pytest.fixture
def imported(settings: Any, sample_store: Path, demo: Place) -> Place:
    settings.INCIDENT_STORE_DIR = sample_store
    return Place.objects.get(slug="west-lancashire")


def _get(c: Client, slug: str = "west-lancashire", **query: str) -> tuple[int, str]:
    response = c.get(URL.format(slug=slug), query)
    return response.status_code, response.content.decode()


def _map_values(page: str) -> dict[str, Any]:
    m = re.search(r'<script id="where-map-values" type="application/json">(.*?)</script>',
                  page, re.S)  # fmt: skip
    assert m, "no map values"
    found: dict[str, Any] = json.loads(m.group(1))
    return found


def test_anonymous_is_sent_to_sign_in(client: Client, imported: Place) -> None:
    """Given no sign-in, when the page or its CSV is asked for, then sign in first."""
    for query in ("", "?download=csv"):
        response = client.get(URL.format(slug="west-lancashire") + query)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


def test_hot_spots_layer_of_the_demo(officer: Client, imported: Place) -> None:
    """Given the sample, when the page is opened with no query
    Then it shows all crime in 2014/15 (the dashboard's default period): every one of
    the 73 LSOAs coloured by its Gi* class from place_hotspots, the legend in words,
    the text alternative the map is described by, the table with the significant LSOAs
    first, and the method, limitations and sources."""
    status, page = _get(officer)
    assert status == 200
    report = place_hotspots(imported, financial_year(2014), find_indicator("all-crime"))
    rows = {r["code"]: r for r in report.rows()}
    values = _map_values(page)
    assert values["layer"] == "hotspots"
    assert set(values["lsoas"]) == set(rows) == set(lsoas_of(WEST_LANCS))
    colours = {e["spot"]: e["colour"] for e in report.summary()["legend"]}
    for code, v in values["lsoas"].items():
        assert v["fill"] == colours[rows[code]["spot"]]
        assert rows[code]["legend"] in v["tip"]
    # the map is an image described by the text alternative, shown on the page
    assert 'role="img"' in page and 'aria-describedby="where-map-text"' in page
    assert 'id="where-map-text"' in page
    text = text_of(page)
    assert report.text_alternative() in text
    for entry in report.summary()["legend"]:
        assert entry["label"] in text
    assert report.summary()["legend_note"] in text
    # the table: significant first, then the rest, every LSOA once
    order = re.findall(r'data-code="(E\d+)" data-spot="([a-z0-9-]+)"', page)
    assert sorted(c for c, _ in order) == sorted(rows)
    spots = [s for _, s in order]
    significant = [s for s in spots if s not in ("not-significant", "excluded")]
    assert significant and spots[: len(significant)] == significant
    assert sum(1 for r in rows.values() if r["spot"].startswith("hot")) == sum(
        1 for s in significant if s.startswith("hot")
    )
    # method, limitations, sources
    assert "Getis-Ord Gi*" in text and "Benjamini-Hochberg" in text
    assert "no street-level precision" in text
    assert "Where the figures come from" in text and "police.uk" in text
    assert report.summary()["sources"][0] in text
    assert "where_map.js" in page and "where_hotspots.css" in page
    assert page.count("<script>") == 1  # only the layout's hashed js-enabled snippet


def test_the_csv_holds_every_lsoa(officer: Client, imported: Place) -> None:
    """The CSV download has one row per LSOA with its class, the page's figures."""
    response = officer.get(URL.format(slug="west-lancashire"), {"download": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    report = place_hotspots(imported, financial_year(2014), find_indicator("all-crime"))
    expected = {r["code"]: r for r in report.rows()}
    assert {r["code"] for r in rows} == set(expected)
    for r in rows:
        assert r["spot"] == expected[r["code"]]["spot"]
        assert int(r["count"]) == expected[r["code"]]["count"]


def test_excluded_lsoas_are_marked_left_out(officer: Client, imported: Place) -> None:
    """Given data for West Lancashire only, when Lancashire county's hot spots are shown,
    then Chorley's LSOAs are hatched (not coloured cold), their reason in the tooltip
    and in the table, and none has a count of 0."""
    county = Place.objects.filter(kind="county", name__icontains="Lancashire").first()
    assert county is not None
    status, page = _get(officer, county.slug, period="2014/15")
    assert status == 200
    values = _map_values(page)
    chorley = set(lsoas_of(CHORLEY))
    assert chorley <= set(values["lsoas"])
    for code in chorley:
        assert values["lsoas"][code]["fill"] == "hatch"
        assert "left out (no data for Chorley in 2014/15)" in values["lsoas"][code]["tip"]
    marked = dict(re.findall(r'data-code="(E\d+)" data-spot="([a-z0-9-]+)"', page))
    assert all(marked[c] == "excluded" for c in chorley)
    row = page.split(f'data-code="{next(iter(sorted(chorley)))}"')[1].split("</tr>")[0]
    assert "Left out" in row and "no data for Chorley" in row and "No data" in row
    assert ">0<" not in row
    west = [v for c, v in values["lsoas"].items() if c in set(lsoas_of(WEST_LANCS))]
    assert west and all(v["fill"] != "hatch" for v in west)


def test_three_years_show_the_pattern(officer: Client, imported: Place) -> None:
    """Given 2013/14 and 2014/15 held, when 3 years are asked for, then the refusal of
    2012/13 is a note, and each LSOA's pattern is the report's."""
    status, page = _get(officer, period="2014/15", years="3")
    assert status == 200
    report = place_hotspots(imported, financial_year(2014), find_indicator("all-crime"), years=3)
    text = text_of(page)
    assert "Pattern over 3 years" in text
    assert report.notes and all(htmllib.unescape(n) in text for n in report.notes)
    labels = {r["pattern_label"] for r in report.rows() if r["pattern_label"]}
    assert labels and all(label in text for label in labels)


def test_a_place_with_no_data_says_so(officer: Client, imported: Place) -> None:
    """Given no data for Chorley, then each layer says no data in words: no map, no 0."""
    for layer in ("hotspots", "density"):
        status, page = _get(officer, "chorley", period="2014/15", layer=layer)
        assert status == 200
        assert "No data for Chorley in 2014/15" in text_of(page)
        assert 'id="where-map"' not in page


def test_no_data_held_at_all(officer: Client, demo: Place) -> None:
    """Given nothing imported, then the page says no data is held."""
    status, page = _get(officer)
    assert status == 200
    assert "No data held" in page and 'id="where-map"' not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"years": "2"}, "Choose 1, 3 or 5 years"),
        ({"layer": "heat"}, "Choose hot spots, density or harm as the map layer"),
        ({"indicator": "nonsense"}, "Choose an indicator or category from the list"),
        ({"period": "someday"}, "Enter a period such as 2014/15"),
    ],
)
def test_bad_input_is_a_400_saying_what_to_fix(
    officer: Client, imported: Place, query: dict[str, str], message: str
) -> None:
    status, page = _get(officer, **query)
    assert status == 400
    assert "govuk-error-summary" in page and message in page
    assert "<title>Error:" in page.replace("\n", "")


def test_density_layer(officer: Client, imported: Place) -> None:
    """The density layer draws the bands over the LSOA outlines, names the method and
    bandwidth and shows its limitation."""
    status, page = _get(officer, period="2014/15", layer="density")
    assert status == 200
    values = _map_values(page)
    assert values["layer"] == "density" and values["bands"]["features"]
    bands = [f["properties"]["band"] for f in values["bands"]["features"]]
    assert bands == sorted(bands)
    text = text_of(page)
    assert "Gaussian kernel density estimate" in text and "bandwidth" in text
    assert "anonymised points" in text


def test_density_error_is_a_message(officer: Client, imported: Place, monkeypatch: Any) -> None:
    """A DensityError (too few points) is said in words, not a server error."""
    from saferplaces.insight.density import DensityError
    from saferplaces.web.where import hotspots as view

    def too_few(*args: object, **kwargs: object) -> object:
        raise DensityError("Too few mapped incidents (3) for a density surface")

    monkeypatch.setattr(view, "density_for", too_few)
    status, page = _get(officer, period="2014/15", layer="density")
    assert status == 200
    assert "No density map: Too few mapped incidents (3)" in text_of(page)
    assert 'id="where-map"' not in page


def test_harm_without_weights_links_to_the_upload(officer: Client, imported: Place) -> None:
    """Given no harm weights loaded, then the harm layer says so, links to the harm
    weights page and draws no map."""
    status, page = _get(officer, layer="harm")
    assert status == 200
    assert "No harm weights are loaded" in page
    assert 'href="/strategy/harm-weights/"' in page
    assert 'id="where-map"' not in page


def test_harm_layer_matches_the_raw_files(officer: Client, imported: Place, tmp_path: Path) -> None:
    """Given ONS-layout weights for burglary, vehicle crime and shoplifting uploaded
    When the harm layer of all crime, 2014/15, is shown
    Then each LSOA's harm per 1,000 (table and map) is Σ crimes × weight / residents ×
    1,000 counted here from the CSV files; the weights are named; the crime types with
    no weight are named as left out."""
    upload_weights(tmp_path)
    status, page = _get(officer, period="2014/15", layer="harm")
    assert status == 200
    lookup = lsoa_to_district()
    raw: dict[str, Counter[str]] = {}  # crime type → crimes per LSOA, counted from the files
    for row in police_crimes(sorted(SAMPLES.glob("*.csv.gz")), FY_2014):
        if lookup.get(row["LSOA code"]) == WEST_LANCS:
            raw.setdefault(row["Crime type"], Counter())[row["LSOA code"]] += 1
    shown = dict(re.findall(r'data-harm-rate="(E\d+)">([^<]+)<', page))
    assert set(shown) == set(lsoas_of(WEST_LANCS))
    for code, figure in shown.items():
        harm = math.fsum(raw.get(t, Counter())[code] * wt for t, wt in WEIGHTS.items())
        expected = 1000.0 * harm / (lsoa_population(code, 2014) or 0)
        assert float(figure.replace(",", "")) == pytest.approx(expected, abs=0.051)
    values = _map_values(page)
    assert values["layer"] == "harm" and len(values["lsoas"]) == 73
    assert all(v["fill"].startswith("#") for v in values["lsoas"].values())
    text = text_of(page)
    assert "ONS Crime Severity Score offence weights (Office for National Statistics, 2020)" in text
    assert "includes categories with no weight" in text and "Other theft" in text
    assert "not weighted 0" in text
    assert "not an official index" not in text


def test_illustrative_weights_are_said_not_official(
    officer: Client, imported: Place, monkeypatch: Any
) -> None:
    """Weights that are not the published index are named as such on the page."""
    from saferplaces.web.where import hotspots as view

    fake = illustrative_weights({"burglary": 10.0}, source="the tests", year="2026")
    monkeypatch.setattr(view, "active_harm_weights", lambda: fake)
    status, page = _get(officer, period="2014/15", layer="harm")
    assert status == 200
    text = text_of(page)
    assert "These are not official weights" in text and "not an official index" in text


def test_the_warm_page_does_not_recompute_gi_star(
    officer: Client, imported: Place, monkeypatch: Any
) -> None:
    """Once the page was shown, the same page is served without running Gi* again."""
    from saferplaces.evidence import hotspots as evidence

    assert _get(officer, period="2014/15")[0] == 200

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("Gi* recomputed")

    monkeypatch.setattr(evidence, "hotspots", refuse)
    assert _get(officer, period="2014/15")[0] == 200
