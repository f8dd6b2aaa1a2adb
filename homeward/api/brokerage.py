"""Brokerage API: a case's shortlist and "why not", referrals, provider answers, placements,
area ranking weights and the allocation proposal.

Hub staff reach referrals through the cases they can see (`/cases/{case_id}/...`); providers
through `/referrals`, which lists only referrals sent to their own organisation and shows the
person's identity only once they have accepted. Refusals the workflow makes (no vacancy left,
already answered, expired) answer 409 with the reason. Every write accepts an
`Idempotency-Key` header (see `homeward.api.idempotency`)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from homeward.brokerage import allocation, queries, rules, services
from homeward.brokerage.models import ContractType, FundingSource, Placement, Referral
from homeward.brokerage.services import BrokerageError, PlacementTerms
from homeward.cases import matching
from homeward.cases import queries as case_queries
from homeward.core import audit, clock
from homeward.core.access import actor_for, require_council, require_role
from homeward.core.models import Role
from homeward.directory.models import Location
from homeward.matching.model import Weights
from homeward.matching.shortlist import shortlist, why_not_location

router = Router(tags=["brokerage"])
HUB_ROLES = (Role.DISCHARGE_COORDINATOR, Role.HUB_MEMBER, Role.BROKER)


class Problem(Schema):
    detail: str


class MatchOut(Schema):
    rank: int
    offer_id: int
    cqc_id: str
    name: str
    postcode: str
    score: float
    km: float | None
    vacancies: int
    weekly_price: float | None
    reasons: list[str]


class ShortlistOut(Schema):
    case_id: int
    radius_km: float
    weights: dict[str, float]
    matches: list[MatchOut]


class WhyNotOut(Schema):
    cqc_id: str
    name: str
    reasons: list[str] = Field(description="Empty when the location meets every requirement")


class ReferIn(Schema):
    offer_ids: list[int] = Field(min_length=1, max_length=services.MAX_OFFERS_PER_REFERRAL)
    deadline_hours: int = Field(rules.DEFAULT_DEADLINE_HOURS, ge=1, le=rules.MAX_DEADLINE_HOURS)
    note: str = Field("", max_length=500)


class ReferralOut(Schema):
    id: int
    case_id: int
    offer_id: int
    location: str
    state: str
    deadline: datetime
    sent_at: datetime
    responded_at: datetime | None
    decline_reason: str
    response_note: str
    closed_message: str


class PersonOut(Schema):
    name: str
    nhs_number: str
    date_of_birth: date | None
    home_postcode: str
    hospital: str
    ward: str


class ReferralSummaryOut(Schema):
    id: int
    state: str
    deadline: datetime
    due_soon: bool
    location: str
    care_type: str
    specialisms: list[str]
    capabilities: list[str]
    funding_route: str
    weekly_budget: str
    area: str
    discharge_ready_date: date | None
    waiting_days: int | None
    note: str
    closed_message: str
    decline_reason: str
    person: PersonOut | None = Field(description="Only once the provider has accepted")


class AnswerIn(Schema):
    answer: Literal["accept", "decline"]
    reason: str = Field(
        "",
        description="Required to decline: "
        + ", ".join(
            ["no_vacancy", "cannot_meet_needs", "staffing", "funding", "geography", "other"]
        ),
    )
    note: str = Field("", max_length=500)


class WithdrawIn(Schema):
    message: str = Field("", max_length=500)


class PlacementIn(Schema):
    start_date: date
    weekly_cost: Decimal = Field(ge=0, max_digits=9, decimal_places=2)
    contract_type: Literal["block", "spot", "framework"]
    funding_source: Literal["council", "nhs_chc", "nhs_discharge", "joint", "self"]
    hours_per_week: Decimal | None = Field(None, gt=0, le=168)


class PlacementOut(Schema):
    id: int
    case_id: int
    referral_id: int
    offer_id: int
    location: str
    state: str
    start_date: date
    weekly_cost: Decimal
    hours_per_week: Decimal | None
    contract_type: str
    funding_source: str
    confirmed_at: datetime


class PlacementMoveIn(Schema):
    to_state: Literal["started", "ended", "cancelled"]
    reason: str = Field("", max_length=255)


class WeightsIn(Schema):
    distance: float = Field(ge=0, le=100)
    quality: float = Field(ge=0, le=100)
    cost: float = Field(ge=0, le=100)
    preference: float = Field(ge=0, le=100)
    response: float = Field(ge=0, le=100)


class WeightsOut(WeightsIn):
    council: str


class AllocateIn(Schema):
    care_type: str
    radius_km: float = Field(30.0, gt=0, le=200)


class PairOut(Schema):
    case_id: int
    offer_id: int
    location: str
    score: float
    explanation: str


class ProposalOut(Schema):
    care_type: str
    waiting: int
    placed: int
    placed_first_come_first_served: int
    delayed_days_saved: float
    pairs: list[PairOut]
    unplaced_case_ids: list[int]
    cannot_match: dict[int, str]


def _hub(request, case_id: int):
    actor = actor_for(request.user)
    require_role(actor, *HUB_ROLES)
    return actor, case_queries.case(actor, case_id)


def _refused(exc: BrokerageError) -> HttpError:
    return HttpError(409, str(exc))


def _referral_out(r: Referral) -> ReferralOut:
    return ReferralOut(
        id=r.pk,
        case_id=r.case_id,
        offer_id=r.offer_id,
        location=r.offer.location.name,
        state=rules.effective_state(r.state, r.deadline, clock.now()),
        deadline=r.deadline,
        sent_at=r.sent_at,
        responded_at=r.responded_at,
        decline_reason=r.decline_reason,
        response_note=r.response_note,
        closed_message=r.closed_message,
    )


def _placement_out(p: Placement) -> PlacementOut:
    return PlacementOut(
        id=p.pk,
        case_id=p.case_id,
        referral_id=p.referral_id,
        offer_id=p.offer_id,
        location=p.offer.location.name,
        state=p.state,
        start_date=p.start_date,
        weekly_cost=p.weekly_cost,
        hours_per_week=p.hours_per_week,
        contract_type=p.contract_type,
        funding_source=p.funding_source,
        confirmed_at=p.confirmed_at,
    )


@router.get("/cases/{case_id}/shortlist", response={200: ShortlistOut, 400: Problem})
def case_shortlist(request, case_id: int, radius_km: float = 20.0, k: int = 20):
    """The ranked shortlist for a case, each match with the reasons for its rank."""
    actor, case = _hub(request, case_id)
    if not (0 < radius_km <= 200 and 1 <= k <= 100):
        raise HttpError(400, "radius_km must be in (0, 200] and k in [1, 100]")
    try:
        need = matching.need_for(case, radius_km)
    except matching.CannotMatch as exc:
        raise HttpError(400, str(exc)) from exc
    weights = services.weights_for(case.council)
    found = shortlist(matching.offer_table(need.care_type), need, weights, k=k, now=clock.now())
    locations = Location.objects.in_bulk([m.location_id for m in found])
    audit.record(actor, "case.shortlist", case, shown=len(found), radius_km=radius_km, api=True)
    return ShortlistOut(
        case_id=case.pk,
        radius_km=radius_km,
        weights=dict(zip(services.WEIGHT_FIELDS, weights.as_tuple(), strict=True)),
        matches=[
            MatchOut(
                rank=i,
                offer_id=m.offer_id,
                cqc_id=locations[m.location_id].cqc_id,
                name=locations[m.location_id].name,
                postcode=locations[m.location_id].postcode,
                score=round(m.score, 4),
                km=None if m.distance_km is None else round(m.distance_km, 2),
                vacancies=m.offer.vacancies,
                weekly_price=m.offer.weekly_price,
                reasons=list(m.reasons),
            )
            for i, m in enumerate(found, start=1)
        ],
    )


@router.get("/cases/{case_id}/why-not/{cqc_id}", response={200: WhyNotOut, 400: Problem})
def why_not(request, case_id: int, cqc_id: str, radius_km: float = 20.0):
    """Why a location is not on the case's shortlist, in plain words."""
    actor, case = _hub(request, case_id)
    location = Location.objects.filter(cqc_id=cqc_id).first()
    if location is None:
        raise Http404("No such location")
    try:
        need = matching.need_for(case, radius_km)
    except matching.CannotMatch as exc:
        raise HttpError(400, str(exc)) from exc
    table = matching.offer_table(need.care_type)
    reasons = why_not_location(table, need, location.pk, now=clock.now())
    audit.record(actor, "case.why_not", case, location=cqc_id, api=True)
    return WhyNotOut(cqc_id=cqc_id, name=location.name, reasons=reasons)


