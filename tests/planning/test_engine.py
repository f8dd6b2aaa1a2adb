"""Unit tests (pure functions) of `homeward.planning.engine`: hand-calculated deterministic
cases, capacity changes, agreement with an independent brute-force simulator and with Erlang C,
reproducibility, and Hypothesis properties (occupancy within capacity, people conserved)."""

from concurrent.futures import ProcessPoolExecutor
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.planning import engine
from homeward.planning.scenario import Capacity, Demand, Scenario, Service, Stay

START = date(2025, 1, 6)


def one_service(days: int = 10, **fields) -> Scenario:
    """A scenario of one service; by default 1 arrival a day, evenly spaced, fixed 3-day stays,
    2 places, £100 a day of service and £300 a hospital bed day."""
    values = {
        "name": "beds",
        "pathway": "P2",
        "locality": "",
        "demand": Demand(1.0, arrivals="even"),
        "capacity": Capacity(2),
        "stay": Stay(mean=3.0, distribution="fixed"),
        "service_cost": 100.0,
        "bed_day_cost": 300.0,
        **fields,
    }
    return Scenario("test", START, days, (Service(**values),))


def simulate(scenario: Scenario, replications: int = 1, seed: int = 0) -> engine.Runs:
    return engine.run(scenario, replications, seed, workers=1)


def trace_of(scenario: Scenario, replications: int = 1, seed: int = 0) -> engine.Trace:
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(replications)]
    return engine.trace(scenario.services[0], scenario.start, scenario.days, rngs)


# --------------------------------------------------------------------------- hand calculations


