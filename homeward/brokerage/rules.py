"""Pure rules of brokerage: the referral and placement workflows, one transition table each.
No Django here, so they can be read and tested on their own."""

from datetime import datetime

# A referral: sent to one provider, answered (or not) by it, and closed by the hub.
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    "sent": frozenset({"accepted", "declined", "expired", "withdrawn"}),
    "accepted": frozenset({"placed", "withdrawn"}),
    "declined": frozenset(),
    "expired": frozenset(),
    "withdrawn": frozenset(),
    "placed": frozenset(),
}

# A placement or package: agreed when confirmed, started when the person arrives.
PLACEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    "agreed": frozenset({"started", "cancelled"}),
    "started": frozenset({"ended"}),
    "ended": frozenset(),
    "cancelled": frozenset(),
}

DEFAULT_DEADLINE_HOURS = 24
MAX_DEADLINE_HOURS = 7 * 24
# The hub is warned this long before an unanswered referral's deadline.
WARN_BEFORE_HOURS = 4


class TransitionNotAllowed(ValueError):
    pass


def check(table: dict[str, frozenset[str]], what: str, from_state: str, to_state: str) -> None:
    """Refuse any move the table does not allow, saying what is possible instead."""
    if to_state not in table.get(from_state, frozenset()):
        allowed = ", ".join(sorted(table.get(from_state, ()))) or "nothing"
        raise TransitionNotAllowed(
            f"a {what} that is {from_state} cannot become {to_state} (it can become: {allowed})"
        )


def effective_state(state: str, deadline: datetime, now: datetime) -> str:
    """An unanswered referral past its deadline is expired, whether or not the periodic job
    has recorded it yet."""
    return "expired" if state == "sent" and now >= deadline else state


def due_soon(state: str, deadline: datetime, now: datetime) -> bool:
    """Unanswered and within the warning window before its deadline."""
    remaining = (deadline - now).total_seconds()
    return state == "sent" and 0 < remaining <= WARN_BEFORE_HOURS * 3600
