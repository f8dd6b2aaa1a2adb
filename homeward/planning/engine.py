"""The discharge-pathway simulation and the pool that runs its replications.

Engine (chosen by measurement, see `benchmarks/simulate.py`): every service is a
first-come-first-served pool of places with no priorities, routing or reneging, so each person's
times follow exactly from the recursion
    start_k = max(arrival_k, the earliest time a place is free),  end_k = start_k + stay_k,
and the k-th arrival of every replication is handled at once with NumPy over a
(replications, places) array of the times each place is next free. On the benchmark pool this
is two orders of magnitude faster than the same model as a SimPy event loop. Priorities,
routing between services or reneging would need an event engine; none is modelled here.

Conventions:
- Time is in days from the start; day d is [d, d + 1). Daily figures are counted at the end of
  each day (midnight): people in service, people waiting, and the mean wait of the people who
  started service that day (NaN when nobody did).
- Arrivals: day d's number is Poisson around its rate, at uniform times within the day (a
  Poisson process with a daily rate); `even` arrivals are the expected number, evenly spaced.
- People waiting at the start arrive at time 0, ahead of everyone new.
- People in service at the start are part-way through steady-state stays: each leaves after a
  uniform fraction (evenly spaced for `even` arrivals) of a length-biased stay.
- Capacity changes on day d apply from time d. Nobody starts while occupancy is at or above the
  capacity of the moment, and the next person waiting starts as soon as it is below: a fall
  moves nobody out (the places that close are the next to become free, so occupancy can stay
  above the new figure until enough people leave); a rise first cancels closures not yet done.
- Waits are followed past the horizon to the person's start (the last capacity carries on);
  delayed bed days and service days count only days inside the horizon.
- Random numbers: one generator per replication; each service draws from its own child stream
  (`rng.spawn`), so the same seed gives the same answer whatever the worker count, and changing
  one service leaves the others' arrivals and stays as they were (common random numbers).
"""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np

from homeward.planning.scenario import Scenario, Service

ENGINES = ("local", "dask", "ray")
BLOCK = 250
OPTIONAL = {
    "dask": ("distributed", "dask[distributed]"),
    "ray": ("ray.util.multiprocessing", "ray"),
}


class EngineNotInstalled(RuntimeError):
    """An optional engine (dask, ray) whose package is missing."""


@dataclass(frozen=True)
class Trace:
    """Every person's times in one service, shaped (people, replications) and padded with inf
    where a replication had fewer people; `initial_end` is when each person already in service
    at the start leaves, shaped (in service, replications)."""

    arrival: np.ndarray
    start: np.ndarray
    end: np.ndarray
    initial_end: np.ndarray


@dataclass(frozen=True)
class ServiceRuns:
    """One service's outputs per replication: daily arrays (replications, days) and totals."""

    name: str
    capacity: np.ndarray
    occupancy: np.ndarray
    waiting: np.ndarray
    wait: np.ndarray
    totals: dict[str, np.ndarray]


@dataclass(frozen=True)
class Runs:
    """A scenario's simulated replications, service by service."""

    scenario: Scenario
    seed: int | None
    services: tuple[ServiceRuns, ...]

    @property
    def replications(self) -> int:
        """How many replications were run."""
        return self.services[0].occupancy.shape[0]


# --------------------------------------------------------------------------- the FCFS recursion


def fcfs(
    arrival: np.ndarray,
    stay: np.ndarray,
    free: np.ndarray,
    opened: int,
    changes: Sequence[tuple[float, int]] = (),
) -> np.ndarray:
    """Start times of first-come-first-served service for every replication at once.

    `arrival` and `stay` are (people, replications), arrivals sorted in each column (inf pads);
    `free` is (replications, places), when each place is next free, of which the first `opened`
    are open at time 0; `changes` are (time, places opened or, if negative, closed), in order.
    Steps:
    1. For the k-th arrival of every replication take the open place free soonest.
    2. If that start would be at or after a replication's next change, apply the change first.
    3. Start = max(arrival, place free); the place is next free at start + stay.
    """
    people, reps = arrival.shape
    places = free.shape[1]
    free = free.copy()
    avail = np.where(np.arange(places) < opened, free, np.inf)
    avail_flat, free_flat = avail.reshape(-1), free.reshape(-1)
    base = np.arange(reps) * places
    times = np.array([t for t, _ in changes] + [np.inf])
    pending = np.zeros(reps, dtype=np.intp)
    start = np.empty_like(arrival)
    for k in range(people):
        place = base + avail.argmin(axis=1)
        begin = np.maximum(arrival[k], avail_flat[place])
        due = (begin >= times[pending]) & (pending < len(changes))
        while due.any():
            _apply_due(avail, free, pending, due, changes)
            place = base + avail.argmin(axis=1)
            begin = np.maximum(arrival[k], avail_flat[place])
            due = (begin >= times[pending]) & (pending < len(changes))
        start[k] = begin
        avail_flat[place] = begin + stay[k]
        if changes:
            free_flat[place] = begin + stay[k]
    return start


