"""Integration: the brokerage pages through the Django test client."""

from datetime import timedelta

import pytest

from homeward.brokerage import services
from homeward.brokerage.models import AreaWeights, Placement, Referral, ReferralState
from homeward.cases.models import CaseState
from homeward.core import clock
from homeward.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_refer_from_the_shortlist_to_two_homes(client, coordinator, ready_case, homes):
    client.force_login(coordinator)
    page = client.get(f"/cases/{ready_case.pk}/find-provider/").content.decode()
    assert 'name="offers"' in page and "Send referrals" in page
    response = client.post(
        f"/brokerage/cases/{ready_case.pk}/refer/",
        {"offers": [homes[0].pk, homes[1].pk], "deadline_hours": "8", "note": "Ready today"},
    )
    assert response.status_code == 302
    assert Referral.objects.filter(case=ready_case, state="sent").count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert "Referred to 2 providers" in detail
    assert detail.count("Awaiting answer") == 2
    shortlist = client.get(f"/cases/{ready_case.pk}/find-provider/").content.decode()
    assert shortlist.count("already referred") == 2


def test_refer_without_a_choice_says_so(client, coordinator, ready_case, homes):
    client.force_login(coordinator)
    response = client.post(
        f"/brokerage/cases/{ready_case.pk}/refer/", {"deadline_hours": "24"}, follow=True
    )
    assert "Choose at least one provider" in response.content.decode()
    assert not Referral.objects.exists()


def test_provider_sees_a_minimal_summary_until_it_accepts(client, manager, hub, ready_case, homes):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    client.force_login(manager)
    inbox = client.get("/brokerage/referrals/").content.decode()
    assert "Residential" in inbox and "Trafford" in inbox
    page = client.get(f"/brokerage/referrals/{referral.pk}/").content.decode()
    patient = ready_case.patient
    assert patient.family_name not in page
    assert patient.nhs_number not in page
    assert "M33 7XX" not in page and "M33" in page
    client.post(f"/brokerage/referrals/{referral.pk}/", {"answer": "accept"})
    page = client.get(f"/brokerage/referrals/{referral.pk}/").content.decode()
    assert patient.family_name in page and patient.nhs_number in page
    assert (
        AuditEvent.objects.filter(action="referral.view", object_id=str(referral.pk)).count() == 2
    )


def test_decline_without_a_reason_is_refused(client, manager, hub, ready_case, homes):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    client.force_login(manager)
    response = client.post(f"/brokerage/referrals/{referral.pk}/", {"answer": "decline"})
    assert response.status_code == 400
    assert "Choose a reason for declining" in response.content.decode()
    response = client.post(
        f"/brokerage/referrals/{referral.pk}/", {"answer": "decline", "reason": "staffing"}
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.DECLINED


def test_another_provider_cannot_see_the_referral(client, other_manager, hub, ready_case, homes):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    client.force_login(other_manager)
    assert client.get(f"/brokerage/referrals/{referral.pk}/").status_code == 404
    assert "Residential" not in client.get("/brokerage/referrals/").content.decode()


def test_hub_confirms_an_accepted_referral(
    client, coordinator, hub, provider_actor, ready_case, homes
):
    first, second = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk, homes[1].pk])
    services.accept(actor=provider_actor, referral=first)
    client.force_login(coordinator)
    detail = client.get(f"/cases/{ready_case.pk}/").content.decode()
    assert "Oak Lodge accepted: confirm the placement" in detail
    form = client.get(f"/brokerage/referrals/{first.pk}/confirm/").content.decode()
    assert 'value="950.00"' in form
    start = (clock.now() + timedelta(days=2)).date().isoformat()
    response = client.post(
        f"/brokerage/referrals/{first.pk}/confirm/",
        {
            "start_date": start,
            "weekly_cost": "950",
            "contract_type": "spot",
            "funding_source": "council",
        },
    )
    assert response.status_code == 302
    ready_case.refresh_from_db()
    assert ready_case.state == CaseState.PLACEMENT_AGREED
    homes[0].refresh_from_db()
    assert homes[0].latest_report.beds_free == 0
    second.refresh_from_db()
    assert second.state == ReferralState.WITHDRAWN
    detail = client.get(f"/cases/{ready_case.pk}/").content.decode()
    assert "Placement agreed" in detail


def test_confirm_form_shows_why_it_cannot(client, coordinator, hub, ready_case, homes):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    client.force_login(coordinator)
    response = client.post(
        f"/brokerage/referrals/{referral.pk}/confirm/",
        {
            "start_date": clock.now().date().isoformat(),
            "weekly_cost": "950",
            "contract_type": "spot",
            "funding_source": "council",
        },
    )
    assert response.status_code == 400
    assert "only an accepted referral" in response.content.decode()
    assert not Placement.objects.exists()


def test_withdraw_tells_the_provider(client, coordinator, manager, hub, ready_case, homes):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    client.force_login(coordinator)
    client.post(f"/brokerage/referrals/{referral.pk}/withdraw/", {"message": "Family chose"})
    client.force_login(manager)
    page = client.get(f"/brokerage/referrals/{referral.pk}/").content.decode()
    assert "Withdrawn" in page and "Family chose" in page


def test_commissioner_sets_weights_and_the_shortlist_says_so(
    client, commissioner, coordinator, ready_case, homes
):
    client.force_login(commissioner)
    response = client.post(
        "/brokerage/weights/",
        {"distance": "0", "quality": "60", "cost": "40", "preference": "0", "response": "0"},
    )
    assert response.status_code == 302
    assert AreaWeights.objects.get().quality == 60
    client.force_login(coordinator)
    page = client.get(f"/cases/{ready_case.pk}/find-provider/").content.decode()
    assert "CQC rating (60%), weekly cost against the budget (40%)" in page


def test_all_zero_weights_are_refused(client, commissioner):
    client.force_login(commissioner)
    response = client.post(
        "/brokerage/weights/",
        {"distance": "0", "quality": "0", "cost": "0", "preference": "0", "response": "0"},
    )
    assert response.status_code == 400
    assert "At least one weight" in response.content.decode()


def test_allocate_area_proposes_and_refers_only_what_is_ticked(
    client, broker, coordinator, council, ready_case, homes
):
    client.force_login(broker)
    page = client.get("/brokerage/allocate/", {"care_type": "residential", "radius": "30"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "placed by this proposal" in html and "first come, first served" in html
    assert f'value="{ready_case.pk}:' in html
    key = html.split(f'value="{ready_case.pk}:')[1].split('"')[0]
    response = client.post(
        "/brokerage/allocate/?care_type=residential&radius=30", {"pair": f"{ready_case.pk}:{key}"}
    )
    assert response.status_code == 302
    assert Referral.objects.filter(case=ready_case, offer_id=int(key)).exists()
    assert AuditEvent.objects.filter(action="allocation.propose").count() == 2


def test_allocate_without_choice_proposes_nothing(client, broker):
    client.force_login(broker)
    html = client.get("/brokerage/allocate/").content.decode()
    assert "Propose" in html and "placed by this proposal" not in html
