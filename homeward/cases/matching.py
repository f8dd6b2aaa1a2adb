"""The thin adapter between the database and the pure matching core: a case's needs become a
`Need`, the directory's offers of that care type become an `OfferTable`."""

from decimal import Decimal

from homeward.cases.models import DischargeCase
from homeward.core.postcodes import InvalidPostcode, locate
from homeward.directory.models import CareType, ServiceOffer, hold_back_reasons
from homeward.matching.model import Need, OfferRow, OfferTable

# Home-care hours a typical new package needs each week, to turn free hours into people.
HOURS_PER_PACKAGE = Decimal(10)


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
        case_id=case.pk,
    )


def _vacancies(offer: ServiceOffer) -> int:
    report = offer.latest_report
    if report is None:
        return 0
    if report.beds_free is not None:
        return report.beds_free
    return int((report.hours_free or 0) // HOURS_PER_PACKAGE)


def offer_table(care_type: str) -> OfferTable:
    """Every active offer of one care type with its location and latest report."""
    offers = ServiceOffer.objects.filter(
        care_type_id=care_type, active=True, location__active=True
    ).select_related("location", "latest_report")
    rows = [
        OfferRow(
            offer_id=o.pk,
            location_id=o.location_id,
            care_type=o.care_type_id,
            lat=o.location.lat,
            lon=o.location.lon,
            vacancies=_vacancies(o),
            reported_at=o.latest_report.reported_at if o.latest_report else None,
            closed=bool(o.latest_report and o.latest_report.closed_to_admissions),
            capabilities=tuple(o.capabilities),
            specialisms=tuple(o.location.specialisms),
            weekly_price=float(o.weekly_price) if o.weekly_price is not None else None,
            rating=o.location.rating,
            hold_back=tuple(hold_back_reasons(o.location)),
            area=o.area,
        )
        for o in offers
    ]
    stale = dict(CareType.objects.values_list("code", "stale_after_hours"))
    return OfferTable.from_rows(rows, stale_after_hours={k: float(v) for k, v in stale.items()})
