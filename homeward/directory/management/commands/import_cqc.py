import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.core.access import SYSTEM
from homeward.directory.cqc import UnreadableFile, parse
from homeward.directory.imports import import_parsed


class Command(BaseCommand):
    help = (
        "Import the CQC directory: HSCA Active Locations (ods/xlsx/xls/csv), the weekly "
        "directory CSV, API location JSON, the ratings file or a council extract."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--json", action="store_true", help="print the reconciliation as JSON")

    def handle(self, *args, paths, **options):
        totals = {"read": 0, "created": 0, "updated": 0, "unchanged": 0, "deactivated": 0}
        rejections: list[dict] = []
        warnings: list[dict] = []
        for path in paths:
            try:
                parsed = parse(path)
            except UnreadableFile as exc:
                raise CommandError(str(exc)) from exc
            report = import_parsed(actor=SYSTEM, parsed=parsed, filename=path.name).as_dict()
            for key in totals:
                totals[key] += report[key]
            prefix = f"{path.name}: " if len(paths) > 1 else ""
            rejections += [
                {"line": r["line"], "reason": prefix + r["reason"]} for r in report["rejections"]
            ]
            warnings += [
                {"line": w["line"], "reason": prefix + w["reason"]} for w in report["warnings"]
            ]
            if not options["json"]:
                self.stdout.write(
                    f"{path.name} ({report['layout']}): read {report['read']}, created "
                    f"{report['created']}, updated {report['updated']}, unchanged "
                    f"{report['unchanged']}, deactivated {report['deactivated']}, rejected "
                    f"{report['rejected']}"
                )
                for r in report["rejections"]:
                    self.stdout.write(f"  line {r['line']}: {r['reason']}")
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        **totals,
                        "rejected": len(rejections),
                        "rejections": rejections,
                        "warnings": warnings,
                    }
                )
            )
