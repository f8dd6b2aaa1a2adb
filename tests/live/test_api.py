"""Integration: POST /api/v1/indicators (one reading or many, all or nothing, idempotent with
a key) and GET /api/v1/live, scoped like the page."""

import json
from datetime import timedelta

import pytest

from homeward.core import clock
from homeward.core.tokens import issue
from homeward.live.models import Reading
from tests.live.conftest import set_levels

pytestmark = pytest.mark.django_db


def reading(org="R0A66", code="ambulance-handover-mean", value=94, minutes_ago=5):
    at = clock.now() - timedelta(minutes=minutes_ago)
    return {"organisation": org, "indicator": code, "value": value, "measured_at": at.isoformat()}


def post(client, body, **headers):
    return client.post(
        "/api/v1/indicators", data=json.dumps(body), content_type="application/json", **headers
    )


def test_one_reading(client, leader, site):
    client.force_login(leader)
    response = post(client, {**reading(), "source": "NWAS"})
    assert response.status_code == 201
    body = response.json()
    assert (body["stored"], body["unchanged"]) == (1, 0)
    assert body["readings"][0]["organisation"] == "R0A66"
    assert Reading.objects.get().source == "NWAS"


def test_many_readings_with_a_bearer_token(client, leader, site):
    token = issue(leader, "bed board")
    body = {"readings": [reading(minutes_ago=20), reading(code="beds-ga-free", value=12)]}
    response = post(client, body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201
    assert response.json()["stored"] == 2
    assert set(Reading.objects.values_list("source", flat=True)) == {"api"}


def test_a_bad_batch_stores_nothing_and_names_each_item(client, leader, site, other_site):
    client.force_login(leader)
    body = {
        "readings": [
            reading(),
            reading(org="RBL14"),
            reading(value=-3),
            reading(code="no-such-indicator"),
        ]
    }
    response = post(client, body)
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [p["item"] for p in problems] == [2, 3, 4]
    assert "not one you may send readings for" in problems[0]["reason"]
    assert "0 or more" in problems[1]["reason"]
    assert Reading.objects.count() == 0


def test_malformed_bodies_are_refused(client, leader):
    client.force_login(leader)
    assert post(client, {"readings": []}).status_code == 422
    assert post(client, {"organisation": "R0A66", "value": "many"}).status_code == 422


def test_providers_cannot_feed_indicators(client, manager, site):
    client.force_login(manager)
    assert post(client, reading()).status_code == 404
    assert client.get("/api/v1/live").status_code == 404


def test_twenty_retries_with_one_idempotency_key_store_one_reading(client, leader, site):
    client.force_login(leader)
    body = reading()
    answers = [post(client, body, headers={"Idempotency-Key": "handover-0745"}) for _ in range(20)]
    assert {a.status_code for a in answers} == {201}
    assert answers[-1]["Idempotent-Replayed"] == "true"
    assert Reading.objects.count() == 1
    other = post(client, reading(value=95), headers={"Idempotency-Key": "handover-0745"})
    assert other.status_code == 422
    assert Reading.objects.count() == 1


def test_live_figures_match_the_page_and_are_scoped(client, leader, other_leader, icb, site):
    set_levels(icb, "ambulance-handover-mean", 30, 60, leader)
    client.force_login(leader)
    post(client, {"readings": [reading(value=82, minutes_ago=40), reading(value=94)]})
    body = client.get("/api/v1/live").json()
    assert body["area"]["code"] == "QOP"
    handover = next(f for f in body["indicators"] if f["indicator"] == "ambulance-handover-mean")
    assert handover["status"] == {"colour": "red", "words": "Red: 94 min, trigger 60"}
    assert handover["trend"]["words"] == "Up 12 from 82 (worse)"
    assert handover["history"] == [82, 94]
    assert handover["age"]["stale"] is False
    assert body["summary"]["red"] == 1
    assert handover["status"]["words"] in client.get("/live/").content.decode()
    client.force_login(other_leader)
    other = client.get("/api/v1/live").json()
    assert other["area"]["code"] == "QYG"
    assert all(f["where_code"] != "R0A66" for f in other["indicators"])
