"""The harm weights page: the tables uploaded (the active one marked) and the upload
form. Analysts, community safety officers and staff only (`can_edit_assessments`);
anyone else gets 404. Every write goes through `saferplaces.strategy.harm_weights`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from saferplaces.insight.harm import MAX_HARM_FILE_BYTES
from saferplaces.insight.sources.limits import describe_bytes
from saferplaces.strategy.assessment_views import _require_editor
from saferplaces.strategy.harm_forms import HarmWeightsForm
from saferplaces.strategy.harm_weights import HarmWeightsUploadError, upload_harm_weights
from saferplaces.strategy.models import HarmWeightsTable

MAX_PROBLEMS_SHOWN = 20


def _save(upload: UploadedFile, folder: Path, default: str) -> Path:
    """The upload written under its own base name (so problems name the file the person
    chose)."""
    name = Path(upload.name or default).name or default
    path = folder / name
    with path.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def harm_weights(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    posted = request.method == "POST"
    form = HarmWeightsForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        d = form.cleaned_data
        for key in ("weights_file", "mapping_file"):
            if d[key].size > MAX_HARM_FILE_BYTES:
                form.add_error(key, f"The file must be smaller than "
                               f"{describe_bytes(MAX_HARM_FILE_BYTES)}")  # fmt: skip
        if not form.errors:
            with tempfile.TemporaryDirectory() as tmp:
                wdir, mdir = Path(tmp) / "w", Path(tmp) / "m"
                wdir.mkdir()
                mdir.mkdir()
                weights = _save(d["weights_file"], wdir, "weights.csv")
                mapping = _save(d["mapping_file"], mdir, "mapping.csv")
                try:
                    upload_harm_weights(request.user, weights, d["index"], d["year"], mapping)
                except HarmWeightsUploadError as exc:
                    for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
                        form.add_error("weights_file", problem)
                    if len(exc.problems) > MAX_PROBLEMS_SHOWN:
                        form.add_error(None, f"and {len(exc.problems) - MAX_PROBLEMS_SHOWN} "
                                       "more problems")  # fmt: skip
                else:
                    return redirect(reverse("strategy:harm_weights"))
    return render(
        request,
        "strategy/harm_weights.html",
        {"form": form, "tables": HarmWeightsTable.objects.select_related("uploaded_by")},
        status=400 if form.errors else 200,
    )