def _apply_due(avail, free, pending, due, changes) -> None:
    """Apply each due replication's next capacity change and move it to the one after."""
    before = pending.copy()
    for index in np.unique(before[due]):
        rows = np.flatnonzero(due & (before == index))
        time, delta = changes[index]
        avail[rows] = _changed(avail[rows], free[rows], time, delta)
        pending[rows] += 1


def _changed(avail: np.ndarray, free: np.ndarray, time: float, delta: int) -> np.ndarray:
    """Availability after opening `delta` places at `time` (closing them when negative).

    Closed places (inf in `avail`) are always ones that become free no later than any open
    place, which makes the rule "start only while occupancy < capacity" hold: closing takes
    the open places free soonest; opening takes the closed places free last (cancelling the
    closure of a place still occupied first), available from `time` at the earliest."""
    if delta < 0:
        pick = np.argpartition(avail, -delta - 1, axis=1)[:, :-delta]
        np.put_along_axis(avail, pick, np.inf, axis=1)
    elif delta > 0:
        closed_free = np.where(np.isinf(avail), free, -np.inf)
        pick = np.argpartition(closed_free, -delta, axis=1)[:, -delta:]
        opening = np.maximum(np.take_along_axis(free, pick, axis=1), time)
        np.put_along_axis(avail, pick, opening, axis=1)
    return avail


# --------------------------------------------------------------------------- one service


def trace(service: Service, start: date, days: int, rngs: Sequence[np.random.Generator]) -> Trace:
    """Simulate one service for `days` days from `start`, one replication per generator.

    Steps:
    1. Draw each replication's arrivals, stays and remaining stays from its generator.
    2. Pad them into (people, replications) arrays.
    3. Run the FCFS recursion with the capacity plan's changes."""
    rates = service.demand.daily(start, days)
    draws = [_draw(service, rates, rng) for rng in rngs]
    arrival = _padded([d[0] for d in draws], np.inf)
    stay = _padded([d[1] for d in draws], 0.0)
    initial_end = np.stack([d[2] for d in draws], axis=1)
    free = np.zeros((len(rngs), service.capacity.peak))
    free[:, : service.in_service] = initial_end.T
    begin = fcfs(arrival, stay, free, service.capacity.initial, _changes(service))
    return Trace(arrival, begin, begin + stay, initial_end)


def _draw(service: Service, rates: np.ndarray, rng: np.random.Generator):
    """One replication's arrival times (waiting people first), their stays, and the remaining
    stays of the people in service at the start."""
    even = service.demand.arrivals == "even"
    counts = _even_counts(rates) if even else rng.poisson(rates)
    day = np.repeat(np.arange(rates.size), counts)
    within = _even_offsets(counts) if even else rng.random(day.size)
    arrival = np.concatenate([np.zeros(service.waiting), np.sort(day + within)])
    stay = service.stay.sample(rng, arrival.size)
    n = service.in_service
    fraction = (np.arange(n) + 0.5) / max(n, 1) if even else rng.random(n)
    return arrival, stay, fraction * service.stay.sample_length_biased(rng, n)


def _even_counts(rates: np.ndarray) -> np.ndarray:
    """Whole arrivals a day whose running total follows the expected running total."""
    expected = np.round(np.concatenate([[0.0], np.cumsum(rates)]), 9)
    return np.diff(np.floor(expected)).astype(np.int64)


