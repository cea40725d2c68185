"""`saferplaces serve` starts the task worker again when it dies, and stops serving when
the worker keeps dying (real processes stand in for the web server and the worker)."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

from saferplaces.web.management.commands.serve import Supervisor

PYTHON = sys.executable


def _process(code: str) -> subprocess.Popen[Any]:
    return subprocess.Popen([PYTHON, "-c", code])


def test_a_dead_worker_is_started_again_and_serving_goes_on() -> None:
    """Given a worker that dies once, when serve notices, then it says so with the code,
    starts a new worker, and the web server is untouched until it ends."""
    started: list[subprocess.Popen[Any]] = []

    def start_worker() -> subprocess.Popen[Any]:
        # the first worker dies with code 3; the next one lives until stopped
        started.append(
            _process("import sys; sys.exit(3)" if not started else "import time; time.sleep(60)")
        )
        return started[-1]

    web = _process("import time; time.sleep(2)")
    err = io.StringIO()
    code = Supervisor(web, start_worker, err, poll=0.05).run()
    assert code == 0
    assert len(started) == 2
    assert "exited with code 3: starting it again" in err.getvalue()
    assert started[1].returncode is not None  # stopped with the web server, not left behind


def test_a_worker_that_keeps_dying_stops_the_server() -> None:
    """Given a worker that dies at once every time, when it has been started again the
    allowed number of times within the window, then serve stops the web server, says why
    and ends with code 1."""
    started: list[subprocess.Popen[Any]] = []

    def start_worker() -> subprocess.Popen[Any]:
        started.append(_process("import sys; sys.exit(2)"))
        return started[-1]

    web = _process("import time; time.sleep(120)")
    err = io.StringIO()
    code = Supervisor(web, start_worker, err, restarts=2, window=60, poll=0.05).run()
    assert code == 1
    assert len(started) == 3  # the first, then two restarts
    assert web.returncode is not None and web.returncode != 0  # terminated, not waited out
    assert "exited with code 2, 3 times within 60 s: stopping the server" in err.getvalue()
