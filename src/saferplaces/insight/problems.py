"""Import problems: every rejected row or file is named by file, line and reason."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_PROBLEMS_SHOWN = 50
"""How many problems ``str(ImportRejected)`` lists before summarising the rest."""


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
            writer.writerow([p.file, p.line, p.reason, p.raw])
            n += 1
    return n
