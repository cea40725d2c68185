"""Run the web server with gunicorn, and the background task worker beside it."""

from __future__ import annotations

import signal
import subprocess
import sys
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve saferplaces on http://HOST:PORT (default 127.0.0.1:8000) with its task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true", help="do not run the task worker")

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "saferplaces.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--timeout",  # a 2 GB upload takes minutes on a slow link (see README)
            "900",
            "--preload",  # warm once (saferplaces.web.warmup), share with the workers
        ]
        children = [subprocess.Popen(web)]
        if not options["no_worker"]:
            # An upload's import starts within a quarter of a second of being queued.
            worker = [sys.executable, "-m", "saferplaces.cli", "worker", "--interval", "0.25"]
            children.append(subprocess.Popen(worker))
        self.stdout.write(f"saferplaces is serving on http://{bind}/ (Ctrl+C stops it)")

        def stop(signum: int, frame: FrameType | None) -> None:
            for child in children:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        codes = [child.wait() for child in children]
        if any(code not in (0, -signal.SIGTERM, -signal.SIGINT) for code in codes[:1]):
            raise SystemExit(codes[0])
