"""Planning scenarios API: list, create and read your organisation's scenarios, and run one.

Analysts, commissioners, system leaders and administrators only; another organisation's
scenario answers 404. A scenario is the JSON of `homeward.planning.scenario.Scenario.to_dict`
(the same as `homeward simulate` reads). Saves and runs go through `homeward.scenarios.services`,
which name the acting user and write the audit rows."""

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from homeward.core.access import actor_for
from homeward.planning.scenario import Scenario as Plan
from homeward.planning.scenario import ScenarioError
from homeward.scenarios import queries, services
from homeward.scenarios.models import Run, Scenario
from homeward.scenarios.services import MAX_REPLICATIONS

router = Router(tags=["planning"])


class Problem(Schema):
    detail: str


class RunOut(Schema):
    id: int
    seed: int
    replications: int
    done: int
    state: str
    created_at: datetime
    finished_at: datetime | None
    seconds: float
    summary: dict[str, Any] | None = Field(
        None,
        description="Per service and day the median and 5-95% band of occupancy, people "
        "waiting and wait in days; totals (delayed bed days, costs) with mean, standard error, "
        "median and band. Given with the run just made; null for the runs listed with a "
        "scenario (the same seed and replications give the same summary again).",
    )


class ScenarioRow(Schema):
    id: int
    name: str
    start: str
    days: int
    services: int
    updated_at: datetime
    updated_by: str | None


class ScenarioOut(ScenarioRow):
    document: dict[str, Any]
    copied_from: int | None
    runs: list[RunOut]


class ScenarioIn(Schema):
    document: dict[str, Any] = Field(
        description="A scenario: name, start (YYYY-MM-DD), days, services (see the README)"
    )


class RunIn(Schema):
    replications: int = Field(1000, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(ge=0, lt=2**63)


def _row(s: Scenario) -> dict:
    document = s.document
    return {
        "id": s.pk,
        "name": s.name,
        "start": document["start"],
        "days": document["days"],
        "services": len(document["services"]),
        "updated_at": s.updated_at,
        "updated_by": s.updated_by.get_username() if s.updated_by else None,
    }


def _run(run: Run, with_summary: bool) -> dict:
    return {
        "id": run.pk,
        "seed": run.seed,
        "replications": run.replications,
        "done": run.done,
        "state": run.state,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "seconds": run.seconds,
        "summary": run.summary if with_summary else None,
    }


def _detail(s: Scenario) -> dict:
    return {
        **_row(s),
        "document": s.document,
        "copied_from": s.copied_from_id,
        "runs": [_run(r, with_summary=False) for r in s.runs.all()],
    }


@router.get("/scenarios", response=list[ScenarioRow])
def list_scenarios(request):
    """Your organisation's scenarios, most recently changed first."""
    return [_row(s) for s in queries.scenarios(actor_for(request.user))]


@router.post("/scenarios", response={201: ScenarioOut, 400: Problem, 404: Problem})
def create_scenario(request, payload: ScenarioIn):
    """Save a scenario for your organisation; every problem with it is named in one answer."""
    actor = actor_for(request.user)
    queries.require_planner(actor)
    try:
        plan = Plan.from_dict(payload.document)
    except (ScenarioError, TypeError, ValueError, AttributeError) as exc:
        raise HttpError(400, f"the scenario cannot be simulated: {exc}") from None
    return Status(201, _detail(services.create(actor, plan)))


@router.get("/scenarios/{scenario_id}", response={200: ScenarioOut, 404: Problem})
def get_scenario(request, scenario_id: int):
    """One scenario: its document and its runs (without their summaries)."""
    return _detail(queries.scenario(actor_for(request.user), scenario_id))


@router.post("/scenarios/{scenario_id}/runs", response={201: RunOut, 400: Problem, 404: Problem})
def run_scenario(request, scenario_id: int, payload: RunIn):
    """Run the scenario now with `replications` and an explicit `seed` (same seed, same
    answer) and return the summary."""
    actor = actor_for(request.user)
    scenario = queries.scenario(actor, scenario_id)
    try:
        run = services.run_now(actor, scenario, payload.replications, payload.seed)
    except (services.PlanningError, ScenarioError) as exc:
        raise HttpError(400, str(exc)) from None
    return Status(201, _run(run, with_summary=True))
