"""The plan's Word and PDF documents read back, and the demo: Lancashire's Community
Safety Agreement 2014/16 and West Lancashire's priorities for 2015/16."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from saferplaces.partnership.demo.loader import load_demo
from saferplaces.partnership.models import Place
from saferplaces.strategy import plan_demo
from saferplaces.strategy import plans as svc
from saferplaces.strategy.models import Plan, PlanKind, PolicingObjective
from saferplaces.strategy.plan_documents import build_docx, build_pdf, outline
from tests.personas import World
from tests.strategy.test_plans import ASB, county_plan

D = datetime.date


def docx_text(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return paragraphs, tables


@pytest.mark.django_db
def test_word_document_has_the_table_and_the_priorities(world: World) -> None:
    """Given a county agreement with an objective mapped, When it is written to Word, Then
    the document reads back with the vision, the table in the agreement's shape (outcomes
    merged down the third column, the requirements heading across two), each priority as
    a heading with its indicators, and the "have regard" table."""
    plan = county_plan(world)
    objective = svc.upsert_objective(None, place=world.county, reference="1", title="Cut crime")
    svc.map_priority_objectives(None, plan.priorities.get(title="Violent Crime"), [objective])
    paragraphs, tables = docx_text(build_docx(outline(plan)))
    assert plan.title in paragraphs and "A safer Testshire." in paragraphs
    agreement = tables[0]
    assert agreement[0] == ["Priority Issues", "Contributory Factors", "Shared Outcomes"]
    assert agreement[1][0].splitlines() == [
        ASB, "Child Sexual Exploitation", "Violent Crime"]  # fmt: skip
    assert agreement[1][1].splitlines() == ["Alcohol and Drugs", "Reoffending"]
    outcomes = "1. Communities are more cohesive and resilient\n2. Victims are supported"
    assert [row[2] for row in agreement[1:]] == [outcomes] * 3  # one merged cell
    assert agreement[2][:2] == ["Statutory Requirements"] * 2  # merged across two columns
    assert agreement[3][:2] == ["Serious Organised Crime"] * 2
    assert "Indicators: Anti-social behaviour" in paragraphs
    assert tables[1][1] == ["1. Cut crime", "Violent Crime"]


@pytest.mark.django_db
def test_pdf_reads_back_with_the_priorities(world: World) -> None:
    """The PDF's text holds the title, vision, table headings and every priority."""
    plan = county_plan(world)
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(build_pdf(outline(plan)))).pages
    )
    flat = " ".join(text.split())
    for wanted in [plan.title, "A safer Testshire.", "Priority Issues", "Statutory Requirements",
                   ASB, "Child Sexual Exploitation", "Violent Crime", "Serious Organised Crime",
                   "Victims are supported"]:  # fmt: skip
        assert wanted in flat, wanted


@pytest.mark.django_db
def test_downloads(world: World) -> None:
    """An approved plan downloads as Word and PDF, signed out; a draft does not."""
    plan = county_plan(world)
    args = [world.county.slug, plan.pk]
    assert Client().get(reverse("strategy:plan_docx", args=args)).status_code == 404
    svc.approve_plan(None, plan, approved_on=D(2014, 12, 4))
    word = Client().get(reverse("strategy:plan_docx", args=args))
    assert word.status_code == 200
    assert word["Content-Disposition"].endswith(
        'Testshire-Community-Safety-Agreement-2014-16.docx"'
    )
    assert "Child Sexual Exploitation" in docx_text(word.content)[1][0][1][0]
    pdf = Client().get(reverse("strategy:plan_pdf", args=args))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_demo_loads_the_csa_and_west_lancashire_idempotently(fast_passwords: None) -> None:
    """Given the demo partnership, When the plans demo is loaded twice, Then Lancashire's
    CSA 2014/16 has the seed's five priority issues, five contributory factors, shared
    outcomes 1–6 and four statutory requirements; West Lancashire's 2015/16 priorities are
    read against it (CSE by title, ASB and Violent Crime linked; Reducing Reoffending and
    Cross Border Offending & Organised Crime flagged); no policing objectives are invented."""
    load_demo(today=D(2015, 6, 1))
    first = plan_demo.load()
    second = plan_demo.load()
    assert first == second == {"plans": 2, "county priorities": 5, "district priorities": 5}
    csa = Plan.objects.get(place=plan_demo.lancashire_county(), kind=PlanKind.COUNTY_AGREEMENT)
    assert [p.title for p in csa.priorities.all()] == [
        "Anti-Social Behaviour & Hate Crime", "Child Sexual Exploitation", "Domestic Abuse",
        "Road Safety", "Violent Crime"]  # fmt: skip
    assert [f.title for f in csa.factors.all()] == [
        "Alcohol and Drugs", "Reoffending", "Interpersonal Violence", "Health",
        "Deprivation"]  # fmt: skip
    assert [o.number for o in csa.outcomes.all()] == [1, 2, 3, 4, 5, 6]
    assert csa.requirements.count() == 4
    assert csa.vision.startswith("Working together to make Lancashire a better place")
    assert not PolicingObjective.objects.exists()

    matrix = svc.county_matrix(csa)
    row = next(r for r in matrix.rows if r.district.slug == "west-lancashire")
    held = {p.title: c.how for p, c in zip(matrix.priorities, row.cells, strict=True) if c.held}
    assert held == {"Anti-Social Behaviour & Hate Crime": "linked",
                    "Child Sexual Exploitation": "title", "Violent Crime": "linked"}  # fmt: skip
    assert [u.priority.title for u in row.uncovered] == [
        "Reducing Reoffending", "Cross Border Offending & Organised Crime"]  # fmt: skip
    assert [g.name for g in row.route] == [
        "West Lancashire CSP Executive Group", "South Area Community Safety Steering Group",
        "Lancashire Community Safety Strategy Group"]  # fmt: skip
    assert len(matrix.rows) == 14  # the county's 12 districts and the two unitaries in its areas
    others = [r for r in matrix.rows if r is not row]
    assert others and all(r.plan is None for r in others)
    blackpool = next(r for r in others if r.district.name == "Blackpool")
    assert blackpool.route_from_area
    assert [g.name for g in blackpool.route] == [
        "North Area Community Safety Steering Group",
        "Lancashire Community Safety Strategy Group",
    ]
    assert Place.objects.get(slug="west-lancashire") in [r.district for r in matrix.rows]

    client = Client()
    client.force_login(get_user_model().objects.get(username="county"))
    wl = Plan.objects.get(place__slug="west-lancashire")
    for url in [
        reverse("strategy:plan", args=[csa.place.slug, csa.pk]),
        reverse("strategy:plan_matrix", args=[csa.place.slug, csa.pk]),
        reverse("strategy:plan", args=["west-lancashire", wl.pk]),
        reverse("strategy:plans", args=["west-lancashire"]),
    ]:
        assert client.get(url).status_code == 200, url
