"""Browser journey of planning: an analyst uploads the example area scenario, runs it (the page
runs the replications slice by slice, moving a progress bar), reads the bands charts, copies
the scenario, adds ten rehabilitation beds in the copy, runs it with the same seed and compares
the two side by side, then asks for the cheapest number of beds that keeps the wait to a day.

Screenshots go to test-results/screenshots/planning-*.png."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from homeward.core.access import actor_for
from homeward.planning import files
from homeward.scenarios import services
from homeward.scenarios.models import Run, Scenario
from tests.browser.conftest import PHONE, SCREENSHOTS, a11y_problems, screenshot, sign_in
from tests.scenarios.conftest import EXAMPLE, analyst, icb  # noqa: F401 (fixtures used here)

pytestmark = pytest.mark.browser
BAD_REQUEST = "console: Failed to load resource: the server responded with a status of 400"


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """;axe.run(document, {resultTypes: ["violations"]}).then(found => found.violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(" ")).join(", ")})`))"""


def assert_page_sound(page):
    """No console errors or failed requests, the cheap checks pass, and axe-core finds nothing
    serious or critical (evaluated through the browser's debugging protocol, which the content
    security policy does not govern)."""
    assert page.problems == [], page.problems
    assert a11y_problems(page) == [], page.url
    assert page.evaluate(AXE.read_text() + AXE_RUN) == [], page.url


def run_and_wait(page, replications: str, seed: str) -> list[int]:
    """Run the open scenario, wait for the results the progress page opens, and return the
    status of each step the page's script asked for (the page moves its bar after each)."""
    steps = []

    def record(response):
        if response.url.endswith("/step/"):
            steps.append(response.status)

    page.on("response", record)
    page.fill("#id_replications", replications)
    page.fill("#id_seed", seed)
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Results · "))).to_be_visible(timeout=60_000)
    page.remove_listener("response", record)
    return steps


@pytest.mark.usefixtures("analyst")
def test_analyst_uploads_runs_copies_adds_beds_and_compares(page, live_server):
    sign_in(page, live_server, "analyst")
    page.get_by_role("navigation").get_by_role("link", name="Planning", exact=True).click()
    expect(page.get_by_role("heading", name="Planning scenarios", level=1)).to_be_visible()
    page.get_by_role("link", name="Upload a scenario").first.click()

    # A file that is not a scenario is refused, saying why, and nothing is saved.
    page.set_input_files(
        "#id_file", {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"x"}
    )
    with page.expect_response(re.compile(r"/planning/upload/$")) as response:
        page.get_by_role("button", name="Upload and save").click()
    assert response.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("ends in .json, .csv or .xlsx")
    assert not Scenario.objects.exists()
    # The page is answered with 400 on purpose, which Chromium logs; nothing else may be.
    assert [p for p in page.problems if not p.startswith(BAD_REQUEST)] == []
    assert a11y_problems(page) == []
    page.problems.clear()

    page.set_input_files("#id_file", str(EXAMPLE))
    page.get_by_role("button", name="Upload and save").click()
    expect(page.get_by_role("heading", name="Example area winter", level=1)).to_be_visible()
    expect(page.locator("#s2-service")).to_have_value("P2 beds North")
    assert_page_sound(page)

    # Run: the progress page does the slices itself and opens the results.
    steps = run_and_wait(page, "400", "42")
    # Six services over 181 days run 184 replications a step: the bar moved three times.
    assert steps == [200, 200, 200]
    assert Run.objects.get().done == 400
    expect(page.get_by_role("heading", name="Example area winter", level=1)).to_be_visible()
    chart = page.get_by_role("img", name="People in service: P2 beds North")
    expect(chart).to_be_visible()
    expect(chart.locator("desc")).to_contain_text("Capacity 40 places, 46 from 1 Mar 2025.")
    expect(page.locator("#totals")).to_contain_text("Delayed bed days")
    expect(page.get_by_role("link", name="CSV")).to_be_visible()
    assert_page_sound(page)
    screenshot(page, "planning-results")
    page.locator("#service-2").screenshot(path=str(SCREENSHOTS / "planning-results-p2.png"))

    # Copy it and add ten beds to P2 beds North in the copy.
    page.get_by_role("link", name="Back to the scenario").click()
    page.fill("#id_copy_name", "Ten more P2 beds North")
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_role("heading", name="Ten more P2 beds North", level=1)).to_be_visible()
    page.fill("#id_scenario", "Ten more P2 beds North")
    page.fill("#s2-capacity", "50")
    page.fill("#s2-capacity_changes", "54:56")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved 'Ten more P2 beds North'")
    expect(page.locator("#s2-capacity")).to_have_value("50")
    # The run form offers the last run's seed and replications, so the two runs pair up.
    expect(page.locator("#id_seed")).to_have_value("42")
    screenshot(page, "planning-editor")
    run_and_wait(page, "400", "42")
    expect(page.get_by_role("img", name="People in service: P2 beds North")).to_be_visible()

    # Compare the two, side by side.
    page.get_by_role("link", name="Back to the scenario").click()
    page.get_by_role("link", name="Compare with another scenario").click()
    page.select_option("#id_base", label="Example area winter")
    page.select_option("#id_other", label="Ten more P2 beds North")
    page.get_by_role("button", name="Compare").click()
    table = page.locator("#comparison")
    expect(table).to_contain_text("Delayed bed days")
    bed_days = table.get_by_role("row", name=re.compile("^Delayed bed days"))
    expect(bed_days.locator("td").nth(2)).to_contain_text("−")
    assert_page_sound(page)
    screenshot(page, "planning-compare")

    # The cheapest number of P2 beds South that keeps the expected wait to a day.
    page.get_by_role("link", name="Planning", exact=True).click()
    expect(page.locator("#scenarios")).to_contain_text("Ten more P2 beds North")
    screenshot(page, "planning-list")
    page.get_by_role("link", name="Example area winter").click()
    page.get_by_role("link", name=re.compile("cheapest capacity")).click()
    page.select_option("#id_service", "P2 beds South")
    page.fill("#id_target_wait", "1")
    page.fill("#id_low", "28")
    page.fill("#id_high", "44")
    page.fill("#id_step", "2")
    page.fill("#id_replications", "100")
    page.get_by_role("button", name="Find the cheapest").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^\d+ places: the cheapest"))
    ).to_be_visible(timeout=60_000)
    expect(page.locator("#curve")).to_contain_text("Cheapest that meets it")
    assert_page_sound(page)
    screenshot(page, "planning-capacity")


@pytest.mark.parametrize("viewport", [PHONE])
@pytest.mark.usefixtures("analyst")
def test_a_run_that_stops_says_so_and_continues_with_the_button(page, live_server):
    """On a phone: the server refuses a step, the page says so and offers its button, which
    posts the step itself; the page's script then finishes the run."""
    user = get_user_model().objects.get(username="analyst")
    scenario = services.create(actor_for(user), files.load(EXAMPLE))
    sign_in(page, live_server, "analyst")
    page.route("**/step/", lambda route: route.fulfill(status=503, body="busy"))
    page.goto(f"{live_server.url}/planning/{scenario.pk}/")
    page.fill("#id_replications", "300")
    page.fill("#id_seed", "5")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The run stopped (the server answered 503)")
    expect(page.locator("#run-progress")).to_have_attribute("value", "0")
    continue_button = page.get_by_role("button", name="Continue the run")
    expect(continue_button).to_be_visible()
    unavailable = "console: Failed to load resource: the server responded with a status of 503"
    assert [p for p in page.problems if not p.startswith(unavailable)] == []
    assert a11y_problems(page) == []
    screenshot(page, "planning-run-stopped-phone")
    page.unroute("**/step/")
    page.problems.clear()
    continue_button.click()
    expect(page.get_by_text(re.compile(r"^Results · 300 replications, seed 5"))).to_be_visible(
        timeout=60_000
    )
    assert Run.objects.get().done == 300
    assert_page_sound(page)
