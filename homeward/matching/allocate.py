"""Allocate an area: the optimal pairing of everyone waiting with the current vacancies.

Objective, in order: 1. place as many people as possible; 2. among allocations placing that
many, maximise the total score in points (each pair's shortlist score x 10,000, rounded, so
scores count to four decimals and the arithmetic is exact in integers). Each person gets at
most one offer; each offer takes at most its vacancies.

What is optimal: the candidate graph holds every (person, offer) pair that passes the
shortlist's hard filters (`shortlist.feasible`), so without `max_candidates` the allocation is
optimal over every allocation that respects them. With `max_candidates=K` each person keeps
only their K best offers, bounding the graph for very large areas; the allocation is then
optimal over that capped graph only, and `CandidateGraph.capped` says whether the cap cut
anyone's list.

Solver, chosen by measurement (benchmarks/allocate.py, 2,000 people x ~40,600 England offers,
full candidate graphs of 23,000-162,000 pairs): scipy's sparse Jonker-Volgenant assignment
(`min_weight_full_bipartite_matching`, LAPJVsp) on a slot expansion solved each in
0.03-0.21 s, where HiGHS dual simplex on the same flow LP (`linprog`) took 0.2-1.9 s.
The LP stays as the independent check (`allocate_by_lp`)."""

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from homeward.matching.model import Need, OfferTable, Weights
from homeward.matching.shortlist import Match, cost_reference, feasible, scores, top_k

SCALE = 10_000
# A person left unplaced is assumed to wait this many more days (until a later round).
FURTHER_WAIT_DAYS = 7.0
EMPTY_INT = np.empty(0, dtype=np.int64)
EMPTY_FLOAT = np.empty(0)


@dataclass(frozen=True)
class CandidateGraph:
    """Feasible (person, offer) pairs, grouped by person, each person's best first.

    `person` indexes `needs`; `offer` indexes `rows` (table rows), whose places are
    `capacity` (vacancies when the graph was built)."""

    needs: tuple[Need, ...]
    now: datetime
    person: np.ndarray
    offer: np.ndarray
    score: np.ndarray
    points: np.ndarray
    km: np.ndarray
    rows: np.ndarray
    capacity: np.ndarray
    capped: bool

    def __len__(self) -> int:
        return len(self.person)


@dataclass(frozen=True)
class Allocation:
    """Chosen pairs (positions in the graph) and what they add up to."""

    graph: CandidateGraph
    pairs: np.ndarray
    method: str

    @property
    def placed(self) -> int:
        """People placed."""
        return len(self.pairs)

    @property
    def unplaced(self) -> int:
        """People left waiting."""
        return len(self.graph.needs) - len(self.pairs)

    @property
    def points(self) -> int:
        """Total score in points (score x SCALE)."""
        return int(self.graph.points[self.pairs].sum())

    @property
    def total_score(self) -> float:
        """Total score of the pairs."""
        return self.points / SCALE

    def delayed_days_saved(
        self, baseline: "Allocation", further_wait_days: float = FURTHER_WAIT_DAYS
    ) -> float:
        """Estimated delayed days this allocation saves against the baseline.

        Everyone placed leaves hospital in this round; everyone left unplaced is assumed to
        wait `further_wait_days` more. So the saving is the difference in people left unplaced
        times that wait: an estimate resting on that stated assumption, not a forecast."""
        return (baseline.unplaced - self.unplaced) * further_wait_days

    def offer_of(self) -> dict[int, int]:
        """Table row given to each placed person, by need index."""
        graph = self.graph
        rows = graph.rows[graph.offer[self.pairs]]
        return dict(zip(graph.person[self.pairs].tolist(), rows.tolist(), strict=True))


@dataclass(frozen=True)
class Pairing:
    """One proposed pairing with the reasons for it, in words."""

    need_index: int
    case_id: int | None
    offer_id: int
    location_id: int
    score: float
    explanation: str


