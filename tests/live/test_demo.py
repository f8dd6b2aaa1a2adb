"""Integration: the demo ICB's leader opens a live view with figures in it."""

import io

import pytest
from django.core.management import call_command

from homeward.core.access import actor_for
from homeward.core.models import Membership
from homeward.live.board import live_view
from homeward.live.models import Reading, TriggerLevel
from homeward.measures.live import NO_TRIGGERS
from tests.conftest import real_file

pytestmark = pytest.mark.django_db


def test_demo_leader_sees_the_whole_system():
    real_file("cqc/trafford_care_homes_2026-02.csv")
    call_command("demo_load", if_empty=True, stdout=io.StringIO())
    leader = actor_for(Membership.objects.get(user__username="leader").user)
    view = live_view(leader)
    assert TriggerLevel.objects.filter(area=leader.organisation).exists()
    assert Reading.objects.filter(recorded_by=leader.user).count() == 2 * 4 * 12 + 2 * 12
    assert [b.site for b in view.beds] == ["Manchester Royal Infirmary", "Wythenshawe Hospital"]
    assert view.waiting > 0
    assert {c.care_type for c in view.capacity} >= {"residential", "nursing", "home-care"}
    assert len(view.councils) == 4
    statuses = {f.indicator.code: f.status.colour for f in view.figures}
    assert statuses["beds-ga-occupied"] == NO_TRIGGERS
    assert statuses["ambulance-handover-mean"] != NO_TRIGGERS
