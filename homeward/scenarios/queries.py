"""Organisation-scoped reads of planning scenarios, and the case history forecasts use.

Planning is for analysts, commissioners, system leaders and administrators; scenarios belong
to the organisation that saved them. Anyone else, and any other organisation's scenario or run,
gets 404."""

from datetime import date, timedelta

import numpy as np
from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from homeward.cases.queries import visible_cases
from homeward.core import clock
from homeward.core.access import Actor, require_role
from homeward.core.models import Role
from homeward.planning.forecast import Forecast, daily_counts, forecast_pathways
from homeward.scenarios.models import Run, RunState, Scenario

PLANNERS = (Role.ANALYST, Role.COMMISSIONER, Role.SYSTEM_LEADER, Role.ADMINISTRATOR)
FORECAST_PATHWAYS = ("P1", "P2", "P3")
HISTORY_DAYS = 56


def require_planner(actor: Actor) -> None:
    """404 unless the actor's role plans."""
    require_role(actor, *PLANNERS)


def scenarios(actor: Actor):
    """The actor's organisation's scenarios, newest change first."""
    require_planner(actor)
    return Scenario.objects.filter(organisation=actor.organisation).select_related("updated_by")


def scenario(actor: Actor, scenario_id: int) -> Scenario:
    found = scenarios(actor).filter(pk=scenario_id).first()
    if found is None:
        raise Http404("No such scenario")
    return found


def run(actor: Actor, run_id: int) -> Run:
    require_planner(actor)
    found = (
        Run.objects.filter(scenario__organisation=actor.organisation, pk=run_id)
        .select_related("scenario")
        .first()
    )
    if found is None:
        raise Http404("No such run")
    return found


def latest_run(scenario: Scenario) -> Run | None:
    """The scenario's newest finished run."""
    return scenario.runs.filter(state=RunState.FINISHED).order_by("-finished_at", "-id").first()


def common_runs(base: Scenario, other: Scenario) -> tuple[Run, Run] | None:
    """The newest finished runs of the two scenarios with the same seed and replications."""

    def finished(scenario: Scenario):
        return (
            scenario.runs.filter(state=RunState.FINISHED)
            .order_by("-finished_at", "-id")
            .values_list("id", "seed", "replications")
        )

    others = {}
    for pk, seed, replications in finished(other):
        others.setdefault((seed, replications), pk)
    for pk, seed, replications in finished(base):
        if (seed, replications) in others:
            return Run.objects.get(pk=pk), Run.objects.get(pk=others[(seed, replications)])
    return None


def today() -> date:
    return timezone.localtime(clock.now()).date()


def pathway_history(actor: Actor, last: date, days: int = HISTORY_DAYS) -> dict[str, np.ndarray]:
    """Per pathway, people becoming ready to leave hospital each day (their discharge ready
    date) over `days` days ending on `last`, among the cases the actor's organisation sees;
    pathways with nobody in the window are left out."""
    first = last - timedelta(days=days - 1)
    rows = (
        visible_cases(actor)
        .filter(
            pathway__code__in=FORECAST_PATHWAYS,
            discharge_ready_date__gte=first,
            discharge_ready_date__lte=last,
        )
        .values_list("pathway__code", "discharge_ready_date")
        .annotate(n=Count("id"))
    )
    found: dict[str, list[date]] = {}
    for pathway, day, n in rows:
        found.setdefault(pathway, []).extend([day] * n)
    return {p: daily_counts(found[p], first, last) for p in FORECAST_PATHWAYS if p in found}


def forecasts(actor: Actor) -> tuple[date, dict[str, Forecast]]:
    """The last complete day (yesterday) and each pathway's 14-day forecast from it."""
    require_planner(actor)
    last = today() - timedelta(days=1)
    return last, forecast_pathways(pathway_history(actor, last), last)