def allocate(
    table: OfferTable,
    needs: list[Need],
    weights: Weights,
    now: datetime | None = None,
    max_candidates: int | None = None,
) -> Allocation:
    """The optimal allocation of the needs to the table's current vacancies."""
    return optimal(candidate_graph(table, needs, weights, now, max_candidates))


def candidate_graph(
    table: OfferTable,
    needs: list[Need],
    weights: Weights,
    now: datetime | None = None,
    max_candidates: int | None = None,
) -> CandidateGraph:
    """Every feasible pair, scored as the shortlist scores it.

    1. For each need, find the rows passing every hard filter and score them.
    2. Order them best first (equal scores by offer id), cut to max_candidates if given.
    3. Concatenate, and index the distinct offers with their vacancies."""
    now = now or datetime.now(UTC)
    now_s = now.timestamp()
    limit = max_candidates or len(table)
    people, chosen, values, distances = [EMPTY_INT], [EMPTY_INT], [EMPTY_FLOAT], [EMPTY_FLOAT]
    capped = False
    for i, need in enumerate(needs):
        rows, km, near = feasible(table, need, now_s)
        score = scores(table, need, weights, rows, km)
        km[near:] = np.nan
        best = top_k(score, table.offer_id[rows], limit)
        capped |= len(best) < len(rows)
        people.append(np.full(len(best), i))
        chosen.append(rows[best])
        values.append(score[best])
        distances.append(km[best])
    person, score = np.concatenate(people), np.concatenate(values)
    rows, offer = np.unique(np.concatenate(chosen), return_inverse=True)
    return CandidateGraph(
        needs=tuple(needs),
        now=now,
        person=person,
        offer=offer,
        score=score,
        points=np.rint(score * SCALE).astype(np.int64),
        km=np.concatenate(distances),
        rows=rows,
        capacity=table.vacancies[rows].copy(),
        capped=capped,
    )


def optimal(graph: CandidateGraph) -> Allocation:
    """The lexicographic optimum: one sparse min-cost assignment (LAPJVsp) of every person
    to a slot of an offer or to their own 'unplaced' column."""
    if len(graph) == 0:
        return Allocation(graph, np.empty(0, dtype=np.int64), "optimal")
    matrix, slot_offer = _assignment_matrix(graph)
    _, column = min_weight_full_bipartite_matching(matrix)
    placed = column < len(slot_offer)
    positions = _pair_positions(graph, np.flatnonzero(placed), slot_offer[column[placed]])
    return Allocation(graph, positions, "optimal")


