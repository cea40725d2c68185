"""The strategic assessment: gathered from the evidence layer, scored, overridden only
with a reason, written to Word and PDF with the figures the evidence layer computes."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from docx import Document
from pypdf import PdfReader

from saferplaces.evidence.figures import summary
from saferplaces.evidence.scope import scope_for
from saferplaces.insight.harm import illustrative_weights
from saferplaces.insight.imports import import_police_uk
from saferplaces.insight.periods import parse_period
from saferplaces.insight.store import IncidentStore
from saferplaces.partnership.models import Organisation, Place
from saferplaces.partnership.models.activity import ActivityEvent
from saferplaces.strategy import assessments as svc
from saferplaces.strategy.gather import NO_HARM_WEIGHTS, gather
from saferplaces.strategy.models import ScoreOverride, StrategicAssessment, SurveyResult
from tests.places import SAMPLES

SURVEY = (
    "question,area,response,share,base\n"
    "How much of a problem is anti-social behaviour?,West Lancashire,A big or fairly big "
    "problem,41,520\n"
    "How safe do you feel after dark?,West Lancashire,Very or fairly safe,72,518\n"
)


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """West Lancashire's 24 sample months (April 2013 to March 2015) imported once."""
    root = tmp_path_factory.mktemp("assessment-store")
    import_police_uk(IncidentStore(root), sorted(SAMPLES.glob("*.csv.gz")))
    return root


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def west_lancs(settings: Any, sample_store: Path, demo: Place) -> Place:
    settings.INCIDENT_STORE_DIR = sample_store
    return Place.objects.get(slug="west-lancashire")


@pytest.fixture
def analyst(db: None) -> Any:
    return get_user_model().objects.create_user("sa-analyst", password="x-password-1")


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(path).pages))


