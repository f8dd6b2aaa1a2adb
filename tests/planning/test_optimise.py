"""Unit tests (pure functions) of `homeward.planning.optimise`: the cheapest capacity meeting
a wait target, on a case whose answer is known, and the shape of the evaluated curve."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from homeward.planning.optimise import cheapest_capacity
from homeward.planning.scenario import Capacity, Demand, Scenario, ScenarioError, Service, Stay


def plan(arrivals: str = "even") -> Scenario:
    # 2 people a day staying 5 days need 10 places; block-contract places cost £100 a day.
    service = Service(
        "beds",
        "P2",
        "",
        Demand(2.0, arrivals=arrivals),
        Capacity(8),
        Stay(mean=5.0, distribution="fixed"),
        service_cost=100.0,
        cost_basis="capacity",
        bed_day_cost=300.0,
    )
    return Scenario("search", date(2025, 1, 6), 30, (service,))


def test_finds_the_known_cheapest_capacity():
    search = cheapest_capacity(plan(), "beds", 0.1, range(8, 14), replications=3, seed=1)
    assert search.best == 10
    curve = {point.capacity: point for point in search.curve}
    assert [p.capacity for p in search.curve] == list(range(8, 14))
    assert curve[9].mean_wait > 0.1 and curve[10].mean_wait == 0
    assert not curve[9].meets_target and curve[10].meets_target
    assert curve[10].cost == pytest.approx(10 * 30 * 100)
    assert curve[11].cost == pytest.approx(11 * 30 * 100)  # more places, dearer, no shorter wait
    assert search.to_dict()["curve"][2]["capacity"] == 10


def test_wait_never_rises_with_capacity_under_common_random_numbers():
    search = cheapest_capacity(plan("poisson"), "beds", 0.5, range(9, 16), replications=40, seed=2)
    waits = np.array([point.mean_wait for point in search.curve])
    assert np.all(np.diff(waits) <= 1e-12)
    assert (
        search.best
        == min((p for p in search.curve if p.meets_target), key=lambda p: p.cost).capacity
    )


def test_no_capacity_meeting_the_target_gives_none_and_bad_ranges_are_refused():
    assert cheapest_capacity(plan(), "beds", 0.1, [8, 9], replications=2, seed=1).best is None
    started = Scenario("full", date(2025, 1, 6), 30, (replace(plan().services[0], in_service=6),))
    with pytest.raises(ScenarioError, match="at least 6"):
        cheapest_capacity(started, "beds", 0.1, [5, 7])
    with pytest.raises(ScenarioError, match="no service is called 'rehab'"):
        cheapest_capacity(started, "rehab", 0.1, [7])
