"""Board papers end to end: the `report` command and the dashboard's background task,
with the documents read back and their numbers checked against the insight engine."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from saferplaces.evidence.figures import summary
from saferplaces.evidence.performance import performance
from saferplaces.evidence.scope import resolve_place
from saferplaces.evidence.services import import_files
from saferplaces.insight.periods import parse_period
from saferplaces.reports.models import BoardPaper, PaperStatus
from saferplaces.reports.papers import pack_for, write_paper
from tests.reports.conftest import tiny_png

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def west_lancashire(demo: object, samples: Path) -> dict[str, int]:
    """The demo places with the 24 sample months imported; returns the engine's counts."""
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    results = summary(resolve_place("West Lancashire"), parse_period("2014/15"))
    return {r.indicator: r.count for r in results} | {
        f"{r.indicator}:previous": r.previous_count for r in results
    }


def test_the_pack_carries_the_evidence_figures_unchanged(west_lancashire: dict[str, int]) -> None:
    """Given the sample data, When the pack is built for West Lancashire 2014/15, Then
    every held indicator's figures are the evidence layer's, the monthly series keep
    the sample's 24 months and show the rest as gaps, and a seasonal window it could
    not count says why."""
    perf = performance(resolve_place("West Lancashire").place, parse_period("2014/15"))
    pack = pack_for(perf, partnership_name="West Lancashire CSP")
    by_slug = {r.indicator: r for r in perf.results}
    assert pack.indicators, "some indicators are held"
    for fig in pack.indicators:
        r = by_slug[fig.slug]
        assert (fig.count, fig.previous_count, fig.change, fig.pct_change) == (
            r.count, r.previous_count, r.change, r.pct_change,
        )  # fmt: skip
        assert (fig.z, fig.significant, fig.verdict) == (r.z, r.significant, r.verdict)
    assert pack.indicator("all-crime").count == west_lancashire["all-crime"]
    series = pack.series["all-crime"]
    assert len([p for p in series if not p.missing]) == 24  # the sample's 24 months
    assert all(p.count is None for p in series if p.missing)  # gaps, never zeros
    for table in pack.seasonal:
        if any(row.count is None for row in table.rows):
            assert table.note, f"{table.title} has uncounted years but no note"
    # sources: the datasets, the last month held, the rows without a location, and what
    # the source cannot say
    assert pack.sources == [
        "police.uk street-level crime and anti-social behaviour (Lancashire force), held "
        "from April 2013 to March 2015; every row of this period has a location."
    ]
    assert "not the force's recorded-crime figures" in " ".join(pack.source_notes)
    assert all(n.endswith(".") and not n.endswith("..") for n in pack.quality_notes)
    assert pack.coverage is None and pack.logo is None
    vso = pack.indicator("violence-and-sexual-offences")  # police.uk's May 2013 change
    assert (vso.months, vso.previous_months, vso.change) == (12, 11, None)
    assert vso.like_for_like is not None and vso.like_for_like.months == 11
    assert vso.like_for_like.count == by_slug[vso.slug].like_for_like.count  # type: ignore[union-attr]


def test_a_part_of_a_place_and_a_place_with_no_data(west_lancashire: dict[str, int]) -> None:
    """Given data for West Lancashire only, When packs are built for Lancashire and for
    Preston, Then Lancashire's names the district it counts and judges nothing for the
    whole, and Preston's says "no data" for its headline rather than 0 or nothing."""
    period = parse_period("2014/15")
    county = pack_for(performance(resolve_place("Lancashire").place, period),
                      partnership_name="Lancashire CSP")  # fmt: skip
    assert county.coverage is not None and county.coverage.endswith(": West Lancashire")
    assert county.indicators and all(f.partial and not f.judged for f in county.indicators)
    assert county.indicator("all-crime").count == west_lancashire["all-crime"]
    preston = pack_for(performance(resolve_place("Preston").place, period),
                       partnership_name="Preston CSP", logo="/x/logo.png")  # fmt: skip
    assert [(f.slug, f.count, f.verdict) for f in preston.indicators] == [
        ("all-crime", None, "no data")
    ]
    assert preston.coverage is None and preston.sources == [] and preston.logo == "/x/logo.png"
    by_name = {d.name: d for d in preston.districts}
    assert by_name["Preston"].count is None and by_name["West Lancashire"].count is not None


