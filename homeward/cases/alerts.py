"""Alerts derived from a case's timestamps each time they are asked for, never stored as
state: overdue tasks, long waits (7, 14 and 21 days), no owner, no plan."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from homeward.brokerage import rules as brokerage_rules
from homeward.cases import rules

WAIT_STEPS = (21, 14, 7)


def _date(value: datetime | None) -> date | None:
    return timezone.localtime(value).date() if value is not None else None


@dataclass(frozen=True)
class Alert:
    key: str  # stable identity, so a notification is sent once per alert
    severity: str  # "red" or "amber"
    text: str


def for_case(
    case, tasks, today: date, now: datetime, legacy_notices: bool = False, referrals=()
) -> list[Alert]:
    """Every alert that holds for an open case now, most severe first. `legacy_notices` says
    whether the council of residence uses the repealed assessment and discharge notices;
    `referrals` are the case's live referrals (with their offer's location)."""
    alerts = _referral_alerts(referrals, now)
    if legacy_notices:
        relevant = rules.legacy_relevant_day(
            _date(case.assessment_notice_at),
            _date(case.discharge_notice_at),
            case.proposed_discharge_date,
        )
        if relevant is not None and today > relevant:
            alerts.append(
                Alert(
                    f"legacy-liable-{relevant.isoformat()}",
                    "red",
                    f"Notice period ended {relevant:%-d %b}: the council is liable for each "
                    "further day",
                )
            )
    for task in tasks:
        if task.done_at is None and task.due_at < now:
            alerts.append(
                Alert(f"task-overdue-{task.pk}", "red", f"{task.task_type.label} is overdue")
            )
    days = rules.waiting_days(case.discharge_ready_date, today)
    if days is not None:
        step = next((s for s in WAIT_STEPS if days >= s), None)
        if step is not None:
            severity = "red" if step >= 21 else "amber"
            alerts.append(Alert(f"wait-{step}", severity, f"Waiting over {step} days"))
    if case.next_action and case.next_action_due is not None and case.next_action_due < now:
        alerts.append(
            Alert(
                f"next-action-overdue-{int(case.next_action_due.timestamp())}",
                "amber",
                f"Next action overdue: {case.next_action}",
            )
        )
    if case.owner_id is None:
        alerts.append(Alert("no-owner", "amber", "No named owner"))
    open_tasks = [t for t in tasks if t.done_at is None]
    if not case.next_action and not open_tasks:
        alerts.append(Alert("no-plan", "amber", "No plan: no next action and no open task"))
    return sorted(alerts, key=lambda a: a.severity != "red")


def _referral_alerts(referrals, now: datetime) -> list[Alert]:
    """An accepted referral waits for the hub to confirm it; an unanswered one is warned about
    in the hours before its deadline."""
    found = []
    for referral in referrals:
        name = referral.offer.location.name
        if referral.state == "accepted":
            found.append(
                Alert(
                    f"referral-accepted-{referral.pk}",
                    "amber",
                    f"{name} accepted: confirm the placement",
                )
            )
        elif brokerage_rules.due_soon(referral.state, referral.deadline, now):
            found.append(
                Alert(
                    f"referral-due-{referral.pk}",
                    "amber",
                    f"No answer yet from {name}: the referral expires at "
                    f"{timezone.localtime(referral.deadline):%H:%M}",
                )
            )
    return found
