"""Integration: the live view page, the readings upload and the trigger levels page through
the Django test client, with their scoping and a bounded number of queries."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from homeward.cases import services as case_services
from homeward.cases.models import CodeList
from homeward.core import clock
from homeward.core.access import actor_for
from homeward.core.models import AuditEvent, Organisation, OrganisationKind
from homeward.live.models import Reading, TriggerLevel
from tests.cases.factories import code, make_case
from tests.conftest import make_location, make_offer, make_user
from tests.live.conftest import add_reading, set_levels

pytestmark = pytest.mark.django_db


def page(client, user, url="live:view", **kw):
    client.force_login(user)
    return client.get(reverse(url), **kw)


def test_leader_sees_an_indicator_red_in_words_against_the_area_trigger(client, leader, icb, site):
    set_levels(icb, "ambulance-handover-mean", 30, 60, leader)
    add_reading(site, "ambulance-handover-mean", 82, minutes_ago=40, by=leader)
    add_reading(site, "ambulance-handover-mean", 94, minutes_ago=10, by=leader)
    response = page(client, leader)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Live system view: NHS Greater Manchester ICB" in html
    assert "Red: 94 min, trigger 60" in html
    assert "Up 12 from 82 (worse)" in html
    assert "Last 2 readings, from 82 to 94 min; lowest 82, highest 94" in html  # sparkline text
    assert "10 minutes ago" in html
    assert "1 red" in html
    assert AuditEvent.objects.filter(action="live.view", username="leader").exists()


def test_opening_the_view_is_audited_and_its_minute_refreshes_are_not(client, leader):
    page(client, leader)
    assert page(client, leader, headers={"X-Homeward-Refresh": "1"}).status_code == 200
    without_js = client.get(reverse("live:view"), {"refreshed": "1"})
    assert without_js.status_code == 200
    assert AuditEvent.objects.filter(action="live.view", username="leader").count() == 1
    assert 'content="60;url=?refreshed=1"' in without_js.content.decode()


def test_figures_of_another_area_are_never_shown(client, leader, other_leader, site, other_site):
    add_reading(site, "beds-ga-free", 17, by=leader)
    add_reading(other_site, "beds-ga-free", 3, by=other_leader)
    html = page(client, leader).content.decode()
    assert "Wythenshawe Hospital" in html
    assert "Arrowe Park Hospital" not in html
    other = page(client, other_leader).content.decode()
    assert "Arrowe Park Hospital" in other
    assert "Wythenshawe Hospital" not in other


def test_stale_readings_are_marked(client, leader, site):
    add_reading(site, "beds-ga-free", 17, minutes_ago=60 * 30, by=leader)
    assert "30 hours ago (stale)" in page(client, leader).content.decode()


def test_beds_by_site_with_occupancy(client, leader, site):
    add_reading(site, "beds-ga-occupied", 570, by=leader)
    add_reading(site, "beds-ga-free", 30, by=leader)
    html = page(client, leader).content.decode()
    assert "95.0%" in html


def test_waits_delays_and_pathways_come_from_the_areas_cases(client, leader, area_trust, council):
    coordinator = make_user("ward", area_trust, "discharge_coordinator")
    actor = actor_for(coordinator)
    p1 = code(CodeList.PATHWAY, "P1")
    long_wait = make_case(coordinator, council=council, ready_days_ago=25, pathway=p1)
    make_case(coordinator, council=council, ready_days_ago=2, pathway=p1)
    make_case(coordinator, council=council, ready_days_ago=None)
    case_services.add_delay(
        actor=actor,
        case=long_wait,
        reason=code(CodeList.DELAY_REASON, "R13"),
        attribution="social_care",
        primary=True,
    )
    html = page(client, leader).content.decode()
    assert '<strong class="hw-figure">2</strong> people waiting; the longest for 25 days' in html
    assert "Pathway 1: awaiting availability of resource" in html
    body = client.get("/api/v1/live").json()
    assert body["waiting"]["people"] == 2
    assert {b["band"]: b["people"] for b in body["waiting"]["bands"]}["21+ days"] == 1
    assert body["delays_by_pathway"][0]["code"] == "P1"
    assert (body["delays_by_pathway"][0]["people"], body["delays_by_pathway"][0]["over_21"]) == (
        2,
        1,
    )


def test_care_home_vacancies_by_care_type_with_freshness(client, leader, area_council, provider):
    fresh_home = make_location(provider, area_council, name="Oak Lodge")
    make_offer(fresh_home, "residential", beds=3, age_hours=2)
    stale_home = make_location(provider, area_council, name="Elm House")
    make_offer(stale_home, "residential", beds=5, age_hours=80)
    agency = make_location(provider, area_council, name="Sunrise Care", care_home=False)
    make_offer(agency, "home-care", area="Trafford", hours=21, age_hours=3)
    body = (client.force_login(leader), client.get("/api/v1/live"))[1].json()
    rows = {c["care_type"]: c for c in body["capacity"]}
    assert (rows["residential"]["free_now"], rows["residential"]["fresh"]) == (3, 1)
    assert rows["residential"]["services"] == 2
    assert rows["home-care"]["free_now"] == 21
    worked_out = {f["indicator"]: f for f in body["indicators"] if not f["where_code"]}
    assert worked_out["care-home-beds-free"]["value"] == 3
    assert worked_out["home-care-hours-free"]["value"] == 21
    html = client.get(reverse("live:view")).content.decode()
    assert "1 of 2 services (1 stale or never reported)" in html


def test_a_trust_uses_its_icbs_levels_unless_it_sets_its_own(client, leader, icb, area_trust, site):
    trust_leader = make_user("trust-leader", area_trust, "system_leader")
    add_reading(site, "beds-ga-free", 15, by=leader)
    set_levels(icb, "beds-ga-free", 20, 10, leader)
    assert "Amber: 15 beds, trigger 20" in page(client, trust_leader).content.decode()
    set_levels(area_trust, "beds-ga-free", 12, 5, trust_leader)
    assert "Green: 15 beds, above amber trigger 12" in page(client, trust_leader).content.decode()
    assert "Amber: 15 beds, trigger 20" in page(client, leader).content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "manager", "admin_user", "outsider"])
def test_the_live_view_is_not_for_everyone(client, request, persona):
    user = request.getfixturevalue(persona)
    status = page(client, user).status_code
    assert status == (403 if persona == "outsider" else 404)


def _grow(icb, first: int, sites: int, readings_each: int, by):
    """More trusts, sites and readings, to show the page's queries do not grow with them."""
    for t in range(first, first + sites):
        trust = Organisation.objects.create(
            kind=OrganisationKind.TRUST, code=f"RX{t}", name=f"Trust {t}", parent=icb
        )
        s = Organisation.objects.create(
            kind=OrganisationKind.SITE, code=f"RX{t}01", name=f"Site {t}", parent=trust
        )
        for n in range(readings_each):
            add_reading(s, "beds-ga-free", 20 + n, minutes_ago=15 * (n + 1), by=by)
            add_reading(s, "ambulance-handover-mean", 30 + n, minutes_ago=15 * (n + 1), by=by)


