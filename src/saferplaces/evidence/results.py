"""What an import did, as its result page and its withdrawal page show it: the rows it
landed per month and what they replaced, its problems by file and line, and the months
still missing for each district of the areas its data covers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

from saferplaces.evidence.models import Import, ImportRun
from saferplaces.evidence.store import incident_store
from saferplaces.evidence.uploads import upload_folder
from saferplaces.insight.coverage import POLICE_UK, district_coverage, months_missing
from saferplaces.insight.geography import (
    district_name,
    districts_in_pfa,
    lsoa_to_district,
    pfa_for_force,
)
from saferplaces.insight.manifest import Manifest
from saferplaces.insight.periods import add_months, format_month, months_between, parse_month


@dataclass(frozen=True)
class MonthRow:
    source: str
    dataset: str
    month: str
    rows: int | None
    """Rows the import landed for the month (None when no longer known)."""
    before: int | None
    """Rows the store held for the month before, when the import replaced it."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    reason: str


@dataclass(frozen=True)
class DistrictGap:
    name: str
    missing: int
    months: str


@dataclass(frozen=True)
class AreaGaps:
    """The months still missing per district of an area a dataset covers."""

    title: str
    first: str
    last: str
    districts: list[DistrictGap]

    @property
    def complete(self) -> bool:
        return not any(d.missing for d in self.districts)


def folder_prefix(record: Import) -> str:
    """How the import's problems and rejects name its uploaded files' folder."""
    return f"{upload_folder(record.id)}/"


def _tidy(record: Import, text: str) -> str:
    return text.replace(folder_prefix(record), "")


def _problem(record: Import, text: str) -> Problem:
    """A problem as ImportRun.problems hold it ("file:line: reason") in three parts."""
    text = _tidy(record, text)
    head, sep, reason = text.partition(": ")
    if not sep:
        return Problem("", None, text)
    file, colon, line = head.rpartition(":")
    if colon and line.isdigit():
        return Problem(file, int(line), reason)
    return Problem(head, None, reason)


def rejects_report(record: Import) -> Path | None:
    """The import's rejected rows CSV, when one is held in the data directory."""
    root = (Path(settings.DATA_DIR) / "rejects").resolve()
    for run in record.runs.exclude(rejects_report=""):
        path = Path(run.rejects_report).resolve()
        if path.parent == root and path.is_file():
            return path
    return None


def _month_rows(record: Import, manifest: Manifest) -> list[MonthRow]:
    replaced = {str(r["key"]): r for r in record.replaced}
    rows: dict[str, int | None] = dict(record.partitions or {})
    entry = manifest.get("imports", {}).get(str(record.id))
    if not rows and entry:
        mine = set(entry["files"])
        for key in entry["partitions"]:
            held_now = manifest["partitions"].get(key)
            rows[key] = (
                int(held_now["rows"])
                if held_now and held_now["file"] in mine
                else replaced.get(key, {}).get("rows_after")
            )
    out = []
    for key, n in sorted(rows.items()):
        source, dataset, month = key.split("/")
        out.append(MonthRow(source, dataset, month, n, replaced.get(key, {}).get("rows_before")))
    return out


def _key(key: object) -> tuple[str, str, str]:
    source, dataset, month = str(key).split("/")
    return source, dataset, month


def _datasets(record: Import, runs: list[ImportRun], months: list[MonthRow],
              manifest: Manifest) -> set[tuple[str, str]]:  # fmt: skip
    """(source, dataset) the import's files supply: from what it landed, or for files
    already held, from the store's files with the same checksums."""
    found = {(m.source, m.dataset) for m in months}
    if not found:
        checksums = {r.checksum for r in runs if r.checksum}
        for info in manifest["files"].values():
            if info.get("checksum") in checksums:
                found |= {(k.split("/")[0], k.split("/")[1]) for k in info.get("partitions", [])}
    return found


def _ranges(months: Iterable[date]) -> str:
    """2013-04, 2013-05, 2013-06, 2013-09 → "2013-04 to 2013-06, 2013-09"."""
    spans: list[list[date]] = []
    for m in sorted(months):
        if spans and add_months(spans[-1][1], 1) == m:
            spans[-1][1] = m
        else:
            spans.append([m, m])
    return ", ".join(
        format_month(a) if a == b else f"{format_month(a)} to {format_month(b)}" for a, b in spans
    )


def _gaps(datasets: set[tuple[str, str]], manifest: Manifest) -> list[AreaGaps]:
    """For each dataset: the districts it should cover (for police.uk, those of the
    force's police force area; otherwise those the source covers at all) and the months
    from its first to its last held that the store still lacks for each."""
    if not datasets:
        return []
    coverage = district_coverage(incident_store())
    known = set(lsoa_to_district().values())
    held_months: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key in manifest["partitions"]:
        source, dataset, month = key.split("/")
        held_months[(source, dataset)].append(month)
    out = []
    for source, dataset in sorted(datasets):
        months = sorted(held_months.get((source, dataset), []))
        if not months:
            continue
        first, last = parse_month(months[0]), parse_month(months[-1])
        span = [add_months(first, i) for i in range(months_between(first, last))]
        if source == POLICE_UK:
            pfa = pfa_for_force(dataset)
            found = [d for d in districts_in_pfa(pfa) if d.code in known] if pfa else []
            codes = [(d.code, d.name) for d in found]
            title = f"{found[0].pfa_name} police force area" if found else ""
        else:
            codes = sorted(
                ((c, district_name(c) or c) for c in coverage.by_source.get(source, {})),
                key=lambda c: c[1],
            )
            title = f"Districts {source} / {dataset} covers"
        if not codes or not title:
            continue
        missing: dict[str, list[date]] = defaultdict(list)
        for month, gaps in months_missing(coverage, [source], [c for c, _ in codes], span).items():
            for code in gaps:
                missing[code].append(month)
        districts = [DistrictGap(name, len(missing[code]), _ranges(missing[code]))
                     for code, name in codes]  # fmt: skip
        out.append(AreaGaps(title, months[0], months[-1], districts))
    return out


def summary(record: Import) -> dict[str, Any]:
    """Everything the result page shows of a finished import."""
    runs = list(record.runs)
    manifest = incident_store().manifest()
    months = _month_rows(record, manifest)
    problems = [_problem(record, p) for run in runs for p in run.problems][:200]
    return {
        "record": record,
        "runs": runs,
        "months": months,
        "problems": problems,
        "rows_rejected": sum(r.rows_rejected for r in runs),
        "rejects": rejects_report(record) is not None,
        "replaced": [
            MonthRow(*_key(r["key"]), rows=r["rows_after"], before=r["rows_before"])
            for r in record.replaced
        ],
        "gaps": _gaps(_datasets(record, runs, months, manifest), manifest),
        "message": _tidy(record, record.message),
    }


def withdrawal(record: Import) -> dict[str, Any]:
    """What withdrawing the import would do: the months it replaced come back with the
    rows they held, and the months it added are no longer held."""
    months = _month_rows(record, incident_store().manifest())
    return {
        "record": record,
        "runs": list(record.runs),
        "restored": [m for m in months if m.before is not None],
        "removed": [m for m in months if m.before is None],
    }
