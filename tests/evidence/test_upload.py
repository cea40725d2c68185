"""Data in through the browser (issue 10, "The upload"): who may upload, the size limit,
files of the wrong kind, the result page against the ImportRuns, rejected rows, the
confirmation before a month shrinks, and withdrawing an import with a POST."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import Client, RequestFactory

from saferplaces.evidence import views
from saferplaces.evidence.models import BatchStatus, Import, ImportRun
from saferplaces.evidence.services import import_files
from saferplaces.evidence.store import incident_store
from saferplaces.evidence.uploads import FolderUploadHandler, safe_name
from saferplaces.partnership.models.people import PersonRole
from tests.insight.conftest import row, write_csv
from tests.personas import World, client_for, make_person

pytestmark = pytest.mark.django_db
MiB = 1 << 20
DECEMBER = "2014-12"
Capture = Callable[..., AbstractContextManager[Any]]


@pytest.fixture(autouse=True)
def immediate(settings: Any) -> None:
    """The import task runs as soon as the upload is committed (no worker here)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Capture) -> Capture:
    """Runs the callbacks queued for commit (the test's transaction never commits)."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def analyst(world: World) -> Client:
    return client_for(make_person("ana", world.police, first_name="Ana", role=PersonRole.ANALYST))


@pytest.fixture
def board_member(world: World) -> Client:
    return client_for(
        make_person("bea", world.council, first_name="Bea", role=PersonRole.BOARD_MEMBER)
    )


def upload(
    client: Client, capture: Capture, files: list[Any], **fields: Any
) -> tuple[Any, Import | None]:
    """POST the upload form (the task runs once it commits); the response and import."""
    before = set(Import.objects.values_list("id", flat=True))
    data = {"kind": "police-uk", "uploads": files, **fields}
    with capture(execute=True):
        response = client.post("/imports/new/", data)
    created = Import.objects.exclude(id__in=before).first()
    return response, created


def sample_files(samples: Path, *months: str) -> list[Any]:
    return [
        SimpleUploadedFile(p.name, p.read_bytes())
        for m in months
        for p in sorted(samples.glob(f"{m}-*.csv.gz"))
    ]


def uploads_left(settings: Any) -> list[Path]:
    root = Path(settings.DATA_DIR) / "uploads"
    return [p for p in root.iterdir() if p.name != "tmp"] if root.exists() else []


def held(key: str) -> int | None:
    part = incident_store().manifest()["partitions"].get(key)
    return int(part["rows"]) if part else None


def text(response: Any) -> str:
    return str(response.content.decode())


# ---- who may upload -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "staff", "status"),
    [
        (PersonRole.ANALYST, False, 200),
        (PersonRole.COMMUNITY_SAFETY_OFFICER, False, 200),
        (PersonRole.BOARD_MEMBER, True, 200),  # staff may, whatever their role
        (PersonRole.BOARD_MEMBER, False, 404),
        (PersonRole.PANEL_COORDINATOR, False, 404),
        (PersonRole.COUNTY_POLICY_OFFICER, False, 404),
    ],
)
def test_only_analysts_officers_and_staff_may_upload(
    world: World, role: str, staff: bool, status: int
) -> None:
    """Given a person of each role, when they open the upload page and the mapping
    editor, then analysts, community safety officers and staff get them, everyone else
    404 (the page does not reveal itself)."""
    client = client_for(make_person("pat", world.council, first_name="Pat", role=role, staff=staff))
    assert client.get("/imports/new/").status_code == status
    assert client.get("/imports/mappings/new/").status_code == status


def test_everyone_else_gets_404_and_nothing_is_written(
    board_member: Client,
    analyst: Client,
    samples: Path,
    settings: Any,
    capture: Capture,
) -> None:
    """Given an import that landed, when a board member (or a user who is no Person) posts
    an upload, opens the import, its rejected rows, its withdrawal or posts to withdraw,
    replace or cancel, then each is 404 and nothing is uploaded or changed; anonymous
    users are sent to sign in. The history itself is for everyone signed in, without
    the upload button or withdraw links."""
    _, landed = upload(analyst, capture, sample_files(samples, "2014-04"))
    assert landed is not None and landed.status == BatchStatus.LANDED
    nobody = Client()
    nobody.force_login(User.objects.create_user("nobody"))
    for client in (board_member, nobody):
        response, created = upload(client, capture, sample_files(samples, "2014-05"))
        assert response.status_code == 404 and created is None
        for path in ("", "rejected-rows.csv", "withdraw/"):
            assert client.get(f"/imports/{landed.pk}/{path}").status_code == 404
        for path in ("withdraw/", "replace/", "cancel/"):
            assert client.post(f"/imports/{landed.pk}/{path}").status_code == 404
        history = client.get("/imports/")
        assert history.status_code == 200
        assert "Upload incident data" not in text(history)
        assert f"/imports/{landed.pk}/withdraw/" not in text(history)
    assert uploads_left(settings) == []
    landed.refresh_from_db()
    assert landed.status == BatchStatus.LANDED
    assert Client().get("/imports/new/").status_code == 302


# ---- limits -----------------------------------------------------------------------------
def test_a_request_over_the_size_limit_is_refused_before_it_is_read(
    analyst: Client, settings: Any, samples: Path, capture: Capture
) -> None:
    """Given a limit of 1 MB, when a request says it carries 5 MB, then it is refused with
    413 and the error summary says what to do, before any of it is written; a real
    upload over the limit is refused the same way."""
    settings.UPLOAD_MAX_MB = 1
    response = analyst.post("/imports/new/", {"kind": "police-uk"}, CONTENT_LENGTH=str(5 * MiB))
    assert response.status_code == 413
    assert "The files must be smaller than 1 MB in all" in text(response)
    assert 'class="govuk-error-summary"' in text(response)
    big = SimpleUploadedFile("2014-04-lancashire-street.csv", b"x" * (MiB + 1))
    response, created = upload(analyst, capture, [big])
    assert response.status_code == 413 and created is None
    assert uploads_left(settings) == []


def test_an_upload_that_grows_past_the_limit_is_stopped(
    analyst: Client, settings: Any, monkeypatch: pytest.MonkeyPatch, capture: Capture
) -> None:
    """Given a limit of 1 MB and a request whose Content-Length does not give it away,
    when its files pass 1 MB, then the upload handler stops it: 413, nothing kept."""
    settings.UPLOAD_MAX_MB = 1
    monkeypatch.setattr(views, "content_length", lambda request: 0)
    half = b"x" * (MiB // 2 + 1)
    files = [SimpleUploadedFile(f"2014-0{i}-lancashire-street.csv", half) for i in (4, 5)]
    response, created = upload(analyst, capture, files)
    assert response.status_code == 413 and created is None
    assert "The files must be smaller than 1 MB in all" in text(response)
    assert uploads_left(settings) == []


def test_an_upload_without_its_csrf_token_is_refused_and_deleted(
    world: World, samples: Path, settings: Any
) -> None:
    """Given an analyst's session, when an upload comes without the form's CSRF token
    (another site's form), then it is refused with 403 and its files are deleted."""
    client = Client(enforce_csrf_checks=True)
    person = make_person("ana", world.police, first_name="Ana", role=PersonRole.ANALYST)
    client.force_login(person.user)
    data = {"kind": "police-uk", "uploads": sample_files(samples, "2014-04")}
    response = client.post("/imports/new/", data)
    assert response.status_code == 403
    assert uploads_left(settings) == [] and not Import.objects.exists()


def test_the_upload_handler_stops_a_file_that_grows_past_the_limit(tmp_path: Path) -> None:
    """Given a handler with a 1,000-byte limit, when a file's chunks pass it, then the
    upload stops, the handler says it was too large and what it wrote is deleted."""
    request = RequestFactory().post("/imports/new/")
    handler = FolderUploadHandler(request, tmp_path / "up", 1000, "uploads")
    handler.new_file("uploads", "../../etc/2014-04 street.csv", "text/csv", None)
    handler.receive_data_chunk(b"a" * 600, 0)
    written = tmp_path / "up" / "2014-04-street.csv"
    assert written.exists()
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"a" * 600, 600)
    assert handler.too_large
    assert not written.exists()


