"""What the benchmark scripts share: the project on the import path, a throwaway migrated
SQLite database for those that need Django, and wall-clock timing in milliseconds."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def setup_django(db_path: Path) -> None:
    """Point Django at a new SQLite file and migrate it."""
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def timed_ms(call: Callable[[], object], repeats: int) -> list[float]:
    """Milliseconds each of `repeats` calls took."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times
