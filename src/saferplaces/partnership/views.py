"""Pages of the partnership structure. Every page needs sign-in; forms are for members of
the group (or staff), and anyone else gets 404 so that a form does not reveal itself.

Who may see a group is decided in one place, `Group.is_visible_to` and
`GroupQuerySet.visible_to` (and, for escalations, `Escalation.is_visible_to` and
`EscalationQuerySet.visible_to`, built on them). A restricted group's page, meetings,
actions and escalations are 404 to everyone but its members and administrators. Lists
of groups (a place's groups, the structure diagram, sub-groups, escalation lines) still
name a restricted group, so that the partnership's structure reads whole, but without a
link and marked "members only".
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from saferplaces.partnership import services
from saferplaces.partnership.diagram import build_forest, nodes_for_groups, render_svg
from saferplaces.partnership.forms import (
    ActionForm,
    ActionStatusForm,
    AgendaItemForm,
    DecisionForm,
    EscalationForm,
    MeetingForm,
    ReopenEscalationForm,
    ResolveEscalationForm,
)
from saferplaces.partnership.models import (
    Action,
    Escalation,
    Group,
    Meeting,
    Membership,
    Person,
    Place,
    PlacePopulation,
)
from saferplaces.partnership.models.places import KIND_DEPTH, PlaceKind, lookup_key


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


def _person(request: HttpRequest) -> Person | None:
    return Person.objects.filter(user_id=_user_id(request)).first()


def _contributable_group(request: HttpRequest, slug: str) -> Group:
    """The group, if the signed-in user may add to it; otherwise 404 (do not reveal)."""
    group = get_object_or_404(Group.objects.select_related("place", "parent"), slug=slug)
    if not group.can_contribute(request.user):
        raise Http404("No group found")
    return group


def _visible_group(request: HttpRequest, group: Group) -> Group:
    """The group, if the signed-in user may see it; otherwise 404 (do not reveal)."""
    if not group.is_visible_to(request.user):
        raise Http404("No group found")
    return group


def _visible_escalation(request: HttpRequest, pk: int) -> Escalation:
    """The escalation, if the signed-in user may see it; otherwise 404 (do not reveal)."""
    escalation = get_object_or_404(
        Escalation.objects.select_related(
            "from_group", "to_group", "raised_by__user", "resolved_by__user"
        ),
        pk=pk,
    )
    if not escalation.is_visible_to(request.user):
        raise Http404("No escalation found")
    return escalation


def _visible_group_ids(request: HttpRequest) -> set[int]:
    """The groups the signed-in user may open: the others are shown by name, unlinked."""
    return set(Group.objects.visible_to(request.user).values_list("pk", flat=True))


def _apply_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form (field errors where they belong)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _form_page(
    request: HttpRequest,
    form: Form,
    *,
    title: str,
    back: str,
    back_label: str,
    button: str,
    caption: str,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "back": back,
        "back_label": back_label,
        "button": button,
        "caption": caption,
        **(extra or {}),
    }
    return render(request, "partnership/form.html", context, status=status)


def _group_form_page(
    request: HttpRequest,
    form: Form,
    group: Group,
    *,
    title: str,
    button: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A form about one group: captioned with it, back to its page, 400 when invalid."""
    return _form_page(
        request,
        form,
        title=title,
        caption=group.name,
        back=reverse("group", kwargs={"slug": group.slug}),
        back_label=group.name,
        button=button,
        status=400 if form.errors else 200,
        extra=extra,
    )


# Reading ------------------------------------------------------------------------------


def partnership_roots() -> list[Place]:
    """The top places of the partnerships set up here: the widest ancestor of every place
    that has a group (the demo's Lancashire force area, with its areas and districts)."""
    roots: dict[int, Place] = {}
    for place in Place.objects.filter(groups__isnull=False).distinct().select_related("parent"):
        top = ([*place.ancestors(), place])[0]
        roots[top.pk] = top
    ids = list(roots)
    return list(
        Place.objects.filter(pk__in=ids)
        .prefetch_related(
            Prefetch(
                "children",
                queryset=Place.objects.exclude(kind=PlaceKind.LSOA)
                .order_by("name")
                .prefetch_related(
                    Prefetch("children", queryset=Place.objects.of_kind(PlaceKind.DISTRICT))
                ),
            )
        )
        .order_by("name")
    )


def find_places(query: str, limit: int = 50) -> list[Place]:
    """Places whose name or code starts with `query` (case and punctuation ignored),
    widest first; an exact name or code first of all. LSOAs only when the query has a
    digit in it (a code, or a name such as "Newcastle upon Tyne 001A")."""
    key = lookup_key(query)
    if not key:
        return []
    places = Place.objects.filter(aliases__key__startswith=key)
    if not any(c.isdigit() for c in key):
        places = places.exclude(kind=PlaceKind.LSOA)
    found = list(places.distinct().order_by("name")[:500])
    exact = {p.pk for p in Place.objects.filter(aliases__key=key)}
    found.sort(key=lambda p: (p.pk not in exact, KIND_DEPTH[PlaceKind(p.kind)], p.name))
    return found[:limit]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(
            person__user_id=_user_id(request), group__in=Group.objects.visible_to(request.user)
        )
        .select_related("group", "group__place")
        .order_by("group__name")
    )
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "partnership/home.html",
        {
            "roots": partnership_roots(),
            "memberships": memberships,
            "person": _person(request),
            "query": query,
            "results": find_places(query) if query else [],
            "regions": Place.objects.of_kind(PlaceKind.REGION).order_by("name"),
        },
    )


