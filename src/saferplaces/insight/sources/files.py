"""Finding source files (plain, gzipped, folders, zip archives) and reading their bytes.

Nothing here trusts a file. :func:`discover` refuses, by name, archive members whose path
would land outside a folder, archives inside archives, encrypted or oversized members and
archives with too many members, before any member is read. Decompressed bytes are counted
as they stream, so a decompression bomb stops at the expanded size or ratio the
:class:`~saferplaces.insight.sources.limits.ImportLimits` allow; corrupt or truncated
compressed data becomes a :class:`~saferplaces.insight.problems.FileRefused` naming the
file. :func:`read_records` reads CSV records with a bound on every line.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import lzma
import re
import struct
import uuid
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from blake3 import blake3

from saferplaces.insight.problems import (
    FileRefused,
    ImportProblem,
    ImportRejected,
    ProblemLog,
)
from saferplaces.insight.sources.limits import DEFAULT_LIMITS, ImportLimits, describe_bytes

CHUNK = 1 << 20

READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # gzip.BadGzipFile among them
    EOFError,  # a truncated gzip stream
    zlib.error,
    zipfile.BadZipFile,
    lzma.LZMAError,
    NotImplementedError,  # a zip compression method Python cannot read
    RuntimeError,  # an encrypted zip member
    ValueError,
)
"""What reading compressed bytes may raise on a damaged or hostile file."""

COMPRESSED_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".lzma", ".7z", ".rar",
                       ".zst", ".lz4", ".z")  # fmt: skip
"""Names of archives and compressed files: refused inside a zip archive."""
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "a zip archive"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
)
_READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_CENTRAL_ENTRY_BYTES = 1024
"""Most bytes one archive member may take in the zip's central directory (46 fixed bytes,
its name and extra fields): bounds what ``zipfile`` parses before any member count."""


@dataclass(frozen=True)
class Digest:
    """What one read of a file's stored bytes tells: its checksum and whether the text
    is valid UTF-8 (checked on the decompressed bytes; ``False`` too when the
    decompressed bytes could not all be read within the limits)."""

    checksum: str
    utf8: bool


@dataclass(frozen=True)
class SourceFile:
    """One logical input file: a path on disk, or a member of a zip archive."""

    path: Path
    member: str | None = None

    @property
    def label(self) -> str:
        """How problems name this file: ``path`` or ``archive.zip!member``."""
        return f"{self.path}!{self.member}" if self.member else str(self.path)

    @property
    def name(self) -> str:
        """The bare file name (of the member for archives)."""
        return Path(self.member).name if self.member else self.path.name

    @property
    def gzipped(self) -> bool:
        """Whether the bytes are gzip-compressed."""
        return self.name.endswith(".gz")

    @property
    def compressed(self) -> bool:
        """Whether the bytes are decompressed on reading (gzip, or a zip member)."""
        return self.gzipped or self.member is not None

    @contextmanager
    def open_raw(self) -> Iterator[IO[bytes]]:
        """The stored bytes (still compressed when gzipped; a zip member's decompressed
        bytes, which ``zipfile`` stops at the size the archive declares)."""
        if self.member is None:
            with self.path.open("rb") as fh:
                yield fh
        else:
            with zipfile.ZipFile(self.path) as zf, zf.open(self.member) as fh:
                yield fh

    def stored_size(self) -> int:
        """Bytes as stored: the file's size, or a zip member's compressed size."""
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as zf:
            return zf.getinfo(self.member).compress_size

    @contextmanager
    def open_text_bytes(self, limits: ImportLimits = DEFAULT_LIMITS) -> Iterator[IO[bytes]]:
        """The decompressed bytes, counted as they stream: reading past what ``limits``
        allow, or damaged compressed data, raises :class:`FileRefused` naming the file."""
        with ExitStack() as stack:
            try:
                raw = stack.enter_context(self.open_raw())
                stored = self.stored_size() if self.compressed else 0
            except READ_ERRORS as exc:
                if isinstance(exc, OSError) and not self.compressed:
                    raise
                raise FileRefused(self.damaged(exc)) from exc
            if not self.compressed:
                yield raw
                return
            inner: IO[bytes] = raw
            if self.gzipped:
                inner = cast(IO[bytes], stack.enter_context(gzip.GzipFile(fileobj=raw)))
            bounded = _Bounded(inner, self, stored, limits)
            yield cast(IO[bytes], stack.enter_context(io.BufferedReader(bounded, CHUNK)))

    def damaged(self, exc: BaseException) -> ImportProblem:
        """The problem to report when reading this file's bytes raised ``exc``."""
        if isinstance(exc, gzip.BadGzipFile) and "Not a gzipped file" in str(exc):
            reason = (
                "compressed data is corrupt (bytes that are not gzip follow the gzip data)"
                if self._starts_as_gzip()
                else "is named .gz but is not gzip-compressed"
            )
        elif isinstance(exc, EOFError):
            reason = "compressed data ends early: the file is truncated"
        elif isinstance(exc, (zlib.error, gzip.BadGzipFile, zipfile.BadZipFile, lzma.LZMAError)):
            reason = f"compressed data is corrupt ({exc})"
        elif isinstance(exc, RuntimeError) and "encrypted" in str(exc):
            reason = "is encrypted: give the file without a password"
        else:
            reason = f"could not be read ({exc})"
        return ImportProblem(self.label, 0, reason)

    def _starts_as_gzip(self) -> bool:
        try:
            with self.open_raw() as fh:
                return fh.read(2) == b"\x1f\x8b"
        except READ_ERRORS:
            return False

    def digest(self, limits: ImportLimits = DEFAULT_LIMITS) -> Digest:
        """BLAKE3 of the stored bytes (the file as given, or the archive member), in hex,
        and whether the text is valid UTF-8.

        BLAKE3 rather than SHA-256: as strong, and about three times less CPU on these
        machines, which matters because it runs beside the import on a shared core. The
        UTF-8 check decodes only chunks that are not pure ASCII, so it costs little, and
        it covers the columns the import does not otherwise read. It never raises for a
        damaged or hostile file: the text is then "not UTF-8", and the reader beside it
        says what is wrong.
        """
        hasher = blake3(max_threads=1)
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = True
        try:
            with self.open_raw() as fh:
                while chunk := fh.read(CHUNK):
                    hasher.update(chunk)
                    if not self.gzipped:
                        utf8 = utf8 and _decodes(decoder, chunk)
            if self.gzipped:
                with self.open_text_bytes(limits) as text:
                    while utf8 and (chunk := text.read(CHUNK)):
                        utf8 = _decodes(decoder, chunk)
        except FileRefused:
            utf8 = False
        except READ_ERRORS:
            utf8 = False
        utf8 = utf8 and _decodes(decoder, b"", final=True)
        return Digest(hasher.hexdigest(), utf8)

    def size(self) -> int:
        """Size in bytes for progress: the file's, or a zip member's decompressed size."""
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as zf:
            return zf.getinfo(self.member).file_size

    def local_path(self, tmp_dir: Path, limits: ImportLimits = DEFAULT_LIMITS) -> Path:
        """A plain (decompressed) file DuckDB can read: the file itself, or its
        decompressed bytes written to ``tmp_dir`` within ``limits`` (the caller removes
        it). Raises :class:`FileRefused` for a damaged file, a bomb, or a compressed
        file or archive posing as plain text."""
        if not self.compressed:
            with self.path.open("rb") as fh:
                self._refuse_compressed(fh.read(8))
            return self.path
        target = tmp_dir / f"source-{uuid.uuid4().hex[:12]}.csv"
        try:
            with self.open_text_bytes(limits) as src, target.open("wb") as dst:
                first = src.read(CHUNK)
                self._refuse_compressed(first)
                while first:
                    dst.write(first)
                    first = src.read(CHUNK)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target

    def _refuse_compressed(self, head: bytes) -> None:
        """Refuse text that is in fact compressed or an archive (a ``.zip`` named
        ``.csv``, a gzip file inside a gzip file)."""
        for magic, what in _MAGIC:
            if head.startswith(magic):
                how = "its decompressed bytes are" if self.compressed else "it is"
                raise FileRefused(
                    ImportProblem(
                        self.label, 0,
                        f"{how} {what}, not CSV text: archives and compressed files "
                        "inside others are refused; extract it and import the CSV",
                    )
                )  # fmt: skip


