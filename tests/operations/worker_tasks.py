"""A test-only task for the worker's tests: it says it started, then waits for a file."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def wait_for(path: str) -> str:
    """Write ``path``.started (with this process's id), then wait until ``path`` exists."""
    Path(f"{path}.started").write_text(str(os.getpid()))
    while not Path(path).exists():
        time.sleep(0.05)
    return "done"
