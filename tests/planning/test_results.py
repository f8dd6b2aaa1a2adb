"""Unit tests (pure functions) of `homeward.planning.results`: bands, intervals, JSON-ready
summaries and paired comparisons of scenarios."""

import json
from datetime import date

import numpy as np
import pytest

from homeward.planning import engine, results
from homeward.planning.scenario import Capacity, Demand, Scenario, Service, Stay

PLAN = Scenario(
    "base",
    date(2025, 1, 6),
    60,
    (
        Service(
            "P2 North",
            "P2",
            "North",
            Demand(1.5),
            Capacity(38),
            Stay(mean=26.0, median=21.0),
            in_service=34,
            waiting=4,
            service_cost=214.0,
            cost_basis="capacity",
            bed_day_cost=400.0,
        ),
        Service(
            "P1 North",
            "P1",
            "North",
            Demand(6.0),
            Capacity(150),
            Stay(mean=24.0, median=18.0),
            in_service=140,
            service_cost=62.0,
            bed_day_cost=400.0,
        ),
    ),
)


def test_band_is_median_and_5_95_percentiles_per_day_ignoring_gaps():
    values = np.full((202, 3), np.nan)
    values[:, 0] = np.tile(np.arange(101.0), 2)
    values[:101, 2] = 2 * np.arange(101.0)  # the other half of the replications: no value
    band = results.band(values)
    assert band["median"] == [50.0, None, 100.0]
    assert band["p5"] == [5.0, None, 10.0]
    assert band["p95"] == [95.0, None, 190.0]


def test_interval_has_mean_standard_error_and_band():
    found = results.interval(np.array([1.0, 2.0, 3.0, 4.0, np.nan]))
    assert found["mean"] == 2.5
    assert found["se"] == pytest.approx(round(np.std([1, 2, 3, 4], ddof=1) / 2, 3))
    assert (found["p5"], found["median"], found["p95"]) == (1.15, 2.5, 3.85)
    assert results.interval(np.array([np.nan]))["mean"] is None


def test_summary_is_json_ready_with_days_services_and_totals():
    runs = engine.run(PLAN, 30, 4, workers=1)
    summary = results.summarise(runs)
    text = json.dumps(summary, allow_nan=False)
    assert json.loads(text) == summary
    assert (summary["seed"], summary["replications"], summary["days"]) == (4, 30, 60)
    assert summary["dates"][0] == "2025-01-06" and len(summary["dates"]) == 60
    p2 = summary["services"][0]
    assert set(p2["daily"]) == {"occupancy", "waiting", "wait_days"}
    assert all(len(b) == 60 for b in p2["daily"]["occupancy"].values())
    waiting = p2["daily"]["waiting"]
    assert all(
        lo <= mid <= hi
        for lo, mid, hi in zip(waiting["p5"], waiting["median"], waiting["p95"], strict=True)
    )
    total = summary["totals"]["cost"]["mean"]
    assert total == pytest.approx(sum(s["totals"]["cost"]["mean"] for s in summary["services"]))


def test_compare_pairs_replications_so_unchanged_scenarios_differ_by_nothing():
    base = engine.run(PLAN, 40, 11, workers=1)
    more_beds = engine.run(
        PLAN.with_changes(name="+6 P2 beds", extra_capacity=6, services=["P2 North"]),
        40,
        11,
        workers=1,
    )
    table = results.compare(base, more_beds)
    same, changed = table["scenarios"]
    assert same["change"]["cost"] == dict.fromkeys(("mean", "se", "median", "p5", "p95"), 0.0)
    assert changed["change"]["delayed_bed_days"]["mean"] < 0
    assert (
        changed["change"]["delayed_bed_days"]["p95"] <= 0
    )  # never worse, replication by replication
    with pytest.raises(ValueError, match="same seed and replications"):
        results.compare(base, engine.run(PLAN, 40, 12, workers=1))
