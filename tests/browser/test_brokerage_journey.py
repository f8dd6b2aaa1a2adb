"""End-to-end brokerage: from a case's shortlist to a confirmed placement, across the hub and
two care-home providers, each in their own browser.

The coordinator shortlists, asks "why not?" about a home that is not offered, and refers to
three homes at once. The first provider (on a phone) declines one referral with a reason and
accepts the other, and only then sees who the person is; a second provider sees only its own
referral and gets "not found" for the first one's. The coordinator confirms the acceptance:
the home's vacancy falls by one, the remaining referral is withdrawn and the case becomes
placement agreed. Screenshots go to test-results/screenshots/brokerage-*.png."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from homeward.cases.models import CaseState
from homeward.core.models import Postcode
from homeward.directory.models import ServiceOffer
from tests.browser.conftest import PHONE, a11y_problems, follow_nav, screenshot, sign_in
from tests.cases.factories import make_case
from tests.conftest import make_location, make_offer

pytestmark = pytest.mark.browser


@pytest.fixture
def market(coordinator, manager, other_manager, provider, other_provider, council):
    Postcode.objects.create(postcode="M337XX", lat=53.4248, lon=-2.32115)
    case = make_case(
        coordinator,
        council=council,
        given="Edith",
        family="Crawley",
        care_type_id="residential",
        funding_route="council",
        weekly_budget=Decimal("1100"),
        home_postcode="M33 7XX",
    )
    offers = {
        "Oak Lodge": make_offer(
            make_location(provider, council, name="Oak Lodge", lat=53.43, lon=-2.32),
            beds=1,
            weekly_price=950,
        ),
        "Ash Court": make_offer(
            make_location(provider, council, name="Ash Court", lat=53.44, lon=-2.31),
            beds=2,
            weekly_price=1000,
        ),
        "Elm House": make_offer(
            make_location(other_provider, council, name="Elm House", lat=53.45, lon=-2.30),
            beds=3,
            weekly_price=1050,
        ),
    }
    full = make_location(provider, council, name="Birch View", lat=53.43, lon=-2.33)
    make_offer(full, beds=0, weekly_price=900)
    return case, offers, full


def sound(page):
    assert page.problems == [], page.problems
    assert a11y_problems(page) == [], page.url


def test_shortlist_refer_answer_confirm(live_server, new_page, market):
    case, offers, full = market
    hub = sign_in(new_page(), live_server, "coordinator")
    hub.goto(f"{live_server.url}/cases/{case.pk}/")
    hub.get_by_role("link", name="Find a provider").click()
    shortlist = hub.locator("#shortlist")
    for name in offers:
        expect(shortlist).to_contain_text(name)
    expect(shortlist).not_to_contain_text("Birch View")

    hub.fill("#why", full.cqc_id)
    hub.get_by_role("button", name="Search").click()
    expect(hub.locator("#why-not")).to_contain_text("no vacancy")
    sound(hub)
    screenshot(hub, "brokerage-shortlist")

    for offer in offers.values():
        hub.check(f"#offer-{offer.pk}")
    hub.get_by_role("button", name="Send referrals").click()
    expect(hub.get_by_text("Referred to 3 providers")).to_be_visible()
    expect(hub.locator("#referrals")).to_contain_text("Awaiting answer")
    sound(hub)

    home = sign_in(new_page(PHONE), live_server, "carehome")
    follow_nav(home, "Referrals")
    waiting = home.locator("#waiting")
    expect(waiting.get_by_role("link")).to_have_count(2)
    waiting.get_by_role("link").first.click()
    expect(home.locator("main")).not_to_contain_text("Crawley")
    expect(home.get_by_text("shown once you accept")).to_be_visible()
    sound(home)
    screenshot(home, "brokerage-referral-phone")
    heading = home.locator(".nhsuk-caption-l").inner_text()
    home.select_option("#id_reason", "staffing")
    home.get_by_role("button", name="Decline").click()
    expect(home.locator("#referral-state")).to_contain_text("Declined")

    home.get_by_role("link", name="Back to referrals").click()
    home.locator("#waiting").get_by_role("link").first.click()
    other_heading = home.locator(".nhsuk-caption-l").inner_text()
    assert other_heading != heading
    home.get_by_role("button", name="Accept").click()
    expect(home.locator("#referral-state")).to_contain_text("Accepted")
    expect(home.locator("main")).to_contain_text("Edith Crawley")
    accepted_url = home.url
    screenshot(home, "brokerage-accepted-phone")

    rival = sign_in(new_page(), live_server, "other-carehome")
    rival.get_by_role("link", name="Referrals", exact=True).click()
    expect(rival.locator("#waiting").get_by_role("link")).to_have_count(1)
    expect(rival.locator("#waiting")).to_contain_text("Elm House")
    response = rival.goto(accepted_url)
    assert response.status == 404

    accepted_home = other_heading.removeprefix("Referral to ")
    hub.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(hub.get_by_text(f"{accepted_home} accepted: confirm the placement")).to_be_visible()
    beds_before = offers[accepted_home].latest_report.beds_free
    hub.get_by_role("link", name="Confirm placement").click()
    expect(hub.locator("#id_weekly_cost")).not_to_have_value("")
    sound(hub)
    screenshot(hub, "brokerage-confirm")
    hub.get_by_role("button", name="Confirm placement").click()
    expect(hub.locator("#case-state")).to_have_text("Placement agreed")
    expect(hub.locator("#placement")).to_contain_text(accepted_home)
    expect(hub.locator("#referrals")).to_contain_text("Withdrawn")
    expect(hub.locator("#referrals")).to_contain_text("Declined")
    sound(hub)
    screenshot(hub, "brokerage-placed")

    after = ServiceOffer.objects.select_related("latest_report").get(pk=offers[accepted_home].pk)
    assert after.latest_report.beds_free == beds_before - 1
    case.refresh_from_db()
    assert case.state == CaseState.PLACEMENT_AGREED


def test_broker_allocates_the_area_and_refers_chosen_pairings(
    live_server, new_page, market, broker
):
    case, offers, _ = market
    desk = sign_in(new_page(), live_server, "broker")
    desk.get_by_role("link", name="Allocate area", exact=True).click()
    desk.select_option("#id_care_type", "residential")
    desk.get_by_role("button", name="Propose").click()
    totals = desk.locator("#totals")
    expect(totals).to_contain_text("1 waiting")
    expect(totals).to_contain_text("1 placed by this proposal")
    expect(desk.locator("#pairs")).to_contain_text("Edith Crawley")
    sound(desk)
    screenshot(desk, "brokerage-allocate")
    desk.get_by_role("button", name="Refer the ticked pairings").click()
    expect(desk.get_by_text("Referred 1 of the proposed pairings")).to_be_visible()
    case.refresh_from_db()
    assert case.state == CaseState.REFERRED
    assert case.referrals.get().offer_id in {o.pk for o in offers.values()}
