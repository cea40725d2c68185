"""The strategic assessment as documents: an editable Word file (python-docx) and an A4
PDF (WeasyPrint), both drawn from one list of blocks so that they say the same thing.

The figures are the evidence layer's (``gather``): "no data" is said in words and a
cell without a figure is empty, never 0; coverage and sources are stated; the harm view
names its weights or says that none are loaded. Charts are Vega-Lite (Altair) rendered
offline by vl-convert.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from io import BytesIO
from pathlib import Path
from typing import Any

import vl_convert as vlc
from weasyprint.urls import URLFetcher

from saferplaces.insight.compare import IndicatorResult
from saferplaces.insight.prioritise import RankedIssue
from saferplaces.strategy.assessments import (
    CRITERIA,
    NEUTRAL,
    margin_of_error,
    ranked,
    weights,
)
from saferplaces.strategy.gather import Gathered, gather
from saferplaces.strategy.models import StrategicAssessment

RECOMMENDED = 5
"""How many of the ranked candidates the document recommends as priorities."""
NONE = "no data"


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Bullets:
    items: list[str]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Figure:
    spec: dict[str, Any]
    alt: str
    caption: str


Block = Heading | Para | Bullets | Table | Figure


def n(value: float | int | None, digits: int = 0) -> str:
    """A figure, or an empty cell when there is none (never 0)."""
    if value is None:
        return ""
    return f"{value:,.{digits}f}"


def signed(value: float | int | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:+,.{digits}f}"


def verdict_text(r: IndicatorResult) -> str:
    if r.count is None:
        return NONE
    if r.reason:
        return f"{r.verdict} ({r.reason})"
    return r.verdict


def indicator_table(results: Sequence[IndicatorResult], g: Gathered) -> Table:
    rows = [
        [r.name, n(r.count), n(r.previous_count), signed(r.change), signed(r.pct_change, 1),
         n(r.rate_per_1000, 1), verdict_text(r)]
        for r in results
    ]  # fmt: skip
    return Table(
        f"Levels and change: {g.year} against {g.previous_period.label}",
        ["Indicator", g.year, g.previous_period.label, "Change", "% change",
         "Rate per 1,000", "Verdict"],
        rows, {1, 2, 3, 4, 5},
    )  # fmt: skip


def indicator_chart(results: Sequence[IndicatorResult], g: Gathered) -> Figure | None:
    values = []
    for r in results:
        for label, count in ((g.previous_period.label, r.previous_count), (g.year, r.count)):
            if count is not None:
                values.append({"indicator": r.name, "year": label, "count": count})
    if not values:
        return None
    order = [g.previous_period.label, g.year]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 440, "height": 260,
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "indicator", "type": "nominal", "title": None, "sort": None},
            "x": {"field": "count", "type": "quantitative", "title": "Count"},
            "yOffset": {"field": "year", "type": "nominal", "sort": order},
            "color": {"field": "year", "type": "nominal", "title": None,
                      "sort": order,
                      "scale": {"range": ["#b1b4b6", "#1d70b8"]}},
        },
        "config": {"font": "Liberation Sans", "view": {"stroke": None}},
    }  # fmt: skip
    held = [r for r in results if r.count is not None]
    listed = "; ".join(f"{r.name} {r.count:,}" for r in held)
    alt = f"Bar chart of each indicator's count in {g.year} beside {order[0]}: {listed}"
    return Figure(spec, alt, f"Counts by indicator, {g.previous_period.label} and {g.year}")


def trend_chart(g: Gathered) -> Figure | None:
    """The headline indicator month by month with its control limits (months with no
    data left as gaps, never drawn as 0)."""
    head = g.perf.headline
    points = [p for p in g.perf.series.get(head.indicator, []) if p.count is not None]
    if len(points) < 3:
        return None
    values = [{"month": f"{p.month}-01", "count": p.count, "mean": round(p.mean, 1),
               "upper": round(p.upper, 1), "lower": round(max(p.lower, 0.0), 1)}
              for p in points]  # fmt: skip
    x = {"field": "month", "type": "temporal", "title": None,
         "axis": {"format": "%b %Y", "labelAngle": -45}}  # fmt: skip
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 440, "height": 220, "data": {"values": values},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.15, "color": "#1d70b8"},
             "encoding": {"x": x, "y": {"field": "lower", "type": "quantitative"},
                          "y2": {"field": "upper"}}},
            {"mark": {"type": "line", "strokeDash": [4, 3], "color": "#505a5f"},
             "encoding": {"x": x, "y": {"field": "mean", "type": "quantitative"}}},
            {"mark": {"type": "line", "point": True, "color": "#003078"},
             "encoding": {"x": x, "y": {"field": "count", "type": "quantitative",
                                        "title": head.unit.capitalize()}}},
        ],
        "config": {"font": "Liberation Sans", "view": {"stroke": None}},
    }  # fmt: skip
    first, last = points[0], points[-1]
    alt = (f"Line chart of {head.name} each month from {first.month} ({first.count:,}) to "
           f"{last.month} ({last.count:,}), with its average and control limits")  # fmt: skip
    return Figure(spec, alt, f"{head.name} by month, with the average and the limits of "
                             "normal variation (shaded)")  # fmt: skip


def headline_reasons(issues: Sequence[RankedIssue]) -> list[str]:
    """Each recommended issue with the reasons that set it apart (scores off the middle
    of the scale, and every override)."""
    out = []
    for r in issues:
        key = [c for c in r.contributions if c.score != NEUTRAL or c.override is not None]
        why = "; ".join(
            f"{c.label} {c.score}: {c.reason}"
            + (f" (changed by {c.override.by})" if c.override is not None else "")
            for c in key
        )
        out.append(
            f"{r.position}. {r.issue} (score {r.total:g}): {why or 'no score off the middle'}"
        )
    return out


def ranked_rows(issues: Sequence[RankedIssue]) -> list[list[str]]:
    return [
        [str(r.position), r.issue + (" (tied)" if r.tied else ""), n(r.total, 1),
         *(str(c.score) + ("*" if c.override else "") for c in r.contributions)]
        for r in issues
    ]  # fmt: skip


def reasons_for(issues: Sequence[RankedIssue]) -> list[str]:
    """Each issue (highest ranked first): its total and the reason for each score, with
    any override: the score it replaced, who made it and why."""
    out = []
    for r in issues:
        parts = []
        for c in r.contributions:
            text = f"{c.label} {c.score}: {c.reason}"
            if c.override is not None:
                text += (
                    f" [changed by {c.override.by} from {c.original_score} ({c.original_reason})]"
                )
            parts.append(text)
        out.append(f"{r.position}. {r.issue} (score {r.total:g}): " + "; ".join(parts))
    return out


def blocks(a: StrategicAssessment, g: Gathered) -> list[Block]:
    """The document, in order."""
    out: list[Block] = [
        Heading(f"{a.place.name} strategic assessment {a.year}", 0),
        Para(
            f"Signed off by {a.signed_off_by.get_username() if a.signed_off_by else 'unknown'} "
            f"on {a.signed_off_on:%d %B %Y}." if a.signed_off and a.signed_off_on
            else "Draft: not yet signed off."
        ),
        Heading("Recommended priorities"),
    ]  # fmt: skip
    issues = ranked(a) if a.candidates.exists() else []
    top = headline_reasons(issues[:RECOMMENDED])
    if top:
        out.append(Para(
            "Ranked by the prioritisation matrix (the sum of each score times its "
            "criterion's weight). The reasons shown are the scores off the middle of the "
            "scale; every score's reason is in the prioritisation matrix below:"
        ))  # fmt: skip
        out += [Para(t) for t in top]
    else:
        out.append(Para("The candidate priorities have not been scored yet."))
    out += [Heading("What the figures cover"), Bullets(g.coverage)]
    if g.last_assessment:
        out.append(Para(f"Change since the last assessment ({g.last_assessment}) is shown "
                        f"as the change on {g.previous_period.label}."))  # fmt: skip
    out += [Heading("Levels and trends"), indicator_table(g.results, g)]
    for chart in (indicator_chart(g.results, g), trend_chart(g)):
        if chart:
            out.append(chart)
    like = [r for r in g.results if r.like_for_like is not None]
    for r in like:
        lf = r.like_for_like
        assert lf is not None
        out.append(Para(
            f"{r.name}, like for like over the {len(lf.months)} months both years "
            f"hold: {lf.count:,} against {lf.previous_count:,}, {lf.verdict}."
        ))  # fmt: skip
    out.append(Heading("Seasonal patterns"))
    if g.seasonal:
        for s in g.seasonal:
            out.append(Table(s.title, ["Year", "From", "To", "Count"],
                             [[str(y.year), y.start, y.end,
                               n(y.count) if y.count is not None else (y.reason or NONE)]
                              for y in s.years], {3}))  # fmt: skip
            if s.note:
                out.append(Para(s.note))
    else:
        out.append(Para("No seasonal windows can be counted from the data held."))
    out.append(Heading("Where: the LSOAs with the highest rates"))
    head = g.perf.headline
    if g.top_lsoas:
        out.append(Table(f"{head.name}: highest rates per 1,000 residents, {g.year}",
                         ["LSOA", "Code", "Count", "Residents", "Rate per 1,000"],
                         [[s.name, s.code, n(s.count), n(s.population), n(s.rate_per_1000, 1)]
                          for s in g.top_lsoas], {2, 3, 4}))  # fmt: skip
    else:
        out.append(Para("No LSOA figures for this year."))
    out.append(Heading("Harm"))
    out.append(Para(g.harm.note, bold=not g.harm.weighted))
    if g.harm.weighted:
        out.append(Table("Harm by category", ["Category", "Count", "Weight", "Harm",
                                              "% of harm", "Rank by volume"],
                         [[h.label, n(h.count), n(h.weight, 1), n(h.harm, 0),
                           n(None if h.share is None else 100 * h.share, 1), str(h.volume_rank)]
                          for h in g.harm.rows], {1, 2, 3, 4, 5}))  # fmt: skip
    else:
        out.append(Table("Volume by category (not harm)", ["Category", "Count", "% of volume"],
                         [[name, n(count), n(share, 1)] for name, count, share in g.harm.volume],
                         {1, 2}))  # fmt: skip
    out.append(Heading("What the community says"))
    survey = list(a.survey_results.all())
    if survey:
        out.append(Table("Consultation results (95% margin of error)",
                         ["Survey", "Question", "Area", "Response", "Share %", "±", "Base"],
                         [[s.survey, s.question, s.area, s.response, n(s.share, 1),
                           n(margin_of_error(s.share, s.base), 1) or (NONE if s.share is None
                                                                      else ""),
                           n(s.base)] for s in survey],
                         {4, 5, 6}))  # fmt: skip
    else:
        out.append(Para("No consultation results have been added."))
    out.append(Heading("Partner input"))
    sections = list(a.sections.select_related("organisation", "written_by"))
    for sec in sections:
        who = sec.written_by.get_username() if sec.written_by else "unknown"
        out += [
            Heading(f"{sec.organisation.name}: {sec.title}", 2),
            Para(f"Written by {who} on {sec.written_on:%d %B %Y}."),
            Para(sec.text),
        ]
    if not sections:
        out.append(Para("No partner has added a section."))
    out.append(Heading("Prioritisation matrix"))
    w = weights()
    listed = ", ".join(f"{c.label} {w.get(c.slug, 0):g}" for c in CRITERIA)
    out.append(Para(f"Each criterion is scored 1 (low) to 5 (high). Weights: {listed}."))
    if issues:
        out.append(Table("Candidate issues, ranked (* an analyst's override)",
                         ["Rank", "Issue", "Score", *(c.label for c in CRITERIA)],
                         ranked_rows(issues), set(range(2, 3 + len(CRITERIA)))))  # fmt: skip
        out += [Heading("Reasons for each score", 2), *(Para(t) for t in reasons_for(issues))]
    out.append(Heading("Sources"))
    out.append(Bullets([s.sentence for s in g.sources] + [g.licence]))
    return out


# ---------------------------------------------------------------- Word


def png(spec: dict[str, Any]) -> bytes:
    return bytes(vlc.vegalite_to_png(spec, scale=2))


def svg(spec: dict[str, Any]) -> str:
    return str(vlc.vegalite_to_svg(spec))


def write_docx(parts: Sequence[Block], path: Path) -> Path:
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    for b in parts:
        if isinstance(b, Heading):
            doc.add_heading(b.text, b.level)
        elif isinstance(b, Para):
            p = doc.add_paragraph()
            p.add_run(b.text).bold = b.bold
        elif isinstance(b, Bullets):
            for item in b.items:
                doc.add_paragraph(item, style="List Number" if b.numbered else "List Bullet")
        elif isinstance(b, Table):
            doc.add_paragraph(b.caption, style="Caption")
            t = doc.add_table(rows=1, cols=len(b.header))
            t.style = "Table Grid"
            for cell, text in zip(t.rows[0].cells, b.header, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in b.rows:
                cells = t.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
        else:
            doc.add_picture(BytesIO(png(b.spec)), width=Cm(15))
            pic = doc.inline_shapes[-1]
            pic._inline.docPr.set("descr", b.alt)
            doc.add_paragraph(b.caption, style="Caption")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


# ---------------------------------------------------------------- PDF

CSS = """
@page { size: A4; margin: 20mm 18mm 22mm 18mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt;
                  color: #505a5f; } }
html { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10pt;
       color: #0b0c0c; line-height: 1.4; }
h1, h2, h3 { color: #003078; line-height: 1.2; }
h1 { font-size: 22pt; }
h2 { font-size: 15pt; border-bottom: 1.5pt solid #1d70b8; padding-bottom: 1.5mm;
     break-after: avoid; }
h3 { font-size: 12pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 0 0 4mm; }
caption { text-align: left; font-weight: bold; margin-bottom: 1.5mm; color: #003078; }
th, td { border-bottom: 0.5pt solid #b1b4b6; padding: 1.2mm 1.6mm; text-align: left;
         vertical-align: top; }
thead th { background: #003078; color: white; }
td.num, th.num { text-align: right; }
figure { margin: 0 0 4mm; break-inside: avoid; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #505a5f; }
"""


def html_of(parts: Sequence[Block], title: str) -> str:
    body = []
    for b in parts:
        if isinstance(b, Heading):
            level = min(b.level + 1, 4)
            body.append(f"<h{level}>{escape(b.text)}</h{level}>")
        elif isinstance(b, Para):
            text = f"<strong>{escape(b.text)}</strong>" if b.bold else escape(b.text)
            body.append(f"<p>{text}</p>")
        elif isinstance(b, Bullets):
            tag = "ol" if b.numbered else "ul"
            body.append(
                f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in b.items) + f"</{tag}>"
            )
        elif isinstance(b, Table):
            head = "".join(
                f'<th scope="col"{" class=num" if i in b.numeric else ""}>{escape(h)}</th>'
                for i, h in enumerate(b.header)
            )
            rows = "".join(
                "<tr>" + "".join(
                    f'<td{" class=num" if i in b.numeric else ""}>{escape(c)}</td>'
                    for i, c in enumerate(row)
                ) + "</tr>"
                for row in b.rows
            )  # fmt: skip
            body.append(f"<table><caption>{escape(b.caption)}</caption><thead><tr>{head}</tr>"
                        f"</thead><tbody>{rows}</tbody></table>")  # fmt: skip
        else:
            data = base64.b64encode(png(b.spec)).decode()
            body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{escape(b.alt)}">'
                        f"<figcaption>{escape(b.caption)}</figcaption></figure>")  # fmt: skip
    return (f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>'
            f"{escape(title)}</title><style>{CSS}</style></head><body>{''.join(body)}"
            "</body></html>")  # fmt: skip


class OfflineFetcher(URLFetcher):
    """Fetches ``data:`` URLs only: the document is built offline."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, timeout=1)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.split(":", 1)[0].lower() != "data":
            raise ValueError(f"refusing to fetch {url!r}: documents are built offline")
        return super().fetch(url, headers)


def write_pdf(parts: Sequence[Block], path: Path, title: str) -> Path:
    from weasyprint import HTML

    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html_of(parts, title), url_fetcher=OfflineFetcher()).write_pdf(
        str(path), pdf_variant="pdf/ua-1"
    )
    return path


def write_document(a: StrategicAssessment, path: Path, g: Gathered | None = None) -> Path:
    """Write ``a`` to ``path`` as Word (.docx) or PDF (.pdf), by its suffix."""
    g = g if g is not None else gather(a.place, a.year)
    parts = blocks(a, g)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return write_docx(parts, path)
    if suffix == ".pdf":
        return write_pdf(parts, path, f"{a.place.name} strategic assessment {a.year}")
    raise ValueError(f"{path.name}: the output must end .docx or .pdf")
