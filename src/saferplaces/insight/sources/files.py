"""Finding source files (plain, gzipped, folders, zip archives) and reading their bytes.

Nothing here trusts a file. :func:`discover` refuses, by name, archive members whose path
would land outside a folder, archives inside archives, encrypted or oversized members and
archives with too many members, before any member is read. Decompressed bytes are counted
as they stream, so a decompression bomb stops at the expanded size or ratio the
:class:`~saferplaces.insight.sources.limits.ImportLimits` allow; corrupt or truncated
compressed data becomes a :class:`~saferplaces.insight.problems.FileRefused` naming the
file. CSV records are read with a bound on every line by
:mod:`saferplaces.insight.sources.records`.
"""

from __future__ import annotations

import codecs
import gzip
import io
import lzma
import re
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from blake3 import blake3

from saferplaces.insight.problems import FileRefused, ImportProblem, ImportRejected
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