def test_safe_names_are_of_our_making() -> None:
    taken: set[str] = set()
    assert safe_name("C:\\Users\\me\\2014-04-lancashire-street.csv", taken) == (
        "2014-04-lancashire-street.csv"
    )
    assert safe_name("../../2014-04-lancashire-street.csv", taken) == (
        "2014-04-lancashire-street-2.csv"
    )
    assert safe_name(".hidden £ file.CSV.GZ", taken) == "hidden-file.csv.gz"
    assert safe_name("_mapping", taken) == "mapping"
    assert safe_name("", taken) == "upload"


# ---- files of the wrong kind ------------------------------------------------------------
def test_files_of_the_wrong_kind_are_named_in_the_error_summary(
    analyst: Client,
    settings: Any,
    tmp_path: Path,
    capture: Capture,
) -> None:
    """Given a workbook, a workbook renamed .csv, a .csv.gz that is not gzipped, an empty
    file and a zip of outcomes only, when they are uploaded, then the page answers 400
    with one line per file saying what is wrong, and nothing is kept or imported."""
    outcomes = io.BytesIO()
    with zipfile.ZipFile(outcomes, "w") as zf:
        zf.writestr("2014-04/2014-04-lancashire-outcomes.csv", "Crime ID\n")
    files = [
        SimpleUploadedFile("report.xlsx", b"PK\x03\x04 workbook"),
        SimpleUploadedFile("2014-04-lancashire-street.csv", b"PK\x03\x04 workbook"),
        SimpleUploadedFile("2014-05-lancashire-street.csv.gz", b"Crime ID,Month\n"),
        SimpleUploadedFile("2014-06-lancashire-street.csv", b""),
        SimpleUploadedFile("2014-04.zip", outcomes.getvalue()),
    ]
    response, created = upload(analyst, capture, files)
    assert response.status_code == 400 and created is None
    page = text(response).replace("&#x27;", "'")
    assert "There is a problem" in page
    assert "“report.xlsx” must be a CSV file (.csv), a gzipped CSV (.csv.gz) or a zip" in page
    assert "“2014-04-lancashire-street.csv” is not CSV text" in page
    assert "“2014-05-lancashire-street.csv.gz” is named .csv.gz but is not gzipped" in page
    assert "“2014-06-lancashire-street.csv” is empty" in page
    assert "“2014-04.zip” holds no police.uk street files" in page
    assert 'href="#id_uploads"' in page
    response, created = upload(analyst, capture, [])
    assert response.status_code == 400 and "Select the files to upload" in text(response)
    response, created = upload(
        analyst, capture, [SimpleUploadedFile("x.csv", b"a,b\n")], kind="incidents"
    )
    assert "No mapping is saved yet" in text(response)
    assert uploads_left(settings) == [] and not Import.objects.exists()


