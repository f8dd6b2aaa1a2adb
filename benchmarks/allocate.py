"""Benchmark: allocate an area, 2,000 waiting people x England's offers, four scenarios.

Offers and people come from `benchmarks/shortlist.py` (the generated England directory as
~40,500 service offers; 2,000 people placed where people live, with realistic needs). Scenarios:
every person's radius 30 km or 60 km (home care matched by area), capacity scarce (0.3 free
places per offer on average) or plentiful (2).

For each scenario: `allocate` (candidate generation + LAPJVsp on the slot expansion) is timed
(median of --repeats) and its peak Python memory measured with tracemalloc in a separate run.
The independent exact solver, HiGHS dual simplex on the flow LP (`allocate_by_lp`), solves the
same candidate graph; the objectives (people placed, total points) must be equal and the
allocation must respect every vacancy and place each person at most once. First come, first
served on the same graph gives the gap: people left unplaced and the delayed days it costs
(each person left unplaced assumed to wait `FURTHER_WAIT_DAYS` more).

Run: .venv/bin/python benchmarks/allocate.py [--people 2000] [--repeats 3]
Target: <= 0.5 s and < 200 MB per scenario; no dense matrix. Exits 1 when an objective
differs or an allocation breaks a constraint."""

import argparse
import statistics
import sys
import time
import tracemalloc

import common  # noqa: F401  (puts the project on the import path)
import numpy as np
from shortlist import NOW, england_needs, england_offers, read_directory

from homeward.matching.allocate import (
    FURTHER_WAIT_DAYS,
    Allocation,
    allocate,
    allocate_by_lp,
    candidate_graph,
    first_come_first_served,
)
from homeward.matching.model import OfferTable, Weights

SCENARIOS = [
    ("scarce", 0.3, 30.0),
    ("scarce", 0.3, 60.0),
    ("plentiful", 2.0, 30.0),
    ("plentiful", 2.0, 60.0),
]
TARGET_S = 0.5
TARGET_MB = 200


def _valid(allocation: Allocation) -> bool:
    """Each person at most once; no offer above its vacancies."""
    graph = allocation.graph
    people = graph.person[allocation.pairs]
    taken = np.bincount(graph.offer[allocation.pairs], minlength=len(graph.rows))
    return len(np.unique(people)) == len(people) and bool(np.all(taken <= graph.capacity))


def _peak_mb(table: OfferTable, needs, weights: Weights) -> float:
    tracemalloc.start()
    allocate(table, needs, weights, NOW)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _scenario(table, needs, weights, repeats: int) -> dict:
    """Time, memory, the independent check and the baseline for one scenario."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        ours = allocate(table, needs, weights, NOW)
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    candidate_graph(table, needs, weights, NOW)
    graph_s = time.perf_counter() - start
    check = allocate_by_lp(ours.graph)
    lp_s = time.perf_counter() - start - graph_s
    fcfs = first_come_first_served(ours.graph)
    return {
        "ours": ours,
        "check": check,
        "fcfs": fcfs,
        "seconds": statistics.median(times),
        "graph_seconds": graph_s,
        "lp_seconds": lp_s,
        "peak_mb": _peak_mb(table, needs, weights),
        "equal": (ours.placed, ours.points) == (check.placed, check.points),
        "valid": _valid(ours) and _valid(check) and _valid(fcfs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    directory = read_directory()
    weights = Weights()
    tables = {}
    results = []
    for label, mean_free, radius in SCENARIOS:
        if mean_free not in tables:
            tables[mean_free] = OfferTable.from_rows(england_offers(directory, mean_free))
        table = tables[mean_free]
        needs = england_needs(directory, args.people, radius_km=radius)
        r = _scenario(table, needs, weights, args.repeats)
        results.append(r)
        ours, fcfs = r["ours"], r["fcfs"]
        graph = ours.graph
        print(
            f"{label} ({int(table.vacancies.sum()):,} places in {len(table):,} offers), "
            f"{radius:.0f} km: {len(graph):,} candidate pairs"
        )
        print(
            f"  optimal: {ours.placed} placed, {ours.total_score:.4f} total score, "
            f"{r['seconds'] * 1000:.0f} ms (candidates {r['graph_seconds'] * 1000:.0f} ms), "
            f"peak {r['peak_mb']:.1f} MB"
        )
        print(
            f"  HiGHS LP on the same graph: {r['check'].placed} placed, "
            f"{r['check'].total_score:.4f}, {r['lp_seconds'] * 1000:.0f} ms; "
            f"objectives {'equal' if r['equal'] else 'DIFFER'}; "
            f"constraints {'hold' if r['valid'] else 'BROKEN'}"
        )
        print(
            f"  first come, first served: {fcfs.placed} placed, {fcfs.total_score:.4f}; "
            f"leaves {fcfs.unplaced - ours.unplaced} more people waiting, "
            f"{ours.delayed_days_saved(fcfs):.0f} extra delayed days "
            f"(at {FURTHER_WAIT_DAYS:g} further days each)"
        )
    worst = max(results, key=lambda r: r["seconds"])
    ok = all(r["equal"] and r["valid"] for r in results)
    met = all(r["seconds"] <= TARGET_S and r["peak_mb"] < TARGET_MB for r in results)
    print(
        f"targets (<= {TARGET_S} s, < {TARGET_MB} MB every scenario): {'met' if met else 'MISSED'}"
    )
    # The LP route needs the same candidate graph first.
    ratio = (worst["graph_seconds"] + worst["lp_seconds"]) / worst["seconds"]
    print(
        f"allocate slowest scenario: {worst['seconds'] * 1000:.0f} ms "
        f"({ratio:.1f}x vs HiGHS LP exact solver)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
