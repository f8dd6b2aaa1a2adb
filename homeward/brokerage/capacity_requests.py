"""Capacity requests: a commissioner asks the market for capacity and providers answer.

Writes (`create_request`, `close_request`, `offer_capacity`) each run in one transaction,
name the acting user and write their audit row in that transaction. Reads are scoped:

- a commissioner or broker of a council or ICB sees their own organisation's requests with
  every answer;
- a provider manager sees the market (open requests still taking answers) and any request it
  has answered, with only its own answer; never another provider's, nor how many answered;
- anyone else, or anything outside that, gets 404.

A provider answers once per request; answering again, while the request is open and before its
deadline, replaces the earlier answer (the audit keeps both), so a provider can correct itself
without the commissioner seeing two rows for one organisation."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from homeward.brokerage.models import (
    CapacityOffer,
    CapacityRequest,
    CapacityRequestState,
    CapacityUnit,
)
from homeward.core import audit, clock
from homeward.core.access import Actor
from homeward.core.models import OrganisationKind, Role
from homeward.directory.models import CareType, Location, ServiceOffer

COMMISSIONING_ROLES = (Role.COMMISSIONER, Role.BROKER)
COMMISSIONING_KINDS = (OrganisationKind.COUNCIL, OrganisationKind.ICB)
MAX_VOLUME = 10_000
MAX_WEEKLY_PRICE = Decimal("100000")


class CapacityRequestError(ValueError):
    """A request or answer that cannot be accepted; `field` names the input to fix."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def may_commission(actor: Actor) -> bool:
    """Commissioners and brokers of a council or ICB send capacity requests."""
    return (
        actor.role in COMMISSIONING_ROLES
        and actor.organisation is not None
        and actor.organisation.kind in COMMISSIONING_KINDS
    )


def may_offer(actor: Actor) -> bool:
    """Provider managers answer capacity requests for their provider."""
    return (
        actor.role == Role.PROVIDER_MANAGER
        and actor.organisation is not None
        and actor.organisation.kind == OrganisationKind.PROVIDER
    )


def taking_answers(request: CapacityRequest, at: datetime | None = None) -> bool:
    """Open and before its respond-by time."""
    return request.state == CapacityRequestState.OPEN and (at or clock.now()) < request.respond_by


# Reads


def visible_requests(actor: Actor) -> QuerySet[CapacityRequest]:
    """The requests the actor may see, newest first; 404 for roles with no part in them.

    Commissioners' rows carry `offer_count`; providers' rows carry `answered` (their own)."""
    base = CapacityRequest.objects.select_related("organisation", "care_type")
    if may_commission(actor):
        return base.filter(organisation=actor.organisation).annotate(offer_count=Count("offers"))
    if may_offer(actor):
        own = CapacityOffer.objects.filter(request=OuterRef("pk"), provider=actor.organisation)
        market = Q(state=CapacityRequestState.OPEN, respond_by__gt=clock.now())
        return base.annotate(answered=Exists(own)).filter(market | Q(answered=True))
    raise Http404("Not found")


def visible_request(actor: Actor, request_id: int) -> CapacityRequest:
    found = visible_requests(actor).filter(pk=request_id).first()
    if found is None:
        raise Http404("No such capacity request")
    return found


def owned_request(actor: Actor, request_id: int) -> CapacityRequest:
    """A request of the actor's own organisation, for closing it."""
    if not may_commission(actor):
        raise Http404("Not found")
    return visible_request(actor, request_id)


def answerable_request(actor: Actor, request_id: int) -> CapacityRequest:
    """A request the actor's provider may answer (or see its answer to)."""
    if not may_offer(actor):
        raise Http404("Not found")
    return visible_request(actor, request_id)


def visible_offers(actor: Actor, request: CapacityRequest) -> list[CapacityOffer]:
    """Every answer for the requesting organisation; only its own answer for a provider."""
    offers = CapacityOffer.objects.filter(request=request).select_related(
        "provider", "location", "offered_by"
    )
    if may_commission(actor) and request.organisation_id == actor.organisation.pk:
        return list(offers)
    if may_offer(actor):
        return list(offers.filter(provider=actor.organisation))
    raise Http404("Not found")


def own_offer(actor: Actor, request: CapacityRequest) -> CapacityOffer | None:
    if not may_offer(actor):
        return None
    return CapacityOffer.objects.filter(request=request, provider=actor.organisation).first()


def provider_care_types(actor: Actor) -> set[str]:
    """The care types the actor's provider offers, to point it at the requests it can meet."""
    if not may_offer(actor):
        return set()
    return set(
        ServiceOffer.objects.filter(
            location__provider=actor.organisation, location__active=True, active=True
        ).values_list("care_type_id", flat=True)
    )


def offer_locations(actor: Actor) -> QuerySet[Location]:
    """The active locations of the actor's provider, for naming where capacity would be."""
    if not may_offer(actor):
        return Location.objects.none()
    return Location.objects.filter(provider=actor.organisation, active=True).order_by("name")


# Writes


