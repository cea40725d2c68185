"""Harm weights an administrator uploads: read in the published layouts, stored whole or
not at all, one table active at a time, and used by the strategic assessment (named);
only analysts, community safety officers and staff may see the page (404 otherwise).
And the demo's strategic assessment for West Lancashire."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from saferplaces.partnership.models import Organisation, Place
from saferplaces.partnership.models.activity import ActivityEvent
from saferplaces.partnership.models.people import PersonRole
from saferplaces.strategy import assessment_demo
from saferplaces.strategy import assessments as svc
from saferplaces.strategy.gather import NO_HARM_WEIGHTS, gather
from saferplaces.strategy.harm_weights import (
    HarmWeightsUploadError,
    active_harm_weights,
    upload_harm_weights,
)
from saferplaces.strategy.models import HarmWeightsTable, StrategicAssessment
from tests.personas import client_for, make_person
from tests.strategy.test_assessment import (  # noqa: F401 (fixtures)
    _fresh_cache,
    docx_text,
    sample_store,
)

URL = "/strategy/harm-weights/"
CSS = (
    "Crime Severity Score (Experimental Statistics): offence weights\n"
    "Source: Office for National Statistics\n"
    "\n"
    "Offence code,Offence,Weight\n"
    ",VICTIM BASED CRIME,\n"
    "28,Burglary in a dwelling,439\n"
    "45,Theft from a vehicle,47\n"
    "46,Shoplifting,25\n"
    "4.4/6/8,Other theft offences,30\n"
)
MAPPING = "offence_code,category\n28,burglary\n45,vehicle-crime\n46,shoplifting\n"


@pytest.fixture
def west_lancs(request: pytest.FixtureRequest, settings: Any, demo: Place) -> Place:
    settings.INCIDENT_STORE_DIR = request.getfixturevalue("sample_store")
    return Place.objects.get(slug="west-lancashire")


@pytest.fixture
def org(db: None) -> Organisation:
    return Organisation.objects.create(
        name="West Lancashire Borough Council", slug="west-lancashire-borough-council"
    )


@pytest.fixture
def analyst_client(org: Organisation, fast_passwords: None) -> Client:
    return client_for(make_person("ana", org, first_name="Ana", role=PersonRole.ANALYST))


def _files(tmp_path: Path, weights: str = CSS) -> tuple[Path, Path]:
    w, m = tmp_path / "css.csv", tmp_path / "map.csv"
    w.write_text(weights, encoding="utf-8")
    m.write_text(MAPPING, encoding="utf-8")
    return w, m


def _chi_xlsx(path: Path) -> Path:
    """The Cambridge Crime Harm Index as published: title rows above the header."""
    book = openpyxl.Workbook()
    ws = book.create_sheet("CHI", 0)
    ws.append(["The Cambridge Crime Harm Index"])
    ws.append(["Days of imprisonment, Sentencing Council starting points"])
    ws.append([])
    ws.append(["HO Code", "Offence", "CHI days"])
    ws.append([28, "Burglary dwelling", 365])
    ws.append([45, "Theft from vehicle", 2])
    ws.append([46, "Shoplifting", 1])
    book.save(path)
    return path


def _post(c: Client, weights: Path, mapping: Path, index: str = "ons-css") -> Any:
    return c.post(URL, {
        "index": index, "year": "2020",
        "weights_file": SimpleUploadedFile(weights.name, weights.read_bytes()),
        "mapping_file": SimpleUploadedFile(mapping.name, mapping.read_bytes()),
    })  # fmt: skip


@pytest.mark.django_db
def test_an_uploaded_table_weighs_the_assessment(
    analyst_client: Client, west_lancs: Place, tmp_path: Path
) -> None:
    """Given the ONS weights in their published layout and an offence mapping, when an
    analyst uploads them, then the table is stored, active and listed, the assessment's
    harm view and scores use it by name, and an activity event is kept."""
    weights, mapping = _files(tmp_path)
    assert active_harm_weights() is None
    r = _post(analyst_client, weights, mapping)
    assert r.status_code == 302
    t = HarmWeightsTable.objects.get()
    assert t.active and t.name == "ONS Crime Severity Score offence weights"
    assert t.categories == {"burglary": 439.0, "vehicle-crime": 47.0, "shoplifting": 25.0}
    assert t.unmapped_offences == ["4.4", "4.6", "4.8"] and "unweighted mean" in t.aggregation
    assert ActivityEvent.objects.filter(verb="uploaded", object_id=str(t.pk)).exists()
    page = analyst_client.get(URL).content.decode()
    assert "ONS Crime Severity Score offence weights" in page and "Active" in page

    hw = active_harm_weights()
    assert hw is not None and hw.is_official and hw.year == "2020"
    g = gather(west_lancs, "2014/15", hw)
    assert g.harm.weighted and g.harm.rows[0].category == "burglary"
    assert all(row.weights_name == t.name for row in g.harm.rows)

    a = analyst_client.post(f"/places/{west_lancs.slug}/assessments/new/", {"year": "2014/15"})
    assert a.status_code == 302
    sa = StrategicAssessment.objects.get(place=west_lancs)
    analyst_client.post(f"/places/{west_lancs.slug}/assessments/{sa.pk}/score/")
    assert "ONS Crime Severity Score" in sa.candidates.get(slug="burglary").reasons["harm"]
    detail = analyst_client.get(f"/places/{west_lancs.slug}/assessments/{sa.pk}/")
    text = detail.content.decode()
    assert "Categories by harm (ONS Crime Severity Score offence weights" in text
    assert NO_HARM_WEIGHTS not in text


@pytest.mark.django_db
def test_a_new_upload_replaces_the_active_table(org: Organisation, tmp_path: Path) -> None:
    """Given an active ONS table, when the Cambridge index (XLSX) is uploaded, then it is
    the one active table and the ONS one is kept, inactive."""
    weights, mapping = _files(tmp_path)
    first = upload_harm_weights(None, weights, "ons-css", "2020", mapping)
    second = upload_harm_weights(None, _chi_xlsx(tmp_path / "chi.xlsx"), "chi", "2016", mapping)
    first.refresh_from_db()
    assert not first.active and second.active
    assert HarmWeightsTable.objects.filter(active=True).count() == 1
    hw = active_harm_weights()
    assert hw is not None and hw.name == "Cambridge Crime Harm Index"
    assert hw.unit == "days of imprisonment" and hw.weight_for("burglary") == 365.0


@pytest.mark.django_db
def test_a_bad_file_is_named_by_line_and_nothing_stored(
    analyst_client: Client, tmp_path: Path
) -> None:
    """Given a weights file with a weight that is not a number on line 8, when it is
    uploaded, then the page names the file and line in an error summary and nothing is
    stored; a bad mapping is named the same way."""
    weights, mapping = _files(tmp_path, CSS.replace("46,Shoplifting,25", "46,Shoplifting,lots"))
    r = _post(analyst_client, weights, mapping)
    assert r.status_code == 400
    page = r.content.decode()
    assert "govuk-error-summary" in page and "css.csv:8" in page
    assert not HarmWeightsTable.objects.exists() and active_harm_weights() is None
    weights, _ = _files(tmp_path)
    mapping.write_text("offence_code,category\n28,burglary\n45,no-such-category\n")
    with pytest.raises(HarmWeightsUploadError, match=r"map\.csv:3"):
        upload_harm_weights(None, weights, "ons-css", "2020", mapping)
    assert not HarmWeightsTable.objects.exists()
    r = analyst_client.post(URL, {})
    assert r.status_code == 400 and "Select the harm weights file" in r.content.decode()


@pytest.mark.django_db
def test_others_get_404(org: Organisation, fast_passwords: None, tmp_path: Path) -> None:
    """Given a board member, when they open or post to the page, then 404; a visitor who
    is not signed in is sent to sign in."""
    board = client_for(make_person("bob", org, first_name="Bob", role=PersonRole.BOARD_MEMBER))
    assert board.get(URL).status_code == 404
    weights, mapping = _files(tmp_path)
    assert _post(board, weights, mapping).status_code == 404
    assert not HarmWeightsTable.objects.exists()
    assert Client().get(URL).status_code == 302


# ------------------------------------------------------------------ the demo assessment


@pytest.mark.django_db
def test_demo_does_nothing_without_incident_data(demo: Place) -> None:
    """Given the demo's places and an empty incident store, when the demo assessment is
    loaded, then nothing is made."""
    assert assessment_demo.load() == {"assessments": 0}
    assert not StrategicAssessment.objects.exists()


@pytest.mark.django_db
def test_demo_assessment_is_scored_with_a_partner_section(
    west_lancs: Place, org: Organisation, fast_passwords: None
) -> None:
    """Given West Lancashire's sample imported and the demo's officer, when the demo
    assessment is loaded twice, then one 2014/15 assessment exists, scored and ranked,
    with one illustrative section written by the officer, and no document."""
    officer = make_person("officer", org, first_name="Alex")
    first = assessment_demo.load()
    assert first["assessments"] == 1 and first["candidates"] > 0 and first["sections"] == 1
    assert assessment_demo.load() == {"assessments": 0, "candidates": 0, "sections": 0}
    a = StrategicAssessment.objects.get()
    assert (a.place, a.year) == (west_lancs, "2014/15") and not a.signed_off
    assert a.candidates.count() == first["candidates"]
    assert svc.rank(a)[0].rank == 1
    section = a.sections.get()
    assert section.written_by == officer.user and section.organisation == org
    assert "illustrative" in section.text.lower()
    assert not a.versions.exists()


@pytest.mark.django_db
def test_the_cli_uses_the_active_table_by_default(west_lancs: Place, tmp_path: Path) -> None:
    """Given an active uploaded table, when the assessment is built from the command line
    without --harm-weights, then its harm scores and document come from that table."""
    weights, mapping = _files(tmp_path)
    upload_harm_weights(None, weights, "ons-css", "2020", mapping)
    out = tmp_path / "sa.docx"
    call_command("assessment", "build", "--place", "West Lancashire", "--year", "2014/15",
                 "--output", str(out), stdout=io.StringIO())  # fmt: skip
    burglary = StrategicAssessment.objects.get().candidates.get(slug="burglary")
    assert "ONS Crime Severity Score" in burglary.reasons["harm"]
    text = docx_text(out)
    assert "ONS Crime Severity Score offence weights" in text and NO_HARM_WEIGHTS not in text
