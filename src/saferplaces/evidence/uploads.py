"""Files offered through the browser: received, checked and handed to the import task.

An upload is never trusted. A request larger than ``settings.UPLOAD_MAX_MB`` is refused
before its body is read (the view checks its Content-Length), and
:class:`FolderUploadHandler` stops one that grows past the limit. Each file is streamed
straight to ``DATA_DIR/uploads/<import id>/`` under a safe name of our making (never the
client's path) and never held in memory. Its kind is checked from its name and its first
bytes before the import is queued; the import itself checks every row.

The writes of an upload (queue it, confirm a replacement, cancel it) are the services at
the bottom; the background task's own writes are in ``tasks``.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import uuid
import zipfile
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from saferplaces.evidence.models import BatchStatus, Import, MappingDefinition
from saferplaces.partnership.services import record_event

MiB = 1 << 20
SUFFIXES = (".csv.gz", ".csv", ".zip")
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
SAMPLE_FIELD = "sample"
"""The mapping editor's file field (a sample of an export)."""
MAPPING_FOLDER = "_mapping"
"""Inside an upload's folder: the mapping's TOML (safe file names never start with _)."""


def limit_bytes() -> int:
    """The most one upload request may carry, all its files together."""
    return int(settings.UPLOAD_MAX_MB) * MiB


def describe_limit() -> str:
    return f"{int(settings.UPLOAD_MAX_MB):,} MB"


def uploads_root() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def upload_folder(batch: uuid.UUID) -> Path:
    return uploads_root() / str(batch)


