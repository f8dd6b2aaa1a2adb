"""Delivering case alerts by email. Alerts are derived (see `alerts.py`); this module only
records which were sent to whom (`core.mail`), so each goes out once and failed sends are
retried."""

from django.utils import timezone

from homeward.brokerage.models import LIVE_REFERRAL_STATES, Referral
from homeward.cases import alerts
from homeward.cases.models import OPEN_STATES, AlertNotice, DischargeCase, Task
from homeward.core import clock
from homeward.core.mail import DeliveryReport, send_once


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
            # The email names no patient: it points to the case, where access is checked
            # and audited.
            send_once(
                AlertNotice,
                {"case": case, "key": alert.key, "recipient": recipient},
                f"Homeward: case {case.pk} — {alert.text}",
                f"A discharge case you own needs attention: {alert.text}.\n\n"
                f"Open it in Homeward: {base_url}/cases/{case.pk}/\n",
                report,
            )
    return report
