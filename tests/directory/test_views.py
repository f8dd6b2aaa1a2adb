"""Integration: every directory page through the Django test client, for each persona.

The matrix below lists every URL name in the project; `test_every_url_is_in_the_matrix` fails
the build when a new URL is added without saying who may use it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from homeward.core.models import AuditEvent
from homeward.directory.models import CapacityReport, CareType, ComplianceState
from tests.conftest import PASSWORD, make_location, make_offer

pytestmark = pytest.mark.django_db

# url name -> (personas who may use it, personas who must get 404). Personas not named are
# signed-in users whose access the view does not restrict (the directory is public CQC data).
MATRIX = {
    "home": ("any signed-in member", None),
    "login": ("anyone", None),
    "logout": ("anyone", None),
    "logout_confirm": ("anyone", None),
    "directory:search": ("any signed-in member", None),
    "directory:location": ("any signed-in member", None),
    "directory:capacity": ("manager admin_user", "coordinator broker commissioner"),
    "directory:update_offer": ("manager admin_user", "other_manager coordinator commissioner"),
    "directory:upload_capacity": ("manager admin_user", "coordinator commissioner"),
    "directory:set_compliance": ("commissioner admin_user", "other_commissioner manager broker"),
    "directory:import": ("admin_user", "coordinator commissioner manager"),
    "directory:add_area": ("manager admin_user", "other_manager coordinator"),
    "directory:care_types": ("admin_user", "coordinator commissioner manager"),
    # Cases: visible to the trust, the council of residence and the trust's ICB; the
    # other-organisation checks live in tests/cases/test_case_views.py.
    "cases:hub": ("coordinator broker commissioner", None),
    "cases:new": ("coordinator", "broker"),
    "cases:daily_return": ("coordinator", "broker manager admin_user"),
    "cases:detail": ("coordinator broker commissioner", "other_commissioner manager admin_user"),
    "cases:criteria": ("coordinator", "other_commissioner manager admin_user"),
    "cases:add_delay": ("coordinator", "other_commissioner manager admin_user"),
    "cases:end_delay": ("coordinator", "other_commissioner manager admin_user"),
    "cases:add_task": ("coordinator", "other_commissioner manager admin_user"),
    "cases:complete_task": ("coordinator", "other_commissioner manager admin_user"),
    "cases:plan": ("coordinator", "other_commissioner manager admin_user"),
    "cases:transition": ("coordinator", "other_commissioner manager admin_user"),
    "cases:notices": ("coordinator", "other_commissioner manager admin_user"),
    "cases:find_provider": ("coordinator broker", "other_commissioner manager admin_user"),
    "cases:legacy_notices": ("commissioner", "coordinator broker manager admin_user"),
    # Brokerage: referral scoping and answers are tested in tests/brokerage/test_views.py.
    "brokerage:refer": ("coordinator broker", "other_commissioner manager admin_user"),
    "brokerage:inbox": ("manager", "coordinator broker commissioner admin_user"),
    "brokerage:referral": ("manager", "other_manager coordinator commissioner"),
    "brokerage:confirm": ("coordinator broker", "other_commissioner manager admin_user"),
    "brokerage:withdraw": ("coordinator broker", "other_commissioner manager admin_user"),
    "brokerage:move_placement": ("coordinator broker", "other_commissioner manager"),
    "brokerage:weights": ("commissioner", "coordinator broker manager admin_user"),
    "brokerage:allocate": ("broker commissioner", "coordinator manager admin_user"),
    # Capacity requests: the sending council or ICB sees every answer, a provider only its own;
    # exercised in tests/brokerage/test_capacity_requests.py.
    "brokerage:requests": ("commissioner broker manager", "coordinator admin_user"),
    "brokerage:new_request": ("commissioner broker", "manager coordinator admin_user"),
    "brokerage:request": (
        "commissioner broker manager",
        "other_commissioner coordinator admin_user",
    ),
    "brokerage:offer_capacity": ("manager other_manager", "commissioner coordinator admin_user"),
    "brokerage:close_request": ("commissioner broker", "other_commissioner manager coordinator"),
    # Planning scenarios: analysts, commissioners, system leaders and administrators, each
    # seeing only their organisation's scenarios; exercised in tests/scenarios/test_views.py.
    "scenarios:list": ("commissioner admin_user", "coordinator broker manager"),
    "scenarios:upload": ("commissioner admin_user", "coordinator broker manager"),
    "scenarios:example": ("commissioner admin_user", "coordinator broker manager"),
    "scenarios:compare": ("commissioner admin_user", "coordinator broker manager"),
    "scenarios:detail": ("commissioner", "other_commissioner admin_user coordinator manager"),
    "scenarios:download": ("commissioner", "other_commissioner admin_user coordinator manager"),
    "scenarios:copy": ("commissioner", "other_commissioner admin_user coordinator manager"),
    "scenarios:fill_demand": ("commissioner", "other_commissioner admin_user coordinator"),
    "scenarios:start_run": ("commissioner", "other_commissioner admin_user coordinator manager"),
    "scenarios:capacity": ("commissioner", "other_commissioner admin_user coordinator manager"),
    "scenarios:capacity_copy": ("commissioner", "other_commissioner admin_user coordinator"),
    "scenarios:run": ("commissioner", "other_commissioner admin_user coordinator manager"),
    "scenarios:run_step": ("commissioner", "other_commissioner admin_user coordinator manager"),
    # Live view: system leaders, hub members, commissioners and analysts of an area see their
    # area only; exercised in tests/live/test_views.py.
    "live:view": ("commissioner", "coordinator manager admin_user"),
    "live:upload": ("commissioner coordinator admin_user", "manager"),
    "live:triggers": ("commissioner", "coordinator broker manager admin_user"),
    # Performance dashboard: published national figures for analysts, commissioners, system
    # leaders and administrators; trajectories set by analysts and administrators; exercised
    # in tests/performance/test_views.py.
    "performance:dashboard": ("commissioner admin_user", "coordinator broker manager"),
    "performance:download": ("commissioner admin_user", "coordinator broker manager"),
    "performance:trajectory": ("admin_user", "commissioner coordinator broker manager"),
}


def _names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            namespace = pattern.namespace
            if namespace == "api":
                continue  # the API has its own matrix in tests/api
            yield from _names(pattern, f"{prefix}{namespace}:" if namespace else prefix)
        elif pattern.name:
            yield prefix + pattern.name


def test_every_url_is_in_the_matrix():
    assert set(_names()) - {"static"} == set(MATRIX)


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/", "/directory/", "/directory/capacity/", "/directory/import/"])
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_user_without_organisation_is_refused(client, outsider):
    assert signed_in(client, outsider).get("/directory/").status_code == 403


def test_sign_in_with_password(client, coordinator):
    response = client.post("/login/", {"username": "coordinator", "password": PASSWORD})
    assert response.status_code == 302
    assert "Find care with vacancies" in client.get("/").content.decode()


def test_search_page_shows_vacancy_with_age(client, coordinator, home_offer):
    response = signed_in(client, coordinator).get(
        "/directory/", {"council": "E08000009", "available_now": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Oak Lodge" in html
    assert "2 beds free" in html
    assert "updated 1 hour ago" in html
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_search_page_marks_stale_figures(client, coordinator, home, home_offer):
    report = home_offer.latest_report
    CapacityReport.objects.filter(pk=report.pk).update(
        reported_at=report.reported_at.replace(year=report.reported_at.year - 1)
    )
    html = signed_in(client, coordinator).get("/directory/").content.decode()
    assert "(stale)" in html
    html = client.get("/directory/", {"available_now": "on"}).content.decode()
    assert "Oak Lodge" not in html


def test_search_by_unknown_postcode_explains(client, coordinator):
    response = signed_in(client, coordinator).get(
        "/directory/", {"postcode": "ZZ9 9ZZ", "radius": "10"}
    )
    assert "not in the loaded postcode files" in response.content.decode()


def test_search_radius_without_postcode_is_an_error(client, coordinator):
    response = signed_in(client, coordinator).get("/directory/", {"radius": "10"})
    assert "Enter a postcode" in response.content.decode()


def test_location_page(client, coordinator, home, home_offer):
    response = signed_in(client, coordinator).get(f"/directory/locations/{home.cqc_id}/")
    assert response.status_code == 200
    assert "Record a compliance decision" not in response.content.decode()
    assert client.get("/directory/locations/1-000000000/").status_code == 404


def test_provider_manager_updates_own_offer(client, manager, home_offer):
    url = reverse("directory:update_offer", args=[home_offer.pk])
    response = signed_in(client, manager).post(url, {"beds_free": "4"})
    assert response.status_code == 302
    home_offer.refresh_from_db()
    assert home_offer.latest_report.beds_free == 4
    assert home_offer.latest_report.reported_by == manager


def test_impossible_bed_count_is_shown_as_error(client, manager, home_offer):
    url = reverse("directory:update_offer", args=[home_offer.pk])
    response = signed_in(client, manager).post(url, {"beds_free": "41"})
    assert response.status_code == 400
    assert "registered beds" in response.content.decode()
    home_offer.refresh_from_db()
    assert home_offer.latest_report.beds_free == 2


@pytest.mark.parametrize("persona", ["other_manager", "coordinator", "commissioner"])
def test_others_cannot_update_offer(client, request, home_offer, persona):
    user = request.getfixturevalue(persona)
    url = reverse("directory:update_offer", args=[home_offer.pk])
    assert signed_in(client, user).post(url, {"beds_free": "9"}).status_code == 404
    assert signed_in(client, user).get(url).status_code == 404
    home_offer.refresh_from_db()
    assert home_offer.latest_report.beds_free == 2


@pytest.mark.parametrize("persona", ["coordinator", "broker", "commissioner"])
def test_capacity_page_is_for_providers(client, request, persona):
    user = request.getfixturevalue(persona)
    assert signed_in(client, user).get("/directory/capacity/").status_code == 404


def test_capacity_page_lists_only_own_offers(client, manager, home_offer, other_home):
    html = signed_in(client, manager).get("/directory/capacity/").content.decode()
    assert "Oak Lodge" in html
    assert "Elm House" not in html


def test_commissioner_flags_own_council_location(client, commissioner, home, home_offer):
    url = reverse("directory:set_compliance", args=[home.cqc_id])
    response = signed_in(client, commissioner).post(
        url, {"state": "under_investigation", "reason": "Safeguarding alert"}
    )
    assert response.status_code == 302
    home.refresh_from_db()
    assert home.compliance == ComplianceState.UNDER_INVESTIGATION
    assert "Not put forward" in client.get(response["Location"]).content.decode()
    html = client.get("/directory/", {"available_now": "on"}).content.decode()
    assert "<strong>0</strong> locations found" in html


@pytest.mark.parametrize("persona", ["other_commissioner", "manager", "broker"])
def test_others_cannot_flag(client, request, home, persona):
    user = request.getfixturevalue(persona)
    url = reverse("directory:set_compliance", args=[home.cqc_id])
    response = signed_in(client, user).post(url, {"state": "cleared", "reason": "x"})
    assert response.status_code == 404
    home.refresh_from_db()
    assert home.compliance == ComplianceState.NONE


@pytest.mark.parametrize("persona", ["coordinator", "commissioner", "manager"])
def test_import_is_for_administrators(client, request, persona):
    user = request.getfixturevalue(persona)
    assert signed_in(client, user).get("/directory/import/").status_code == 404


def test_import_unreadable_file_changes_nothing(client, admin_user):
    upload = SimpleUploadedFile("bad.csv", b"foo,bar\n1,2\n", content_type="text/csv")
    response = signed_in(client, admin_user).post("/directory/import/", {"file": upload})
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert not AuditEvent.objects.filter(action="directory.import").exists()


@pytest.mark.parametrize("persona", ["coordinator", "commissioner"])
def test_upload_capacity_is_for_providers(client, request, persona):
    user = request.getfixturevalue(persona)
    upload = SimpleUploadedFile("c.csv", b"cqcid,declaredvacancies\n", content_type="text/csv")
    response = signed_in(client, user).post("/directory/capacity/upload/", {"file": upload})
    assert response.status_code == 404


def test_search_page_query_count_is_bounded(
    client, coordinator, home_offer, django_assert_max_num_queries
):
    signed_in(client, coordinator)
    with django_assert_max_num_queries(12):
        assert client.get("/directory/", {"available_now": "on"}).status_code == 200


def test_agency_adds_an_area_it_covers(client, manager, provider, council):
    agency = make_location(provider, council, name="Helping Hands", care_home=False, beds=None)
    make_offer(agency, "home-care", area="Trafford")
    response = signed_in(client, manager).post(
        "/directory/capacity/areas/", {"location": agency.cqc_id, "area": "Manchester"}
    )
    assert response.status_code == 302
    assert sorted(agency.offers.values_list("area", flat=True)) == ["Manchester", "Trafford"]
    assert AuditEvent.objects.filter(action="offer.add_area").exists()


@pytest.mark.parametrize("persona", ["other_manager", "coordinator"])
def test_others_cannot_add_areas(client, request, provider, council, persona):
    agency = make_location(provider, council, name="Helping Hands", care_home=False, beds=None)
    make_offer(agency, "home-care", area="Trafford")
    user = request.getfixturevalue(persona)
    response = signed_in(client, user).post(
        "/directory/capacity/areas/", {"location": agency.cqc_id, "area": "Manchester"}
    )
    assert response.status_code == 404
    assert agency.offers.count() == 1


def test_administrator_changes_a_staleness_threshold(client, admin_user, coordinator, home_offer):
    signed_in(client, admin_user)
    assert (
        client.post("/directory/care-types/", {"code": "residential", "hours": "0"}).status_code
        == 400
    )
    response = client.post("/directory/care-types/", {"code": "residential", "hours": "1"})
    assert response.status_code == 302
    assert CareType.objects.get(pk="residential").stale_after_hours == 1
    # The home's figure is two hours old: no longer available now.
    html = (
        signed_in(client, coordinator).get("/directory/", {"available_now": "on"}).content.decode()
    )
    assert "<strong>0</strong> locations found" in html


@pytest.mark.parametrize("persona", ["coordinator", "commissioner", "manager"])
def test_only_administrators_change_thresholds(client, request, persona):
    user = request.getfixturevalue(persona)
    response = signed_in(client, user).post(
        "/directory/care-types/", {"code": "residential", "hours": "5"}
    )
    assert response.status_code == 404
    assert CareType.objects.get(pk="residential").stale_after_hours == 24
