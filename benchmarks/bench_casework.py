"""How fast casework answers with 100,000 cases and 1,000,000 audit events stored.

Run::

    .venv/bin/python benchmarks/bench_casework.py [--cases 100000] [--events 1000000]
        [--panels 20] [--runs 20] [--seed 2024] [--database-url [URL]] [--keep]

Quick run (under a minute): ``--cases 2000 --events 20000 --runs 3``.

1. A fresh database: SQLite in a throwaway data directory by default; with
   ``--database-url`` PostgreSQL (alone: postgresql://postgres@127.0.0.1:5432/bench_casework).
   The PostgreSQL database is created by the benchmark and dropped at the end (one named
   ``test`` or ``postgres`` is refused; a leftover ``bench_*`` one is dropped first).
2. A minimal world, through the services as tests/casework/world.py does: a district,
   four organisations, ``--panels`` panels (the measured one an IOM panel), a panel
   coordinator on the measured panel with its members, one sharing agreement in force
   covering the panels, signed by every organisation.
3. Bulk inserts (``bulk_create`` in batches, random with a fixed seed): ``--cases``
   subjects with fictional names and dates of birth, one case each, spread round-robin
   over the panels (the measured panel gets cases/panels), each with its referral; then
   ``--events`` audit events continuing the hash chain exactly as ``audit.record`` builds
   it (``audit._content`` and ``audit._digest``), and the chain head set to the last.
4. Measures, signed in as the coordinator (two-factor verified as tests/otp.py does) with
   Django's test Client in this process, median and max of ``--runs`` after one warm-up:
   the panel's case list (page 1 of open cases) and a reference search; a case page (its
   audit event written each time); the duplicate-subject check
   (``subjects.likely_duplicates`` over the subjects the new-case view searches) for a
   person already keyed and a new one; ``audit.verify()`` once over every event; the
   process's peak memory. For each measure one more run counts its queries; for one over
   its goal the slowest queries are shown with their plans.

Goals (issue): case list ≤ 200 ms, case page ≤ 150 ms, duplicate check ≤ 100 ms,
``audit verify`` ≤ 10 s. Timings are reported, never asserted. Prints a table and, last,
one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/bench_casework"
REFUSED_DATABASES = {"test", "postgres", "template0", "template1"}
MEASURED = "bench-iom"
BATCH = 5_000
COLUMNS = (
    "seq", "at", "user", "username", "organisation", "action", "object_type", "object_id",
    "summary", "address", "before", "after", "prev_hash", "hash",
)  # fmt: skip

GIVEN = [
    "Aaron", "Abigail", "Adam", "Aisha", "Alfie", "Amelia", "Amir", "Anya", "Arthur", "Ava",
    "Bartosz", "Beatrix", "Callum", "Chloe", "Connor", "Daisy", "Darius", "Eilidh",
    "Elijah", "Ellie", "Emeka", "Erin", "Ethan", "Evie", "Farah", "Finley", "Freya",
    "Gareth", "Grace", "Hamza", "Harriet", "Harvey", "Imogen", "Isaac", "Isla", "Jacob",
    "Jade", "Jayden", "Jessica", "Jon", "John", "Kacper", "Kayleigh", "Kieran", "Lacey",
    "Leon", "Lily", "Logan", "Maisie", "Marcus", "Megan", "Mohammed", "Nadia", "Nathan",
    "Niamh", "Oliver", "Oluwaseun", "Owen", "Paige", "Priya", "Reece", "Rhys", "Rosie",
    "Ryan", "Saoirse", "Shannon", "Siobhan", "Sophie", "Stacey", "Tariq", "Tegan", "Theo",
    "Tyler", "Wiktoria", "Yusuf", "Zainab", "Zak", "Zoe",
]  # fmt: skip
FAMILY = [
    "Abbott", "Adeyemi", "Ahmed", "Ashworth", "Bailey", "Banks", "Barker", "Begum",
    "Bennett", "Blackburn", "Bradshaw", "Brennan", "Brooks", "Butterworth", "Campbell",
    "Chowdhury", "Clarke", "Connolly", "Crossley", "Davies", "Dawson", "Dobson", "Doherty",
    "Duffy", "Edwards", "Evans", "Farrell", "Fletcher", "Foster", "Gallagher", "Greenwood",
    "Hall", "Hargreaves", "Harrison", "Hewitt", "Holden", "Hussain", "Iqbal", "Jackson",
    "Jones", "Kaur", "Kelly", "Kowalski", "Lawrence", "Lees", "McCarthy", "McDonald",
    "Mc-Tavish", "Mellor", "Molloy", "Murphy", "Nowak", "Nwosu", "O'Brien", "O'Connor",
    "Okafor", "Parkinson", "Patel", "Pearson", "Quinn", "Rahman", "Riley", "Robinson",
    "Rossi", "Schofield", "Shaw", "Singh", "Smith", "Smith-Jones", "Stott", "Sutcliffe",
    "Taylor", "Thornber", "Tomlinson", "Walsh", "Warburton", "Whittaker", "Wilkinson",
    "Wood", "Wright", "Yates",
]  # fmt: skip
REASONS = (
    "Prolific acquisitive offending", "Repeat shoplifting and drug use",
    "Burglary on release from custody", "Violence and criminal damage",
    "Exploitation concerns raised by the school", "Domestic abuse, high risk DASH",
    "Anti-social behaviour over six months", "Missing episodes and county lines concern",
)  # fmt: skip
STATUSES = (("referred", 10), ("accepted", 10), ("active", 40), ("declined", 10), ("closed", 30))
OPEN = {"referred", "accepted", "active"}
KINDS = ("iom", "diversion", "exploitation", "asb_risk", "marac", "ocg")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# PostgreSQL: a database of the benchmark's own -------------------------------------------


def pg_database(url: str) -> tuple[str, str]:
    """(the database's name, a URL to the same server's maintenance database)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "bench_casework"
    if name in REFUSED_DATABASES:
        raise SystemExit(f"refusing to use the database {name!r}: name another (bench_casework)")
    return name, urlunsplit(parts._replace(path="/postgres"))


