import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.cases.spells import UnreadableFile, import_spells
from homeward.core.access import SYSTEM


class Command(BaseCommand):
    help = (
        "Import hospital spells from a CSV file (spell_id, nhs_number, site_code, council_code, "
        "admission_date, discharge_ready_date, discharge_date, pathway, primary_delay_reason, "
        "attribution) as discharge cases; re-importing the same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--json", action="store_true", help="print the reconciliation as JSON")

    def handle(self, *args, path: Path, **options):
        try:
            report = import_spells(actor=SYSTEM, path=path).as_dict()
        except UnreadableFile as exc:
            raise CommandError(f"{exc}; nothing was imported") from exc
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{path.name}: read {report['read']}, created {report['created']}, updated "
            f"{report['updated']}, unchanged {report['unchanged']}, rejected {report['rejected']}"
        )
        for r in report["rejections"]:
            self.stdout.write(f"  line {r['line']}: {r['reason']}")
