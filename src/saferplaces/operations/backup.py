"""Backups that restore: one archive holding the database, the incident store, the
uploaded and generated files, and a manifest with a SHA-256 checksum of every file.

The archive is a gzipped tar whose first member is ``manifest.json``; with a passphrase
the whole archive is encrypted in the age format (``pyrage``; the ``age`` tool decrypts
it too). A restore checks everything (every checksum, every file present, nothing extra)
in a staging folder before it touches the installation, so a damaged archive is refused
and leaves the installation as it was. It refuses a database or data directory that
already holds data unless told ``force``, and after loading it checks the result: the
same rows per table and an intact audit chain ending at the same event.

Not in the archive: the secret key (a secret does not belong in a file that is copied
around: sessions end and users sign in again), collected static files and the caches
(maps, contiguity), which are rebuilt on use.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

import pyrage
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from saferplaces.evidence.store import incident_store
from saferplaces.governance import audit
from saferplaces.operations import database

FORMAT = "saferplaces-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
AGE_MAGIC = b"age-encryption.org/v1"
PARTS = ("incidents", "documents", "uploads", "rejects")
"""Folders of the data directory in a backup."""
LEFT_OUT = ("incidents/staging", "incidents/.lock", "uploads/tmp")
ENCRYPT_MAX_BYTES = 8 * 1024**3
"""Passphrase encryption works in memory: bigger archives are refused with the reason."""


class BackupError(Exception):
    """A backup could not be made or restored; the message says what to do."""


@dataclass(frozen=True)
class Outcome:
    """What a backup or a restore did, for the command to print."""

    archive: Path
    files: int
    bytes: int
    database: str
    rows: int
    audit_events: int
    encrypted: bool


def _version() -> str:
    try:
        return version("saferplaces")
    except PackageNotFoundError:  # pragma: no cover - always installed in practice
        return "unknown"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _left_out(relative: str) -> bool:
    return any(relative == p or relative.startswith(p + "/") for p in LEFT_OUT)


def _data_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(path in the archive, file) of every file of the backed-up folders."""
    for part in PARTS:
        base = root / part
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and not path.is_symlink() and not _left_out(relative):
                yield relative, path


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # store files are never changed in place: a link is a copy
    except OSError:
        shutil.copy2(source, target)