@login_required
def place_detail(request: HttpRequest, slug: str) -> HttpResponse:
    place = get_object_or_404(Place.objects.select_related("parent"), slug=slug)
    members = list(place.members.order_by("name"))
    populations = list(place.populations.order_by("-year")) or summed_populations(members)
    children = place.children.order_by("name")
    return render(
        request,
        "partnership/place_detail.html",
        {
            "place": place,
            "ancestors": place.ancestors(),
            "populations": populations,
            "latest": populations[0] if populations else None,
            "children": children,
            "members": [m for m in members if m.parent_id != place.pk],
            "groups": place.groups.order_by("name").select_related("parent"),
            "visible_ids": _visible_group_ids(request),
            "organisations": place.organisations.order_by("name"),
        },
    )


def summed_populations(districts: list[Place]) -> list[PlacePopulation]:
    """A place's population by year as the sum over its districts, for the years every
    district has a figure (unsaved rows, newest first)."""
    by_year: dict[int, list[int]] = {}
    for row in PlacePopulation.objects.filter(place__in=districts):
        by_year.setdefault(row.year, []).append(row.population)
    return [
        PlacePopulation(year=y, population=sum(v), source="sum of its districts' estimates")
        for y, v in sorted(by_year.items(), reverse=True)
        if districts and len(v) == len(districts)
    ]


def structure_groups(place: Place) -> list[Group]:
    """Groups in the place or below it, and every group on their escalation lines."""
    groups = {
        g.pk: g
        for g in Group.objects.filter(place_id__in=place.descendant_ids()).select_related("parent")
    }
    for group in list(groups.values()):
        for above in group.escalation_line():
            groups.setdefault(above.pk, above)
    return sorted(groups.values(), key=lambda g: (g.kind != "county_strategy", g.name))


@login_required
def place_structure(request: HttpRequest, slug: str) -> HttpResponse:
    place = get_object_or_404(Place, slug=slug)
    groups = structure_groups(place)
    visible = _visible_group_ids(request)
    roots = build_forest(
        nodes_for_groups(
            groups, lambda g: reverse("group", kwargs={"slug": g.slug}) if g.pk in visible else ""
        )
    )
    svg = render_svg(roots, f"Structure of {place.name}: groups and their escalation lines")
    return render(
        request,
        "partnership/place_structure.html",
        {
            "place": place,
            "ancestors": place.ancestors(),
            "svg": svg,
            "roots": roots,
            "has_groups": bool(groups),
        },
    )


@login_required
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = _visible_group(
        request, get_object_or_404(Group.objects.select_related("place", "parent"), slug=slug)
    )
    today = timezone.localdate()
    actions = group.actions.open().select_related("owner__user").order_by("due_date")
    escalations = Escalation.objects.visible_to(request.user).prefetch_related("responses")
    return render(
        request,
        "partnership/group_detail.html",
        {
            "group": group,
            "today": today,
            "chair": group.chair,
            "escalation_line": group.escalation_line(),
            "children": group.children.order_by("name"),
            "memberships": group.memberships.select_related(
                "person__user", "organisation"
            ).order_by("role", "person__user__last_name"),
            "upcoming": group.meetings.upcoming(today),
            "past": group.meetings.past(today)[:12],
            "actions": [(a, a.is_overdue(today)) for a in actions],
            "escalations_raised": escalations.filter(from_group=group).select_related("to_group"),
            "escalations_received": escalations.filter(to_group=group).select_related("from_group"),
            "visible_ids": _visible_group_ids(request),
            "can_contribute": group.can_contribute(request.user),
            "can_resolve": group.can_contribute(request.user),
        },
    )


