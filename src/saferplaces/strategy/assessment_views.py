"""Pages of strategic assessments.

Any signed-in user may read an assessment and download its documents; analysts,
community safety officers and staff may create, add to, score, override, build and sign
off (`can_edit_assessments`); anyone else gets 404 for those pages, so that a form does
not reveal itself. Every write goes through `saferplaces.strategy.assessments`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saferplaces.partnership.models import Person, Place
from saferplaces.partnership.models.people import PersonRole
from saferplaces.strategy import assessments as svc
from saferplaces.strategy.assessment_forms import (
    AssessmentForm,
    OverrideForm,
    SectionForm,
    SignOffForm,
    SurveyForm,
)
from saferplaces.strategy.gather import gather
from saferplaces.strategy.harm_weights import active_harm_weights
from saferplaces.strategy.models import (
    AssessmentVersion,
    PriorityCandidate,
    StrategicAssessment,
)

EDITING_ROLES = (PersonRole.ANALYST, PersonRole.COMMUNITY_SAFETY_OFFICER)
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
MAX_SURVEY_BYTES = 5 * (1 << 20)


def can_edit_assessments(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Staff, analysts and community safety officers."""
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_staff", False):
        return True
    return Person.objects.filter(user_id=user.pk, role__in=EDITING_ROLES).exists()


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_assessments(request.user):
        raise Http404("No such page")


def _assessment(place: str, pk: int) -> StrategicAssessment:
    return get_object_or_404(
        StrategicAssessment.objects.select_related("place", "signed_off_by"),
        pk=pk, place__slug=place,
    )  # fmt: skip


def _data(request: HttpRequest) -> Any:
    """The posted data (an empty post is still a post: its errors are shown)."""
    return request.POST if request.method == "POST" else None


def _url(a: StrategicAssessment) -> str:
    return reverse("strategy:assessment", args=[a.place.slug, a.pk])


def _form_page(
    request: HttpRequest, form: Form, a: StrategicAssessment | None, *, title: str,
    back: str, button: str, lead: str = "", upload: bool = False, status: int = 200,
    caption: str = "",
) -> HttpResponse:  # fmt: skip
    context = {"form": form, "a": a, "title": title, "back": back, "button": button,
               "lead": lead, "upload": upload, "caption": caption or str(a or "")}  # fmt: skip
    return render(request, "strategy/assessment_form.html", context, status=status)


