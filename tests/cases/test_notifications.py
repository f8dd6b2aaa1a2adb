"""Integration: alerts derived from timestamps reach the owner by email exactly once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from homeward.cases import alerts, notifications, services
from homeward.cases.models import AlertNotice
from homeward.core import clock
from homeward.core import mail as mail_module
from homeward.core.access import actor_for
from tests.cases.factories import code, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned_case(coordinator, broker, council):
    broker.email = "broker@trafford.example"
    broker.save()
    case = make_case(coordinator, council=council, ready_days_ago=8)
    services.set_plan(actor=actor_for(coordinator), case=case, owner=broker, next_action="Call")
    return case


def test_alerts_are_derived_from_time(owned_case, coordinator, council):
    now = clock.now()
    today = now.date()
    assert [a.key for a in alerts.for_case(owned_case, [], today, now)] == ["wait-7"]
    task = services.add_task(
        actor=actor_for(coordinator),
        case=owned_case,
        task_type=code("task_type", "equipment"),
        owner_organisation=council,
        due_at=now + timedelta(hours=1),
    )
    assert "task-overdue" not in str(alerts.for_case(owned_case, [task], today, now))
    later = now + timedelta(hours=2)
    keys = [a.key for a in alerts.for_case(owned_case, [task], today, later)]
    assert keys[0] == f"task-overdue-{task.pk}"


def test_each_alert_is_emailed_once(owned_case):
    report = notifications.deliver(base_url="https://homeward.example")
    assert report.sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["broker@trafford.example"]
    assert "Waiting over 7 days" in message.subject
    assert f"https://homeward.example/cases/{owned_case.pk}/" in message.body
    assert owned_case.patient.family_name not in message.body + message.subject
    assert notifications.deliver().sent == 0
    assert len(mail.outbox) == 1


def test_failed_sends_are_kept_and_retried(owned_case, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(mail_module, "send_mail", broken)
    assert notifications.deliver().failed == 1
    notice = AlertNotice.objects.get()
    assert (notice.sent_at, notice.attempts) == (None, 1)
    assert "mail server down" in notice.last_error
    monkeypatch.undo()
    assert notifications.deliver().sent == 1
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.last_error == ""


def test_cases_without_an_owner_email_are_counted(coordinator, council):
    make_case(coordinator, council=council, ready_days_ago=1)
    report = notifications.deliver()
    assert report.sent == 0
    assert report.skipped_no_email >= 1


def test_command(owned_case, capsys):
    call_command("alerts_send", base_url="https://h.example")
    assert "sent 1" in capsys.readouterr().out