@router.get("/cases/{case_id}/referrals", response=list[ReferralOut])
def case_referrals(request, case_id: int):
    """Every referral of the case, newest first."""
    actor, case = _hub(request, case_id)
    audit.record(actor, "case.view", case, part="referrals", api=True)
    return [_referral_out(r) for r in queries.of_case(case)]


@router.post(
    "/cases/{case_id}/referrals", response={201: list[ReferralOut], 404: Problem, 409: Problem}
)
def refer(request, case_id: int, payload: ReferIn):
    """Refer the case to one or many offers at once, answerable until the deadline."""
    actor, case = _hub(request, case_id)
    try:
        sent = services.refer(
            actor=actor,
            case=case,
            offer_ids=payload.offer_ids,
            deadline_hours=payload.deadline_hours,
            note=payload.note,
        )
    except BrokerageError as exc:
        raise _refused(exc) from exc
    return Status(201, [_referral_out(r) for r in sent])


@router.get("/referrals", response=list[ReferralSummaryOut])
def provider_referrals(request, state: str = ""):
    """Referrals sent to your provider organisation (minimal summaries), newest first."""
    actor = actor_for(request.user)
    require_role(actor, Role.PROVIDER_MANAGER)
    summaries = [queries.summary(r) for r in queries.for_provider(actor)[:500]]
    audit.record(actor, "referral.list", object_type="brokerage.referral", api=True)
    return [s for s in summaries if not state or s.state == state]