def content_length(request: HttpRequest) -> int:
    """The request's declared body size (0 when absent or not a number)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


# ---- names --------------------------------------------------------------------------
def suffix_of(name: str) -> str:
    lower = name.lower()
    for suffix in SUFFIXES:
        if lower.endswith(suffix):
            return suffix
    return Path(lower).suffix


def safe_name(client_name: str, taken: set[str]) -> str:
    """A file name of our making for ``client_name``: its last path part, in ASCII
    letters, digits, dot, hyphen and underscore, not starting with a dot or underscore,
    at most 120 characters, keeping its suffix, and not in ``taken``."""
    base = re.split(r"[/\\]", client_name)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    suffix = suffix_of(base)
    stem = base[: len(base) - len(suffix)] if suffix and base.lower().endswith(suffix) else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:100] or "upload"
    suffix = re.sub(r"[^a-z0-9.]+", "", suffix.lower())[:16]
    name, n = f"{stem}{suffix}", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}{suffix}"
    taken.add(name)
    return name


# ---- receiving ----------------------------------------------------------------------
class StoredUpload(UploadedFile):
    """An uploaded file already in its final place on disk."""

    def __init__(self, path: Path, client_name: str, size: int, content_type: str) -> None:
        super().__init__(file=None, name=path.name, content_type=content_type, size=size)
        self.path = path
        self.client_name = client_name

    def temporary_file_path(self) -> str:
        return str(self.path)

    def close(self) -> None:  # nothing is held open
        return None


class FolderUploadHandler(FileUploadHandler):
    """Streams each file of ``field`` into ``folder`` under a safe name, counting every
    byte of every file; past ``limit`` it deletes what it wrote and stops the upload
    (``too_large`` says so). Files of any other field are skipped unread."""

    chunk_size = 1 * MiB

    def __init__(self, request: HttpRequest, folder: Path, limit: int, field: str) -> None:
        super().__init__(request)
        self.folder = folder
        self.limit = limit
        self.field = field
        self.received = 0
        self.too_large = False
        self.taken: set[str] = set()
        self.written: list[Path] = []
        self.out: Any = None  # not "file": the parser would close that itself, if None too
        self.path: Path | None = None

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != self.field:
            self.path = None
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / safe_name(file_name, self.taken)
        self.out = self.path.open("xb")
        self.written.append(self.path)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.path is None:
            return None
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            self.discard()
            raise StopUpload(connection_reset=True)
        self.out.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> StoredUpload | None:
        if self.path is None or self.out is None:
            return None
        self.out.close()
        self.out = None
        return StoredUpload(self.path, self.file_name or "", file_size, self.content_type or "")

    def upload_interrupted(self) -> None:
        self.discard()

    def discard(self) -> None:
        """Remove every file this handler wrote."""
        if self.out is not None:
            self.out.close()
            self.out = None
        for path in self.written:
            path.unlink(missing_ok=True)


class HeadUploadHandler(FileUploadHandler):
    """Keeps the first ``keep`` bytes of the one file of ``field`` in memory and drops the
    rest (the mapping editor reads a sample's header and first 20 rows only), stopping
    the upload past ``limit`` like :class:`FolderUploadHandler`."""

    chunk_size = 256 * 1024

    def __init__(self, request: HttpRequest, limit: int, field: str, keep: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.field = field
        self.keep = keep
        self.received = 0
        self.too_large = False
        self.head = bytearray()
        self.taking = False

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.taking = field_name == self.field and not self.head

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        if self.taking and len(self.head) < self.keep:
            self.head.extend(raw_data[: self.keep - len(self.head)])
        return None

    def file_complete(self, file_size: int) -> SampleUpload | None:
        if not self.taking:
            return None
        self.taking = False
        return SampleUpload(self.file_name or "", file_size, bytes(self.head))


class SampleUpload(UploadedFile):
    """The first bytes of an uploaded sample, and its name and size."""

    def __init__(self, client_name: str, size: int, head: bytes) -> None:
        super().__init__(file=None, name=client_name, size=size)
        self.client_name = client_name
        self.head = head

    def close(self) -> None:  # nothing is held open
        return None


# ---- checking -----------------------------------------------------------------------
def file_problem(upload: StoredUpload, kind: str) -> str | None:
    """What is wrong with one uploaded file before it is imported, in words for the error
    summary (None when it may be offered to the import)."""
    name = upload.client_name or upload.name or "the file"
    quoted = f"“{name}”"
    suffix = suffix_of(upload.path.name)
    if suffix not in SUFFIXES:
        return (f"{quoted} must be a CSV file (.csv), a gzipped CSV (.csv.gz) or a zip "
                "archive (.zip): save a spreadsheet as CSV first")  # fmt: skip
    if upload.size == 0:
        return f"{quoted} is empty"
    with upload.path.open("rb") as fh:
        head = fh.read(8192)
    if suffix == ".csv.gz" and not head.startswith(GZIP_MAGIC):
        return f"{quoted} is named .csv.gz but is not gzipped: upload the file as downloaded"
    if suffix == ".zip":
        return _zip_problem(upload.path, quoted, kind)
    if suffix == ".csv" and (head.startswith((GZIP_MAGIC, ZIP_MAGIC)) or b"\x00" in head):
        return (f"{quoted} is not CSV text (it looks like a workbook or a compressed file): "
                "save it as CSV first")  # fmt: skip
    return None


def _zip_problem(path: Path, quoted: str, kind: str) -> str | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError):
        return f"{quoted} is not a zip archive that can be opened: upload it as downloaded"
    csvs = [n for n in names if n.lower().endswith((".csv", ".csv.gz"))]
    if not csvs:
        return f"{quoted} holds no CSV files"
    if kind == "police-uk" and not any("-street.csv" in Path(n).name for n in csvs):
        return f"{quoted} holds no police.uk street files (their names end in -street.csv)"
    return None


# ---- services -----------------------------------------------------------------------
def mapping_file(folder: Path) -> Path | None:
    """The mapping TOML written into an upload's folder, if any."""
    found = sorted((folder / MAPPING_FOLDER).glob("*.toml"))
    return found[0] if found else None


def delete_folder(folder: Path) -> None:
    """Remove an upload's folder (only ever one directly inside the uploads folder)."""
    root = uploads_root().resolve()
    target = folder.resolve()
    if target.parent == root and target.name:
        shutil.rmtree(target, ignore_errors=True)


@transaction.atomic
def start_upload(
    user: User | None,
    batch: uuid.UUID,
    files: Sequence[StoredUpload],
    *,
    kind: str,
    mapping: MappingDefinition | None,
    skip_bad_rows: bool,
) -> Import:
    """Record the upload as an import waiting to start, write its mapping's TOML beside
    its files, and queue the import task once this is committed."""
    from saferplaces.evidence.tasks import run_upload  # the task uses this module

    folder = upload_folder(batch)
    if mapping is not None:
        (folder / MAPPING_FOLDER).mkdir(parents=True, exist_ok=True)
        (folder / MAPPING_FOLDER / f"{mapping.slug}.toml").write_text(mapping.toml, "utf-8")
    record = Import.objects.create(
        id=batch,
        kind=kind,
        mapping=mapping.slug if mapping else "",
        status=BatchStatus.QUEUED,
        files=[f.path.name for f in files],
        upload=str(folder),
        skip_bad_rows=skip_bad_rows,
        imported_by=user,
        imported_by_name=user.get_username() if user else "",
        stage="Waiting for the background worker to start the import",
    )
    names = ", ".join(f.client_name or f.name or "" for f in files)
    record_event(user, "uploaded", record, f"Uploaded {len(files)} file(s) to import: {names}")
    transaction.on_commit(partial(run_upload.enqueue, str(batch)))
    return record


@transaction.atomic
def confirm_replacement(user: User | None, record: Import) -> bool:
    """Run an upload that waits for confirmation again, replacing the months that would
    shrink (a new task). False when it is not waiting, or its files are gone."""
    from saferplaces.evidence.tasks import run_upload  # the task uses this module

    if not record.upload or not Path(record.upload).is_dir():
        return False
    started = Import.objects.filter(id=record.id, status=BatchStatus.CONFIRM).update(
        status=BatchStatus.QUEUED, progress=0, finished_at=None,
        stage="Waiting for the background worker to replace the months",
    )  # fmt: skip
    if not started:
        return False
    months = ", ".join(sorted({str(r.get("month", "")) for r in record.replaced}))
    record_event(user, "confirmed", record, f"Confirmed replacing {months}")
    transaction.on_commit(partial(run_upload.enqueue, str(record.id), replace=True))
    return True


@transaction.atomic
def cancel_upload(user: User | None, record: Import) -> bool:
    """Cancel an upload that waits for confirmation: its files are deleted and nothing is
    imported. False when it is not waiting."""
    cancelled = Import.objects.filter(id=record.id, status=BatchStatus.CONFIRM).update(
        status=BatchStatus.CANCELLED, upload="", finished_at=timezone.now(),
        stage="Cancelled", message="Cancelled: the uploaded files were deleted and nothing "
        "was imported.",
    )  # fmt: skip
    if not cancelled:
        return False
    record_event(user, "cancelled", record, f"Cancelled the upload of {', '.join(record.files)}")
    if record.upload:
        transaction.on_commit(partial(delete_folder, Path(record.upload)))
    return True
