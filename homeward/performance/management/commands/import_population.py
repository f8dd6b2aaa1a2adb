import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.core.access import SYSTEM
from homeward.measures.workbook import UnreadableFile
from homeward.performance.services import import_population


class Command(BaseCommand):
    help = (
        "Import ONS mid-year population estimates by local authority and single year of age "
        "(xls, xlsx or ods): all ages and adults 18+ per area for the year; re-importing the "
        "same file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--year", type=int, help="the mid-year, when the title lacks it")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, path: Path, year=None, **options):
        started = time.perf_counter()
        print(f"reading {path.name}", file=sys.stderr)
        try:
            report = import_population(actor=SYSTEM, path=path, year=year).as_dict()
        except UnreadableFile as exc:
            raise CommandError(f"{exc}; nothing was imported") from exc
        print(f"stored in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['source']} (mid-{report['year']}): read {report['read']}, created "
            f"{report['created']}, updated {report['updated']}, unchanged "
            f"{report['unchanged']}, rejected {report['rejected']}"
        )
        for r in report["rejections"]:
            self.stdout.write(f"  {r['sheet']} line {r['line']}: {r['reason']}")
