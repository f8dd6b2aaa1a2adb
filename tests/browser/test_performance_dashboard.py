"""Browser journey: an analyst loads a trajectory, filters the performance dashboard to one
council, compares it with its peers, and downloads the peer table."""

import csv
import datetime as dt
import io

import pytest
from playwright.sync_api import expect

from homeward.cases.queries import today
from homeward.core.models import Organisation, OrganisationKind, Role
from homeward.performance.queries import dtoc_measures_by_area
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    a11y_problems,
    assert_fits_screen,
    axe_violations,
    screenshot,
    sign_in,
)
from tests.cases.factories import make_case
from tests.conftest import make_user
from tests.performance.dashboard_data import store

pytestmark = pytest.mark.browser

YEAR = [
    f"{month} 2019"
    for month in (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
]


@pytest.fixture
def analyst(db, tmp_path, coordinator):
    store(tmp_path, YEAR)
    council = Organisation.objects.get(kind=OrganisationKind.COUNCIL, code="E08000009")
    # One Trafford resident waiting in hospital for 20 days, for the Homeward-case section.
    make_case(coordinator, council=council, ready_days_ago=20, admitted=today() - dt.timedelta(30))
    return make_user("analyst", council, Role.ANALYST)


def test_analyst_filters_to_a_council_compares_peers_and_downloads(
    page, live_server, analyst, tmp_path
):
    sign_in(page, live_server, "analyst")
    page.get_by_role("navigation").get_by_role("link", name="Performance", exact=True).click()
    expect(page.get_by_role("heading", name="Performance dashboard", level=1)).to_be_visible()
    england = page.get_by_role("heading", name="England, January 2019 to December 2019")
    expect(england).to_be_visible()

    # A trajectory for Trafford: 6 a day per 100,000 adults all year.
    page.get_by_role("link", name="Upload a trajectory").click()
    lines = "".join(f"E08000009,2019-{m:02d},6\n" for m in range(1, 13))
    page.set_input_files(
        "#id_file",
        {
            "name": "trajectory.csv",
            "mimeType": "text/csv",
            "buffer": f"area_code,month,target_per_100k\n{lines}".encode(),
        },
    )
    page.get_by_role("button", name="Upload trajectory").click()
    expect(page.get_by_role("status")).to_contain_text("12 new target(s), 0 replaced")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the performance dashboard").click()

    page.get_by_label("Area").select_option(label="Trafford")
    page.get_by_label("From month").fill("2019-04")
    page.get_by_label("To month").fill("2019-12")
    page.get_by_role("button", name="Show").click()
    trafford = page.get_by_role("heading", name="Trafford, April 2019 to December 2019")
    expect(trafford).to_be_visible()
    expect(page.locator("#months tbody tr")).to_have_count(9)
    expect(page.locator("#months")).to_contain_text("above target")

    # Peers: the metropolitan districts, Trafford named in the chart and marked in the table.
    peers = page.locator("#peer-table")
    expect(peers.locator("tbody tr")).to_have_count(3)
    expect(peers).to_contain_text("Salford")
    expect(peers).not_to_contain_text("Kent")
    expect(peers.locator("tr.hw-chosen")).to_contain_text("Trafford Chosen")
    expect(page.locator("svg text", has_text="Trafford (chosen)")).to_have_count(1)
    chart = page.get_by_role("img", name="Peers: delayed beds per day per 100,000 adults")
    expect(chart).to_be_visible()

    cases = page.locator("#case-delays")
    expect(cases).to_contain_text("Trafford")
    assert page.problems == [], page.problems
    assert a11y_problems(page) == []
    assert axe_violations(page) == []
    screenshot(page, "performance-dashboard")
    # On a phone the wide tables scroll inside their regions; the page itself does not.
    page.set_viewport_size(PHONE)
    page.reload()
    assert_fits_screen(page)
    screenshot(page, "performance-dashboard-phone")
    page.set_viewport_size(DESKTOP)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV of the peer table").click()
    download = download_info.value
    assert download.suggested_filename == "dtoc-peers-E08000009-2019-04-to-2019-12.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_text())))
    every = dtoc_measures_by_area(dt.date(2019, 4, 1), dt.date(2019, 12, 1))
    peer_codes = sorted(
        (c for c in every if c.startswith("E08")), key=lambda c: every[c].per_100k_adults
    )
    assert [r["area_code"] for r in rows] == peer_codes
    for r in rows:
        assert float(r["per_100k_adults"]) == every[r["area_code"]].per_100k_adults
        assert r["council_type"] == "Metropolitan district"
    trafford = next(r for r in rows if r["area_code"] == "E08000009")
    assert float(trafford["target_per_100k"]) == 6
