"""Integration: `homeward demo load` builds the whole demo area that `make run` serves."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from homeward.brokerage import queries as brokerage_queries
from homeward.brokerage.models import Referral, ReferralState
from homeward.cases import queries
from homeward.cases.models import OPEN_STATES, DischargeCase
from homeward.core.access import actor_for
from homeward.core.models import Membership
from homeward.directory.models import Location
from homeward.scenarios.models import Scenario
from tests.conftest import real_file

pytestmark = pytest.mark.django_db


def test_demo_area_loads_once_with_a_login_per_role():
    real_file("cqc/trafford_care_homes_2026-02.csv")
    out = io.StringIO()
    call_command("demo_load", if_empty=True, stdout=out)
    assert "password for each: homeward-demo" in out.getvalue()
    roles = set(Membership.objects.values_list("role", flat=True))
    assert len(roles) == 8
    assert Location.objects.filter(council__code="E08000009", care_home=True).count() >= 56
    open_cases = DischargeCase.objects.filter(state__in=OPEN_STATES)
    assert open_cases.count() >= 40
    for case in open_cases.exclude(owner=None).select_related("owner"):
        assert queries.visible_cases(actor_for(case.owner)).filter(pk=case.pk).exists()
    hub = Membership.objects.get(user__username="hub").user
    assert queries.hub_page(actor_for(hub), queries.HubFilter()).total == open_cases.count()
    carehome = actor_for(Membership.objects.get(user__username="carehome").user)
    theirs = brokerage_queries.for_provider(carehome)
    assert theirs.filter(state=ReferralState.ACCEPTED).count() == 1
    assert Referral.objects.filter(state=ReferralState.SENT).count() >= 3
    analyst = Membership.objects.get(user__username="analyst")
    assert Scenario.objects.filter(organisation=analyst.organisation).count() == 1

    # The demo's periodic job has people to tell: case owners and the care home's manager.
    told = io.StringIO()
    call_command("alerts_send", stdout=told)
    case_alerts, to_providers = told.getvalue().split("; ")[1:]
    assert not case_alerts.startswith("case alerts: sent 0"), case_alerts
    assert not to_providers.startswith("to providers: sent 0"), to_providers
    assert "carehome@demo.homeward.example" in {m.to[0] for m in mail.outbox}

    again = io.StringIO()
    call_command("demo_load", if_empty=True, stdout=again)
    assert "already present" in again.getvalue()
    assert DischargeCase.objects.filter(state__in=OPEN_STATES).count() == open_cases.count()
