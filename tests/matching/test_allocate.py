"""Unit tests of the area allocation (pure: no database)."""

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.matching.allocate import (
    SCALE,
    Allocation,
    allocate,
    allocate_by_lp,
    candidate_graph,
    explain,
    first_come_first_served,
    optimal,
)
from homeward.matching.model import OfferTable, Weights
from homeward.matching.shortlist import shortlist
from tests.matching.factories import NOW, need, needs, offer, offer_rows


def assert_valid(allocation: Allocation) -> None:
    """Each person at most once; no offer above its vacancies; only feasible pairs."""
    graph = allocation.graph
    people = graph.person[allocation.pairs]
    assert len(set(people.tolist())) == len(people)
    taken = np.bincount(graph.offer[allocation.pairs], minlength=len(graph.rows))
    assert np.all(taken <= graph.capacity)


def exhaustive(graph) -> tuple[int, int]:
    """The best (people placed, points) by trying every allocation."""
    left = graph.capacity.tolist()
    options = [[] for _ in graph.needs]
    for position, person in enumerate(graph.person.tolist()):
        options[person].append(position)

    def best(person: int) -> tuple[int, int]:
        if person == len(options):
            return (0, 0)
        found = best(person + 1)
        for position in options[person]:
            offer_index = graph.offer[position]
            if left[offer_index] > 0:
                left[offer_index] -= 1
                placed, points = best(person + 1)
                left[offer_index] += 1
                found = max(found, (placed + 1, points + int(graph.points[position])))
        return found

    return best(0)


def test_a_scarce_bed_goes_where_it_lets_more_people_home():
    # Anna can use either home; Ben, on oxygen, only the first. First come, first served
    # gives Anna (waiting longer) the better first home, so Ben waits; the optimum places both.
    rows = [offer(1, rating="Outstanding"), offer(2, capabilities=("hoist",))]
    table = OfferTable.from_rows(rows)
    anna = need(waiting_days=20, case_id=1)
    ben = need(waiting_days=3, case_id=2, capabilities=("hoist", "oxygen"))
    ours = allocate(table, [anna, ben], Weights(), NOW)
    assert ours.offer_of() == {0: table.row_of[2], 1: table.row_of[1]}
    graph = ours.graph
    fcfs = first_come_first_served(graph)
    assert fcfs.placed == 1
    assert ours.delayed_days_saved(fcfs) == 7.0
    assert ours.delayed_days_saved(fcfs, further_wait_days=10) == 10.0


def test_offers_with_one_place_each_still_fill_by_score():
    rows = [offer(1, rating="Outstanding", vacancies=2), offer(2, rating="Requires improvement")]
    table = OfferTable.from_rows(rows)
    ours = allocate(table, [need(), need()], Weights(), NOW)
    assert ours.placed == 2
    assert sorted(ours.offer_of().values()) == [table.row_of[1], table.row_of[1]]


def test_pairs_are_scored_as_the_shortlist_scores_them():
    rows = [offer(1), offer(2, weekly_price=900.0, rating="Outstanding")]
    table = OfferTable.from_rows(rows)
    person = need()
    graph = candidate_graph(table, [person], Weights(), NOW)
    ranked = shortlist(table, person, Weights(), now=NOW)
    assert graph.score.tolist() == [m.score for m in ranked]
    assert graph.points.tolist() == [round(m.score * SCALE) for m in ranked]


def test_each_pairing_is_explained_against_first_come_first_served():
    rows = [offer(1, rating="Outstanding", name="Oak Lodge"), offer(2, capabilities=("hoist",))]
    table = OfferTable.from_rows(rows)
    anna = need(waiting_days=20, case_id=11)
    ben = need(waiting_days=3, case_id=12, capabilities=("hoist", "oxygen"))
    ours = allocate(table, [anna, ben], Weights(), NOW)
    fcfs = first_come_first_served(ours.graph)
    pairings = {p.case_id: p for p in explain(ours, table, fcfs)}
    assert pairings[11].explanation.startswith(f"score {pairings[11].score:.2f}: 1.0 km away")
    assert "rated" in pairings[11].explanation
    assert (
        "; first come, first served would offer Oak Lodge instead (score 0."
        in pairings[11].explanation
    )
    assert pairings[12].explanation.endswith(
        "first come, first served would leave this person waiting"
    )
    assert "first come" not in explain(ours, table)[0].explanation


def test_stale_or_full_offers_are_not_allocated():
    rows = [offer(1, vacancies=0), offer(2, reported_at=NOW - timedelta(days=3))]
    ours = allocate(OfferTable.from_rows(rows), [need()], Weights(), NOW)
    assert ours.placed == 0 and ours.unplaced == 1 and ours.total_score == 0


def test_nobody_waiting_and_nobody_placeable():
    table = OfferTable.from_rows([offer()])
    assert allocate(table, [], Weights(), NOW).placed == 0
    graph = candidate_graph(table, [need(care_type="hospice")], Weights(), NOW)
    assert optimal(graph).placed == allocate_by_lp(graph).placed == 0
    assert first_come_first_served(graph).placed == 0


def test_max_candidates_caps_each_list_and_says_so():
    rows = [offer(i) for i in range(1, 6)]
    table = OfferTable.from_rows(rows)
    graph = candidate_graph(table, [need()], Weights(), NOW, max_candidates=2)
    assert len(graph) == 2 and graph.capped
    assert not candidate_graph(table, [need()], Weights(), NOW).capped


@settings(max_examples=150, deadline=None, database=None)
@given(rows=offer_rows(max_size=10), people=st.lists(needs(locations=6), max_size=6))
def test_allocation_is_optimal_feasible_and_beats_first_come_first_served(rows, people):
    table = OfferTable.from_rows(rows)
    graph = candidate_graph(table, people, Weights(), NOW)
    ours, lp, fcfs = optimal(graph), allocate_by_lp(graph), first_come_first_served(graph)
    for allocation in (ours, lp, fcfs):
        assert_valid(allocation)
    best = exhaustive(graph)
    assert (ours.placed, ours.points) == best
    assert (lp.placed, lp.points) == best
    assert (ours.placed, ours.points) >= (fcfs.placed, fcfs.points)


@settings(max_examples=80, deadline=None, database=None)
@given(
    rows=offer_rows(max_size=30),
    people=st.lists(needs(locations=15), min_size=1, max_size=25),
    cap=st.one_of(st.none(), st.integers(1, 3)),
)
def test_allocation_never_exceeds_a_vacancy_and_places_each_person_once(rows, people, cap):
    table = OfferTable.from_rows(rows)
    ours = allocate(table, people, Weights(), NOW, max_candidates=cap)
    assert_valid(ours)
    assert (ours.placed, ours.points) == (
        (lp := allocate_by_lp(ours.graph)).placed,
        lp.points,
    )
    for person, row in ours.offer_of().items():
        assert table.source[row].offer_id in {
            m.offer_id for m in shortlist(table, people[person], Weights(), 100, NOW)
        }


@pytest.mark.parametrize("vacancies", [1, 3])
def test_more_people_than_places(vacancies):
    table = OfferTable.from_rows([offer(vacancies=vacancies)])
    ours = allocate(table, [need(waiting_days=d) for d in range(6)], Weights(), NOW)
    assert ours.placed == vacancies
    assert_valid(ours)
