"""A plan as a reader sees it (`outline`), and as documents: an editable Word file
(python-docx) and an A4 PDF (WeasyPrint, tagged PDF/UA-1, offline: it fetches nothing
but ``data:`` URLs). Both carry the vision, the table of priority issues, contributory
factors, shared outcomes and statutory requirements in the shape of the Lancashire
Community Safety Agreement's table, each priority's indicators and the initiatives that
deliver it, and the "have regard" mapping to the policing body's objectives (the body is
``settings.POLICING_BODY``). The documents name each initiative with its period and lead
group; the page adds their actions' progress for signed-in readers.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from html import escape
from typing import Any

from django.conf import settings
from django.db.models import Count, Model, Prefetch, Q
from django.utils import timezone

from saferplaces.strategy.models.plans import (
    ContributoryFactor,
    Plan,
    PlanPriority,
    PolicingObjective,
    SharedOutcome,
    StatutoryRequirement,
)
from saferplaces.strategy.plans import indicator_names, objectives_for

TABLE_HEADINGS = ("Priority Issues", "Contributory Factors", "Shared Outcomes")
REQUIREMENTS_HEADING = "Statutory Requirements"
NO_INITIATIVE = "No initiative is linked to this priority yet"

# The delivery layer's action statuses, by value: strategy sits below delivery and may not
# import it (tests/strategy/test_plan_initiatives.py checks these match delivery's).
ACTIONS = "action_plans__actions"
OPEN_STATUSES = ("not_started", "in_progress")
DONE_STATUS = "done"
CANCELLED_STATUS = "cancelled"


@dataclass(frozen=True)
class InitiativeView:
    """An initiative that delivers a priority, with its actions counted on ``today``."""

    name: str
    slug: str
    starts_on: datetime.date
    ends_on: datetime.date
    lead_group: str | None
    actions: int
    """Actions of its action plans, cancelled ones left out."""
    done: int
    open: int
    overdue: int
    """Open actions whose due date has passed (due today is not yet overdue)."""
    cancelled: int

    @property
    def period(self) -> str:
        return f"{self.starts_on:%-d %B %Y} to {self.ends_on:%-d %B %Y}"

    @property
    def action_summary(self) -> str:
        """e.g. "12 of 14 actions done, 2 open, 1 overdue"; never "0 of 0"."""
        if self.actions == 0:
            note = f" ({self.cancelled} cancelled)" if self.cancelled else ""
            return f"No actions recorded yet{note}"
        noun = "action" if self.actions == 1 else "actions"
        text = f"{self.done} of {self.actions} {noun} done, {self.open} open, "
        text += f"{self.overdue} overdue"
        if self.cancelled:
            text += f" ({self.cancelled} cancelled, not counted)"
        return text

    @property
    def line(self) -> str:
        """One line for a document: name, period and lead group."""
        lead = f", led by {self.lead_group}" if self.lead_group else ""
        return f"{self.name} ({self.period}{lead})"


def initiatives_prefetch(today: datetime.date) -> Prefetch[Any]:
    """Prefetch ``PlanPriority.initiatives`` (as ``delivered_by``) with each initiative's
    lead group and its actions counted on ``today``, in one query for all priorities."""
    field: Any = PlanPriority._meta.get_field("initiatives")
    model = field.related_model
    assert isinstance(model, type) and issubclass(model, Model)
    is_open = Q(**{f"{ACTIONS}__status__in": OPEN_STATUSES})
    queryset = (
        model._default_manager.select_related("lead_group")
        .annotate(
            n_actions=Count(ACTIONS, filter=~Q(**{f"{ACTIONS}__status": CANCELLED_STATUS})),
            n_done=Count(ACTIONS, filter=Q(**{f"{ACTIONS}__status": DONE_STATUS})),
            n_open=Count(ACTIONS, filter=is_open),
            n_overdue=Count(ACTIONS, filter=is_open & Q(**{f"{ACTIONS}__due_on__lt": today})),
            n_cancelled=Count(ACTIONS, filter=Q(**{f"{ACTIONS}__status": CANCELLED_STATUS})),
        )
        .order_by("starts_on", "name", "pk")
    )
    return Prefetch("initiatives", queryset=queryset, to_attr="delivered_by")


def initiative_views(priority: PlanPriority) -> tuple[InitiativeView, ...]:
    """The initiatives of a priority fetched with `initiatives_prefetch`."""
    return tuple(
        InitiativeView(
            name=i.name,
            slug=i.slug,
            starts_on=i.starts_on,
            ends_on=i.ends_on,
            lead_group=i.lead_group.name if i.lead_group is not None else None,
            actions=i.n_actions,
            done=i.n_done,
            open=i.n_open,
            overdue=i.n_overdue,
            cancelled=i.n_cancelled,
        )
        for i in getattr(priority, "delivered_by")  # noqa: B009 (set by the prefetch)
    )


@dataclass(frozen=True)
class PriorityView:
    priority: PlanPriority
    indicators: tuple[tuple[str, str], ...]
    """(key, name) of each indicator; a key the evidence layer no longer knows keeps its key."""
    objectives: tuple[PolicingObjective, ...]
    county_priority: PlanPriority | None
    district_priorities: tuple[PlanPriority, ...]
    initiatives: tuple[InitiativeView, ...]
    """The initiatives that deliver it (empty: `NO_INITIATIVE`)."""


@dataclass(frozen=True)
class Outline:
    plan: Plan
    priorities: tuple[PriorityView, ...]
    factors: tuple[ContributoryFactor, ...]
    outcomes: tuple[SharedOutcome, ...]
    requirements: tuple[StatutoryRequirement, ...]
    objectives: tuple[PolicingObjective, ...]
    """The policing body's objectives that apply to the plan's area."""
    body: str

    @property
    def regard_rows(self) -> list[tuple[PolicingObjective, list[PlanPriority]]]:
        """Each objective with the priorities that have regard to it."""
        return [
            (o, [p.priority for p in self.priorities if o in p.objectives]) for o in self.objectives
        ]

    @property
    def status_line(self) -> str:
        plan = self.plan
        if not plan.is_approved or plan.approved_on is None:
            return "Draft: not yet approved"
        note = f" ({plan.approval_note})" if plan.approval_note else ""
        return f"Approved on {plan.approved_on:%-d %B %Y}{note}"


def outline(plan: Plan, today: datetime.date | None = None) -> Outline:
    """The plan as a reader sees it, in a constant number of queries; the initiatives'
    actions are counted on ``today`` (the local date unless given)."""
    names = indicator_names()
    districts = PlanPriority.objects.select_related("plan__place").order_by(
        "plan__place__name", "plan__pk", "order", "pk"
    )
    rows = plan.priorities.select_related("county_priority__plan__place").prefetch_related(
        "objectives",
        Prefetch("district_priorities", queryset=districts),
        initiatives_prefetch(today or timezone.localdate()),
    )
    priorities = tuple(
        PriorityView(
            priority=p,
            indicators=tuple((k, names.get(k, k)) for k in p.indicator_keys),
            objectives=tuple(p.objectives.all()),
            county_priority=p.county_priority,
            district_priorities=tuple(p.district_priorities.all()),
            initiatives=initiative_views(p),
        )
        for p in rows
    )
    return Outline(
        plan=plan,
        priorities=priorities,
        factors=tuple(plan.factors.all()),
        outcomes=tuple(plan.outcomes.all()),
        requirements=tuple(plan.requirements.all()),
        objectives=tuple(objectives_for(plan).select_related("place")),
        body=settings.POLICING_BODY,
    )


def filename(plan: Plan, suffix: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in plan.title).strip("-")
    while "--" in safe:
        safe = safe.replace("--", "-")
    return f"{safe or 'plan'}.{suffix}"


# Word ----------------------------------------------------------------------------------------


def build_docx(o: Outline) -> bytes:
    """The plan as an editable Word document."""
    from docx import Document

    doc: Any = Document()
    plan = o.plan
    doc.core_properties.title = plan.title
    doc.core_properties.author = settings.PARTNERSHIP_NAME
    doc.add_heading(plan.title, level=0)
    doc.add_paragraph(f"{plan.place.name}: {plan.get_kind_display()}, {plan.period_label}")
    doc.add_paragraph(o.status_line)
    if plan.vision:
        doc.add_heading("Vision", level=1)
        doc.add_paragraph(plan.vision, style="Intense Quote")
    doc.add_heading("Priority issues and shared outcomes", level=1)
    _docx_table(doc, o)
    doc.add_heading("Priority issues", level=1)
    for view in o.priorities:
        p = view.priority
        doc.add_heading(p.title, level=2)
        if p.description:
            doc.add_paragraph(p.description)
        indicators = ", ".join(name for _, name in view.indicators) or "None linked yet"
        doc.add_paragraph(f"Indicators: {indicators}")
        regard = "; ".join(str(obj) for obj in view.objectives) or "None mapped yet"
        doc.add_paragraph(f"Has regard to the {o.body}'s objectives: {regard}")
        delivered = "; ".join(i.line for i in view.initiatives) or NO_INITIATIVE
        doc.add_paragraph(f"Delivered by: {delivered}")
        if view.county_priority is not None:
            doc.add_paragraph(
                f"Feeds the county priority {view.county_priority.title} "
                f"({view.county_priority.plan.title})"
            )
    doc.add_heading(f"Having regard to the {o.body}'s objectives", level=1)
    if o.objectives:
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = f"{o.body}'s objective"
        table.rows[0].cells[1].text = "Priority issues that have regard to it"
        for objective, priorities in o.regard_rows:
            cells = table.add_row().cells
            cells[0].text = str(objective)
            cells[1].text = ", ".join(p.title for p in priorities) or "None"
    else:
        doc.add_paragraph(f"No {o.body} objectives are registered for this area.")
    if plan.source:
        doc.add_heading("Source", level=1)
        doc.add_paragraph(plan.source)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_table(doc: Any, o: Outline) -> None:
    """Three columns; the outcomes run down the third column beside the requirements,
    as in the agreement's table."""
    table = doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, TABLE_HEADINGS, strict=True):
        cell.text = heading
        cell.paragraphs[0].runs[0].bold = True
    _docx_list(table.cell(1, 0), [p.priority.title for p in o.priorities])
    _docx_list(table.cell(1, 1), [f.title for f in o.factors])
    outcomes = table.cell(1, 2).merge(table.cell(3, 2))
    _docx_list(outcomes, [f"{x.number}. {x.text}" for x in o.outcomes])
    heading = table.cell(2, 0).merge(table.cell(2, 1))
    heading.text = REQUIREMENTS_HEADING
    heading.paragraphs[0].runs[0].bold = True
    _docx_list(table.cell(3, 0).merge(table.cell(3, 1)), [r.title for r in o.requirements])