# ---- the result -------------------------------------------------------------------------
def test_the_result_page_shows_what_each_file_did(
    analyst: Client, samples: Path, settings: Any, capture: Capture
) -> None:
    """Given two months of West Lancashire's sample uploaded, when the import has run,
    then the page says Imported and lists each file with its ImportRun's months, rows and
    checksum, the rows per month and force from the store, and the months still missing
    for the other districts of Lancashire's police force area (none for West Lancashire);
    the uploaded files are deleted once the import has finished."""
    response, record = upload(analyst, capture, sample_files(samples, "2014-04", "2014-05"))
    assert record is not None
    assert response.status_code == 302 and response["Location"] == f"/imports/{record.pk}/"
    record.refresh_from_db()
    assert (record.status, record.progress, record.stage) == (BatchStatus.LANDED, 100, "Imported")
    assert record.imported_by is not None and record.imported_by.username == "ana"
    page = text(analyst.get(response["Location"]))
    assert 'data-status="landed"' in page and "hx-trigger" not in page
    runs = list(ImportRun.objects.filter(batch=record.id))
    assert len(runs) == 2
    for run in runs:
        assert run.file_name in page and run.checksum in page
        assert f"{run.rows_accepted:,}" in page and run.month_range in page
    assert record.partitions == {
        "police_uk/lancashire/2014-04": 758,
        "police_uk/lancashire/2014-05": 743,
    }
    assert "Lancashire police force area, 2014-04 to 2014-05" in page
    gaps = page[page.index('data-testid="import-gaps"') :]
    assert "Lancaster</td>" in gaps and "2014-04 to 2014-05" in gaps
    west = gaps[gaps.index("West Lancashire") :]
    assert ">0</td>" in west[:120] and ">None</td>" in west[:200]
    assert uploads_left(settings) == [] and record.upload == ""
    history = text(analyst.get("/imports/"))
    assert f"/imports/{record.pk}/withdraw/" in history
    assert all(run.checksum in history for run in runs)


