"""Run the web server with gunicorn, and the background task worker beside it, started
again when it dies (its start-up recovers the tasks it left running)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from types import FrameType
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandParser

RESTARTS = 5
"""At most this many worker restarts within RESTART_WINDOW seconds, then serve stops: a
worker that dies at once each time needs a person, not a loop."""
RESTART_WINDOW = 60.0
POLL_SECONDS = 0.5


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
        # An upload's import starts within a quarter of a second of being queued.
        worker = [sys.executable, "-m", "saferplaces.cli", "worker", "--interval", "0.25"]
        server = Supervisor(
            subprocess.Popen(web),
            None if options["no_worker"] else (lambda: subprocess.Popen(worker)),
            self.stderr,
        )
        self.stdout.write(f"saferplaces is serving on http://{bind}/ (Ctrl+C stops it)")
        signal.signal(signal.SIGTERM, server.stop)
        signal.signal(signal.SIGINT, server.stop)
        code = server.run()
        if code not in (0, -signal.SIGTERM, -signal.SIGINT):
            raise SystemExit(code)


class Supervisor:
    """The web server and the task worker: the worker is started again when it exits
    (at most RESTARTS times within RESTART_WINDOW seconds); when the web server exits,
    or on stop(), both end."""

    def __init__(
        self,
        web: subprocess.Popen[Any],
        start_worker: Callable[[], subprocess.Popen[Any]] | None,
        err: TextIO | Any,
        restarts: int = RESTARTS,
        window: float = RESTART_WINDOW,
        poll: float = POLL_SECONDS,
    ) -> None:
        self.web, self.start_worker, self.err = web, start_worker, err
        self.worker = start_worker() if start_worker is not None else None
        self.restarts: deque[float] = deque()
        self.limit, self.window, self.poll = restarts, window, poll
        self.stopping = False

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.stopping = True
        for child in (self.web, self.worker):
            if child is not None and child.poll() is None:
                child.terminate()

    def run(self) -> int:
        """Watch both until the web server ends; its exit code (1 when the worker kept
        dying)."""
        while self.web.poll() is None:
            died = not self.stopping and self.worker is not None and self.worker.poll() is not None
            if died and not self._restart_worker():
                self.stop()
                self.web.wait()
                return 1
            time.sleep(self.poll)
        self.stop()
        if self.worker is not None:
            self.worker.wait()
        return self.web.returncode

    def _restart_worker(self) -> bool:
        assert self.worker is not None and self.start_worker is not None
        code, now = self.worker.returncode, time.monotonic()
        while self.restarts and now - self.restarts[0] > self.window:
            self.restarts.popleft()
        if len(self.restarts) >= self.limit:
            self.err.write(
                f"The task worker exited with code {code}, {self.limit + 1} times within "
                f"{self.window:.0f} s: stopping the server (see the worker's messages above)"
            )
            return False
        self.restarts.append(now)
        self.err.write(
            f"The task worker exited with code {code}: starting it again (it recovers the "
            "tasks it left running)"
        )
        self.worker = self.start_worker()
        return True