def survey_file(tmp_path: Path, text: str = SURVEY, name: str = "living.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.django_db
def test_gather_uses_the_dashboards_figures(west_lancs: Place) -> None:
    """Given West Lancashire's sample, when 2014/15 is gathered, then its figures are the
    evidence layer's, the LSOAs are ranked by rate, and with no harm weights loaded it
    says so and shows volume as volume."""
    g = gather(west_lancs, "2014/15")
    expected = summary(scope_for(west_lancs), parse_period("2014/15"))
    assert [(r.indicator, r.count, r.previous_count, r.verdict) for r in g.results] == [
        (r.indicator, r.count, r.previous_count, r.verdict) for r in expected
    ]
    assert g.previous_period.label == "2013/14"
    assert g.results[0].count is not None and g.results[0].count > 0
    fires = next(r for r in g.results if r.indicator == "deliberate-fires")
    assert fires.count is None  # no fire data: no data, never 0
    rates = [s.rate_per_1000 or 0 for s in g.top_lsoas]
    assert rates == sorted(rates, reverse=True) and len(g.top_lsoas) == 10
    assert not g.harm.weighted and g.harm.note == NO_HARM_WEIGHTS and not g.harm.rows
    assert g.sources and "police.uk" in g.sources[0].sentence
    assert g.coverage and "12 of 12 months" in g.coverage[0]


@pytest.mark.django_db
def test_harm_view_names_its_weights(west_lancs: Place) -> None:
    """Given illustrative weights, when gathered, then the view names them and ranks the
    categories by harm, not volume."""
    weights = illustrative_weights(
        {"burglary": 400.0, "vehicle-crime": 50.0, "shoplifting": 10.0},
        source="test", year="2026",
    )  # fmt: skip
    g = gather(west_lancs, "2014/15", weights)
    assert g.harm.weighted and "illustrative" in (g.harm.weights_name or "")
    assert g.harm.rows[0].category == "burglary"
    assert all(r.weights_name == weights.name for r in g.harm.rows)
    assert g.harm.by_indicator["burglary"] is not None


@pytest.mark.django_db
def test_score_override_and_sign_off(west_lancs: Place, analyst: Any, tmp_path: Path) -> None:
    """Given an assessment with a survey, when scored, then each indicator is a candidate
    with a reason for every score; an override needs a reason, keeps the derived score,
    changes the rank; sign-off records who; every change is in the activity log."""
    a = svc.create_assessment(analyst, west_lancs, "2014/15")
    svc.import_survey(analyst, a, survey_file(tmp_path), survey="Living in Lancashire")
    cands = svc.score_candidates(analyst, a)
    assert [c.rank for c in cands] == list(range(1, len(cands) + 1))
    asb = next(c for c in cands if c.slug == "anti-social-behaviour")
    assert "41%" in asb.reasons["public-concern"] and "±" in asb.reasons["public-concern"]
    assert all(asb.reasons[k] for k in svc.criterion_slugs())
    with pytest.raises(svc.AssessmentError, match="reason"):
        svc.override_score(analyst, asb, "vulnerability", 5, "  ")
    with pytest.raises(svc.AssessmentError, match="whole number"):
        svc.override_score(analyst, asb, "vulnerability", 7, "Because")
    low = max(cands, key=lambda c: c.rank or 0)
    for key in svc.criterion_slugs():
        svc.override_score(analyst, low, key, 5, f"Partners rate {key} high")
    low.refresh_from_db()
    assert low.rank == 1
    o = ScoreOverride.objects.filter(candidate=low, criterion="vulnerability").get()
    assert o.original == 3 and o.score == 5 and o.by == analyst
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreOverride.objects.create(candidate=low, criterion="harm", score=2, reason="")
    org = Organisation.objects.create(name="Lancashire Fire and Rescue Service", slug="lfrs")
    svc.add_section(analyst, a, org, "Deliberate fires", "Secondary fires rose in spring.")
    svc.sign_off(analyst, a)
    a.refresh_from_db()
    assert a.signed_off and a.signed_off_by == analyst and a.signed_off_on
    with pytest.raises(svc.AssessmentError, match="signed off"):
        svc.add_section(analyst, a, org, "Late", "Too late")
    verbs = set(ActivityEvent.objects.filter(object_id=str(a.pk)).values_list("verb", flat=True))
    assert {"created", "survey", "scored", "override", "section", "signed_off"} <= verbs


@pytest.mark.django_db
def test_survey_errors_name_file_and_line_and_store_nothing(
    west_lancs: Place, analyst: Any, tmp_path: Path
) -> None:
    """Given a survey with a bad share and a missing area, when imported, then both are
    named by file and line and no row is stored."""
    a = svc.create_assessment(analyst, west_lancs, "2014/15")
    bad = SURVEY + "Q3,West Lancashire,Yes,140,100\nQ4,,Yes,20,100\n"
    with pytest.raises(svc.SurveyError) as exc:
        svc.import_survey(analyst, a, survey_file(tmp_path, bad), filename="upload.csv")
    text = "\n".join(exc.value.problems)
    assert "upload.csv:4" in text and "outside 0-100" in text
    assert "upload.csv:5" in text and "area is empty" in text
    assert not SurveyResult.objects.exists()


@pytest.mark.django_db
def test_documents_read_back(west_lancs: Place, analyst: Any, tmp_path: Path) -> None:
    """Given a scored assessment, when written to Word and PDF, then both contain the
    ranked priorities and the figures the evidence layer computes, say no harm weights
    are loaded, and are kept as numbered versions."""
    a = svc.create_assessment(analyst, west_lancs, "2014/15")
    svc.import_survey(analyst, a, survey_file(tmp_path))
    svc.score_candidates(analyst, a)
    issues = svc.ranked(a)
    expected = summary(scope_for(west_lancs), parse_period("2014/15"))
    docx = svc.build_version(analyst, a, "docx")
    again = svc.build_version(analyst, a, "docx")
    pdf = svc.build_version(analyst, a, "pdf")
    assert (docx.number, again.number, pdf.number) == (1, 2, 1)
    from django.conf import settings

    for version, reader in ((docx, docx_text), (pdf, pdf_text)):
        text = reader(Path(settings.DOCUMENTS_DIR) / version.file)
        assert "West Lancashire strategic assessment 2014/15" in text
        assert NO_HARM_WEIGHTS in re.sub(r"\s+", " ", text)
        for r in expected:
            if r.count is not None:
                assert f"{r.count:,}" in text, r.name
        top = [i.issue for i in issues[:5]]
        positions = [text.index(f"{k + 1}. {name} (score") for k, name in enumerate(top)]
        assert positions == sorted(positions)
        assert "41" in text and "±" in text
    doc = Document(str(Path(settings.DOCUMENTS_DIR) / docx.file))
    assert doc.inline_shapes and doc.inline_shapes[0]._inline.docPr.get("descr")
    fires = next(r for r in expected if r.indicator == "deliberate-fires")
    assert fires.count is None
    row = next(
        t for t in Document(str(Path(settings.DOCUMENTS_DIR) / docx.file)).tables
        for r in t.rows if r.cells[0].text == fires.name
    )  # fmt: skip
    cells = next(r.cells for r in row.rows if r.cells[0].text == fires.name)
    assert cells[1].text == "" and "no data" in cells[-1].text


@pytest.mark.django_db
def test_cli_writes_both_formats(west_lancs: Place, tmp_path: Path) -> None:
    """Given the sample, when `assessment build` runs for .docx and .pdf, then both files
    are written and the assessment keeps each as a version."""
    for name in ("sa.docx", "sa.pdf"):
        out = io.StringIO()
        call_command("assessment", "build", "--place", "West Lancashire", "--year", "2014/15",
                     "--output", str(tmp_path / name), stdout=out)  # fmt: skip
        assert "Wrote" in out.getvalue()
    assert "All crime" in docx_text(tmp_path / "sa.docx")
    assert "All crime" in pdf_text(tmp_path / "sa.pdf")
    a = StrategicAssessment.objects.get(place=west_lancs, year="2014/15")
    assert sorted(a.versions.values_list("format", flat=True)) == ["docx", "pdf"]
    with pytest.raises(CommandError, match=r"docx or \.pdf"):
        call_command("assessment", "build", "--place", "West Lancashire", "--year", "2014/15",
                     "--output", str(tmp_path / "sa.txt"))  # fmt: skip
    with pytest.raises(CommandError, match="financial year"):
        call_command("assessment", "build", "--place", "West Lancashire", "--year", "2014",
                     "--output", str(tmp_path / "x.pdf"))  # fmt: skip


@pytest.mark.django_db
def test_cli_weighs_by_harm_when_given_weights(west_lancs: Place, tmp_path: Path) -> None:
    """Given an ONS Crime Severity Score weights file and an offence mapping, when the
    assessment is built with them, then the document names the weights and shows harm,
    and the harm scores come from them; a bad weights file is refused by line."""
    css = tmp_path / "css.csv"
    css.write_text("Offence code,Offence,Weight\n28,Burglary in a dwelling,439\n"
                   "45,Theft from a vehicle,47\n46,Shoplifting,25\n", encoding="utf-8")  # fmt: skip
    mapping = tmp_path / "map.csv"
    mapping.write_text("offence_code,category\n28,burglary\n45,vehicle-crime\n"
                       "46,shoplifting\n", encoding="utf-8")  # fmt: skip
    out = tmp_path / "harm.docx"
    call_command("assessment", "build", "--place", "West Lancashire", "--year", "2014/15",
                 "--output", str(out), "--harm-weights", str(css), "--harm-year", "2020",
                 "--offence-mapping", str(mapping), stdout=io.StringIO())  # fmt: skip
    text = docx_text(out)
    assert "ONS Crime Severity Score offence weights" in text
    assert NO_HARM_WEIGHTS not in text and "Harm by category" in text
    burglary = StrategicAssessment.objects.get().candidates.get(slug="burglary")
    assert "ONS Crime Severity Score" in burglary.reasons["harm"]
    css.write_text("Offence code,Offence,Weight\n28,Burglary,lots\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"css\.csv:2"):
        call_command("assessment", "build", "--place", "West Lancashire", "--year", "2014/15",
                     "--output", str(out), "--harm-weights", str(css), "--harm-year", "2020",
                     "--offence-mapping", str(mapping))  # fmt: skip


@pytest.mark.django_db
def test_an_lsoa_or_a_bad_year_cannot_be_assessed(west_lancs: Place, analyst: Any) -> None:
    """Given an LSOA, or a calendar year, when an assessment is started, then the reason
    is given and nothing is created."""
    lsoa = Place.objects.filter(kind="lsoa").first() or Place.objects.create(
        kind="lsoa", name="West Lancashire 001A", slug="west-lancashire-001a", parent=west_lancs
    )
    with pytest.raises(svc.AssessmentError, match="LSOA"):
        svc.create_assessment(analyst, lsoa, "2014/15")
    with pytest.raises(svc.AssessmentError, match="financial year"):
        svc.create_assessment(analyst, west_lancs, "2014")
    svc.create_assessment(analyst, west_lancs, "2014/15")
    with pytest.raises(svc.AssessmentError, match="already has"):
        svc.create_assessment(analyst, west_lancs, "2014/15")
    assert StrategicAssessment.objects.count() == 1
