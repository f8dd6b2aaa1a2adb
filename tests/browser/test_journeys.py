"""End-to-end journeys through the real pages, as the people who use them see them.

1. A care-home manager reports vacancies on a phone; a discharge coordinator finds them, with
   their age, among the homes available now; a stale figure is marked and not offered.
2. A commissioner flags a home under investigation, so it leaves "available now"; clearing it
   brings it back.
3. An administrator imports the real Trafford CQC file and reads the reconciliation; a file
   that cannot be read changes nothing.
4. A vacancy CSV with one good and one bad row stores the good one and names the bad line.

Screenshots go to test-results/screenshots/. The tests at the end pin defects these journeys
once found (empty warning, overflowing filters and results, navigation ignoring the role)."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from homeward.directory.models import CapacityReport, ComplianceState, Location
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    a11y_problems,
    assert_fits_screen,
    follow_nav,
    screenshot,
    sign_in,
)
from tests.conftest import make_location, make_offer, real_file

pytestmark = pytest.mark.browser

TRAFFORD = "E08000009"
JUST_NOW = re.compile(r"updated (just now|1 minute ago)")


def search_directory(page, live_server, council=TRAFFORD, available_now=True):
    """Use the directory's filter form as a person would and wait for the results."""
    page.goto(f"{live_server.url}/directory/")
    page.select_option("#id_council", council)
    checkbox = page.get_by_label("Available now only")
    if available_now:
        checkbox.check()
    else:
        checkbox.uncheck()
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/directory/\?"))
    expect(page.locator("#results")).to_be_visible()
    return page.locator("#results")


def result_row(results, name):
    return results.locator("tbody tr").filter(has=results.page.get_by_role("link", name=name))


