"""Saving, copying and running planning scenarios. Every change and every run names the acting
user and writes an audit row. Runs are done in slices (`step`), each a few tenths of a second,
so a page can show progress between them; `run_now` does them all at once (the API)."""

import io
import math
import time
from dataclasses import replace

import numpy as np
from django.db import IntegrityError, transaction

from homeward.core import audit, clock
from homeward.core.access import Actor
from homeward.planning import engine, optimise, results
from homeward.planning.forecast import Forecast, demand_from_forecasts
from homeward.planning.scenario import Capacity, ScenarioError
from homeward.planning.scenario import Scenario as Plan
from homeward.scenarios.models import Run, RunSlice, RunState, Scenario
from homeward.scenarios.queries import require_planner

MAX_REPLICATIONS = 5000
# Replications x services x days simulated per slice: about a quarter of a second.
SLICE_WORK = 200_000
MAX_CANDIDATES = 40
MAX_SEARCH_REPLICATIONS = 1000
# The list shows at most this much of a name; the document keeps it whole.
NAME_LENGTH = Scenario._meta.get_field("name").max_length


class PlanningError(ValueError):
    """A request the planning pages refuse, in words the user can act on."""


def plan_of(document: dict) -> Plan:
    """The planning scenario of a stored document."""
    return Plan.from_dict(document)


def create(actor: Actor, plan: Plan, *, copied_from: Scenario | None = None) -> Scenario:
    """Save a new scenario for the actor's organisation."""
    require_planner(actor)
    now = clock.now()
    with transaction.atomic():
        scenario = Scenario.objects.create(
            organisation=actor.organisation,
            name=plan.name[:NAME_LENGTH],
            document=plan.to_dict(),
            copied_from=copied_from,
            created_by=actor.user,
            created_at=now,
            updated_by=actor.user,
            updated_at=now,
        )
        audit.record(
            actor,
            "scenario.copy" if copied_from else "scenario.create",
            scenario,
            name=plan.name,
            copied_from=copied_from.pk if copied_from else None,
        )
    return scenario


def save(actor: Actor, scenario: Scenario, plan: Plan) -> Scenario:
    """Replace the scenario's document with `plan` (already validated)."""
    require_planner(actor)
    with transaction.atomic():
        scenario.name = plan.name[:NAME_LENGTH]
        scenario.document = plan.to_dict()
        scenario.updated_by = actor.user
        scenario.updated_at = clock.now()
        scenario.save(update_fields=["name", "document", "updated_by", "updated_at"])
        audit.record(actor, "scenario.save", scenario, name=plan.name)
    return scenario


def copy(actor: Actor, scenario: Scenario, name: str = "") -> Scenario:
    """A copy of the scenario, named `name` or "Copy of ...", to change and compare."""
    plan = replace(plan_of(scenario.document), name=name.strip() or f"Copy of {scenario.name}")
    return create(actor, plan, copied_from=scenario)


def copy_with_capacity(actor: Actor, scenario: Scenario, service: str, places: int) -> Scenario:
    """A copy in which one service has `places` places throughout (the optimiser's answer)."""
    plan = plan_of(scenario.document)
    found = plan.service(service)
    changed = tuple(
        replace(s, capacity=Capacity(places)) if s.name == found.name else s for s in plan.services
    )
    name = f"{scenario.name}: {found.name} at {places} places"
    return create(actor, replace(plan, name=name, services=changed), copied_from=scenario)


def fill_demand(actor: Actor, scenario: Scenario, forecasts: dict[str, Forecast]) -> list[str]:
    """Set each service's demand from its pathway's forecast; the pathways used."""
    plan = plan_of(scenario.document)
    used = sorted({s.pathway for s in plan.services} & set(forecasts))
    if not used:
        raise PlanningError(
            "no service in this scenario has a pathway with a forecast "
            f"({', '.join(sorted(forecasts)) or 'none'})"
        )
    save(actor, scenario, demand_from_forecasts(plan, forecasts))
    return used


# --------------------------------------------------------------------------- runs


def start_run(actor: Actor, scenario: Scenario, replications: int, seed: int) -> Run:
    """A new run of the scenario as it is now; nothing is simulated until `step`."""
    require_planner(actor)
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise PlanningError(f"replications must be 1 to {MAX_REPLICATIONS:,}, not {replications}")
    if not 0 <= seed < 2**63:
        raise PlanningError(f"the seed must be a whole number from 0, not {seed}")
    plan_of(scenario.document)
    with transaction.atomic():
        run = Run.objects.create(
            scenario=scenario,
            document=scenario.document,
            seed=seed,
            replications=replications,
            created_by=actor.user,
            created_at=clock.now(),
        )
        audit.record(actor, "scenario.run", run, scenario=scenario.pk, seed=seed, n=replications)
    return run


