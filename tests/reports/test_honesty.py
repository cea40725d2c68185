"""The board pack never misleads, read back from the documents themselves: no data is
never 0, a part of a place is named as a part and judged as no whole, unlike periods
are compared over the months both hold, districts with no data are not ranked, every
paper names its sources, and the statistics stay in the technical annex."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from saferplaces.reports import wording
from saferplaces.reports.pack import PerformancePack
from saferplaces.reports.pdf_report import build_pdf
from saferplaces.reports.pptx_deck import build_pptx
from saferplaces.reports.render import RenderedCharts
from saferplaces.reports.xlsx_workbook import build_xlsx
from tests.reports.conftest import SOURCE, SOURCE_NOTE, example_pack, partial_pack
from tests.reports.readback import JARGON, deck, pdf_pages, sheet_text, squash


@dataclass(frozen=True)
class Papers:
    pack: PerformancePack
    pptx: Path
    pdf: Path
    xlsx: Path

    @property
    def slides(self) -> list[tuple[str, str]]:
        return deck(self.pptx)

    def slide(self, title: str) -> str:
        return dict(self.slides)[title]

    @property
    def pdf_text(self) -> str:
        return squash(" ".join(pdf_pages(self.pdf)))


def _papers(pack: PerformancePack, where: Path) -> Papers:
    r = RenderedCharts(pack)
    return Papers(
        pack,
        build_pptx(pack, where / "deck.pptx", rendered=r),
        build_pdf(pack, where / "report.pdf", rendered=r),
        build_xlsx(pack, where / "tables.xlsx"),
    )


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Papers:
    return _papers(example_pack(), tmp_path_factory.mktemp("whole"))


@pytest.fixture(scope="module")
def part(tmp_path_factory: pytest.TempPathFactory) -> Papers:
    return _papers(partial_pack(), tmp_path_factory.mktemp("part"))


def _summary(path: Path) -> dict[str, dict[str, object]]:
    """Summary sheet rows by indicator, as header → value."""
    ws = load_workbook(str(path))["Summary"]
    rows = [tuple(c.value for c in row) for row in ws[ws.tables["summary"].ref]]
    header = [str(h) for h in rows[0]]
    return {str(r[0]): dict(zip(header, r, strict=True)) for r in rows[1:]}


# ---------------------------------------------------------------- no data


def test_no_data_is_no_data_never_zero(whole: Papers) -> None:
    """Given Deliberate fires with no data this period, When the papers are read back,
    Then the deck and the PDF say "No data" where the count would be, the workbook leaves
    the cell empty, and nowhere is it given as 0."""
    slide = whole.slide("Deliberate fires")
    assert "Deliberate fires: no data for 2014/15" in slide
    assert "2014/15 (fires)\nNo data" in slide
    summary_slide = whole.slide("Summary 2014/15")
    assert "Deliberate fires\nNo data\n52 (12 months)" in summary_slide
    assert "Deliberate fires No data 52 (12 months)" in whole.pdf_text
    row = _summary(whole.xlsx)["Deliberate fires"]
    assert row["2014/15: count"] is None and row["2014/15: months held"] is None
    assert row["Rate per 1,000 residents"] is None and row["Change (count)"] is None
    assert row["2013/14: count"] == 52
    assert row["Verdict"] == "No data"


# ---------------------------------------------------------------- unlike months


def test_unlike_periods_show_both_counts_and_the_same_months(whole: Papers) -> None:
    """Given Violence and sexual offences with 12 months against 11, Then every paper
    gives both counts with the months held and the comparison over the 11 months both
    hold, and no change for the whole periods."""
    fig = whole.pack.indicator("violence-and-sexual-offences")
    assert fig.like_for_like is not None
    slide = whole.slide("Violence and sexual offences")
    for label, value in wording.figures_rows(fig, "2014/15", "2013/14"):
        assert f"{label}\n{value}" in slide
    assert "Months held\n12 and 11 of 12" in slide
    assert "Same months: May 2014 to March 2015\n1,392" in slide
    text = whole.pdf_text
    assert "Violence and sexual offences 1,520 (12 months) 1,490 (11 months)" in text
    assert "Same months: May 2014 to March 2015 1,392" in text
    row = _summary(whole.xlsx)["Violence and sexual offences"]
    assert (row["2014/15: count"], row["2014/15: months held"]) == (1520, 12)
    assert (row["2013/14: count"], row["2013/14: months held"]) == (1490, 11)
    assert row["Change (count)"] is None and row["% change"] is None
    assert row["Same months compared"] == "May 2014 to March 2015"
    assert (row["Same months: count"], row["Same months a year before: count"]) == (1392, 1490)
    assert str(row["Verdict"]).startswith("Same 11 months: ")


# ---------------------------------------------------------------- a part of a place


def test_a_part_of_a_place_names_its_districts_and_has_no_verdict(part: Papers) -> None:
    """Given Lancashire with data for West Lancashire only, Then the title slide, the PDF
    cover and the workbook's first sheet say which districts are counted, and no paper
    gives a verdict of change for the whole county."""
    said = "Part of Lancashire only: the data covers 1 of 12 districts: West Lancashire."
    title, title_text = part.slides[0]
    assert title == "Lancashire: Community Safety Partnership performance"
    assert said in title_text
    assert said in part.slide("Headlines 2014/15")
    assert said in squash(pdf_pages(part.pdf)[0])
    assert said in sheet_text(part.xlsx)["Summary"]
    verdict = re.compile(r"significant (reduction|increase)|within normal variation", re.I)
    body = " ".join(text for title, text in part.slides if not title.startswith("Technical"))
    assert not verdict.search(body)
    assert "No verdict: part of the area" in part.slide("Summary 2014/15")
    pages = pdf_pages(part.pdf)
    annex_at = next(i for i, p in enumerate(pages) if "The counts tested" in p)
    assert not verdict.search(" ".join(pages[:annex_at]))
    verdicts = {str(r["Verdict"]) for r in _summary(part.xlsx).values()}
    assert verdicts == {"No verdict: part of the area"}


# ---------------------------------------------------------------- categories, districts


def test_categories_carry_the_same_verdicts_as_the_indicators(whole: Papers) -> None:
    """Then each category's verdict in the deck, the PDF and the workbook is the one the
    indicators' rules gave it."""
    slide = whole.slide("Crime by category: figures")
    text = whole.pdf_text
    ws = load_workbook(str(whole.xlsx))["Categories"]
    sheet = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    for c in whole.pack.categories:
        verdict = wording.category_verdict(c)
        assert f"{c.label}\n" in slide and verdict in slide
        assert sheet[c.label][5] == verdict
    assert "Drugs 190 240 \u221250 \u221220.8% Significant reduction" in text
    assert "Robbery 3 2 +1 +50.0% Too few to judge" in text
    assert sheet["Violence and sexual offences"][3] is None  # no change for unlike months


