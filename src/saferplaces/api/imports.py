"""Imports through the API: upload files (the same checks and service as the upload page,
`evidence.uploads.start_upload`, which queues the import task) and follow the import.

For those who may import (`evidence.access.can_import`, the pages' rule); anyone else is
answered 404. Files are streamed to the import's folder by the page's own upload handler
(never held in memory), and a request over SAFERPLACES_UPLOAD_MAX_MB is refused (413)
before its body is read. The upload takes a token only: the session's CSRF check would
read the body before the handler is in place."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from saferplaces.api.authentication import BearerTokenAuthentication
from saferplaces.api.common import ERRORS, not_found
from saferplaces.evidence.access import can_import
from saferplaces.evidence.forms import KINDS, UploadForm
from saferplaces.evidence.models import Import
from saferplaces.evidence.uploads import (
    FolderUploadHandler,
    content_length,
    delete_folder,
    describe_limit,
    limit_bytes,
    start_upload,
    upload_folder,
)

FIELD = "uploads"


class ImportSerializer(serializers.ModelSerializer[Import]):
    task = serializers.UUIDField(source="id", read_only=True, help_text="The import's id")

    class Meta:
        model = Import
        fields = ["id", "task", "kind", "mapping", "status", "progress", "stage", "message",
                  "files", "rows_accepted", "rows_rejected", "replaced", "skip_bad_rows",
                  "started_at", "finished_at", "withdrawn_at"]  # fmt: skip


class UploadSerializer(serializers.Serializer[Any]):
    """The upload form's fields (multipart/form-data)."""

    kind = serializers.ChoiceField(KINDS)
    mapping = serializers.IntegerField(required=False, help_text="A saved mapping's id")
    uploads = serializers.ListField(
        child=serializers.FileField(), help_text="CSV, .csv.gz or zip files"
    )
    skip_bad_rows = serializers.BooleanField(required=False, default=False)


class ImportFilter(filters.FilterSet):
    class Meta:
        model = Import
        fields = ["status", "kind"]


def _refused(message: str, code: int) -> Response:
    return Response({"detail": message}, status=code)


class ImportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Import]):
    """Imports into the incident store, newest first; upload files to start one."""

    serializer_class = ImportSerializer
    filterset_class = ImportFilter
    ordering_fields = ["started_at", "finished_at", "status"]
    ordering = ["-started_at"]

    def get_queryset(self) -> QuerySet[Import]:
        return Import.objects.order_by("-started_at", "pk")

    def get_authenticators(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [BearerTokenAuthentication()]
        return super().get_authenticators()

    def get_parsers(self) -> list[Any]:
        return [MultiPartParser()]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        not_found(can_import(request.user))

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            202: ImportSerializer,
            400: ERRORS[400],
            401: ERRORS[401],
            404: ERRORS[404],
            413: OpenApiResponse(description="Larger than SAFERPLACES_UPLOAD_MAX_MB"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload files to import (the upload page's service); the import runs as a
        background task: follow it at /api/imports/{id}/."""
        django_request = request._request
        too_large = f"The files must be smaller than {describe_limit()} in all"
        if content_length(django_request) > limit_bytes():
            return _refused(too_large, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        batch = uuid.uuid4()
        handler = FolderUploadHandler(django_request, upload_folder(batch), limit_bytes(), FIELD)
        django_request.upload_handlers = [handler]
        try:
            try:
                data, files = request.data, request.FILES
            except (TooManyFilesSent, RequestDataTooBig):
                limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
                return _refused(f"Upload at most {limit} files at once", 400)
            except ParseError:
                return _refused("The upload was not complete: send the files again", 400)
            if handler.too_large:
                return _refused(too_large, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
            form = UploadForm(data, files)
            if not form.is_valid():
                return Response(form.errors.get_json_data(), status=400)
            record = start_upload(
                request.user,  # type: ignore[arg-type]
                batch,
                form.cleaned_data[FIELD],
                kind=form.cleaned_data["kind"],
                mapping=form.cleaned_data["mapping"],
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            )
            return Response(ImportSerializer(record).data, status=status.HTTP_202_ACCEPTED)
        finally:
            if not Import.objects.filter(id=batch).exists():
                handler.discard()
                delete_folder(upload_folder(batch))
