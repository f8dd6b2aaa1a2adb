import datetime as dt
import json
import re

from django.core.management.base import BaseCommand, CommandError

from homeward.measures.definitions import ATTRIBUTIONS, REASONS, TYPES_OF_CARE
from homeward.measures.dtoc import ENGLAND, REASON_NAMES
from homeward.performance.queries import area_name, dtoc_measures

MONTH = re.compile(r"(\d{4})-(\d{2})")
AREA = re.compile(r"[EWSNK]\d{8}|\d{3,4}|[0-9A-Z]{4}")


def _month(value: str, option: str) -> dt.date:
    match = MONTH.fullmatch(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CommandError(f"{option} '{value}' is not a month: use YYYY-MM")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def _fmt(value, spec: str = ",") -> str:
    return "missing" if value is None else format(value, spec)


class Command(BaseCommand):
    help = (
        "Delayed transfers of care from the imported NHS England workbooks for one area and a "
        "run of months: delayed days, delayed beds per day, per 100,000 adults 18+, NHS / "
        "social care / both shares, by reason and by type of care. Missing data is listed, "
        "never counted as zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first month, YYYY-MM")
        parser.add_argument("--to", dest="end", required=True, help="last month, YYYY-MM")
        parser.add_argument(
            "--area", default=ENGLAND, help=f"ONS council code, or {ENGLAND} for England"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, start, end, area, **options):
        first, last = _month(start, "--from"), _month(end, "--to")
        if first > last:
            raise CommandError(f"--from {start} is after --to {end}: give the earlier month first")
        code = area.strip().upper()
        if not AREA.fullmatch(code):
            raise CommandError(f"--area '{area}' is not an ONS area code (like E08000009)")
        name = area_name(code)
        if name is None:
            raise CommandError(
                f"no DTOC figures or population estimates for area {code}: check the code or "
                "import the files (homeward import dtoc / homeward import population)"
            )
        result = dtoc_measures(code, first, last)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
        else:
            self._table(result, name)

    def _table(self, m, name: str) -> None:
        out = self.stdout.write
        d = m.as_dict()
        out(f"Delayed transfers of care, {name} ({m.area}), {d['from']} to {d['to']}")
        out(f"  delayed days                      {_fmt(m.delayed_days):>12}")
        out(f"  days (months with figures)        {m.days:>12,}")
        out(f"  delayed beds per day              {_fmt(m.delayed_beds_per_day, ',.1f'):>12}")
        out(f"  adults aged 18+                   {_fmt(m.adults_18_plus, ',.0f'):>12}")
        out(f"  per 100,000 adults                {_fmt(m.per_100k_adults, ',.2f'):>12}")
        out("  attributed to (% of delayed days)")
        labels = {"nhs": "NHS", "social_care": "social care", "both": "both"}
        for key in ATTRIBUTIONS:
            out(f"    {labels[key]:<32}{_fmt(m.attribution[key], '.1f'):>11}%")
        out("  by type of care (delayed days)")
        for key in TYPES_OF_CARE:
            out(f"    {key.replace('_', '-'):<32}{_fmt(m.by_field[key]):>12}")
        out("  by reason (delayed days)")
        for code in REASONS:
            label = f"{code:<4}{REASON_NAMES[code]}"
            out(f"    {label:<56}{_fmt(m.by_field[code]):>12}")
        missing = d["missing"]
        if missing["months"]:
            out(f"  no figures for this area in: {', '.join(missing['months'])}")
        if missing["figures"]:
            cells = ", ".join(f"{c['month']} {c['field']}" for c in missing["figures"])
            out(f"  missing in the files (not counted as zero): {cells}")
        if missing["not_collected"]:
            fields = sorted({c["field"] for c in missing["not_collected"]})
            out(f"  not collected in every month (so not totalled): {', '.join(fields)}")
        if missing["population_years"]:
            years = ", ".join(str(y) for y in missing["population_years"])
            out(f"  no population estimate loaded for mid-{years}: no rate per 100,000")