def test_districts_with_no_data_are_listed_not_ranked_or_charted(whole: Papers) -> None:
    """Given Fylde and Wyre with no data, Then they are named but have no rank, no figure
    and no bar."""
    chart = RenderedCharts(whole.pack).charts.districts
    assert chart is not None
    values = chart.spec["layer"][0]["data"]["values"]
    assert {"Fylde", "Wyre"}.isdisjoint(v["district"] for v in values)
    assert "No data held for Fylde, Wyre: listed, not ranked or charted." in whole.slide(
        "How the districts compare"
    )
    assert "Fylde No data No data Wyre No data No data" in whole.pdf_text
    ws = load_workbook(str(whole.xlsx))["Districts"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["Fylde"][1:4] == (None, None, None)
    assert rows["Blackpool"][1] == 1


# ---------------------------------------------------------------- sources


def test_every_paper_names_its_sources_and_what_they_cannot_say(whole: Papers) -> None:
    """Then the deck, the PDF and the workbook each name the sources, the last month held,
    the rows without a location, and that these counts are not the force's recorded
    crime figures."""
    deck_text = whole.slide("Data notes: sources")
    texts = {"deck": squash(deck_text), "pdf": whole.pdf_text,
             "xlsx": sheet_text(whole.xlsx)["Data notes"]}  # fmt: skip
    for kind, text in texts.items():
        assert SOURCE in text, kind
        assert SOURCE_NOTE in text, kind
        assert "to March 2015" in text and "have no location" in text, kind
        assert "not the force's recorded-crime figures" in text, kind


# ---------------------------------------------------------------- plain English


def test_the_body_is_plain_english_and_the_statistics_are_in_the_annex(whole: Papers) -> None:
    """Then no slide, page or sheet before the technical annex names Poisson, z, a
    p-value or a test; the annex, last, does."""
    slides = whole.slides
    annex = [i for i, (title, _) in enumerate(slides) if title.startswith("Technical annex")]
    assert annex and annex[-1] == len(slides) - 1 and annex == list(range(annex[0], len(slides)))
    for title, text in slides[: annex[0]]:
        assert not JARGON.search(text), (title, JARGON.findall(text))
    assert JARGON.search(slides[annex[0]][1])  # the check can fail: the annex has them

    pages = pdf_pages(whole.pdf)
    at = next(i for i, p in enumerate(pages) if "The counts tested" in p)
    assert at >= len(pages) - 2
    for n, page in enumerate(pages[:at], start=1):
        assert not JARGON.search(page), (n, JARGON.findall(page))
    assert "Poisson z" in pages[at]

    sheets = sheet_text(whole.xlsx)
    names = list(sheets)
    assert names[-1] == "Annex"
    for name in names[:-1]:
        assert not JARGON.search(sheets[name]), (name, JARGON.findall(sheets[name]))
    assert "Poisson z" in sheets["Annex"] and "binomial" in sheets["Annex"]