def test_deterministic_queue_matches_hand_calculation():
    # Arrivals at k + 0.5, 3-day stays, 2 places: person k waits floor(k / 2) days.
    runs = simulate(one_service())
    beds = runs.services[0]
    assert beds.occupancy[0].tolist() == [1, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    assert beds.waiting[0].tolist() == [0, 0, 1, 1, 1, 2, 2, 2, 3, 3]
    assert np.array_equal(
        beds.wait[0], [0, 0, np.nan, 1, 1, np.nan, 2, 2, np.nan, 3], equal_nan=True
    )
    totals = {key: float(value[0]) for key, value in beds.totals.items()}
    assert totals["arrived"] == 10
    assert totals["completed"] == 5  # ends 3.5, 4.5, 6.5, 7.5, 9.5
    assert (totals["waiting_at_end"], totals["in_service_at_end"]) == (3, 2)
    # Waits inside the horizon 0+0+1+1+2+2+3 + 2.5 + 1.5 + 0.5; five full stays + 2.5 + 0.5.
    assert totals["delayed_bed_days"] == pytest.approx(13.5)
    assert totals["service_days"] == pytest.approx(18.0)
    assert totals["mean_wait"] == pytest.approx(2.0)  # followed past the horizon: floor(k/2)
    assert totals["waited_share"] == pytest.approx(0.8)
    assert totals["waiting_cost"] == pytest.approx(13.5 * 300)
    assert totals["service_cost"] == pytest.approx(18.0 * 100)
    assert totals["cost"] == pytest.approx(13.5 * 300 + 18.0 * 100)


def test_block_contract_pays_for_every_place_day():
    runs = simulate(one_service(cost_basis="capacity", capacity=Capacity(2, ((5, 3),))))
    totals = runs.services[0].totals
    assert totals["service_cost"][0] == pytest.approx((2 * 5 + 3 * 5) * 100)


def test_added_place_is_used_from_its_day():
    # A third place from day 5: person 4 (arrived 4.5) starts at 5.0 instead of 6.5.
    run = trace_of(one_service(capacity=Capacity(2, ((5, 3),))))
    starts = run.start[:, 0].tolist()
    assert starts == [0.5, 1.5, 3.5, 4.5, 5.0, 6.5, 7.5, 8.0, 9.5, 10.5]


def test_removed_places_close_as_they_become_free():
    # 3 places, 1 from day 2: nobody is moved out, and person 2 waits until occupancy < 1.
    run = trace_of(one_service(days=6, capacity=Capacity(3, ((2, 1),))))
    assert run.start[:, 0].tolist() == [0.5, 1.5, 4.5, 7.5, 10.5, 13.5]
    runs = simulate(one_service(days=6, capacity=Capacity(3, ((2, 1),))))
    assert runs.services[0].occupancy[0].tolist() == [1, 2, 2, 1, 1, 1]


def test_people_in_service_and_waiting_at_the_start():
    # 2 in service (even fractions 1/4, 3/4 of a 3-day stay: leave at 0.75 and 2.25), 1 waiting.
    run = trace_of(
        one_service(days=4, in_service=2, waiting=1, demand=Demand(0.0, arrivals="even"))
    )
    assert run.initial_end[:, 0].tolist() == [0.75, 2.25]
    assert run.start[:, 0].tolist() == [0.75]
    assert run.end[:, 0].tolist() == [3.75]


def test_even_arrivals_follow_the_running_total():
    counts = engine._even_counts(np.array([2.5, 2.5, 2.5, 2.5, 0.1, 0.1]))
    assert counts.tolist() == [2, 3, 2, 3, 0, 0]


def test_lognormal_stays_have_the_requested_median_and_mean():
    stays = Stay(mean=42.8, median=34.0).sample(np.random.default_rng(5), 400_000)
    assert np.median(stays) == pytest.approx(34.0, rel=0.01)
    assert stays.mean() == pytest.approx(42.8, rel=0.01)


def test_remaining_stays_of_people_already_in_service_are_the_steady_state_ones():
    # Renewal theory: the remaining stay seen at a random moment has mean E[S^2] / (2 E[S]).
    stay = Stay(mean=42.8, median=34.0)
    rng = np.random.default_rng(9)
    remaining = rng.random(400_000) * stay.sample_length_biased(rng, 400_000)
    expected = stay.mean * np.exp(stay.sigma**2) / 2
    assert remaining.mean() == pytest.approx(expected, rel=0.01)


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_same_results_whatever_the_worker_count():
    plan = one_service(
        days=60,
        demand=Demand(2.5),
        capacity=Capacity(100, ((20, 105), (40, 98))),
        stay=Stay(mean=42.8, median=34.0),
        in_service=90,
        waiting=3,
    )
    one = engine.run(plan, 40, 123, workers=1)
    two = engine.run(plan, 40, 123, workers=2)
    again = engine.run(plan, 40, 123, workers=3)
    for runs in (two, again):
        first, other = one.services[0], runs.services[0]
        assert np.array_equal(first.occupancy, other.occupancy)
        assert np.array_equal(first.waiting, other.waiting)
        assert np.array_equal(first.wait, other.wait, equal_nan=True)
        for key in first.totals:
            assert np.array_equal(first.totals[key], other.totals[key], equal_nan=True)
    different = engine.run(plan, 40, 124, workers=1)
    assert not np.array_equal(one.services[0].occupancy, different.services[0].occupancy)


def test_first_replications_do_not_depend_on_how_many_are_run():
    plan = one_service(days=30, demand=Demand(2.0), stay=Stay(mean=5.0, median=4.0))
    short, long = engine.run(plan, 5, 8, workers=1), engine.run(plan, 12, 8, workers=2)
    assert np.array_equal(short.services[0].occupancy, long.services[0].occupancy[:5])


def test_changing_one_service_leaves_the_others_draws_alone():
    plan = one_service(days=30, demand=Demand(2.0), stay=Stay(mean=5.0, median=4.0))
    second = Service("home care", "P1", "", Demand(3.0), Capacity(20), Stay(mean=10.0, median=8.0))
    both = Scenario("two", START, 30, (plan.services[0], second))
    busier = both.with_changes(demand_factor=1.5, services=["home care"])
    base, changed = engine.run(both, 6, 2, workers=1), engine.run(busier, 6, 2, workers=1)
    assert np.array_equal(base.services[0].occupancy, changed.services[0].occupancy)
    assert not np.array_equal(base.services[1].occupancy, changed.services[1].occupancy)


def test_unknown_engine_and_missing_optional_engines_are_clear():
    with pytest.raises(ValueError, match="engine must be one of"):
        engine.run(one_service(), 2, 1, engine="spark")
    with pytest.raises(engine.EngineNotInstalled, match=r"pip install 'dask\[distributed\]'"):
        engine.run(one_service(), 2, 1, engine="dask")
    with pytest.raises(engine.EngineNotInstalled, match="pip install 'ray'"):
        engine.run(one_service(), 2, 1, engine="ray")


# --------------------------------------------------------------------------- Erlang C


def erlang_c(servers: int, load: float) -> float:
    """Probability of waiting in M/M/c (Erlang B by its stable recursion, then C)."""
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return servers * blocking / (servers - load * (1 - blocking))


ERLANG = {"rate": 2.5, "mean_stay": 40.0, "places": 112, "days": 3000, "warm_up": 300}


def _erlang_block(seed: int) -> tuple[float, int, int]:
    """Sum of waits, people who waited and people, among arrivals after the warm-up."""
    service = Service(
        "pool",
        "P2",
        "",
        Demand(ERLANG["rate"]),
        Capacity(ERLANG["places"]),
        Stay(mean=ERLANG["mean_stay"], distribution="exponential"),
        in_service=100,  # start near the steady state; the warm-up removes the rest
    )
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(500)]
    run = engine.trace(service, START, ERLANG["days"], rngs)
    kept = np.isfinite(run.arrival) & (run.arrival >= ERLANG["warm_up"])
    waits = np.subtract(run.start, run.arrival, out=np.zeros_like(run.start), where=kept)
    return float(waits.sum()), int((waits > 0).sum()), int(kept.sum())