def _report(fmt: str, output: Path) -> str:
    out = io.StringIO()
    call_command(
        "report", "performance", "--place", "West Lancashire", "--period", "2014/15",
        "--format", fmt, "--output", str(output), stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_the_deck_carries_the_engines_headline(
    west_lancashire: dict[str, int], tmp_path: Path
) -> None:
    """Given the sample data, When the deck is written, Then its headline slide states the
    All crime change the engine computed, with the right words."""
    path = tmp_path / "wl.pptx"
    assert "Wrote" in _report("pptx", path)
    deck = Presentation(str(path))
    text = "\n".join(
        shape.text_frame.text for slide in deck.slides for shape in slide.shapes
        if shape.has_text_frame
    )  # fmt: skip
    fewer = west_lancashire["all-crime:previous"] - west_lancashire["all-crime"]
    assert f"equivalent to {fewer:,} fewer crimes" in text
    assert "less crimes" not in text
    # Indicators with no data source are left out, not reported as zero.
    assert "Domestic abuse" not in [
        s.shapes.title.text for s in deck.slides if s.shapes.title is not None
    ]


def test_write_paper_puts_the_configured_logo_on_the_deck(
    west_lancashire: dict[str, int], tmp_path: Path, settings: object
) -> None:
    """Given SAFERPLACES_LOGO set (settings.PARTNERSHIP_LOGO), When a deck is written for
    the board, Then its title slide carries that logo."""
    logo = tiny_png(tmp_path / "logo.png")
    settings.PARTNERSHIP_LOGO = logo  # type: ignore[attr-defined]
    settings.PARTNERSHIP_NAME = "West Lancashire CSP"  # type: ignore[attr-defined]
    path = write_paper(resolve_place("West Lancashire").place, parse_period("2014/15"), "pptx",
                       tmp_path / "wl.pptx")  # fmt: skip
    title = Presentation(str(path)).slides[0]
    blobs = [s.image.blob for s in title.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert blobs == [logo.read_bytes()]


def test_the_pdf_and_workbook_carry_the_same_numbers(
    west_lancashire: dict[str, int], tmp_path: Path
) -> None:
    pdf, xlsx = tmp_path / "wl.pdf", tmp_path / "wl.xlsx"
    _report("pdf", pdf)
    _report("xlsx", xlsx)
    text = "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert f"{west_lancashire['all-crime']:,}" in text
    assert "Page 1 of" in text
    summary_sheet = load_workbook(xlsx, read_only=True)["Summary"]
    rows = [r for r in summary_sheet.iter_rows(values_only=True) if r and r[0] == "All crime"]
    assert rows, "the Summary sheet has an All crime row"
    assert west_lancashire["all-crime"] in rows[0]
    assert west_lancashire["all-crime:previous"] in rows[0]


def test_report_refuses_an_unknown_place_or_a_wrong_extension(demo: object, tmp_path: Path) -> None:
    base = ["report", "performance", "--period", "2014/15", "--format", "pdf", "--output"]
    with pytest.raises(CommandError, match="No place is called"):
        call_command(*base, str(tmp_path / "x.pdf"), "--place", "Atlantis")
    with pytest.raises(CommandError, match=r"should end in \.pdf"):
        call_command(*base, str(tmp_path / "x.pptx"), "--place", "West Lancashire")


def test_the_dashboard_button_queues_papers_that_the_task_writes(
    west_lancashire: dict[str, int],
    client: Client,
    settings: object,
    django_capture_on_commit_callbacks: object,
) -> None:
    """Given a signed-in officer, When they ask for the board pack, Then three papers are
    queued, the background task writes them, and each downloads as its own type."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]
    user = User.objects.create_user("officer-test")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            "/places/west-lancashire/papers/new/", {"period": "2014/15", "format": ["xlsx"]}
        )
    assert response.status_code == 302
    paper = BoardPaper.objects.get()
    assert paper.status == PaperStatus.READY, paper.error
    assert paper.requested_by == user
    page = client.get("/places/west-lancashire/papers/").content.decode()
    assert "Download Excel workbook" in page
    download = client.get(f"/papers/{paper.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "west-lancashire-performance-2014-15.xlsx" in download["Content-Disposition"]
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert body[:2] == b"PK"


def test_papers_need_sign_in_and_unknown_ones_are_404(demo: object, client: Client) -> None:
    assert client.get("/places/west-lancashire/papers/").status_code == 302
    client.force_login(User.objects.create_user("someone"))
    assert client.get("/papers/999/download/").status_code == 404
    assert (
        client.post("/places/west-lancashire/papers/new/", {"period": "2014/99"}).status_code == 400
    )