class _Bounded(io.RawIOBase):
    """Decompressed bytes of one file, refused past the limits' allowance."""

    def __init__(self, inner: IO[bytes], sf: SourceFile, stored: int, limits: ImportLimits) -> None:
        super().__init__()
        self._inner = inner
        self._sf = sf
        self._stored = stored
        self._limits = limits
        self._allowed = limits.expansion_allowed(stored)
        self._count = 0

    def readable(self) -> bool:
        """A byte stream to read."""
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` with decompressed bytes, counting them."""
        # One byte past the allowance is enough to know it is exceeded.
        want = min(len(buffer), self._allowed + 1 - self._count)
        try:
            data = self._inner.read(max(want, 1))
        except READ_ERRORS as exc:
            raise FileRefused(self._sf.damaged(exc)) from exc
        self._count += len(data)
        if self._count > self._allowed:
            raise FileRefused(self._bomb())
        buffer[: len(data)] = data
        return len(data)

    def _bomb(self) -> ImportProblem:
        limits = self._limits
        if self._allowed == limits.max_expanded_bytes:
            reason = (
                f"expands to more than {describe_bytes(limits.max_expanded_bytes)}, "
                "the limit for one file"
            )
        else:
            reason = (
                f"expands to more than {limits.max_ratio} times its stored size of "
                f"{describe_bytes(self._stored)}: refused as a decompression bomb"
            )
        return ImportProblem(self._sf.label, 0, reason)


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, *, final: bool = False) -> bool:
    """Whether ``chunk`` continues valid UTF-8. A plain-ASCII chunk with no partial
    character pending from the one before is valid without decoding."""
    if not final and not decoder.getstate()[0] and chunk.isascii():
        return True
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return False
    return True


def discover(
    paths: Iterable[Path | str],
    *,
    suffixes: tuple[str, ...] = (".csv", ".csv.gz"),
    member_filter: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> list[SourceFile]:
    """Expand files, folders (recursively) and ``.zip`` archives into source files.

    ``member_filter`` keeps only files (and archive members) whose name contains it,
    e.g. ``"-street.csv"`` to skip police.uk outcomes and stop-and-search files. A file
    named explicitly is always kept.

    Raises :class:`ImportRejected` naming every path that does not exist, every file
    stored larger than ``limits`` allow, and every archive that cannot be trusted (see
    the module's docstring): nothing has been read from any file then.
    """
    found: list[SourceFile] = []
    problems: list[ImportProblem] = []

    def keep(name: str) -> bool:
        ok = name.endswith(suffixes)
        return ok and (member_filter is None or member_filter in name)

    def add_file(path: Path) -> None:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            problems.append(_too_big(str(path), size, limits))
        else:
            found.append(SourceFile(path))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.name.endswith(".zip"):
                    found.extend(_zip_members(child, keep, limits, problems))
                elif child.is_file() and keep(child.name):
                    add_file(child)
        elif not path.exists():
            problems.append(ImportProblem(str(path), 0, "no such file or folder"))
        elif path.name.endswith(".zip"):
            found.extend(_zip_members(path, keep, limits, problems))
        else:
            add_file(path)
    if problems:
        raise ImportRejected(problems)
    return found


def _too_big(label: str, size: int, limits: ImportLimits) -> ImportProblem:
    return ImportProblem(
        label, 0,
        f"is {describe_bytes(size)} as stored, over the limit of "
        f"{describe_bytes(limits.max_file_bytes)} for one file: split it (by month, say)",
    )  # fmt: skip


def _zip_members(
    path: Path,
    keep: Callable[[str], bool],
    limits: ImportLimits,
    problems: list[ImportProblem],
) -> list[SourceFile]:
    """The kept members of one archive; every reason not to trust it goes to ``problems``."""
    label = str(path)
    try:
        with path.open("rb") as fh:
            entries, directory_bytes = _declared_entries(fh)
        if entries > limits.max_archive_members or (
            directory_bytes > limits.max_archive_members * _CENTRAL_ENTRY_BYTES
        ):
            problems.append(_too_many(label, max(entries, 1), limits))
            return []
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except READ_ERRORS as exc:
        problems.append(ImportProblem(label, 0, f"is not a readable zip archive ({exc})"))
        return []
    if len(infos) > limits.max_archive_members:
        problems.append(_too_many(label, len(infos), limits))
        return []
    out: list[SourceFile] = []
    seen: set[str] = set()
    before = len(problems)
    for info in infos:
        name = info.filename
        where = f"{label}!{name}"
        if name in seen:
            problems.append(ImportProblem(where, 0, "appears twice in the archive"))
            continue
        seen.add(name)
        if _unsafe_member_path(name):
            problems.append(
                ImportProblem(
                    where, 0,
                    "has a path that would land outside the archive's folder (absolute, "
                    "or with '..'): the archive is refused",
                )
            )  # fmt: skip
            continue
        if info.is_dir():
            continue
        if name.lower().endswith(COMPRESSED_SUFFIXES):
            problems.append(
                ImportProblem(
                    where, 0,
                    "is an archive or compressed file inside the archive: nested archives "
                    "are refused; extract it and import its CSV files",
                )
            )  # fmt: skip
            continue
        if not keep(Path(name).name):
            continue
        member_problem = _member_problem(info, limits)
        if member_problem:
            problems.append(ImportProblem(where, 0, member_problem))
            continue
        out.append(SourceFile(path, name))
    return out if len(problems) == before else []


def _member_problem(info: zipfile.ZipInfo, limits: ImportLimits) -> str | None:
    """Why one archive member may not be read, from what the archive declares."""
    if info.flag_bits & 0x1:
        return "is encrypted: give the archive without a password"
    if info.compress_type not in _READABLE_METHODS:
        return f"is compressed with method {info.compress_type}, which cannot be read"
    if info.compress_size > limits.max_file_bytes:
        return _too_big("", info.compress_size, limits).reason
    if info.file_size > limits.max_expanded_bytes:
        return (
            f"expands to {describe_bytes(info.file_size)}, over the limit of "
            f"{describe_bytes(limits.max_expanded_bytes)} for one file"
        )
    if info.file_size > limits.expansion_allowed(info.compress_size):
        return (
            f"expands {info.file_size // max(info.compress_size, 1):,} times (from "
            f"{describe_bytes(info.compress_size)} to {describe_bytes(info.file_size)}), "
            f"over the limit of {limits.max_ratio}: refused as a decompression bomb"
        )
    return None


def _too_many(label: str, count: int, limits: ImportLimits) -> ImportProblem:
    return ImportProblem(
        label, 0,
        f"holds {count:,} entries, over the limit of {limits.max_archive_members:,} "
        "for one archive",
    )  # fmt: skip


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_member_path(name: str) -> bool:
    """Whether extracting ``name`` under a folder could land outside it."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or "\x00" in name:
        return True
    return any(part == ".." for part in re.split(r"[/\\]", name))


def _declared_entries(fh: IO[bytes]) -> tuple[int, int]:
    """(entries, central directory bytes) that a zip's end record declares, read before
    ``zipfile`` parses the directory (whose every entry it keeps in memory)."""
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    span = min(size, 22 + 0xFFFF + 20)
    fh.seek(size - span)
    tail = fh.read(span)
    at = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise zipfile.BadZipFile("no end of central directory record")
    entries, directory_bytes = struct.unpack("<HL", tail[at + 10 : at + 16])
    locator = at - 20
    if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
        fh.seek(offset)
        record = fh.read(56)
        if record[:4] == b"PK\x06\x06":
            entries, directory_bytes = struct.unpack("<QQ", record[32:48])
    return int(entries), int(directory_bytes)


# ---- records ------------------------------------------------------------------------


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
