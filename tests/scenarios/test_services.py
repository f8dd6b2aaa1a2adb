"""Integration: saving, copying, running in slices, comparing and searching planning scenarios
through `homeward.scenarios.services`, with scoping and audit rows."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.http import Http404

from homeward.core.access import actor_for
from homeward.core.models import AuditEvent
from homeward.planning import engine, results
from homeward.planning.scenario import Capacity
from homeward.scenarios import queries, services
from homeward.scenarios.models import RunSlice
from tests.cases.factories import code, make_case

pytestmark = pytest.mark.django_db


def test_create_save_and_copy_name_the_actor_in_the_audit_log(analyst, small_plan):
    actor = actor_for(analyst)
    scenario = services.create(actor, small_plan)
    services.save(actor, scenario, replace(small_plan, name="Renamed"))
    made = services.copy(actor, scenario, "Ten more P2 beds")
    assert (scenario.name, made.name, made.copied_from) == ("Renamed", "Ten more P2 beds", scenario)
    assert made.organisation == actor.organisation
    assert made.document["services"] == scenario.document["services"]
    rows = AuditEvent.objects.filter(username="analyst").order_by("id")
    assert [(r.action, r.role) for r in rows] == [
        ("scenario.create", "analyst"),
        ("scenario.save", "analyst"),
        ("scenario.copy", "analyst"),
    ]
    assert rows[2].detail["copied_from"] == scenario.pk


def test_a_run_in_slices_is_the_run_done_at_once(analyst, saved, settings, monkeypatch):
    monkeypatch.setattr(services, "SLICE_WORK", 6 * 60 * 4)  # four replications a slice
    run = services.start_run(actor_for(analyst), saved, 10, 42)
    seen = []
    while not run.finished:
        run = services.step(run)
        seen.append(run.done)
        assert RunSlice.objects.filter(run=run).count() == (0 if run.finished else len(seen))
    assert seen == [4, 8, 10]
    whole = engine.run(services.plan_of(saved.document), 10, 42, workers=1)
    assert run.summary == results.summarise(whole)
    assert run.totals["cost"] == results.scenario_totals(whole)["cost"].tolist()
    audit = AuditEvent.objects.get(action="scenario.run")
    assert audit.detail == {"scenario": saved.pk, "seed": 42, "n": 10}
    assert audit.object_id == str(run.pk)


def test_a_finished_run_is_not_stepped_again(analyst, saved):
    run = services.run_now(actor_for(analyst), saved, 3, 1)
    assert services.step(run).summary == run.summary


def test_runs_keep_the_scenario_they_ran(analyst, saved, small_plan):
    actor = actor_for(analyst)
    run = services.run_now(actor, saved, 2, 5)
    services.save(actor, saved, replace(small_plan, name="Changed later"))
    run.refresh_from_db()
    assert run.document["name"] == "Small area" and run.summary["scenario"] == "Small area"


@pytest.mark.parametrize("replications", [0, services.MAX_REPLICATIONS + 1])
def test_replications_out_of_range_are_refused(analyst, saved, replications):
    with pytest.raises(services.PlanningError, match="replications must be 1 to 5,000"):
        services.start_run(actor_for(analyst), saved, replications, 1)


def test_only_planners_of_the_organisation_see_a_scenario(
    analyst, other_analyst, coordinator, saved
):
    assert queries.scenario(actor_for(analyst), saved.pk) == saved
    with pytest.raises(Http404):
        queries.scenario(actor_for(other_analyst), saved.pk)
    with pytest.raises(Http404):
        queries.scenarios(actor_for(coordinator))
    with pytest.raises(Http404):
        services.create(actor_for(coordinator), services.plan_of(saved.document))


def test_compare_pairs_runs_and_more_beds_cut_delayed_bed_days(analyst, saved):
    actor = actor_for(analyst)
    more = services.copy(actor, saved, "More beds")
    plan = services.plan_of(more.document)
    services.save(
        actor, more, plan.with_changes(name="More beds", extra_capacity=10, services=["P2"])
    )
    base, other = services.run_now(actor, saved, 40, 9), services.run_now(actor, more, 40, 9)
    found = services.compare([base, other])
    assert [s["scenario"] for s in found["scenarios"]] == ["Small area", "More beds"]
    assert found["scenarios"][0]["change"]["cost"]["p95"] == 0
    assert found["scenarios"][1]["change"]["delayed_bed_days"]["median"] < 0
    with pytest.raises(services.PlanningError, match="same seed"):
        services.compare([base, services.run_now(actor, more, 40, 10)])


def test_cheapest_capacity_and_a_copy_at_that_capacity(analyst, saved):
    actor = actor_for(analyst)
    found = services.cheapest_capacity(
        actor,
        saved,
        service="P2 beds North",
        target_wait=1.0,
        low=36,
        high=66,
        step_by=5,
        replications=20,
        seed=3,
    )
    assert [p.capacity for p in found.curve] == [36, 41, 46, 51, 56, 61, 66]
    assert found.best is not None and all(
        p.meets_target for p in found.curve if p.capacity >= found.best
    )
    assert AuditEvent.objects.get(action="scenario.capacity_search").detail["best"] == found.best
    made = services.copy_with_capacity(actor, saved, "P2 beds North", found.best)
    assert services.plan_of(made.document).service("P2 beds North").capacity == Capacity(found.best)


def test_capacity_search_limits(analyst, saved):
    actor = actor_for(analyst)
    common = {"service": "P2 beds North", "target_wait": 1.0, "replications": 5, "seed": 1}
    with pytest.raises(services.PlanningError, match="41 capacities"):
        services.cheapest_capacity(actor, saved, low=1, high=41, step_by=1, **common)
    with pytest.raises(services.PlanningError, match="at least 36"):
        services.cheapest_capacity(actor, saved, low=20, high=40, step_by=5, **common)


def test_forecast_from_case_history_fills_demand(analyst, coordinator, council, saved):
    for day in range(1, 29):
        for _ in range(2 if day % 7 else 0):
            make_case(
                coordinator, council=council, ready_days_ago=day, pathway=code("pathway", "P2")
            )
    actor = actor_for(analyst)
    last, found = queries.forecasts(actor)
    assert last == queries.today() - timedelta(days=1)
    assert set(found) == {"P2"}
    assert found["P2"].mean.sum() > 0
    assert services.fill_demand(actor, saved, found) == ["P2"]
    saved.refresh_from_db()
    plan = services.plan_of(saved.document)
    north, south = plan.service("P2 beds North"), plan.service("P2 beds South")
    level = found["P2"].mean.mean()
    assert north.demand.rate + south.demand.rate == pytest.approx(level, abs=0.002)
    assert north.demand.rate / south.demand.rate == pytest.approx(1.5 / 1.2, rel=0.01)
    assert north.demand.weekday is not None and min(north.demand.weekday) >= 0
    assert plan.service("P1 reablement North").demand.rate == 6.0
    with pytest.raises(Http404):
        queries.forecasts(actor_for(coordinator))


def test_a_slice_another_request_is_storing_is_not_stored_twice(analyst, saved):
    run = services.start_run(actor_for(analyst), saved, 3, 4)
    # What a second tab's step has written while this one was simulating the same slice.
    RunSlice.objects.create(run=run, first=0, count=3, data=b"")
    assert services.step(run).done == 0
    assert RunSlice.objects.filter(run=run).count() == 1


def test_a_long_name_is_kept_whole_in_the_document_and_cut_for_the_list(analyst, small_plan):
    long = "Winter 2025 " * 30
    scenario = services.create(actor_for(analyst), replace(small_plan, name=long))
    scenario.refresh_from_db()
    assert scenario.name == long[:200] and scenario.document["name"] == long