@login_required
@require_GET
def assessment_list(request: HttpRequest, place: str) -> HttpResponse:
    here = get_object_or_404(Place, slug=place)
    return render(
        request,
        "strategy/assessment_list.html",
        {"place": here, "ancestors": [*here.ancestors(), here],
         "assessments": StrategicAssessment.objects.filter(place=here),
         "can_edit": can_edit_assessments(request.user)},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, place: str) -> HttpResponse:
    _require_editor(request)
    here = get_object_or_404(Place, slug=place)
    form = AssessmentForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            a = svc.create_assessment(request.user, here, form.cleaned_data["year"])
        except svc.AssessmentError as exc:
            form.add_error("year", str(exc))
        else:
            return redirect(_url(a))
    back = reverse("strategy:assessments", args=[here.slug])
    return _form_page(request, form, None, title="Start a strategic assessment", back=back,
                      button="Start the assessment", caption=here.name,
                      status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_GET
def assessment_detail(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    a = _assessment(place, pk)
    g = gather(a.place, a.year, active_harm_weights())
    issues = svc.ranked(a) if a.candidates.exists() else []
    survey = [(s, svc.margin_of_error(s.share, s.base)) for s in a.survey_results.all()]
    candidates = a.candidates.prefetch_related("overrides__by").order_by("rank", "name")
    history = [o for c in candidates for o in c.overrides.all()]
    return render(
        request,
        "strategy/assessment_detail.html",
        {
            "a": a, "g": g, "issues": issues, "survey": survey,
            "sections": a.sections.select_related("organisation", "written_by"),
            "candidates": candidates, "history": history,
            "versions": a.versions.select_related("created_by"),
            "weights": svc.weights(), "criteria": svc.CRITERIA,
            "ancestors": [*a.place.ancestors(), a.place],
            "can_edit": can_edit_assessments(request.user) and not a.signed_off,
            # documents may be made after sign-off too (they then say it was signed off)
            "can_build": can_edit_assessments(request.user),
        },
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def section_new(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    _require_editor(request)
    a = _assessment(place, pk)
    form = SectionForm(_data(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.add_section(request.user, a, d["organisation"], d["title"], d["text"])
        except svc.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(_url(a) + "#partners")
    return _form_page(request, form, a, title="Add a partner's section", back=_url(a),
                      button="Add the section", status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def survey_upload(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    _require_editor(request)
    a = _assessment(place, pk)
    form = SurveyForm(_data(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_SURVEY_BYTES:
            form.add_error("file", "The file must be smaller than 5 MB")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "survey.csv"
                with path.open("wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                try:
                    svc.import_survey(request.user, a, path, form.cleaned_data["survey"],
                                      filename=Path(upload.name or "survey.csv").name)  # fmt: skip
                except svc.SurveyError as exc:
                    for problem in exc.problems[:20]:
                        form.add_error("file", problem)
                except svc.AssessmentError as exc:
                    form.add_error(None, str(exc))
                else:
                    return redirect(_url(a) + "#community")
    return _form_page(
        request, form, a, title="Add survey results", back=_url(a), button="Add the results",
        upload=True, status=400 if form.errors else 200,
        lead="Every row is added or none: a file with a problem is refused, with each "
        "problem named by its line.",
    )  # fmt: skip


@login_required
@require_POST
def score(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    _require_editor(request)
    a = _assessment(place, pk)
    try:
        svc.score_candidates(request.user, a, active_harm_weights())
    except svc.AssessmentError as exc:
        raise Http404(str(exc)) from None
    return redirect(_url(a) + "#matrix")


@login_required
@require_http_methods(["GET", "POST"])
def override(request: HttpRequest, place: str, pk: int, candidate: int) -> HttpResponse:
    _require_editor(request)
    a = _assessment(place, pk)
    c = get_object_or_404(PriorityCandidate, pk=candidate, assessment=a)
    form = OverrideForm(_data(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.override_score(request.user, c, d["criterion"], d["score"], d["reason"])
        except svc.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(_url(a) + "#matrix")
    scores = svc.effective_scores(c)
    lead = "Scores now: " + "; ".join(
        f"{cr.label} {scores.get(cr.slug)} ({c.reasons.get(cr.slug, '')})" for cr in svc.CRITERIA
    )
    return _form_page(request, form, a, title=f"Change a score of {c.name}", back=_url(a),
                      button="Change the score", lead=lead,
                      status=400 if form.errors else 200)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request: HttpRequest, place: str, pk: int) -> HttpResponse:
    _require_editor(request)
    a = _assessment(place, pk)
    form = SignOffForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            svc.sign_off(request.user, a)
        except svc.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(_url(a))
    return _form_page(request, form, a, title="Sign off the assessment", back=_url(a),
                      button="Sign off", status=400 if form.errors else 200,
                      lead="Once signed off the assessment cannot be changed.")  # fmt: skip


@login_required
@require_POST
def build(request: HttpRequest, place: str, pk: int, fmt: str) -> HttpResponse:
    _require_editor(request)
    a = _assessment(place, pk)
    if fmt not in CONTENT_TYPES:
        raise Http404("No such format")
    svc.build_version(request.user, a, fmt, active_harm_weights())
    return redirect(_url(a) + "#documents")


@login_required
@require_GET
def download(request: HttpRequest, place: str, pk: int, version: int) -> Any:
    a = _assessment(place, pk)
    v = get_object_or_404(AssessmentVersion, pk=version, assessment=a)
    root = Path(settings.DOCUMENTS_DIR).resolve()
    path = (root / v.file).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404("No such document")
    name = f"{a.place.slug}-strategic-assessment-{a.year.replace('/', '-')}-v{v.number}.{v.format}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name,
                        content_type=CONTENT_TYPES[v.format])  # fmt: skip