def _assignment_matrix(graph: CandidateGraph) -> tuple[sp.csr_array, np.ndarray]:
    """People x (slots, then one 'unplaced' column each) costs, and each slot's offer.

    1. Give each offer min(vacancies, people who can use it) identical slots.
    2. Join each pair's person to every slot of its offer at cost SCALE + 1 - points (>= 1:
       the solver reads a stored zero as no edge).
    3. Give each person a private 'unplaced' column costing more than any gain in points a
       placement could buy (people x (SCALE + 1)), so fewer people unplaced always wins."""
    n = len(graph.needs)
    users = np.bincount(graph.offer, minlength=len(graph.rows))
    slots = np.minimum(graph.capacity, users)
    per_pair = slots[graph.offer]
    pair_of_edge = np.repeat(np.arange(len(graph)), per_pair)
    rank = np.arange(len(pair_of_edge)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    column = (np.cumsum(slots) - slots)[graph.offer[pair_of_edge]] + rank
    total_slots = int(slots.sum())
    cost = np.concatenate(
        (SCALE + 1 - graph.points[pair_of_edge], np.full(n, n * (SCALE + 1) + 1))
    ).astype(float)
    row = np.concatenate((graph.person[pair_of_edge], np.arange(n)))
    column = np.concatenate((column, total_slots + np.arange(n)))
    matrix = sp.csr_array((cost, (row, column)), shape=(n, total_slots + n))
    return matrix, np.repeat(np.arange(len(slots)), slots)


def allocate_by_lp(graph: CandidateGraph) -> Allocation:
    """The same optimum by HiGHS on the flow LP: an independent check of `optimal`.

    The constraint matrix (one row per person, one per offer) is totally unimodular, so the
    simplex vertex HiGHS returns is integral."""
    n, m = len(graph.needs), len(graph.rows)
    if len(graph) == 0:
        return Allocation(graph, np.empty(0, dtype=np.int64), "linear programme")
    pairs = np.arange(len(graph))
    matrix = sp.csr_array(
        (np.ones(2 * len(graph)), (np.r_[graph.person, n + graph.offer], np.r_[pairs, pairs])),
        shape=(n + m, len(graph)),
    )
    bonus = (n + 1) * SCALE  # a placement outweighs any total of points
    result = linprog(
        -(bonus + graph.points).astype(float),
        A_ub=matrix,
        b_ub=np.r_[np.ones(n), np.maximum(graph.capacity, 0)],
        bounds=(0, 1),
        method="highs-ds",
    )
    if result.status != 0:
        raise RuntimeError(f"HiGHS did not solve the allocation LP: {result.message}")
    return Allocation(graph, np.flatnonzero(result.x > 0.5), "linear programme")


def first_come_first_served(graph: CandidateGraph) -> Allocation:
    """The baseline: longest waiting first, each takes their best candidate with a place left."""
    left = np.maximum(graph.capacity, 0).tolist()
    starts = np.searchsorted(graph.person, np.arange(len(graph.needs) + 1)).tolist()
    offers = graph.offer.tolist()
    waiting = [need.waiting_days for need in graph.needs]
    chosen = []
    for person in sorted(range(len(waiting)), key=lambda i: (-waiting[i], i)):
        for position in range(starts[person], starts[person + 1]):
            if left[offers[position]] > 0:
                left[offers[position]] -= 1
                chosen.append(position)
                break
    return Allocation(graph, np.array(sorted(chosen), dtype=np.int64), "first come, first served")


def explain(
    allocation: Allocation, table: OfferTable, baseline: Allocation | None = None
) -> list[Pairing]:
    """Each proposed pairing with its score, the reasons behind it, and (given a baseline)
    what first come, first served would have done instead."""
    graph = allocation.graph
    others = {}
    if baseline is not None:
        others = dict(
            zip(graph.person[baseline.pairs].tolist(), baseline.pairs.tolist(), strict=True)
        )
    return [
        _pairing(graph, table, int(position), others, baseline is not None)
        for position in allocation.pairs
    ]


def _pairing(
    graph: CandidateGraph, table: OfferTable, position: int, others: dict[int, int], compare: bool
) -> Pairing:
    person = int(graph.person[position])
    row = int(graph.rows[graph.offer[position]])
    need, offer = graph.needs[person], table.source[row]
    km = float(graph.km[position])
    match = Match(
        offer.offer_id,
        offer.location_id,
        float(graph.score[position]),
        None if np.isnan(km) else km,
        offer,
        need,
        cost_reference(table, need),
        graph.now,
    )
    words = f"score {match.score:.2f}: " + ", ".join(match.reasons)
    if compare:
        words += "; " + _baseline_words(graph, table, position, others.get(person))
    return Pairing(person, need.case_id, offer.offer_id, offer.location_id, match.score, words)


def _baseline_words(
    graph: CandidateGraph, table: OfferTable, position: int, baseline: int | None
) -> str:
    """What first come, first served does for the same person, given its pair's position."""
    if baseline is None:
        return "first come, first served would leave this person waiting"
    if baseline == position:
        return "first come, first served would make the same pairing"
    other = table.source[graph.rows[graph.offer[baseline]]]
    return (
        f"first come, first served would offer {other.name or other.offer_id} instead "
        f"(score {graph.score[baseline]:.2f})"
    )


def _pair_positions(graph: CandidateGraph, people: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """Graph positions of the (person, offer) pairs (each pair exists exactly once)."""
    key = graph.person.astype(np.int64) * len(graph.rows) + graph.offer
    wanted = people.astype(np.int64) * len(graph.rows) + offers
    order = np.argsort(key)
    return np.sort(order[np.searchsorted(key, wanted, sorter=order)])
