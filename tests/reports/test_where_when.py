"""The board pack's "Where and when" section, end to end on the West Lancashire sample:
each document read back, its figures checked against the evidence functions' own output,
and a part that fails said in a sentence while the pack is still written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from saferplaces.evidence import families
from saferplaces.evidence.figures import indicator_set
from saferplaces.evidence.hotspots import hotspots
from saferplaces.evidence.scope import resolve_place
from saferplaces.evidence.seasons import seasons
from saferplaces.evidence.services import import_files
from saferplaces.insight.density import DensityError
from saferplaces.insight.hotspots import HotspotError
from saferplaces.insight.imports import shipped_mapping
from saferplaces.insight.periods import parse_period
from saferplaces.insight.windows import WindowError
from saferplaces.partnership.geography import load_geography
from saferplaces.reports import where_when
from saferplaces.reports.papers import write_paper
from saferplaces.reports.pptx_deck import build_pptx
from saferplaces.reports.where_when import (
    NO_DATA,
    Part,
    WhereWhen,
    shown,
    where_when_for,
    window_year,
)
from tests.conftest import SHARED_DATA
from tests.reports.conftest import example_pack
from tests.reports.readback import deck, pdf_pages, squash
from tests.reports.test_layout import (
    test_no_text_runs_out_of_its_box_or_off_the_slide as check_layout,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PLACE, PERIOD = "West Lancashire", "2014/15"


@pytest.fixture
def imported(demo: object, samples: Path) -> None:
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))


def _expected() -> dict[str, Any]:
    """The evidence functions' own answers, computed here independently of the pack."""
    scope, period = resolve_place(PLACE), parse_period(PERIOD)
    indicator = indicator_set()[0]
    rows = hotspots(scope, period, indicator, years=3).rows()
    return {
        "hot": {r["name"]: r["rate_per_1000"] for r in rows if r["spot"].startswith("hot")},
        "cold": sum(1 for r in rows if r["spot"].startswith("cold")),
        "family": families.family_for(scope, period, indicator),
        "months": seasons(scope, "october-november"),
    }


def _table(ws: Any, first_header: str) -> list[tuple[Any, ...]]:
    """The rows under the header row whose first cell is ``first_header``."""
    values = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(values) if row[0] == first_header)
    out = []
    for row in values[start + 1 :]:
        if row[0] is None:
            break
        out.append(row)
    return out


def test_every_document_carries_the_section_with_the_evidence_figures(
    imported: None, tmp_path: Path
) -> None:
    """Given the West Lancashire sample (police.uk, month-level), When the pack is written
    in its three formats, Then each holds "Where and when" with the hot spots, the
    family and the October to November months the evidence functions give, says that
    the bonfire period (a day window) cannot be answered, and shows "No data" (never 0)
    for peers without data."""
    scope = resolve_place(PLACE)
    with pytest.raises(WindowError, match="day window"):
        seasons(scope, "bonfire-period")
    want = _expected()
    fam = want["family"]
    assert want["hot"], "the sample has hot spots to show"
    assert any(m.rate_per_1000 is None for m in fam.members), "some peer has no data"
    assert fam.with_data < families.MINIMUM_FOR_FUNNEL
    period = parse_period(PERIOD)
    paths = {fmt: write_paper(scope.place, period, fmt, tmp_path / f"wl.{fmt}")
             for fmt in ("xlsx", "pptx", "pdf")}  # fmt: skip

    # workbook: exact values
    ws = load_workbook(str(paths["xlsx"]))["Where and when"]
    hot = _table(ws, "LSOA")
    assert {row[0]: row[1] for row in hot} == want["hot"]
    members = _table(ws, "Partnership")
    assert [row[0].removesuffix(" (this partnership)") for row in members] == [
        m.name for m in fam.members
    ]
    assert [row[2] for row in members] == [m.rate_per_1000 for m in fam.members]
    assert all(row[3] == families.band_text(m) for row, m in zip(members, fam.members,
                                                                  strict=True))  # fmt: skip
    months = _table(ws, "Year")
    assert [(int(r[0]), r[2]) for r in months] == [
        (y.year, y.count) for y in want["months"].count.years
    ]
    sheet = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)

    # deck and report: the same figures in words
    slides = [(t, x) for t, x in deck(paths["pptx"]) if t.startswith("Where and when")]
    assert slides, "the deck has the section"
    pptx = squash(" ".join(x for _, x in slides))
    pdf = squash(" ".join(pdf_pages(paths["pdf"])))
    for fmt, text in (("pptx", pptx), ("pdf", pdf), ("xlsx", squash(sheet))):
        for name, rate in want["hot"].items():
            assert name in text
            assert fmt == "xlsx" or f"{rate:,.2f}" in text  # the workbook's are exact above
        assert f"and {want['cold']} cold spot" in text
        assert "The bonfire period (29 October to 12 November) cannot be answered" in text
        assert f"the reference rate would rest on {fam.with_data} partnership" in text
        assert "anonymous map point" in text  # the limitation
        assert "Source: police.uk street-level crime" in text
        assert want["months"].source_line in text
        assert families.SOURCE in text
    for text in (pptx, pdf):
        at = text.index(f"{fam.members[0].name} (this partnership)")
        for m in fam.members[1:]:  # each peer after the one before: the family's order
            at = text.index(m.name, at + 1)
        assert NO_DATA in text
        for y in want["months"].count.years:
            assert shown(y.count, "int") in text
    assert "Where and when" in pdf.split("Data notes")[0]  # in the contents


