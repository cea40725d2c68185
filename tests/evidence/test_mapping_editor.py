"""The mapping editor (issue 10): a sample of an incident export, its columns picked from
the header, 20 rows previewed through the reader the import uses, the mapping saved under
a name, and then offered on the upload page and used by an upload."""

from __future__ import annotations

import gzip
import html
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from saferplaces.evidence.forms import category_field_name
from saferplaces.evidence.models import BatchStatus, Import, ImportRun, MappingDefinition
from saferplaces.evidence.store import incident_store
from saferplaces.evidence.views import SAMPLE_SESSION_KEY
from saferplaces.partnership.models.people import PersonRole
from tests.personas import World, client_for, make_person

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[Any]]
HEADER = "Incident number,Date of call,Time of call,Incident type,LSOA code,Easting,Northing"
TYPES = ["Deliberate secondary fire", "Deliberate primary fire", "Dwelling fire"]


def export(rows: int = 25, bad_line: int = 6) -> bytes:
    """A fire service's export: West Lancashire LSOAs, one row with a date that is not a
    date (on ``bad_line``)."""
    lines = [HEADER]
    for i in range(rows):
        day = "31/02/2014" if i + 2 == bad_line else f"{1 + i % 28:02d}/11/2014"
        lines.append(f"LFR-{i:04d},{day},{i % 24:02d}:{i % 60:02d},{TYPES[i % 3]},"
                     f"E01025474,34{i % 10}000,408000")  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def analyst(world: World) -> Client:
    return client_for(make_person("ana", world.police, first_name="Ana", role=PersonRole.ANALYST))


def send_sample(client: Client, content: bytes, name: str = "lfrs-fires.csv") -> Any:
    return client.post(
        "/imports/mappings/new/",
        {"action": "sample", "sample": SimpleUploadedFile(name, content)},
    )


FORM = {
    "name": "Lancashire Fire fires",
    "source": "lfrs",
    "dataset": "fires",
    "date_column": "Date of call",
    "date_format": "%d/%m/%Y",
    "time_column": "Time of call",
    "time_format": "%H:%M",
    "category_column": "Incident type",
    "default_category": "other-fire",
    "id_column": "Incident number",
    "lsoa_column": "LSOA code",
    "easting_column": "Easting",
    "northing_column": "Northing",
}