def test_exponential_stays_match_erlang_c():
    # lambda 2.5/day, mean stay 40 days: load 100 on 112 places (utilisation 0.89).
    # 16 blocks x 500 replications x 2,700 days after warm-up: 54 million people; the
    # standard error (between blocks) is about 1.0% for the mean wait and 0.4% for the chance
    # of waiting, so 3% is a three-standard-error bound.
    load = ERLANG["rate"] * ERLANG["mean_stay"]
    waiting_chance = erlang_c(ERLANG["places"], load)
    mean_wait = waiting_chance / (ERLANG["places"] / ERLANG["mean_stay"] - ERLANG["rate"])
    with ProcessPoolExecutor(max_workers=2) as pool:
        blocks = np.array(list(pool.map(_erlang_block, range(16))))
    total_wait, waited, people = blocks.sum(axis=0)
    assert total_wait / people == pytest.approx(mean_wait, rel=0.03)
    assert waited / people == pytest.approx(waiting_chance, rel=0.03)


# --------------------------------------------------------------------------- properties


def reference_starts(arrivals, stays, initial_end, capacity: Capacity) -> list[float]:
    """Brute force, independent of the engine: each person in turn starts at the first moment,
    not before they arrive nor before the person ahead, when occupancy < capacity."""
    leaving, starts, previous = list(initial_end), [], 0.0
    moments = [float(day) for day, _ in capacity.changes]
    for arrival, stay in zip(arrivals, stays, strict=True):
        t = max(arrival, previous)
        while sum(end > t for end in leaving) >= _places_at(capacity, t):
            t = min([end for end in leaving if end > t] + [m for m in moments if m > t])
        starts.append(t)
        leaving.append(t + stay)
        previous = t
    return starts


def _places_at(capacity: Capacity, t: float) -> int:
    places = capacity.initial
    for day, value in capacity.changes:
        if t >= day:
            places = value
    return places


@st.composite
def services(draw):
    days = draw(st.integers(5, 40))
    initial = draw(st.integers(1, 6))
    change_days = sorted(draw(st.sets(st.integers(1, days - 1), max_size=3)))
    changes = tuple((d, draw(st.integers(0, 7))) for d in change_days)
    if changes and changes[-1][1] == 0:
        changes = (*changes[:-1], (changes[-1][0], 1))
    kind = draw(st.sampled_from(["lognormal", "exponential", "fixed"]))
    mean = draw(st.floats(0.5, 8.0))
    stay = Stay(mean=mean, median=mean / 1.4 if kind == "lognormal" else None, distribution=kind)
    service = Service(
        name="s",
        pathway="P2",
        locality="",
        demand=Demand(
            draw(st.floats(0.0, 3.0)), arrivals=draw(st.sampled_from(["poisson", "even"]))
        ),
        capacity=Capacity(initial, changes),
        stay=stay,
        in_service=draw(st.integers(0, initial)),
        waiting=draw(st.integers(0, 4)),
    )
    return Scenario("property", START, days, (service,))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=services(), seed=st.integers(0, 2**32 - 1), replications=st.integers(1, 4))
def test_engine_matches_brute_force_and_keeps_its_invariants(plan, seed, replications):
    service = plan.services[0]
    run = trace_of(plan, replications, seed)
    runs = engine.Runs(plan, seed, (engine.measure(service, run, plan.days),))
    result = runs.services[0]
    for r in range(replications):
        real = np.isfinite(run.arrival[:, r])
        arrivals, starts = run.arrival[real, r], run.start[real, r]
        stays = run.end[real, r] - starts
        expected = reference_starts(arrivals, stays, run.initial_end[:, r], service.capacity)
        np.testing.assert_allclose(starts, expected, rtol=0, atol=1e-9)
        # Occupancy, the new person included, never exceeds capacity when someone starts.
        busy_ends = np.concatenate([run.initial_end[:, r], run.end[real, r]])
        busy_starts = np.concatenate([np.zeros(service.in_service), starts])
        for start in starts:
            inside = np.sum((busy_starts <= start) & (busy_ends > start))
            assert inside <= _places_at(service.capacity, start)
        # People are conserved: arrived + there at the start = done + waiting + in service.
        totals = {key: value[r] for key, value in result.totals.items()}
        assert service.in_service + service.waiting + totals["arrived"] == (
            totals["completed"] + totals["waiting_at_end"] + totals["in_service_at_end"]
        )
        assert totals["arrived"] == real.sum() - service.waiting
    if not any(places < before for before, places in _steps(service.capacity)):
        assert np.all(result.occupancy <= result.capacity)
    assert np.all(result.occupancy >= 0) and np.all(result.waiting >= 0)


def _steps(capacity: Capacity):
    before = capacity.initial
    for _, places in capacity.changes:
        yield before, places
        before = places
