"""Import problems: every rejected row or file is named by file, line and reason."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from saferplaces.spreadsheet import safe_row

MAX_PROBLEMS_SHOWN = 50
"""How many problems ``str(ImportRejected)`` lists before summarising the rest."""
MAX_RAW_CHARS = 2_000
"""How much of a rejected row's text (and of its reason, which may quote a field) a kept
problem holds: a line may be 1 MiB."""


@dataclass(frozen=True)
class ImportProblem:
    """One problem found while reading a source file (``line`` is 1-based; 0 = whole file)."""

    file: str
    line: int
    reason: str
    raw: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.reason}"


class FileRefused(Exception):
    """A reader's way out of one file: the problem that stops it being read at all
    (corrupt, a decompression bomb, over a limit). Readers turn it into a reject."""

    def __init__(self, problem: ImportProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class ProblemLog:
    """The problems of one file: the first ``limit`` (by the order they are added) are
    kept, every one is counted, so a file of millions of bad rows costs little memory."""

    limit: int
    kept: list[ImportProblem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: ImportProblem) -> None:
        """Count ``problem`` and keep it while fewer than ``limit`` are kept."""
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(clipped(problem))

    def merged(self, others: Iterable[ImportProblem], others_total: int) -> list[ImportProblem]:
        """The kept problems and ``others`` (the first of another count of
        ``others_total``), in line order, at most ``limit`` of them, followed by a
        line-0 note saying how many were not kept."""
        problems = sorted([*self.kept, *map(clipped, others)], key=lambda p: p.line)
        problems = problems[: self.limit]
        total = self.total + others_total
        if total > len(problems) and problems:
            problems.append(
                ImportProblem(
                    problems[0].file,
                    0,
                    f"{total - len(problems):,} more rejected rows are not listed "
                    f"({total:,} in all; the first {len(problems):,} are kept)",
                )
            )
        return problems


def clipped(problem: ImportProblem) -> ImportProblem:
    """``problem`` with its raw text and reason cut to :data:`MAX_RAW_CHARS`."""
    if len(problem.raw) <= MAX_RAW_CHARS and len(problem.reason) <= MAX_RAW_CHARS:
        return problem
    return replace(problem, raw=_cut(problem.raw), reason=_cut(problem.reason))


def _cut(text: str) -> str:
    return text if len(text) <= MAX_RAW_CHARS else text[:MAX_RAW_CHARS] + "…"


class ImportRejected(Exception):
    """Raised when an import is refused; nothing was written to the store."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems: list[ImportProblem] = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        files = sorted({p.file for p in self.problems})
        head = f"import rejected: {n} problem{'s' if n != 1 else ''} in {len(files)} file(s)"
        lines = [head, *(f"  {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN])]
        if n > MAX_PROBLEMS_SHOWN:
            lines.append(f"  … and {n - MAX_PROBLEMS_SHOWN} more")
        return "\n".join(lines)


def write_rejects_csv(problems: Iterable[ImportProblem], path: Path) -> int:
    """Write ``file,line,reason,raw`` rows to ``path``; return how many were written."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "line", "reason", "raw"])
        for p in problems:
            writer.writerow(safe_row([p.file, p.line, p.reason, p.raw]))
            n += 1
    return n