@router.get("/referrals/{referral_id}", response=ReferralSummaryOut)
def provider_referral(request, referral_id: int):
    """One referral sent to your provider organisation."""
    actor = actor_for(request.user)
    require_role(actor, Role.PROVIDER_MANAGER)
    found = queries.provider_referral(actor, referral_id)
    summary = queries.summary(found)
    audit.record(actor, "referral.view", found, identified=summary.person is not None, api=True)
    return summary


@router.post(
    "/referrals/{referral_id}/response",
    response={200: ReferralSummaryOut, 404: Problem, 409: Problem, 422: Problem},
)
def answer(request, referral_id: int, payload: AnswerIn):
    """Accept or decline a referral sent to you; declining needs a coded reason."""
    actor = actor_for(request.user)
    require_role(actor, Role.PROVIDER_MANAGER)
    found = queries.provider_referral(actor, referral_id)
    try:
        if payload.answer == "accept":
            services.accept(actor=actor, referral=found, note=payload.note)
        else:
            services.decline(actor=actor, referral=found, reason=payload.reason, note=payload.note)
    except BrokerageError as exc:
        raise _refused(exc) from exc
    return queries.summary(queries.provider_referral(actor, referral_id))


@router.post(
    "/referrals/{referral_id}/withdraw", response={200: ReferralOut, 404: Problem, 409: Problem}
)
def withdraw(request, referral_id: int, payload: WithdrawIn):
    """Withdraw a referral of a case you can see; the provider sees the message."""
    actor = actor_for(request.user)
    require_role(actor, *HUB_ROLES)
    found = queries.hub_referral(actor, referral_id)
    try:
        services.withdraw(actor=actor, referral=found, message=payload.message)
    except BrokerageError as exc:
        raise _refused(exc) from exc
    return _referral_out(found)