@login_required
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One escalation with every answer it has had, oldest first."""
    escalation = _visible_escalation(request, pk)
    return render(
        request,
        "partnership/escalation_detail.html",
        {
            "e": escalation,
            "responses": escalation.responses.select_related("by__user"),
            "visible_ids": _visible_group_ids(request),
            "can_respond": escalation.to_group.can_contribute(request.user),
        },
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("group", "group__place"), pk=pk)
    _visible_group(request, meeting.group)
    return render(
        request,
        "partnership/meeting_detail.html",
        {
            "meeting": meeting,
            "group": meeting.group,
            "items": meeting.agenda_items.all(),
            "decisions": meeting.decisions.select_related("agenda_item"),
            "actions": meeting.actions.select_related("owner__user"),
            "today": timezone.localdate(),
            "can_contribute": meeting.group.can_contribute(request.user),
        },
    )


# Writing ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, slug: str) -> HttpResponse:
    group = _contributable_group(request, slug)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.add_meeting(
                request.user,
                group=group,
                title=data["title"],
                date=data["date"],
                location=data["location"],
                status=data["status"],
                agenda=data["agenda"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"Meeting '{meeting.title}' added")
            return redirect("meeting", pk=meeting.pk)
    return _group_form_page(request, form, group, title="Add a meeting", button="Add meeting")


@login_required
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, slug: str) -> HttpResponse:
    group = _contributable_group(request, slug)
    form = ActionForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.add_action(
                request.user,
                group=group,
                title=data["title"],
                owner=data["owner"],
                due_date=data["due_date"],
                meeting=data["meeting"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"Action '{action.title}' added")
            return redirect("group", slug=group.slug)
    return _group_form_page(request, form, group, title="Add an action", button="Add action")


@login_required
@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("group", "owner"), pk=pk)
    group = _contributable_group(request, action.group.slug)
    form = ActionStatusForm(request.POST or None, initial={"status": action.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action_status(request.user, action, form.cleaned_data["status"])
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(
                request, f"Action '{action.title}' is now {action.get_status_display().lower()}"
            )
            return redirect("group", slug=group.slug)
    return _group_form_page(
        request,
        form,
        group,
        title="Update an action",
        button="Save status",
        extra={
            "lead": f"{action.title}, owned by {action.owner.name}, due "
            f"{action.due_date:%-d %B %Y}."
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_new(request: HttpRequest, slug: str) -> HttpResponse:
    group = _contributable_group(request, slug)
    form = EscalationForm(request.POST or None, group=group)
    person = _person(request)
    if request.method == "POST" and form.is_valid():
        if person is None:
            form.add_error(None, "Your account has no partnership profile: ask an administrator")
        else:
            try:
                escalation = services.raise_escalation(
                    request.user,
                    group=group,
                    title=form.cleaned_data["title"],
                    detail=form.cleaned_data["detail"],
                    raised_by=person,
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                messages.success(
                    request, f"Issue '{escalation.title}' escalated to {escalation.to_group}"
                )
                return redirect("group", slug=group.slug)
    target = f"It will go to {group.parent.name}." if group.parent else ""
    return _group_form_page(
        request,
        form,
        group,
        title="Escalate an issue",
        button="Escalate issue",
        extra={"lead": target},
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_object_or_404(
        Escalation.objects.select_related("from_group", "to_group", "raised_by__user"), pk=pk
    )
    # The group the issue was escalated to answers it.
    group = _contributable_group(request, escalation.to_group.slug)
    if request.method == "GET" and escalation.is_closed:
        # A closed escalation keeps its answer: it changes only by being reopened.
        return redirect("escalation_reopen", pk=escalation.pk)
    form = ResolveEscalationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_escalation(
                request.user,
                escalation,
                status=form.cleaned_data["status"],
                text=form.cleaned_data["resolution"],
                by=_person(request),
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Escalation '{escalation.title}' {escalation.get_status_display().lower()}",
            )
            return redirect("group", slug=group.slug)
    return _group_form_page(
        request,
        form,
        group,
        title="Respond to an escalation",
        button="Save response",
        extra={"escalation": escalation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a resolved or returned escalation, with a reason; its answers stay."""
    escalation = get_object_or_404(
        Escalation.objects.select_related("from_group", "to_group", "raised_by__user"), pk=pk
    )
    group = _contributable_group(request, escalation.to_group.slug)
    if request.method == "GET" and not escalation.is_closed:
        return redirect("escalation_resolve", pk=escalation.pk)  # open: nothing to reopen
    form = ReopenEscalationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_escalation(
                request.user, escalation, reason=form.cleaned_data["reason"], by=_person(request)
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, f"Escalation '{escalation.title}' reopened")
            return redirect("escalation", pk=escalation.pk)
    return _group_form_page(
        request,
        form,
        group,
        title="Reopen an escalation",
        button="Reopen escalation",
        extra={
            "escalation": escalation,
            "lead": f"It is {escalation.get_status_display().lower()}: "
            f"{escalation.resolution or 'no text was given'}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("group"), pk=pk)
    _contributable_group(request, meeting.group.slug)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = services.add_agenda_item(
            request.user,
            meeting=meeting,
            title=form.cleaned_data["title"],
            minutes=form.cleaned_data["minutes"],
        )
        messages.success(request, f"Agenda item '{item.title}' added")
        return redirect("meeting", pk=meeting.pk)
    return _form_page(
        request,
        form,
        title="Add an agenda item",
        caption=str(meeting),
        back=reverse("meeting", kwargs={"pk": meeting.pk}),
        back_label=meeting.title,
        button="Add agenda item",
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("group"), pk=pk)
    _contributable_group(request, meeting.group.slug)
    form = DecisionForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_decision(
                request.user,
                meeting=meeting,
                text=form.cleaned_data["text"],
                agenda_item=form.cleaned_data["agenda_item"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, "Decision recorded")
            return redirect("meeting", pk=meeting.pk)
    return _form_page(
        request,
        form,
        title="Record a decision",
        caption=str(meeting),
        back=reverse("meeting", kwargs={"pk": meeting.pk}),
        back_label=meeting.title,
        button="Record decision",
        status=400 if form.errors else 200,
    )
