"""The performance briefing as a printable A4 PDF (WeasyPrint), tagged for assistive
technology (PDF/UA-1: structure tree, title, language, alt text on every chart).

Cover (the partnership's name and logo), contents (page numbers via ``target-counter``),
headlines and summary, a section per indicator (chart and figures table), seasonal
windows, categories, districts, data notes, and last the technical annex (the test
statistics, which the body never names). The partnership's name heads every page and
"Page N of M" ends it. Charts are the same PNGs as the deck's (see
:mod:`saferplaces.reports.render`). System fonts only, and WeasyPrint may fetch nothing
but ``data:`` and ``file:`` URLs.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from saferplaces.reports import tables, wording
from saferplaces.reports.charts import Chart
from saferplaces.reports.pack import (
    VERDICT_INCREASE,
    VERDICT_REDUCTION,
    IndicatorFigure,
    PerformancePack,
)
from saferplaces.reports.render import PNG_SCALE, RenderedCharts, png_size
from saferplaces.reports.where_when import WhereWhen

ALLOWED_SCHEMES = frozenset({"data", "file"})
PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF for accessibility: structure tree, marked content, title shown, language."""


class OfflineFetcher(URLFetcher):
    """A URL fetcher that refuses everything but ``data:`` and ``file:`` URLs and
    remembers what it refused."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=set(ALLOWED_SCHEMES), timeout=1)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = url.split(":", 1)[0].lower()
        if scheme not in ALLOWED_SCHEMES:
            self.refused.append(url)
            raise ValueError(f"refusing to fetch {url!r}: documents are built offline")
        return super().fetch(url, headers)


CSS = """
@page {
  size: A4;
  margin: 22mm 18mm 24mm 18mm;
  @top-left { content: string(partnership); font-size: 8pt; color: #505a5f; }
  @top-right { content: string(doctitle); font-size: 8pt; color: #505a5f; }
  @bottom-left { content: string(doctitle); font-size: 8pt; color: #505a5f; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  font-size: 8pt; color: #505a5f; }
}
@page cover { margin: 0; @bottom-left { content: none; } @top-left { content: none; }
              @top-right { content: none; }
              @bottom-right { color: #c6dcf0; margin-right: 10mm; } }
html { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt;
       color: #0b0c0c; line-height: 1.4; }
h1, h2, h3 { color: #003078; line-height: 1.2; }
h2 { font-size: 17pt; margin: 0 0 4mm; padding-bottom: 2mm; border-bottom: 1.5pt solid #1d70b8;
     break-after: avoid; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; }
.doctitle { string-set: doctitle content(); }
.partnership { string-set: partnership content(); }
.logo { background: white; display: inline-block; padding: 4mm; border-radius: 2mm;
        margin: 0 0 10mm; }
.logo img { display: block; max-height: 28mm; max-width: 80mm; }
.coverage { background: #f3f2f1; border-left: 3pt solid #d4351c; padding: 3mm 4mm;
            margin: 0 0 4mm; font-weight: bold; }
.cover .coverage { background: white; color: #0b0c0c; }
section { break-before: page; }
.cover { page: cover; background: #003078; color: white; height: 297mm; padding: 40mm 20mm 0;
         box-sizing: border-box; }
.cover h1 { color: white; font-size: 30pt; margin: 0 0 8mm; }
.cover .sub { font-size: 16pt; font-weight: bold; margin: 0 0 10mm; }
.cover p { font-size: 12pt; margin: 0 0 2mm; }
.cover .rule { width: 40mm; height: 2mm; background: #1d70b8; margin: 0 0 10mm; }
.toc ol { list-style: none; padding: 0; }
.toc li { margin: 0 0 2.5mm; font-size: 11pt; }
.toc a { color: #0b0c0c; text-decoration: none; }
.toc a::after { content: leader('.') " " target-counter(attr(href url), page); }
ul.headlines { padding-left: 5mm; }
ul.headlines li { margin: 0 0 3mm; font-size: 11.5pt; }
ul.headlines li.lead { font-weight: bold; }
.verdict { color: #505a5f; }
.sig-down { color: #00703c; }
.sig-up { color: #d4351c; }
.lead-sentence { font-size: 12pt; margin: 0 0 4mm; }
figure { margin: 0 0 4mm; break-inside: avoid; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #505a5f; margin-top: 1mm; }
.table { break-inside: avoid; margin: 0 0 4mm; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
table.compact { font-size: 8.5pt; }
table.compact th, table.compact td { padding: 1.2mm 1.4mm; }
caption { text-align: left; font-weight: bold; margin-bottom: 1.5mm; color: #003078; }
th, td { border-bottom: 0.5pt solid #b1b4b6; padding: 1.4mm 2mm; text-align: left;
         vertical-align: top; }
thead th { background: #003078; color: white; border-bottom: none; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { background: #f3f2f1; border-left: 3pt solid #1d70b8; padding: 3mm 4mm; margin: 0 0 4mm; }
.block { break-inside: avoid; margin-bottom: 6mm; }
.small { font-size: 9pt; color: #505a5f; }
"""


def build_pdf(
    pack: PerformancePack, path: Path | str, *, rendered: RenderedCharts | None = None
) -> Path:
    """Write the A4 performance report for ``pack`` to ``path`` and return the path.

    Pass ``rendered`` to reuse chart renders made for another document in the same run.
    """
    out = Path(path)
    r = rendered if rendered is not None else RenderedCharts(pack)
    fetcher = OfflineFetcher()
    document = HTML(
        string=report_html(pack, r), base_url=str(out.parent.resolve()), url_fetcher=fetcher
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(str(out), pdf_variant=PDF_VARIANT)
    return out


def report_html(pack: PerformancePack, r: RenderedCharts) -> str:
    """The report as one self-contained HTML document (charts and logo inlined)."""
    sections: list[tuple[str, str, str]] = []  # (id, heading, body)
    sections.append(("headlines", f"Headlines {pack.period_label}", _headlines(pack)))
    for i, fig in enumerate(pack.indicators):
        sections.append((f"ind-{i}", fig.name, _indicator(pack, r, i)))
    if pack.seasonal:
        sections.append(("seasonal", "Seasonal windows", _seasonal(pack, r)))
    if pack.categories:
        sections.append(("categories", "Crime by category", _categories(pack, r)))
    if pack.districts:
        sections.append(("districts", "How the districts compare", _districts(pack, r)))
    if pack.funding:
        sections.append(("funding", f"Funding {pack.funding.year_label}", _funding(pack)))
    if pack.where_when is not None:
        ww = pack.where_when
        sections.append(("where-when", ww.title, _where_when(ww)))
    sections.append(("notes", "Data notes", _notes(pack)))
    sections.append(("annex", wording.ANNEX_TITLE, _annex(pack)))
    toc = "".join(
        f'<li><a href="#{sid}">{escape(heading)}</a></li>' for sid, heading, _ in sections
    )
    body = "".join(
        f'<section id="{sid}"><h2>{escape(heading)}</h2>{content}</section>'
        for sid, heading, content in sections
    )
    title = f"{pack.place_name}: Community Safety Partnership performance {pack.period_label}"
    part = wording.coverage_sentence(pack)
    coverage = f'<p class="coverage">{escape(part)}</p>' if part else ""
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{escape(title)}</title>
<meta name="author" content="{escape(pack.partnership_name)}">
<meta name="description" content="{escape(pack.subtitle)}">
<meta name="generator" content="saferplaces">
<style>{CSS}</style></head>
<body>
<div class="cover">
  {_logo(pack)}
  <h1>{escape(pack.place_name)}: Community Safety Partnership performance</h1>
  <div class="rule"></div>
  <p class="sub">{escape(pack.subtitle)}</p>
  <p class="partnership">{escape(pack.partnership_name)}</p>
  <p>{escape(pack.place_name)} ({escape(pack.place_kind)} {escape(pack.place_code)})</p>
  {coverage}
  <p>{escape(wording.generated_note(pack))}</p>
</div>
<section class="toc" id="contents"><h2 class="doctitle">{escape(pack.title)}</h2>
<h3>Contents</h3><ol>{toc}</ol></section>
{body}
</body></html>"""


# ---------------------------------------------------------------- pieces


def _logo(pack: PerformancePack) -> str:
    if not pack.logo:
        return ""
    data = Path(pack.logo).read_bytes()
    kind = "png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "jpeg"
    uri = f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
    alt = escape(f"{pack.partnership_name} logo")
    return f'<div class="logo"><img src="{uri}" alt="{alt}"></div>'


def _img(r: RenderedCharts, chart: Chart) -> str:
    png = r.png(chart)
    width, _ = png_size(png)
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" style="width: {width / PNG_SCALE}px" '
        f'alt="{escape(chart.alt_text)}"><figcaption>{escape(chart.alt_text)}</figcaption>'
        "</figure>"
    )


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    caption: str | None = None,
    text_columns: Sequence[int] = (0,),
    compact: bool = False,
) -> str:
    """A table whose first column heads its rows; columns but ``text_columns`` are numbers
    (aligned right). ``compact``: smaller type for a wide table."""

    def cls(i: int) -> str:
        return "" if i in text_columns else " class=num"

    head = "".join(f'<th scope="col"{cls(i)}>{escape(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row">{escape(v)}</th>' if i == 0 else f"<td{cls(i)}>{escape(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    attrs = ' class="compact"' if compact else ""
    return (
        f'<div class="table"><table{attrs}>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _ul(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def _sentence_html(sentence: str, css: str) -> str:
    main, sep, verdict = sentence.partition(f" {wording.DASH} ")
    if not sep:
        return escape(main)
    return f'{escape(main)} <span class="{css}">{escape(wording.DASH + " " + verdict)}</span>'


def _css_for(fig: IndicatorFigure) -> str:
    verdict = wording.shown_verdict(fig)
    if verdict == VERDICT_REDUCTION:
        return "sig-down"
    if verdict == VERDICT_INCREASE:
        return "sig-up"
    return "verdict"


def _headlines(pack: PerformancePack) -> str:
    part = wording.coverage_sentence(pack)
    items = []
    for i, (fig, sentence) in enumerate(zip(pack.indicators, wording.headlines(pack), strict=True)):
        cls = ' class="lead"' if i == 0 else ""
        items.append(f"<li{cls}>{_sentence_html(sentence, _css_for(fig))}</li>")
    summary = _table(
        tables.summary_header(pack),
        tables.summary_rows(pack),
        caption=f"Summary of indicators, {pack.period_label} compared with {pack.comparison_label}",
        text_columns=(0, 6),
        compact=True,
    )
    coverage = f'<p class="coverage">{escape(part)}</p>' if part else ""
    return f'{coverage}<ul class="headlines">{"".join(items)}</ul>{summary}'


def _indicator(pack: PerformancePack, r: RenderedCharts, index: int) -> str:
    fig = pack.indicators[index]
    sentence = wording.headline(fig, pack.period_label, pack.comparison_label)
    parts = [f'<p class="lead-sentence">{_sentence_html(sentence, _css_for(fig))}</p>']
    chart = r.charts.trends.get(fig.slug)
    if chart is not None:
        parts.append(_img(r, chart))
    else:
        parts.append('<p class="small">No monthly series is held for this indicator.</p>')
    rows = wording.figures_rows(fig, pack.period_label, pack.comparison_label)
    parts.append(
        _table(["Measure", "Value"], [list(row) for row in rows], caption=f"{fig.name}: figures")
    )
    signals = [p for p in pack.series.get(fig.slug, []) if p.signal]
    if signals:
        parts.append(
            '<p class="small">Months that signal a change: '
            + escape("; ".join(f"{p.month:%B %Y}: {p.signal}" for p in signals))
            + ".</p>"
        )
    return "".join(parts)


def _seasonal(pack: PerformancePack, r: RenderedCharts) -> str:
    parts = []
    for table, chart in zip(pack.seasonal, r.charts.seasonal, strict=True):
        parts.append(f'<div class="block"><h3>{escape(table.title)}</h3>')
        parts.append(f'<p class="small">{escape(table.window_label)}</p>')
        if chart is not None:
            parts.append(_img(r, chart))
            parts.append(
                _table(
                    ["Year", f"Count ({table.unit})"],
                    [[str(row.year), wording.fmt_count(row.count)] for row in table.rows],
                    caption=table.title,
                )
            )
        if table.note:
            parts.append(f'<div class="note">{escape(table.note)}</div>')
        parts.append("</div>")
    return "".join(parts)


def _categories(pack: PerformancePack, r: RenderedCharts) -> str:
    chart = _img(r, r.charts.categories) if r.charts.categories is not None else ""
    table = _table(
        tables.category_header(pack),
        tables.category_rows(pack),
        caption="Counts by category, with the same verdicts as the indicators",
        text_columns=(0, 5),
        compact=True,
    )
    notes = tables.category_notes(pack)
    return chart + table + (f'<div class="note">{_ul(notes)}</div>' if notes else "")


def _districts(pack: PerformancePack, r: RenderedCharts) -> str:
    chart = _img(r, r.charts.districts) if r.charts.districts is not None else ""
    table = _table(
        tables.district_header(pack),
        tables.district_rows(pack),
        caption="Districts side by side, highest rate first",
    )
    note = tables.districts_note(pack)
    return chart + table + (f'<p class="small">{escape(note)}</p>' if note else "")


def _funding(pack: PerformancePack) -> str:
    f = pack.funding
    if f is None:
        return ""
    caption = f"Funding streams {f.year_label}: allocated, spent and returns overdue"
    table = _table(f.HEADER, f.text_rows(), caption=caption, text_columns=(0,))
    return table + f'<p class="small">{escape(f.note)}</p>'


def _where_when(ww: WhereWhen) -> str:
    """Each part: its lead sentences (or why it cannot be given), its table, its notes
    and its source line."""
    parts = []
    for part in ww.parts:
        parts.append(f'<div class="block"><h3>{escape(part.title)}</h3>')
        if part.failure:
            parts.append(f'<div class="note">{escape(part.failure)}</div>')
        parts.extend(f"<p>{escape(t)}</p>" for t in part.lead if not part.failure)
        if part.rows:
            parts.append(_table(part.header, part.text_rows(), caption=part.title,
                                text_columns=(0, len(part.header) - 1)))  # fmt: skip
        if part.notes:
            parts.append(f'<div class="small">{_ul(part.notes)}</div>')
        if part.source:
            parts.append(f'<p class="small">{escape(part.source)}</p>')
        parts.append("</div>")
    return "".join(parts)


def _notes(pack: PerformancePack) -> str:
    return (
        "<h3>Sources</h3>"
        + _ul(wording.source_lines(pack))
        + "<h3>What the sources are, and what they cannot say</h3>"
        + _ul(pack.source_notes or ["No source is recorded."])
        + "<h3>Coverage</h3>"
        + f"<p>{escape(wording.coverage_note(pack))}</p>"
        + "<h3>Data quality</h3>"
        + _ul(pack.quality_notes or ["No gaps found."])
        + "<h3>How to read the figures</h3>"
        + _ul(wording.METHOD_NOTES)
        + f'<p class="small">{escape(wording.generated_note(pack))}</p>'
    )


def _annex(pack: PerformancePack) -> str:
    table = _table(
        wording.ANNEX_HEADER,
        [wording.annex_rows(fig) for fig in pack.indicators],
        caption="The counts tested and the test statistics",
        text_columns=(0, 5),
        compact=True,
    )
    return (
        '<p class="small">The statistics behind the verdicts, for analysts. The body of '
        "this report gives the same verdicts in plain words.</p>"
        + table
        + "<h3>Method</h3>"
        + _ul(wording.TECHNICAL_NOTES)
    )
