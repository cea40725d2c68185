"""Assessment pages: any signed-in user reads; analysts, community safety officers and
staff edit; others get 404 for forms; the forms' errors are GOV.UK error summaries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from saferplaces.partnership.models import Organisation, Place
from saferplaces.partnership.models.people import PersonRole
from saferplaces.strategy.models import (
    PriorityCandidate,
    ScoreOverride,
    StrategicAssessment,
    SurveyResult,
)
from tests.personas import client_for, make_person
from tests.strategy.test_assessment import (  # noqa: F401 (fixtures)
    SURVEY,
    _fresh_cache,
    sample_store,
)

BASE = "/places/west-lancashire/assessments/"


@pytest.fixture
def west_lancs(request: pytest.FixtureRequest, settings: Any, demo: Place) -> Place:
    """West Lancashire with the sample months imported (the store shared with
    test_assessment)."""
    settings.INCIDENT_STORE_DIR = request.getfixturevalue("sample_store")
    return Place.objects.get(slug="west-lancashire")


@pytest.fixture
def org(db: None) -> Organisation:
    return Organisation.objects.create(name="West Lancashire Borough Council", slug="wlbc")


@pytest.fixture
def analyst_client(org: Organisation, fast_passwords: None) -> Client:
    return client_for(make_person("ana", org, first_name="Ana", role=PersonRole.ANALYST))


@pytest.fixture
def reader_client(org: Organisation, fast_passwords: None) -> Client:
    return client_for(make_person("rea", org, first_name="Rea", role=PersonRole.BOARD_MEMBER))


def test_an_analyst_walks_from_new_to_signed_off(
    analyst_client: Client, reader_client: Client, west_lancs: Place, org: Organisation
) -> None:
    """Given an analyst, when they start an assessment, add a survey and a partner's
    section, score, override with a reason, make both documents and sign off, then every
    step shows on the page and a board member can read it and download the documents."""
    c = analyst_client
    r = c.post(f"{BASE}new/", {"year": "2014/15"})
    assert r.status_code == 302
    a = StrategicAssessment.objects.get()
    url = f"{BASE}{a.pk}/"
    upload = SimpleUploadedFile("living.csv", SURVEY.encode(), content_type="text/csv")
    r = c.post(f"{url}survey/", {"survey": "Living in Lancashire", "file": upload})
    assert r.status_code == 302 and SurveyResult.objects.count() == 2
    r = c.post(f"{url}sections/new/", {"organisation": org.pk, "title": "Licensing",
                                       "text": "Night-time economy is quieter."})  # fmt: skip
    assert r.status_code == 302
    assert c.post(f"{url}score/").status_code == 302
    cand = PriorityCandidate.objects.get(assessment=a, slug="burglary")
    r = c.post(f"{url}candidates/{cand.pk}/override/",
               {"criterion": "vulnerability", "score": "5", "reason": ""})  # fmt: skip
    assert r.status_code == 400
    assert "govuk-error-summary" in r.content.decode()
    assert "Enter the reason for changing the score" in r.content.decode()
    assert not ScoreOverride.objects.exists()
    r = c.post(f"{url}candidates/{cand.pk}/override/",
               {"criterion": "vulnerability", "score": "5", "reason": "Older victims"})  # fmt: skip
    assert r.status_code == 302
    for fmt in ("docx", "pdf"):
        assert c.post(f"{url}build/{fmt}/").status_code == 302
    page = c.get(url).content.decode()
    for text in ("All crime", "41% ± 4.2", "Licensing", "Older victims", "changed by ana",
                 "No official harm weights", "Word version 1", "PDF version 1"):  # fmt: skip
        assert text in page, text
    r = c.post(f"{url}sign-off/", {})
    assert r.status_code == 400
    assert c.post(f"{url}sign-off/", {"confirm": "on"}).status_code == 302
    a.refresh_from_db()
    assert a.signed_off
    page = reader_client.get(url).content.decode()
    assert "Signed off by ana" in page and "Score the priorities" not in page
    page = c.get(url).content.decode()
    assert "Draft: made before sign-off" in page  # the earlier versions say what they are
    assert "Make a Word document" in page  # and a signed-off version can still be made
    assert c.post(f"{url}build/docx/").status_code == 302
    assert page.count("Draft: made before sign-off") == 2
    v = a.versions.get(format="pdf")
    r = reader_client.get(f"{url}documents/{v.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_survey_problems_are_named_on_the_form(analyst_client: Client, west_lancs: Place) -> None:
    a = StrategicAssessment.objects.create(place=west_lancs, year="2014/15",
                                           start="2014-04-01", end="2015-03-01")  # fmt: skip
    bad = SimpleUploadedFile("bad.csv", (SURVEY + "Q,West Lancashire,Yes,abc,10\n").encode())
    r = analyst_client.post(f"{BASE}{a.pk}/survey/", {"survey": "S", "file": bad})
    assert r.status_code == 400
    assert "bad.csv:4" in r.content.decode() and not SurveyResult.objects.exists()


def test_readers_read_but_cannot_edit(
    reader_client: Client, west_lancs: Place, tmp_path: Path
) -> None:
    a = StrategicAssessment.objects.create(place=west_lancs, year="2014/15",
                                           start="2014-04-01", end="2015-03-01")  # fmt: skip
    assert reader_client.get(BASE).status_code == 200
    assert reader_client.get(f"{BASE}{a.pk}/").status_code == 200
    for path in ("new/", f"{a.pk}/sections/new/", f"{a.pk}/survey/", f"{a.pk}/sign-off/"):
        assert reader_client.get(BASE + path).status_code == 404, path
    assert reader_client.post(f"{BASE}{a.pk}/score/").status_code == 404
    anonymous = Client().get(f"{BASE}{a.pk}/")
    assert anonymous.status_code == 302 and "sign-in" in anonymous["Location"]


def test_bad_year_is_an_error(analyst_client: Client, west_lancs: Place, settings: Any) -> None:
    r = analyst_client.post(f"{BASE}new/", {"year": "2014"})
    assert r.status_code == 400 and "Enter a financial year such as 2014/15" in r.content.decode()
