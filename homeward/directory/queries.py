"""Organisation-scoped reads of the care market directory.

The directory itself is public CQC information, so every member of a Homeward organisation may
search it; what a user may *change* is narrower (see `editable_offers`, `flaggable_locations`)."""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from homeward.core import clock
from homeward.core.access import Actor
from homeward.core.models import Organisation, OrganisationKind, Role
from homeward.directory.models import CareType, Location, ServiceOffer, put_forward_q
from homeward.matching.model import EARTH_RADIUS_KM


@dataclass(frozen=True)
class Criteria:
    """What a person is looking for in the directory. Empty values mean 'any'."""

    council: str = ""
    care_type: str = ""
    specialism: str = ""
    rating: str = ""
    available_now: bool = False
    include_inactive: bool = False
    name: str = ""
    near: tuple[float, float] | None = None
    radius_km: float | None = None


@dataclass
class SearchResult:
    locations: list[Location]
    total: int
    distances: dict[int, float] = field(default_factory=dict)


def fresh_q(at=None, prefix: str = "") -> Q:
    """Offers whose latest capacity figure is younger than its care type's threshold."""
    at = at or clock.now()
    q = Q(pk__in=[])
    for code, hours in CareType.objects.values_list("code", "stale_after_hours"):
        q |= Q(
            **{
                f"{prefix}care_type_id": code,
                f"{prefix}latest_report__reported_at__gte": at - timedelta(hours=hours),
            }
        )
    return q


def available_offer_q(at=None, prefix: str = "", *, check_location: bool = True) -> Q:
    """Offers that can take someone now: fresh, open, with a free bed or hour, and (unless
    the caller checks locations itself) at a location that is put forward."""
    free = Q(**{f"{prefix}latest_report__beds_free__gt": 0}) | Q(
        **{f"{prefix}latest_report__hours_free__gt": 0}
    )
    q = (
        Q(**{f"{prefix}active": True})
        & Q(**{f"{prefix}latest_report__closed_to_admissions": False})
        & free
        & fresh_q(at, prefix)
    )
    return q & put_forward_q(f"{prefix}location__") if check_location else q


