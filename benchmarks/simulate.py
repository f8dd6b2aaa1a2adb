"""Benchmark: the discharge-pathway simulation against a SimPy model of the same system.

Workload: one bed pool (M/G/c): arrivals 2.5 a day (Poisson), 110 beds, lognormal stays
(median 34, mean 42.8 days), starting empty, 365 days, 1,000 replications. Homeward's engine
(`homeward.planning.engine`, first-come-first-served vectorised across replications, one
process) is timed against a SimPy model of the same system written the usual way (a
Resource, a process per patient and a midnight monitor), run in this script with its own
random numbers. Both report, per replication, the mean midnight occupancy, the mean number
waiting at midnight and the delayed bed days inside the year.

Checks (exit 1 if any fails):
1. The means of those three figures agree within two standard errors (of the difference).
2. SimPy fed the engine's own arrivals and stays reproduces its start times (to 1e-9 days).
3. With exponential stays (load 100 on 112 beds) the mean wait and the chance of waiting
   match Erlang C within 3% over a long horizon (54 million people after a warm-up).
Also timed, not checked: a six-service, 181-day scenario (`homeward/planning/examples/
area.csv`) with 1,000 replications on 2 workers, target under 5 s.

Run: .venv/bin/python benchmarks/simulate.py [--simpy-replications 1000] [--repeats 3]
SimPy costs ~25 ms a replication; with fewer SimPy replications its time is scaled to 1,000
(per replication, said in the output). Ratio = SimPy time / engine time, both for 1,000.
"""

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date

import numpy as np
import simpy
from common import PROJECT

from homeward.planning import engine, files
from homeward.planning.scenario import Capacity, Demand, Scenario, Service, Stay

RATE, BEDS, MEDIAN, MEAN, DAYS, REPLICATIONS = 2.5, 110, 34.0, 42.8, 365, 1000
SEED = 20250106
STAY = Stay(mean=MEAN, median=MEDIAN)
POOL = Scenario(
    "one bed pool",
    date(2025, 1, 6),
    DAYS,
    (Service("beds", "P2", "", Demand(RATE), Capacity(BEDS), STAY),),
)
AREA = PROJECT / "homeward" / "planning" / "examples" / "area.csv"
ERLANG_BEDS, ERLANG_MEAN, ERLANG_DAYS, ERLANG_WARM_UP, ERLANG_BLOCKS = 112, 40.0, 3000, 300, 16


# --------------------------------------------------------------------------- SimPy baseline


def simpy_replication(rng: np.random.Generator) -> tuple[float, float, float]:
    """One SimPy replication: mean midnight occupancy, mean midnight waiting, delayed bed days."""
    env = simpy.Environment()
    beds = simpy.Resource(env, capacity=BEDS)
    arrived, started, occupied, waiting = [], [], [], []

    def patient(stay: float):
        arrived.append(env.now)
        index = len(started)
        started.append(np.inf)
        with beds.request() as request:
            yield request
            started[index] = env.now
            yield env.timeout(stay)

    def arrivals():
        while True:
            yield env.timeout(rng.exponential(1 / RATE))
            if env.now >= DAYS:
                return
            env.process(patient(rng.lognormal(STAY.mu, STAY.sigma)))

    def midnights():
        for _ in range(DAYS):
            yield env.timeout(1)
            occupied.append(beds.count)
            waiting.append(len(beds.queue))

    env.process(arrivals())
    env.process(midnights())
    env.run(until=DAYS + 0.5)
    delayed = np.sum(np.minimum(started, DAYS) - np.array(arrived))
    return float(np.mean(occupied)), float(np.mean(waiting)), float(delayed)


def simpy_starts(arrivals: np.ndarray, stays: np.ndarray) -> np.ndarray:
    """Start times SimPy gives for given arrival times and stays (same Resource model)."""
    env = simpy.Environment()
    beds = simpy.Resource(env, capacity=BEDS)
    starts = np.full(arrivals.size, np.inf)

    def patient(index: int):
        yield env.timeout(arrivals[index])
        with beds.request() as request:
            yield request
            starts[index] = env.now
            yield env.timeout(stays[index])

    for index in range(arrivals.size):
        env.process(patient(index))
    env.run()
    return starts


# --------------------------------------------------------------------------- checks


def agreement(ours: np.ndarray, theirs: np.ndarray) -> list[tuple[str, float, float, float, bool]]:
    """Per figure: our mean, SimPy's, the standard error of the difference, and whether the
    means are within two of it."""
    rows = []
    for index, name in enumerate(("midnight occupancy", "midnight waiting", "delayed bed days")):
        a, b = ours[:, index], theirs[:, index]
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        rows.append((name, a.mean(), b.mean(), se, abs(a.mean() - b.mean()) <= 2 * se))
    return rows


def same_starts(replications: int = 5) -> float:
    """Largest gap between the engine's start times and SimPy's on the engine's own inputs."""
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(SEED).spawn(replications)]
    run = engine.trace(POOL.services[0], POOL.start, DAYS, rngs)
    worst = 0.0
    for r in range(replications):
        real = np.isfinite(run.arrival[:, r])
        arrivals, starts = run.arrival[real, r], run.start[real, r]
        theirs = simpy_starts(arrivals, run.end[real, r] - starts)
        worst = max(worst, float(np.max(np.abs(theirs - starts))))
    return worst


