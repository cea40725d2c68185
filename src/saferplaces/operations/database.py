"""The database in a backup: a consistent snapshot, what it holds, and loading it back.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies the live database
  page by page while others keep using it; loading is the same API the other way round,
  into the live connection, so the database file is never swapped under a server.
- PostgreSQL: ``pg_dump --format=custom`` run on a snapshot exported from a repeatable
  read transaction, and the table counts and the audit chain's last link read in that
  same transaction, so the manifest describes exactly what the dump holds. Loading is
  ``pg_restore --single-transaction`` into an empty ``public`` schema.

Connection settings go to ``pg_dump``/``pg_restore`` through the PG* environment
variables, never on the command line (where ``ps`` would show a password).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from saferplaces.governance.models import AuditEvent

APP_PREFIXES = (
    "partnership_", "evidence_", "reports_", "governance_", "casework_", "asb_case_reviews_",
    "death_reviews_", "strategy_", "delivery_", "api_", "auth_user",
)  # fmt: skip
"""Tables whose rows are a partnership's data: a database holding any is not empty."""


class DatabaseError(Exception):
    """The database could not be copied or loaded; the message says why."""


@dataclass(frozen=True)
class Snapshot:
    """A copy of the database and what it held when it was taken."""

    vendor: str
    file: Path
    counts: dict[str, int]
    """Rows per table."""
    audit_head: tuple[int, str] | None
    """The last audit event's number and hash (None: no events)."""
    migrations: list[str]
    """Every applied migration, as "app.name"."""


def vendor() -> str:
    return str(connection.vendor)


def snapshot(directory: Path) -> Snapshot:
    """Copy the database into ``directory``, consistently, with its counts."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return _sqlite_snapshot(directory / "saferplaces.sqlite3")
    if connection.vendor == "postgresql":
        return _postgres_snapshot(directory / "saferplaces.pgdump")
    raise DatabaseError(f"backups of a {connection.vendor} database are not supported")


def _sqlite_snapshot(target: Path) -> Snapshot:
    raw: Any = connection.connection
    copy = sqlite3.connect(target)
    try:
        raw.backup(copy)
        cursor = copy.cursor()
        tables = [r[0] for r in cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )]  # fmt: skip
        counts = {t: _count(cursor, t, '"') for t in sorted(tables)}
        head = _head(cursor, '"') if AuditEvent._meta.db_table in tables else None
        migrations = _migrations(cursor) if "django_migrations" in tables else []
    finally:
        copy.close()
    return Snapshot("sqlite", target, counts, head, migrations)


def _count(cursor: Any, table: str, quote: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {quote}{table}{quote}")  # noqa: S608 - a table name
    return int(cursor.fetchone()[0])


def _head(cursor: Any, quote: str) -> tuple[int, str] | None:
    table = f"{quote}{AuditEvent._meta.db_table}{quote}"
    cursor.execute(f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1")  # noqa: S608
    row = cursor.fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def _migrations(cursor: Any) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _pg_env() -> dict[str, str]:
    s: Mapping[str, Any] = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):  # fmt: skip
        if s.get(key):
            env[var] = str(s[key])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DatabaseError(
            f"{name} was not found: install the PostgreSQL client tools "
            "(Debian: apt install postgresql-client) of the server's version or newer"
        )
    return found


def _run(args: list[str]) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DatabaseError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _postgres_snapshot(target: Path) -> Snapshot:
    dump = _tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {t: _count(cursor, t, '"') for t in tables}
        head = _head(cursor, '"') if AuditEvent._meta.db_table in tables else None
        migrations = _migrations(cursor) if "django_migrations" in tables else []
        _run([dump, "--format=custom", "--no-owner", "--no-privileges",
              f"--snapshot={snapshot_id}", f"--file={target}"])  # fmt: skip
    return Snapshot("postgresql", target, counts, head, migrations)


def current_counts() -> dict[str, int]:
    """Rows per table of the live database."""
    with connection.cursor() as cursor:
        quote = '"'
        return {
            t: _count(cursor, t, quote)
            for t in sorted(connection.introspection.table_names(cursor))
        }


def current_head() -> tuple[int, str] | None:
    with connection.cursor() as cursor:
        if AuditEvent._meta.db_table not in connection.introspection.table_names(cursor):
            return None
        return _head(cursor, '"')


def holdings() -> dict[str, int]:
    """The tables of partnership data that hold rows (empty: the database is empty)."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        found = {t: _count(cursor, t, '"') for t in tables if t.startswith(APP_PREFIXES)}
    return {t: n for t, n in sorted(found.items()) if n}


def load(file: Path, kind: str) -> None:
    """Replace the whole database with the snapshot ``file`` (made on ``kind``)."""
    if kind != connection.vendor:
        raise DatabaseError(
            f"this backup holds a {kind} database and this installation runs on "
            f"{connection.vendor}: restore it into a {kind} database (DATABASE_URL)"
        )
    connection.ensure_connection()
    if kind == "sqlite":
        source = sqlite3.connect(file)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    restore = _tool("pg_restore")
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()
    _run([restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={_pg_env().get('PGDATABASE', '')}", str(file)])  # fmt: skip
