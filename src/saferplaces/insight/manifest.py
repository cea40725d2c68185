"""The incident store's manifest and how it changes: an import adds files, a withdrawal
puts back what an import replaced. Pure functions over plain JSON-able dicts; the store
(``store.py``) reads, writes and swaps them.

A manifest holds:

- ``partitions``: partition key (``source/dataset/YYYY-MM``) → the file that supplies
  it, its rows, checksum and source file;
- ``files``: every live data file and what it holds (its ``constants`` too);
- ``imports``: one record per import that landed, by import id: when, the partitions it
  set, and, for each partition it replaced, the previous entry and its file's record, so
  that withdrawing the import brings back exactly what the store held before it;
- ``sources``: which reader owns each source (a mapped import may not write into the
  police.uk source, nor police.uk into a mapped one);
- ``derived``: the re-issue index and rollups built for this state.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

Manifest = dict[str, Any]
FORMAT = 2


class WithdrawRefused(ValueError):
    """An import cannot be withdrawn (unknown, already withdrawn, or replaced since)."""


def partition_key(source: str, dataset: str, month: str) -> str:
    """``police_uk/lancashire/2014-03``."""
    return f"{source}/{dataset}/{month}"


def empty_manifest() -> Manifest:
    return {
        "format": FORMAT,
        "version": 0,
        "fingerprint": "empty",
        "updated_at": None,
        "files": {},
        "partitions": {},
        "derived": {},
        "imports": {},
        "sources": {},
    }


def fingerprint(m: Manifest) -> str:
    """A content hash of the live partitions (a cache key that changes with the data)."""
    if not m["partitions"]:
        return "empty"
    digest = hashlib.sha256()
    for key, p in sorted(m["partitions"].items()):
        digest.update(f"{key}\0{p['file']}\0{p['checksum']}\0{p['rows']}\n".encode())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Addition:
    """A data file an import adds, with the partitions it supplies (key → rows)."""

    file: str
    checksum: str
    source_file: str
    reader: str
    partitions: dict[str, int]
    constants: dict[str, Any]


@dataclass(frozen=True)
class Replacement:
    """A month an import would take over from what the store holds."""

    key: str
    rows_before: int
    rows_after: int
    source_file_before: str

    @property
    def month(self) -> str:
        return self.key.rsplit("/", 1)[1]

    @property
    def shrinks(self) -> bool:
        return self.rows_after < self.rows_before

    def __str__(self) -> str:
        return (
            f"{self.key}: {self.rows_before:,} rows (from {self.source_file_before}) would "
            f"become {self.rows_after:,}"
        )


def replacements(base: Manifest, added: list[Addition]) -> list[Replacement]:
    """The partitions the additions would take over, with rows before and after."""
    out = []
    for a in added:
        for key, rows in sorted(a.partitions.items()):
            held = base["partitions"].get(key)
            if held is not None and held["file"] != a.file:
                out.append(Replacement(key, int(held["rows"]), rows, held["source_file"]))
    return out


def ownership_problems(base: Manifest, added: list[Addition]) -> list[tuple[str, str]]:
    """(source file, why) for each addition that would write into a source another
    reader owns."""
    owners = dict(base.get("sources", {}))
    problems = []
    for a in added:
        for key in a.partitions:
            source = key.split("/", 1)[0]
            owner = owners.setdefault(source, a.reader)
            if owner != a.reader:
                problems.append((
                    a.source_file,
                    f"the source {source!r} holds {owner}; {a.reader} may not write into it "
                    "(give the mapping another source name)",
                ))  # fmt: skip
                break
    return problems


def with_additions(base: Manifest, added: list[Addition], import_id: str, now: str) -> Manifest:
    """The manifest after an import: its files supply their partitions, and the import's
    record keeps what they replaced."""
    m = upgraded(base)
    record: dict[str, Any] = {"at": now, "files": [], "partitions": [], "replaced": {}}
    for a in added:
        m["files"][a.file] = {
            "checksum": a.checksum,
            "source_file": a.source_file,
            "imported_at": now,
            "partitions": sorted(a.partitions),
            "import": import_id,
        }
        if a.constants:
            m["files"][a.file]["constants"] = a.constants
        record["files"].append(a.file)
        for key, rows in a.partitions.items():
            held = m["partitions"].get(key)
            if held is not None:
                record["replaced"][key] = {
                    "partition": held,
                    "file": copy.deepcopy(m["files"].get(held["file"], {})),
                }
            m["partitions"][key] = {
                "file": a.file,
                "rows": rows,
                "checksum": a.checksum,
                "source_file": a.source_file,
                "imported_at": now,
            }
            record["partitions"].append(key)
            m["sources"].setdefault(key.split("/", 1)[0], a.reader)
    record["partitions"].sort()
    m["imports"][import_id] = record
    return _settled(m, now)


def withdrawn(base: Manifest, import_id: str, now: str) -> Manifest:
    """The manifest with an import withdrawn: each partition it set goes back to what it
    replaced (or away, if it replaced nothing). Refused if a later import has since
    replaced any of them: withdraw that one first."""
    m = upgraded(base)
    record = m["imports"].get(import_id)
    if record is None:
        raise WithdrawRefused(f"no import {import_id} is held in the store")
    if record.get("withdrawn_at"):
        when = record["withdrawn_at"]
        raise WithdrawRefused(f"import {import_id} was already withdrawn on {when}")
    mine = set(record["files"])
    for key in record["partitions"]:
        current = m["partitions"].get(key)
        if current is None or current["file"] not in mine:
            later = _import_of(m, current["file"]) if current else None
            raise WithdrawRefused(
                f"{key} has been replaced since by "
                + (f"import {later}: withdraw that one first" if later else "another import")
            )
    for key in record["partitions"]:
        previous = record["replaced"].get(key)
        if previous is None:
            del m["partitions"][key]
            continue
        m["partitions"][key] = previous["partition"]
        rel = previous["partition"]["file"]
        m["files"].setdefault(rel, previous["file"])
    record["withdrawn_at"] = now
    return _settled(m, now)


def _import_of(m: Manifest, rel: str) -> str | None:
    for import_id, record in m["imports"].items():
        if rel in record["files"] and not record.get("withdrawn_at"):
            return str(import_id)
    return None


def _settled(m: Manifest, now: str) -> Manifest:
    """Drop files no partition uses, bump the version, recompute the fingerprint."""
    live = {p["file"] for p in m["partitions"].values()}
    m["files"] = {k: v for k, v in m["files"].items() if k in live}
    m["version"] = int(m["version"]) + 1
    m["updated_at"] = now
    m["fingerprint"] = fingerprint(m)
    return m


def upgraded(base: Manifest) -> Manifest:
    """A deep copy of ``base`` in the current format (older manifests had no import
    records or source owners: imports before this format cannot be withdrawn)."""
    m: Manifest = copy.deepcopy(base)
    m.setdefault("imports", {})
    m.setdefault("sources", {})
    for key in m["partitions"]:
        m["sources"].setdefault(key.split("/", 1)[0], _reader_guess(key))
    m["format"] = FORMAT
    return m


def _reader_guess(key: str) -> str:
    return "police.uk street files" if key.startswith("police_uk/") else "mapped incidents"


def kept_files(m: Manifest) -> set[str]:
    """Files a clean-up must keep: live data, derived tables, and the files replaced by
    imports that can still be withdrawn."""
    keep = set(m["files"]) | set(m["derived"].values())
    for record in m.get("imports", {}).values():
        if not record.get("withdrawn_at"):
            keep.update(r["partition"]["file"] for r in record["replaced"].values())
    return keep