def _even_offsets(counts: np.ndarray) -> np.ndarray:
    """Times within the day of n evenly spaced arrivals: (i + 0.5) / n."""
    per_person = np.repeat(counts, counts)
    rank = np.arange(per_person.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return (rank + 0.5) / np.maximum(per_person, 1)


def _padded(columns: list[np.ndarray], fill: float) -> np.ndarray:
    """Columns of different lengths as one (longest, columns) array padded with `fill`."""
    out = np.full((max(c.size for c in columns), len(columns)), fill)
    for index, column in enumerate(columns):
        out[: column.size, index] = column
    return out


def _changes(service: Service) -> list[tuple[float, int]]:
    """The capacity plan as (time, places opened or closed)."""
    found, before = [], service.capacity.initial
    for day, places in service.capacity.changes:
        found.append((float(day), places - before))
        before = places
    return found


def measure(service: Service, run: Trace, days: int) -> ServiceRuns:
    """Daily figures and totals of one service's trace (see the module conventions)."""
    arrived = _by_midnight(run.arrival, days)
    started = _by_midnight(run.start, days)
    ended = _by_midnight(run.end, days)
    left = _by_midnight(run.initial_end, days)
    occupancy = service.in_service - left + started - ended
    waiting = arrived - started
    capacity = service.capacity.daily(days)
    return ServiceRuns(
        name=service.name,
        capacity=capacity,
        occupancy=occupancy.astype(np.int32),
        waiting=waiting.astype(np.int32),
        wait=_daily_mean_wait(run, days),
        totals=_totals(service, run, days, capacity, occupancy, waiting),
    )


def _by_midnight(times: np.ndarray, days: int) -> np.ndarray:
    """(replications, days): how many of each column's times fall before each midnight d + 1."""
    return _per_day(times, days).cumsum(axis=1)


def _per_day(times: np.ndarray, days: int, weights: np.ndarray | None = None) -> np.ndarray:
    """(replications, days): count (or sum of `weights`) of each column's times in each day."""
    reps = times.shape[1]
    slot = np.floor(np.minimum(times, days)).astype(np.int64) + (days + 1) * np.arange(reps)
    sums = np.bincount(
        slot.ravel(), None if weights is None else weights.ravel(), reps * (days + 1)
    )
    return sums.reshape(reps, days + 1)[:, :days]


def _daily_mean_wait(run: Trace, days: int) -> np.ndarray:
    """Mean wait of the people starting service each day; NaN on days nobody started."""
    starts = _per_day(run.start, days)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _per_day(run.start, days, _waits(run)) / np.where(starts > 0, starts, np.nan)


def _waits(run: Trace) -> np.ndarray:
    """Each person's days from arrival to start of service; 0 in the padding."""
    real = np.isfinite(run.arrival)
    return np.subtract(run.start, run.arrival, out=np.zeros_like(run.start), where=real)


def _totals(service, run, days, capacity, occupancy, waiting) -> dict[str, np.ndarray]:
    """Per-replication totals over the horizon."""
    real = np.isfinite(run.arrival)
    people = real.sum(axis=0)
    wait = _waits(run)
    inside = np.minimum(run.start, days)
    delayed = (inside - np.minimum(run.arrival, days)).sum(axis=0)
    served = (np.minimum(run.end, days) - inside).sum(axis=0)
    served = served + np.minimum(run.initial_end, days).sum(axis=0)
    paid_days = (
        served if service.cost_basis == "occupied" else np.full(people.shape, capacity.sum())
    )
    completed = (run.end < days).sum(axis=0) + (run.initial_end < days).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_wait, waited = wait.sum(axis=0) / people, (wait > 0).sum(axis=0) / people
    return {
        "arrived": people - service.waiting,
        "completed": completed,
        "waiting_at_end": waiting[:, -1],
        "in_service_at_end": occupancy[:, -1],
        "delayed_bed_days": delayed,
        "service_days": served,
        "mean_wait": mean_wait,
        "waited_share": waited,
        "waiting_cost": delayed * service.bed_day_cost,
        "service_cost": paid_days * service.service_cost,
        "cost": delayed * service.bed_day_cost + paid_days * service.service_cost,
    }


# --------------------------------------------------------------------------- scenarios and pools


def simulate(scenario: Scenario, rngs: Sequence[np.random.Generator]) -> Runs:
    """Simulate every service of `scenario`, one replication per generator."""
    streams = [rng.spawn(len(scenario.services)) for rng in rngs]
    services = tuple(
        measure(
            service,
            trace(service, scenario.start, scenario.days, [s[index] for s in streams]),
            scenario.days,
        )
        for index, service in enumerate(scenario.services)
    )
    return Runs(scenario, None, services)


def _simulate_block(scenario: Scenario, seeds: list[np.random.SeedSequence]) -> Runs:
    """Worker entry point: the replications of one block of seed sequences."""
    return simulate(scenario, [np.random.default_rng(seed) for seed in seeds])


def run(
    scenario: Scenario,
    replications: int,
    seed: int,
    *,
    workers: int | None = None,
    engine: str = "local",
    progress: Callable[[int, int], None] | None = None,
) -> Runs:
    """Run `replications` replications of `scenario` across a pool of `workers` processes.

    Steps:
    1. Replication i draws from child i of `SeedSequence(seed)`, so results do not depend on
       the number of workers or blocks.
    2. Split them into contiguous blocks, one per worker but at most BLOCK replications each
       (a block's arrays hold every person of every replication in it).
    3. Simulate the blocks on the engine, reporting `progress(done, replications)`.
    4. Join the blocks in replication order."""
    if replications < 1:
        raise ValueError(f"replications must be 1 or more, not {replications}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    workers = max(1, min(workers or os.cpu_count() or 1, replications))
    seeds = np.random.SeedSequence(seed).spawn(replications)
    size = min(BLOCK, math.ceil(replications / workers))
    blocks = [seeds[i : i + size] for i in range(0, replications, size)]
    done, parts = 0, []
    with _mapper(engine, workers) as mapper:
        for part in mapper(_simulate_block, [scenario] * len(blocks), blocks):
            parts.append(part)
            done += part.replications
            if progress:
                progress(done, replications)
    return join(parts, seed)


def run_slice(scenario: Scenario, replications: int, seed: int, first: int, last: int) -> Runs:
    """Replications `first` to `last - 1` of a run of `replications` with `seed`, in this
    process: exactly what `run` gives those replications, so a run can be done in slices
    (a web page reporting progress between them) and `join`ed."""
    if not 0 <= first < last <= replications:
        raise ValueError(f"replications {first} to {last} are not within 0 to {replications}")
    seeds = np.random.SeedSequence(seed).spawn(replications)[first:last]
    return Runs(scenario, seed, _simulate_block(scenario, seeds).services)


def join(parts: Sequence[Runs], seed: int | None) -> Runs:
    """Slices of one scenario's replications joined in the order given."""
    scenario = parts[0].scenario
    return Runs(
        scenario,
        seed,
        tuple(_joined([p.services[i] for p in parts]) for i in range(len(scenario.services))),
    )


def _joined(parts: list[ServiceRuns]) -> ServiceRuns:
    """One service's blocks joined along the replication axis."""
    first = parts[0]
    return ServiceRuns(
        name=first.name,
        capacity=first.capacity,
        occupancy=np.concatenate([p.occupancy for p in parts]),
        waiting=np.concatenate([p.waiting for p in parts]),
        wait=np.concatenate([p.wait for p in parts]),
        totals={key: np.concatenate([p.totals[key] for p in parts]) for key in first.totals},
    )


@contextmanager
def _mapper(engine: str, workers: int) -> Iterator[Callable]:
    """An ordered `map(function, *iterables)` on the chosen engine.

    `local` runs in this process for one worker, else on a process pool; `dask` uses the
    scheduler named by DASK_SCHEDULER_ADDRESS (a local cluster if unset); `ray` the cluster
    named by RAY_ADDRESS."""
    if engine == "local" and workers == 1:
        yield map
    elif engine == "local":
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool.map
    elif engine == "dask":
        with _optional("dask").Client() as client:
            yield client.get_executor().map
    else:
        pool = _optional("ray").Pool()
        try:
            yield lambda function, *iterables: pool.starmap(function, zip(*iterables, strict=True))
        finally:
            pool.terminate()


def _optional(engine: str):
    """The module an optional engine needs, or a clear EngineNotInstalled."""
    module, package = OPTIONAL[engine]
    try:
        return importlib.import_module(module)
    except ImportError:
        raise EngineNotInstalled(
            f"engine '{engine}' is not installed: pip install '{package}'"
        ) from None
