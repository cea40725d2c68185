"""Pages of funding: the year's summary for a place, the monitoring of quarterly returns
(for a place, or the part a group such as the Local Priorities Group monitors), a
stream with its allocations, an initiative's funding (an htmx fragment), and the forms.

Pages are for signed-in members of the partnership (`delivery.access.require_viewer`);
forms for editors (`require_editor`, 404 otherwise). Every write goes through
`saferplaces.delivery.funding`. The year's workbook is built by the reports app
(`reports:funding_workbook`); these pages only link to it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saferplaces.delivery import funding as services
from saferplaces.delivery.access import can_edit_delivery, require_editor, require_viewer
from saferplaces.delivery.funding_forms import AllocationForm, ReturnForm, StreamForm
from saferplaces.delivery.models import (
    Allocation,
    FundingStream,
    Initiative,
    QuarterlyReturn,
    financial_year_label,
)
from saferplaces.delivery.pages import form_page, write_or_error
from saferplaces.partnership.models import Group, Place


def year_slug(year: int) -> str:
    """2014 → "2014-15" (the workbook's file name and URL)."""
    return financial_year_label(year).replace("/", "-")


def _today() -> datetime.date:
    return timezone.localdate()


def _place(slug: str) -> Place:
    return get_object_or_404(Place, slug=slug)


def _ancestors(place: Place) -> list[Place]:
    return [*place.ancestors(), place]


def _year(request: HttpRequest, place: Place) -> tuple[int, str | None]:
    """The year asked for (``?year=2014/15``), else the latest the place holds, else the
    current financial year; with a problem to show when the asked year is not one."""
    asked = request.GET.get("year", "").strip()
    held = services.years_held(place)
    fallback = held[0] if held else services.year_of(_today())
    if not asked:
        return fallback, None
    try:
        return services.parse_year(asked), None
    except services.FundingYearError:
        return fallback, f"{asked!r} is not a financial year: choose one like 2014/15"


def _year_choices(place: Place, year: int) -> list[tuple[str, bool]]:
    years = sorted({*services.years_held(place), year, services.year_of(_today())}, reverse=True)
    return [(financial_year_label(y), y == year) for y in years]


def _gbp(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


ROW = (
    '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
    '<a class="govuk-link" href="{}">{}</a></th>'
    + '<td class="{}">{}</td>' * 6
    + '<td class="{}">{}</td></tr>'
)
NUM = "govuk-table__cell govuk-table__cell--numeric"


def _summary_rows(summary: services.FundingSummary) -> SafeString:
    """The summary table's body, built here rather than by a template loop: a year can
    hold a thousand streams and the page must stay fast."""
    base = reverse("delivery:stream", args=[0])[: -len("0/")]
    rows = []
    for r in summary.rows:
        overdue = (
            format_html('<strong class="govuk-tag govuk-tag--red">{} overdue</strong>',
                        r.returns_overdue)
            if r.returns_overdue else "0"
        )  # fmt: skip
        to = "; ".join(f"{a.initiative} {_gbp(a.amount)}" for a in r.allocations) or "None yet"
        rows.append(
            format_html(
                ROW, f"{base}{r.pk}/", r.label, NUM, _gbp(r.amount), NUM, _gbp(r.allocated),
                NUM, _gbp(r.unallocated), NUM, _gbp(r.spent), NUM, r.returns_due, NUM, overdue,
                "govuk-table__cell", to,
            )
        )  # fmt: skip
    return mark_safe("".join(rows))  # noqa: S308 - each row is built by format_html


def _stream_url(stream: FundingStream) -> str:
    return reverse("delivery:stream", args=[stream.pk])


# ---------------------------------------------------------------- pages


@login_required
@require_GET
def funding_year(request: HttpRequest, place: str) -> HttpResponse:
    """The year's funding summary for a place, with a year chooser."""
    require_viewer(request)
    here = _place(place)
    year, problem = _year(request, here)
    summary = services.summary(here, year, _today())
    return render(
        request,
        "delivery/funding_summary.html",
        {"place": here, "ancestors": _ancestors(here), "summary": summary, "problem": problem,
         "rows_html": _summary_rows(summary),
         "years": _year_choices(here, year), "year_slug": year_slug(year),
         "can_edit": can_edit_delivery(request.user),
         "groups": Group.objects.filter(funding_streams__place=here,
                                        funding_streams__year=year).distinct()},
        status=400 if problem else 200,
    )  # fmt: skip


def _monitoring(
    request: HttpRequest, here: Place, group: Group | None, problem: str | None = None
) -> HttpResponse:
    year, year_problem = _year(request, here)
    report = services.monitoring(here, year, _today(), group=group)
    problem = problem or year_problem
    return render(
        request,
        "delivery/monitoring.html",
        {"place": here, "ancestors": _ancestors(here), "m": report, "problem": problem,
         "years": _year_choices(here, year), "group": group,
         "groups": Group.objects.filter(place=here).order_by("name"),
         "can_edit": can_edit_delivery(request.user), "soon_days": services.DUE_SOON_DAYS},
        status=400 if problem else 200,
    )  # fmt: skip


@login_required
@require_GET
def monitoring(request: HttpRequest, place: str) -> HttpResponse:
    """Returns by status for a place's year; ``?group=<slug>`` for one group's part."""
    require_viewer(request)
    here = _place(place)
    slug = request.GET.get("group", "").strip()
    group = Group.objects.filter(place=here, slug=slug).first() if slug else None
    problem = (
        f"No group {slug!r} in {here.name}: showing every return" if slug and not group else None
    )
    return _monitoring(request, here, group, problem)


@login_required
@require_GET
def group_funding(request: HttpRequest, slug: str) -> HttpResponse:
    """The returns a group (the Local Priorities Group) monitors or whose initiatives it
    leads."""
    require_viewer(request)
    group = get_object_or_404(Group.objects.select_related("place"), slug=slug)
    return _monitoring(request, group.place, group)


@login_required
@require_GET
def stream_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A stream: what it holds, its conditions, its allocations and their returns."""
    require_viewer(request)
    stream = get_object_or_404(
        FundingStream.objects.select_related("place", "accountable_to"), pk=pk
    )
    return _stream_page(request, stream)


def _stream_page(
    request: HttpRequest, stream: FundingStream, problem: str | None = None
) -> HttpResponse:
    lines = services.stream_allocations(stream, _today())
    allocated = sum((line.allocation.amount for line in lines), services.ZERO)
    spent = sum((line.spent for line in lines), services.ZERO)
    return render(
        request,
        "delivery/stream_detail.html",
        {"stream": stream, "place": stream.place, "ancestors": _ancestors(stream.place),
         "lines": lines, "allocated": allocated, "unallocated": stream.amount - allocated,
         "spent": spent, "can_edit": can_edit_delivery(request.user),
         "source": services.SOURCE, "problem": problem},
        status=400 if problem else 200,
    )  # fmt: skip


@login_required
@require_GET
def initiative_funding(request: HttpRequest, slug: str) -> HttpResponse:
    """An initiative's allocations and their returns: a fragment for htmx, a page
    otherwise."""
    require_viewer(request)
    initiative = get_object_or_404(Initiative.objects.select_related("place"), slug=slug)
    context = {"initiative": initiative, "place": initiative.place,
               "ancestors": _ancestors(initiative.place),
               "lines": services.initiative_funding(initiative, _today()),
               "can_edit": can_edit_delivery(request.user), "source": services.SOURCE}  # fmt: skip
    if request.headers.get("HX-Request"):
        return render(request, "delivery/_initiative_funding.html", context)
    return render(request, "delivery/funding_initiative.html", context)


# ---------------------------------------------------------------- forms


@login_required
@require_http_methods(["GET", "POST"])
def stream_new(request: HttpRequest, place: str) -> HttpResponse:
    require_editor(request)
    here = _place(place)
    year, _ = _year(request, here)
    form = StreamForm(request.POST or None, groups=Group.objects.filter(place=here),
                      initial={"year": financial_year_label(year)})  # fmt: skip
    holder: list[FundingStream] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if write_or_error(form, lambda: holder.append(services.create_stream(
            request.user, place=here, funder=d["funder"], name=d["name"], year=d["year"],
            amount=d["amount"], conditions=d["conditions"], accountable_to=d["accountable_to"],
        ))):  # fmt: skip
            messages.success(request, f"{holder[0]} recorded")
            return redirect(_stream_url(holder[0]))
    return form_page(
        request, form, title="Record a funding stream", caption=here.name,
        back=reverse("delivery:funding", args=[here.slug]), button="Record stream",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def stream_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request)
    stream = get_object_or_404(FundingStream.objects.select_related("place"), pk=pk)
    initial = {f: getattr(stream, f) for f in ("funder", "name", "amount", "conditions",
                                               "accountable_to")}  # fmt: skip
    form = StreamForm(request.POST or None, initial=initial, editing=True,
                      groups=Group.objects.filter(place=stream.place))  # fmt: skip
    if (
        request.method == "POST"
        and form.is_valid()
        and write_or_error(form, lambda: services.update_stream(request.user, stream,
                                                                  **form.cleaned_data))
    ):  # fmt: skip
        messages.success(request, "Funding stream saved")
        return redirect(_stream_url(stream))
    return form_page(
        request, form, title="Edit the funding stream", caption=str(stream),
        back=_stream_url(stream), button="Save",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def allocation_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Allocate part of a stream to one of its place's initiatives."""
    require_editor(request)
    stream = get_object_or_404(FundingStream.objects.select_related("place"), pk=pk)
    choices = Initiative.objects.filter(place=stream.place).exclude(allocations__stream=stream)
    form = AllocationForm(request.POST or None, initiatives=choices.order_by("name"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if write_or_error(form, lambda: services.allocate(
            request.user, stream=stream, initiative=d["initiative"], amount=d["amount"],
            purpose=d["purpose"], decided_on=d["decided_on"],
        )):  # fmt: skip
            messages.success(request, f"{services.pounds(d['amount'])} allocated to "
                                      f"{d['initiative']}")  # fmt: skip
            return redirect(_stream_url(stream))
    left = stream.amount - services.allocated_from(stream)
    return form_page(
        request, form, title="Allocate funding", caption=str(stream), back=_stream_url(stream),
        button="Allocate", lead=f"{services.pounds(left)} of {services.pounds(stream.amount)} "
        "is not yet allocated. Allocating creates the four quarterly returns it owes.",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def allocation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request)
    allocation = get_object_or_404(Allocation.objects.select_related("stream", "initiative"), pk=pk)
    initial = {"amount": allocation.amount, "purpose": allocation.purpose,
               "decided_on": allocation.decided_on}  # fmt: skip
    form = AllocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if write_or_error(form, lambda: services.change_allocation(
            request.user, allocation, amount=d["amount"], purpose=d["purpose"],
            decided_on=d["decided_on"],
        )):  # fmt: skip
            messages.success(request, "Allocation saved")
            return redirect(_stream_url(allocation.stream))
    return form_page(
        request, form, title=f"Change the allocation to {allocation.initiative}",
        caption=str(allocation.stream), back=_stream_url(allocation.stream), button="Save",
    )  # fmt: skip


@login_required
@require_POST
def allocation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request)
    allocation = get_object_or_404(Allocation.objects.select_related("stream", "initiative"), pk=pk)
    stream = allocation.stream
    try:
        services.remove_allocation(request.user, allocation)
    except ValidationError as exc:
        return _stream_page(request, stream, " ".join(exc.messages))
    messages.success(request, f"Allocation to {allocation.initiative} removed")
    return redirect(_stream_url(stream))


@login_required
@require_http_methods(["GET", "POST"])
def return_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a quarterly return, or correct one already submitted."""
    require_editor(request)
    ret = get_object_or_404(
        QuarterlyReturn.objects.select_related("allocation__stream", "allocation__initiative"),
        pk=pk,
    )
    allocation = ret.allocation
    initial: dict[str, Any] = {"submitted_on": _today()}
    if ret.is_submitted:
        initial = {f: getattr(ret, f) for f in ("spend", "rag", "outputs", "narrative",
                                                "submitted_on")}  # fmt: skip
    form = ReturnForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if write_or_error(form, lambda: services.submit_return(request.user, ret, **d)):
            messages.success(request, f"Q{ret.quarter} return for {allocation.initiative} saved")
            nxt = request.POST.get("next", "")
            safe = url_has_allowed_host_and_scheme(
                nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(nxt if nxt and safe else _stream_url(allocation.stream))
    verb = "Correct" if ret.is_submitted else "Submit"
    quarter = services.QUARTER_NAMES[ret.quarter]
    return form_page(
        request, form, title=f"{verb} the {quarter} return", back=_stream_url(allocation.stream),
        caption=f"{allocation.initiative}: {allocation.stream}", button=f"{verb} return",
        lead=f"Allocation {services.pounds(allocation.amount)}; due {ret.due_on:%-d %B %Y}.",
    )  # fmt: skip
