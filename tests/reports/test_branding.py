"""The partnership's own name and logo on its papers, and the setting that names the logo
(``SAFERPLACES_LOGO``: a PNG or JPEG, or start-up stops and says why)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from openpyxl import load_workbook
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from saferplaces.env import env_image
from saferplaces.reports.pack import PerformancePack
from saferplaces.reports.pdf_report import build_pdf
from saferplaces.reports.pptx_deck import build_pptx
from saferplaces.reports.render import RenderedCharts
from saferplaces.reports.xlsx_workbook import build_xlsx
from tests.reports.conftest import example_pack, tiny_png
from tests.reports.test_layout import _struct

NAME = "West Lancashire Community Safety Partnership"


def _papers(pack: PerformancePack, where: Path) -> tuple[Path, Path, Path]:
    r = RenderedCharts(pack)
    return (
        build_pptx(pack, where / "deck.pptx", rendered=r),
        build_pdf(pack, where / "report.pdf", rendered=r),
        build_xlsx(pack, where / "tables.xlsx"),
    )


def _title_pictures(deck: Path) -> list[object]:
    slide = Presentation(str(deck)).slides[0]
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def _pdf_figures(pdf: Path) -> list[str]:
    root = PdfReader(str(pdf)).trailer["/Root"]
    return [str(e.get("/Alt", "")) for e in _struct(root["/StructTreeRoot"], [])
            if e["/S"] == "/Figure"]  # fmt: skip


def test_the_logo_and_name_are_on_every_paper(tmp_path: Path) -> None:
    """Given a logo, When the papers are written, Then the deck's title slide, the PDF's
    cover and the workbook's first sheet carry it (with alt text) beside the name."""
    logo = tiny_png(tmp_path / "logo.png")
    deck, pdf, xlsx = _papers(replace(example_pack(), logo=str(logo)), tmp_path)
    pictures = _title_pictures(deck)
    assert len(pictures) == 1
    assert pictures[0].image.blob == logo.read_bytes()  # type: ignore[attr-defined]
    assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == f"{NAME} logo"  # type: ignore[attr-defined]
    title = Presentation(str(deck)).slides[0]
    assert NAME in "\n".join(s.text_frame.text for s in title.shapes if s.has_text_frame)
    assert f"{NAME} logo" in _pdf_figures(pdf)
    reader = PdfReader(str(pdf))
    assert (120, 48) in {im.image.size for im in reader.pages[0].images}
    assert NAME in (reader.pages[0].extract_text() or "")
    ws = load_workbook(str(xlsx)).worksheets[0]
    assert ws.title == "Summary" and len(ws._images) == 1
    assert ws["A2"].value == NAME


def test_without_a_logo_the_name_stands_alone(tmp_path: Path) -> None:
    """Given no logo, Then no paper has a picture where the logo would be, and the name
    still heads each."""
    deck, pdf, xlsx = _papers(example_pack(), tmp_path)
    assert _title_pictures(deck) == []
    assert not [alt for alt in _pdf_figures(pdf) if alt.endswith(" logo")]
    ws = load_workbook(str(xlsx)).worksheets[0]
    assert ws._images == [] and ws["A1"].value == NAME


def test_a_jpeg_logo_works_too(tmp_path: Path) -> None:
    path = tmp_path / "logo.jpg"
    Image.new("RGB", (90, 30), (200, 30, 30)).save(path, format="JPEG")
    deck, pdf, _ = _papers(replace(example_pack(), logo=str(path)), tmp_path)
    assert len(_title_pictures(deck)) == 1
    assert f"{NAME} logo" in _pdf_figures(pdf)


# ---------------------------------------------------------------- the setting


def test_env_image_reads_a_png_or_jpeg_or_says_why_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unset or empty: no logo. A PNG or JPEG: its path. Missing, a folder or not an
    image: a clear error naming the variable."""
    monkeypatch.delenv("SAFERPLACES_LOGO", raising=False)
    assert env_image("SAFERPLACES_LOGO") is None
    monkeypatch.setenv("SAFERPLACES_LOGO", "  ")
    assert env_image("SAFERPLACES_LOGO") is None
    png = tiny_png(tmp_path / "logo.png")
    monkeypatch.setenv("SAFERPLACES_LOGO", str(png))
    assert env_image("SAFERPLACES_LOGO") == png.resolve()
    jpeg = tmp_path / "logo.jpg"
    Image.new("RGB", (8, 8)).save(jpeg, format="JPEG")
    monkeypatch.setenv("SAFERPLACES_LOGO", str(jpeg))
    assert env_image("SAFERPLACES_LOGO") == jpeg.resolve()
    for bad, why in [
        (tmp_path / "missing.png", "cannot read .*missing.png.*No such file"),
        (tmp_path, "cannot read"),
        (tmp_path / "notes.txt", ".*notes.txt. is not a PNG or JPEG image"),
    ]:
        if bad.suffix == ".txt":
            bad.write_text("hello")
        monkeypatch.setenv("SAFERPLACES_LOGO", str(bad))
        with pytest.raises(ImproperlyConfigured, match=f"SAFERPLACES_LOGO: {why}"):
            env_image("SAFERPLACES_LOGO")


def _start(tmp_path: Path, logo: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "saferplaces.settings",
           "SAFERPLACES_DATA_DIR": str(tmp_path / "data"), "SAFERPLACES_LOGO": logo}  # fmt: skip
    code = "import django; django.setup(); from django.conf import settings; " \
           "print(settings.PARTNERSHIP_LOGO)"  # fmt: skip
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


def test_a_missing_logo_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    """Given SAFERPLACES_LOGO naming a file that is not there, When the settings load,
    Then start-up stops and says which variable and why; a real PNG is read."""
    failed = _start(tmp_path, str(tmp_path / "no-such-logo.png"))
    assert failed.returncode != 0
    assert "ImproperlyConfigured: SAFERPLACES_LOGO: cannot read" in failed.stderr
    png = tiny_png(tmp_path / "logo.png")
    ok = _start(tmp_path, str(png))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == str(png.resolve())
