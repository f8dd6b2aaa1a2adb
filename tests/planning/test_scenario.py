"""Unit tests (pure functions) of `homeward.planning.scenario`: validation messages, demand
profiles, capacity plans, fitted stays and what-if copies."""

import math
from datetime import date

import numpy as np
import pytest

from homeward.planning.scenario import (
    Capacity,
    Demand,
    Scenario,
    ScenarioError,
    Service,
    Stay,
)

START = date(2025, 1, 6)  # a Monday


def beds(**fields) -> Service:
    values = {
        "name": "P2 North",
        "pathway": "P2",
        "locality": "North",
        "demand": Demand(2.5),
        "capacity": Capacity(40),
        "stay": Stay(mean=26.0, median=21.0),
        **fields,
    }
    return Service(**values)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Stay(mean=30.0, median=34.0), r"mean \(30\) must be greater than the median"),
        (lambda: Stay(mean=30.0), "lognormal stay needs a median"),
        (lambda: Stay(mean=0.0, distribution="fixed"), "more than 0 days"),
        (lambda: Stay(mean=5.0, median=4.0, distribution="exponential"), "only the mean"),
        (lambda: Stay(mean=5.0, distribution="gamma"), "distribution must be one of"),
        (lambda: Demand(-1.0), "zero or more people a day"),
        (lambda: Demand([1.0, float("nan")]), "zero or more people a day"),
        (lambda: Demand("lots"), "demand rate must be numbers"),
        (lambda: Demand(1.0, weekday=[1, 1, 1]), "weekday profile needs 7 numbers"),
        (lambda: Demand(1.0, month=[0] * 12), "not all zero"),
        (lambda: Demand(1.0, arrivals="bursty"), "arrivals must be one of"),
        (lambda: Capacity(-1), "capacity must be a whole number"),
        (lambda: Capacity(5, ((0, 6),)), "day 1 or later"),
        (lambda: Capacity(5, ((9, 6), (3, 4))), "different days, in order"),
        (lambda: beds(in_service=41), r"more than the capacity \(40\)"),
        (lambda: beds(waiting=-2), "people waiting at the start must be a whole number"),
        (lambda: beds(service_cost=-5), "must be £0 or more"),
        (lambda: beds(cost_basis="monthly"), "cost basis must be one of"),
        (lambda: beds(name=" "), "needs a name"),
    ],
)
def test_invalid_parts_say_what_is_wrong(make, message):
    with pytest.raises(ScenarioError, match=message):
        make()


def test_scenario_lists_every_problem_with_its_service():
    with pytest.raises(ScenarioError) as caught:
        Scenario(
            "bad",
            START,
            30,
            (
                beds(demand=Demand([1.0] * 10)),
                beds(capacity=Capacity(40, ((45, 0),))),
                beds(name="P2 South", capacity=Capacity(40, ((10, 0),))),
            ),
        )
    lines = str(caught.value).splitlines()
    assert "service 'P2 North': demand gives 10 days but the horizon is 30 days" in lines
    assert "service 'P2 North': capacity change on day 45 is after the horizon (30 days)" in lines
    assert any("'P2 South': capacity must end at 1 place or more" in line for line in lines)
    assert "service name 'P2 North' is used twice" in lines


def test_horizon_and_services_are_required():
    with pytest.raises(ScenarioError, match="horizon must be 1 to 3,660 days"):
        Scenario("x", START, 0, (beds(),))
    with pytest.raises(ScenarioError, match="1,700,000 places is more than 20,000"):
        Scenario("x", START, 10, (beds(capacity=Capacity(1_700_000)),))
    with pytest.raises(ScenarioError, match="at least one service"):
        Scenario("x", START, 10, ())


# --------------------------------------------------------------------------- parts


def test_weekday_and_month_profiles_shape_demand_around_the_rate():
    weekday = [2, 1, 1, 1, 1, 0, 1]  # Monday double, Saturday none; mean 1
    demand = Demand(3.0, weekday=weekday, month=[1] * 12)
    daily = demand.daily(START, 14)
    assert daily[:7].tolist() == [6.0, 3.0, 3.0, 3.0, 3.0, 0.0, 3.0]
    assert daily.mean() == pytest.approx(3.0)
    winter = Demand(1.0, month=[2] + [1] * 10 + [2]).daily(date(2024, 12, 30), 4)
    assert winter.tolist() == pytest.approx([12 / 7] * 4)  # Dec/Jan at 2 / mean(14/12)


def test_per_day_demand_is_used_as_given():
    assert Demand([1.0, 2.0, 3.0, 4.0]).daily(START, 3).tolist() == [1.0, 2.0, 3.0]


def test_capacity_plan_by_day_and_added_places():
    plan = Capacity(40, ((10, 46), (20, 42)))
    daily = plan.daily(30)
    assert daily[[0, 9, 10, 19, 20, 29]].tolist() == [40, 40, 46, 46, 42, 42]
    assert (plan.peak, plan.final) == (46, 42)
    assert plan.plus(10, 15, 30).changes == ((10, 46), (15, 56), (20, 52))
    assert Capacity.from_daily(daily) == plan
    with pytest.raises(ScenarioError, match="below zero"):
        plan.plus(-45, 0, 30)


def test_lognormal_parameters_from_median_and_mean():
    stay = Stay(mean=42.8, median=34.0)
    assert stay.mu == pytest.approx(math.log(34))
    assert math.exp(stay.mu + stay.sigma**2 / 2) == pytest.approx(42.8)


def test_stay_fitted_from_history_recovers_the_lognormal():
    stays = np.random.default_rng(3).lognormal(math.log(21), 0.6, 20_000)
    fitted = Stay.fit(stays)
    assert fitted.median == pytest.approx(21, rel=0.02)
    assert fitted.mean == pytest.approx(21 * math.exp(0.18), rel=0.02)
    with pytest.raises(ScenarioError, match="same length"):
        Stay.fit([5, 5, 5])


# --------------------------------------------------------------------------- what-if copies


def test_with_changes_adds_places_from_a_date_and_scales_demand():
    plan = Scenario("base", START, 90, (beds(), beds(name="P1 North", pathway="P1")))
    march = plan.with_changes(
        name="+10 P2 beds in March", extra_capacity=10, from_day=date(2025, 3, 1), services=["P2"]
    )
    assert march.name == "+10 P2 beds in March"
    assert march.service("P2 North").capacity == Capacity(40, ((54, 50),))
    assert march.service("P1 North") == plan.service("P1 North")
    busier = plan.with_changes(demand_factor=1.15)
    assert all(s.demand.rate == pytest.approx(2.875) for s in busier.services)
    assert plan.service("P2 North").demand.rate == 2.5  # the original is untouched


def test_with_changes_refuses_unknown_services_and_days():
    plan = Scenario("base", START, 90, (beds(),))
    with pytest.raises(ScenarioError, match="no service or pathway is called 'P9'"):
        plan.with_changes(extra_capacity=1, services=["P9"])
    with pytest.raises(ScenarioError, match="outside the horizon"):
        plan.with_changes(extra_capacity=1, from_day=120)
    full = Scenario("full", START, 90, (beds(in_service=40),))
    with pytest.raises(ScenarioError, match="more than the capacity"):
        full.with_changes(extra_capacity=-5)
