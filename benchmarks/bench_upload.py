"""The same police.uk files into the incident store by the command line's path and by the
browser's: how much the upload costs on top of the import.

Run::

    .venv/bin/python benchmarks/bench_upload.py [--runs 3] [--rows 1000000]

For each set of files (West Lancashire's twelve sample months of 2014/15; Lancashire's
twelve real months of 2021/22 from /work/shared/data/police_uk_street/lancashire when
present; and, with ``--rows``, one synthetic police.uk CSV of that many rows built from
them, see synthetic.py):

- CLI: ``evidence.services.import_files`` (what ``saferplaces import police-uk`` runs)
  into an empty store;
- browser: a POST of the same files to ``/imports/new/`` with Django's test Client,
  signed in as an analyst, the import task run inline (django-tasks' immediate backend):
  the request is parsed, the files are streamed to the upload folder, checked, imported,
  recorded and deleted before it answers. "POST s" is the whole call, the test Client
  building the multipart body in memory and copying it included (a browser does that
  on its own machine); "server s" is the request's handling alone (parse, stream to
  disk, check, import, record, clean up).

Each run starts from an empty store in a fresh data directory; the two paths alternate
and the median of ``--runs`` is reported.

Then, end to end as people use them (``--no-http`` skips it): the command
``saferplaces import police-uk FILES`` run as a new process, against an upload to the
real server (``saferplaces serve``: gunicorn and the task worker, started afresh for each
run on an empty data directory) with curl as the browser: from the POST of the files
until the import's record says it has finished, the wait for the worker included.

Goal (issue 10): browser ≤ 1.5 × CLI. Prints tables and, last, one JSON line with every
figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from synthetic import REAL, police_uk_csv

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SAMPLES = HERE.parent / "src" / "saferplaces" / "insight" / "samples" / "police_uk"
YEAR_2014 = [f"2014-{m:02d}" for m in range(4, 13)] + [f"2015-{m:02d}" for m in range(1, 4)]
YEAR_2021 = [f"2021-{m:02d}" for m in range(4, 13)] + [f"2022-{m:02d}" for m in range(1, 4)]


def file_sets(rows: int) -> dict[str, list[Path]]:
    sets = {
        "West Lancashire sample, 12 months": [
            SAMPLES / "west_lancashire" / f"{m}-west-lancashire-street.csv.gz" for m in YEAR_2014
        ]
    }
    real = [REAL / f"{m}-lancashire-street.csv.gz" for m in YEAR_2021]
    if all(p.exists() for p in real):
        sets["Lancashire, 12 real months (.csv.gz)"] = real
    if rows and REAL.exists():
        path = OUT / f"upload_{rows}.csv"
        if not path.exists():
            OUT.mkdir(exist_ok=True)
            police_uk_csv(rows, path, month_sql="m - INTERVAL (12 * (r % 7)) MONTH")
        sets[f"synthetic, {rows:,} rows in one CSV"] = [path]
    return sets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1_000_000, help="0: no synthetic file")
    ap.add_argument("--no-http", action="store_true", help="skip the real server's runs")
    args = ap.parse_args()
    http = [] if args.no_http else end_to_end(file_sets(args.rows), args.runs)

    root = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    os.environ["SAFERPLACES_DATA_DIR"] = str(root / "base")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.settings")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    sys.path.insert(0, str(HERE.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from saferplaces.evidence.models import BatchStatus, Import
    from saferplaces.evidence.services import import_files

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", interactive=False, verbosity=0)
    user = get_user_model().objects.create_user("bench-analyst", is_staff=True)
    client = Client()
    client.force_login(user)
    run_no = 0

    def fresh_store() -> None:
        nonlocal run_no
        run_no += 1
        data = root / f"run-{run_no}"
        settings.DATA_DIR = data
        settings.INCIDENT_STORE_DIR = data / "incidents"
        settings.DOCUMENTS_DIR = data / "documents"

    def cli(paths: list[Path]) -> tuple[float, int]:
        fresh_store()
        t0 = time.perf_counter()
        outcome = import_files("police-uk", paths, user=user)
        elapsed = time.perf_counter() - t0
        assert outcome.batch.status == BatchStatus.LANDED, outcome.batch.message
        return elapsed, outcome.batch.rows_accepted

    class TimedHandler:
        """The test Client's WSGI handler, timed: the server's own share of a POST."""

        def __init__(self, handler: Any) -> None:
            self.handler = handler
            self.seconds = 0.0

        def __call__(self, environ: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return self.handler(environ)
            finally:
                self.seconds = time.perf_counter() - t0

    timed = TimedHandler(client.handler)
    client.handler = timed  # type: ignore[assignment]

    def browser(paths: list[Path]) -> tuple[float, int, float]:
        fresh_store()
        handles = [p.open("rb") for p in paths]
        try:
            t0 = time.perf_counter()
            response = client.post("/imports/new/", {"kind": "police-uk", "uploads": handles})
            elapsed = time.perf_counter() - t0
        finally:
            for h in handles:
                h.close()
        assert response.status_code == 302, (response.status_code, response.content[:2000])
        record = Import.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
        assert record.status == BatchStatus.LANDED, record.message
        assert not (settings.DATA_DIR / "uploads" / str(record.pk)).exists()
        return elapsed, record.rows_accepted, timed.seconds

    results: list[dict[str, Any]] = []
    try:
        sets = file_sets(args.rows)
        cli(next(iter(sets.values())))  # warm the process: DuckDB, lookups, templates
        browser(next(iter(sets.values())))
        for name, paths in sets.items():
            cli_s: list[float] = []
            web_s: list[float] = []
            server_s: list[float] = []
            rows = 0
            for _ in range(args.runs):
                seconds, rows = cli(paths)
                cli_s.append(seconds)
                seconds, web_rows, server = browser(paths)
                assert web_rows == rows, (web_rows, rows)
                web_s.append(seconds)
                server_s.append(server)
            size = sum(p.stat().st_size for p in paths)
            cli_m, web_m, srv_m = (statistics.median(x) for x in (cli_s, web_s, server_s))
            results.append({
                "files": name, "n_files": len(paths), "mb": round(size / 1e6, 1),
                "rows": rows, "cli_s": round(cli_m, 3), "browser_s": round(web_m, 3),
                "server_s": round(srv_m, 3), "ratio": round(web_m / cli_m, 2),
                "ratio_server": round(srv_m / cli_m, 2),
            })  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"{'files':<38} {'MB':>6} {'rows':>10} {'CLI s':>6} {'POST s':>7} {'ratio':>6} "
          f"{'server s':>9} {'ratio':>6}")  # fmt: skip
    for r in results:
        print(f"{r['files']:<38} {r['mb']:>6} {r['rows']:>10,} {r['cli_s']:>6} "
              f"{r['browser_s']:>7} {r['ratio']:>6} {r['server_s']:>9} "
              f"{r['ratio_server']:>6}")  # fmt: skip
    print(f"goal: browser ≤ 1.5 × CLI; median of {args.runs} runs, each into an empty store")
    if http:
        print(f"\n{'end to end: files':<38} {'MB':>6} {'rows':>10} {'command s':>10} "
              f"{'upload s':>9} {'ratio':>6}")  # fmt: skip
        for r in http:
            print(f"{r['files']:<38} {r['mb']:>6} {r['rows']:>10,} {r['command_s']:>10} "
                  f"{r['upload_s']:>9} {r['ratio']:>6}")  # fmt: skip
        print(
            "command: `saferplaces import police-uk FILES` as a new process; upload: curl to "
            "`saferplaces serve` until the import has finished"
        )
    print(json.dumps({"runs": args.runs, "results": results, "end_to_end": http}))


# ------------------------------------------------------------------ end to end

BIN = Path(sys.executable).parent
USER, PASSWORD = "bench-analyst", "bench-analyst-password-1"


def end_to_end(sets: dict[str, list[Path]], runs: int) -> list[dict[str, Any]]:
    """Each set of files by the command and by an upload to the real server."""
    root = Path(tempfile.mkdtemp(prefix="bench-upload-http-"))
    results: list[dict[str, Any]] = []
    try:
        n = 0
        for name, paths in sets.items():
            command_s: list[float] = []
            upload_s: list[float] = []
            rows = 0
            for _ in range(runs):
                n += 1
                seconds, rows = command(root / f"cli-{n}", paths)
                command_s.append(seconds)
                seconds, web_rows = upload(root / f"web-{n}", paths)
                assert web_rows == rows, (web_rows, rows)
                upload_s.append(seconds)
            cmd_m, web_m = statistics.median(command_s), statistics.median(upload_s)
            results.append({
                "files": name, "n_files": len(paths),
                "mb": round(sum(p.stat().st_size for p in paths) / 1e6, 1), "rows": rows,
                "command_s": round(cmd_m, 3), "upload_s": round(web_m, 3),
                "ratio": round(web_m / cmd_m, 2),
            })  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return results


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TASKS_BACKEND")}
    return env | {
        "SAFERPLACES_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "saferplaces.settings",
    }


def _saferplaces(data: Path, *args: str) -> None:
    subprocess.run([str(BIN / "saferplaces"), *args], env=_env(data), check=True,
                   capture_output=True)  # fmt: skip


def _landed_rows(data: Path) -> tuple[str, int] | None:
    """The one import's status and rows once it has finished (None while it has not)."""
    with sqlite3.connect(data / "saferplaces.sqlite3", timeout=5) as con:
        row = con.execute("SELECT status, rows_accepted FROM evidence_import").fetchone()
    if row is None or row[0] in ("queued", "running"):
        return None
    return str(row[0]), int(row[1])


