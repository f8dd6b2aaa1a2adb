import json
import re
from datetime import date, datetime, time, timedelta

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db.models.functions import TruncDate
from django.utils import timezone

from homeward.cases.models import DischargeCase
from homeward.core.models import Organisation, OrganisationKind
from homeward.measures.drd import BANDS, DrdMeasures, drd_measures, round_1dp

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: str, option: str) -> date:
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} '{value}' is not a date: use YYYY-MM-DD") from None


def _organisation(kind: str, code: str, option: str) -> Organisation:
    found = Organisation.objects.filter(kind=kind, code=code.strip().upper()).first()
    if found is None:
        raise CommandError(f"{option}: no {OrganisationKind(kind).label.lower()} has code {code}")
    return found


class Command(BaseCommand):
    help = (
        "Discharge Ready Date measures for the cases discharged between two dates (inclusive, "
        "local time): % on the DRD, % delayed, average delay, delay bands and bed days."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--site", help="ODS code of one hospital site")
        parser.add_argument("--council", help="ONS code of one council")
        parser.add_argument("--json", action="store_true", help="print the measures as JSON")

    def handle(self, *args, start, end, site=None, council=None, **options):
        first, last = _day(start, "--from"), _day(end, "--to")
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}: give the earlier day first")
        tz = timezone.get_default_timezone()
        cases = DischargeCase.objects.filter(
            discharged_at__gte=timezone.make_aware(datetime.combine(first, time(0)), tz),
            discharged_at__lt=timezone.make_aware(
                datetime.combine(last + timedelta(days=1), time(0)), tz
            ),
        )
        if site:
            cases = cases.filter(site=_organisation(OrganisationKind.SITE, site, "--site"))
        if council:
            cases = cases.filter(
                council=_organisation(OrganisationKind.COUNCIL, council, "--council")
            )
        rows = list(
            cases.annotate(left=TruncDate("discharged_at", tzinfo=tz)).values_list(
                "discharge_ready_date", "left"
            )
        )
        ready = np.array([r for r, _ in rows], dtype="datetime64[D]")
        left = np.array([x for _, x in rows], dtype="datetime64[D]")
        try:
            result = drd_measures(ready, left)
        except ValueError as exc:
            raise CommandError(f"cannot measure: {exc}; correct those cases first") from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
        else:
            self._table(result, first, last)

    def _table(self, m: DrdMeasures, first: date, last: date) -> None:
        out = self.stdout.write
        out(f"Discharge Ready Date measures, discharges {first} to {last}")
        out(f"  discharges                          {m.discharges:>10,}")
        out(f"  discharged on their DRD             {round_1dp(m.pct_discharged_on_drd):>9.1f}%")
        out(f"    of which no DRD recorded          {m.missing_drd:>10,}")
        out(f"  discharged 1+ days after their DRD  {round_1dp(m.pct_delayed):>9.1f}%")
        out(f"  average delay (excl. 0-day delays)  {round_1dp(m.avg_delay_days_excl_zero):>10.1f}")
        out(f"  delayed bed days                    {m.delayed_bed_days:>10,}")
        out("")
        out(f"  {'delay (days)':<14}{'people':>10}{'% of discharges':>17}{'bed days':>11}")
        for name, *_ in BANDS:
            band = m.delay_bands[name]
            share = round_1dp(100 * band.people / m.discharges) if m.discharges else 0.0
            out(f"  {name:<14}{band.people:>10,}{share:>16.1f}%{band.bed_days:>11,}")
