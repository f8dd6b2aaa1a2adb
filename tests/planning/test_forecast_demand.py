"""Unit tests of filling a scenario's demand from pathway forecasts."""

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from homeward.planning.forecast import Forecast, demand_from_forecasts
from homeward.planning.scenario import Capacity, Demand, Scenario, Service, Stay

MONDAY = date(2025, 1, 6)


def service(name: str, pathway: str, rate: float) -> Service:
    return Service(name, pathway, "", Demand(rate), Capacity(10), Stay(mean=5.0, median=4.0))


def forecast(weekdays: list[float]) -> Forecast:
    mean = np.array(weekdays * 2)  # 14 days from a Monday
    return Forecast(MONDAY, mean, mean, mean, 0.9, "poisson", 1.0)


@pytest.fixture
def plan():
    services = (service("a", "P1", 3.0), service("b", "P1", 1.0), service("c", "P2", 2.0))
    return Scenario("area", MONDAY, 30, services)


def test_pathway_forecast_is_shared_by_current_demand_with_its_weekday_pattern(plan):
    found = demand_from_forecasts(plan, {"P1": forecast([6, 6, 6, 6, 6, 2, 2])})
    a, b = found.service("a").demand, found.service("b").demand
    level = (5 * 6 + 2 * 2) / 7
    assert (a.rate, b.rate) == (round(level * 0.75, 3), round(level * 0.25, 3))
    assert a.weekday == b.weekday == tuple(round(v / level, 3) for v in [6] * 5 + [2] * 2)
    assert found.service("c") == plan.service("c")


def test_zero_demand_services_share_equally_and_a_zero_forecast_changes_nothing(plan):
    quiet = replace(
        plan, services=(service("a", "P1", 0.0), service("b", "P1", 0.0), plan.services[2])
    )
    found = demand_from_forecasts(quiet, {"P1": forecast([2] * 7), "P2": forecast([0] * 7)})
    assert found.service("a").demand.rate == found.service("b").demand.rate == 1.0
    assert found.service("c") == quiet.service("c")
    assert demand_from_forecasts(plan, {"P3": forecast([1] * 7)}) == plan
