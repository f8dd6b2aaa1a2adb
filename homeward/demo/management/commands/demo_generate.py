import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.demo.generator import generate


class Command(BaseCommand):
    help = "Write a realistic synthetic CQC directory (HSCA layout) for England or some councils."

    def add_arguments(self, parser):
        parser.add_argument("scope", help="'england', or council names separated by commas")
        parser.add_argument("--out", type=Path, required=True, help="folder to write into")
        parser.add_argument("--seed", type=int, default=20261127)

    def handle(self, *args, scope: str, out: Path, seed: int, **options):
        councils = None if scope.lower() == "england" else [c.strip() for c in scope.split(",")]
        out.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        try:
            path = generate(out, councils=councils, seed=seed)
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        with path.open(encoding="utf-8") as f:
            rows = sum(1 for _ in f) - 1
        self.stdout.write(
            f"Wrote {rows:,} locations to {path} in {time.perf_counter() - started:.1f} s"
        )
