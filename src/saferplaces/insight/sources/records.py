"""Reading CSV records with a bound on every line, and naming each by its first line.

:func:`read_records` is what every reader's slow path uses: a quoted field may hold
newlines and the records after it keep their true line numbers; a line or record over
the limit, a quote never closed, malformed quoting or bytes that are not UTF-8 make a
record with a ``problem``, and reading goes on from the line after its first.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from saferplaces.insight.problems import ImportProblem, ProblemLog
from saferplaces.insight.sources.limits import DEFAULT_LIMITS, ImportLimits, describe_bytes

CHUNK = 1 << 20
"""How much of an overlong line is skipped at a time."""


@dataclass(frozen=True)
class Record:
    """One CSV record of a file: where it starts, its fields and its text (line ending
    stripped; it holds the newlines of quoted fields), or why it could not be read."""

    line: int
    fields: list[str]
    text: str
    problem: str | None = None


class _LineTooLong(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _RecordTooLong(Exception):
    pass


class _Lines:
    """The physical lines of a byte stream for ``csv.reader``: each read with a bound
    (an overlong line is skipped in chunks, never held), decoded as UTF-8 (a bad byte is
    noted and escaped), and remembered while one record is read so that a record that
    fails can give back every line after its first to be read again on its own."""

    def __init__(self, fh: IO[bytes], max_bytes: int) -> None:
        self._fh = fh
        self._max = max_bytes
        self._next_no = 1
        self._pushback: deque[tuple[int, bytes | None]] = deque()
        self.taken: list[tuple[int, bytes | None]] = []
        self.bad_utf8: str | None = None
        self._size = 0
        self._skipping = False

    def start_record(self) -> None:
        self.taken = []
        self.bad_utf8 = None
        self._size = 0

    def give_back(self) -> None:
        """Read again every line of the failed record after its first."""
        self._pushback.extendleft(reversed(self.taken[1:]))

    def __iter__(self) -> _Lines:
        return self

    def _read(self) -> tuple[int, bytes | None]:
        if self._skipping:
            # The rest of an overlong line, skipped only when the next line is wanted.
            while (rest := self._fh.readline(CHUNK)) and not rest.endswith(b"\n"):
                pass
            self._skipping = False
        raw = self._fh.readline(self._max + 1)
        if not raw:
            raise StopIteration
        number = self._next_no
        self._next_no += 1
        if len(raw) > self._max and not raw.endswith(b"\n"):
            self._skipping = True
            return number, None
        return number, raw

    def __next__(self) -> str:
        number, raw = self._pushback.popleft() if self._pushback else self._read()
        self.taken.append((number, raw))
        if raw is None:
            raise _LineTooLong(number)
        self._size += len(raw)
        if self._size > self._max:
            raise _RecordTooLong
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if self.bad_utf8 is None:
                byte = raw[exc.start : exc.start + 1].hex()
                where = f"column {exc.start + 1}"
                if len(self.taken) > 1:
                    where += f" of line {number}"
                self.bad_utf8 = f"not valid UTF-8 (byte 0x{byte} at {where})"
            return raw.decode("utf-8", "surrogateescape")


def read_records(
    fh: IO[bytes], limits: ImportLimits = DEFAULT_LIMITS, *, delimiter: str = ","
) -> Iterator[Record]:
    """Every CSV record of ``fh`` (blank lines skipped), the header first, with the
    physical line each starts on: a quoted field may hold newlines, and the lines after
    it keep their true numbers. A record that cannot be read (a line or record longer
    than ``limits.max_line_bytes``, a quote never closed, malformed quoting, bytes that
    are not UTF-8) comes with its ``problem``, and reading goes on from its next line."""
    max_bytes = limits.max_line_bytes
    lines = _Lines(fh, max_bytes)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        lines.start_record()
        problem: str | None = None
        try:
            fields = next(reader)
        except StopIteration:
            return
        except _LineTooLong as exc:
            problem = (
                f"line is longer than {describe_bytes(max_bytes)}, the limit for one line"
                if exc.line == lines.taken[0][0]
                else f"a quoted field opened on this line is still open at line {exc.line}, "
                f"which is longer than {describe_bytes(max_bytes)}"
            )
        except _RecordTooLong:
            problem = (
                "a quoted field opened on this line is not closed within "
                f"{describe_bytes(max_bytes)} (a stray quote?)"
            )
        except csv.Error as exc:
            problem = (
                "a quoted field opened on this line is never closed (the file ends inside it)"
                if "unexpected end of data" in str(exc)
                else f"malformed CSV row ({exc})"
            )
        first_no, first_raw = lines.taken[0]
        if problem is not None:
            text = (first_raw or b"").rstrip(b"\r\n").decode("utf-8", "replace")
            yield Record(first_no, [], text, problem)
            lines.give_back()
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            continue
        if not fields:
            continue
        raw = b"".join(r for _, r in lines.taken if r is not None)
        raw = raw[:-2] if raw.endswith(b"\r\n") else raw.rstrip(b"\n")
        if lines.bad_utf8 is not None:
            yield Record(first_no, [], raw.decode("utf-8", "replace"), lines.bad_utf8)
            continue
        yield Record(first_no, fields, raw.decode("utf-8"))


def numbered_copy(
    local: Path,
    out: Path,
    label: str,
    header: list[str],
    problems: ProblemLog,
    limits: ImportLimits = DEFAULT_LIMITS,
    *,
    delimiter: str = ",",
) -> None:
    """Copy every readable record of ``local`` after its header to ``out``, each
    prefixed with a ``_line`` field (its first physical line), under ``_line`` and
    ``header``; every record that cannot be read, or has the wrong number of fields, goes
    to ``problems`` instead."""
    with local.open("rb") as fh, out.open("w", encoding="utf-8", newline="") as dst:
        records = read_records(fh, limits, delimiter=delimiter)
        next(records, None)
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerow(["_line", *header])
        dst.write(buf.getvalue())
        for rec in records:
            if rec.problem is not None:
                problems.add(ImportProblem(label, rec.line, rec.problem, rec.text))
            elif len(rec.fields) != len(header):
                problems.add(
                    ImportProblem(
                        label, rec.line,
                        f"expected {len(header)} fields, found {len(rec.fields)} "
                        "(truncated or malformed row)",
                        rec.text,
                    )
                )  # fmt: skip
            else:
                dst.write(f"{rec.line}{delimiter}{rec.text}\n")