def reconciliation_value(page, label):
    row = page.locator("#reconciliation tr").filter(
        has=page.locator("th", has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return row.locator("td")


def not_put_forward(page):
    """The warning callout on a location page (NHS.UK renders it as a warning card)."""
    return page.locator(".nhsuk-card--warning").filter(
        has=page.get_by_role("heading", name=re.compile("Not put forward"))
    )


def summary_value(page, key):
    row = page.locator(".nhsuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(f"^\\s*{re.escape(key)}\\s*$"))
    )
    return row.locator("dd")


def assert_page_sound(page):
    """No console errors or failed requests so far, and the cheap accessibility checks pass."""
    assert page.problems == [], page.problems
    assert a11y_problems(page) == [], page.url


def test_provider_vacancies_reach_the_coordinator_with_their_age(
    new_page, live_server, manager, coordinator, provider, council, other_provider, other_council
):
    oak = make_location(provider, council, name="Oak Lodge", beds=40)
    oak_residential = make_offer(oak, "residential")
    birch = make_location(provider, council, name="Birch Court", postcode="M41 5BU")
    make_offer(birch, "residential", beds=3, age_hours=30)
    elm = make_location(other_provider, other_council, name="Elm House", postcode="M1 1AA")
    make_offer(elm, "residential", beds=5)

    # The care-home manager, on a phone, reports three beds free at Oak Lodge.
    phone = new_page(PHONE)
    sign_in(phone, live_server, "carehome")
    follow_nav(phone, "Report vacancies")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Report today's vacancies")
    card = phone.locator(".nhsuk-card").filter(has_text="Oak Lodge")
    expect(card).to_contain_text("Residential: no vacancy reported")
    phone.fill(f"#beds-{oak_residential.pk}", "3")
    phone.get_by_role("button", name="Save Oak Lodge Residential").click()
    phone.wait_for_url(f"{live_server.url}/directory/capacity/")
    expect(phone.get_by_role("status")).to_have_text("Saved: Oak Lodge, Residential")
    expect(card).to_contain_text("3 beds free")
    expect(card.locator(".hw-age--fresh")).to_have_text(JUST_NOW)
    birch_card = phone.locator(".nhsuk-card").filter(has_text="Birch Court")
    expect(birch_card.locator(".hw-age--stale")).to_contain_text("30 hours ago (stale)")
    assert_fits_screen(phone)
    assert_page_sound(phone)
    screenshot(phone, "capacity-phone")

    report = CapacityReport.objects.get(offer=oak_residential)
    assert (report.beds_free, report.reported_by, report.source) == (3, manager, "web")

    # The discharge coordinator, at a desk, looks for Trafford homes that can take someone now.
    desk = new_page(DESKTOP)
    sign_in(desk, live_server, "coordinator")
    results = search_directory(desk, live_server)
    expect(desk.get_by_text("1 location found")).to_be_visible()
    oak_row = result_row(results, "Oak Lodge")
    expect(oak_row).to_contain_text("Residential: 3 beds free")
    expect(oak_row).to_contain_text(JUST_NOW)
    expect(result_row(results, "Birch Court")).to_have_count(0)
    expect(result_row(results, "Elm House")).to_have_count(0)
    assert_page_sound(desk)
    screenshot(desk, "directory-search-desktop")

    # Without the filter the stale figure is listed, but plainly marked as stale.
    results = search_directory(desk, live_server, available_now=False)
    expect(desk.get_by_text("2 locations found")).to_be_visible()
    birch_row = result_row(results, "Birch Court")
    expect(birch_row).to_contain_text("3 beds free")
    expect(birch_row.locator(".hw-age--stale")).to_have_text("· updated 30 hours ago (stale)")
    expect(result_row(results, "Oak Lodge").locator(".hw-age--stale")).to_have_count(0)


def test_commissioner_flag_takes_a_home_out_of_available_now(
    new_page, live_server, commissioner, coordinator, provider, council
):
    home = make_location(provider, council, name="Oak Lodge")
    make_offer(home, "nursing", beds=2, age_hours=1)
    location_url = f"{live_server.url}/directory/locations/{home.cqc_id}/"

    coordinator_page = new_page(DESKTOP)
    sign_in(coordinator_page, live_server, "coordinator")
    results = search_directory(coordinator_page, live_server)
    expect(result_row(results, "Oak Lodge")).to_contain_text("Nursing: 2 beds free")

    page = new_page(DESKTOP)
    sign_in(page, live_server, "commissioner")
    page.goto(location_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Oak Lodge")
    expect(not_put_forward(page)).to_have_count(0)
    page.get_by_label("Under investigation").check()
    page.get_by_label("Reason").fill("Safeguarding referral 12 Feb, visit booked")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_url(location_url)
    expect(page.get_by_role("status")).to_have_text("Oak Lodge: Under investigation")
    expect(not_put_forward(page)).to_be_visible()
    expect(summary_value(page, "Compliance")).to_have_text("Under investigation")
    history = page.locator("table").filter(has_text="Decision")
    expect(history).to_contain_text("Safeguarding referral 12 Feb, visit booked")
    expect(history).to_contain_text("commissioner, Trafford")
    assert_page_sound(page)
    screenshot(page, "location-warning")
    assert Location.objects.get(pk=home.pk).compliance == ComplianceState.UNDER_INVESTIGATION

    # The coordinator's "available now" search no longer offers it...
    results = search_directory(coordinator_page, live_server)
    expect(result_row(results, "Oak Lodge")).to_have_count(0)
    expect(results).to_contain_text("No locations match")
    # ...and the full list shows why, while the coordinator cannot change the decision.
    results = search_directory(coordinator_page, live_server, available_now=False)
    expect(result_row(results, "Oak Lodge")).to_contain_text("Not put forward")
    coordinator_page.goto(location_url)
    expect(not_put_forward(coordinator_page)).to_be_visible()
    expect(coordinator_page.get_by_role("button", name="Save decision")).to_have_count(0)

    # The commissioner clears it and it is offered again.
    page.get_by_label("Cleared by commissioner").check()
    page.get_by_label("Reason").fill("Visit found no concerns")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("status")).to_have_text("Oak Lodge: Cleared by commissioner")
    expect(not_put_forward(page)).to_have_count(0)
    expect(summary_value(page, "Compliance")).to_have_text("Cleared by commissioner")
    expect(page.locator("table").filter(has_text="Decision").locator("tbody tr")).to_have_count(2)

    results = search_directory(coordinator_page, live_server)
    expect(result_row(results, "Oak Lodge")).to_contain_text("Nursing: 2 beds free")


def test_administrator_imports_the_trafford_file_and_reads_the_report(
    new_page, live_server, admin_user, coordinator, tmp_path
):
    trafford = real_file("cqc/trafford_care_homes_2026-02.csv")
    page = new_page(DESKTOP)
    sign_in(page, live_server, "admin")
    page.get_by_role("link", name="Import CQC data").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import CQC data")

    page.set_input_files("#cqc-file", trafford)
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#reconciliation")).to_be_visible()
    expect(reconciliation_value(page, "Rows read")).to_have_text("56")
    expect(reconciliation_value(page, "Created")).to_have_text("56")
    expect(reconciliation_value(page, "Unchanged")).to_have_text("0")
    expect(reconciliation_value(page, "Rejected")).to_have_text("0")
    assert_page_sound(page)
    screenshot(page, "import-report")
    assert Location.objects.count() == 56

    page.set_input_files("#cqc-file", trafford)
    page.get_by_role("button", name="Import").click()
    expect(reconciliation_value(page, "Rows read")).to_have_text("56")
    expect(reconciliation_value(page, "Created")).to_have_text("0")
    expect(reconciliation_value(page, "Updated")).to_have_text("0")
    expect(reconciliation_value(page, "Unchanged")).to_have_text("56")

    bad = tmp_path / "not-a-cqc-file.csv"
    bad.write_text("foo,bar\n")
    page.set_input_files("#cqc-file", bad)
    page.get_by_role("button", name="Import").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("could not be read")
    expect(summary).to_contain_text("Nothing was changed")
    expect(page.locator("#reconciliation")).to_have_count(0)
    assert Location.objects.count() == 56

    # The imported homes are in the directory for Trafford, under the corrected council code.
    desk = new_page(DESKTOP)
    sign_in(desk, live_server, "coordinator")
    search_directory(desk, live_server, available_now=False)
    expect(desk.get_by_text("56 locations found, showing 50 (page 1 of 2)")).to_be_visible()


def test_capacity_upload_stores_good_rows_and_names_the_bad_line(
    new_page, live_server, manager, provider, council, tmp_path
):
    oak = make_location(provider, council, name="Oak Lodge", beds=40)
    oak_offer = make_offer(oak, "residential")
    birch = make_location(provider, council, name="Birch Court", beds=30)
    birch_offer = make_offer(birch, "nursing")
    two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).astimezone(ZoneInfo("Europe/London"))
    upload = tmp_path / "capacity-tracker.csv"
    upload.write_text(
        "cqcid,locationname,declaredvacancies,isacceptingadmissions,lastupdatedbst\n"
        f"{oak.cqc_id},Oak Lodge,4,Yes,{two_hours_ago:%d/%m/%Y %H:%M}\n"
        f"{birch.cqc_id},Birch Court,two,Yes,{two_hours_ago:%d/%m/%Y %H:%M}\n"
    )

    page = new_page(PHONE)
    sign_in(page, live_server, "carehome")
    page.goto(f"{live_server.url}/directory/capacity/")
    page.set_input_files("#capacity-file", upload)
    page.get_by_role("button", name="Upload vacancies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vacancy upload")
    expect(reconciliation_value(page, "Rows read")).to_have_text("2")
    expect(reconciliation_value(page, "Vacancies stored")).to_have_text("1")
    expect(reconciliation_value(page, "Rows rejected")).to_have_text("1")
    rejection = page.locator("#rejections tbody tr")
    expect(rejection).to_have_count(1)
    expect(rejection.locator("td").nth(0)).to_have_text("3")
    expect(rejection.locator("td").nth(1)).to_contain_text(
        "declaredvacancies 'two' is not a whole number"
    )
    assert_fits_screen(page)
    assert_page_sound(page)
    screenshot(page, "capacity-upload-phone")

    page.get_by_role("link", name="Back to your services").click()
    oak_card = page.locator(".nhsuk-card").filter(has_text="Oak Lodge")
    expect(oak_card).to_contain_text("4 beds free")
    expect(oak_card).to_contain_text("updated 2 hours ago")
    expect(page.locator(".nhsuk-card").filter(has_text="Birch Court")).to_contain_text(
        "no vacancy reported"
    )
    assert CapacityReport.objects.filter(offer=birch_offer).count() == 0
    assert CapacityReport.objects.get(offer=oak_offer).source == "csv"


def test_not_put_forward_warning_says_why(page, live_server, coordinator, provider, council):
    home = make_location(provider, council, name="Oak Lodge", rating="Inadequate")
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/directory/locations/{home.cqc_id}/")
    expect(not_put_forward(page)).to_contain_text(
        "This location is not offered to people because it is rated Inadequate.",
        timeout=2_000,
    )
    expect(not_put_forward(page)).not_to_contain_text("<p>")


def test_directory_filters_fit_their_panel(page, live_server, coordinator):
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/directory/")
    overflowing = page.evaluate(
        """() => {
          const panel = document.querySelector(".hw-filters").getBoundingClientRect();
          return [...document.querySelectorAll(".hw-filters select, .hw-filters input")]
            .filter((field) => field.getBoundingClientRect().right > panel.right)
            .map((field) => field.id);
        }"""
    )
    assert overflowing == []


def test_directory_results_fit_a_phone(new_page, live_server, coordinator, provider, council):
    home = make_location(provider, council, name="Oak Lodge")
    make_offer(home, "residential", beds=2)
    make_offer(home, "nursing", beds=1, age_hours=40)
    page = new_page(PHONE)
    sign_in(page, live_server, "coordinator")
    search_directory(page, live_server, available_now=False)
    expect(result_row(page.locator("#results"), "Oak Lodge")).to_contain_text("2 beds free")
    assert_fits_screen(page)


def test_coordinator_navigation_offers_only_what_they_can_use(page, live_server, coordinator):
    sign_in(page, live_server, "coordinator")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Care directory")).to_be_visible()
    assert nav.get_by_role("link", name="Report vacancies").count() == 0
    assert nav.get_by_role("link", name="Import CQC data").count() == 0
