"""Planning scenario pages: the list, upload, the editor, runs with progress and results,
comparisons, the cheapest capacity meeting a wait target, and the forecast from case history.
Scoping and roles are `queries`; every change and run goes through `services`."""

import secrets
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from homeward.core.access import actor_for
from homeward.planning import files
from homeward.planning.scenario import ScenarioError
from homeward.scenarios import charts, forms, queries, services, tables
from homeward.scenarios.models import Run, RunState

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE = Path(files.__file__).parent / "examples" / "area.csv"
CHARTS = (
    ("occupancy", "People in service", "people", True),
    ("waiting", "People waiting in hospital", "people", False),
    ("wait_days", "Wait in days of people starting that day", "days", False),
)


def _run_defaults(actor) -> dict:
    """The organisation's last run settings (so runs compare), or 1,000 and a new seed."""
    last = (
        Run.objects.filter(scenario__organisation=actor.organisation)
        .only("seed", "replications")
        .first()
    )
    if last is None:
        return {"replications": 1000, "seed": secrets.randbelow(100_000)}
    return {"replications": last.replications, "seed": last.seed}


def _forecast_context(actor) -> dict:
    last, found = queries.forecasts(actor)
    return {"forecast_last": last, "forecasts": {p: f.to_dict() for p, f in found.items()}}


