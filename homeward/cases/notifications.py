"""Delivering case alerts by email. Alerts are derived (see `alerts.py`); this module only
records which were sent to whom, so each goes out once, and failed sends are retried and
stay visible (attempts and the last error) instead of being dropped."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.brokerage.models import LIVE_REFERRAL_STATES, Referral
from homeward.cases import alerts
from homeward.cases.models import OPEN_STATES, AlertNotice, DischargeCase, Task
from homeward.core import clock

MAX_ATTEMPTS = 5


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped_no_email: int = 0


def _recipient(case: DischargeCase) -> str:
    return case.owner.email if case.owner is not None and case.owner.email else ""


def deliver(*, base_url: str = "") -> DeliveryReport:
    """Email every current alert to the case owner that has not been sent to them yet."""
    report = DeliveryReport()
    now = clock.now()
    today = timezone.localtime(now).date()
    cases = DischargeCase.objects.filter(state__in=OPEN_STATES).select_related("owner", "patient")
    tasks: dict[int, list[Task]] = {}
    for task in Task.objects.filter(case__in=cases, done_at=None).select_related("task_type"):
        tasks.setdefault(task.case_id, []).append(task)
    referrals: dict[int, list[Referral]] = {}
    live = Referral.objects.filter(case__in=cases, state__in=LIVE_REFERRAL_STATES)
    for referral in live.select_related("offer__location"):
        referrals.setdefault(referral.case_id, []).append(referral)
    for case in cases:
        current = alerts.for_case(
            case, tasks.get(case.pk, []), today, now, referrals=referrals.get(case.pk, [])
        )
        if not current:
            continue
        recipient = _recipient(case)
        if not recipient:
            report.skipped_no_email += len(current)
            continue
        for alert in current:
            notice = _claim(case, alert.key, recipient)
            if notice is None:
                continue
            _send(notice, case, alert, base_url, report)
    return report


def _claim(case: DischargeCase, key: str, recipient: str) -> AlertNotice | None:
    """The notice row to send now, or None if it was sent or has failed too often."""
    try:
        with transaction.atomic():
            notice, _ = AlertNotice.objects.get_or_create(case=case, key=key, recipient=recipient)
    except IntegrityError:  # another worker created it at the same moment
        return None
    if notice.sent_at is not None or notice.attempts >= MAX_ATTEMPTS:
        return None
    return notice


def _send(notice: AlertNotice, case, alert, base_url: str, report: DeliveryReport) -> None:
    # The email names no patient: it points to the case, where access is checked and audited.
    subject = f"Homeward: case {case.pk} — {alert.text}"
    body = (
        f"A discharge case you own needs attention: {alert.text}.\n\n"
        f"Open it in Homeward: {base_url}/cases/{case.pk}/\n"
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notice.recipient])
    except Exception as exc:  # any transport failure is recorded and retried next run
        AlertNotice.objects.filter(pk=notice.pk).update(
            attempts=notice.attempts + 1, last_error=str(exc)[:255]
        )
        report.failed += 1
        return
    AlertNotice.objects.filter(pk=notice.pk).update(
        sent_at=clock.now(), attempts=notice.attempts + 1, last_error=""
    )
    report.sent += 1
