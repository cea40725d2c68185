"""`saferplaces backup`: an archive that brings back exactly the state it was made from
(figures, cases, the audit chain), refuses to overwrite data without --force, and refuses
a damaged or wrongly decrypted archive while leaving the installation as it was."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from saferplaces.casework.models import Case, Subject
from saferplaces.evidence.services import import_files
from saferplaces.governance import audit
from saferplaces.governance.models import AuditEvent
from saferplaces.operations import database

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("backup", *args, stdout=out)
    return out.getvalue()


def figures() -> dict[str, object]:
    """What a partnership would check after a restore: the indicators of West Lancashire,
    every case and subject, and the audit chain (each event's number and hash)."""
    out = io.StringIO()
    call_command("indicators", "--place", "West Lancashire", "--period", "2014/15",
                 "--format", "json", stdout=out)  # fmt: skip
    return {
        "indicators": json.loads(out.getvalue()),
        "cases": sorted(Case.objects.values_list("pk", "reference", "status")),
        "subjects": sorted(Subject.objects.values_list("pk", "family_name", "given_name")),
        "audit": list(AuditEvent.objects.order_by("seq").values_list("seq", "hash")),
        "tables": database.current_counts(),
    }


def data_files() -> list[str]:
    root = Path(settings.DATA_DIR)
    return sorted(
        p.relative_to(root).as_posix()
        for part in ("incidents", "documents", "uploads")
        for p in (root / part).rglob("*")
        if p.is_file() and p.name != ".lock"
    )


@pytest.fixture
def installation(samples: Path) -> dict[str, object]:
    """The demo partnership with its casework, and the sample police.uk months."""
    call_command("load_demo", stdout=io.StringIO())
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    state = figures()
    assert state["cases"] and len(state["audit"]) > 1  # type: ignore[arg-type]
    assert audit.verify().ok
    return state


def wipe() -> None:
    """Lose everything: empty every table and the data folders (a new server)."""
    call_command("flush", "--no-input", verbosity=0)
    for part in ("incidents", "documents", "uploads"):
        shutil.rmtree(Path(settings.DATA_DIR) / part, ignore_errors=True)


def test_round_trip_into_an_empty_installation(installation: dict[str, object],
                                                tmp_path: Path) -> None:  # fmt: skip
    """Given the demo with casework and imported months, When it is backed up, everything
    is lost and the archive is restored into the empty installation, Then the figures, the
    cases and the audit chain are identical and the chain verifies."""
    archive = tmp_path / "saferplaces.backup"
    said = run("create", "--output", str(archive))
    assert "Backed up" in said and archive.stat().st_mode & 0o777 == 0o600
    files_before = data_files()
    wipe()
    assert not Case.objects.exists() and not data_files()
    restored = run("restore", str(archive))
    assert "Restored" in restored
    assert figures() == installation
    assert data_files() == files_before
    assert audit.verify().ok


def test_refuses_to_overwrite_data_without_force(installation: dict[str, object],
                                                 tmp_path: Path) -> None:  # fmt: skip
    """Given a backup and then a change (one more audit event), When it is restored without
    --force, Then it is refused, naming what is held, and nothing changes; with --force the
    installation goes back to the backup's state."""
    archive = tmp_path / "b.tar.gz"
    run("create", "--output", str(archive))
    audit.record(audit.Actor(None), "view", "case", "1", "after the backup")
    changed = figures()
    with pytest.raises(CommandError, match=r"already holds data.*--force"):
        run("restore", str(archive))
    assert figures() == changed
    run("restore", str(archive), "--force")
    assert figures() == installation


def test_damaged_archives_are_refused_and_lose_nothing(installation: dict[str, object],
                                                       tmp_path: Path) -> None:  # fmt: skip
    """Given an archive with one byte changed, one cut short and one whose file does not
    match its checksum, When each is verified or restored with --force, Then each is refused
    with a clear message and the installation is unchanged."""
    archive = tmp_path / "good.backup"
    run("create", "--output", str(archive))
    data = archive.read_bytes()
    flipped = tmp_path / "flipped.backup"
    flipped.write_bytes(data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF])
                        + data[len(data) // 2 + 1 :])  # fmt: skip
    short = tmp_path / "short.backup"
    short.write_bytes(data[: len(data) // 3])
    tampered = tmp_path / "tampered.backup"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src:
            body = src.extractfile(member).read() if member.isfile() else b""  # type: ignore[union-attr]
            if member.name.startswith("data/incidents/") and member.name.endswith(".parquet"):
                body = body[:-1] + bytes([body[-1] ^ 0x01])
            member.size = len(body)
            dst.addfile(member, io.BytesIO(body))
    for bad, message in ((flipped, "damaged"), (short, "damaged"),
                         (tampered, "does not match its checksum")):  # fmt: skip
        with pytest.raises(CommandError, match=message):
            run("verify", str(bad))
        with pytest.raises(CommandError, match=message):
            run("restore", str(bad), "--force")
        assert figures() == installation
    with pytest.raises(CommandError, match="not a saferplaces backup"):
        run("verify", str(Path(__file__)))
    assert "intact" in run("verify", str(archive))


def test_encrypted_archive(demo: object, samples: Path, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Given a passphrase, When the backup is encrypted, Then the file is age-encrypted (no
    tar or manifest readable in it), verifying it without the passphrase or with a wrong one
    is refused, and with the right one it restores."""
    import_files("police-uk", sorted(samples.glob("*.csv.gz")))
    audit.record(audit.Actor(None), "view", "case", "7", "before the backup")
    before = figures()
    phrase = tmp_path / "phrase"
    phrase.write_text("correct horse battery staple\n")
    archive = tmp_path / "enc.backup"
    with pytest.raises(CommandError, match="needs a passphrase"):
        run("create", "--output", str(archive), "--encrypt")
    run("create", "--output", str(archive), "--encrypt", "--passphrase-file", str(phrase))
    assert archive.read_bytes().startswith(b"age-encryption.org/v1")
    assert b"manifest.json" not in archive.read_bytes()
    with pytest.raises(CommandError, match="is encrypted"):
        run("verify", str(archive))
    monkeypatch.setenv("SAFERPLACES_BACKUP_PASSPHRASE", "a wrong passphrase here")
    with pytest.raises(CommandError, match="passphrase is wrong"):
        run("verify", str(archive))
    monkeypatch.setenv("SAFERPLACES_BACKUP_PASSPHRASE", "correct horse battery staple")
    assert "intact" in run("verify", str(archive))
    wipe()
    run("restore", str(archive))
    assert figures() == before
