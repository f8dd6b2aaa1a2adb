"""Integration: the directory API through real URLs, with session and bearer-token auth."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from homeward.core.models import Postcode
from homeward.core.tokens import issue
from homeward.directory.models import ComplianceState

pytestmark = pytest.mark.django_db

# Every API operation and the personas that must get 404 for another organisation's data.
API_MATRIX = {
    ("GET", "/api/v1/locations"),
    ("GET", "/api/v1/locations/{cqc_id}"),
    ("GET", "/api/v1/offers"),
    ("PUT", "/api/v1/offers/{offer_id}/capacity"),
    ("POST", "/api/v1/offers/{offer_id}/capacity-reports"),
    ("POST", "/api/v1/capacity/upload"),
    ("POST", "/api/v1/locations/{cqc_id}/compliance"),
    # Cases: scoping per operation is tested in tests/api/test_cases_api.py.
    ("GET", "/api/v1/cases"),
    ("POST", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{case_id}"),
    ("POST", "/api/v1/cases/{case_id}/transitions"),
    ("POST", "/api/v1/cases/{case_id}/criteria"),
    ("POST", "/api/v1/cases/{case_id}/delays"),
    ("POST", "/api/v1/cases/{case_id}/delays/{delay_id}/end"),
    ("POST", "/api/v1/cases/{case_id}/tasks"),
    ("POST", "/api/v1/cases/{case_id}/tasks/{task_id}/complete"),
    ("PUT", "/api/v1/cases/{case_id}/plan"),
    ("GET", "/api/v1/daily-return"),
    # Brokerage: scoping per operation is tested in tests/brokerage/test_api.py.
    ("GET", "/api/v1/cases/{case_id}/shortlist"),
    ("GET", "/api/v1/cases/{case_id}/why-not/{cqc_id}"),
    ("GET", "/api/v1/cases/{case_id}/referrals"),
    ("POST", "/api/v1/cases/{case_id}/referrals"),
    ("GET", "/api/v1/referrals"),
    ("GET", "/api/v1/referrals/{referral_id}"),
    ("POST", "/api/v1/referrals/{referral_id}/response"),
    ("POST", "/api/v1/referrals/{referral_id}/withdraw"),
    ("POST", "/api/v1/referrals/{referral_id}/placement"),
    ("POST", "/api/v1/placements/{placement_id}/transitions"),
    ("GET", "/api/v1/weights"),
    ("PUT", "/api/v1/weights"),
    ("GET", "/api/v1/allocation"),
    # Capacity requests: scoping per operation is tested in
    # tests/brokerage/test_capacity_requests.py.
    ("GET", "/api/v1/capacity-requests"),
    ("POST", "/api/v1/capacity-requests"),
    ("GET", "/api/v1/capacity-requests/{request_id}"),
    ("POST", "/api/v1/capacity-requests/{request_id}/close"),
    ("PUT", "/api/v1/capacity-requests/{request_id}/offer"),
    # Planning scenarios: scoping per operation is tested in tests/scenarios/test_api.py.
    ("GET", "/api/v1/scenarios"),
    ("POST", "/api/v1/scenarios"),
    ("GET", "/api/v1/scenarios/{scenario_id}"),
    ("POST", "/api/v1/scenarios/{scenario_id}/runs"),
    # Live view: scoping per operation is tested in tests/live/test_api.py.
    ("POST", "/api/v1/indicators"),
    ("GET", "/api/v1/live"),
    # Performance dashboard: roles and figures are tested in tests/performance/test_api.py.
    ("GET", "/api/v1/performance/measures"),
    ("GET", "/api/v1/performance/league"),
    ("GET", "/api/v1/performance/case-delays"),
    ("POST", "/api/v1/performance/trajectories"),
}


def test_every_api_operation_is_in_the_matrix(client, coordinator):
    client.force_login(coordinator)
    spec = client.get("/api/v1/openapi.json").json()
    operations = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops}
    assert operations == API_MATRIX


def test_docs_are_served(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_anonymous_requests_are_refused(client):
    assert client.get("/api/v1/locations").status_code == 401


def test_bearer_token_authenticates(client, manager, home_offer):
    token = issue(manager, "tracker sync")
    response = client.put(
        f"/api/v1/offers/{home_offer.pk}/capacity",
        data=json.dumps({"beds_free": 5}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201
    assert response.json()["latest"]["beds_free"] == 5
    assert response.json()["latest"]["source"] == "api"
    bad = client.get("/api/v1/offers", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_search_with_filters_and_radius(client, coordinator, home_offer):
    Postcode.objects.create(postcode="M337XX", lat=53.4248, lon=-2.32115)
    client.force_login(coordinator)
    body = client.get(
        "/api/v1/locations",
        {
            "available_now": "true",
            "postcode": "m33 7xx",
            "radius_km": 5,
            "care_type": "residential",
        },
    ).json()
    assert body["total"] == 1
    row = body["results"][0]
    assert row["name"] == "Oak Lodge"
    assert row["distance_km"] == 0
    assert row["offers"][0]["available_now"] is True
    assert row["offers"][0]["fresh"] is True


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"radius_km": 5}, "needs a postcode"),
        ({"radius_km": 5, "postcode": "nonsense"}, "not a valid UK postcode"),
        ({"limit": 0}, "limit"),
    ],
)
def test_bad_search_input_is_explained(client, coordinator, params, message):
    client.force_login(coordinator)
    response = client.get("/api/v1/locations", params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_capacity_validation_errors(client, manager, home_offer):
    client.force_login(manager)
    response = client.post(
        f"/api/v1/offers/{home_offer.pk}/capacity-reports",
        data=json.dumps({"beds_free": 500}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "registered beds" in response.json()["detail"]


@pytest.mark.parametrize("persona", ["other_manager", "coordinator", "commissioner"])
def test_other_organisations_get_404_for_capacity(client, request, home_offer, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.put(
        f"/api/v1/offers/{home_offer.pk}/capacity",
        data=json.dumps({"beds_free": 1}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert client.get("/api/v1/offers").json() == []


@pytest.mark.parametrize("persona", ["other_commissioner", "manager", "broker"])
def test_other_organisations_get_404_for_compliance(client, request, home, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        f"/api/v1/locations/{home.cqc_id}/compliance",
        data=json.dumps({"state": "cleared", "reason": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 404


def test_commissioner_sets_compliance(client, commissioner, home, home_offer):
    client.force_login(commissioner)
    response = client.post(
        f"/api/v1/locations/{home.cqc_id}/compliance",
        data=json.dumps({"state": "action_plan", "reason": "Medicines management"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["put_forward"] is False
    assert response.json()["not_put_forward_because"] == ["on an action plan"]
    home.refresh_from_db()
    assert home.compliance == ComplianceState.ACTION_PLAN


def test_upload_via_api(client, manager, home, home_offer):
    client.force_login(manager)
    csv = f"cqcid,declaredvacancies,isacceptingadmissions\n{home.cqc_id},3,Yes\n1-1,2,Yes\n"
    response = client.post(
        "/api/v1/capacity/upload", {"file": SimpleUploadedFile("t.csv", csv.encode())}
    )
    body = response.json()
    assert (body["read"], body["stored"], body["rejected"]) == (2, 1, 1)
    assert body["rejections"][0]["line"] == 3


def test_session_writes_need_csrf(coordinator, manager, home_offer):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    response = strict.put(
        f"/api/v1/offers/{home_offer.pk}/capacity",
        data=json.dumps({"beds_free": 1}),
        content_type="application/json",
    )
    assert response.status_code == 403