def erlang_c(servers: int, load: float) -> float:
    """Probability of waiting in M/M/c (Erlang B by its stable recursion, then C)."""
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return servers * blocking / (servers - load * (1 - blocking))


def erlang_block(seed: int) -> tuple[float, int, int]:
    """Sum of waits, people who waited and people (arrivals after the warm-up), 500 replications."""
    service = Service(
        "pool",
        "P2",
        "",
        Demand(RATE),
        Capacity(ERLANG_BEDS),
        Stay(mean=ERLANG_MEAN, distribution="exponential"),
        in_service=100,
    )
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(500)]
    run = engine.trace(service, POOL.start, ERLANG_DAYS, rngs)
    kept = np.isfinite(run.arrival) & (run.arrival >= ERLANG_WARM_UP)
    waits = np.subtract(run.start, run.arrival, out=np.zeros_like(run.start), where=kept)
    return float(waits.sum()), int((waits > 0).sum()), int(kept.sum())


def erlang_errors() -> tuple[float, float, int]:
    """Relative errors of the simulated mean wait and chance of waiting against Erlang C."""
    load = RATE * ERLANG_MEAN
    chance = erlang_c(ERLANG_BEDS, load)
    mean_wait = chance / (ERLANG_BEDS / ERLANG_MEAN - RATE)
    with ProcessPoolExecutor(max_workers=2) as pool:
        total, waited, people = np.array(list(pool.map(erlang_block, range(ERLANG_BLOCKS)))).sum(0)
    return total / people / mean_wait - 1, waited / people / chance - 1, int(people)


# --------------------------------------------------------------------------- timing


def timed(function, repeats: int) -> tuple[float, object]:
    """Median seconds of `repeats` calls, and the last call's result."""
    seconds, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--simpy-replications", type=int, default=REPLICATIONS)
    parser.add_argument("--repeats", type=int, default=3, help="engine timings (median)")
    args = parser.parse_args()

    # 1. Homeward's engine, one process, and on 2 workers.
    ours_s, runs = timed(lambda: engine.run(POOL, REPLICATIONS, SEED, workers=1), args.repeats)
    two_s, _ = timed(lambda: engine.run(POOL, REPLICATIONS, SEED, workers=2), args.repeats)
    beds = runs.services[0]
    ours = np.column_stack(
        [beds.occupancy.mean(1), beds.waiting.mean(1), beds.totals["delayed_bed_days"]]
    )
    print(
        f"engine: {REPLICATIONS:,} replications in {ours_s:.3f} s on 1 process "
        f"({two_s:.3f} s on 2 workers); median of {args.repeats}"
    )

    # 2. SimPy, its own random numbers.
    n = args.simpy_replications
    rng_seeds = np.random.SeedSequence(SEED + 1).spawn(n)
    began = time.perf_counter()
    theirs = np.array([simpy_replication(np.random.default_rng(s)) for s in rng_seeds])
    simpy_s = (time.perf_counter() - began) * REPLICATIONS / n
    scaled = "" if n == REPLICATIONS else f" (ran {n:,}, scaled per replication to 1,000)"
    print(f"simpy:  {REPLICATIONS:,} replications in {simpy_s:.3f} s{scaled}")

    # 3. Checks.
    ok = True
    for name, a, b, se, fine in agreement(ours, theirs):
        ok &= fine
        print(
            f"  {name:<20} engine {a:10.3f}  simpy {b:10.3f}  diff {a - b:+8.3f}  "
            f"2 SE {2 * se:7.3f}  {'ok' if fine else 'DISAGREE'}"
        )
    gap = same_starts()
    ok &= gap < 1e-9
    print(
        f"  same inputs: largest start-time gap engine vs SimPy {gap:.1e} days "
        f"{'ok' if gap < 1e-9 else 'DIFFERENT'}"
    )
    wait_error, chance_error, people = erlang_errors()
    fine = abs(wait_error) <= 0.03 and abs(chance_error) <= 0.03
    ok &= fine
    print(
        f"  Erlang C (load 100, {ERLANG_BEDS} beds, exponential stays, {people:,} people): "
        f"mean wait {wait_error:+.2%}, chance of waiting {chance_error:+.2%} "
        f"{'ok' if fine else 'OFF'}"
    )

    # 4. Six services, 181 days, 1,000 replications on 2 workers.
    area = files.load(AREA)
    area_s, _ = timed(lambda: engine.run(area, REPLICATIONS, SEED, workers=2), args.repeats)
    verdict = "met" if area_s < 5 else "NOT met"
    print(
        f"six services x {area.days} days x {REPLICATIONS:,} replications on 2 workers: "
        f"{area_s:.2f} s (target < 5 s: {verdict})"
    )

    if not ok:
        print("FAILED: the engine disagrees with its checks", file=sys.stderr)
    print(
        f"simulate {REPLICATIONS:,} replications: {ours_s:.3f} s ({simpy_s / ours_s:.1f}x vs simpy)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
