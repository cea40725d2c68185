"""Any partnership in England and Wales, from a fresh install without the demo."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from saferplaces.evidence.services import import_files
from saferplaces.insight.geography import lsoa_names, lsoa_to_district, lsoas_of
from saferplaces.partnership.geography import load_geography
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.django_db

HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
          "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category",
          "Context"]  # fmt: skip
NEWCASTLE, GATESHEAD = "E08000021", "E08000037"
TYPES = ["Burglary", "Vehicle crime", "Anti-social behaviour", "Criminal damage and arson"]


def northumbria_file(folder: Path, month: str, per_lsoa: int) -> tuple[Path, dict[str, int]]:
    """A police.uk street file as Northumbria Police publishes it: `per_lsoa` rows in each
    of Newcastle's and Gateshead's LSOAs, crime types in turn. Returns the file and the
    count of crimes (not ASB) per district, made here independently."""
    names = lsoa_names()
    crimes = {NEWCASTLE: 0, GATESHEAD: 0}
    path = folder / f"{month}-northumbria-street.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        n = 0
        for district in (NEWCASTLE, GATESHEAD):
            for lsoa in lsoas_of(district):
                for _ in range(per_lsoa):
                    kind = TYPES[n % len(TYPES)]
                    crime_id = "" if kind == "Anti-social behaviour" else f"{month}{n:058x}"
                    outcome = "Under investigation" if crime_id else ""
                    writer.writerow([crime_id, month, "Northumbria Police", "Northumbria Police",
                                     "-1.6", "54.97", "On or near Somewhere", lsoa, names[lsoa],
                                     kind, outcome, ""])  # fmt: skip
                    crimes[district] += bool(crime_id)
                    n += 1
    return path, crimes


def test_another_forces_districts_get_their_figures_and_maps(tmp_path: Path) -> None:
    """Given a fresh install with the reference geography and no demo, When Northumbria's
    police.uk months are imported, Then Newcastle upon Tyne has its own figures on the
    CLI (counted as made here), Gateshead too, Northumberland (same force, no rows) has no
    data, and Newcastle's dashboard shows its LSOA map."""
    load_geography(force_areas=["E23000007"])
    before, _ = northumbria_file(tmp_path, "2021-03", 1)
    after, crimes = northumbria_file(tmp_path, "2022-03", 2)
    import_files("police-uk", [before, after])

    def indicators(place: str) -> dict[str, dict[str, object]]:
        out = io.StringIO()
        call_command("indicators", "--place", place, "--period", "2022-03", "--format", "json",
                     stdout=out)  # fmt: skip
        return {r["indicator"]: r for r in json.loads(out.getvalue())}

    newcastle = indicators("Newcastle upon Tyne")["all-crime"]
    assert newcastle["count"] == crimes[NEWCASTLE] and newcastle["months"] == ["2022-03"]
    assert newcastle["previous_months"] == ["2021-03"] and newcastle["rate_per_1000"]
    assert indicators("Gateshead")["all-crime"]["count"] == crimes[GATESHEAD]
    assert indicators("Northumberland")["all-crime"]["count"] is None
    force = indicators("Northumbria police")["all-crime"]
    assert force["count"] == crimes[NEWCASTLE] + crimes[GATESHEAD] and force["partial"] is True

    user = get_user_model().objects.create_user("analyst", password="x-password-1")
    client = Client()
    client.force_login(user)
    page = client.get("/places/newcastle-upon-tyne/dashboard/", {"period": "2022-03"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-count="all-crime">{crimes[NEWCASTLE]:,} ' in html
    assert "Northumbria force" in html
    geo = client.get("/places/newcastle-upon-tyne/map.geojson")
    features = json.loads(b"".join(geo.streaming_content))["features"]
    assert sum(f["properties"]["kind"] == "lsoa" for f in features) == len(lsoas_of(NEWCASTLE))


LANCASHIRE_2014 = SHARED_DATA / "police_uk_street" / "lancashire"


@pytest.mark.slow
@pytest.mark.skipif(not LANCASHIRE_2014.is_dir(), reason="shared data folder is absent")
def test_a_whole_force_covers_every_district_of_its_county(tmp_path: Path) -> None:
    """Given Lancashire Constabulary's whole files for January to March 2014 (real data,
    some rows over the border in Wigan and Sefton), When the county is asked for, Then all
    12 districts are counted with no partial coverage, the total equals a csv-module count,
    and Wigan (Greater Manchester's) gets no figure from Lancashire's stray rows."""
    load_geography(force_areas=["E23000003", "E23000005"])
    files = sorted(LANCASHIRE_2014.glob("2014-0[1-3]-lancashire-street.csv.gz"))
    import_files("police-uk", files)
    out = io.StringIO()
    call_command("indicators", "--place", "Lancashire", "--from", "2014-01", "--to", "2014-03",
                 "--format", "json", stdout=out)  # fmt: skip
    county = {r["indicator"]: r for r in json.loads(out.getvalue())}["all-crime"]
    assert county["partial"] is False and len(county["districts"]) == 12
    county_codes = set(county["districts"])
    expected = 0
    ids: set[str] = set()
    to_district = lsoa_to_district()
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["Crime type"] == "Anti-social behaviour":
                    continue
                if to_district.get(row["LSOA code"]) in county_codes and row["Crime ID"] not in ids:
                    ids.add(row["Crime ID"])
                    expected += 1
    assert county["count"] == expected
    out = io.StringIO()
    call_command("indicators", "--place", "Wigan", "--from", "2014-01", "--to", "2014-03",
                 "--format", "json", stdout=out)  # fmt: skip
    assert {r["indicator"]: r for r in json.loads(out.getvalue())}["all-crime"]["count"] is None