@login_required
def scenario_list(request):
    actor = actor_for(request.user)
    scenarios = list(queries.scenarios(actor))
    newest = (
        Run.objects.filter(scenario__in=scenarios, state=RunState.FINISHED)
        .values("scenario")
        .annotate(newest=Max("id"))
        .values_list("newest", flat=True)
    )
    latest = {
        run.scenario_id: run
        for run in Run.objects.filter(pk__in=list(newest)).defer("document", "totals")
    }
    rows = [(s, services.plan_of(s.document), latest.get(s.pk)) for s in scenarios]
    return render(
        request,
        "scenarios/list.jinja",
        {"rows": rows, **_forecast_context(actor)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    actor = actor_for(request.user)
    queries.require_planner(actor)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = files.read(upload.name, upload.read())
        except ScenarioError as exc:
            problems = str(exc).splitlines()
        else:
            scenario = services.create(actor, plan)
            messages.success(request, f"Saved '{scenario.name}': {len(plan.services)} services")
            return redirect("scenarios:detail", scenario_id=scenario.pk)
    problems += [error for errors in form.errors.values() for error in errors]
    return render(
        request,
        "scenarios/upload.jinja",
        {"form": form, "problems": problems, "columns": files.COLUMNS},
        status=400 if problems else 200,
    )


@login_required
def example(request):
    """The example scenario file, to start from."""
    queries.require_planner(actor_for(request.user))
    response = HttpResponse(EXAMPLE.read_bytes(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="example-scenario.csv"'
    return response


def _editor(request, actor, scenario, rows, problems, status=200):
    runs = scenario.runs.defer("totals")[:10]
    return render(
        request,
        "scenarios/detail.jinja",
        {
            "scenario": scenario,
            "head": {c: rows[0].get(c, "") if rows else "" for c in forms.HEAD_COLUMNS},
            "rows": forms.display_rows(rows),
            "problems": problems,
            "run_form": forms.RunForm(initial=_run_defaults(actor)),
            "runs": runs,
            "cost_bases": ("occupied", "capacity"),
            **_forecast_context(actor),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, scenario_id: int):
    actor = actor_for(request.user)
    scenario = queries.scenario(actor, scenario_id)
    if request.method == "POST":
        rows = forms.editor_rows(request.POST)
        try:
            plan = files.from_rows(rows, label="row", first=1)
        except ScenarioError as exc:
            return _editor(request, actor, scenario, rows, str(exc).splitlines(), status=400)
        services.save(actor, scenario, plan)
        messages.success(request, f"Saved '{plan.name}'")
        return redirect("scenarios:detail", scenario_id=scenario.pk)
    rows = files.to_rows(services.plan_of(scenario.document))
    return _editor(request, actor, scenario, rows, [])


@login_required
def download(request, scenario_id: int):
    actor = actor_for(request.user)
    scenario = queries.scenario(actor, scenario_id)
    plan = services.plan_of(scenario.document)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(files.to_xlsx(plan), content_type=XLSX)
        suffix = "xlsx"
    else:
        response = HttpResponse(files.to_csv(plan), content_type="text/csv")
        suffix = "csv"
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.pk}.{suffix}"'
    return response


@login_required
@require_POST
def copy(request, scenario_id: int):
    actor = actor_for(request.user)
    scenario = queries.scenario(actor, scenario_id)
    form = forms.CopyForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    made = services.copy(actor, scenario, name)
    messages.success(request, f"Copied to '{made.name}': change it, run it, then compare")
    return redirect("scenarios:detail", scenario_id=made.pk)


@login_required
@require_POST
def fill_demand(request, scenario_id: int):
    actor = actor_for(request.user)
    scenario = queries.scenario(actor, scenario_id)
    _, found = queries.forecasts(actor)
    try:
        used = services.fill_demand(actor, scenario, found)
    except services.PlanningError as exc:
        messages.error(request, f"Demand not changed: {exc}")
    else:
        messages.success(request, f"Demand of {', '.join(used)} services set from the forecast")
    return redirect("scenarios:detail", scenario_id=scenario.pk)


@login_required
@require_POST
def start_run(request, scenario_id: int):
    actor = actor_for(request.user)
    scenario = queries.scenario(actor, scenario_id)
    form = forms.RunForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items())
        messages.error(request, f"Not run: {problems}")
        return redirect("scenarios:detail", scenario_id=scenario.pk)
    try:
        run = services.start_run(actor, scenario, **form.cleaned_data)
    except (services.PlanningError, ScenarioError) as exc:
        messages.error(request, f"Not run: {exc}")
        return redirect("scenarios:detail", scenario_id=scenario.pk)
    return redirect("scenarios:run", run_id=run.pk)


@login_required
@require_POST
def run_step(request, run_id: int):
    """One slice of a run: JSON progress for the page's script, or back to the run page."""
    actor = actor_for(request.user)
    run = services.step(queries.run(actor, run_id))
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "done": run.done,
                "replications": run.replications,
                "finished": run.finished,
                "url": reverse("scenarios:run", args=[run.pk]),
            }
        )
    return redirect("scenarios:run", run_id=run.pk)


def _service_views(summary: dict) -> list[dict]:
    found = []
    for index, service in enumerate(summary["services"]):
        charts_here = [
            {
                "label": label,
                "chart": charts.bands_chart(
                    f"chart-{index}-{key}",
                    f"{label}: {service['name']}",
                    unit,
                    summary["dates"],
                    service["daily"][key],
                    service["capacity"] if with_capacity else None,
                ),
            }
            for key, label, unit, with_capacity in CHARTS
        ]
        weekly = range(0, summary["days"], 7)
        found.append({**service, "index": index, "charts": charts_here, "weekly": weekly})
    return found


@login_required
def run_detail(request, run_id: int):
    actor = actor_for(request.user)
    run = queries.run(actor, run_id)
    if not run.finished:
        return render(request, "scenarios/running.jinja", {"run": run})
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        name = f"run-{run.pk}-seed-{run.seed}.{fmt}"
        if fmt == "csv":
            response = HttpResponse(tables.to_csv(run.summary), content_type="text/csv")
        else:
            response = HttpResponse(tables.to_xlsx(run.summary), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "scenarios/results.jinja",
        {
            "run": run,
            "summary": run.summary,
            "services_shown": _service_views(run.summary),
            "changed": run.document != run.scenario.document,
            "period": [date.fromisoformat(run.summary["dates"][i]) for i in (0, -1)],
            "most_delayed": max(
                run.summary["services"],
                key=lambda s: s["totals"]["delayed_bed_days"]["median"] or 0,
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def capacity(request, scenario_id: int):
    actor = actor_for(request.user)
    scenario = queries.scenario(actor, scenario_id)
    plan = services.plan_of(scenario.document)
    names = [s.name for s in plan.services]
    first = plan.services[0]
    initial = {
        "service": first.name,
        "target_wait": 2,
        "low": max(1, first.in_service, first.capacity.initial - 10),
        "high": first.capacity.initial + 10,
        "step": 1,
        "replications": 200,
        "seed": _run_defaults(actor)["seed"],
    }
    form = forms.CapacityForm(request.POST or None, services=names, initial=initial)
    search, problem = None, ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            search = services.cheapest_capacity(
                actor,
                scenario,
                service=data["service"],
                target_wait=data["target_wait"],
                low=data["low"],
                high=data["high"],
                step_by=data["step"],
                replications=data["replications"],
                seed=data["seed"],
            )
        except services.PlanningError as exc:
            problem = str(exc)
    return render(
        request,
        "scenarios/capacity.jinja",
        {"scenario": scenario, "form": form, "search": search, "problem": problem},
        status=400 if problem or form.errors else 200,
    )


@login_required
@require_POST
def capacity_copy(request, scenario_id: int):
    actor = actor_for(request.user)
    scenario = queries.scenario(actor, scenario_id)
    try:
        places = int(request.POST.get("places", ""))
        made = services.copy_with_capacity(actor, scenario, request.POST.get("service", ""), places)
    except (ValueError, ScenarioError) as exc:
        messages.error(request, f"Not copied: {exc}")
        return redirect("scenarios:capacity", scenario_id=scenario.pk)
    messages.success(request, f"Copied to '{made.name}'")
    return redirect("scenarios:detail", scenario_id=made.pk)


@login_required
def compare(request):
    actor = actor_for(request.user)
    scenarios = list(queries.scenarios(actor))
    form = forms.CompareForm(request.GET or None, scenarios=scenarios)
    context = {"form": form, "scenarios": scenarios}
    if form.is_bound and form.is_valid():
        base = queries.scenario(actor, int(form.cleaned_data["base"]))
        other = queries.scenario(actor, int(form.cleaned_data["other"]))
        pair = queries.common_runs(base, other)
        context.update({"base": base, "other": other, "pair": pair})
        if pair is not None:
            context["comparison"] = services.compare(list(pair))
            context["service_rows"] = _service_pairs(*pair)
        else:
            latest = queries.latest_run(base)
            context["suggested"] = latest
    return render(request, "scenarios/compare.jinja", context)


def _service_pairs(base: Run, other: Run) -> list[dict]:
    """Each service of either run with its key totals in both (None where it is absent)."""
    before = {s["name"]: s["totals"] for s in base.summary["services"]}
    after = {s["name"]: s["totals"] for s in other.summary["services"]}
    names = list(before) + [n for n in after if n not in before]
    return [{"name": n, "base": before.get(n), "other": after.get(n)} for n in names]
