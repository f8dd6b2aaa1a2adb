"""Summaries of simulated replications: per service and day the median and the 5-95% band
across replications; totals with their mean, standard error and band; side-by-side comparisons
whose differences are paired replication by replication (common random numbers). All
JSON-ready: plain lists, dicts, floats and None for "no value" (a day nobody started service)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from homeward.planning.engine import Runs, ServiceRuns

DAILY = {"occupancy": "occupancy", "waiting": "waiting", "wait_days": "wait"}
SCENARIO_TOTALS = ("delayed_bed_days", "service_days", "waiting_cost", "service_cost", "cost")
DIGITS = 3


def _plain(values: np.ndarray) -> list[float | None]:
    """Floats rounded for display, NaN as None."""
    return [None if np.isnan(v) else round(float(v), DIGITS) for v in values]


def band(values: np.ndarray) -> dict[str, list[float | None]]:
    """Per day (column): median and 5th/95th percentiles across replications (rows), ignoring
    NaN; None where every replication is NaN."""
    values = np.asarray(values, dtype=float)
    filled = ~np.isnan(values).all(axis=0)
    low, mid, high = np.full((3, values.shape[1]), np.nan)
    if filled.any():
        low[filled], mid[filled], high[filled] = np.nanpercentile(values[:, filled], [5, 50, 95], 0)
    return {"median": _plain(mid), "p5": _plain(low), "p95": _plain(high)}


def interval(values: np.ndarray) -> dict[str, float | None]:
    """Mean, its standard error, and the median and 5-95% band of per-replication values
    (replications with no value, NaN, left out)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return dict.fromkeys(("mean", "se", "median", "p5", "p95"))
    se = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else np.nan
    low, mid, high = np.percentile(values, [5, 50, 95])
    found = {"mean": values.mean(), "se": se, "median": mid, "p5": low, "p95": high}
    return dict(zip(found, _plain(np.array(list(found.values()))), strict=True))


def summarise_service(runs: ServiceRuns, service) -> dict[str, Any]:
    """One service's daily bands and totals."""
    return {
        "name": service.name,
        "pathway": service.pathway,
        "locality": service.locality,
        "capacity": runs.capacity.tolist(),
        "daily": {key: band(getattr(runs, field)) for key, field in DAILY.items()},
        "totals": {key: interval(values) for key, values in runs.totals.items()},
    }


def scenario_totals(runs: Runs) -> dict[str, np.ndarray]:
    """Per-replication totals over all services (bed days, days of service, costs)."""
    return {key: sum(s.totals[key] for s in runs.services) for key in SCENARIO_TOTALS}


def summarise(runs: Runs) -> dict[str, Any]:
    """The whole run as a JSON-ready dict: scenario, seed, dates, services, totals."""
    scenario = runs.scenario
    return {
        "scenario": scenario.name,
        "seed": runs.seed,
        "replications": runs.replications,
        "start": scenario.start.isoformat(),
        "days": scenario.days,
        "dates": [(scenario.start + timedelta(days=d)).isoformat() for d in range(scenario.days)],
        "services": [
            summarise_service(r, s) for r, s in zip(runs.services, scenario.services, strict=True)
        ],
        "totals": {key: interval(v) for key, v in scenario_totals(runs).items()},
    }


def compare(base: Runs, *others: Runs) -> dict[str, Any]:
    """Scenarios side by side: each one's totals, and its difference from `base` per
    replication (paired, so the band shows the change itself, not two runs' noise)."""
    for other in others:
        if (other.seed, other.replications) != (base.seed, base.replications):
            raise ValueError(
                f"'{other.scenario.name}' ran with seed {other.seed} and {other.replications} "
                f"replications, '{base.scenario.name}' with seed {base.seed} and "
                f"{base.replications}: compare runs of the same seed and replications"
            )
    return compare_totals(
        base.seed,
        [(runs.scenario.name, scenario_totals(runs)) for runs in (base, *others)],
    )


def compare_totals(
    seed: int | None, named: list[tuple[str, dict[str, np.ndarray]]]
) -> dict[str, Any]:
    """`compare` from each scenario's per-replication totals (`scenario_totals`), the first
    being the base; all must come from runs of the same seed and replications."""
    base, before = named[0][0], {k: np.asarray(v, dtype=float) for k, v in named[0][1].items()}
    lengths = {len(totals["cost"]) for _, totals in named}
    if len(lengths) != 1:
        raise ValueError("compare runs of the same seed and replications")
    return {
        "base": base,
        "seed": seed,
        "replications": lengths.pop(),
        "scenarios": [
            {
                "scenario": name,
                "totals": {key: interval(v) for key, v in totals.items()},
                "change": {key: interval(np.asarray(v) - before[key]) for key, v in totals.items()},
            }
            for name, totals in named
        ],
    }
