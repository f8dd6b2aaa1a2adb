"""The capacity that keeps a service's expected wait below a target at the lowest total cost.

The wait and cost of each candidate capacity come from simulating the service alone, with the
capacity held constant over the horizon and the same seed for every candidate: common random
numbers give every candidate the same arrivals and stays, so the curve shows the effect of
capacity itself and is monotone in the wait (an extra place never delays anyone under FCFS).
Cost counts hospital bed days while waiting plus the service's own cost; with `occupied`
costing (spot purchase) an empty place costs nothing, so only `capacity` costing (block
contracts) makes extra places dearer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from homeward.planning.engine import run
from homeward.planning.scenario import Capacity, Scenario, ScenarioError


@dataclass(frozen=True)
class CapacityPoint:
    """One evaluated capacity: mean wait (days) and total cost (£) with standard errors."""

    capacity: int
    mean_wait: float
    mean_wait_se: float
    waited_share: float
    delayed_bed_days: float
    cost: float
    cost_se: float
    meets_target: bool


@dataclass(frozen=True)
class CapacitySearch:
    """The cheapest capacity meeting the wait target (None if none does) and the whole curve."""

    service: str
    target_wait: float
    best: int | None
    curve: tuple[CapacityPoint, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**asdict(self), "curve": [asdict(point) for point in self.curve]}


def cheapest_capacity(
    scenario: Scenario,
    service: str,
    target_wait: float,
    capacities: Iterable[int],
    *,
    replications: int = 200,
    seed: int = 0,
    workers: int | None = 1,
) -> CapacitySearch:
    """Search `capacities` of one service for the cheapest whose expected wait <= `target_wait`.

    Steps:
    1. Take the service alone from the scenario.
    2. For each capacity, simulate it held constant, with the same seed (common random numbers).
    3. Expected wait = mean over replications of each replication's mean wait; cost likewise.
    4. Best = the lowest mean cost among capacities meeting the target."""
    alone = scenario.service(service)
    candidates = sorted(set(capacities))
    if not candidates or candidates[0] < max(1, alone.in_service):
        raise ScenarioError(
            f"capacities to search must be at least {max(1, alone.in_service)} (the people "
            f"already in service of '{service}'), not {candidates[:1]}"
        )
    curve = []
    for places in candidates:
        trial = replace(alone, capacity=Capacity(places))
        runs = run(replace(scenario, services=(trial,)), replications, seed, workers=workers)
        curve.append(_point(places, runs.services[0].totals, target_wait))
    feasible = [p for p in curve if p.meets_target]
    best = min(feasible, key=lambda p: (p.cost, p.capacity)).capacity if feasible else None
    return CapacitySearch(service, target_wait, best, tuple(curve))


def _point(places: int, totals: dict[str, np.ndarray], target_wait: float) -> CapacityPoint:
    """Means and standard errors of one capacity's replications."""
    wait, cost = totals["mean_wait"], totals["cost"]
    mean_wait = float(np.nanmean(wait))
    return CapacityPoint(
        capacity=places,
        mean_wait=mean_wait,
        mean_wait_se=_se(wait),
        waited_share=float(np.nanmean(totals["waited_share"])),
        delayed_bed_days=float(totals["delayed_bed_days"].mean()),
        cost=float(cost.mean()),
        cost_se=_se(cost),
        meets_target=mean_wait <= target_wait,
    )


def _se(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else float("nan")
