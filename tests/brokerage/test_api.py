"""Integration: the brokerage API through real URLs with bearer tokens, including
Idempotency-Key on writes."""

import json
from dataclasses import fields
from datetime import timedelta

import pytest
from django.test import Client

from homeward.api.brokerage import ReferralSummaryOut
from homeward.brokerage.models import Placement, Referral
from homeward.brokerage.queries import ReferralSummary
from homeward.cases.models import CaseState
from homeward.core import clock
from homeward.core.tokens import issue

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue(user, 'test')}"})


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_shortlist_and_why_not(coordinator, ready_case, homes):
    hub = api(coordinator)
    body = hub.get(f"/api/v1/cases/{ready_case.pk}/shortlist", {"radius_km": 10}).json()
    assert [m["name"] for m in body["matches"]] == ["Oak Lodge", "Ash Court", "Elm House"]
    assert body["matches"][0]["reasons"]
    far = homes[2].location
    far.rating = "Inadequate"
    far.save()
    why = hub.get(f"/api/v1/cases/{ready_case.pk}/why-not/{far.cqc_id}").json()
    assert "rated Inadequate" in " ".join(why["reasons"])


def test_refer_answer_confirm_end_to_end(coordinator, manager, other_manager, ready_case, homes):
    hub, provider, other = api(coordinator), api(manager), api(other_manager)
    sent = post(
        hub,
        f"/api/v1/cases/{ready_case.pk}/referrals",
        {"offer_ids": [homes[0].pk, homes[2].pk], "deadline_hours": 12},
    )
    assert sent.status_code == 201
    first = sent.json()[0]
    assert first["state"] == "sent"
    inbox = provider.get("/api/v1/referrals").json()
    assert [r["id"] for r in inbox] == [first["id"]]
    assert inbox[0]["person"] is None
    assert other.get(f"/api/v1/referrals/{first['id']}").status_code == 404
    declined = post(provider, f"/api/v1/referrals/{first['id']}/response", {"answer": "decline"})
    assert declined.status_code == 409
    assert "choose a reason" in declined.json()["detail"]
    accepted = post(provider, f"/api/v1/referrals/{first['id']}/response", {"answer": "accept"})
    assert accepted.status_code == 200
    assert accepted.json()["person"]["nhs_number"] == ready_case.patient.nhs_number
    placed = post(
        hub,
        f"/api/v1/referrals/{first['id']}/placement",
        {
            "start_date": (clock.now() + timedelta(days=1)).date().isoformat(),
            "weekly_cost": "950.00",
            "contract_type": "spot",
            "funding_source": "council",
        },
    )
    assert placed.status_code == 201, placed.content
    assert placed.json()["state"] == "agreed"
    states = {
        r["id"]: r["state"] for r in hub.get(f"/api/v1/cases/{ready_case.pk}/referrals").json()
    }
    assert sorted(states.values()) == ["placed", "withdrawn"]
    ready_case.refresh_from_db()
    assert ready_case.state == CaseState.PLACEMENT_AGREED


def test_a_provider_cannot_refer_and_a_hub_cannot_answer(coordinator, manager, ready_case, homes):
    assert (
        post(
            api(manager), f"/api/v1/cases/{ready_case.pk}/referrals", {"offer_ids": [1]}
        ).status_code
        == 404
    )
    assert api(coordinator).get("/api/v1/referrals").status_code == 404


def test_invalid_bodies_are_422(coordinator, ready_case, homes):
    hub = api(coordinator)
    response = post(
        hub, f"/api/v1/cases/{ready_case.pk}/referrals", {"offer_ids": [], "deadline_hours": 0}
    )
    assert response.status_code == 422


def test_a_retried_referral_with_the_same_key_is_sent_once(coordinator, ready_case, homes):
    hub = api(coordinator)
    url = f"/api/v1/cases/{ready_case.pk}/referrals"
    body = {"offer_ids": [homes[0].pk]}
    first = post(hub, url, body, **{"Idempotency-Key": "ref-1"})
    again = post(hub, url, body, **{"Idempotency-Key": "ref-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 1
    other = post(hub, url, {"offer_ids": [homes[1].pk]}, **{"Idempotency-Key": "ref-1"})
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]


def test_a_retried_confirmation_does_not_take_two_beds(coordinator, manager, ready_case, homes):
    hub, provider = api(coordinator), api(manager)
    referral = post(
        hub, f"/api/v1/cases/{ready_case.pk}/referrals", {"offer_ids": [homes[1].pk]}
    ).json()[0]
    post(provider, f"/api/v1/referrals/{referral['id']}/response", {"answer": "accept"})
    terms = {
        "start_date": (clock.now() + timedelta(days=1)).date().isoformat(),
        "weekly_cost": "1000",
        "contract_type": "block",
        "funding_source": "council",
    }
    url = f"/api/v1/referrals/{referral['id']}/placement"
    assert post(hub, url, terms, **{"Idempotency-Key": "k"}).status_code == 201
    assert post(hub, url, terms, **{"Idempotency-Key": "k"}).status_code == 201
    assert post(hub, url, terms).status_code == 409
    homes[1].refresh_from_db()
    assert homes[1].latest_report.beds_free == 1
    assert Placement.objects.count() == 1


def test_council_weights_and_allocation(commissioner, broker, ready_case, homes):
    mine = api(commissioner)
    put = mine.put(
        "/api/v1/weights",
        json.dumps({"distance": 0, "quality": 60, "cost": 40, "preference": 0, "response": 0}),
        content_type="application/json",
    )
    assert put.status_code == 200
    assert mine.get("/api/v1/weights").json()["quality"] == 60
    assert api(broker).put(
        "/api/v1/weights", "{}", content_type="application/json"
    ).status_code in (404, 422)
    proposal = api(broker).get("/api/v1/allocation", {"care_type": "residential"}).json()
    assert proposal["waiting"] == 1
    assert proposal["placed"] == 1
    assert proposal["pairs"][0]["case_id"] == ready_case.pk


def test_the_referral_schema_states_every_field_of_the_summary_providers_see():
    """The API's published shape and the summary the inbox shows are declared apart; a field
    added to one must be added to the other (the label is for the page only)."""
    summary = {f.name for f in fields(ReferralSummary)} - {"state_label"}
    assert set(ReferralSummaryOut.model_fields) == summary
