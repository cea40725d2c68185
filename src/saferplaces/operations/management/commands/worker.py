"""`saferplaces worker`: django-tasks' database worker that survives being killed mid-task
(saferplaces.operations.worker): it first recovers the tasks a stopped worker left
running, then runs the database worker (same options as `db_worker`) while saying it is
alive."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from saferplaces.operations.worker import heartbeat, recover_orphans


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background task worker: first retry or fail the tasks left running by a "
        "worker that stopped, then take tasks (the options of db_worker)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for recovery in recover_orphans():
            self.stdout.write(
                f"Task {recovery.task_id} ({recovery.task_path}): "
                f"{recovery.outcome.label.lower()} - {recovery.reason}"
            )
        with heartbeat(options["worker_id"]):
            super().handle(*args, **options)
