"""Browser journey: a system leader watches the live view while the indicator feed crosses a
trigger level; the page refreshes itself and says "Red" in words. Then a CSV upload turns a
site's free beds red. axe-core checks the page; screenshots go to test-results/screenshots/."""

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from homeward.core import clock
from homeward.core.models import AuditEvent, Organisation, OrganisationKind, Role
from homeward.core.tokens import issue
from homeward.live import views
from homeward.live.models import Indicator, Reading, TriggerLevel
from tests.browser.conftest import PHONE, a11y_problems, axe_violations, screenshot, sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def area(db):
    icb = Organisation.objects.create(
        kind=OrganisationKind.ICB, code="QOP", name="NHS Greater Manchester ICB"
    )
    trust = Organisation.objects.create(
        kind=OrganisationKind.TRUST, code="R0A", name="Manchester University NHS FT", parent=icb
    )
    site = Organisation.objects.create(
        kind=OrganisationKind.SITE, code="R0A66", name="Wythenshawe Hospital", parent=trust
    )
    leader = make_user("leader", icb, Role.SYSTEM_LEADER)
    now = clock.now()
    handover = Indicator.objects.get(code="ambulance-handover-mean")
    free = Indicator.objects.get(code="beds-ga-free")
    for indicator, amber, red in ((handover, 30, 60), (free, 25, 10)):
        TriggerLevel.objects.create(
            area=icb, indicator=indicator, amber=amber, red=red, set_by=leader, set_at=now
        )
    for minutes_ago, minutes, beds in ((90, 38, 31), (60, 44, 27), (30, 52, 22)):
        for indicator, value in ((handover, minutes), (free, beds)):
            Reading.objects.create(
                organisation=site,
                indicator=indicator,
                value=value,
                measured_at=now - timedelta(minutes=minutes_ago),
                recorded_at=now,
                source="ambulance service",
                recorded_by=leader,
            )
    return leader


def post_reading(feed, live_server, token: str, value: float) -> int:
    """The ambulance service's system sends a reading through the API (no browser session)."""
    body = {
        "organisation": "R0A66",
        "indicator": "ambulance-handover-mean",
        "value": value,
        "measured_at": clock.now().isoformat(),
        "source": "ambulance service",
    }
    response = feed.post(
        f"{live_server.url}/api/v1/indicators",
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return response.status


def test_leader_sees_handovers_turn_red_when_the_feed_crosses_the_trigger(
    new_page, live_server, area, monkeypatch, tmp_path
):
    monkeypatch.setattr(views, "REFRESH_SECONDS", 2)
    token = issue(area, "ambulance feed")
    page = sign_in(new_page(), live_server, "leader")
    page.get_by_role("link", name="Live view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Live system view: NHS Greater Manchester ICB"
    )
    handovers = page.locator("#indicators tr", has_text="Ambulance handover time (mean)")
    expect(handovers).to_contain_text("Amber: 52 min, trigger 30")
    expect(page.locator("#indicators")).not_to_contain_text("Red:")

    feed = new_page().request
    with page.expect_response(f"{live_server.url}/live/"):
        pass  # send between two refreshes: the live server's threads share one connection
    assert post_reading(feed, live_server, token, 94) == 201
    # No reload: the page refreshes its figures itself.
    expect(handovers).to_contain_text("Red: 94 min, trigger 60", timeout=15_000)
    expect(handovers).to_contain_text("Up 42 from 52 (worse)")
    # Opening the view was audited; its refreshes in place were not.
    assert AuditEvent.objects.filter(action="live.view", username="leader").count() == 1
    expect(page.locator(".hw-live-red")).to_contain_text(
        "Ambulance handover time (mean) at Wythenshawe Hospital: Red: 94 min, trigger 60"
    )
    assert axe_violations(page) == []
    assert a11y_problems(page) == []
    screenshot(page, "live-view")
    # Back to refreshing once a minute, so no background refresh runs beside the steps below
    # (the live server shares one SQLite connection between its threads).
    monkeypatch.setattr(views, "REFRESH_SECONDS", 60)
    with page.expect_response(f"{live_server.url}/live/"):
        pass  # reload just after a refresh has finished, rather than cut one short
    page.reload()

    phone = sign_in(new_page(PHONE), live_server, "leader")
    phone.goto(f"{live_server.url}/live/readings/upload/")
    csv = tmp_path / "beds.csv"
    csv.write_text(
        "organisation,indicator,value,measured_at,source\n"
        f"R0A66,beds-ga-free,8,{clock.now().isoformat()},bed board\n"
    )
    phone.get_by_label("Readings file (CSV)").set_input_files(str(csv))
    phone.get_by_role("button", name="Upload readings").click()
    expect(phone.get_by_text("1 reading stored")).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="See the live view").click()
    beds = phone.locator("#indicators tr", has_text="General and acute beds free")
    expect(beds).to_contain_text("Red: 8 beds, trigger 10")
    assert axe_violations(phone) == []
    screenshot(phone, "live-view-phone")

    # The ICB raises its handover levels for the winter; 94 minutes is then only amber.
    page.get_by_role("link", name="Set trigger levels").click()
    page.get_by_label("Indicator").select_option(label="Ambulance handover time (mean)")
    page.get_by_label("Amber trigger").fill("45")
    page.get_by_label("Red trigger").fill("120")
    page.get_by_label("Why (optional)").fill("winter levels agreed at the system call")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save trigger levels").click()
    expect(
        page.get_by_text("Ambulance handover time (mean): amber from 45, red from 120")
    ).to_be_visible()
    page.get_by_role("link", name="Live view").click()
    expect(handovers).to_contain_text("Amber: 94 min, trigger 45")
    assert page.problems == [] and phone.problems == []
