"""The thin adapter between the database and the pure matching core: a case's needs become a
`Need`, the directory's offers of that care type become an `OfferTable`."""

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Q

from homeward.brokerage.models import Referral
from homeward.cases.models import DischargeCase
from homeward.core import clock
from homeward.core.postcodes import InvalidPostcode, locate
from homeward.directory.models import CareType, Location, ServiceOffer, hold_back_reasons
from homeward.matching.model import Need, OfferRow, OfferTable

# Home-care hours a typical new package needs each week, to turn free hours into people.
HOURS_PER_PACKAGE = Decimal(10)
# Providers' answering record is measured over this window.
RESPONSE_WINDOW = timedelta(days=90)
# The longest a cached offer table lives before it is rebuilt from scratch.
REBUILD_AFTER = 600.0


class CannotMatch(ValueError):
    """The case lacks what matching needs; the message says what to record."""


def need_for(case: DischargeCase, radius_km: float) -> Need:
    if case.care_type_id is None:
        raise CannotMatch("record the care needed before looking for a provider")
    lat = lon = None
    if case.home_postcode:
        try:
            position = locate(case.home_postcode)
            lat, lon = position.lat, position.lon
        except InvalidPostcode as exc:
            raise CannotMatch(f"the home postcode cannot be placed: {exc}") from exc
    elif case.care_type.bed_based:
        raise CannotMatch("record the home postcode to search by distance")
    return Need(
        care_type=case.care_type_id,
        lat=lat,
        lon=lon,
        radius_km=radius_km,
        specialisms=tuple(case.specialisms),
        capabilities=tuple(case.capabilities),
        funding_route=case.funding_route,
        weekly_budget=float(case.weekly_budget) if case.weekly_budget else None,
        home_area=case.council.name if case.council else "",
        preferred_location_ids=preferred_locations(case),
        case_id=case.pk,
    )


def preferred_locations(case: DischargeCase) -> tuple[int, ...]:
    """Locations offering the case's care in the areas the person would like to be: a named
    council, or a postcode district or sector ("M33", "M33 7")."""
    areas = [a.strip() for a in case.preferred_areas if a.strip()]
    if not areas:
        return ()
    wanted = Q(council__name__in=areas)
    for area in areas:
        prefix = area if " " in area else f"{area} "
        wanted |= Q(postcode__istartswith=prefix)
    found = Location.objects.filter(wanted, offers__care_type_id=case.care_type_id, active=True)
    return tuple(found.values_list("pk", flat=True).distinct())


def _vacancies(offer: ServiceOffer) -> int:
    report = offer.latest_report
    if report is None:
        return 0
    if report.beds_free is not None:
        return report.beds_free
    return int((report.hours_free or 0) // HOURS_PER_PACKAGE)


def response_rates(since: datetime) -> dict[int, float]:
    """Per provider organisation, the share of referrals due since `since` that it answered
    before their deadline. Providers with no such referral are left out (counted as unknown)."""
    due = Referral.objects.filter(deadline__gte=since, deadline__lte=clock.now())
    rows = due.values("provider_id").annotate(
        total=Count("id"),
        answered=Count("id", filter=Q(responded_at__isnull=False, responded_at__lte=F("deadline"))),
    )
    return {r["provider_id"]: r["answered"] / r["total"] for r in rows}


def _row(offer: ServiceOffer, rates: dict[int, float]) -> OfferRow:
    location = offer.location
    report = offer.latest_report
    return OfferRow(
        offer_id=offer.pk,
        location_id=offer.location_id,
        care_type=offer.care_type_id,
        lat=location.lat,
        lon=location.lon,
        vacancies=_vacancies(offer),
        reported_at=report.reported_at if report else None,
        closed=bool(report and report.closed_to_admissions),
        capabilities=tuple(offer.capabilities),
        specialisms=tuple(location.specialisms),
        weekly_price=float(offer.weekly_price) if offer.weekly_price is not None else None,
        rating=location.rating,
        hold_back=tuple(hold_back_reasons(location)),
        area=offer.area,
        response_rate=rates.get(location.provider_id),
        name=location.name,
    )


def _offers(care_type: str):
    return ServiceOffer.objects.filter(
        care_type_id=care_type, active=True, location__active=True
    ).select_related("location", "latest_report")


def build_table(care_type: str) -> OfferTable:
    """Every active offer of one care type with its location and latest report."""
    rates = response_rates(clock.now() - RESPONSE_WINDOW)
    rows = [_row(o, rates) for o in _offers(care_type)]
    stale = dict(CareType.objects.values_list("code", "stale_after_hours"))
    return OfferTable.from_rows(rows, stale_after_hours={k: float(v) for k, v in stale.items()})


@dataclass
class _Cached:
    table: OfferTable
    shape: tuple
    last_report: int
    built_at: float


class OfferCache:
    """The offer table of each care type, built once per process and kept current.

    Each use costs one aggregate query. When only new capacity reports have arrived, just
    those offers are updated in place (`OfferTable.set_capacity`); when anything else about
    the care type's offers changed (an offer added or withdrawn, a location's rating or
    compliance, the staleness threshold) the table is rebuilt, and in any case every
    REBUILD_AFTER seconds so providers' response rates stay current."""

    def __init__(self) -> None:
        self._tables: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()

    def table(self, care_type: str) -> OfferTable:
        stamp = ServiceOffer.objects.filter(care_type_id=care_type).aggregate(
            offers=Count("id", filter=Q(active=True, location__active=True)),
            top=Max("id"),
            located=Max("location__updated_at"),
            report=Max("latest_report_id"),
            stale=Max("care_type__stale_after_hours"),
        )
        shape = (stamp["offers"], stamp["top"], stamp["located"], stamp["stale"])
        last_report = stamp["report"] or 0
        with self._lock:
            cached = self._tables.get(care_type)
            fresh = cached is not None and time.monotonic() - cached.built_at < REBUILD_AFTER
            if fresh and cached.shape == shape:
                if last_report != cached.last_report:
                    self._catch_up(cached, care_type, last_report)
                return cached.table
            table = build_table(care_type)
            self._tables[care_type] = _Cached(table, shape, last_report, time.monotonic())
            return table

    @staticmethod
    def _catch_up(cached: _Cached, care_type: str, last_report: int) -> None:
        newer = _offers(care_type).filter(latest_report_id__gt=cached.last_report)
        for offer in newer:
            report = offer.latest_report
            cached.table.set_capacity(
                offer.pk, _vacancies(offer), report.reported_at, report.closed_to_admissions
            )
        cached.last_report = last_report


OFFERS = OfferCache()


def offer_table(care_type: str) -> OfferTable:
    """The current offer table of one care type (cached; see `OfferCache`)."""
    return OFFERS.table(care_type)
