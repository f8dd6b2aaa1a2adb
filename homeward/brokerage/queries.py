"""Organisation-scoped reads of brokerage. A referral is visible to the provider it was sent
to and to everyone who can see its case; anyone else gets 404. Until the provider accepts,
it sees only the minimal summary (`ReferralSummary`): no name, NHS number or address."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.brokerage import rules
from homeward.brokerage.models import Placement, Referral, ReferralState
from homeward.cases import queries as case_queries
from homeward.cases.models import DischargeCase
from homeward.core import clock
from homeward.core.access import Actor
from homeward.core.postcodes import outcode_of


def for_provider(actor: Actor) -> QuerySet[Referral]:
    """Referrals sent to the actor's provider organisation, newest first."""
    if actor.organisation is None:
        return Referral.objects.none()
    return Referral.objects.filter(provider=actor.organisation).select_related(
        "case__care_type", "case__council", "case__pathway", "offer__location"
    )


def provider_referral(actor: Actor, referral_id: int) -> Referral:
    found = for_provider(actor).filter(pk=referral_id).select_related("case__patient").first()
    if found is None:
        raise Http404("No such referral")
    return found


def hub_referral(actor: Actor, referral_id: int) -> Referral:
    """A referral of a case the actor can see."""
    found = (
        Referral.objects.filter(pk=referral_id, case__in=case_queries.visible_cases(actor))
        .select_related("case__patient", "offer__location", "offer__care_type", "provider")
        .first()
    )
    if found is None:
        raise Http404("No such referral")
    return found


def hub_placement(actor: Actor, placement_id: int) -> Placement:
    found = Placement.objects.filter(
        pk=placement_id, case__in=case_queries.visible_cases(actor)
    ).first()
    if found is None:
        raise Http404("No such placement")
    return found


def of_case(case: DischargeCase) -> list[Referral]:
    return list(
        Referral.objects.filter(case=case).select_related("offer__location", "offer__care_type")
    )


def placements_of_case(case: DischargeCase) -> list[Placement]:
    return list(Placement.objects.filter(case=case).select_related("offer__location"))


@dataclass(frozen=True)
class ReferralSummary:
    """What a provider sees of a referral: the person's needs, area and dates. Name, NHS
    number, date of birth and home postcode only once it has accepted."""

    id: int
    state: str
    state_label: str
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
    person: dict | None


def summary(referral: Referral) -> ReferralSummary:
    now = clock.now()
    case = referral.case
    state = rules.effective_state(referral.state, referral.deadline, now)
    today = timezone.localtime(now).date()
    revealed = state in (ReferralState.ACCEPTED, ReferralState.PLACED)
    person = None
    if revealed:
        patient = case.patient
        person = {
            "name": str(patient),
            "nhs_number": patient.nhs_number,
            "date_of_birth": patient.date_of_birth,
            "home_postcode": case.home_postcode,
            "hospital": case.trust.name,
            "ward": case.ward,
        }
    district = outcode_of(case.home_postcode) if case.home_postcode else ""
    area = ", ".join(p for p in (case.council.name if case.council else "", district) if p)
    return ReferralSummary(
        id=referral.pk,
        state=state,
        state_label=ReferralState(state).label,
        deadline=referral.deadline,
        due_soon=rules.due_soon(referral.state, referral.deadline, now),
        location=referral.offer.location.name,
        care_type=case.care_type.name if case.care_type else "",
        specialisms=list(case.specialisms),
        capabilities=list(case.capabilities),
        funding_route=case.get_funding_route_display(),
        weekly_budget=f"£{case.weekly_budget:,.2f}" if case.weekly_budget else "",
        area=area or "not recorded",
        discharge_ready_date=case.discharge_ready_date,
        waiting_days=(today - case.discharge_ready_date).days
        if case.discharge_ready_date
        else None,
        note=referral.note,
        closed_message=referral.closed_message,
        decline_reason=referral.get_decline_reason_display() if referral.decline_reason else "",
        person=person,
    )
