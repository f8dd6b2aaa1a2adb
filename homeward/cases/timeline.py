"""A case's history as one list in time order, shared by the case page and the API."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from homeward.cases.models import CaseState

STATE_LABELS = dict(CaseState.choices)


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # transition, criteria, delay_started, delay_ended, task_added, task_done
    text: str
    by: str | None


def _who(user) -> str | None:
    return user.get_username() if user is not None else None


def build(transitions, criteria, delays, tasks) -> list[Event]:
    """Everything that happened to the case, oldest first."""
    events = []
    for t in transitions:
        change = (
            f"{STATE_LABELS.get(t.from_state, t.from_state)} → {STATE_LABELS[t.to_state]}"
            if t.from_state
            else f"Opened as {STATE_LABELS[t.to_state].lower()}"
        )
        events.append(
            Event(t.at, "transition", change + (f" ({t.reason})" if t.reason else ""), _who(t.by))
        )
    for e in criteria:
        text = (
            "Meets the criteria to reside again"
            if e.meets_criteria
            else "No longer meets the criteria to reside"
        )
        events.append(
            Event(e.at, "criteria", text + (f" ({e.note})" if e.note else ""), _who(e.recorded_by))
        )
    for d in delays:
        label = f"{d.reason.label} ({d.get_attribution_display()})"
        events.append(Event(d.started_at, "delay_started", f"Delay: {label}", _who(d.recorded_by)))
        if d.ended_at is not None:
            events.append(Event(d.ended_at, "delay_ended", f"Delay resolved: {label}", None))
    for t in tasks:
        due = timezone.localtime(t.due_at)
        text = (
            f"Task set: {t.task_type.label} for {t.owner_organisation.name}, due {due:%-d %b %H:%M}"
        )
        events.append(Event(t.created_at, "task_added", text, _who(t.created_by)))
        if t.done_at is not None:
            events.append(Event(t.done_at, "task_done", f"Task done: {t.task_type.label}", None))
    return sorted(events, key=lambda e: e.at)
