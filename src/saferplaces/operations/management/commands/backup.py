"""saferplaces backup create --output FILE [--encrypt]
saferplaces backup restore FILE [--force]
saferplaces backup verify FILE

One archive with the database, the incident store, the uploaded and generated files and a
manifest of checksums (see ``saferplaces.operations.backup``). With ``--encrypt`` the
archive is encrypted with a passphrase read from ``--passphrase-file`` or the
``SAFERPLACES_BACKUP_PASSPHRASE`` environment variable (never from the command line,
where other users could read it); restore and verify read an encrypted archive's
passphrase the same way.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saferplaces.operations import backup

ENV = "SAFERPLACES_BACKUP_PASSPHRASE"  # the name of a variable, not a secret
MIN_PASSPHRASE = 12


class Command(BaseCommand):
    help = "Back up the installation into one archive, check one, or restore one."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="write a backup archive")
        create.add_argument("--output", required=True, type=Path, metavar="FILE")
        create.add_argument("--encrypt", action="store_true", help="encrypt with a passphrase")
        create.add_argument("--passphrase-file", type=Path, metavar="FILE")
        restore = sub.add_parser("restore", help="restore an archive into this installation")
        restore.add_argument("archive", type=Path, metavar="FILE")
        restore.add_argument(
            "--force", action="store_true", help="replace a database and files that hold data"
        )
        restore.add_argument("--passphrase-file", type=Path, metavar="FILE")
        verify = sub.add_parser("verify", help="check an archive's checksums, restoring nothing")
        verify.add_argument("archive", type=Path, metavar="FILE")
        verify.add_argument("--passphrase-file", type=Path, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        phrase = _passphrase(options["passphrase_file"])
        try:
            if options["action"] == "verify":
                self._verify(options["archive"], phrase)
                return
            if options["action"] == "create":
                done, verb = (
                    backup.create(options["output"], _checked(options, phrase)),
                    "Backed up",
                )
            else:
                done = backup.restore(options["archive"], phrase, force=options["force"])
                verb = "Restored"
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        took = time.perf_counter() - started
        self.stdout.write(
            f"{verb} {done.archive} ({done.bytes / 1024**2:,.1f} MB"
            f"{', encrypted' if done.encrypted else ''}) in {took:.1f} s: {done.database} "
            f"database with {done.rows:,} rows, {done.audit_events:,} audit events, "
            f"{done.files:,} files."
        )

    def _verify(self, archive: Path, phrase: str | None) -> None:
        manifest = backup.verify(archive, phrase)
        self.stdout.write(
            f"{archive}: intact. {len(manifest['files'])} files, made {manifest['created']} "
            f"by saferplaces {manifest['saferplaces']} on {manifest['database']['vendor']}."
        )


def _checked(options: dict[str, Any], phrase: str | None) -> str | None:
    """The passphrase to encrypt with (None: not asked to encrypt)."""
    if not options["encrypt"]:
        return None
    if not phrase:
        raise CommandError(f"--encrypt needs a passphrase: --passphrase-file FILE or {ENV}")
    if len(phrase) < MIN_PASSPHRASE:
        raise CommandError(f"The passphrase must be at least {MIN_PASSPHRASE} characters")
    return phrase


def _passphrase(path: Path | None) -> str | None:
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(f"The passphrase file cannot be read: {exc}") from None
    return os.environ.get(ENV) or None
