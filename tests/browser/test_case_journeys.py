"""End-to-end journey of one discharge case through the real pages, as the hub sees it.

A discharge coordinator records a patient who has been ready to leave for two days, gives the
case its reasons for delay, an owner at the council and a task; the council's broker sees all
of it on the waiting list; the task goes overdue and the list says so; the coordinator records
the discharge, the patient leaves the list, and the daily acute discharge return (page, CSV and
xlsx) counts the day exactly, alongside a second patient who is still waiting.

Time is the application's clock (`homeward.core.clock.now`), moved by the test rather than
waited for: the live server runs in a thread of this process, so patching the module attribute
moves the server's clock too. The journey starts today at 12:00 local time whatever the real
time is, so the discharge is always "by 17:00" and the day never changes mid-journey.

Screenshots go to test-results/screenshots/case-*.png."""

import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from homeward.cases import services
from homeward.cases.models import CaseState, DischargeCase
from homeward.core import clock
from homeward.core.access import actor_for
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    a11y_problems,
    assert_fits_screen,
    screenshot,
    sign_in,
)
from tests.cases.factories import code, make_case, test_nhs_number

pytestmark = pytest.mark.browser

TRUST_NAME = "Manchester University NHS FT"
TRAFFORD = "E08000009"
R15 = (
    "Pathway 3: awaiting availability of a bed in a residential or nursing home that is likely "
    "to be a permanent placement"
)
R11 = "Individual/family not in agreement with discharge plans"
R13 = "Pathway 1: awaiting availability of resource for assessment and start of care at home"
NEXT_ACTION = "Find a nursing (dementia) bed with a hoist in Trafford"


class MovableClock:
    """The application's clock, running from a chosen moment; `advance` jumps it forward."""

    def __init__(self, start: datetime):
        self.offset = start - timezone.now()

    def now(self) -> datetime:
        return timezone.now() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture
def noon_today(monkeypatch):
    """The clock set to 12:00 local time today (ticking); monkeypatch restores it."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time(12, 0)))
    moving = MovableClock(start)
    monkeypatch.setattr(clock, "now", moving.now)
    return moving


def local_input(moment: datetime) -> str:
    """A moment as a datetime-local input value (local time, to the minute)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def assert_page_sound(page):
    """No console errors or failed requests so far, and the cheap accessibility checks pass."""
    assert page.problems == [], page.problems
    assert a11y_problems(page) == [], page.url


def nav(page, name):
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).click()


def hub_row(page, person):
    return page.locator("#hub tbody tr").filter(
        has=page.get_by_role("link", name=person, exact=True)
    )


def hub_cell(row, heading):
    """One cell of a waiting-list row, found by its column (the responsive heading)."""
    return row.locator("td").filter(
        has=row.page.locator(".nhsuk-table-responsive__heading", has_text=heading)
    )


def summary_value(page, key):
    row = page.locator(".nhsuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(f"^\\s*{re.escape(key)}\\s*$"))
    )
    return row.locator("dd")


def status(page):
    return page.get_by_role("status")


def csv_sections(text: str) -> dict[int, list[list[str]]]:
    """The two tables of the combined CSV: {2: [header, *rows], 3: [header, *rows]}."""
    lines = list(csv.reader(io.StringIO(text)))
    t2, t3 = lines.index(["Table 2"]), lines.index(["Table 3"])
    assert lines[t3 - 1] == [], "a blank line separates the tables"
    return {2: lines[t2 + 1 : t3 - 1], 3: lines[t3 + 1 :]}