def test_the_page_polls_a_progress_fragment_until_the_import_has_finished(
    analyst: Client, world: World
) -> None:
    """Given an import waiting for the worker, when its page is opened, then it shows a
    progress bar and polls itself with htmx; the fragment it polls is small, and once the
    import has finished the fragment is the result, which polls no more."""
    record = Import.objects.create(
        id="5b0e5c8e-2b59-4fc4-9ad0-0c9a7d2a4c11",
        kind="police-uk",
        status=BatchStatus.RUNNING,
        files=["a.csv"],
        progress=40,
        stage="Reading and checking the files",
    )
    page = text(analyst.get(f"/imports/{record.pk}/"))
    assert 'hx-get="/imports/5b0e5c8e-2b59-4fc4-9ad0-0c9a7d2a4c11/"' in page
    assert 'hx-trigger="every 1s"' in page
    assert '<progress id="import-progress-bar" class="sp-progress" max="100" value="40">' in page
    assert "vendor/htmx/htmx.min.js" in page and "includeIndicatorStyles" in page
    fragment = analyst.get(f"/imports/{record.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" not in text(fragment) and "Reading and checking the files" in text(fragment)
    Import.objects.filter(pk=record.pk).update(status=BatchStatus.FAILED, message="disk on fire")
    fragment = analyst.get(f"/imports/{record.pk}/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in text(fragment) and "disk on fire" in text(fragment)


def bad_april(samples: Path, folder: Path) -> Path:
    """April's sample with line 4's month made 2014-13."""
    with gzip.open(next(samples.glob("2014-04-*.csv.gz")), "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    lines[3] = lines[3].replace("2014-04", "2014-13")
    path = folder / "2014-04-lancashire-street.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rejected_rows_are_listed_by_file_line_and_reason_and_can_be_downloaded(
    analyst: Client,
    samples: Path,
    tmp_path: Path,
    settings: Any,
    capture: Capture,
) -> None:
    """Given April's file with a bad month on line 4, when it is uploaded, then nothing is
    imported and the page lists the file, the line and the reason, and offers the rejected
    rows as CSV (without the server's folder); uploaded again with "import the good rows",
    the rest land and the one row is listed and downloadable."""
    bad = bad_april(samples, tmp_path)
    _, record = upload(analyst, capture, [SimpleUploadedFile(bad.name, bad.read_bytes())])
    assert record is not None
    record.refresh_from_db()
    assert record.status == BatchStatus.REJECTED and incident_store().partitions() == []
    page = text(analyst.get(f"/imports/{record.pk}/"))
    problems = page[page.index('data-testid="import-problems"') :]
    assert '<td class="govuk-table__cell">2014-04-lancashire-street.csv</td>' in problems
    assert ">4</td>" in problems and "2014-13" in problems
    assert str(settings.DATA_DIR) not in page
    download = analyst.get(f"/imports/{record.pk}/rejected-rows.csv")
    body = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.splitlines()[0] == "file,line,reason,raw"
    assert body.splitlines()[1].startswith("2014-04-lancashire-street.csv,4,")
    assert str(settings.DATA_DIR) not in body

    _, partial = upload(
        analyst, capture, [SimpleUploadedFile(bad.name, bad.read_bytes())], skip_bad_rows="on"
    )
    assert partial is not None
    partial.refresh_from_db()
    assert partial.status == BatchStatus.LANDED and partial.rows_rejected == 1
    page = text(analyst.get(f"/imports/{partial.pk}/"))
    assert "Imported, bad rows skipped" in page and "Download the rejected rows" in page
    assert analyst.get(f"/imports/{partial.pk}/rejected-rows.csv").status_code == 200


# ---- confirmation and withdrawal ----------------------------------------------------------
def fifty_rows(folder: Path) -> Path:
    return write_csv(
        folder / f"{DECEMBER}-lancashire-street.csv",
        [row(f"{i:064x}", DECEMBER) for i in range(50)],
    )


def test_a_month_that_would_shrink_waits_for_confirmation(
    analyst: Client,
    samples: Path,
    tmp_path: Path,
    settings: Any,
    capture: Capture,
) -> None:
    """Given December's full file (656 Lancashire rows) imported from the command line,
    when a 50-row December file is uploaded, then nothing changes and the page says which
    month would shrink, rows before and after, offering "Replace these months" and
    "Cancel"; replace runs the same upload again and the month holds 50 rows, saying what
    it replaced; a second such upload cancelled leaves the store as it was and deletes
    its files."""
    import_files("police-uk", sorted(samples.glob(f"{DECEMBER}-*.csv.gz")))
    key = f"police_uk/lancashire/{DECEMBER}"
    assert held(key) == 656
    small = fifty_rows(tmp_path)
    _, record = upload(analyst, capture, [SimpleUploadedFile(small.name, small.read_bytes())])
    assert record is not None
    record.refresh_from_db()
    assert record.status == BatchStatus.CONFIRM and held(key) == 656
    assert Path(record.upload).is_dir()
    page = text(analyst.get(f"/imports/{record.pk}/"))
    confirm = page[page.index('data-testid="import-replaced"') :]
    assert "2014-12" in confirm and ">656</td>" in confirm and ">50</td>" in confirm
    assert "Replace these months" in page and ">Cancel</button>" in page

    with capture(execute=True):
        response = analyst.post(f"/imports/{record.pk}/replace/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == BatchStatus.LANDED and held(key) == 50
    assert record.replaced[0]["rows_before"] == 656 and record.upload == ""
    page = text(analyst.get(f"/imports/{record.pk}/"))
    assert "What it replaced" in page and ">656</td>" in page

    with capture(execute=True):
        analyst.post(f"/imports/{record.pk}/withdraw/")
    assert held(key) == 656
    _, again = upload(analyst, capture, [SimpleUploadedFile(small.name, small.read_bytes())])
    assert again is not None
    again.refresh_from_db()
    assert again.status == BatchStatus.CONFIRM
    with capture(execute=True):
        response = analyst.post(f"/imports/{again.pk}/cancel/")
    again.refresh_from_db()
    assert again.status == BatchStatus.CANCELLED and held(key) == 656
    assert uploads_left(settings) == []
    assert "Cancelled" in text(analyst.get(f"/imports/{again.pk}/"))
    assert analyst.post(f"/imports/{again.pk}/replace/").status_code == 302  # too late: no-op
    again.refresh_from_db()
    assert again.status == BatchStatus.CANCELLED


def test_withdrawing_an_import_with_a_post_brings_back_what_the_store_held(
    analyst: Client, samples: Path, capture: Capture
) -> None:
    """Given 2014-04 imported from the command line and an upload of 2014-04 (changed)
    and 2014-05, when the analyst opens "Withdraw", then the page says April comes back
    with its rows and May will no longer be held; after the POST the store holds exactly
    what it held before, and the import is marked withdrawn in the history."""
    import_files("police-uk", sorted(samples.glob("2014-04-*.csv.gz")))
    before = incident_store().manifest()["partitions"]
    april = next(samples.glob("2014-04-*.csv.gz"))
    with gzip.open(april, "rt", encoding="utf-8") as fh:
        changed = fh.read() + row("f" * 64, "2014-04") + "\n"
    files = [
        SimpleUploadedFile("2014-04-changed-street.csv", changed.encode()),
        *sample_files(samples, "2014-05"),
    ]
    _, record = upload(analyst, capture, files)
    assert record is not None
    record.refresh_from_db()
    assert record.status == BatchStatus.LANDED
    assert held("police_uk/lancashire/2014-04") == 759
    page = analyst.get(f"/imports/{record.pk}/withdraw/")
    assert page.status_code == 200
    restored = text(page)[text(page).index('data-testid="withdraw-restored"') :]
    assert "2014-04" in restored and ">759</td>" in restored and ">758</td>" in restored
    assert "lancashire 2014-05" in text(page)
    response = analyst.post(f"/imports/{record.pk}/withdraw/")
    assert response.status_code == 302 and response["Location"] == "/imports/"
    assert incident_store().manifest()["partitions"] == before
    record.refresh_from_db()
    assert record.status == BatchStatus.WITHDRAWN
    history = text(analyst.get("/imports/"))
    assert "Import withdrawn: the incident store holds what it held before it." in history
    again = analyst.post(f"/imports/{record.pk}/withdraw/")
    assert again.status_code == 400 and "Only an import that landed" in text(again)