def test_the_page_reads_in_a_fixed_number_of_queries(
    client, leader, icb, site, django_assert_max_num_queries
):
    client.force_login(leader)
    _grow(icb, 0, 1, 2, leader)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse("live:view")).status_code == 200
    _grow(icb, 1, 6, 15, leader)
    with django_assert_max_num_queries(20) as large:
        html = client.get(reverse("live:view")).content.decode()
    assert "Site 5" in html
    assert len(large.captured_queries) == len(small.captured_queries)


CSV_GOOD = (
    "organisation,indicator,value,measured_at,source\n"
    "R0A66,ambulance-handover-mean,94,{t},NWAS\n"
    "R0A66,beds-ga-free,12,{t},\n"
)


def _upload(client, user, text: str):
    client.force_login(user)
    return client.post(
        reverse("live:upload"),
        {"file": SimpleUploadedFile("readings.csv", text.encode(), content_type="text/csv")},
    )


def _t(minutes_ago=5):
    return (clock.now() - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S%z")


def test_upload_stores_good_readings(client, leader, site):
    response = _upload(client, leader, CSV_GOOD.format(t=_t()))
    assert response.status_code == 200
    assert "2 readings stored" in response.content.decode()
    assert sorted(Reading.objects.values_list("source", flat=True)) == ["NWAS", "csv upload"]


def test_a_bad_upload_stores_nothing_and_names_each_line(client, leader, site):
    text = CSV_GOOD.format(t=_t()) + (
        f"R0A66,beds-ga-free,lots,{_t()},\nNOPE,beds-ga-free,3,yesterday,\n"
    )
    response = _upload(client, leader, text)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was stored: 2 lines to correct" in html
    assert "Line 4: value &#39;lots&#39; is not a number" in html
    assert "Line 5: measured_at &#39;yesterday&#39; is not a date and time" in html
    assert Reading.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("organisation,value\nR0A66,3\n", "the header row lacks indicator, measured_at"),
        ("organisation,indicator,value,measured_at\n", "no readings"),
    ],
)
def test_an_unreadable_upload_is_explained(client, leader, text, message):
    response = _upload(client, leader, text)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_upload_is_not_for_provider_managers(client, manager):
    assert page(client, manager, "live:upload").status_code == 404


def test_leader_sets_trigger_levels_on_the_page(client, leader, icb):
    client.force_login(leader)
    url = reverse("live:triggers")
    response = client.post(
        url, {"indicator": "ambulance-handover-mean", "amber": "30", "red": "60", "reason": ""}
    )
    assert response.status_code == 302
    level = TriggerLevel.objects.get()
    assert (level.area, level.amber, level.red, level.set_by) == (icb, 30, 60, leader)
    html = client.get(url).content.decode()
    assert "30 min" in html and "60 min" in html
    bad = client.post(url, {"indicator": "beds-ga-free", "amber": "10", "red": "20"})
    assert bad.status_code == 400
    assert "cannot be above the amber trigger" in bad.content.decode()
    assert TriggerLevel.objects.count() == 1


@pytest.mark.parametrize("persona", ["coordinator", "broker", "manager", "admin_user"])
def test_trigger_levels_are_for_area_leaders_and_commissioners(client, request, persona):
    user = request.getfixturevalue(persona)
    assert page(client, user, "live:triggers").status_code == 404


def test_daily_figures_keep_their_trend_and_a_stopped_feed_shows_as_stale(client, leader, site):
    for day in range(5):
        add_reading(
            site, "beds-ga-occupied", 600 + day, minutes_ago=60 * 24 * (4 - day) + 5, by=leader
        )
    add_reading(site, "ambulance-handover-mean", 41, minutes_ago=60 * 24 * 3, by=leader)
    client.force_login(leader)
    body = client.get("/api/v1/live").json()
    rows = {f["indicator"]: f for f in body["indicators"] if f["where_code"] == "R0A66"}
    assert rows["beds-ga-occupied"]["history"] == [600, 601, 602, 603, 604]
    assert rows["ambulance-handover-mean"]["age"]["words"] == "3 days ago (stale)"
