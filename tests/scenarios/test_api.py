"""Integration: the planning scenarios API through real URLs, with session and bearer token."""

import json

import pytest

from homeward.core.models import AuditEvent
from homeward.core.tokens import issue
from homeward.planning import engine, results
from homeward.scenarios.models import Scenario

pytestmark = pytest.mark.django_db


def post(client, url, body, **kw):
    return client.post(url, data=json.dumps(body), content_type="application/json", **kw)


def test_create_list_get_and_run_with_a_token(client, analyst, small_plan):
    bearer = {"headers": {"Authorization": f"Bearer {issue(analyst, 'planning script')}"}}
    made = post(client, "/api/v1/scenarios", {"document": small_plan.to_dict()}, **bearer)
    assert made.status_code == 201
    body = made.json()
    assert (body["name"], body["days"], body["services"], body["runs"]) == ("Small area", 60, 6, [])
    listed = client.get("/api/v1/scenarios", **bearer).json()
    assert [row["id"] for row in listed] == [body["id"]]
    ran = post(
        client, f"/api/v1/scenarios/{body['id']}/runs", {"replications": 5, "seed": 8}, **bearer
    )
    assert ran.status_code == 201
    summary = ran.json()["summary"]
    assert summary == json.loads(
        json.dumps(results.summarise(engine.run(small_plan, 5, 8, workers=1)))
    )
    again = post(
        client, f"/api/v1/scenarios/{body['id']}/runs", {"replications": 5, "seed": 8}, **bearer
    )
    assert again.json()["summary"] == summary  # same seed, same answer
    one = client.get(f"/api/v1/scenarios/{body['id']}", **bearer).json()
    assert [r["state"] for r in one["runs"]] == ["finished", "finished"]
    assert one["runs"][0]["summary"] is None and one["document"] == small_plan.to_dict()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "username"))
    assert actions == [("scenario.create", "analyst")] + [("scenario.run", "analyst")] * 2


def test_invalid_scenario_is_refused_naming_every_problem(client, analyst, small_plan):
    client.force_login(analyst)
    document = small_plan.to_dict()
    document["services"][0]["stay"]["mean"] = 1
    document["services"][1]["capacity"]["initial"] = -1
    response = post(client, "/api/v1/scenarios", {"document": document})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "service 1 ('P1 reablement North'): stay mean (1)" in detail
    assert "service 2 ('P1 home care South'): capacity must be a whole number" in detail
    assert not Scenario.objects.exists()


def test_run_settings_are_checked(client, analyst, saved):
    client.force_login(analyst)
    url = f"/api/v1/scenarios/{saved.pk}/runs"
    assert post(client, url, {"replications": 0, "seed": 1}).status_code == 422
    assert post(client, url, {"replications": 5001, "seed": 1}).status_code == 422
    assert post(client, url, {"replications": 10}).status_code == 422


def test_other_organisations_and_other_roles_get_404(
    client, other_analyst, coordinator, saved, small_plan
):
    client.force_login(other_analyst)
    assert client.get("/api/v1/scenarios").json() == []
    assert client.get(f"/api/v1/scenarios/{saved.pk}").status_code == 404
    url = f"/api/v1/scenarios/{saved.pk}/runs"
    assert post(client, url, {"replications": 2, "seed": 1}).status_code == 404
    client.force_login(coordinator)
    assert client.get("/api/v1/scenarios").status_code == 404
    assert post(client, "/api/v1/scenarios", {"document": small_plan.to_dict()}).status_code == 404


def test_anonymous_requests_are_refused(client, saved):
    assert client.get("/api/v1/scenarios").status_code == 401
