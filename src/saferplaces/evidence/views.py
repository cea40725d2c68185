"""Pages of the incident data: the store's coverage and the import history; uploading
files; an import's progress and result; confirming or cancelling a replacement;
withdrawing an import; the mapping editor.

Everyone signed in sees the history. Everything else is for those who may import (one
rule, ``access.can_import``) and is 404 to anyone else, so that it does not reveal itself.
"""

from __future__ import annotations

import csv
import uuid
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saferplaces.evidence.access import can_import, require_importer
from saferplaces.evidence.forms import MappingForm, SampleForm, UploadForm
from saferplaces.evidence.mappings import (
    SAMPLE_KEEP_BYTES,
    Sample,
    SampleError,
    preview,
    read_sample,
    save_mapping,
)
from saferplaces.evidence.models import Import, ImportRun
from saferplaces.evidence.results import folder_prefix, rejects_report, summary, withdrawal
from saferplaces.evidence.services import reconcile_imports, withdraw_import
from saferplaces.evidence.store import incident_store
from saferplaces.evidence.uploads import (
    SAMPLE_FIELD,
    FolderUploadHandler,
    HeadUploadHandler,
    SampleUpload,
    cancel_upload,
    confirm_replacement,
    content_length,
    delete_folder,
    describe_limit,
    limit_bytes,
    start_upload,
    upload_folder,
)
from saferplaces.insight.coverage import held

SAMPLE_SESSION_KEY = "evidence.mapping_sample"


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


# ---- the history ----------------------------------------------------------------------
@login_required
@require_GET
def imports(request: HttpRequest) -> HttpResponse:
    """The store's coverage by source and dataset, and every import, newest first."""
    reconcile_imports()
    records = list(Import.objects.select_related("imported_by", "withdrawn_by")[:100])
    files: dict[uuid.UUID, list[ImportRun]] = defaultdict(list)
    for run in ImportRun.objects.filter(batch__in=[r.id for r in records]).order_by("file_name"):
        files[run.batch].append(run)
    earlier = ImportRun.objects.exclude(batch__in=Import.objects.values("id"))
    return render(
        request,
        "evidence/imports.html",
        {
            "imports": [(record, files.get(record.id, [])) for record in records],
            "earlier": list(earlier.select_related("imported_by")[:200]),
            "may_import": can_import(request.user),
            "quality": held(
                (p.source, p.dataset, p.month, p.rows) for p in incident_store().partitions()
            ),
        },
    )


# ---- uploading ------------------------------------------------------------------------
@csrf_exempt  # the upload handlers must be set before the body is read; see _upload_post
@login_required
@require_http_methods(["GET", "POST"])
def upload_new(request: HttpRequest) -> HttpResponse:
    """The upload page. A request over the size limit is refused before its body is read;
    the files go straight to the import's folder, which is deleted unless the import is
    queued."""
    require_importer(request)
    if request.method == "GET":
        initial = {"kind": "police-uk"}
        if request.GET.get("mapping", "").isdigit():
            initial = {"kind": "incidents", "mapping": request.GET["mapping"]}
        return _upload_page(request, UploadForm(initial=initial))
    if content_length(request) > limit_bytes():
        return _too_large(request)
    batch = uuid.uuid4()
    handler = FolderUploadHandler(request, upload_folder(batch), limit_bytes(), "uploads")
    request.upload_handlers = [handler]
    try:
        return _upload_post(request, batch, handler)
    finally:
        if not Import.objects.filter(id=batch).exists():
            handler.discard()
            delete_folder(upload_folder(batch))


def _upload_post(request: HttpRequest, batch: uuid.UUID, handler: Any) -> HttpResponse:
    try:
        request.POST, request.FILES  # noqa: B018 - read the body through the handler
    except (TooManyFilesSent, RequestDataTooBig):
        form = UploadForm().refuse(
            f"Upload at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files at once: put them "
            "in a zip archive, or upload them in turns"
        )
        return _upload_page(request, form, status=400)
    except MultiPartParserError:
        return _upload_page(request, UploadForm().refuse(
            "The upload was not complete: choose the files and upload them again"
        ), status=400)  # fmt: skip
    if handler.too_large:
        return _too_large(request)
    return csrf_protect(_upload_form)(request, batch)


