"""Concurrency on PostgreSQL: racing confirmations for the last vacancy make exactly one
placement, racing answers to one referral record exactly one answer, and racing alert jobs
email a provider about a referral exactly once.

Each round starts 50 threads, each with its own database connection, at the same instant
(a barrier), and is repeated 100 times. SQLite serialises all writes through one file lock
and cannot show row locking, so these run on the PostgreSQL layer of `make test`."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from homeward.brokerage import notifications, services
from homeward.brokerage.models import Placement, ProviderNotice, Referral, ReferralState
from homeward.brokerage.services import BrokerageError, PlacementTerms
from homeward.cases.models import CaseState, DischargeCase
from homeward.core import clock
from homeward.core import mail as mail_module
from homeward.core.access import actor_for
from homeward.directory.models import CapacityReport, CapacitySource, ServiceOffer
from tests.cases.factories import make_case

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL; run by the PostgreSQL layer of make test",
    ),
]

RACERS = 50
ROUNDS = 100


def race(work) -> list[BaseException | object]:
    """Run work(i) in RACERS threads released together; each result or exception, in order."""
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:  # the caller inspects every outcome
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def set_beds(offer: ServiceOffer, beds: int) -> None:
    report = CapacityReport.objects.create(
        offer=offer, beds_free=beds, reported_at=clock.now(), source=CapacitySource.DEMO
    )
    ServiceOffer.objects.filter(pk=offer.pk).update(latest_report=report)


def test_fifty_confirmations_for_the_last_bed_make_one_placement(
    coordinator, manager, council, home_offer
):
    hub, provider = actor_for(coordinator), actor_for(manager)
    referrals = []
    for i in range(RACERS):
        case = make_case(coordinator, council=council, given=f"P{i}", care_type_id="residential")
        referral = services.refer(actor=hub, case=case, offer_ids=[home_offer.pk])[0]
        referrals.append(services.accept(actor=provider, referral=referral))
    terms = PlacementTerms(
        start_date=clock.now().date() + timedelta(days=1),
        weekly_cost=Decimal("900"),
        contract_type="spot",
        funding_source="council",
    )
    case_ids = [r.case_id for r in referrals]
    for _ in range(ROUNDS):
        Placement.objects.all().delete()
        Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(
            state=ReferralState.ACCEPTED, closed_at=None
        )
        DischargeCase.objects.filter(pk__in=case_ids).update(state=CaseState.REFERRED)
        set_beds(home_offer, 1)

        outcomes = race(
            lambda i: services.confirm_placement(actor=hub, referral=referrals[i], terms=terms)
        )

        placed = [o for o in outcomes if isinstance(o, Placement)]
        refused = [o for o in outcomes if isinstance(o, BrokerageError)]
        assert len(placed) == 1, outcomes
        assert len(refused) == RACERS - 1, outcomes
        assert all("no vacancy left" in str(o) for o in refused)
        assert Placement.objects.count() == 1
        home_offer.refresh_from_db()
        assert home_offer.latest_report.beds_free == 0
        assert DischargeCase.objects.filter(state=CaseState.PLACEMENT_AGREED).count() == 1


def test_fifty_answers_to_one_referral_record_one(coordinator, manager, council, home_offer):
    hub, provider = actor_for(coordinator), actor_for(manager)
    case = make_case(coordinator, council=council, care_type_id="residential")
    referral = services.refer(actor=hub, case=case, offer_ids=[home_offer.pk])[0]
    for _ in range(ROUNDS):
        Referral.objects.filter(pk=referral.pk).update(
            state=ReferralState.SENT, responded_at=None, responded_by=None
        )

        outcomes = race(lambda i: services.accept(actor=provider, referral=referral))

        accepted = [o for o in outcomes if isinstance(o, Referral)]
        refused = [o for o in outcomes if isinstance(o, BrokerageError)]
        assert len(accepted) == 1, outcomes
        assert len(refused) == RACERS - 1, outcomes
        assert all("already been answered" in str(o) for o in refused)


def test_fifty_alert_jobs_at_once_send_each_referral_notice_once(
    coordinator, manager, council, home_offer, monkeypatch
):
    manager.email = "manager@sunrise.example"
    manager.save()
    case = make_case(coordinator, council=council, care_type_id="residential")
    referral = services.refer(actor=actor_for(coordinator), case=case, offer_ids=[home_offer.pk])[0]
    sent = []

    def slow_send(subject, body, sender, recipients):
        time.sleep(0.05)  # a mail server taking its time while the others arrive
        sent.append(recipients)

    monkeypatch.setattr(mail_module, "send_mail", slow_send)
    for _ in range(10):
        ProviderNotice.objects.all().delete()
        sent.clear()

        outcomes = race(lambda i: notifications.deliver(base_url="https://h.example"))

        assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
        assert sent == [["manager@sunrise.example"]]
        notice = ProviderNotice.objects.get(referral=referral)
        assert notice.sent_at is not None and notice.attempts == 1