def test_ready_patient_from_record_to_discharge_and_daily_return(
    new_page, live_server, coordinator, broker, council, noon_today
):
    start = clock.now()
    today = timezone.localtime(start).date()
    ready_at = start - timedelta(days=2)
    ready_day = timezone.localtime(ready_at).date()
    task_due = start + timedelta(hours=1)
    plan_due = start + timedelta(hours=4)

    # A second patient of the same trust, ready for three days, waiting for home care (P1).
    other = make_case(
        coordinator,
        council=council,
        given="Harold",
        family="Bennett",
        ready_days_ago=3,
        pathway=code("pathway", "P1"),
    )
    services.add_delay(
        actor=actor_for(coordinator),
        case=other,
        reason=code("delay_reason", "R13"),
        attribution="social_care",
        primary=True,
        started_at=start - timedelta(days=3) + timedelta(hours=1),
    )

    # 1. The coordinator records Edith Marsden, ready to leave since 12:00 two days ago.
    desk = new_page(DESKTOP)
    sign_in(desk, live_server, "coordinator")
    nav(desk, "Waiting list")
    expect(desk.get_by_role("heading", level=1)).to_have_text("People ready to leave hospital")
    expect(desk.get_by_text("1 person waiting.")).to_be_visible()
    desk.get_by_role("link", name="Record a ready patient").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(
        "Record a patient who is ready to leave"
    )
    nhs_number = test_nhs_number()
    desk.fill("#id_nhs_number", nhs_number)
    desk.fill("#id_given_name", "Edith")
    desk.fill("#id_family_name", "Marsden")
    desk.fill("#id_date_of_birth", "1936-03-14")
    desk.select_option("#id_sex", "F")
    desk.fill("#id_home_postcode", "M33 7XX")
    desk.select_option("#id_council", TRAFFORD)
    desk.fill("#id_ward", "Ward 12 (care of older people)")
    desk.fill("#id_admission_date", (today - timedelta(days=10)).isoformat())
    desk.fill("#id_ready_at", local_input(ready_at))
    desk.select_option("#id_pathway", "P3")
    desk.select_option("#id_care_type", "nursing-dementia")
    specialist_needs = desk.locator("fieldset", has_text="Specialist needs")
    specialist_needs.get_by_label("Dementia", exact=True).check()
    must_manage = desk.locator("fieldset", has_text="The provider must manage")
    must_manage.get_by_label("Hoist", exact=True).check()
    desk.select_option("#id_funding_route", "council")
    desk.fill("#id_weekly_budget", "1250")
    assert_page_sound(desk)
    desk.get_by_role("button", name="Record patient").click()

    desk.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = DischargeCase.objects.get(patient__nhs_number=nhs_number)
    case_url = f"{live_server.url}/cases/{case.pk}/"
    assert desk.url == case_url
    expect(status(desk)).to_have_text("Edith Marsden recorded")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Edith Marsden")
    expect(desk.locator("p .nhsuk-tag").first).to_contain_text("2 days")
    expect(desk.locator("#case-state")).to_have_text("Identified")
    expect(summary_value(desk, "Discharge ready date")).to_have_text(
        ready_day.strftime("%-d %b %Y")
    )
    expect(summary_value(desk, "Pathway")).to_have_text("Pathway 3: new care-home placement")
    expect(summary_value(desk, "Care needed")).to_have_text("Nursing (dementia) · Dementia, hoist")
    expect(summary_value(desk, "Funding")).to_have_text("Council · budget £1250.00 a week")
    expect(summary_value(desk, "Lives in")).to_have_text("M33 7XX, Trafford")
    assert case.discharge_ready_date == ready_day
    assert (case.pathway.code, case.care_type_id) == ("P3", "nursing-dementia")
    assert (case.specialisms, case.capabilities) == (["Dementia"], ["hoist"])

    # 2. Two reasons for the delay: the P3 bed (primary, social care) and the family (both).
    desk.get_by_text("Add a delay reason").click()
    desk.select_option("#delay-reason", "R15")
    desk.select_option("#delay-attribution", "social_care")
    desk.check("#delay-primary")
    desk.get_by_role("button", name="Add reason").click()
    expect(status(desk)).to_have_text(f"Delay recorded: {R15}")
    desk.get_by_text("Add a delay reason").click()
    desk.select_option("#delay-reason", "R11")
    desk.select_option("#delay-attribution", "both")
    desk.get_by_role("button", name="Add reason").click()
    expect(status(desk)).to_have_text(f"Delay recorded: {R11}")
    delays = desk.locator("#delays li")
    expect(delays).to_have_count(2)
    expect(delays.filter(has_text=R15)).to_contain_text(f"Primary: {R15} (Social care)")
    expect(delays.filter(has_text=R11)).not_to_contain_text("Primary")

    # ...the broker at Trafford owns the case, with a next action due at 16:00...
    desk.fill("#plan-owner", "broker")
    desk.fill("#plan-next", NEXT_ACTION)
    desk.fill("#plan-due", local_input(plan_due))
    desk.get_by_role("button", name="Save plan").click()
    expect(status(desk)).to_have_text("Plan saved")
    expect(summary_value(desk, "Owner")).to_contain_text("broker")
    expect(summary_value(desk, "Next action")).to_have_text(
        f"{NEXT_ACTION} by {timezone.localtime(plan_due):%-d %b %Y %H:%M}"
    )

    # ...and Trafford owes a CHC checklist within the hour.
    desk.get_by_text("Add a task").click()
    desk.select_option("#task-type", "chc_checklist")
    desk.select_option("#task-owner", TRAFFORD)
    desk.fill("#task-due", local_input(task_due))
    desk.get_by_role("button", name="Add task").click()
    expect(status(desk)).to_have_text("Task added: CHC checklist")
    task = desk.locator("#tasks li")
    expect(task).to_have_count(1)
    expect(task).to_contain_text(
        f"CHC checklist · Trafford · due {timezone.localtime(task_due):%-d %b %H:%M}"
    )
    expect(task.locator(".nhsuk-tag--red")).to_have_count(0)
    expect(desk.locator(".nhsuk-warning-callout")).to_have_count(0)
    assert_page_sound(desk)
    screenshot(desk, "case-record")

    # 3. The broker, at the council, sees the case on the waiting list as the hospital left it.
    council_desk = new_page(DESKTOP)
    sign_in(council_desk, live_server, "broker")
    nav(council_desk, "Waiting list")
    expect(council_desk.get_by_text("2 people waiting.")).to_be_visible()
    expect(council_desk.get_by_role("link", name="Record a ready patient")).to_have_count(0)
    rows = council_desk.locator("#hub tbody tr")
    expect(rows.first).to_contain_text("Harold Bennett")  # longest wait first
    row = hub_row(council_desk, "Edith Marsden")
    expect(hub_cell(row, "Waiting")).to_contain_text("2 days")
    expect(hub_cell(row, "Waiting")).to_contain_text(f"ready since {ready_day:%-d %b}")
    why = hub_cell(row, "Pathway")
    expect(why.locator("strong").first).to_have_text("P3")
    expect(why.locator("strong", has_text=R15)).to_have_text(R15)  # the primary reason, bold
    expect(why).to_contain_text(f"{R15} (Social care)")
    expect(why).to_contain_text(f"{R11} (Both)")
    expect(why.locator("strong", has_text=R11)).to_have_count(0)
    owner = hub_cell(row, "Owner")
    expect(owner).to_contain_text("broker")
    expect(owner).to_contain_text(
        f"Next: {NEXT_ACTION} by {timezone.localtime(plan_due):%-d %b %H:%M}"
    )
    expect(hub_cell(row, "Alerts")).to_have_text(re.compile(r"^\s*Alerts\s+None\s*$"))
    assert_page_sound(council_desk)

    # 4. Two hours later the checklist has not been done: the list says so, urgently.
    noon_today.advance(timedelta(hours=2))
    council_desk.reload()
    alert = hub_cell(row, "Alerts").locator(".hw-alert--red")
    expect(alert).to_have_text("Urgent: CHC checklist is overdue")
    expect(hub_cell(row, "Alerts").locator(".hw-alert")).to_have_count(1)
    assert_page_sound(council_desk)
    screenshot(council_desk, "case-hub-desktop")

    # On a phone the same list stacks into cards and does not scroll sideways.
    phone = new_page(PHONE)
    sign_in(phone, live_server, "broker")
    nav(phone, "Waiting list")
    phone_row = hub_row(phone, "Edith Marsden")
    expect(phone_row).to_contain_text("Urgent: CHC checklist is overdue")
    assert_fits_screen(phone)
    assert_page_sound(phone)
    screenshot(phone, "case-hub-phone")

    # 5. The coordinator sees the same alert on the record and records the discharge (14:00).
    desk.goto(f"{live_server.url}/cases/")
    hub_row(desk, "Edith Marsden").get_by_role("link", name="Edith Marsden").click()
    desk.wait_for_url(case_url)
    expect(desk.locator(".nhsuk-warning-callout")).to_contain_text(
        "Urgent: CHC checklist is overdue"
    )
    expect(desk.locator("#tasks .nhsuk-tag--red")).to_have_text("Overdue")
    desk.select_option("#transition-to", "discharged")
    desk.fill("#transition-reason", "Placement agreed at Oak Lodge")
    desk.get_by_role("button", name="Move case").click()
    expect(status(desk)).to_have_text("Case is now discharged")
    expect(desk.locator("#case-state")).to_have_text("Discharged")
    expect(desk.locator(".nhsuk-warning-callout")).to_have_count(0)
    expect(desk.locator("#timeline")).to_contain_text(
        "Identified → Discharged (Placement agreed at Oak Lodge) · coordinator"
    )
    case.refresh_from_db()
    discharged_local = timezone.localtime(case.discharged_at)
    assert case.state == CaseState.DISCHARGED
    assert discharged_local.date() == today and discharged_local.hour == 14
    assert not case.delays.filter(ended_at=None).exists()

    nav(desk, "Waiting list")
    expect(desk.get_by_text("1 person waiting.")).to_be_visible()
    expect(hub_row(desk, "Edith Marsden")).to_have_count(0)
    expect(hub_row(desk, "Harold Bennett")).to_have_count(1)
    council_desk.reload()
    expect(council_desk.get_by_text("1 person waiting.")).to_be_visible()
    expect(hub_row(council_desk, "Edith Marsden")).to_have_count(0)

    # 6. The daily return: last seven days, today provisional.
    nav(desk, "Daily return")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Daily acute discharge return")
    # The page opens on the week to yesterday (the figure to submit); ask for today too.
    expect(desk.locator("#id_end")).to_have_value((today - timedelta(days=1)).isoformat())
    desk.fill("#id_start", (today - timedelta(days=6)).isoformat())
    desk.fill("#id_end", today.isoformat())
    desk.get_by_role("button", name="Show").click()
    days = [today - timedelta(days=n) for n in range(6, -1, -1)]
    # (no longer meet, discharged by 17:00, 17:01-23:59, remaining), oldest first.
    expected = {day: (0, 0, 0, 0) for day in days}
    expected[today - timedelta(days=3)] = (1, 0, 0, 1)  # Harold
    expected[today - timedelta(days=2)] = (2, 0, 0, 2)  # and Edith, from 12:00
    expected[today - timedelta(days=1)] = (2, 0, 0, 2)
    expected[today] = (2, 1, 0, 1)  # Edith discharged at 14:00
    table2 = desk.locator("#table2 tbody tr")
    expect(table2).to_have_count(7)
    for tr, day in zip(table2.all(), days, strict=True):
        label = day.strftime("%a %-d %b %Y") + (" Provisional" if day == today else "")
        expect(tr.locator("td")).to_have_text([label, *(str(n) for n in expected[day])])
    expect(desk.locator("#table2 caption")).to_have_text(f"Table 2: {TRUST_NAME}")
    expect(
        desk.get_by_role("heading", name=f"Table 3: why people remained ({today:%-d %b %Y})")
    ).to_be_visible()
    table3 = desk.locator("#table3 tbody tr")
    expect(table3).to_have_count(19)  # 18 published reasons and "No reason recorded"

    def table3_count(label):
        return table3.filter(
            has=desk.locator("td", has_text=re.compile(f"^{re.escape(label)}$"))
        ).locator("td.nhsuk-table__cell--numeric")

    expect(table3_count(R13)).to_have_text("1")  # Harold's primary reason
    expect(table3_count(R15)).to_have_text("0")  # Edith has gone home
    expect(table3_count(R11)).to_have_text("0")
    expect(table3_count("No reason recorded")).to_have_text("0")
    assert_page_sound(desk)
    screenshot(desk, "case-daily-return")

    # The CSV, downloaded through the link, says the same as the page.
    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"acute-discharge-R0A-{days[0]}-{today}.csv"
    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte order mark, so Excel reads UTF-8"
    tables = csv_sections(raw.decode("utf-8-sig"))
    header2, *rows2 = tables[2]
    assert header2[:3] == ["Date", "Org Code", "Org Name"]
    assert header2[3] == "Number of patients who no longer meet the criteria to reside"
    assert [r[:3] for r in rows2] == [[d.isoformat(), "R0A", TRUST_NAME] for d in days]
    assert {r[0]: tuple(int(n) for n in r[3:]) for r in rows2} == {
        d.isoformat(): counts for d, counts in expected.items()
    }

    header3, *rows3 = tables[3]
    assert header3[-1] == "No reason recorded"
    reasons = header3[3:-1]
    assert len(reasons) == 18 and R13 in reasons and R15 in reasons
    by_day = {r[0]: dict(zip(header3[3:], map(int, r[3:]), strict=True)) for r in rows3}
    # Only Harold remains today, under his primary reason; on the two days before, Edith was
    # also waiting but her reasons were only recorded today, so she counts as "no reason".
    nonzero = {d: {k: v for k, v in counts.items() if v} for d, counts in by_day.items()}
    assert nonzero == {
        days[0].isoformat(): {},
        days[1].isoformat(): {},
        days[2].isoformat(): {},
        days[3].isoformat(): {R13: 1},
        days[4].isoformat(): {R13: 1, "No reason recorded": 1},
        days[5].isoformat(): {R13: 1, "No reason recorded": 1},
        today.isoformat(): {R13: 1},
    }

    # The Excel download carries the same Table 2.
    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="Download Excel (xlsx)").click()
    xlsx = download_info.value
    assert xlsx.suggested_filename == f"acute-discharge-R0A-{days[0]}-{today}.xlsx"
    workbook = load_workbook(io.BytesIO(xlsx.path().read_bytes()), read_only=True)
    sheet_rows = list(workbook["Table 2"].iter_rows(values_only=True))
    assert sheet_rows[0][3] == header2[3]
    last = sheet_rows[-1]
    assert (last[0].date(), last[1], *last[3:]) == (today, "R0A", *expected[today])
    assert_page_sound(desk)


