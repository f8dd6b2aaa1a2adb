"""Browser journey: a commissioner asks the market for home care; one provider answers from a
phone and another from a desktop; neither sees the other's answer; the commissioner sees who
answered. Screenshots go to test-results/screenshots/."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from homeward.core import clock
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    a11y_problems,
    assert_fits_screen,
    screenshot,
    sign_in,
)
from tests.conftest import make_location, make_offer

pytestmark = pytest.mark.browser


def send_answer(page, live_server, volume: str, price: str, location: str = "", shot: str = ""):
    page.goto(f"{live_server.url}/brokerage/requests/")
    page.get_by_role("link", name="Home care: 120 hours a week in Trafford").click()
    page.get_by_role("button", name="Answer this request").click()
    page.get_by_label("How much you can offer").fill(volume)
    page.get_by_label("Weekly price (£)").fill(price)
    if location:
        page.get_by_label("Where (optional)").select_option(label=location)
    if shot:
        assert a11y_problems(page) == []
        screenshot(page, shot)
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_text("Your answer has been sent to Trafford")).to_be_visible()


def test_commissioner_sees_who_answered_and_providers_see_only_their_own(
    new_page, live_server, commissioner, manager, other_manager, provider
):
    agency = make_location(provider, None, name="Sunrise Home Care", care_home=False, beds=None)
    make_offer(agency, "home-care", area="Trafford", hours=60)
    today = clock.now().date()

    page = sign_in(new_page(DESKTOP), live_server, "commissioner")
    page.goto(f"{live_server.url}/brokerage/requests/")
    page.get_by_role("button", name="New capacity request").click()
    page.select_option("#id_care_type", "home-care")
    page.fill("#id_description", "Intensive hourly home care, double-handed, four calls a day")
    page.fill("#id_area", "Trafford")
    page.fill("#id_volume", "120")
    page.select_option("#id_unit", "hours")
    page.fill("#id_start_date", (today + timedelta(days=7)).isoformat())
    page.fill("#id_end_date", (today + timedelta(days=97)).isoformat())
    page.fill("#id_contact_name", "Priya Shah")
    page.fill("#id_contact_email", "priya.shah@example.org")
    page.get_by_role("button", name="Send to providers").click()
    expect(page.get_by_text("No provider has answered yet")).to_be_visible()
    detail_url = page.url

    phone = sign_in(new_page(PHONE), live_server, "carehome")
    phone.goto(f"{live_server.url}/brokerage/requests/")
    expect(phone.get_by_text("You offer home care")).to_be_visible()
    screenshot(phone, "capacity-requests-market-phone")
    send_answer(
        phone,
        live_server,
        "40",
        "1250",
        location="Sunrise Home Care, M33 7XX",
        shot="capacity-request-answer-form-phone",
    )
    assert_fits_screen(phone)
    screenshot(phone, "capacity-request-provider-phone")

    other = sign_in(new_page(DESKTOP), live_server, "other-carehome")
    send_answer(other, live_server, "80", "1180.50")
    expect(other.get_by_text("£1,180.50 a week")).to_be_visible()
    expect(other.get_by_text("Sunrise Care Ltd")).to_have_count(0)

    page.goto(detail_url)
    answers = page.locator("#answers")
    expect(answers.locator("tbody tr")).to_have_count(2)
    expect(answers).to_contain_text("Sunrise Care Ltd")
    expect(answers).to_contain_text("Elsewhere Homes Ltd")
    expect(answers).to_contain_text("£1,180.50")
    expect(page.get_by_text("2 providers answered, offering 120 hours a week")).to_be_visible()
    assert a11y_problems(page) == []
    screenshot(page, "capacity-request-answers")
    for p in (page, phone, other):
        assert p.problems == []

    narrow = sign_in(new_page(PHONE), live_server, "commissioner")
    narrow.goto(detail_url)
    expect(narrow.get_by_role("link", name="priya.shah@example.org")).to_be_visible()
    assert_fits_screen(narrow)
    screenshot(narrow, "capacity-request-answers-phone")