def bounds(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """South, north, west and east limits of the smallest latitude/longitude box holding every
    point within `radius_km` of (lat, lon) on the sphere. The widest longitude of a circle lies
    poleward of its centre, so the half-width is asin(sin d / cos lat), not d / cos lat."""
    angle = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    reach = math.sin(angle) / max(math.cos(math.radians(lat)), 1e-9)
    dlon = 180.0 if reach >= 1 else math.degrees(math.asin(reach))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def _bounding_box(lat: float, lon: float, radius_km: float) -> Q:
    south, north, west, east = bounds(lat, lon, radius_km)
    return Q(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance by the haversine formula."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _filtered(actor: Actor, criteria: Criteria) -> QuerySet[Location]:
    qs = Location.objects.all()
    if not criteria.include_inactive:
        qs = qs.filter(active=True)
    if criteria.council:
        # Resolve the code first: filtering through the join makes SQLite scan every location.
        council_id = (
            Organisation.objects.filter(kind=OrganisationKind.COUNCIL, code=criteria.council)
            .values_list("pk", flat=True)
            .first()
        )
        qs = qs.filter(council_id=council_id) if council_id else qs.none()
    if criteria.rating:
        qs = qs.filter(rating=criteria.rating)
    if criteria.specialism:
        qs = qs.filter(specialisms__icontains=f'"{criteria.specialism}"')
    if criteria.name:
        qs = qs.filter(name__icontains=criteria.name)
    if criteria.care_type or criteria.available_now:
        offers = ServiceOffer.objects.filter(active=True)
        if criteria.care_type:
            offers = offers.filter(care_type_id=criteria.care_type)
        if criteria.available_now:
            qs = qs.filter(put_forward_q())
            offers = offers.filter(available_offer_q(check_location=False))
        # Within one council a correlated EXISTS is fastest; across England, a semi-join.
        if criteria.council:
            qs = qs.filter(Exists(offers.filter(location=OuterRef("pk"))))
        else:
            qs = qs.filter(pk__in=offers.values("location_id"))
    if criteria.near and criteria.radius_km:
        qs = qs.filter(_bounding_box(*criteria.near, criteria.radius_km))
    return qs


def _with_offers(qs: QuerySet[Location]) -> QuerySet[Location]:
    offers = ServiceOffer.objects.select_related("care_type", "latest_report").order_by(
        "care_type__sort_order", "area"
    )
    return qs.select_related("council", "provider").prefetch_related(
        Prefetch("offers", queryset=offers)
    )


def search(actor: Actor, criteria: Criteria, *, offset: int = 0, limit: int = 50) -> SearchResult:
    """One page of matching locations, nearest first when a position is given."""
    qs = _filtered(actor, criteria)
    if criteria.near and criteria.radius_km:
        lat, lon = criteria.near
        within = []
        for pk, llat, llon in qs.exclude(lat=None).values_list("pk", "lat", "lon"):
            d = distance_km(lat, lon, llat, llon)
            if d <= criteria.radius_km:
                within.append((d, pk))
        within.sort()
        page = within[offset : offset + limit]
        by_pk = _with_offers(Location.objects.filter(pk__in=[pk for _, pk in page])).in_bulk()
        return SearchResult(
            locations=[by_pk[pk] for _, pk in page],
            total=len(within),
            distances={pk: d for d, pk in page},
        )
    total = qs.count()
    page = list(_with_offers(qs.order_by("name", "pk"))[offset : offset + limit])
    return SearchResult(locations=page, total=total)


def location(actor: Actor, cqc_id: str) -> Location:
    """One location by CQC ID; inactive ones stay visible so their history can be read."""
    found = _with_offers(Location.objects.filter(cqc_id=cqc_id)).first()
    if found is None:
        raise Http404("No such location")
    return found


def editable_offers(actor: Actor) -> QuerySet[ServiceOffer]:
    """Offers whose capacity the actor may report: their own provider's, or any for admins."""
    qs = ServiceOffer.objects.select_related("location", "care_type", "latest_report").filter(
        active=True, location__active=True
    )
    if actor.is_admin:
        return qs
    if actor.role != Role.PROVIDER_MANAGER or actor.organisation is None:
        return qs.none()
    return qs.filter(location__provider=actor.organisation)


def home_care_locations(actor: Actor) -> QuerySet[Location]:
    """Active home-care agencies whose areas the actor may extend."""
    ids = editable_offers(actor).filter(care_type_id="home-care").values("location_id")
    return Location.objects.filter(pk__in=ids).order_by("name")


def editable_offer(actor: Actor, offer_id: int) -> ServiceOffer:
    found = editable_offers(actor).filter(pk=offer_id).first()
    if found is None:
        raise Http404("No such offer")
    return found


def flaggable_locations(actor: Actor) -> QuerySet[Location]:
    """Locations whose compliance the actor may set: a commissioner's own council's."""
    if actor.is_admin:
        return Location.objects.all()
    if actor.role != Role.COMMISSIONER or actor.organisation is None:
        return Location.objects.none()
    return Location.objects.filter(council=actor.organisation)


def flaggable_location(actor: Actor, cqc_id: str) -> Location:
    found = flaggable_locations(actor).filter(cqc_id=cqc_id).first()
    if found is None:
        raise Http404("No such location")
    return found


def is_fresh(offer: ServiceOffer, at=None) -> bool:
    report = offer.latest_report
    if report is None:
        return False
    at = at or clock.now()
    return report.reported_at >= at - timedelta(hours=offer.care_type.stale_after_hours)


def is_available(offer: ServiceOffer, at=None) -> bool:
    report = offer.latest_report
    return bool(
        offer.active
        and report is not None
        and not report.closed_to_admissions
        and (report.amount or 0) > 0
        and is_fresh(offer, at)
        and offer.location.put_forward
    )