@router.post(
    "/referrals/{referral_id}/placement",
    response={201: PlacementOut, 404: Problem, 409: Problem, 422: Problem},
)
def confirm(request, referral_id: int, payload: PlacementIn):
    """Confirm an accepted referral as the placement: takes one vacancy, withdraws the case's
    other referrals and moves the case to placement agreed, all at once."""
    actor = actor_for(request.user)
    require_role(actor, *HUB_ROLES)
    found = queries.hub_referral(actor, referral_id)
    terms = PlacementTerms(
        start_date=payload.start_date,
        weekly_cost=payload.weekly_cost,
        contract_type=ContractType(payload.contract_type),
        funding_source=FundingSource(payload.funding_source),
        hours_per_week=payload.hours_per_week,
    )
    try:
        placement = services.confirm_placement(actor=actor, referral=found, terms=terms)
    except BrokerageError as exc:
        raise _refused(exc) from exc
    return Status(201, _placement_out(placement))


@router.post(
    "/placements/{placement_id}/transitions",
    response={200: PlacementOut, 404: Problem, 409: Problem},
)
def move_placement(request, placement_id: int, payload: PlacementMoveIn):
    """Start, end or cancel a placement (cancelling gives the vacancy back)."""
    actor = actor_for(request.user)
    require_role(actor, *HUB_ROLES)
    found = queries.hub_placement(actor, placement_id)
    try:
        services.move_placement(
            actor=actor, placement=found, to_state=payload.to_state, reason=payload.reason
        )
    except BrokerageError as exc:
        raise _refused(exc) from exc
    return _placement_out(found)


def _council(request):
    actor = actor_for(request.user)
    require_council(actor, Role.COMMISSIONER, Role.BROKER)
    return actor


@router.get("/weights", response=WeightsOut)
def get_weights(request):
    """How your council's shortlists rank providers."""
    actor = _council(request)
    w = services.weights_for(actor.organisation)
    return WeightsOut(
        council=actor.organisation.code,
        **dict(zip(services.WEIGHT_FIELDS, w.as_tuple(), strict=True)),
    )


@router.put("/weights", response={200: WeightsOut, 404: Problem, 422: Problem})
def put_weights(request, payload: WeightsIn):
    """Set your council's ranking weights (commissioners)."""
    actor = _council(request)
    require_role(actor, Role.COMMISSIONER)
    try:
        weights = Weights(**payload.dict())
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc
    services.set_weights(actor=actor, council=actor.organisation, weights=weights)
    return WeightsOut(council=actor.organisation.code, **payload.dict())


@router.get("/allocation", response={200: ProposalOut, 404: Problem})
def propose_allocation(request, params: Query[AllocateIn]):
    """The proposed optimal allocation of everyone waiting in your council's area for one
    care type, against first come, first served. Nothing is referred."""
    actor = _council(request)
    if params.care_type not in dict(allocation.care_type_choices()):
        raise Http404("No such care type")
    proposal = allocation.propose(actor, params.care_type, params.radius_km)
    return ProposalOut(
        care_type=proposal.care_type,
        waiting=proposal.waiting,
        placed=proposal.placed,
        placed_first_come_first_served=proposal.placed_fcfs,
        delayed_days_saved=proposal.days_saved,
        pairs=[
            PairOut(
                case_id=p.case.pk,
                offer_id=p.offer_id,
                location=p.location.name,
                score=round(p.score, 4),
                explanation=p.explanation,
            )
            for p in proposal.pairs
        ],
        unplaced_case_ids=[c.pk for c in proposal.unplaced],
        cannot_match={c.pk: why for c, why in proposal.cannot_match},
    )
