"""How much one import may read: every limit the readers check, in one place.

A file from the web or the command line is never trusted: it may be far larger than it
says, expand a thousandfold when decompressed, hold one endless line, or millions of bad
rows. Each limit below stops one of those before it costs more than a bounded amount of
memory, disk or time, and the reader says which limit a file broke.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

KiB = 1 << 10
MiB = 1 << 20
GiB = 1 << 30


@dataclass(frozen=True)
class ImportLimits:
    """The limits of one import. The defaults fit every real source seen so far with
    room to spare (police.uk's largest monthly street file is about 30 MB and expands
    about 6 times from gzip; London Fire Brigade's files about 16 times)."""

    max_file_bytes: int = 2 * GiB
    """Largest file as stored: a plain or gzipped file, or the compressed bytes of an
    archive member. (The 10M-row synthetic benchmark file is 2.09 GB.)"""
    max_expanded_bytes: int = 8 * GiB
    """Largest decompressed size of one file (a ``.gz`` file or a zip member)."""
    max_ratio: int = 200
    """Largest compression ratio (expanded : stored) of one ``.gz`` file or zip member,
    checked once it has expanded past ``ratio_floor_bytes``. Real CSVs compress 5-20
    times; a decompression bomb hundreds or a thousand times."""
    ratio_floor_bytes: int = 8 * MiB
    """Below this expanded size the ratio is not checked (a tiny file of one repeated
    value compresses very well and harms nobody)."""
    max_line_bytes: int = 1 * MiB
    """Longest line (or CSV record, quoted newlines included), line ending included.
    A police.uk row is about 300 bytes."""
    max_archive_members: int = 10_000
    """Most entries in one zip archive (a police.uk bulk archive of every force for
    three years holds about 5,000)."""
    max_problems: int = 2_000
    """Most problems kept per file; the rest are counted, not kept."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"ImportLimits.{f.name} must be a positive integer, not {value!r}")

    def expansion_allowed(self, stored_bytes: int) -> int:
        """How many decompressed bytes a compressed file of ``stored_bytes`` may give."""
        by_ratio = max(self.ratio_floor_bytes, self.max_ratio * stored_bytes)
        return min(self.max_expanded_bytes, by_ratio)


DEFAULT_LIMITS = ImportLimits()


def describe_bytes(n: int) -> str:
    """``1048576`` → ``"1 MiB"``, ``51200`` → ``"50 KiB"``, ``1234`` → ``"1,234 bytes"``."""
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n:,} bytes"