@dataclass(frozen=True)
class RequestTerms:
    """What a commissioner asks for: exactly what care, where, how much, when, and who to call."""

    care_type: CareType
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

    def check(self, now: datetime) -> None:
        """Raise `CapacityRequestError` naming the first field that cannot be right."""
        if not self.description.strip():
            raise CapacityRequestError("Describe the care you need", "description")
        if not self.area.strip():
            raise CapacityRequestError("Say which area the care is for", "area")
        if self.unit not in CapacityUnit.values:
            raise CapacityRequestError("Choose beds, hours a week or packages", "unit")
        if self.care_type.valid_to is not None:
            raise CapacityRequestError(
                f"{self.care_type.name} is no longer offered (retired on "
                f"{self.care_type.valid_to:%-d %B %Y}): choose a current type of care",
                "care_type",
            )
        if self.unit == CapacityUnit.BEDS and not self.care_type.bed_based:
            raise CapacityRequestError(
                f"{self.care_type.name} is not counted in beds: ask for hours a week or packages",
                "unit",
            )
        if self.unit == CapacityUnit.HOURS and self.care_type.bed_based:
            raise CapacityRequestError(
                f"{self.care_type.name} is counted in beds or packages, not hours", "unit"
            )
        if not 1 <= self.volume <= MAX_VOLUME:
            raise CapacityRequestError(f"Ask for at least 1 and at most {MAX_VOLUME:,}", "volume")
        if self.end_date < self.start_date:
            raise CapacityRequestError(
                "The end date must be on or after the start date", "end_date"
            )
        if self.respond_by <= now:
            raise CapacityRequestError("The respond-by time must be in the future", "respond_by")
        if not self.contact_name.strip():
            raise CapacityRequestError("Name one person providers can contact", "contact_name")
        try:
            validate_email(self.contact_email)
        except ValidationError as exc:
            raise CapacityRequestError(
                "Enter the contact's email address, like name@example.org", "contact_email"
            ) from exc


def create_request(*, actor: Actor, terms: RequestTerms) -> CapacityRequest:
    """Send a capacity request to the market on behalf of the actor's council or ICB."""
    if not may_commission(actor):
        raise Http404("Not found")
    now = clock.now()
    terms.check(now)
    with transaction.atomic():
        request = CapacityRequest.objects.create(
            organisation=actor.organisation,
            care_type=terms.care_type,
            description=terms.description.strip(),
            area=terms.area.strip(),
            volume=terms.volume,
            unit=terms.unit,
            start_date=terms.start_date,
            end_date=terms.end_date,
            respond_by=terms.respond_by,
            contact_name=terms.contact_name.strip(),
            contact_email=terms.contact_email.strip(),
            contact_phone=terms.contact_phone.strip(),
            created_by=actor.user,
            created_at=now,
        )
        audit.record(
            actor,
            "capacity_request.create",
            request,
            care_type=terms.care_type.pk,
            area=request.area,
            volume=terms.volume,
            unit=terms.unit,
        )
    return request


def close_request(*, actor: Actor, request: CapacityRequest) -> CapacityRequest:
    """Stop taking answers. Only the organisation that sent the request may close it."""
    if not may_commission(actor) or request.organisation_id != actor.organisation.pk:
        raise Http404("No such capacity request")
    with transaction.atomic():
        closed = CapacityRequest.objects.filter(
            pk=request.pk, state=CapacityRequestState.OPEN
        ).update(state=CapacityRequestState.CLOSED)
        if not closed:
            raise CapacityRequestError("This request is already closed")
        request.state = CapacityRequestState.CLOSED
        audit.record(actor, "capacity_request.close", request)
    return request


@dataclass(frozen=True)
class OfferTerms:
    """What a provider can offer: how much, from when, at what weekly price, where."""

    volume: int
    available_from: date
    weekly_price: Decimal | None = None
    location: Location | None = None
    note: str = ""


def offer_capacity(*, actor: Actor, request: CapacityRequest, terms: OfferTerms) -> CapacityOffer:
    """Answer a request for the actor's provider, or replace its earlier answer."""
    if not may_offer(actor):
        raise Http404("Not found")
    if terms.location is not None and terms.location.provider_id != actor.organisation.pk:
        raise CapacityRequestError("Choose one of your own locations", "location")
    if not 1 <= terms.volume <= MAX_VOLUME:
        raise CapacityRequestError(f"Offer at least 1 and at most {MAX_VOLUME:,}", "volume")
    if terms.weekly_price is not None and not 0 <= terms.weekly_price < MAX_WEEKLY_PRICE:
        raise CapacityRequestError(
            f"The weekly price must be between £0 and £{MAX_WEEKLY_PRICE:,}", "weekly_price"
        )
    with transaction.atomic():
        # Lock the request so a close, or another answer from the same provider, waits for us.
        locked = CapacityRequest.objects.select_for_update().get(pk=request.pk)
        now = clock.now()
        if locked.state != CapacityRequestState.OPEN:
            raise CapacityRequestError("This request is closed and no longer takes answers")
        if now >= locked.respond_by:
            raise CapacityRequestError("The deadline for answers to this request has passed")
        if terms.available_from > locked.end_date:
            raise CapacityRequestError(
                f"The request ends on {locked.end_date:%-d %b %Y}: offer capacity from before then",
                "available_from",
            )
        offer, created = CapacityOffer.objects.update_or_create(
            request=locked,
            provider=actor.organisation,
            defaults={
                "location": terms.location,
                "volume": terms.volume,
                "weekly_price": terms.weekly_price,
                "available_from": terms.available_from,
                "note": terms.note.strip(),
                "offered_by": actor.user,
                "offered_at": now,
            },
        )
        audit.record(
            actor,
            "capacity_request.offer",
            offer,
            request=locked.pk,
            replaced=not created,
            volume=terms.volume,
            weekly_price=str(terms.weekly_price) if terms.weekly_price is not None else None,
            available_from=terms.available_from.isoformat(),
        )
    return offer
