"""Integration: referring, answering and placing, through the brokerage services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from homeward.brokerage import rules, services
from homeward.brokerage.models import Placement, Referral, ReferralState
from homeward.brokerage.services import BrokerageError, PlacementTerms
from homeward.cases import alerts
from homeward.cases.models import CaseState
from homeward.core import clock
from homeward.core.access import actor_for
from homeward.core.models import AuditEvent
from homeward.directory.models import CapacitySource, Location
from homeward.directory.services import report_capacity
from homeward.matching.model import Weights
from tests.conftest import make_location, make_offer

pytestmark = pytest.mark.django_db


def terms(**kw) -> PlacementTerms:
    values = {
        "start_date": clock.now().date() + timedelta(days=1),
        "weekly_cost": Decimal("950"),
        "contract_type": "spot",
        "funding_source": "council",
    }
    values.update(kw)
    return PlacementTerms(**values)


def test_referring_to_three_homes_moves_the_case_and_audits(hub, ready_case, homes):
    sent = services.refer(actor=hub, case=ready_case, offer_ids=[o.pk for o in homes])
    assert len(sent) == 3
    assert {r.state for r in sent} == {ReferralState.SENT}
    assert sent[0].deadline - sent[0].sent_at == timedelta(hours=24)
    ready_case.refresh_from_db()
    assert ready_case.state == CaseState.REFERRED
    assert AuditEvent.objects.filter(action="referral.sent").count() == 3


def test_refer_refuses_twice_to_the_same_home_and_bad_deadlines(hub, ready_case, homes):
    services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])
    with pytest.raises(BrokerageError, match="already referred to Oak Lodge"):
        services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])
    with pytest.raises(BrokerageError, match="between 1 and 168 hours"):
        services.refer(actor=hub, case=ready_case, offer_ids=[homes[1].pk], deadline_hours=0)
    with pytest.raises(BrokerageError, match="at least one"):
        services.refer(actor=hub, case=ready_case, offer_ids=[])


def test_refer_refuses_a_home_not_put_forward(hub, ready_case, homes):
    location = homes[0].location
    location.rating = "Inadequate"
    location.save()
    with pytest.raises(BrokerageError, match="rated Inadequate"):
        services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])


def test_only_the_provider_referred_to_answers(
    hub, provider_actor, other_provider_actor, ready_case, homes
):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    with pytest.raises(BrokerageError, match="only the provider"):
        services.accept(actor=other_provider_actor, referral=referral)
    services.decline(actor=provider_actor, referral=referral, reason="staffing")
    assert referral.state == ReferralState.DECLINED
    assert referral.decline_reason == "staffing"
    with pytest.raises(BrokerageError, match="already been answered"):
        services.accept(actor=provider_actor, referral=referral)


def test_decline_needs_a_coded_reason_and_other_needs_words(hub, provider_actor, ready_case, homes):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    with pytest.raises(BrokerageError, match="choose a reason"):
        services.decline(actor=provider_actor, referral=referral, reason="busy")
    with pytest.raises(BrokerageError, match="say why"):
        services.decline(actor=provider_actor, referral=referral, reason="other")


def test_an_expired_referral_cannot_be_accepted_and_is_recorded(
    hub, provider_actor, ready_case, homes
):
    referral = services.refer(
        actor=hub, case=ready_case, offer_ids=[homes[0].pk], deadline_hours=1
    )[0]
    Referral.objects.filter(pk=referral.pk).update(deadline=clock.now() - timedelta(minutes=1))
    referral.refresh_from_db()
    with pytest.raises(BrokerageError, match="expired at"):
        services.accept(actor=provider_actor, referral=referral)
    assert services.expire_overdue() == 1
    referral.refresh_from_db()
    assert referral.state == ReferralState.EXPIRED
    assert AuditEvent.objects.filter(action="referral.expired", object_id=str(referral.pk)).exists()


def test_confirming_takes_one_bed_withdraws_the_rest_and_moves_the_case(
    hub, provider_actor, other_provider_actor, ready_case, homes
):
    first, second, third = services.refer(
        actor=hub, case=ready_case, offer_ids=[o.pk for o in homes]
    )
    services.decline(actor=provider_actor, referral=second, reason="cannot_meet_needs")
    services.accept(actor=other_provider_actor, referral=third)
    placement = services.confirm_placement(actor=hub, referral=third, terms=terms())
    homes[2].refresh_from_db()
    assert homes[2].latest_report.beds_free == 2
    assert homes[2].latest_report.source == CapacitySource.PLACEMENT
    first.refresh_from_db()
    assert first.state == ReferralState.WITHDRAWN
    assert "placed elsewhere" in first.closed_message
    third.refresh_from_db()
    assert third.state == ReferralState.PLACED
    ready_case.refresh_from_db()
    assert ready_case.state == CaseState.PLACEMENT_AGREED
    assert placement.provider_id == homes[2].location.provider_id
    assert AuditEvent.objects.filter(action="placement.agreed").count() == 1


def test_confirming_without_a_vacancy_is_refused_and_changes_nothing(
    hub, provider_actor, ready_case, homes
):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    services.accept(actor=provider_actor, referral=referral)
    report_capacity(actor=provider_actor, offer=homes[0], beds_free=0, source="web")
    with pytest.raises(BrokerageError, match="no vacancy left"):
        services.confirm_placement(actor=hub, referral=referral, terms=terms())
    assert not Placement.objects.exists()
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED


def test_only_an_accepted_referral_is_confirmed(hub, ready_case, homes):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    with pytest.raises(BrokerageError, match="only an accepted referral"):
        services.confirm_placement(actor=hub, referral=referral, terms=terms())


def test_cancelling_an_agreed_placement_gives_the_bed_back(hub, provider_actor, ready_case, homes):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[1].pk])[0]
    services.accept(actor=provider_actor, referral=referral)
    placement = services.confirm_placement(actor=hub, referral=referral, terms=terms())
    services.move_placement(actor=hub, placement=placement, to_state="cancelled", reason="died")
    homes[1].refresh_from_db()
    assert homes[1].latest_report.beds_free == 2
    ready_case.refresh_from_db()
    assert ready_case.state == CaseState.REFERRED
    with pytest.raises(BrokerageError, match="cannot become started"):
        services.move_placement(actor=hub, placement=placement, to_state="started")


def test_placement_figures_are_capacity_reports_sourced_from_the_placement(
    hub, provider_actor, ready_case, homes
):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[1].pk])[0]
    services.accept(actor=provider_actor, referral=referral)
    services.confirm_placement(actor=hub, referral=referral, terms=terms())
    homes[1].refresh_from_db()
    assert homes[1].latest_report.source == CapacitySource.PLACEMENT
    assert homes[1].latest_report.reported_by == hub.user
    event = AuditEvent.objects.filter(action="capacity.report").latest("pk")
    assert event.detail["source"] == CapacitySource.PLACEMENT
    assert event.detail["beds_free"] == 1


def test_a_bed_given_back_never_exceeds_the_registered_beds(hub, provider_actor, ready_case, homes):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[1].pk])[0]
    services.accept(actor=provider_actor, referral=referral)
    placement = services.confirm_placement(actor=hub, referral=referral, terms=terms())
    report_capacity(actor=provider_actor, offer=homes[1], beds_free=40, source="web")
    services.move_placement(actor=hub, placement=placement, to_state="cancelled", reason="died")
    homes[1].refresh_from_db()
    assert homes[1].latest_report.beds_free == 40
    assert homes[1].latest_report.source == CapacitySource.PLACEMENT


def test_a_placement_goes_through_after_the_home_registers_fewer_beds(
    hub, provider_actor, ready_case, homes
):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[1].pk])[0]
    services.accept(actor=provider_actor, referral=referral)
    report_capacity(actor=provider_actor, offer=homes[1], beds_free=5, source="web")
    Location.objects.filter(pk=homes[1].location_id).update(beds=3)  # a CQC re-import
    homes[1].refresh_from_db()
    services.confirm_placement(actor=hub, referral=referral, terms=terms())
    homes[1].refresh_from_db()
    assert homes[1].latest_report.beds_free == 3


def test_home_care_takes_the_package_hours(hub, provider_actor, ready_case, provider, council):
    agency = make_location(provider, council, name="Home Help", care_home=False)
    offer = make_offer(agency, "home-care", hours=Decimal("30"), area=council.name)
    ready_case.care_type_id = "home-care"
    ready_case.save()
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[offer.pk])[0]
    services.accept(actor=provider_actor, referral=referral)
    services.confirm_placement(
        actor=hub, referral=referral, terms=terms(hours_per_week=Decimal("14"))
    )
    offer.refresh_from_db()
    assert offer.latest_report.hours_free == Decimal("16")


def test_the_database_refuses_two_live_placements_for_one_case(
    hub, provider_actor, ready_case, homes
):
    first, second = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk, homes[1].pk])
    services.accept(actor=provider_actor, referral=first)
    placement = services.confirm_placement(actor=hub, referral=first, terms=terms())
    placement.pk = None
    placement.referral_id = second.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        placement.save()


def test_weights_are_per_council(commissioner, other_commissioner, council, other_council):
    mine = actor_for(commissioner)
    services.set_weights(actor=mine, council=council, weights=Weights.quality_cost_60_40())
    assert services.weights_for(council) == Weights.quality_cost_60_40()
    assert services.weights_for(other_council) == Weights()
    with pytest.raises(BrokerageError, match="own commissioners"):
        services.set_weights(
            actor=actor_for(other_commissioner), council=council, weights=Weights()
        )


def test_rules_name_what_is_possible():
    with pytest.raises(rules.TransitionNotAllowed, match="it can become: placed, withdrawn"):
        rules.check(rules.REFERRAL_TRANSITIONS, "referral", "accepted", "declined")


def test_the_periodic_job_expires_overdue_referrals(hub, ready_case, homes, capsys):
    referral = services.refer(actor=hub, case=ready_case, offer_ids=[homes[0].pk])[0]
    Referral.objects.filter(pk=referral.pk).update(deadline=clock.now() - timedelta(seconds=1))
    call_command("alerts_send", base_url="https://h.example")
    assert "expired 1 unanswered referral" in capsys.readouterr().out
    referral.refresh_from_db()
    assert referral.state == ReferralState.EXPIRED


def test_alerts_warn_before_a_referral_expires(hub, ready_case, homes):
    referral = services.refer(
        actor=hub, case=ready_case, offer_ids=[homes[0].pk], deadline_hours=2
    )[0]
    found = alerts.for_case(ready_case, [], clock.now().date(), clock.now(), referrals=[referral])
    assert any(a.key == f"referral-due-{referral.pk}" and "Oak Lodge" in a.text for a in found)
