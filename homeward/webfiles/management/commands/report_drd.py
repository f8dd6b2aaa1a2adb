import json

from django.core.management.base import BaseCommand, CommandError

from homeward.measures.drd import BAND_NAMES
from homeward.webfiles.commands import month_option
from homeward.webfiles.models import Kind
from homeward.webfiles.queries import SCALARS, current_release, drd_comparison

LABELS = {
    "discharges": "discharges",
    "pct_discharged_on_drd": "% discharged on their DRD",
    "pct_delayed": "% discharged 1+ days after",
    "avg_delay_days_excl_zero": "average delay (excl. 0-day)",
    "delayed_bed_days": "delayed bed days",
}


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


class Command(BaseCommand):
    help = (
        "The Discharge Ready Date measures NHS England published for a month (the imported "
        "webfile) next to the same measures computed from Homeward's own cases, per trust; "
        "Homeward's side is null where it has no discharges for that trust and month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--org", help="one organisation's code as in the file (e.g. R0A)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, month, org=None, **options):
        first = month_option(month)
        release = current_release(Kind.DRD, first)
        if release is None:
            raise CommandError(
                f"no Discharge Ready Date webfile imported for {first:%Y-%m}: "
                "run homeward import drd_webfile PATH"
            )
        result = drd_comparison(first, release, org.strip() if org else None)
        if org and not result["organisations"]:
            raise CommandError(f"--org {org}: no row with that code in {release.source}")
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        out = self.stdout.write
        out(f"Discharge Ready Date measures, {result['month']}: {release.source} vs Homeward")
        for entry in result["organisations"]:
            mine = entry["homeward"] or {}
            out(f"{entry['code']} {entry['name']} ({entry['level']})")
            out(f"  {'':<30}{'published':>12}{'Homeward':>12}")
            for key in SCALARS:
                out(
                    f"  {LABELS[key]:<30}{_fmt(entry['published'][key]):>12}"
                    f"{_fmt(mine.get(key)):>12}"
                )
            for band in BAND_NAMES:
                theirs = entry["published"]["delay_bands"].get(band, {})
                ours = mine.get("delay_bands", {}).get(band, {})
                out(
                    f"  {'delay ' + band + ' days, %':<30}{_fmt(theirs.get('pct')):>12}"
                    f"{_fmt(ours.get('pct')):>12}"
                )
            if "homeward_error" in entry:
                out(f"  Homeward: {entry['homeward_error']}")