def _upload_form(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    record = start_upload(
        _user(request),
        batch,
        form.cleaned_data["uploads"],
        kind=form.cleaned_data["kind"],
        mapping=form.cleaned_data["mapping"],
        skip_bad_rows=form.cleaned_data["skip_bad_rows"],
    )
    return redirect("import_detail", pk=record.pk)


def _too_large(request: HttpRequest) -> HttpResponse:
    form = UploadForm(initial={"kind": "police-uk"}).refuse(
        f"The files must be smaller than {describe_limit()} in all: upload fewer at once "
        "(the limit is SAFERPLACES_UPLOAD_MAX_MB)"
    )
    return _upload_page(request, form, status=413)


def _upload_page(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    return render(request, "evidence/upload.html", {"form": form}, status=status)


# ---- an import's progress and result --------------------------------------------------
@login_required
@require_GET
def import_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The import's page. While it runs, htmx polls it for the progress fragment; once it
    has finished, the fragment is the whole result."""
    require_importer(request)
    record = get_object_or_404(Import, pk=pk)
    context: dict[str, Any] = {"record": record} if record.active else summary(record)
    context["file_count"] = max(len(context.get("runs", [])), len(record.files))
    template = (
        "evidence/_import_result.html"
        if request.headers.get("HX-Request")
        else "evidence/import_detail.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def import_replace(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Replace these months: the same upload again, as a new task, with replace."""
    require_importer(request)
    record = get_object_or_404(Import, pk=pk)
    if not confirm_replacement(_user(request), record):
        messages.info(request, "This import is not waiting for confirmation any more.")
    return redirect("import_detail", pk=record.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Cancel: the uploaded files are deleted; nothing is imported."""
    require_importer(request)
    record = get_object_or_404(Import, pk=pk)
    if cancel_upload(_user(request), record):
        messages.success(request, "Upload cancelled: nothing was imported.")
    return redirect("import_detail", pk=record.pk)


@login_required
@require_GET
def import_rejects(request: HttpRequest, pk: uuid.UUID) -> StreamingHttpResponse:
    """The import's rejected rows as CSV (file, line, reason, raw), the upload folder left
    out of the file names."""
    require_importer(request)
    record = get_object_or_404(Import, pk=pk)
    report = rejects_report(record)
    if report is None:
        raise Http404("No rejected rows are held for this import")
    prefix = folder_prefix(record)

    def rows() -> Iterator[str]:
        with report.open(newline="", encoding="utf-8") as fh:
            buffer = _Echo()
            writer = csv.writer(buffer)
            for row in csv.reader(fh):
                if row and row[0].startswith(prefix):
                    row[0] = row[0][len(prefix) :]
                yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{record.pk}.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_http_methods(["GET", "POST"])
def import_withdraw(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Withdrawing an import: a page saying what will come back, then the POST."""
    require_importer(request)
    record = get_object_or_404(Import, pk=pk)
    error = "" if record.withdrawable else "Only an import that landed can be withdrawn"
    if request.method == "POST" and not error:
        try:
            withdraw_import(_user(request), record.id)
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        else:
            messages.success(
                request, "Import withdrawn: the incident store holds what it held before it."
            )
            return redirect("imports")
    context = withdrawal(record) | {"error": error}
    return render(request, "evidence/withdraw.html", context, status=400 if error else 200)


# ---- the mapping editor ---------------------------------------------------------------
@csrf_exempt  # the sample's upload handler must be set before the body is read
@login_required
@require_http_methods(["GET", "POST"])
def mapping_new(request: HttpRequest) -> HttpResponse:
    """Step one: a sample of the export (its header and first 20 rows are kept). Step two:
    the columns and names, a preview of 20 rows read with them, and saving it."""
    require_importer(request)
    if request.method == "POST":
        if content_length(request) > limit_bytes():
            form = SampleForm().refuse(f"The sample must be smaller than {describe_limit()}")
            return _mapping_page(request, None, sample_form=form, status=413)
        handler = HeadUploadHandler(request, limit_bytes(), SAMPLE_FIELD, SAMPLE_KEEP_BYTES)
        request.upload_handlers = [handler]
        try:
            request.POST  # noqa: B018 - read the body through the handler
        except (MultiPartParserError, TooManyFilesSent, RequestDataTooBig):
            form = SampleForm().refuse("The sample was not complete: choose it and try again")
            return _mapping_page(request, None, sample_form=form, status=400)
        if handler.too_large:
            form = SampleForm().refuse(f"The sample must be smaller than {describe_limit()}")
            return _mapping_page(request, None, sample_form=form, status=413)
    return csrf_protect(_mapping_editor)(request)


def _mapping_editor(request: HttpRequest) -> HttpResponse:
    sample = Sample.from_session(request.session.get(SAMPLE_SESSION_KEY))
    action = request.POST.get("action", "")
    if action == "forget":
        request.session.pop(SAMPLE_SESSION_KEY, None)
        return redirect("mapping_new")
    if action == "sample":
        return _take_sample(request)
    if request.method == "GET" or sample is None:
        return _mapping_page(request, sample)
    form = MappingForm(request.POST, sample=sample)
    if not form.is_valid():
        return _mapping_page(request, sample, form=form, status=400)
    spec = form.spec()
    spec.title = form.cleaned_data["name"]
    shown = preview(spec.toml(), sample)
    if action != "save":
        return _mapping_page(request, sample, form=form, preview=shown, toml=spec.toml())
    if shown.error or shown.problems:
        reasons = shown.error or "; ".join(shown.problems)
        form.add_error(None, f"Fix the mapping before saving it: {reasons}")
        return _mapping_page(request, sample, form=form, preview=shown, status=400)
    try:
        mapping = save_mapping(_user(request), form.cleaned_data["name"], spec)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for field, messages_ in errors.items():
            form.add_error(field if field in form.fields else None, messages_)
        return _mapping_page(request, sample, form=form, preview=shown, status=400)
    request.session.pop(SAMPLE_SESSION_KEY, None)
    messages.success(request, f"Mapping “{mapping.name}” saved: choose it to upload.")
    return redirect(f"{reverse('upload_new')}?mapping={mapping.pk}")


def _take_sample(request: HttpRequest) -> HttpResponse:
    """Keep the sample's header and first 20 rows in the session (step one)."""
    upload = request.FILES.get(SAMPLE_FIELD)
    if not isinstance(upload, SampleUpload):
        form = SampleForm().refuse("Select a sample of the export")
        return _mapping_page(request, None, sample_form=form, status=400)
    try:
        sample = read_sample(upload.client_name, upload.head, upload.size or 0)
    except SampleError as exc:
        return _mapping_page(request, None, sample_form=SampleForm().refuse(str(exc)), status=400)
    request.session[SAMPLE_SESSION_KEY] = sample.as_session()
    return redirect("mapping_new")


def _mapping_page(
    request: HttpRequest,
    sample: Sample | None,
    *,
    form: MappingForm | None = None,
    sample_form: SampleForm | None = None,
    preview: Any = None,
    toml: str = "",
    status: int = 200,
) -> HttpResponse:
    if sample is not None and form is None:
        form = MappingForm(sample=sample)
    context = {
        "sample": sample,
        "form": form,
        "sample_form": sample_form or SampleForm(),
        "preview": preview,
        "toml": toml,
        "rows": sample.rows if sample else [],
    }
    return render(request, "evidence/mapping_new.html", context, status=status)
