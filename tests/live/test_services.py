"""Integration: the indicator feed's all-or-nothing writes and an area's trigger levels."""

from datetime import timedelta

import pytest
from django.http import Http404

from homeward.core import clock
from homeward.core.access import actor_for
from homeward.core.models import AuditEvent
from homeward.live import services
from homeward.live.feed import FeedRow, Problem
from homeward.live.models import Reading, TriggerLevel
from homeward.measures.live import TriggerError
from tests.live.conftest import indicator

pytestmark = pytest.mark.django_db


def row(line, org="R0A66", code="beds-ga-free", value=12.0, minutes_ago=5, source="bed board"):
    return FeedRow(
        line=line,
        organisation=org,
        indicator=code,
        value=value,
        measured_at=clock.now() - timedelta(minutes=minutes_ago),
        source=source,
    )


def test_readings_are_stored_with_who_and_an_audit_row(leader_actor):
    rows = [row(2), row(3, code="beds-ga-occupied", value=480), row(4, org="qop", value=3)]
    result = services.record_readings(actor=leader_actor, rows=rows, problems=[], via="upload")
    assert (result.ok, result.stored, result.unchanged) == (True, 3, 0)
    stored = Reading.objects.order_by("pk")
    assert [r.organisation.code for r in stored] == ["R0A66", "R0A66", "QOP"]
    assert {r.recorded_by for r in stored} == {leader_actor.user}
    event = AuditEvent.objects.get(action="live.readings")
    assert (event.username, event.detail["stored"], event.detail["via"]) == ("leader", 3, "upload")


def test_one_bad_reading_stores_nothing_and_names_every_problem(leader_actor, other_site):
    rows = [
        row(2),
        row(3, org="RBL14"),
        row(4, code="people-waiting-21-days"),
        row(5, minutes_ago=-60),
    ]
    result = services.record_readings(
        actor=leader_actor, rows=rows, problems=[Problem(6, "value is empty")], via="upload"
    )
    assert not result.ok
    assert [(p.line, p.reason.split(" ")[0]) for p in result.problems] == [
        (3, "organisation"),
        (4, "indicator"),
        (5, "measured_at"),
        (6, "value"),
    ]
    assert "is not fed" in result.problems[1].reason
    assert Reading.objects.count() == 0
    assert not AuditEvent.objects.filter(action="live.readings").exists()


def test_sending_the_same_reading_again_changes_nothing_and_a_new_value_is_refused(leader_actor):
    first = row(2)
    services.record_readings(actor=leader_actor, rows=[first], problems=[], via="api")
    again = services.record_readings(actor=leader_actor, rows=[first], problems=[], via="api")
    assert (again.stored, again.unchanged) == (0, 1)
    changed = FeedRow(**{**vars(first), "value": 99.0})
    refused = services.record_readings(actor=leader_actor, rows=[changed], problems=[], via="api")
    assert "already has the value 12" in refused.problems[0].reason
    assert list(Reading.objects.values_list("value", flat=True)) == [12.0]


def test_two_values_for_one_moment_in_one_batch_are_refused(leader_actor):
    first = row(2)
    second = FeedRow(**{**vars(first), "line": 3, "value": 13.0})
    result = services.record_readings(
        actor=leader_actor, rows=[first, second], problems=[], via="api"
    )
    assert [p.line for p in result.problems] == [3]
    assert Reading.objects.count() == 0


def test_a_trust_coordinator_may_send_for_its_sites_but_not_the_icb(ward_coordinator, site):
    actor = actor_for(ward_coordinator)
    result = services.record_readings(
        actor=actor, rows=[row(1), row(2, org="QOP")], problems=[], via="api"
    )
    assert [p.line for p in result.problems] == [2]


def test_trigger_levels_are_kept_as_history_and_audited(leader_actor):
    handover = indicator("ambulance-handover-mean")
    services.set_trigger_levels(actor=leader_actor, indicator=handover, amber=30, red=60)
    services.set_trigger_levels(
        actor=leader_actor, indicator=handover, amber=20, red=45, reason="winter"
    )
    levels = TriggerLevel.objects.filter(indicator=handover)
    assert [(lvl.amber, lvl.red) for lvl in levels] == [(20, 45), (30, 60)]
    assert AuditEvent.objects.filter(action="live.trigger_levels").count() == 2


def test_unreadable_trigger_levels_are_refused(leader_actor):
    with pytest.raises(TriggerError, match="lower is worse"):
        services.set_trigger_levels(
            actor=leader_actor, indicator=indicator("beds-ga-free"), amber=10, red=20
        )
    assert TriggerLevel.objects.count() == 0


def test_only_area_leaders_and_commissioners_set_trigger_levels(ward_coordinator, site):
    with pytest.raises(Http404):
        services.set_trigger_levels(
            actor=actor_for(ward_coordinator),
            indicator=indicator("beds-ga-free"),
            amber=20,
            red=10,
        )


def test_a_reading_stored_by_another_sender_meanwhile_stores_nothing(leader_actor, monkeypatch):
    first, second = row(2), row(3, code="beds-ga-occupied", value=480)
    services.record_readings(actor=leader_actor, rows=[first], problems=[], via="api")
    # As if the other sender's reading had landed between the check and the insert.
    monkeypatch.setattr(services, "_existing", lambda readings: {})
    result = services.record_readings(
        actor=leader_actor, rows=[first, second], problems=[], via="api"
    )
    assert [p.reason for p in result.problems] == [services.RACED]
    assert Reading.objects.count() == 1
