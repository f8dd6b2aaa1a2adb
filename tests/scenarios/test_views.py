"""Integration: the planning pages through the Django test client: who may use them, upload
with clear errors, the editor, a run with its progress endpoint and results, downloads,
copying, comparing and the cheapest capacity."""

import csv
import html
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from homeward.core.access import actor_for
from homeward.core.models import AuditEvent
from homeward.planning import files
from homeward.scenarios import services
from homeward.scenarios import urls as scenario_urls
from homeward.scenarios.models import Run, Scenario
from tests.cases.factories import code, make_case
from tests.scenarios.conftest import EXAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(analyst, saved):
    return services.run_now(actor_for(analyst), saved, 20, 7)


def urls(saved, run) -> dict[str, tuple[str, str]]:
    """Every planning URL name with its URL and method."""
    one = {"scenario_id": saved.pk}
    return {
        "scenarios:list": (reverse("scenarios:list"), "get"),
        "scenarios:upload": (reverse("scenarios:upload"), "get"),
        "scenarios:example": (reverse("scenarios:example"), "get"),
        "scenarios:compare": (reverse("scenarios:compare"), "get"),
        "scenarios:detail": (reverse("scenarios:detail", kwargs=one), "get"),
        "scenarios:download": (reverse("scenarios:download", kwargs=one), "get"),
        "scenarios:copy": (reverse("scenarios:copy", kwargs=one), "post"),
        "scenarios:fill_demand": (reverse("scenarios:fill_demand", kwargs=one), "post"),
        "scenarios:start_run": (reverse("scenarios:start_run", kwargs=one), "post"),
        "scenarios:capacity": (reverse("scenarios:capacity", kwargs=one), "get"),
        "scenarios:capacity_copy": (reverse("scenarios:capacity_copy", kwargs=one), "post"),
        "scenarios:run": (reverse("scenarios:run", kwargs={"run_id": run.pk}), "get"),
        "scenarios:run_step": (reverse("scenarios:run_step", kwargs={"run_id": run.pk}), "post"),
    }


OWN_ORGANISATION_ONLY = {
    "scenarios:detail",
    "scenarios:download",
    "scenarios:copy",
    "scenarios:fill_demand",
    "scenarios:start_run",
    "scenarios:capacity",
    "scenarios:capacity_copy",
    "scenarios:run",
    "scenarios:run_step",
}


def test_planners_use_every_page_and_others_get_404(
    client, analyst, leader, other_analyst, coordinator, saved, run
):
    found = urls(saved, run)
    assert set(found) == {f"scenarios:{p.name}" for p in scenario_urls.urlpatterns}
    for name, (url, method) in found.items():
        for user, allowed in ((analyst, True), (leader, True), (coordinator, False)):
            client.force_login(user)
            status = getattr(client, method)(url).status_code
            assert (status < 400) == allowed, (name, user.username, status)
            assert status != 404 or not allowed
        client.force_login(other_analyst)
        status = getattr(client, method)(url).status_code
        if name in OWN_ORGANISATION_ONLY:
            assert status == 404, name


def test_navigation_shows_planning_to_planners_only(client, analyst, coordinator):
    client.force_login(analyst)
    assert b">Planning<" in client.get("/").content
    client.force_login(coordinator)
    assert b">Planning<" not in client.get("/directory/").content


def test_upload_csv_saves_and_opens_the_scenario(client, analyst):
    client.force_login(analyst)
    upload = SimpleUploadedFile("area.csv", EXAMPLE.read_bytes(), content_type="text/csv")
    response = client.post(reverse("scenarios:upload"), {"file": upload})
    scenario = Scenario.objects.get()
    assert response["Location"] == reverse("scenarios:detail", args=[scenario.pk])
    assert scenario.name == "Example area winter" and len(scenario.document["services"]) == 6
    assert AuditEvent.objects.filter(action="scenario.create", username="analyst").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "P2 beds North" in page and 'value="2025-03-01:46"' not in page
    assert 'name="s2-capacity_changes"' in page and 'value="54:46"' in page