def test_a_sample_previewed_and_saved_becomes_a_mapping_the_upload_page_offers(
    analyst: Client, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    """Given a fire service's export, when the analyst uploads it as a sample, then the
    editor lists its columns to choose from; previewing shows its first 20 rows read (the
    time, the category, the district West Lancashire from the LSOA) and line 6's date
    rejected with the reason, and lists each category value in the sample to map; saved,
    the mapping's TOML loads, the upload page offers it, and an upload with it lands."""
    response = send_sample(analyst, export())
    assert response.status_code == 302
    page = analyst.get("/imports/mappings/new/").content.decode()
    assert '<option value="Date of call">Date of call</option>' in page
    assert "LFR-0000" in page  # the sample's first rows are shown

    response = analyst.post("/imports/mappings/new/", {**FORM, "action": "preview"})
    assert response.status_code == 200
    page = response.content.decode()
    preview = page[page.index('data-testid="preview-rows"') :]
    assert preview.count('<tr class="govuk-table__row">') == 21  # header + 20 rows
    assert "2014-11-01 00:00" in preview and "LFR-0001" in preview
    assert "West Lancashire" in preview and "E01025474" in preview
    line6 = preview[preview.index(">6</td>") :][:400]
    assert "Rejected" in line6 and "does not match the mapping" in line6
    assert "19 of 20 rows read" in page
    for value in TYPES:
        assert f'name="{category_field_name(value)}"' in page

    mapped = {category_field_name(TYPES[0]): "deliberate-secondary-fire",
              category_field_name(TYPES[1]): "deliberate-primary-fire"}  # fmt: skip
    response = analyst.post("/imports/mappings/new/", {**FORM, **mapped, "action": "preview"})
    page = response.content.decode()
    preview = page[page.index('data-testid="preview-rows"') :]
    assert "Deliberate secondary fire</td>" in preview and "Other fire</td>" in preview
    assert '"Deliberate primary fire" = "deliberate-primary-fire"' in html.unescape(page)
    response = analyst.post("/imports/mappings/new/", {**FORM, **mapped, "action": "save"})
    mapping = MappingDefinition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/new/?mapping={mapping.pk}"
    assert (mapping.name, mapping.slug, mapping.source, mapping.dataset) == (
        "Lancashire Fire fires", "lancashire-fire-fires", "lfrs", "fires",
    )  # fmt: skip
    assert '"Deliberate secondary fire" = "deliberate-secondary-fire"' in mapping.toml
    assert 'date_format = "%d/%m/%Y"' in mapping.toml
    assert SAMPLE_SESSION_KEY not in analyst.session

    upload_page = analyst.get(response["Location"]).content.decode()
    assert f'<option value="{mapping.pk}" selected>Lancashire Fire fires (lfrs / fires)' in (
        upload_page
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst.post("/imports/new/", {
            "kind": "incidents", "mapping": mapping.pk, "skip_bad_rows": "on",
            "uploads": [SimpleUploadedFile("fires.csv.gz", gzip.compress(export(60)))],
        })  # fmt: skip
    record = Import.objects.get()
    assert response.status_code == 302
    assert (record.status, record.mapping, record.rows_accepted, record.rows_rejected) == (
        BatchStatus.LANDED, "lancashire-fire-fires", 59, 1,
    )  # fmt: skip
    assert ImportRun.objects.get(batch=record.id).source == "lancashire-fire-fires"
    assert [p.source for p in incident_store().partitions()] == ["lfrs"]
    page = analyst.get(f"/imports/{record.pk}/").content.decode()
    assert "Districts lfrs / fires covers" in page and "West Lancashire" in page


def test_the_editor_says_what_to_fix(analyst: Client) -> None:
    """Given a sample, when the form leaves out the date column, names police.uk's own
    source, gives an easting without a northing and no category at all, then the error
    summary says so for each; a second mapping of the same name is refused."""
    response = analyst.post("/imports/mappings/new/", {"action": "sample"})
    assert response.status_code == 400
    assert "Select a sample of the export" in response.content.decode()
    send_sample(analyst, export())
    wrong = {**FORM, "action": "preview", "date_column": "", "source": "police_uk",
             "northing_column": "", "category_column": "", "default_category": ""}  # fmt: skip
    response = analyst.post("/imports/mappings/new/", wrong)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose the date column" in page
    assert "police_uk is police.uk&#x27;s own source" in page
    assert "Choose both the easting and the northing columns" in page
    assert "Choose the category column, or a category for every row" in page
    MappingDefinition.objects.create(name="Lancashire Fire fires", slug="lancashire-fire-fires",
                                     source="x", dataset="y", toml="")  # fmt: skip
    response = analyst.post("/imports/mappings/new/", {**FORM, "action": "save"})
    assert response.status_code == 400
    assert "A mapping called “Lancashire Fire fires” already exists" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("book.xlsx", b"PK\x03\x04 workbook", "must be a CSV file"),
        ("latin.csv", "Ref,Date\nA,Café\xe9\n".encode("latin-1"), "must be UTF-8 text"),
        ("empty.csv", b"", "The selected file is empty"),
        ("header.csv", b"Ref,Date\n", "at least one row under its header"),
    ],
)
def test_a_sample_that_cannot_be_read_is_refused_with_a_reason(
    analyst: Client, name: str, content: bytes, message: str
) -> None:
    response = send_sample(analyst, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_editor_is_404_for_those_who_may_not_import(world: World) -> None:
    board = client_for(make_person("bea", world.council, first_name="Bea",
                                   role=PersonRole.BOARD_MEMBER))  # fmt: skip
    assert board.get("/imports/mappings/new/").status_code == 404
    assert send_sample(board, export()).status_code == 404


def test_the_admin_edits_a_mapping_only_as_a_mapping_the_import_can_read(
    admin_client: Client,
) -> None:
    """Given the admin's mapping form, when the TOML has no date column, then it is refused
    saying so; when it is a readable mapping, it is saved with its source and dataset."""
    url = "/admin/evidence/mappingdefinition/add/"
    bad = 'source = "lfrs"\ndataset = "fires"\n[columns]\ncategory = "Type"\n'
    response = admin_client.post(url, {"name": "Fires", "slug": "fires", "toml": bad})
    assert response.status_code == 200 and "map the date" in response.content.decode()
    assert not MappingDefinition.objects.exists()
    good = bad + 'date = "Date"\n[categories]\ndefault = "other-fire"\n'
    response = admin_client.post(url, {"name": "Fires", "slug": "fires", "toml": good})
    assert response.status_code == 302
    assert MappingDefinition.objects.values_list("source", "dataset").get() == ("lfrs", "fires")
