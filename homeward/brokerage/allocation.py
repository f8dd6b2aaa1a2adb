"""Allocate an area: everyone waiting in a council's area for one kind of care, paired with the
current vacancies by the optimal allocation (`homeward.matching.allocate`), set against first
come, first served. Nothing is referred until a person chooses the pairings."""

import time
from dataclasses import dataclass, replace

from homeward.brokerage import services
from homeward.brokerage.services import BrokerageError
from homeward.cases import matching, queries
from homeward.cases.models import CaseState, DischargeCase
from homeward.core import audit, clock
from homeward.core.access import Actor
from homeward.directory.models import CareType, Location
from homeward.matching import allocate as solver

WAITING_STATES = (
    CaseState.IDENTIFIED,
    CaseState.ASSESSING,
    CaseState.AWAITING_PROVISION,
    CaseState.REFERRED,
)


@dataclass(frozen=True)
class ProposedPair:
    key: str  # "case:offer", what the page's checkbox sends back
    case: DischargeCase
    offer_id: int
    location: Location
    score: float
    explanation: str


@dataclass(frozen=True)
class Proposal:
    care_type: str
    waiting: int
    pairs: list[ProposedPair]
    placed_fcfs: int
    days_saved: float
    unplaced: list[DischargeCase]
    cannot_match: list[tuple[DischargeCase, str]]
    seconds: float

    @property
    def placed(self) -> int:
        return len(self.pairs)


def care_type_choices() -> list[tuple[str, str]]:
    return list(CareType.objects.values_list("code", "name"))


def waiting_cases(actor: Actor, care_type: str) -> list[DischargeCase]:
    """Open cases of the actor's council waiting for this care, with a discharge ready date."""
    return list(
        queries.visible_cases(actor)
        .filter(
            council=actor.organisation,
            care_type_id=care_type,
            state__in=WAITING_STATES,
            discharge_ready_date__isnull=False,
        )
        .select_related("patient", "care_type", "council")
        .order_by("discharge_ready_date", "pk")
    )


def propose(actor: Actor, care_type: str, radius_km: float) -> Proposal:
    started = time.perf_counter()
    today = queries.today()
    cases = waiting_cases(actor, care_type)
    needs, matched, cannot = [], [], []
    for case in cases:
        try:
            need = matching.need_for(case, radius_km)
        except matching.CannotMatch as exc:
            cannot.append((case, str(exc)))
            continue
        needs.append(replace(need, waiting_days=(today - case.discharge_ready_date).days))
        matched.append(case)
    table = matching.offer_table(care_type)
    weights = services.weights_for(actor.organisation)
    graph = solver.candidate_graph(table, needs, weights, clock.now())
    best = solver.optimal(graph)
    fcfs = solver.first_come_first_served(graph)
    pairings = solver.explain(best, table, fcfs)
    locations = Location.objects.in_bulk([p.location_id for p in pairings])
    pairs = [
        ProposedPair(
            key=f"{matched[p.need_index].pk}:{p.offer_id}",
            case=matched[p.need_index],
            offer_id=p.offer_id,
            location=locations[p.location_id],
            score=p.score,
            explanation=p.explanation,
        )
        for p in pairings
    ]
    placed = {p.need_index for p in pairings}
    audit.record(
        actor,
        "allocation.propose",
        object_type="cases.dischargecase",
        care_type=care_type,
        waiting=len(cases),
        proposed=len(pairs),
    )
    return Proposal(
        care_type=care_type,
        waiting=len(cases),
        pairs=sorted(pairs, key=lambda p: (p.case.discharge_ready_date, p.case.pk)),
        placed_fcfs=fcfs.placed,
        days_saved=best.delayed_days_saved(fcfs),
        unplaced=[c for i, c in enumerate(matched) if i not in placed],
        cannot_match=cannot,
        seconds=time.perf_counter() - started,
    )


def refer_pairs(actor: Actor, proposal: Proposal, chosen: set[str]) -> tuple[int, list[str]]:
    """Refer each chosen pairing's case to its offer; how many went, and what could not."""
    sent, problems = 0, []
    for pair in proposal.pairs:
        if pair.key not in chosen:
            continue
        try:
            services.refer(actor=actor, case=pair.case, offer_ids=[pair.offer_id])
        except BrokerageError as exc:
            problems.append(f"{pair.case.patient} to {pair.location.name}: {exc}")
        else:
            sent += 1
    return sent, problems
