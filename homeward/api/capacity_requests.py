"""Capacity requests API: commissioners send and close requests and read every answer;
provider managers read the open market and send (or replace) their own answer.

Scoping is `homeward.brokerage.capacity_requests`: another organisation's request, or a role
with no part in capacity requests, answers 404; a provider never sees another's answer."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from homeward.brokerage import capacity_requests as service
from homeward.brokerage.models import CapacityOffer, CapacityRequest
from homeward.core.access import actor_for
from homeward.directory.models import CareType

router = Router(tags=["capacity requests"])


class Problem(Schema):
    detail: str


class ContactOut(Schema):
    name: str
    email: str
    phone: str


class LocationRef(Schema):
    cqc_id: str
    name: str


class CapacityOfferOut(Schema):
    provider: str
    provider_code: str
    location: LocationRef | None
    volume: int
    weekly_price: Decimal | None
    available_from: date
    note: str
    offered_at: datetime


class CapacityRequestOut(Schema):
    id: int
    organisation: str
    care_type: str
    care_type_name: str
    description: str
    area: str
    volume: int
    unit: str
    start_date: date
    end_date: date
    respond_by: datetime
    contact: ContactOut
    state: str
    taking_answers: bool
    created_at: datetime
    # How many providers answered: shown to the requesting organisation only.
    offer_count: int | None = None


class CapacityRequestDetail(CapacityRequestOut):
    # Every answer for the requesting organisation; a provider's own answer only.
    offers: list[CapacityOfferOut]


class CapacityRequestIn(Schema):
    care_type: str
    description: str
    area: str
    volume: int
    unit: str
    start_date: date
    end_date: date
    respond_by: datetime
    contact_name: str
    contact_email: str
    contact_phone: str = ""


class CapacityOfferIn(Schema):
    volume: int
    available_from: date
    weekly_price: Decimal | None = None
    location: str | None = None  # CQC location ID of one of your own locations
    note: str = ""


def _out(request: CapacityRequest) -> CapacityRequestOut:
    return CapacityRequestOut(**_fields(request))


def _fields(request: CapacityRequest) -> dict:
    return {
        "id": request.pk,
        "organisation": request.organisation.name,
        "care_type": request.care_type_id,
        "care_type_name": request.care_type.name,
        "description": request.description,
        "area": request.area,
        "volume": request.volume,
        "unit": request.unit,
        "start_date": request.start_date,
        "end_date": request.end_date,
        "respond_by": request.respond_by,
        "contact": ContactOut(
            name=request.contact_name, email=request.contact_email, phone=request.contact_phone
        ),
        "state": request.state,
        "taking_answers": service.taking_answers(request),
        "created_at": request.created_at,
        "offer_count": getattr(request, "offer_count", None),
    }


def _offer_out(offer: CapacityOffer) -> CapacityOfferOut:
    location = offer.location
    return CapacityOfferOut(
        provider=offer.provider.name,
        provider_code=offer.provider.code,
        location=LocationRef(cqc_id=location.cqc_id, name=location.name) if location else None,
        volume=offer.volume,
        weekly_price=offer.weekly_price,
        available_from=offer.available_from,
        note=offer.note,
        offered_at=offer.offered_at,
    )


def _detail(actor, request_id: int) -> CapacityRequestDetail:
    found = service.visible_request(actor, request_id)
    offers = service.visible_offers(actor, found)
    return CapacityRequestDetail(**_fields(found), offers=[_offer_out(o) for o in offers])


@router.get("/capacity-requests", response={200: list[CapacityRequestOut], 404: Problem})
def list_requests(request):
    """Your organisation's requests (commissioners), or the open market (providers)."""
    actor = actor_for(request.user)
    return [_out(r) for r in service.visible_requests(actor)[:500]]


@router.post(
    "/capacity-requests", response={201: CapacityRequestDetail, 400: Problem, 404: Problem}
)
def create_request(request, payload: CapacityRequestIn):
    """Send a capacity request to the market (commissioners and brokers of a council or ICB)."""
    actor = actor_for(request.user)
    if not service.may_commission(actor):
        raise HttpError(404, "Not found")
    care_type = CareType.objects.filter(pk=payload.care_type).first()
    if care_type is None:
        known = ", ".join(CareType.objects.values_list("code", flat=True))
        raise HttpError(400, f"unknown care_type {payload.care_type!r} (known: {known})")
    respond_by = payload.respond_by
    if timezone.is_naive(respond_by):
        respond_by = timezone.make_aware(respond_by)
    fields = payload.dict(exclude={"care_type", "respond_by"})
    terms = service.RequestTerms(care_type=care_type, respond_by=respond_by, **fields)
    try:
        created = service.create_request(actor=actor, terms=terms)
    except service.CapacityRequestError as exc:
        raise HttpError(400, str(exc)) from exc
    return Status(201, _detail(actor, created.pk))


@router.get("/capacity-requests/{request_id}", response={200: CapacityRequestDetail, 404: Problem})
def get_request(request, request_id: int):
    """One request with the answers you may see."""
    return _detail(actor_for(request.user), request_id)


@router.post(
    "/capacity-requests/{request_id}/close",
    response={200: CapacityRequestDetail, 400: Problem, 404: Problem},
)
def close_request(request, request_id: int):
    """Stop taking answers (the requesting organisation only)."""
    actor = actor_for(request.user)
    found = service.owned_request(actor, request_id)
    try:
        service.close_request(actor=actor, request=found)
    except service.CapacityRequestError as exc:
        raise HttpError(400, str(exc)) from exc
    return _detail(actor, request_id)


@router.put(
    "/capacity-requests/{request_id}/offer",
    response={200: CapacityOfferOut, 400: Problem, 404: Problem},
)
def offer_capacity(request, request_id: int, payload: CapacityOfferIn):
    """Send your provider's answer; sending again replaces it while the request takes answers."""
    actor = actor_for(request.user)
    found = service.answerable_request(actor, request_id)
    location = None
    if payload.location:
        location = service.offer_locations(actor).filter(cqc_id=payload.location).first()
        if location is None:
            raise HttpError(400, f"location {payload.location!r} is not one of your locations")
    terms = service.OfferTerms(
        volume=payload.volume,
        available_from=payload.available_from,
        weekly_price=payload.weekly_price,
        location=location,
        note=payload.note,
    )
    try:
        offer = service.offer_capacity(actor=actor, request=found, terms=terms)
    except service.CapacityRequestError as exc:
        raise HttpError(400, str(exc)) from exc
    return _offer_out(offer)