def test_a_mistyped_nhs_number_is_refused_and_the_form_kept(page, live_server, coordinator):
    good = test_nhs_number()
    mistyped = good[:9] + str((int(good[9]) + 1) % 10)  # the check digit no longer matches
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/cases/new/")
    page.fill("#id_nhs_number", mistyped)
    page.fill("#id_given_name", "Edith")
    page.fill("#id_family_name", "Marsden")
    page.fill("#id_date_of_birth", "1936-03-14")
    page.select_option("#id_council", TRAFFORD)
    page.fill("#id_admission_date", (timezone.localdate() - timedelta(days=10)).isoformat())
    page.select_option("#id_funding_route", "council")
    with page.expect_response(re.compile(r"/cases/new/$")) as response:
        page.get_by_role("button", name="Record patient").click()
    assert response.value.status == 400
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "this is not a valid NHS number (the check digit does not match)"
    )
    expect(page.locator("#id_nhs_number")).to_have_value(mistyped)
    expect(page.locator("#id_family_name")).to_have_value("Marsden")
    assert not DischargeCase.objects.exists()
    # The page is answered with 400 on purpose, which Chromium logs; nothing else may be.
    bad_request = "console: Failed to load resource: the server responded with a status of 400"
    assert [p for p in page.problems if not p.startswith(bad_request)] == []
    assert a11y_problems(page) == []


def _set_owner(page, live_server, case, username):
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.fill("#plan-owner", username)
    page.fill("#plan-next", "Broker to source a bed")
    page.get_by_role("button", name="Save plan").click()


def test_the_owners_organisation_follows_the_owner(page, live_server, coordinator, broker, council):
    case = make_case(coordinator, council=council, given="Harold", family="Bennett")
    sign_in(page, live_server, "coordinator")
    _set_owner(page, live_server, case, "broker")
    expect(status(page)).to_have_text("Plan saved")
    expect(summary_value(page, "Owner")).to_have_text("broker, Trafford", timeout=2_000)


def test_a_case_cannot_be_handed_to_someone_who_cannot_see_it(
    page, live_server, coordinator, manager, council
):
    case = make_case(coordinator, council=council, given="Harold", family="Bennett")
    sign_in(page, live_server, "coordinator")
    _set_owner(page, live_server, case, "carehome")
    expect(status(page)).to_contain_text("Not saved", timeout=2_000)
    case.refresh_from_db()
    assert case.owner is None
