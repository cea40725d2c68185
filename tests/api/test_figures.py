"""Figures through the API are the CLI's figures: the same evidence functions, the same
guardrails (`saferplaces indicators|seasons|hotspots --format json`)."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from saferplaces.api.tokens import create_token
from saferplaces.evidence.figures import months_held
from saferplaces.evidence.scope import scope_for
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.store import IncidentStore
from saferplaces.partnership.models import Place
from tests.api.conftest import bearer
from tests.places import SAMPLES

pytestmark = pytest.mark.django_db
PLACE = "west-lancashire"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """West Lancashire's 24 sample months, imported once (read-only for the tests)."""
    root = tmp_path_factory.mktemp("api-sample-store")
    import_police_uk(IncidentStore(root), sorted(SAMPLES.glob("*.csv.gz")))
    return root


@pytest.fixture
def client(settings: Any, sample_store: Path, demo: Place) -> Client:
    settings.INCIDENT_STORE_DIR = sample_store

    user = User.objects.create_user("figures-reader", password="x-password-1")
    made = create_token(
        user, name="figures", expires_on=timezone.localdate() + datetime.timedelta(9)
    )
    return bearer(made.text)


def cli(command: str, *args: str) -> Any:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, "--format", "json", stdout=out, stderr=err)
    return json.loads(out.getvalue())


def test_place_coverage_is_the_months_held(client: Client) -> None:
    body = client.get(f"/api/places/{PLACE}/").json()
    place = Place.objects.get(slug=PLACE)
    assert body["coverage"]["months_held"] == months_held(scope_for(place))
    files = sorted(p.name[:7] for p in SAMPLES.glob("*.csv.gz"))  # independent: file names
    assert body["coverage"]["months_held"] == files
    assert body["coverage"]["latest_month_held"] == files[-1]
    assert body["coverage"]["districts"] == [place.lad_code]


def test_an_lsoa_has_no_figures_and_says_why(client: Client) -> None:
    lsoa = Place.objects.filter(kind="lsoa").first()
    assert lsoa is not None
    body = client.get(f"/api/places/{lsoa.slug}/").json()
    assert body["coverage"]["months_held"] == [] and "LSOA" in body["coverage"]["reason"]
    assert client.get(f"/api/places/{lsoa.slug}/indicators/?period=2014/15").status_code == 400


@pytest.mark.parametrize("period", ["2014/15", "2013/14"])
def test_indicators_equal_the_cli(client: Client, period: str) -> None:
    body = client.get(f"/api/places/{PLACE}/indicators/?period={period}").json()
    assert body["indicators"] == cli("indicators", "--place", "West Lancashire", "--period", period)
    assert body["period"] == period and body["sources"]
    first = body["indicators"][0]
    if period == "2013/14":  # nothing held for the year before: no verdict, and why
        assert first["previous_count"] is None and first["reason"]


def test_indicators_are_recomputed_when_an_import_lands(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    """Given 2014/15 asked (and cached) while the year before is not held, when the
    2013/14 months land, then the next answer compares with them: the cache is not stale."""
    settings.INCIDENT_STORE_DIR = tmp_path / "incidents"
    store = IncidentStore(settings.INCIDENT_STORE_DIR)
    files = sorted(SAMPLES.glob("*.csv.gz"))
    import_police_uk(store, files[12:])  # April 2014 onwards
    url = f"/api/places/{PLACE}/indicators/?period=2014/15"
    before = client.get(url).json()["indicators"][0]
    import_police_uk(store, files[:12])  # April 2013 to March 2014
    after = client.get(url).json()["indicators"][0]
    assert before["count"] is not None and before["previous_count"] is None
    assert after["previous_count"] is not None
    assert after == cli("indicators", "--place", "West Lancashire", "--period", "2014/15")[0]


def test_custom_range_and_bad_periods(client: Client) -> None:
    got = client.get(f"/api/places/{PLACE}/indicators/?from=2014-04&to=2014-09").json()
    want = cli("indicators", "--place", "West Lancashire", "--from", "2014-04", "--to", "2014-09")
    assert got["indicators"] == want
    assert client.get(f"/api/places/{PLACE}/indicators/").status_code == 400
    assert client.get(f"/api/places/{PLACE}/indicators/?period=2030/31").status_code == 400
    assert client.get(f"/api/places/{PLACE}/indicators/?period=1999/00").status_code == 404
    assert client.get("/api/places/nowhere/indicators/?period=2014/15").status_code == 404


def test_seasons_equal_the_cli(client: Client) -> None:
    body = client.get(f"/api/places/{PLACE}/seasons/?window=october-november").json()
    assert body["years"] == cli(
        "seasons", "--place", "West Lancashire", "--window", "october-november"
    )
    assert body["source"].startswith("Source:")
    refused = client.get(f"/api/places/{PLACE}/seasons/?window=bonfire-night")
    assert refused.status_code == 400  # a day window over month-level data is refused
    assert client.get(f"/api/places/{PLACE}/seasons/").status_code == 400


@pytest.mark.slow
def test_hotspots_equal_the_cli(client: Client) -> None:
    body = client.get(f"/api/places/{PLACE}/hotspots/?period=2014/15").json()
    want = cli("hotspots", "--place", "West Lancashire", "--year", "2014/15")
    assert body == json.loads(json.dumps(want))
    assert client.get(f"/api/places/{PLACE}/hotspots/?period=2014/15&years=9").status_code == 400


def test_family_equals_the_cli(client: Client) -> None:
    """Given West Lancashire's samples only, When its family is asked through the API, Then
    it is the CLI's JSON: 15 peers "no data" (never 0), no reference rate and the note."""
    body = client.get(f"/api/places/{PLACE}/family/?period=2014/15").json()
    want = cli("families", "--place", "West Lancashire", "--period", "2014/15")
    assert body == json.loads(json.dumps(want))
    assert body["national_rate_per_1000"] == "no data" and body["notes"]
    assert all(m["rate_per_1000"] == "no data" for m in body["members"][1:])
    bad = client.get(f"/api/places/{PLACE}/family/?period=2014/15&indicator=nope")
    assert bad.status_code == 400 and "Unknown indicator" in bad.content.decode()


def test_near_repeats_refuse_month_level_data(client: Client) -> None:
    """police.uk records months, not days: the Knox test is refused with the reason, and a
    malformed day is a 400 naming the field."""
    refused = client.get(f"/api/places/{PLACE}/near-repeats/?category=burglary")
    assert refused.status_code == 400 and "month" in refused.content.decode()
    bad = client.get(f"/api/places/{PLACE}/near-repeats/?category=burglary&first=5 Nov")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()
