import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.core.access import SYSTEM
from homeward.measures.workbook import UnreadableFile
from homeward.performance.services import import_dtoc


class Command(BaseCommand):
    help = (
        "Import NHS England's monthly 'Total Delayed Days - Local Authority' workbooks (DTOC, "
        "LA type B, 2010-2020; xls, xlsx or ods). A later revision of a month supersedes the "
        "earlier release; re-importing a release changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--json", action="store_true", help="print the reports as JSON")

    def handle(self, *args, paths, **options):
        reports, failures = [], []
        started = time.perf_counter()
        for n, path in enumerate(paths, start=1):
            try:
                report = import_dtoc(actor=SYSTEM, path=path).as_dict()
            except UnreadableFile as exc:
                failures.append({"source": path.name, "error": f"{exc}; nothing was imported"})
                print(f"[{n}/{len(paths)}] {path.name}: unreadable", file=sys.stderr)
                continue
            reports.append(report)
            print(
                f"[{n}/{len(paths)}] {path.name}: {report['period']} {report['outcome']}, "
                f"{report['areas']} areas, {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
        if options["json"]:
            self.stdout.write(json.dumps({"files": reports, "unreadable": failures}))
        else:
            for report in reports:
                self._describe(report)
            for failure in failures:
                self.stdout.write(f"{failure['source']}: {failure['error']}")
        if failures:
            raise CommandError(f"{len(failures)} of {len(paths)} files could not be read")

    def _describe(self, r: dict) -> None:
        out = self.stdout.write
        out(
            f"{r['source']} ({r['period']}): {r['outcome']}; read {r['read']}, stored "
            f"{r['stored']}, unchanged {r['unchanged']}, rejected {r['rejected']}"
        )
        if r["superseded"]:
            s = r["superseded"]
            out(f"  supersedes {s['source']} (as of {s['as_of']}, {s['areas']} areas)")
        total = r["england_check"].get("total")
        if total:
            out(
                f"  England row {_n(total['stated'])} delayed days; the stored areas add up "
                f"to {_n(total['computed'])}"
            )
        for name, check in (*r["england_check"].items(), *r["england_sheet_check"].items()):
            if check["difference"]:
                out(f"  {name}: England row {check['stated']}, computed {check['computed']}")
        for p in r["rejections"]:
            out(f"  rejected {p['sheet']} line {p['line']}: {p['reason']}")
        for p in r["warnings"]:
            out(f"  warning {p['sheet']} line {p['line']}: {p['reason']}")


def _n(value: int | None) -> str:
    return "missing" if value is None else f"{value:,}"
