"""Running queries against a store: the Ibis backend of a store, its fingerprint, and
SQL compiled once per query shape (Ibis compilation costs more than DuckDB's answer over
the small rollups)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import ibis.expr.types as ir
from ibis.backends.duckdb import Backend as DuckDBBackend

from saferplaces.insight.store import IncidentStore

StoreLike: TypeAlias = IncidentStore | DuckDBBackend

_SQL_CACHE: dict[tuple[Any, ...], str] = {}
_SQL_CACHE_MAX = 512


def backend_of(store_or_con: StoreLike) -> DuckDBBackend:
    """The Ibis backend of a store (or the backend itself)."""
    return store_or_con.connect() if isinstance(store_or_con, IncidentStore) else store_or_con


def store_fingerprint(store_or_con: StoreLike) -> str | None:
    """The store's content fingerprint (a cache key), or None for a bare backend."""
    return store_or_con.fingerprint if isinstance(store_or_con, IncidentStore) else None


def run(
    backend: DuckDBBackend, key: tuple[Any, ...], build: Callable[[], ir.Table]
) -> list[tuple[Any, ...]]:
    """Execute the Ibis expression ``build()``, compiling it once per ``key``.

    Only the compiled SQL is memoised; results are always fresh.
    """
    sql = _SQL_CACHE.get(key)
    if sql is None:
        sql = str(backend.compile(build()))
        if len(_SQL_CACHE) >= _SQL_CACHE_MAX:
            _SQL_CACHE.clear()
        _SQL_CACHE[key] = sql
    return backend.con.execute(sql).fetchall()
