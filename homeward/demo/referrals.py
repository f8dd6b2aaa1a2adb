"""Demo referrals: a few Trafford residents waiting for a care home are referred to the homes
at the top of their shortlist (and to the demo care home's provider where it offers that care),
and that provider has already accepted one, so every demo login has brokerage to look at."""

from homeward.brokerage import services
from homeward.brokerage.models import Referral
from homeward.brokerage.services import BrokerageError
from homeward.cases import matching
from homeward.cases.models import CaseState, DischargeCase
from homeward.core import clock
from homeward.core.access import Actor
from homeward.core.models import Organisation
from homeward.directory.models import ServiceOffer
from homeward.matching.shortlist import shortlist

REFERRED_CASES = 4
PER_CASE = 3
RADIUS_KM = 20.0
WAITING = (
    CaseState.IDENTIFIED,
    CaseState.ASSESSING,
    CaseState.AWAITING_PROVISION,
    CaseState.REFERRED,
)


def load(*, hub: Actor, provider: Actor, council: Organisation) -> int:
    """Refer up to REFERRED_CASES waiting cases; returns how many referrals were sent."""
    offered = set(
        ServiceOffer.objects.filter(
            location__provider=provider.organisation, active=True
        ).values_list("care_type_id", flat=True)
    )
    waiting = (
        DischargeCase.objects.filter(council=council, state__in=WAITING)
        .exclude(home_postcode="")
        .exclude(care_type=None)
        .select_related("care_type", "council")
        .order_by("discharge_ready_date", "pk")
    )
    # The demo provider's own kinds of care first, so its login has referrals to answer.
    cases = sorted(waiting, key=lambda c: c.care_type_id not in offered)
    sent: list[Referral] = []
    for case in cases[:REFERRED_CASES]:
        try:
            need = matching.need_for(case, RADIUS_KM)
        except matching.CannotMatch:
            continue
        table = matching.offer_table(need.care_type)
        offer_ids = [
            m.offer_id
            for m in shortlist(
                table, need, services.weights_for(council), k=PER_CASE, now=clock.now()
            )
        ]
        own = ServiceOffer.objects.filter(
            location__provider=provider.organisation, care_type=case.care_type, active=True
        ).first()
        if own is not None and own.pk not in offer_ids:
            offer_ids.append(own.pk)
        try:
            sent += services.refer(actor=hub, case=case, offer_ids=offer_ids, note="Demo referral")
        except BrokerageError:
            continue
    mine = [r for r in sent if r.provider_id == provider.organisation.pk]
    if mine:
        services.accept(actor=provider, referral=mine[0], note="We can take them on Monday")
    return len(sent)
