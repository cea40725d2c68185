"""Proof under load, on loopback only: the demo partnership on the production server
(gunicorn + the task worker, `saferplaces serve`) with SAFERPLACES_ENV=production, and
locust driving a realistic mix of personas against it (benchmarks/load/locustfile.py).

    .venv/bin/python benchmarks/load/run.py [--minutes 10] [--users 50]
                                            [--database sqlite|postgresql]

It makes a fresh temporary data directory (and, for PostgreSQL, a private database
`load` on 127.0.0.1:5432 that it creates and drops), sets up the demo as `saferplaces
demo` does (migrate, collectstatic, the reference geography, the West Lancashire sample
police.uk data, the demo partnership), makes one account per simulated user (copies of
the demo's personas, setup_users.py), serves on a free port of 127.0.0.1 and runs locust
headless for --minutes with --users. It stops by itself, then prints requests, failures
(the goal is 0), p50/p95/p99 of pages and of API reads against their goals (p95 ≤ 300
ms and ≤ 150 ms), the server's memory (RSS of the gunicorn master and workers and of the
task worker, sampled every 10 s: first, max, last) and the load average, and writes the
same as JSON (--json).

What differs from a real deployment: plain HTTP on loopback (the client says
X-Forwarded-Proto: https, as the TLS-terminating proxy would, and sends the Secure
cookies back over HTTP); locust runs on the same machine as the server; the demo's
published password and two-factor secret.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SAMPLES = ROOT / "src" / "saferplaces" / "insight" / "samples" / "police_uk" / "west_lancashire"
GOALS_MS = {"page": 300.0, "api": 150.0}
MIX = {"officer": ("officer", 4), "api": ("analyst", 2), "coordinator": ("coordinator", 2),
       "analyst": ("analyst", 1), "board": ("chair", 1)}  # fmt: skip
"""Persona: (the demo account it copies, weight in the locustfile)."""
SAMPLE_EVERY = 10.0


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5.0)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgresql", default="postgresql://postgres@127.0.0.1:5432/load",
                        help="the private database the run creates and drops")  # fmt: skip
    parser.add_argument("--warmup", type=float, default=60.0,
                        help="seconds left out of the second set of percentiles")  # fmt: skip
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the summary here too")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    if not (0 < args.minutes <= 60 and 0 < args.users <= 500):
        parser.error("--minutes is at most 60 and --users at most 500 (bounded on purpose)")
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        SAFERPLACES_ENV="production",
        SAFERPLACES_DATA_DIR=str(data),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="saferplaces.settings",
    )
    if args.database == "postgresql":
        env["DATABASE_URL"] = args.postgresql
    return env


@contextlib.contextmanager
def private_database(args: argparse.Namespace) -> Iterator[None]:
    """The PostgreSQL database of the run, created fresh and dropped at the end."""
    if args.database != "postgresql":
        yield
        return
    import psycopg

    parts = urlsplit(args.postgresql)
    name = parts.path.lstrip("/")
    if not name or name in {"postgres", "test", "saferplaces"}:
        raise SystemExit(f"refusing to create and drop the database {name!r}: name a private one")
    admin = urlunsplit(parts._replace(path="/postgres"))

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(sql)  # type: ignore[arg-type]

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def saferplaces(env: dict[str, str], data: Path, *args: str, log: Path) -> None:
    with log.open("a") as out:
        subprocess.run([sys.executable, "-m", "saferplaces.cli", *args], env=env, cwd=data,
                       stdout=out, stderr=subprocess.STDOUT, check=True)  # fmt: skip


def accounts_plan(users: int) -> dict[str, list[Any]]:
    """One account per simulated user of each persona (and one spare each)."""
    total = sum(weight for _, weight in MIX.values())
    return {persona: [template, math.ceil(users * weight / total) + 1, persona == "api"]
            for persona, (template, weight) in MIX.items()}  # fmt: skip


def wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    headers = {"X-Forwarded-Proto": "https"}
    request = urllib.request.Request(f"{base}/healthz", headers=headers)  # noqa: S310 - loopback
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting: see server.log")
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            if response.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit("the server did not answer /healthz in time")


def server_processes(serve: psutil.Process) -> dict[str, list[psutil.Process]]:
    """The gunicorn master and its workers, and the task worker, under `saferplaces serve`."""
    found: dict[str, list[psutil.Process]] = {"web": [], "worker": []}
    with contextlib.suppress(psutil.Error):
        for child in serve.children():
            line = " ".join(child.cmdline())
            if "gunicorn" in line:
                found["web"].extend([child, *child.children(recursive=True)])
            elif " worker" in line:
                found["worker"].append(child)
    return found


def rss_mib(processes: list[psutil.Process]) -> float:
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return round(total / 2**20, 1)


class Sampler(threading.Thread):
    """RSS of the web server and the task worker, and the load average, every 10 s."""

    def __init__(self, serve_pid: int) -> None:
        super().__init__(daemon=True)
        self.serve = psutil.Process(serve_pid)
        self.samples: list[dict[str, float]] = []
        self.stopped = threading.Event()

    def sample(self) -> None:
        procs = server_processes(self.serve)
        self.samples.append({"t": round(time.monotonic(), 1), "web_mib": rss_mib(procs["web"]),
                             "worker_mib": rss_mib(procs["worker"]),
                             "web_processes": len(procs["web"]),
                             "load1": os.getloadavg()[0]})  # fmt: skip

    def run(self) -> None:
        self.sample()
        while not self.stopped.wait(SAMPLE_EVERY):
            self.sample()


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)], 1)


def latency(times: dict[str, list[list[float]]], skip: float = 0) -> dict[str, dict[str, Any]]:
    """Percentiles per kind of request, leaving out the first `skip` seconds of the run."""
    start = min((t for pairs in times.values() for t, _ in pairs), default=0.0)
    out = {}
    for kind, pairs in sorted(times.items()):
        values = [ms for t, ms in pairs if t - start >= skip]
        out[kind] = {"requests": len(values),
                     **{f"p{p}": percentile(values, p) for p in (50, 95, 99)},
                     "max": round(max(values), 1) if values else None}  # fmt: skip
        if kind in GOALS_MS:
            p95 = out[kind]["p95"]
            out[kind]["goal_p95"] = GOALS_MS[kind]
            out[kind]["met"] = None if p95 is None else p95 <= GOALS_MS[kind]
    return out


def locust_totals(prefix: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    by_name = [{"name": f"{r['Type']} {r['Name']}", "requests": r["Request Count"],
                "failures": r["Failure Count"], "median_ms": r["Median Response Time"],
                "p95_ms": r["95%"]} for r in rows if r["Name"] != "Aggregated"]  # fmt: skip
    with open(f"{prefix}_failures.csv", newline="") as fh:
        failures = list(csv.DictReader(fh))
    totals = {"requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
              "requests_per_second": float(total["Requests/s"]), "by_name": by_name}  # fmt: skip
    return totals, failures


def memory(samples: list[dict[str, float]]) -> dict[str, Any]:
    out: dict[str, Any] = {"samples": len(samples), "every_seconds": SAMPLE_EVERY}
    for key in ("web_mib", "worker_mib"):
        values = [s[key] for s in samples]
        if values:
            out[key] = {"first": values[0], "max": max(values), "last": values[-1]}
    loads = [s["load1"] for s in samples]
    if loads:
        out["load1"] = {"first": loads[0], "max": max(loads), "last": loads[-1],
                        "mean": round(sum(loads) / len(loads), 2)}  # fmt: skip
    return out


def run_locust(args: argparse.Namespace, base: str, work: Path, accounts: Path) -> int:
    env = {**os.environ, "LOAD_ACCOUNTS": str(accounts), "LOAD_SAMPLES": str(SAMPLES),
           "LOAD_TIMES": str(work / "times.json")}  # fmt: skip
    command = [str(Path(sys.executable).with_name("locust")), "-f", str(HERE / "locustfile.py"),
               "--headless", "-u", str(args.users), "-r", str(args.spawn_rate),
               "--run-time", f"{int(args.minutes * 60)}s", "--host", base,
               "--csv", str(work / "locust"), "--only-summary", "--stop-timeout", "30",
               "--loglevel", "WARNING"]  # fmt: skip
    with (work / "locust.log").open("w") as log:
        return subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              timeout=args.minutes * 60 + 300).returncode  # fmt: skip


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def report(summary: dict[str, Any]) -> None:
    print(f"\nLoad run: {summary['database']}, {summary['users']} users, "
          f"{summary['minutes']} min, {summary['cpus']} CPUs")  # fmt: skip
    totals = summary["totals"]
    print(f"requests {totals['requests']} ({totals['requests_per_second']:.1f}/s), "
          f"failures {totals['failures']} (goal 0)")  # fmt: skip
    warm = f"after the first {summary['warmup_seconds']:.0f} s"
    for title, key in (("whole run", "latency_ms"), (warm, "latency_after_warmup_ms")):
        print(f" {title}:")
        for kind, row in summary[key].items():
            verdict = {True: "met", False: "NOT met", None: "no data"}[row.get("met")]
            goal = f"  goal p95 <= {row['goal_p95']:.0f}: {verdict}" if "goal_p95" in row else ""
            print(f"  {kind:9} n={row['requests']:6}  p50 {row['p50']} ms  p95 {row['p95']} ms  "
                  f"p99 {row['p99']} ms  max {row['max']} ms{goal}")  # fmt: skip
    mem = summary["memory"]
    for key, label in (("web_mib", "gunicorn master+workers"), ("worker_mib", "task worker")):
        if key in mem:
            m = mem[key]
            print(f"  RSS {label}: first {m['first']} MiB, max {m['max']} MiB, "
                  f"last {m['last']} MiB ({mem['samples']} samples, every 10 s)")  # fmt: skip
    if "load1" in mem:
        load = mem["load1"]
        print(f"  load average (1 min): first {load['first']}, mean {load['mean']}, "
              f"max {load['max']}, last {load['last']} on {summary['cpus']} CPUs")  # fmt: skip
    for failure in summary["failures"][:10]:
        print(f"  failure: {failure}")


def main() -> None:
    args = parse()
    work = Path(tempfile.mkdtemp(prefix=f"saferplaces-load-{args.database}-"))
    data = work / "data"
    data.mkdir()
    env = server_env(data, args)
    setup_log = work / "setup.log"
    print(f"Working in {work} (setup log {setup_log})", flush=True)
    with private_database(args):
        began = time.monotonic()
        saferplaces(env, data, "demo", "--no-serve", log=setup_log)
        plan, accounts = work / "plan.json", work / "accounts.json"
        plan.write_text(json.dumps(accounts_plan(args.users)))
        with setup_log.open("a") as out:
            make = [sys.executable, str(HERE / "setup_users.py"), str(plan), str(accounts)]
            subprocess.run(
                make, env=env, cwd=data, stdout=out, stderr=subprocess.STDOUT, check=True
            )
        print(f"Set up in {time.monotonic() - began:.0f} s", flush=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with (work / "server.log").open("w") as server_log:
            server = subprocess.Popen(
                [sys.executable, "-m", "saferplaces.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(port), "--workers", str(args.gunicorn_workers)],
                env=env, cwd=data, stdout=server_log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            wait_until_up(base, server)
            sampler = Sampler(server.pid)
            sampler.start()
            print(f"Serving on {base}; locust for {args.minutes} min with {args.users} users",
                  flush=True)  # fmt: skip
            code = run_locust(args, base, work, accounts)
            sampler.stopped.set()
            sampler.join()
        finally:
            stop(server)
    times = json.loads((work / "times.json").read_text())
    totals, failures = locust_totals(work / "locust")
    summary = {
        "database": args.database, "users": args.users, "minutes": args.minutes,
        "spawn_rate": args.spawn_rate, "gunicorn_workers": args.gunicorn_workers,
        "cpus": os.cpu_count(), "locust_exit_code": code, "totals": totals,
        "latency_ms": latency(times), "warmup_seconds": args.warmup,
        "latency_after_warmup_ms": latency(times, args.warmup), "memory": memory(sampler.samples),
        "memory_samples": sampler.samples, "failures": failures,
        "differs_from_production": [
            "plain HTTP on loopback: the client sends X-Forwarded-Proto: https as a TLS proxy "
            "would, and sends the Secure cookies back over HTTP",
            "locust runs on the same machine as the server, sharing its CPUs",
            "the demo's published password and two-factor secret",
        ],
    }  # fmt: skip
    out = args.json or work / "summary.json"
    out.write_text(json.dumps(summary, indent=1))
    report(summary)
    print(f"Summary written to {out}")
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
