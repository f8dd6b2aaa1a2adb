"""What the two webfile import commands share: arguments, progress on stderr, the report as
text or JSON, and a failing exit when a file could not be read."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from homeward.core.access import SYSTEM
from homeward.measures.workbook import UnreadableFile

MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_option(value: str | None, option: str = "--month") -> dt.date | None:
    if value is None:
        return None
    match = MONTH.fullmatch(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CommandError(f"{option} '{value}' is not a month: use YYYY-MM")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def day_option(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"{option} '{value}' is not a date: use YYYY-MM-DD") from None


class ImportCommand(BaseCommand):
    """Import each PATH with `importer`, one transaction per file."""

    importer: Callable

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--month", help="YYYY-MM, for a file that does not say which month it is for"
        )
        parser.add_argument(
            "--published",
            help="YYYY-MM-DD, the release date of a file that does not carry one (a later "
            "date supersedes an earlier release of the same month)",
        )
        parser.add_argument("--json", action="store_true", help="print the reports as JSON")

    def handle(self, *args, paths, **options):
        month = month_option(options["month"])
        published = day_option(options["published"], "--published")
        reports, failures = [], []
        started = time.perf_counter()
        for n, path in enumerate(paths, start=1):
            try:
                report = (
                    type(self)
                    .importer(actor=SYSTEM, path=path, month=month, published=published)
                    .as_dict()
                )
            except UnreadableFile as exc:
                error = str(exc)
                if "nothing was imported" not in error:
                    error += "; nothing was imported"
                failures.append({"source": path.name, "error": error})
                print(f"[{n}/{len(paths)}] {path.name}: refused", file=sys.stderr)
                continue
            reports.append(report)
            print(
                f"[{n}/{len(paths)}] {path.name}: {report['period']} {report['outcome']}, "
                f"{report['organisations']} organisations, "
                f"{time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
        if options["json"]:
            self.stdout.write(json.dumps({"files": reports, "unreadable": failures}))
        else:
            for report in reports:
                self._describe(report)
            for failure in failures:
                self.stdout.write(failure["error"])
        if failures:
            raise CommandError(f"{len(failures)} of {len(paths)} files could not be read")

    def _describe(self, r: dict) -> None:
        out = self.stdout.write
        out(
            f"{r['source']} ({r['period']}, {r['layout']}): {r['outcome']}; read {r['read']}, "
            f"stored {r['stored']}, unchanged {r['unchanged']}, rejected {r['rejected']}"
        )
        if r["superseded"]:
            s = r["superseded"]
            out(f"  supersedes {s['source']} (as of {s['as_of'] or 'undated'})")
        for name, check in r["national_check"].items():
            if check["difference"] is None:
                out(f"  {name}: England row {check['stated']}, providers' sum not known")
            elif not check.get("agrees", check["difference"] == 0):
                out(
                    f"  {name}: England row {check['stated']}, providers add up to "
                    f"{check['computed']}"
                )
        if r["checks"]:
            c = r["checks"]
            out(f"  Table 3 against Table 2: {c['compared']} rows compared, {c['differ']} differ")
        out(f"  reconciles: {'yes' if r['reconciles'] else 'no'}")
        for p in r["rejections"]:
            out(f"  rejected {p['sheet']} line {p['line']}: {p['reason']}")
        for p in r["warnings"]:
            out(f"  warning {p['sheet']} line {p['line']}: {p['reason']}")
