"""One command from a fresh checkout to a running demo partnership."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from saferplaces import insight

SAMPLES = Path(insight.__file__).parent / "samples" / "police_uk" / "west_lancashire"


class Command(BaseCommand):
    help = (
        "Migrate, load the reference geography of England and Wales, the demo partnership "
        "and its data (idempotent), then serve it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up, then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("geography", stdout=self.stdout)
        self.stdout.write(
            "Importing the sample police.uk data (West Lancashire, 2013-04 to 2015-03)"
        )
        call_command("import", "police-uk", str(SAMPLES), "--no-progress", stdout=self.stdout)
        call_command("load_demo", stdout=self.stdout)
        if options["no_serve"]:
            return
        call_command("serve", host=options["host"], port=options["port"])
