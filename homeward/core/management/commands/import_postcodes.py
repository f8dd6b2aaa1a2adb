import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.core.postcode_import import import_file


class Command(BaseCommand):
    help = "Load postcode positions (NSPL 'Postcode,lat,long') or outcode centroids."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--json", action="store_true", help="print one JSON object per file")

    def handle(self, *args, paths, json: bool = False, **options):
        for path in paths:
            try:
                result = import_file(path)
            except (OSError, ValueError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            if json:
                self.stdout.write(_dumps({"file": str(path), **result.as_dict()}))
            else:
                self.stdout.write(
                    f"{path.name}: read {result.read}, stored {result.stored}, "
                    f"rejected {len(result.rejections)}"
                )


def _dumps(value) -> str:
    return json.dumps(value)
