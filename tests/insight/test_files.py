"""Digests of source files: checksum and UTF-8 validity."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from blake3 import blake3

from saferplaces.insight.sources import files
from saferplaces.insight.sources.files import SourceFile


@pytest.mark.parametrize("gzipped", [False, True])
def test_digest_is_blake3_of_the_stored_bytes(tmp_path: Path, gzipped: bool) -> None:
    """Given a file (plain or gzipped), its checksum is BLAKE3 of the bytes as stored."""
    text = b"Crime ID,Month\nabc,2021-03\n"
    stored = gzip.compress(text) if gzipped else text
    path = tmp_path / ("f.csv.gz" if gzipped else "f.csv")
    path.write_bytes(stored)
    digest = SourceFile(path).digest()
    assert digest.checksum == blake3(stored).hexdigest()
    assert digest.utf8


@pytest.mark.parametrize(
    ("tail", "valid"),
    [
        ("Café ŵ 🚓".encode(), True),  # multi-byte characters split across chunks
        (b"Caf\xe9 and more", False),  # Latin-1
        (b"Caf" + "é".encode()[:1], False),  # truncated at the end of the file
    ],
)
def test_utf8_check_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tail: bytes, valid: bool
) -> None:
    """Given chunks of 3 bytes, characters that straddle a boundary still decode, and
    invalid or truncated UTF-8 anywhere is caught."""
    monkeypatch.setattr(files, "CHUNK", 3)
    path = tmp_path / "f.csv"
    path.write_bytes(b"plain ascii first, " + tail)
    assert SourceFile(path).digest().utf8 is valid