def create(output: Path, passphrase: str | None = None) -> Outcome:
    """Write the installation's backup to ``output`` (replaced only once complete)."""
    output = output.resolve()
    if output.is_dir():
        raise BackupError(f"{output} is a folder: give the archive's file name")
    output.parent.mkdir(parents=True, exist_ok=True)
    root = Path(settings.DATA_DIR).resolve()
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=output.parent) as tmp:
        stage = Path(tmp)
        (stage / "database").mkdir()
        try:
            snap = database.snapshot(stage / "database")
        except database.DatabaseError as exc:
            raise BackupError(f"The database could not be copied: {exc}") from None
        with incident_store().held():  # no import lands while the store is copied
            for relative, path in _data_files(root):
                _link_or_copy(path, stage / "data" / relative)
        files = [snap.file, *sorted(p for p in (stage / "data").rglob("*") if p.is_file())]
        manifest = _manifest(stage, snap, files)
        partial = output.with_name(f".{output.name}.partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            body = json.dumps(manifest, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(datetime.now(UTC).timestamp()), 0o600
            tar.addfile(info, io.BytesIO(body))
            for path in files:
                tar.add(path, arcname=path.relative_to(stage).as_posix(), recursive=False)
        if passphrase:
            _encrypt(partial, passphrase)
        partial.chmod(0o600)
        partial.replace(output)
    return Outcome(output, len(files), output.stat().st_size, snap.vendor,
                   sum(snap.counts.values()), snap.audit_head[0] if snap.audit_head else 0,
                   bool(passphrase))  # fmt: skip


def _manifest(stage: Path, snap: database.Snapshot, files: list[Path]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "saferplaces": _version(),
        "database": {
            "vendor": snap.vendor,
            "file": snap.file.relative_to(stage).as_posix(),
            "tables": snap.counts,
            "audit_head": None if snap.audit_head is None
            else {"seq": snap.audit_head[0], "hash": snap.audit_head[1]},
            "migrations": snap.migrations,
        },
        "files": [
            {"path": p.relative_to(stage).as_posix(), "bytes": p.stat().st_size,
             "sha256": _sha256(p)}
            for p in files
        ],
    }  # fmt: skip


def _encrypt(path: Path, passphrase: str) -> None:
    size = path.stat().st_size
    if size > ENCRYPT_MAX_BYTES:
        raise BackupError(
            f"The archive is {size / 1024**3:.1f} GB: passphrase encryption is done in memory "
            f"and stops at {ENCRYPT_MAX_BYTES / 1024**3:.0f} GB. Write it unencrypted to an "
            "encrypted disk, or encrypt it with the age tool and a recipient key."
        )
    path.write_bytes(pyrage.passphrase.encrypt(path.read_bytes(), passphrase))


def is_encrypted(archive: Path) -> bool:
    with archive.open("rb") as fh:
        return fh.read(len(AGE_MAGIC)) == AGE_MAGIC


@contextlib.contextmanager
def _opened(archive: Path, passphrase: str | None) -> Iterator[IO[bytes]]:
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    if not is_encrypted(archive):
        with archive.open("rb") as fh:
            yield fh
        return
    if not passphrase:
        raise BackupError(
            f"{archive} is encrypted: give its passphrase (--passphrase-file FILE or the "
            "SAFERPLACES_BACKUP_PASSPHRASE environment variable)"
        )
    try:
        plain = pyrage.passphrase.decrypt(archive.read_bytes(), passphrase)
    except pyrage.DecryptError:
        raise BackupError(
            f"{archive} could not be decrypted: the passphrase is wrong or the file is damaged"
        ) from None
    yield io.BytesIO(plain)


def unpack(archive: Path, stage: Path, passphrase: str | None = None) -> dict[str, Any]:
    """Extract ``archive`` into ``stage``, checking every file against the manifest;
    returns the manifest. Raises BackupError naming the first problem."""
    try:
        with _opened(archive, passphrase) as fh, tarfile.open(fileobj=fh, mode="r:gz") as tar:
            return _unpack(archive, tar, stage)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"{archive} is not a saferplaces backup or is damaged ({exc})") from None


def _unpack(archive: Path, tar: tarfile.TarFile, stage: Path) -> dict[str, Any]:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise BackupError(f"{archive} is not a saferplaces backup: it has no manifest first")
    manifest = _read_manifest(archive, tar, first)
    expected = {f["path"]: f for f in manifest["files"]}
    seen: set[str] = set()
    while (member := tar.next()) is not None:
        entry = expected.get(member.name)
        if entry is None or not member.isfile() or member.name in seen:
            raise BackupError(f"{archive} holds {member.name!r}, which its manifest does not list")
        target = stage / member.name  # a name listed in our own manifest, checked below
        if not target.resolve().is_relative_to(stage.resolve()):
            raise BackupError(f"{archive} names a file outside the backup: {member.name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        digest, size = hashlib.sha256(), 0
        with target.open("wb") as out:
            while source is not None and (block := source.read(1 << 20)):
                digest.update(block)
                size += len(block)
                out.write(block)
        if digest.hexdigest() != entry["sha256"] or size != entry["bytes"]:
            raise BackupError(f"{archive} is damaged: {member.name} does not match its checksum")
        seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            f"{archive} is incomplete: {len(missing)} files missing, first {missing[0]}"
        )
    return manifest