def command(data: Path, paths: list[Path]) -> tuple[float, int]:
    _saferplaces(data, "migrate", "--verbosity", "0")
    t0 = time.perf_counter()
    _saferplaces(data, "import", "police-uk", *map(str, paths), "--no-progress")
    seconds = time.perf_counter() - t0
    done = _landed_rows(data)
    assert done is not None and done[0] == "landed", done
    return seconds, done[1]


def upload(data: Path, paths: list[Path]) -> tuple[float, int]:
    _saferplaces(data, "migrate", "--verbosity", "0")
    env = _env(data) | {"DJANGO_SUPERUSER_PASSWORD": PASSWORD}
    create = ["createsuperuser", "--noinput", "--username", USER, "--email", "b@example.org"]
    subprocess.run([str(BIN / "saferplaces"), *create], env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(BIN / "saferplaces"), "serve", "--port", str(port)],
                              env=_env(data), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        _wait_for(f"{base}/healthz")
        time.sleep(1.5)  # the task worker's random start-up delay (at most 1 s)
        jar = data / "cookies.txt"
        curl = ["curl", "-s", "-o", "/dev/null", "-b", str(jar), "-c", str(jar)]
        subprocess.run([*curl, f"{base}/sign-in/"], check=True)
        sign_in = ["-d", f"username={USER}", "-d", f"password={PASSWORD}",
                   "-d", f"csrfmiddlewaretoken={_csrf(jar)}"]  # fmt: skip
        subprocess.run([*curl, *sign_in, f"{base}/sign-in/"], check=True)
        subprocess.run([*curl, f"{base}/imports/new/"], check=True)
        form = ["-F", "kind=police-uk", "-F", f"csrfmiddlewaretoken={_csrf(jar)}"]
        for p in paths:
            form += ["-F", f"uploads=@{p}"]
        t0 = time.perf_counter()
        posted = subprocess.run([*curl, "-w", "%{http_code}", *form, f"{base}/imports/new/"],
                                check=True, capture_output=True, text=True)  # fmt: skip
        assert posted.stdout == "302", posted.stdout
        while (done := _landed_rows(data)) is None:
            time.sleep(0.02)
        seconds = time.perf_counter() - t0
    finally:
        os.killpg(server.pid, 15)
        server.wait()
    assert done[0] == "landed", done
    return seconds, done[1]


def _csrf(jar: Path) -> str:
    for line in jar.read_text().splitlines():
        fields = line.split("\t")
        if len(fields) == 7 and fields[5] == "csrftoken":
            return fields[6]
    raise RuntimeError("no csrftoken cookie")


def _wait_for(url: str) -> None:
    for _ in range(300):
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (our own http URL)
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


if __name__ == "__main__":
    main()