def _docx_list(cell: Any, items: list[str]) -> None:
    cell.text = items[0] if items else "None"
    for item in items[1:]:
        cell.add_paragraph(item)


# PDF -----------------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 20mm 18mm 22mm 18mm;
  @bottom-left { content: string(doctitle); font-size: 8pt; color: #505a5f; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt;
                  color: #505a5f; } }
html { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10.5pt;
       color: #0b0c0c; line-height: 1.4; }
h1 { color: #003078; font-size: 22pt; string-set: doctitle content(); }
h2 { color: #003078; font-size: 15pt; border-bottom: 1.5pt solid #1d70b8; }
h3 { color: #003078; font-size: 12pt; }
blockquote { border-left: 3pt solid #1d70b8; margin: 0 0 4mm; padding: 2mm 4mm;
             font-size: 12pt; }
table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; }
th, td { border: 0.5pt solid #b1b4b6; padding: 2mm; text-align: left; vertical-align: top; }
th { background: #003078; color: white; }
ul, ol { margin: 0; padding-left: 5mm; }
.small { font-size: 9pt; color: #505a5f; }
"""


def plan_html(o: Outline) -> str:
    plan = o.plan
    blocks = [
        f"<h1>{escape(plan.title)}</h1>",
        f"<p>{escape(plan.place.name)}: {escape(plan.get_kind_display())}, "
        f"{escape(plan.period_label)}</p>",
        f"<p>{escape(o.status_line)}</p>",
    ]
    if plan.vision:
        blocks.append(f"<h2>Vision</h2><blockquote>{escape(plan.vision)}</blockquote>")
    blocks.append("<h2>Priority issues and shared outcomes</h2>" + table_html(o))
    blocks.append("<h2>Priority issues</h2>")
    for view in o.priorities:
        p = view.priority
        blocks.append(f"<h3>{escape(p.title)}</h3>")
        if p.description:
            blocks.append(f"<p>{escape(p.description)}</p>")
        indicators = ", ".join(name for _, name in view.indicators) or "None linked yet"
        regard = "; ".join(str(obj) for obj in view.objectives) or "None mapped yet"
        blocks.append(f"<p>Indicators: {escape(indicators)}</p>")
        blocks.append(f"<p>Has regard to the {escape(o.body)}'s objectives: {escape(regard)}</p>")
        delivered = "; ".join(i.line for i in view.initiatives) or NO_INITIATIVE
        blocks.append(f"<p>Delivered by: {escape(delivered)}</p>")
    blocks.append(f"<h2>Having regard to the {escape(o.body)}'s objectives</h2>")
    if o.objectives:
        rows = "".join(
            f'<tr><th scope="row">{escape(str(obj))}</th>'
            f"<td>{escape(', '.join(p.title for p in ps) or 'None')}</td></tr>"
            for obj, ps in o.regard_rows
        )
        blocks.append(
            f'<table><thead><tr><th scope="col">{escape(o.body)}\'s objective</th>'
            f'<th scope="col">Priority issues that have regard to it</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    else:
        blocks.append(f"<p>No {escape(o.body)} objectives are registered for this area.</p>")
    if plan.source:
        blocks.append(f'<p class="small">Source: {escape(plan.source)}</p>')
    return (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(plan.title)}</title>"
        f'<meta name="author" content="{escape(settings.PARTNERSHIP_NAME)}">'
        f"<style>{CSS}</style></head><body>{''.join(blocks)}</body></html>"
    )


def table_html(o: Outline) -> str:
    """The agreement's table (the PDF's; the web page draws the same shape)."""

    def ul(items: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"

    outcomes = "<ol>" + "".join(
        f'<li value="{x.number}">{escape(x.text)}</li>' for x in o.outcomes
    ) + "</ol>"  # fmt: skip
    head = "".join(f'<th scope="col">{h}</th>' for h in TABLE_HEADINGS)
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>"
        f"<tr><td>{ul([p.priority.title for p in o.priorities])}</td>"
        f"<td>{ul([f.title for f in o.factors])}</td>"
        f'<td rowspan="3">{outcomes}</td></tr>'
        f'<tr><th scope="colgroup" colspan="2">{REQUIREMENTS_HEADING}</th></tr>'
        f'<tr><td colspan="2">{ul([r.title for r in o.requirements])}</td></tr>'
        "</tbody></table>"
    )


def build_pdf(o: Outline) -> bytes:
    """The plan as an A4 PDF."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class Offline(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"refusing to fetch {url!r}: documents are built offline")
            return super().fetch(url, headers)

    fetcher = Offline(allowed_protocols={"data"}, timeout=1)
    pdf: bytes = HTML(string=plan_html(o), url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
