"""Writes of brokerage: referring a case to providers, their answers, confirming a placement
that takes one vacancy, and the placement's later life. Each names the acting user, runs in
one transaction, locks the rows it decides on and writes its audit row in that transaction."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from homeward.brokerage import rules
from homeward.brokerage.models import (
    LIVE_REFERRAL_STATES,
    AreaWeights,
    ContractType,
    DeclineReason,
    FundingSource,
    Placement,
    PlacementState,
    Referral,
    ReferralState,
)
from homeward.cases import services as case_services
from homeward.cases.matching import HOURS_PER_PACKAGE
from homeward.cases.models import CaseState, DischargeCase
from homeward.cases.services import CaseError
from homeward.core import audit, clock
from homeward.core.access import SYSTEM, Actor
from homeward.core.models import Organisation
from homeward.directory.models import (
    CapacityReport,
    CapacitySource,
    ServiceOffer,
    hold_back_reasons,
)
from homeward.directory.services import MAX_BEDS, MAX_HOURS, CapacityError, report_capacity
from homeward.matching.model import Weights

# A case can be referred from these states; the first two move on to awaiting provision first.
REFERABLE = (
    CaseState.IDENTIFIED,
    CaseState.ASSESSING,
    CaseState.AWAITING_PROVISION,
    CaseState.REFERRED,
)
MAX_OFFERS_PER_REFERRAL = 20
WEIGHT_FIELDS = ("distance", "quality", "cost", "preference", "response")


class BrokerageError(ValueError):
    """A brokerage step that cannot happen; the message says why in plain words."""


def _check(table: dict, what: str, from_state: str, to_state: str) -> None:
    try:
        rules.check(table, what, from_state, to_state)
    except rules.TransitionNotAllowed as exc:
        raise BrokerageError(str(exc)) from exc


def _move_case(actor: Actor, case: DischargeCase, to_state: str, reason: str) -> None:
    try:
        case_services.transition(actor=actor, case=case, to_state=to_state, reason=reason)
    except CaseError as exc:
        raise BrokerageError(str(exc)) from exc


# --- Referrals ---------------------------------------------------------------------------------


def refer(
    *,
    actor: Actor,
    case: DischargeCase,
    offer_ids: list[int],
    deadline_hours: int = rules.DEFAULT_DEADLINE_HOURS,
    note: str = "",
) -> list[Referral]:
    """Refer one case to several offers at once, each answerable until the deadline."""
    offer_ids = list(dict.fromkeys(offer_ids))
    if not offer_ids:
        raise BrokerageError("choose at least one provider to refer to")
    if len(offer_ids) > MAX_OFFERS_PER_REFERRAL:
        raise BrokerageError(f"refer to at most {MAX_OFFERS_PER_REFERRAL} providers at once")
    if not 1 <= deadline_hours <= rules.MAX_DEADLINE_HOURS:
        raise BrokerageError(
            f"the response deadline must be between 1 and {rules.MAX_DEADLINE_HOURS} hours"
        )
    now = clock.now()
    with transaction.atomic():
        locked = DischargeCase.objects.select_for_update().get(pk=case.pk)
        if locked.state not in REFERABLE:
            raise BrokerageError(
                f"a case that is {locked.get_state_display().lower()} cannot be referred"
            )
        offers = ServiceOffer.objects.select_related("location").in_bulk(offer_ids)
        missing = [str(i) for i in offer_ids if i not in offers]
        if missing:
            raise BrokerageError(f"no such service offer: {', '.join(missing)}")
        held = [
            f"{o.location.name} ({', '.join(hold_back_reasons(o.location))})"
            for o in offers.values()
            if hold_back_reasons(o.location) or not o.active
        ]
        if held:
            raise BrokerageError(f"not put forward: {'; '.join(held)}")
        live = set(
            Referral.objects.filter(
                case=locked, offer_id__in=offer_ids, state__in=LIVE_REFERRAL_STATES
            ).values_list("offer__location__name", flat=True)
        )
        if live:
            raise BrokerageError(f"already referred to {', '.join(sorted(live))}")
        if locked.care_type_id and any(
            o.care_type_id != locked.care_type_id for o in offers.values()
        ):
            raise BrokerageError("every provider chosen must offer the care this person needs")
        referrals = Referral.objects.bulk_create(
            Referral(
                case=locked,
                offer=offers[i],
                provider_id=offers[i].location.provider_id,
                deadline=now + timedelta(hours=deadline_hours),
                note=note.strip()[:500],
                sent_at=now,
                sent_by=actor.user,
                sent_by_organisation=actor.organisation,
            )
            for i in offer_ids
        )
        for referral in referrals:
            audit.record(
                actor,
                "referral.sent",
                referral,
                case=case.pk,
                offer=referral.offer_id,
                deadline=referral.deadline.isoformat(),
            )
        if locked.state in (CaseState.IDENTIFIED, CaseState.ASSESSING):
            _move_case(actor, locked, CaseState.AWAITING_PROVISION, "referred to providers")
        if locked.state != CaseState.REFERRED:
            _move_case(
                actor, locked, CaseState.REFERRED, f"referred to {len(referrals)} provider(s)"
            )
        case.state = locked.state
    return referrals


def _locked_referral(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update().select_related("offer__location").get(pk=referral.pk)
    )


def accept(*, actor: Actor, referral: Referral, note: str = "") -> Referral:
    """The provider can take the person. Only one answer counts: the row is locked, so of
    two people answering at once the second is told it was already answered."""
    return _answer(actor, referral, ReferralState.ACCEPTED, "", note)


def decline(*, actor: Actor, referral: Referral, reason: str, note: str = "") -> Referral:
    """The provider cannot take the person, with a coded reason ("other" needs a note)."""
    if reason not in DeclineReason.values:
        raise BrokerageError(
            f"choose a reason for declining: {', '.join(DeclineReason.labels).lower()}"
        )
    if reason == DeclineReason.OTHER and not note.strip():
        raise BrokerageError("say why when the reason is 'other'")
    return _answer(actor, referral, ReferralState.DECLINED, reason, note)


def _answer(actor: Actor, referral: Referral, to_state: str, reason: str, note: str) -> Referral:
    now = clock.now()
    with transaction.atomic():
        locked = _locked_referral(referral)
        if actor.organisation is None or locked.provider_id != actor.organisation.pk:
            raise BrokerageError("only the provider referred to can answer")
        state = rules.effective_state(locked.state, locked.deadline, now)
        if state == ReferralState.EXPIRED:
            raise BrokerageError(
                f"this referral expired at {timezone.localtime(locked.deadline):%H:%M on %-d %b}"
            )
        if state != ReferralState.SENT:
            raise BrokerageError(f"this referral has already been answered ({state})")
        _check(rules.REFERRAL_TRANSITIONS, "referral", state, to_state)
        Referral.objects.filter(pk=locked.pk).update(
            state=to_state,
            responded_at=now,
            responded_by=actor.user,
            decline_reason=reason,
            response_note=note.strip()[:500],
        )
        audit.record(actor, f"referral.{to_state}", locked, reason=reason, case=locked.case_id)
    referral.refresh_from_db()
    return referral


def withdraw(*, actor: Actor, referral: Referral, message: str) -> Referral:
    """The hub no longer needs this provider; the provider sees the message."""
    with transaction.atomic():
        locked = _locked_referral(referral)
        _check(rules.REFERRAL_TRANSITIONS, "referral", locked.state, ReferralState.WITHDRAWN)
        _close(actor, [locked.pk], ReferralState.WITHDRAWN, message or "withdrawn by the hub")
    referral.refresh_from_db()
    return referral


def _close(actor: Actor, referral_ids: list[int], to_state: str, message: str) -> None:
    now = clock.now()
    Referral.objects.filter(pk__in=referral_ids).update(
        state=to_state, closed_at=now, closed_message=message[:500]
    )
    for pk in referral_ids:
        audit.record(
            actor,
            f"referral.{to_state}",
            object_type="brokerage.referral",
            object_id=str(pk),
            message=message,
        )


def expire_overdue(now: datetime | None = None) -> int:
    """Record every unanswered referral past its deadline as expired; how many."""
    now = now or clock.now()
    with transaction.atomic():
        overdue = list(
            Referral.objects.select_for_update()
            .filter(state=ReferralState.SENT, deadline__lte=now)
            .values_list("pk", flat=True)
        )
        _close(SYSTEM, overdue, ReferralState.EXPIRED, "no answer by the deadline")
    return len(overdue)


# --- Placements --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacementTerms:
    start_date: date
    weekly_cost: Decimal
    contract_type: str
    funding_source: str
    hours_per_week: Decimal | None = None

    def check(self, today: date) -> None:
        if self.contract_type not in ContractType.values:
            raise BrokerageError("choose a contract type: block, spot or framework call-off")
        if self.funding_source not in FundingSource.values:
            raise BrokerageError("choose who funds the placement")
        if self.weekly_cost < 0:
            raise BrokerageError("the weekly cost cannot be negative")
        if self.start_date < today - timedelta(days=1):
            raise BrokerageError("the start date cannot be in the past")
        if self.hours_per_week is not None and not 0 < self.hours_per_week <= 168:
            raise BrokerageError("hours a week must be between 0 and 168")


def confirm_placement(*, actor: Actor, referral: Referral, terms: PlacementTerms) -> Placement:
    """Turn an accepted referral into a placement. In one transaction: the offer's vacancy
    falls by one (or its free hours by the package's), the other live referrals of the case are
    withdrawn with a message, and the case becomes placement agreed.

    Locks are taken offer first, then referral, then case, always in that order, so
    confirmations racing for the same last vacancy queue on the offer row: the first takes
    it, every later one sees no vacancy and is refused."""
    terms.check(timezone.localtime(clock.now()).date())
    with transaction.atomic():
        offer = (
            ServiceOffer.objects.select_for_update()
            .select_related("care_type", "location")
            .get(pk=referral.offer_id)
        )
        locked = _locked_referral(referral)
        if locked.state != ReferralState.ACCEPTED:
            raise BrokerageError(
                f"only an accepted referral can be confirmed; this one is "
                f"{locked.get_state_display().lower()}"
            )
        _check(rules.REFERRAL_TRANSITIONS, "referral", locked.state, ReferralState.PLACED)
        case = DischargeCase.objects.select_for_update().get(pk=locked.case_id)
        if Placement.objects.filter(
            case=case, state__in=[PlacementState.AGREED, PlacementState.STARTED]
        ).exists():
            raise BrokerageError("this person already has a placement agreed")
        hours = None
        if not offer.care_type.bed_based:
            hours = terms.hours_per_week or HOURS_PER_PACKAGE
        _take_vacancy(actor, offer, hours)
        placement = Placement.objects.create(
            case=case,
            referral=locked,
            offer=offer,
            provider_id=locked.provider_id,
            start_date=terms.start_date,
            weekly_cost=terms.weekly_cost,
            hours_per_week=hours,
            contract_type=terms.contract_type,
            funding_source=terms.funding_source,
            confirmed_at=clock.now(),
            confirmed_by=actor.user,
        )
        Referral.objects.filter(pk=locked.pk).update(
            state=ReferralState.PLACED, closed_at=clock.now()
        )
        audit.record(actor, "placement.agreed", placement, case=case.pk, offer=offer.pk)
        others = list(
            Referral.objects.filter(case=case, state__in=LIVE_REFERRAL_STATES)
            .exclude(pk=locked.pk)
            .values_list("pk", flat=True)
        )
        _close(
            actor,
            others,
            ReferralState.WITHDRAWN,
            "Thank you: this person has been placed elsewhere, so the referral is withdrawn.",
        )
        _move_case(actor, case, CaseState.PLACEMENT_AGREED, f"placed with {offer.location.name}")
    return placement


def _take_vacancy(actor: Actor, offer: ServiceOffer, hours: Decimal | None) -> None:
    """Record the offer's new figure: one bed fewer, or the package's hours fewer."""
    report = CapacityReport.objects.filter(pk=offer.latest_report_id).first()
    name = offer.location.name
    if report is None:
        raise BrokerageError(f"{name} has never reported a vacancy; ask them to report one")
    if report.closed_to_admissions:
        raise BrokerageError(f"{name} is closed to admissions")
    when = f"{timezone.localtime(report.reported_at):%H:%M on %-d %b}"
    beds, free_hours = report.beds_free, report.hours_free
    if hours is None:
        if not beds:
            raise BrokerageError(f"{name} has no vacancy left (0 beds free since {when})")
        beds = min(beds - 1, _registered_beds(offer))
    else:
        if free_hours is None or free_hours < hours:
            raise BrokerageError(
                f"{name} has {free_hours or 0} hours a week free since {when}, "
                f"fewer than the {hours} this package needs"
            )
        free_hours -= hours
    _report(actor, offer, beds, free_hours, closed=False)


def _give_back_vacancy(actor: Actor, placement: Placement) -> None:
    """Return the cancelled placement's bed or hours, never beyond what the home is registered
    for or the most hours a week anyone may report."""
    offer = (
        ServiceOffer.objects.select_for_update()
        .select_related("care_type", "location")
        .get(pk=placement.offer_id)
    )
    report = CapacityReport.objects.filter(pk=offer.latest_report_id).first()
    if report is None:
        return
    beds, hours = report.beds_free, report.hours_free
    if beds is not None:
        beds = min(beds + 1, _registered_beds(offer))
    if hours is not None and placement.hours_per_week:
        hours = min(hours + placement.hours_per_week, MAX_HOURS)
    _report(actor, offer, beds, hours, closed=report.closed_to_admissions)


def _registered_beds(offer: ServiceOffer) -> int:
    """The most beds the home may report free: its registered beds, where CQC gives them (a
    re-import can lower them below a figure reported earlier)."""
    beds = offer.location.beds
    return MAX_BEDS if beds is None else beds


def _report(
    actor: Actor, offer: ServiceOffer, beds: int | None, hours: Decimal | None, *, closed: bool
) -> None:
    try:
        report_capacity(
            actor=actor,
            offer=offer,
            beds_free=beds,
            hours_free=hours,
            closed_to_admissions=closed,
            source=CapacitySource.PLACEMENT,
        )
    except CapacityError as exc:
        raise BrokerageError(f"{offer.location.name}: {exc}") from exc


def move_placement(*, actor: Actor, placement: Placement, to_state: str, reason: str = "") -> None:
    """Start, end or cancel a placement. Cancelling an agreed placement gives its vacancy back
    and returns the case to awaiting provision."""
    with transaction.atomic():
        locked = Placement.objects.select_for_update().get(pk=placement.pk)
        _check(rules.PLACEMENT_TRANSITIONS, "placement", locked.state, to_state)
        changes = {"state": to_state}
        if to_state in (PlacementState.ENDED, PlacementState.CANCELLED):
            changes["ended_at"] = clock.now()
        Placement.objects.filter(pk=locked.pk).update(**changes)
        if to_state == PlacementState.CANCELLED:
            _give_back_vacancy(actor, locked)
            case = DischargeCase.objects.get(pk=locked.case_id)
            if case.state == CaseState.PLACEMENT_AGREED:
                _move_case(actor, case, CaseState.REFERRED, reason or "placement cancelled")
        audit.record(actor, f"placement.{to_state}", locked, reason=reason)
    placement.refresh_from_db()


# --- Ranking weights per area ------------------------------------------------------------------


def weights_for(council: Organisation | None) -> Weights:
    """The council's own ranking weights, or Homeward's defaults."""
    found = AreaWeights.objects.filter(council=council).first() if council else None
    if found is None:
        return Weights()
    return Weights(found.distance, found.quality, found.cost, found.preference, found.response)


def set_weights(*, actor: Actor, council: Organisation, weights: Weights) -> AreaWeights:
    """A council's commissioner sets how providers are ranked for the people it places."""
    if actor.organisation is None or actor.organisation.pk != council.pk:
        raise BrokerageError("only the council's own commissioners set its ranking")
    with transaction.atomic():
        row, _ = AreaWeights.objects.update_or_create(
            council=council,
            defaults={
                "distance": weights.distance,
                "quality": weights.quality,
                "cost": weights.cost,
                "preference": weights.preference,
                "response": weights.response,
                "changed_by": actor.user,
                "changed_at": clock.now(),
            },
        )
        audit.record(
            actor, "weights.set", row, **dict(zip(WEIGHT_FIELDS, weights.as_tuple(), strict=True))
        )
    return row