@pytest.mark.parametrize(
    "error",
    [
        families.FamilyError("not a partnership"),
        HotspotError("too few LSOAs"),
        DensityError("no points"),
    ],
)
def test_a_part_that_fails_becomes_a_sentence(
    imported: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """Given a part whose evidence function refuses, When the pack is written, Then every
    document is still written and says in a sentence why the part cannot be given, and
    the other parts are there."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise error

    target = "family_for" if isinstance(error, families.FamilyError) else "place_hotspots"
    owner = families if target == "family_for" else where_when
    monkeypatch.setattr(owner, target, refuse)
    cache.clear()  # the family is cached (place_family): make the pack ask again
    title = "Compared with whom" if target == "family_for" else "Hot spots"
    sentence = f"{title} cannot be given here: {error}."
    scope, period = resolve_place(PLACE), parse_period(PERIOD)
    ww = where_when_for(scope, period)
    assert ww.part("family" if target == "family_for" else "hotspots").failure == sentence
    assert ww.part("when").rows, "the other parts stand"
    for fmt in ("xlsx", "pptx", "pdf"):
        path = write_paper(scope.place, period, fmt, tmp_path / f"wl.{fmt}")
        if fmt == "xlsx":
            ws = load_workbook(str(path))["Where and when"]
            text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
        elif fmt == "pptx":
            text = " ".join(x for t, x in deck(path) if t.startswith("Where and when"))
        else:
            text = " ".join(pdf_pages(path))
        assert sentence in squash(text), fmt


def test_a_place_without_data_says_so_part_by_part(imported: None) -> None:
    """Given no data for Preston, When its section is gathered, Then no part fails the
    pack: no hot spots for want of data, the window cannot be counted, and Preston has
    no figure (not 0) beside its peers."""
    ww = where_when_for(resolve_place("Preston"), parse_period(PERIOD))
    hot = ww.part("hotspots")
    assert not hot.rows and "no data for Preston" in " ".join(hot.sentences)
    when = ww.part("when")
    assert when.failure is not None and when.failure.startswith("When cannot be given here")
    fam = ww.part("family")
    if fam.failure is None:
        assert fam.rows[0][2] is None and fam.text_rows()[0][2] == NO_DATA


def test_the_window_judged_is_the_october_the_period_holds() -> None:
    assert window_year(parse_period("2014/15")) == 2014
    assert window_year(parse_period("2015/16")) == 2015
    assert window_year(parse_period("2014")) == 2014


def test_no_data_is_never_shown_as_zero() -> None:
    assert shown(None, "rate") == NO_DATA and shown(0, "int") == "0"
    assert shown(41.5567, "rate") == "41.56" and shown(1234, "int") == "1,234"


FIRE_EVENTS = SHARED_DATA / "fire" / "lfb_fire_incidents_event_periods_2009_2024.csv.gz"


@pytest.mark.shared_data
@pytest.mark.skipif(not FIRE_EVENTS.is_file(), reason=f"{FIRE_EVENTS} is absent")
def test_day_level_data_gives_the_bonfire_period_year_by_year_with_its_verdict() -> None:
    """Given the London Fire Brigade's festival-days file (dated by day), When Tower
    Hamlets' section is gathered, Then "When" is the bonfire period year by year as the
    evidence function counts it, with the latest year's verdict and the source line, and
    the parts without police.uk data are sentences, not a failure."""
    load_geography(force_areas=["E23000001"])
    import_files("incidents", [FIRE_EVENTS], mapping=shipped_mapping("lfb_fire_event_periods"))
    scope = resolve_place("Tower Hamlets")
    answer = seasons(scope, "bonfire-period", year=2023)  # the October of 2023/24
    ww = where_when_for(scope, parse_period("2023/24"))
    when = ww.part("when")
    assert when.failure is None and when.title == f"When: {answer.window}"
    assert [(r[0], r[2]) for r in when.rows] == [(y.year, y.count) for y in answer.count.years]
    assert len(when.rows) >= 10
    c = answer.comparison
    said = " ".join(when.sentences)
    if c.verdict is not None:
        assert f"{answer.window} {c.year}: {c.count:,} incidents" in said and c.verdict in said
    else:
        assert f"No verdict for {c.year}" in said
    assert "cannot be answered" not in said and answer.source_line in said
    assert ww.part("hotspots").rows == []


def crowded_section() -> WhereWhen:
    """A section with more to say than a slide holds: twenty hot spots, a family of
    sixteen, long notes, and a part that failed."""
    long = "A long note about what the figures cannot say, repeated. " * 5
    hot = Part(
        "hotspots", "Hot spots", ("LSOA", "Rate per 1,000 residents", "Confidence (%)",
        "Pattern"), ("text", "rate", "int", "text"), (0.38, 0.17, 0.15, 0.3),
        [[f"Blackburn with Darwen {i:03d}A", 100.0 + i, 99, "hot for 3 years running"]
         for i in range(20)],
        ["20 hot spots and 3 cold spots at 90% confidence or more among 91 LSOAs tested.",
         "4 LSOAs left out: 4 no population estimate."], [long] * 6, "Source: police.uk.",
    )  # fmt: skip
    family = Part(
        "family", "Compared with whom", ("Partnership", "Distance (0 is identical)",
        "Rate per 1,000 residents", "Band"), ("text", "dist", "rate", "text"),
        (0.4, 0.18, 0.18, 0.24),
        [["Blackburn with Darwen (this partnership)", "itself", 88.1, "not banded"]]
        + [[f"Peer partnership number {i}", 0.1 * i, None, "no data"] for i in range(15)],
        ["Rank 1 of 1.", long], [long] * 3, families.SOURCE,
    )  # fmt: skip
    when = Part("when", "When", failure="When cannot be given here: " + long)
    return WhereWhen("Blackburn with Darwen", "2014/15", "All crime", [hot, when, family])


def test_a_crowded_section_stays_on_its_slides(tmp_path: Path) -> None:
    """Given a section longer than a slide, When the deck is written, Then nothing runs
    off a slide or out of its box, tables carry on to "(continued)" slides, "No data"
    is shown for peers without a rate, and the failed part is a slide of its own."""
    pack = replace(example_pack(), where_when=crowded_section())
    path = build_pptx(pack, tmp_path / "crowded.pptx")
    check_layout(path)
    slides = [(t, x) for t, x in deck(path) if t.startswith("Where and when")]
    titles = [t for t, _ in slides]
    assert "Where and when: Hot spots (continued)" in titles
    assert "Where and when: When" in titles
    text = " ".join(x for _, x in slides)
    assert text.count(NO_DATA) == 15 and "Peer partnership number 14" in text
    assert "Blackburn with Darwen 019A" in text