def pg_create(url: str) -> str:
    """Create the benchmark's database (dropping a leftover bench_* one); its URL."""
    import psycopg

    name, admin = pg_database(url)
    with psycopg.connect(admin, autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not name.startswith("bench"):
            raise SystemExit(f"the database {name!r} exists: the benchmark only makes its own")
        if exists:
            con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def pg_drop(url: str) -> None:
    import psycopg

    name, admin = pg_database(url)
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# The world, through the services ----------------------------------------------------------


def make_world(n_panels: int) -> dict[str, Any]:
    from django.utils import timezone

    from saferplaces.casework.models import Panel
    from saferplaces.governance import audit
    from saferplaces.governance import services as governance
    from saferplaces.governance.catalogue import Purpose
    from saferplaces.governance.models import AgreementStatus
    from saferplaces.partnership import services
    from saferplaces.partnership.models.groups import GroupKind, MembershipRole
    from saferplaces.partnership.models.people import OrganisationKind, PersonRole
    from saferplaces.partnership.models.places import PlaceKind

    district = services.upsert_place(
        None, slug="benchford", name="Benchford", kind=PlaceKind.DISTRICT, lad_code="E07999990"
    )
    orgs = [
        services.upsert_organisation(None, slug=slug, name=name, kind=kind, places=[district])
        for slug, name, kind in (
            ("benchshire-police", "Benchshire Police", OrganisationKind.POLICE),
            ("benchshire-probation", "Benchshire Probation", OrganisationKind.PROBATION),
            ("benchford-council", "Benchford Council", OrganisationKind.COUNCIL),
            ("benchford-health", "Benchford Health", OrganisationKind.HEALTH),
        )
    ]
    panels = []
    for i in range(n_panels):
        slug = MEASURED if i == 0 else f"bench-panel-{i + 1:02d}"
        name = "Benchford IOM" if i == 0 else f"Benchford panel {i + 1}"
        group = services.upsert_group(
            None, slug=slug, name=name, kind=GroupKind.PANEL, place=district, parent=None
        )
        panels.append(
            Panel.objects.get_or_create(
                group=group,
                defaults={"kind": KINDS[i % len(KINDS)], "reference_prefix": f"B{i:03d}"},
            )[0]
        )
    measured = panels[0]
    people = []
    for j in range(8):  # the coordinator and the panel's other members (the action form)
        org = orgs[j % len(orgs)]
        person = services.upsert_person(
            None, username="bench-coordinator" if j == 0 else f"bench-member-{j}",
            first_name=GIVEN[j], last_name="Bench", organisation=org,
            role=PersonRole.PANEL_COORDINATOR if j == 0 else PersonRole.BOARD_MEMBER,
        )  # fmt: skip
        services.upsert_membership(
            None, group=measured.group, person=person, role=MembershipRole.MEMBER, organisation=org
        )
        people.append(person)
    today = timezone.localdate()
    year = datetime.timedelta(days=365)
    agreement = governance.agreement_from_template(
        audit.SYSTEM, district, Purpose.IOM, panels=[p.group for p in panels],
        starts_on=today - year, expires_on=today + year,
    )  # fmt: skip
    for org in orgs:
        governance.sign_agreement(audit.SYSTEM, agreement, org, None, today - year)
    governance.set_agreement_status(audit.SYSTEM, agreement, AgreementStatus.ACTIVE)
    return {"district": district, "orgs": orgs, "panels": panels, "coordinator": people[0]}


def insert_cases(world: dict[str, Any], n_cases: int, rng: random.Random) -> None:
    """``n_cases`` subjects, one case and one referral each, round-robin over the panels."""
    from django.db import transaction

    from saferplaces.casework.models import Case, Referral, Subject
    from saferplaces.casework.subjects import name_key, sound_key

    panels, orgs = world["panels"], world["orgs"]
    today = datetime.date.today()
    width = max(5, len(str(-(-n_cases // len(panels)))))
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    for start in range(0, n_cases, BATCH):
        stop = min(n_cases, start + BATCH)
        subjects = []
        for _ in range(start, stop):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            dob = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(21_000))
            subject = Subject(
                place=world["district"], given_name=given, family_name=family,
                date_of_birth=dob if rng.random() > 0.03 else None,
                gender=rng.choice(("Male", "Female", "")),
                address=f"{rng.randrange(1, 300)} {rng.choice(FAMILY)} Street",
                postcode=f"BE{rng.randrange(1, 20)} {rng.randrange(1, 9)}XY",
                name_key=name_key(given, family), sound_key=sound_key(family),
            )  # fmt: skip
            subjects.append(subject)
        with transaction.atomic():
            Subject.objects.bulk_create(subjects, batch_size=BATCH)
            cases = []
            for i, subject in zip(range(start, stop), subjects, strict=True):
                panel = panels[i % len(panels)]
                status = rng.choice(statuses)
                opened = today - datetime.timedelta(days=rng.randrange(1, 1500))
                iom = panel.kind == "iom"
                cases.append(
                    Case(
                        panel=panel, subject=subject,
                        reference=f"{panel.reference_prefix}-{i // len(panels) + 1:0{width}d}",
                        status=status, lead_agency=rng.choice(orgs),
                        cohort=rng.choice(("fixed", "flex", "free")) if iom else "",
                        custody=rng.choice(("custody", "community")) if iom else "",
                        opened_on=opened,
                        next_review_on=today + datetime.timedelta(days=rng.randrange(-30, 90))
                        if status in OPEN else None,
                        decided_on=opened + datetime.timedelta(days=14)
                        if status != "referred" else None,
                        closed_on=opened + datetime.timedelta(days=rng.randrange(30, 400))
                        if status == "closed" else None,
                        closure_reason="Completed the programme" if status == "closed" else "",
                    )
                )  # fmt: skip
            Case.objects.bulk_create(cases, batch_size=BATCH)
            referrals = [
                Referral(case=case, organisation=rng.choice(orgs), reason=rng.choice(REASONS),
                         referred_on=case.opened_on)
                for case in cases
            ]  # fmt: skip
            Referral.objects.bulk_create(referrals, batch_size=BATCH)


def insert_events(world: dict[str, Any], n_events: int, rng: random.Random) -> int:
    """``n_events`` audit events after the chain's head, hashed exactly as `audit.record`
    hashes them, inserted in batches by ``executemany`` (PostgreSQL: ``COPY``), as
    ``bulk_create`` spends about 100 µs a row building its SQL; the head moved to the
    last. Returns the last seq."""
    from django.db import connection, transaction

    from saferplaces.governance import audit
    from saferplaces.governance.models import AuditChainHead, AuditEvent

    table = AuditEvent._meta.db_table
    field = {f.name: f for f in AuditEvent._meta.concrete_fields}
    columns = [field[name].column for name in COLUMNS]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    copy = f"COPY {table} ({names}) FROM STDIN"
    # The database's own form of the values Django converts (a datetime, JSON), so that
    # what is read back is what `audit.record` would have stored.
    prep = {
        name: functools.partial(field[name].get_db_prep_save, connection=connection)
        for name in ("at", "before", "after")
    }
    head = AuditChainHead.objects.get(pk=1)
    seq, prev = head.seq, head.hash
    panels = world["panels"]
    orgs = [o.name for o in world["orgs"]]
    users = [f"{g.lower()}.{f.lower()}" for g, f in zip(GIVEN, reversed(FAMILY), strict=False)]
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3 * 365)
    step = datetime.timedelta(days=3 * 365) / max(1, n_events)
    actions = [a for a, weight in (("view", 70), ("search", 15), ("update", 8), ("create", 5),
                                   ("export", 2)) for _ in range(weight)]  # fmt: skip
    for chunk_start in range(0, n_events, BATCH * 4):
        events: list[tuple[Any, ...]] = []
        for k in range(chunk_start, min(n_events, chunk_start + BATCH * 4)):
            seq += 1
            at = start + step * k + datetime.timedelta(microseconds=rng.randrange(1000))
            action = rng.choice(actions)
            panel = panels[rng.randrange(len(panels))]
            reference = f"{panel.reference_prefix}-{rng.randrange(1, 5000):05d}"
            before: dict[str, Any] | None = None
            after: dict[str, Any] | None = None
            if action == "view":
                object_type, object_id, summary = "case", reference, "Case viewed"
            elif action == "search":
                object_type, object_id = "panel", panel.group.slug
                summary = f"Case list of {panel}: status all, reference {reference[:6]!r}"
            elif action == "export":
                object_type, object_id = "panel", panel.group.slug
                summary = f"Cohort figures of {panel} exported (suppressed below the threshold)"
            elif action == "create":
                object_type, object_id, summary = "case", reference, f"Case opened on {panel}"
                after = {"status": "referred", "lead_agency": rng.choice(orgs), "cohort": "",
                         "next_review_on": None, "subject": rng.randrange(1, 100_000)}  # fmt: skip
            else:
                object_type, object_id, summary = "case", reference, "Case edited: next_review_on"
                day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(700))
                before = {"next_review_on": day}
                after = {"next_review_on": day + datetime.timedelta(days=28)}
            fields = audit._content(
                seq, at, rng.choice(users), rng.choice(orgs)[:160], action, object_type,
                object_id[:40], summary[:300], f"192.0.2.{rng.randrange(1, 255)}",
                audit._canonical(before), audit._canonical(after), prev,
            )  # fmt: skip
            digest = audit._digest(fields)
            events.append(
                (
                    seq, prep["at"](at), None, fields["username"], fields["organisation"],
                    action, object_type, fields["object_id"], fields["summary"],
                    fields["address"], prep["before"](fields["before"]),
                    prep["after"](fields["after"]), prev, digest,
                )
            )  # fmt: skip
            prev = digest
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # COPY: executemany waits on every row
                with cursor.cursor.copy(copy) as stream:
                    for event in events:
                        stream.write_row(event)
            else:
                cursor.executemany(insert, events)
    AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return seq


# Measuring --------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm-up
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - t0)
    return seconds


def explain(sql: str) -> list[str]:
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return []
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--panels", type=int, default=20)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument(
        "--database-url", nargs="?", const=DEFAULT_PG, default=None,
        help=f"PostgreSQL (alone: {DEFAULT_PG}); the database is made and dropped here",
    )  # fmt: skip
    ap.add_argument("--keep", action="store_true", help="keep the data directory and database")
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="bench-casework-"))
    os.environ["SAFERPLACES_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.settings")
    os.environ["DB_CONN_MAX_AGE"] = os.environ.get("DB_CONN_MAX_AGE", "0")
    pg_url = pg_create(args.database_url) if args.database_url else None
    if pg_url:
        os.environ["DATABASE_URL"] = pg_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(HERE.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from saferplaces.casework.models import Case, Subject
    from saferplaces.casework.subjects import likely_duplicates
    from saferplaces.governance import audit
    from saferplaces.governance.access import panels_visible_to
    from saferplaces.governance.models import AuditEvent

    # Not setup_test_environment(): its template instrumentation would slow every render.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rng = random.Random(args.seed)
    figures: dict[str, Any] = {
        "database": connection.vendor, "cases": args.cases, "panels": args.panels,
        "runs": args.runs,
    }  # fmt: skip
    rows: list[dict[str, Any]] = []
    diagnoses: list[str] = []
    try:
        t0 = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        figures["migrate_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        world = make_world(args.panels)
        insert_cases(world, args.cases, rng)
        figures["cases_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        insert_events(world, args.events, rng)
        figures["events_s"] = round(time.perf_counter() - t0, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as `PRAGMA optimize` would on a live database

        panel = world["panels"][0]
        user = world["coordinator"].user
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

        panel_url = f"/casework/panels/{panel.group.slug}/"
        open_cases = list(
            Case.objects.filter(panel=panel, status__in=OPEN).values_list("reference", flat=True)
        )
        figures["measured_panel_cases"] = Case.objects.filter(panel=panel).count()
        figures["measured_panel_open"] = len(open_cases)
        sample = random.Random(args.seed + 1).sample(open_cases, min(len(open_cases), 50))
        search = sample[0][:-1]  # e.g. B000-0123: ten or so references
        known = Subject.objects.filter(cases__panel=panel, date_of_birth__isnull=False).first()
        assert known is not None
        turn = iter(range(10**9))

        def get(url: str) -> Callable[[], Any]:
            def run() -> None:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return run

        def case_page() -> None:
            reference = sample[next(turn) % len(sample)]
            response = client.get(f"/casework/cases/{reference}/")
            assert response.status_code == 200, (reference, response.status_code)

        def duplicates(given: str, family: str, dob: datetime.date | None) -> Callable[[], Any]:
            def run() -> list[Any]:
                visible = Subject.objects.filter(
                    cases__panel__group__in=panels_visible_to(user)
                ).distinct()  # what views.new_case searches
                return likely_duplicates(visible, given, family, dob)

            return run

        measures: list[tuple[str, Callable[[], Any], float]] = [
            ("panel case list, open, page 1", get(panel_url), 200),
            (f"panel case list, reference {search!r}", get(f"{panel_url}?q={search}"), 200),
            ("case page (audit event written)", case_page, 150),
            (
                "duplicate check, a person already keyed",
                duplicates(known.given_name, known.family_name, known.date_of_birth), 100,
            ),
            (
                "duplicate check, a new person",
                duplicates("Zebedee", "Quartermaine", datetime.date(1987, 3, 14)), 100,
            ),
        ]  # fmt: skip
        assert duplicates(known.given_name, known.family_name, known.date_of_birth)()
        for name, fn, goal in measures:
            seconds = timed(fn, args.runs)
            with CaptureQueriesContext(connection) as captured:
                fn()
            queries = captured.captured_queries
            median, worst = ms(statistics.median(seconds)), ms(max(seconds))
            rows.append({"measure": name, "median_ms": median, "max_ms": worst, "goal_ms": goal,
                         "queries": len(queries)})  # fmt: skip
            if median > goal:
                slow = sorted(queries, key=lambda q: -float(q["time"]))[:3]
                lines = [f"{name}: median {median} ms > {goal} ms; {len(queries)} queries"]
                for q in slow:
                    lines.append(f"  {float(q['time']) * 1000:.1f} ms  {q['sql'][:600]}")
                lines += [f"    plan: {line}" for line in explain(slow[0]["sql"])]
                diagnoses.append("\n".join(lines))

        figures["events_stored"] = AuditEvent.objects.count()
        t0 = time.perf_counter()
        result = audit.verify()
        verify_s = time.perf_counter() - t0
        assert result.ok, result
        name = f"audit verify, {result.events:,} events"
        rows.append({"measure": name, "median_ms": ms(verify_s), "max_ms": ms(verify_s),
                     "goal_ms": 10_000, "queries": None})  # fmt: skip
        if verify_s > 10:
            t0 = time.perf_counter()
            n = sum(1 for _ in audit._rows())
            read_s = time.perf_counter() - t0
            diagnoses.append(
                f"audit verify: {verify_s:.1f} s over {n:,} events ({verify_s / n * 1e6:.1f} µs "
                f"an event); reading the rows alone (audit._rows) {read_s:.1f} s, so hashing "
                f"and checking {verify_s - read_s:.1f} s"
            )
        figures["peak_rss_mib"] = peak_rss_mib()
    finally:
        connections.close_all()
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
            if pg_url:
                pg_drop(pg_url)

    where = pg_url.rsplit("@", 1)[-1] if pg_url else "SQLite (temporary data directory)"
    print(f"Casework benchmark on {connection.vendor}: {where}")
    print(f"  {args.cases:,} cases over {args.panels} panels; the measured panel holds "
          f"{figures['measured_panel_cases']:,} ({figures['measured_panel_open']:,} open); "
          f"{figures['events_stored']:,} audit events")  # fmt: skip
    print(f"  set-up: migrate {figures['migrate_s']} s, world and cases {figures['cases_s']} s, "
          f"audit events {figures['events_s']} s")  # fmt: skip
    print(f"\n{'measure':<44} {'median ms':>10} {'max ms':>9} {'goal ms':>8}  {'within':<6} "
          f"{'queries':>7}")  # fmt: skip
    for r in rows:
        within = "yes" if r["median_ms"] <= r["goal_ms"] else "NO"
        count = "" if r["queries"] is None else r["queries"]
        print(f"{r['measure']:<44} {r['median_ms']:>10} {r['max_ms']:>9} {r['goal_ms']:>8}  "
              f"{within:<6} {count:>7}")  # fmt: skip
    print(f"{'peak memory of this process (VmHWM, MiB)':<44} {figures['peak_rss_mib']:>10}")
    print(f"median and max of {args.runs} runs after one warm-up; audit verify run once")
    if args.keep:
        print(f"kept: {data_dir}" + (f" and {pg_url}" if pg_url else ""))
    for diagnosis in diagnoses:
        print("\n" + diagnosis)
    print(json.dumps(figures | {"measures": rows}))


if __name__ == "__main__":
    main()