def slice_size(plan: Plan) -> int:
    """Replications a slice simulates."""
    return max(1, SLICE_WORK // (len(plan.services) * plan.days))


def step(run: Run) -> Run:
    """Simulate the run's next slice; when it is the last, join them into the summary. A slice
    another request stored meanwhile (a second tab) is left as it is."""
    try:
        return _step(run)
    except IntegrityError:
        return Run.objects.get(pk=run.pk)


def _step(run: Run) -> Run:
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        if run.finished:
            return run
        began = time.perf_counter()
        plan = plan_of(run.document)
        first = run.done
        last = min(run.replications, first + slice_size(plan))
        part = engine.run_slice(plan, run.replications, run.seed, first, last)
        RunSlice.objects.create(run=run, first=first, count=last - first, data=pack(part))
        run.done = last
        if last == run.replications:
            _finish(run, plan)
        run.seconds += time.perf_counter() - began
        run.save()
    return run


def _finish(run: Run, plan: Plan) -> None:
    parts = [unpack(plan, run.seed, bytes(s.data)) for s in run.slices.order_by("first")]
    runs = engine.join(parts, run.seed)
    run.summary = results.summarise(runs)
    run.totals = {key: v.tolist() for key, v in results.scenario_totals(runs).items()}
    run.state = RunState.FINISHED
    run.finished_at = clock.now()
    run.slices.all().delete()


def run_now(actor: Actor, scenario: Scenario, replications: int, seed: int) -> Run:
    """Start a run and do every slice of it."""
    run = start_run(actor, scenario, replications, seed)
    while not run.finished:
        run = step(run)
    return run


def pack(part: engine.Runs) -> bytes:
    """A slice's daily arrays and totals, compressed."""
    arrays = {}
    for index, service in enumerate(part.services):
        arrays[f"{index}.occupancy"] = service.occupancy
        arrays[f"{index}.waiting"] = service.waiting
        arrays[f"{index}.wait"] = service.wait
        for key, values in service.totals.items():
            arrays[f"{index}.totals.{key}"] = values
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return out.getvalue()


def unpack(plan: Plan, seed: int, data: bytes) -> engine.Runs:
    """The slice `pack` stored."""
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        found = {key: arrays[key] for key in arrays.files}
    services = []
    for index, service in enumerate(plan.services):
        prefix = f"{index}.totals."
        services.append(
            engine.ServiceRuns(
                name=service.name,
                capacity=service.capacity.daily(plan.days),
                occupancy=found[f"{index}.occupancy"],
                waiting=found[f"{index}.waiting"],
                wait=found[f"{index}.wait"],
                totals={k[len(prefix) :]: v for k, v in found.items() if k.startswith(prefix)},
            )
        )
    return engine.Runs(plan, seed, tuple(services))


def compare(runs: list[Run]) -> dict:
    """Finished runs side by side, the first the base, paired replication by replication."""
    if len({(r.seed, r.replications) for r in runs}) != 1:
        raise PlanningError("compare runs with the same seed and number of replications")
    named = [(r.summary["scenario"], r.totals) for r in runs]
    return results.compare_totals(runs[0].seed, named)


# --------------------------------------------------------------------------- capacity search


def cheapest_capacity(
    actor: Actor,
    scenario: Scenario,
    *,
    service: str,
    target_wait: float,
    low: int,
    high: int,
    step_by: int,
    replications: int,
    seed: int,
) -> optimise.CapacitySearch:
    """The cheapest capacity of one service, from `low` to `high` in steps of `step_by`, whose
    expected wait is at most `target_wait` days."""
    require_planner(actor)
    if low > high or step_by < 1:
        raise PlanningError("give capacities from low to high in steps of 1 or more")
    count = math.floor((high - low) / step_by) + 1
    if count > MAX_CANDIDATES:
        raise PlanningError(
            f"that is {count} capacities to try; choose {MAX_CANDIDATES} or fewer (a bigger step)"
        )
    if not 1 <= replications <= MAX_SEARCH_REPLICATIONS:
        raise PlanningError(f"replications must be 1 to {MAX_SEARCH_REPLICATIONS:,}")
    plan = plan_of(scenario.document)
    try:
        found = optimise.cheapest_capacity(
            plan,
            service,
            target_wait,
            range(low, high + 1, step_by),
            replications=replications,
            seed=seed,
            workers=1,
        )
    except ScenarioError as exc:
        raise PlanningError(str(exc)) from None
    audit.record(
        actor,
        "scenario.capacity_search",
        scenario,
        service=service,
        target_wait=target_wait,
        best=found.best,
        seed=seed,
        n=replications,
    )
    return found
