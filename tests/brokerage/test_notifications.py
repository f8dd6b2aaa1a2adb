"""Integration: providers' managers are emailed, once, about new referrals and about capacity
requests for care they offer in the requester's area."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from homeward.brokerage import capacity_requests, notifications, services
from homeward.brokerage.models import ProviderNotice
from homeward.core import clock
from homeward.core import mail as mail_module
from homeward.core.access import actor_for
from homeward.core.models import Organisation, OrganisationKind, Role
from homeward.directory import services as services_directory
from homeward.directory.models import CareType, ComplianceState
from tests.conftest import make_location, make_offer, make_user

pytestmark = pytest.mark.django_db

BASE = "https://homeward.example"


@pytest.fixture
def managers(manager, other_manager):
    manager.email = "manager@sunrise.example"
    manager.save()
    other_manager.email = "manager@elsewhere.example"
    other_manager.save()
    return manager, other_manager


def request_terms(**changes) -> capacity_requests.RequestTerms:
    today = clock.now().date()
    values = {
        "care_type": CareType.objects.get(pk="residential"),
        "description": "Short-term residential beds for discharge to assess",
        "area": "Trafford",
        "volume": 6,
        "unit": "beds",
        "start_date": today + timedelta(days=7),
        "end_date": today + timedelta(days=97),
        "respond_by": clock.now() + timedelta(days=2),
        "contact_name": "Priya Shah",
        "contact_email": "priya.shah@example.org",
    }
    values.update(changes)
    return capacity_requests.RequestTerms(**values)


def test_a_new_referral_is_emailed_to_the_providers_managers_once(hub, ready_case, homes, managers):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    report = notifications.deliver(base_url=BASE)
    assert report.sent == 1
    (message,) = mail.outbox
    assert message.to == ["manager@sunrise.example"]
    assert "new referral for Residential" in message.subject
    assert f"{BASE}/brokerage/referrals/{referral.pk}/" in message.body
    assert "Trafford" in message.body
    patient = ready_case.patient
    nhs = patient.nhs_number
    private = [patient.family_name, patient.given_name, nhs, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"]
    private += ["M33 7XX", f"{patient.date_of_birth:%-d %b %Y}", patient.date_of_birth.isoformat()]
    for words in private:
        assert words not in message.subject + message.body
    assert notifications.deliver(base_url=BASE).sent == 0
    assert len(mail.outbox) == 1


def test_answered_and_expired_referrals_are_not_announced(
    hub, provider_actor, ready_case, homes, managers
):
    answered, overdue = services.refer(
        actor=hub, case=ready_case, offer_ids=[homes[0].pk, homes[1].pk]
    )
    services.accept(actor=provider_actor, referral=answered)
    type(overdue).objects.filter(pk=overdue.pk).update(deadline=clock.now())
    assert notifications.deliver(base_url=BASE).sent == 0
    assert mail.outbox == []


def test_a_manager_without_an_email_address_is_counted(hub, ready_case, homes, manager):
    services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])
    report = notifications.deliver(base_url=BASE)
    assert (report.sent, report.skipped_no_email) == (0, 1)


def test_a_manager_whose_account_is_switched_off_is_not_emailed(hub, ready_case, homes, managers):
    managers[0].is_active = False
    managers[0].save()
    services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])
    assert notifications.deliver(base_url=BASE).sent == 0
    assert mail.outbox == []


def test_a_failed_send_is_kept_and_retried(hub, ready_case, homes, managers, monkeypatch):
    services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(mail_module, "send_mail", broken)
    assert notifications.deliver(base_url=BASE).failed == 1
    notice = ProviderNotice.objects.get()
    assert (notice.sent_at, notice.attempts) == (None, 1)
    assert "mail server down" in notice.last_error
    monkeypatch.undo()
    assert notifications.deliver(base_url=BASE).sent == 1
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.last_error == ""


def test_a_capacity_request_reaches_providers_of_that_care_in_the_area(
    commissioner, council, other_council, provider, other_provider, managers
):
    make_offer(make_location(provider, council, name="Oak Lodge"), "residential", beds=0)
    make_offer(make_location(other_provider, other_council, name="Far Away"), "residential")
    request = capacity_requests.create_request(actor=actor_for(commissioner), terms=request_terms())
    report = notifications.deliver(base_url=BASE)
    assert report.sent == 1
    (message,) = mail.outbox
    assert message.to == ["manager@sunrise.example"]
    assert "asks for 6 beds of Residential" in message.subject
    assert "Priya Shah" in message.body
    assert f"{BASE}/brokerage/requests/{request.pk}/" in message.body
    assert notifications.deliver(base_url=BASE).sent == 0


def test_a_capacity_request_skips_other_care_and_homes_held_back(
    commissioner, council, provider, other_provider, managers
):
    make_offer(make_location(provider, council, name="Home Help", care_home=False), "home-care")
    held = make_location(other_provider, council, name="Under Review")
    held.compliance = ComplianceState.UNDER_INVESTIGATION
    held.save()
    make_offer(held, "residential")
    capacity_requests.create_request(actor=actor_for(commissioner), terms=request_terms())
    assert notifications.deliver(base_url=BASE).sent == 0


def test_a_home_care_request_reaches_agencies_offering_hours_in_the_area(
    commissioner, council, other_council, provider, other_provider, managers
):
    elsewhere = make_location(provider, other_council, name="Stockport Care", care_home=False)
    make_offer(elsewhere, "home-care", hours=0)
    services_directory.add_home_care_area(
        actor=actor_for(managers[0]), location=elsewhere, area=council.name
    )
    only_home = make_location(other_provider, other_council, name="Only Home", care_home=False)
    make_offer(only_home, "home-care", hours=20)
    capacity_requests.create_request(
        actor=actor_for(commissioner),
        terms=request_terms(care_type=CareType.objects.get(pk="home-care"), unit="hours"),
    )
    notifications.deliver(base_url=BASE)
    assert [m.to for m in mail.outbox] == [["manager@sunrise.example"]]


def test_an_icb_request_reaches_providers_in_its_councils(council, provider, managers):
    icb = Organisation.objects.create(kind=OrganisationKind.ICB, code="QOP", name="GM ICB")
    Organisation.objects.filter(pk=council.pk).update(parent=icb)
    make_offer(make_location(provider, council, name="Oak Lodge"), "residential")
    commissioner = make_user("icb-commissioner", icb, Role.COMMISSIONER)
    capacity_requests.create_request(actor=actor_for(commissioner), terms=request_terms())
    assert notifications.deliver(base_url=BASE).sent == 1


def test_a_closed_request_is_not_announced(commissioner, council, provider, managers):
    make_offer(make_location(provider, council, name="Oak Lodge"), "residential")
    request = capacity_requests.create_request(actor=actor_for(commissioner), terms=request_terms())
    capacity_requests.close_request(actor=actor_for(commissioner), request=request)
    assert notifications.deliver(base_url=BASE).sent == 0


def test_the_periodic_job_reports_what_it_sent_to_providers(
    hub, ready_case, homes, managers, capsys
):
    services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk, homes[2].pk])
    call_command("alerts_send", base_url=BASE)
    assert "to providers: sent 2, failed 0" in capsys.readouterr().out
    assert sorted(m.to[0] for m in mail.outbox) == [
        "manager@elsewhere.example",
        "manager@sunrise.example",
    ]
