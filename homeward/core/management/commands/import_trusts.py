import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.core.access import SYSTEM
from homeward.core.trust_import import import_trusts


class Command(BaseCommand):
    help = (
        "Load NHS trusts from NHS Digital's ODS list (etr.csv): names, regions and the link "
        "to each trust's ICB where that ICB is known."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, path: Path, json: bool = False, **options):
        try:
            result = import_trusts(actor=SYSTEM, path=path)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if json:
            self.stdout.write(_dumps({"file": str(path), **result.as_dict()}))
            return
        self.stdout.write(
            f"{path.name}: read {result.read}, created {result.created}, updated "
            f"{result.updated}, unchanged {result.unchanged}, closed (not created) "
            f"{result.closed}, outside England {result.outside_england}, rejected "
            f"{len(result.rejections)}; linked to their ICB {len(result.linked_to_icb)}"
        )
        for rejection in result.rejections:
            self.stdout.write(f"  line {rejection['line']}: {rejection['reason']}")
        for differs in result.icb_differs:
            self.stdout.write(
                f"  {differs['trust']} is under ICB {differs['homeward']} in Homeward but "
                f"{differs['ods']} in this file: left as it is, for a person to decide"
            )


def _dumps(value) -> str:
    return json.dumps(value)
