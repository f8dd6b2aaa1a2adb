"""The `homeward` command: Django's management commands with Homeward's verb-noun spelling.

`homeward import cqc FILE` runs the `import_cqc` command, `homeward demo generate england`
runs `demo_generate england`; anything else (`homeward migrate`) passes straight through."""

import os
import sys

GROUPS = {"import", "demo", "measures", "alerts", "report"}


def translate(argv: list[str]) -> list[str]:
    """Turn `import cqc ...` into `import_cqc ...`; leave other commands as they are."""
    if len(argv) >= 2 and argv[0] in GROUPS and not argv[1].startswith("-"):
        return [f"{argv[0]}_{argv[1]}", *argv[2:]]
    return argv


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["homeward", *translate(sys.argv[1:])])