def test_upload_xlsx_round_trip(client, analyst, area_plan):
    client.force_login(analyst)
    upload = SimpleUploadedFile("area.xlsx", files.to_xlsx(area_plan))
    response = client.post(reverse("scenarios:upload"), {"file": upload})
    assert response.status_code == 302
    assert services.plan_of(Scenario.objects.get().document) == area_plan


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("area.xlsx", b"not a workbook", "cannot be read as xlsx"),
        ("area.txt", b"a,b", "ends in .json, .csv or .xlsx"),
        (
            "area.csv",
            EXAMPLE.read_bytes().replace(b"lognormal,21,26,36", b"lognormal,26,21,36", 1),
            "line 4 (service 'P2 beds North'): stay mean (21) must be greater",
        ),
        ("area.csv", b"service,pathway\n", "the file has no service rows"),
    ],
)
def test_bad_uploads_are_explained_and_nothing_is_saved(client, analyst, name, content, problem):
    client.force_login(analyst)
    response = client.post(reverse("scenarios:upload"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "The scenario was not saved" in page and problem in page
    assert not Scenario.objects.exists() and not AuditEvent.objects.exists()


def editor_post(scenario) -> dict[str, str]:
    """The editor form as the page fills it in."""
    rows = files.to_rows(services.plan_of(scenario.document))
    data = {"rows": str(len(rows) + 1), **{k: rows[0][k] for k in ("scenario", "start", "days")}}
    data[f"s{len(rows)}-cost_basis"] = "occupied"  # the empty row's list has a default
    for index, row in enumerate(rows):
        for column, value in row.items():
            if column not in ("scenario", "start", "days"):
                data[f"s{index}-{column}"] = value
    return data


def test_editor_saves_changes_adds_and_removes_services(client, analyst, saved):
    client.force_login(analyst)
    data = editor_post(saved)
    data.update({"scenario": "Edited", "s2-capacity": "50", "s2-capacity_changes": "30:55"})
    data["s5-remove"] = "1"
    new = {"service": "P1 East", "pathway": "P1", "demand_per_day": "2", "capacity": "40"}
    data.update({f"s6-{k}": v for k, v in {**new, "stay_median": "10", "stay_mean": "12"}.items()})
    response = client.post(reverse("scenarios:detail", args=[saved.pk]), data)
    assert response.status_code == 302
    plan = services.plan_of(Scenario.objects.get(pk=saved.pk).document)
    assert plan.name == "Edited"
    assert [s.name for s in plan.services][-2:] == ["P3 care homes North", "P1 East"]
    beds = plan.service("P2 beds North").capacity
    assert (beds.initial, beds.changes) == (50, ((30, 55),))
    assert AuditEvent.objects.filter(action="scenario.save").count() == 1


def test_editor_problems_name_the_row_and_keep_what_was_typed(client, analyst, saved):
    client.force_login(analyst)
    data = editor_post(saved)
    data.update({"s1-stay_mean": "5", "s3-capacity": "lots"})
    response = client.post(reverse("scenarios:detail", args=[saved.pk]), data)
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "row 2 (service 'P1 home care South'): stay mean (5) must be greater" in page
    assert "capacity 'lots' is not a number" in page
    assert 'value="lots"' in page
    assert Scenario.objects.get(pk=saved.pk).document == saved.document


def test_run_with_progress_endpoint_then_results_and_downloads(client, analyst, saved, monkeypatch):
    monkeypatch.setattr(services, "SLICE_WORK", 6 * 60 * 10)
    client.force_login(analyst)
    response = client.post(
        reverse("scenarios:start_run", args=[saved.pk]), {"replications": "25", "seed": "3"}
    )
    run = Run.objects.get()
    assert response["Location"] == reverse("scenarios:run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    assert '<progress id="run-progress"' in page and 'value="0"' in page
    assert "homeward/run-progress" in page and "Continue the run" in page
    step = reverse("scenarios:run_step", args=[run.pk])
    answers = [client.post(step, headers={"Accept": "application/json"}).json() for _ in range(3)]
    assert [(a["done"], a["finished"]) for a in answers] == [(10, False), (20, False), (25, True)]
    assert answers[-1]["url"] == reverse("scenarios:run", args=[run.pk])
    page = client.get(answers[-1]["url"]).content.decode()
    assert "Delayed bed days" in page and "Total cost" in page
    assert page.count('<svg class="hw-chart"') == 18
    assert re.search(r'<desc id="chart-2-occupancy-desc">People in service: P2 beds North', page)
    assert "Capacity 40 places, 46 from 1 Mar 2025." in page
    rows = list(csv.DictReader(io.StringIO(client.get(answers[-1]["url"] + "?format=csv").text)))
    assert len(rows) == 6 * 60 and rows[0]["service"] == "P1 reablement North"
    assert float(rows[0]["occupancy_p5"]) <= float(rows[0]["occupancy_median"])
    book = load_workbook(io.BytesIO(client.get(answers[-1]["url"] + "?format=xlsx").content))
    assert book.sheetnames == ["daily", "totals", "run"]
    assert ["seed", 3] in [list(r) for r in book["run"].iter_rows(values_only=True)]


def test_run_step_without_script_goes_back_to_the_run_page(client, analyst, saved):
    client.force_login(analyst)
    run = services.start_run(actor_for(analyst), saved, 2, 1)
    response = client.post(reverse("scenarios:run_step", args=[run.pk]))
    assert response["Location"] == reverse("scenarios:run", args=[run.pk])
    run.refresh_from_db()
    assert run.finished


def test_bad_run_settings_are_refused(client, analyst, saved):
    client.force_login(analyst)
    response = client.post(
        reverse("scenarios:start_run", args=[saved.pk]), {"replications": "0", "seed": "1"}
    )
    assert response.status_code == 302 and not Run.objects.exists()
    assert "Not run: replications" in client.get(response["Location"]).content.decode()


def test_copy_then_compare_runs_of_the_same_seed(client, analyst, saved, run):
    client.force_login(analyst)
    response = client.post(reverse("scenarios:copy", args=[saved.pk]), {"name": "Ten more beds"})
    copy = Scenario.objects.get(name="Ten more beds")
    assert response["Location"] == reverse("scenarios:detail", args=[copy.pk])
    query = {"base": saved.pk, "other": copy.pk}
    page = html.unescape(client.get(reverse("scenarios:compare"), query).content.decode())
    assert "Run 'Ten more beds' with seed 7 and 20 replications" in page
    client.post(reverse("scenarios:start_run", args=[copy.pk]), {"replications": 20, "seed": 7})
    other = Run.objects.get(scenario=copy)
    while not other.finished:
        other = services.step(other)
    page = client.get(reverse("scenarios:compare"), query).content.decode()
    assert 'id="comparison"' in page and "Delayed bed days" in page
    assert "<strong>0</strong>" in page  # an unchanged copy differs by nothing, run by run


def test_compare_needs_two_different_scenarios(client, analyst, saved):
    client.force_login(analyst)
    page = client.get(reverse("scenarios:compare"), {"base": saved.pk, "other": saved.pk})
    assert "Choose two different scenarios" in page.content.decode()


def test_cheapest_capacity_page_and_copy(client, analyst, saved):
    client.force_login(analyst)
    form = {
        "service": "P2 beds South",
        "target_wait": "1",
        "low": "28",
        "high": "48",
        "step": "4",
        "replications": "10",
        "seed": "2",
    }
    response = client.post(reverse("scenarios:capacity", args=[saved.pk]), form)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="curve"' in page
    best = int(re.search(r"(\d+) places: the cheapest", page).group(1))
    made = client.post(
        reverse("scenarios:capacity_copy", args=[saved.pk]),
        {"service": "P2 beds South", "places": best},
    )
    copy = Scenario.objects.exclude(pk=saved.pk).get()
    assert made["Location"] == reverse("scenarios:detail", args=[copy.pk])
    assert services.plan_of(copy.document).service("P2 beds South").capacity.initial == best
    too_many = client.post(reverse("scenarios:capacity", args=[saved.pk]), {**form, "step": "0"})
    assert too_many.status_code == 400


def test_forecast_fill_without_history_says_so(client, analyst, saved):
    client.force_login(analyst)
    response = client.post(reverse("scenarios:fill_demand", args=[saved.pk]), follow=True)
    assert "Demand not changed: no service" in response.content.decode()


def test_example_and_scenario_downloads(client, analyst, saved):
    client.force_login(analyst)
    assert client.get(reverse("scenarios:example")).content == EXAMPLE.read_bytes()
    text = client.get(reverse("scenarios:download", args=[saved.pk]), {"format": "csv"}).text
    assert files.from_rows(csv.DictReader(io.StringIO(text))) == services.plan_of(saved.document)
    xlsx = client.get(reverse("scenarios:download", args=[saved.pk]), {"format": "xlsx"})
    assert files.read("s.xlsx", xlsx.content) == services.plan_of(saved.document)
    assert json.loads(json.dumps(saved.document)) == saved.document


def test_forecast_is_shown_and_fills_the_demand(client, analyst, coordinator, council, saved):
    for day in range(1, 22):
        for _ in range(3 if day % 7 else 1):
            make_case(
                coordinator, council=council, ready_days_ago=day, pathway=code("pathway", "P1")
            )
    client.force_login(analyst)
    page = html.unescape(client.get(reverse("scenarios:detail", args=[saved.pk])).content.decode())
    assert 'id="forecast"' in page and "Use the forecast as demand" in page
    assert re.search(r'<th scope="row" class="nhsuk-table__cell">P1</th>', page)
    assert "P2</th>" not in page
    listed = client.get(reverse("scenarios:list")).content.decode()
    assert 'id="forecast"' in listed
    response = client.post(reverse("scenarios:fill_demand", args=[saved.pk]), follow=True)
    assert "Demand of P1 services set from the forecast" in response.content.decode()
    plan = services.plan_of(Scenario.objects.get(pk=saved.pk).document)
    assert plan.service("P1 reablement North").demand.rate < 6
    assert plan.service("P2 beds North").demand.rate == 1.5
