"""Directory and capacity API: search, one location, report capacity, bulk upload, compliance."""

from datetime import datetime
from decimal import Decimal

from ninja import File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from homeward.core.access import actor_for
from homeward.core.postcodes import InvalidPostcode, locate
from homeward.directory import capacity_upload, queries, services
from homeward.directory.models import (
    CapacitySource,
    ComplianceState,
    Location,
    ServiceOffer,
    hold_back_reasons,
)

router = Router(tags=["directory"])


class CapacityOut(Schema):
    beds_free: int | None
    hours_free: Decimal | None
    closed_to_admissions: bool
    reported_at: datetime
    source: str


class OfferOut(Schema):
    id: int
    care_type: str
    area: str
    capabilities: list[str]
    weekly_price: Decimal | None
    latest: CapacityOut | None
    fresh: bool
    available_now: bool


class LocationOut(Schema):
    cqc_id: str
    name: str
    provider: str
    council_code: str | None
    council: str | None
    postcode: str
    lat: float | None
    lon: float | None
    care_home: bool
    beds: int | None
    rating: str
    specialisms: list[str]
    active: bool
    put_forward: bool
    not_put_forward_because: list[str]
    distance_km: float | None = None
    offers: list[OfferOut]


class SearchOut(Schema):
    total: int
    results: list[LocationOut]


class SearchIn(Schema):
    council: str = ""
    care_type: str = ""
    specialism: str = ""
    rating: str = ""
    available_now: bool = False
    name: str = ""
    postcode: str = ""
    radius_km: float | None = None
    offset: int = 0
    limit: int = 50


class CapacityIn(Schema):
    beds_free: int | None = None
    hours_free: Decimal | None = None
    closed_to_admissions: bool = False


class ComplianceIn(Schema):
    state: str
    reason: str


class Problem(Schema):
    detail: str


class UploadOut(Schema):
    read: int
    stored: int
    rejected: int
    rejections: list[dict]


def _offer_out(offer: ServiceOffer) -> OfferOut:
    report = offer.latest_report
    return OfferOut(
        id=offer.pk,
        care_type=offer.care_type_id,
        area=offer.area,
        capabilities=offer.capabilities,
        weekly_price=offer.weekly_price,
        latest=CapacityOut.model_validate(report, from_attributes=True) if report else None,
        fresh=queries.is_fresh(offer),
        available_now=queries.is_available(offer),
    )


def _location_out(loc: Location, distance: float | None = None) -> LocationOut:
    return LocationOut(
        cqc_id=loc.cqc_id,
        name=loc.name,
        provider=loc.provider.name,
        council_code=loc.council.code if loc.council else None,
        council=loc.council.name if loc.council else None,
        postcode=loc.postcode,
        lat=loc.lat,
        lon=loc.lon,
        care_home=loc.care_home,
        beds=loc.beds,
        rating=loc.rating,
        specialisms=loc.specialisms,
        active=loc.active,
        put_forward=loc.put_forward,
        not_put_forward_because=hold_back_reasons(loc),
        distance_km=round(distance, 2) if distance is not None else None,
        offers=[_offer_out(o) for o in loc.offers.all()],
    )


@router.get("/locations", response={200: SearchOut, 400: Problem})
def search_locations(request, params: Query[SearchIn]):
    """Search the directory with the same filters as the directory page."""
    actor = actor_for(request.user)
    if not 1 <= params.limit <= 200 or params.offset < 0:
        raise HttpError(400, "limit must be 1 to 200 and offset not negative")
    near = None
    if params.radius_km is not None:
        if not params.postcode:
            raise HttpError(400, "radius_km needs a postcode")
        if not 0 < params.radius_km <= 200:
            raise HttpError(400, "radius_km must be more than 0 and at most 200")
        try:
            position = locate(params.postcode)
        except InvalidPostcode as exc:
            raise HttpError(400, str(exc)) from exc
        near = (position.lat, position.lon)
    criteria = queries.Criteria(
        council=params.council,
        care_type=params.care_type,
        specialism=params.specialism,
        rating=params.rating,
        available_now=params.available_now,
        name=params.name,
        near=near,
        radius_km=params.radius_km if near else None,
    )
    result = queries.search(actor, criteria, offset=params.offset, limit=params.limit)
    return SearchOut(
        total=result.total,
        results=[_location_out(loc, result.distances.get(loc.pk)) for loc in result.locations],
    )


@router.get("/locations/{cqc_id}", response=LocationOut)
def get_location(request, cqc_id: str):
    return _location_out(queries.location(actor_for(request.user), cqc_id))


@router.get("/offers", response=list[OfferOut])
def my_offers(request):
    """The offers whose capacity you may report."""
    offers = queries.editable_offers(actor_for(request.user)).order_by("pk")[:1000]
    return [_offer_out(o) for o in offers]


def _report(request, offer_id: int, payload: CapacityIn):
    actor = actor_for(request.user)
    offer = queries.editable_offer(actor, offer_id)
    try:
        services.report_capacity(
            actor=actor,
            offer=offer,
            beds_free=payload.beds_free,
            hours_free=payload.hours_free,
            closed_to_admissions=payload.closed_to_admissions,
            source=CapacitySource.API,
        )
    except services.CapacityError as exc:
        raise HttpError(400, str(exc)) from exc
    return Status(201, _offer_out(offer))


@router.put("/offers/{offer_id}/capacity", response={201: OfferOut, 400: Problem, 404: Problem})
def put_capacity(request, offer_id: int, payload: CapacityIn):
    """Replace the offer's current capacity figure (history is kept)."""
    return _report(request, offer_id, payload)


@router.post(
    "/offers/{offer_id}/capacity-reports", response={201: OfferOut, 400: Problem, 404: Problem}
)
def post_capacity(request, offer_id: int, payload: CapacityIn):
    """Add a capacity report for the offer."""
    return _report(request, offer_id, payload)


@router.post("/capacity/upload", response={200: UploadOut, 400: Problem})
def upload_capacity(request, file: File[UploadedFile]):
    """Bulk vacancies in the Capacity Tracker export layout."""
    actor = actor_for(request.user)
    try:
        result = capacity_upload.upload(actor=actor, data=file.read())
    except capacity_upload.UnreadableUpload as exc:
        raise HttpError(400, f"the file could not be read: {exc}; nothing was changed") from exc
    return UploadOut(
        read=result.read,
        stored=result.stored,
        rejected=len(result.rejections),
        rejections=result.rejections,
    )


@router.post("/locations/{cqc_id}/compliance", response={200: LocationOut, 400: Problem})
def set_compliance(request, cqc_id: str, payload: ComplianceIn):
    """Mark a location under investigation, on an action plan, or cleared."""
    actor = actor_for(request.user)
    location = queries.flaggable_location(actor, cqc_id)
    if payload.state not in ComplianceState.values or payload.state == ComplianceState.NONE:
        raise HttpError(400, "state must be under_investigation, action_plan or cleared")
    try:
        services.set_compliance(
            actor=actor, location=location, state=payload.state, reason=payload.reason
        )
    except ValueError as exc:
        raise HttpError(400, str(exc)) from exc
    return _location_out(queries.location(actor, cqc_id))