def _read_manifest(archive: Path, tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict[str, Any]:
    fh = tar.extractfile(member)
    try:
        manifest: dict[str, Any] = json.load(fh) if fh is not None else {}
    except ValueError as exc:
        raise BackupError(f"{archive}: its manifest cannot be read ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a saferplaces backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} is backup format {manifest.get('format_version')}; this saferplaces "
            f"reads format {FORMAT_VERSION}"
        )
    return manifest


def verify(archive: Path, passphrase: str | None = None) -> dict[str, Any]:
    """Check an archive without restoring it (every checksum); returns its manifest."""
    with tempfile.TemporaryDirectory(prefix=".verify-") as tmp:
        return unpack(archive, Path(tmp), passphrase)


def data_holdings(root: Path) -> list[str]:
    """Files of the backed-up folders the data directory already holds."""
    return [relative for relative, _ in _data_files(root)]


def restore(archive: Path, passphrase: str | None = None, *, force: bool = False) -> Outcome:
    """Bring back the state in ``archive``: database, incident store and files."""
    archive = archive.resolve()
    root = Path(settings.DATA_DIR).resolve()
    if not force:
        _refuse_if_not_empty(root)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=root) as tmp:
        stage = Path(tmp)
        manifest = unpack(archive, stage / "archive", passphrase)
        db = manifest["database"]
        _check_migrations(archive, db["migrations"])
        try:
            database.load(stage / "archive" / db["file"], db["vendor"])
        except database.DatabaseError as exc:
            raise BackupError(f"The database could not be restored: {exc}") from None
        _replace_files(root, stage)
    cache.clear()
    _check_restored(archive, db)
    files = len(manifest["files"])
    size = archive.stat().st_size
    head = db["audit_head"]["seq"] if db["audit_head"] else 0
    return Outcome(archive, files, size, db["vendor"], sum(db["tables"].values()), head,
                   is_encrypted(archive))  # fmt: skip


def _refuse_if_not_empty(root: Path) -> None:
    held = database.holdings()
    files = data_holdings(root)
    if held or files:
        what = [f"{n:,} rows in {t}" for t, n in list(held.items())[:3]]
        if files:
            what.append(f"{len(files):,} files under {root}")
        raise BackupError(
            "This installation already holds data (" + "; ".join(what) + "): restore into an "
            "empty database and data directory, or give --force to replace everything"
        )


def _check_migrations(archive: Path, migrations: list[str]) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = {f"{app}.{name}" for app, name in MigrationLoader(connection).disk_migrations}
    unknown = sorted(set(migrations) - known)
    if unknown:
        raise BackupError(
            f"{archive} was made by a newer saferplaces (its database has migrations this "
            f"version does not know, first {unknown[0]}): upgrade, then restore"
        )


def _replace_files(root: Path, stage: Path) -> None:
    """Swap each backed-up folder for the archive's; the old ones go with the stage."""
    incoming = stage / "archive" / "data"
    old = stage / "old"
    old.mkdir()
    with incident_store().held():
        for part in PARTS:
            current = root / part
            if current.exists():
                current.replace(old / part)
            if (incoming / part).exists():
                (incoming / part).replace(current)
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)


def _check_restored(archive: Path, db: dict[str, Any]) -> None:
    counts = database.current_counts()
    differ = sorted(t for t, n in db["tables"].items() if counts.get(t) != n)
    if differ:
        t = differ[0]
        raise BackupError(
            f"After restoring {archive}, {t} holds {counts.get(t)} rows where the backup "
            f"recorded {db['tables'][t]} ({len(differ)} tables differ)"
        )
    result = audit.verify()
    if not result.ok:
        raise BackupError(
            f"After restoring {archive}, the audit trail is broken at event "
            f"#{result.broken_at}: {result.reason}"
        )
    head = database.current_head()
    recorded = db["audit_head"]
    wanted = None if recorded is None else (recorded["seq"], recorded["hash"])
    if head != wanted:
        raise BackupError(
            f"After restoring {archive}, the audit trail does not end where the backup's did"
        )
