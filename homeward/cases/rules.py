"""Pure rules of the discharge case: the workflow's transition table and the discharge ready
date. No Django here, so they can be read, tested and reused on their own."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

# The case workflow: every allowed move, and nothing else.
TRANSITIONS: dict[str, frozenset[str]] = {
    "identified": frozenset({"assessing", "awaiting_provision", "discharged", "cancelled"}),
    "assessing": frozenset({"awaiting_provision", "discharged", "cancelled"}),
    "awaiting_provision": frozenset({"assessing", "referred", "discharged", "cancelled"}),
    "referred": frozenset({"awaiting_provision", "placement_agreed", "discharged", "cancelled"}),
    "placement_agreed": frozenset({"referred", "discharged", "cancelled"}),
    "discharged": frozenset({"readmitted"}),
    "cancelled": frozenset(),
    "readmitted": frozenset(),
}


class TransitionNotAllowed(ValueError):
    pass


def check_transition(from_state: str, to_state: str) -> None:
    if to_state not in TRANSITIONS.get(from_state, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(from_state, ()))) or "nothing"
        raise TransitionNotAllowed(
            f"a case that is {from_state.replace('_', ' ')} cannot become "
            f"{to_state.replace('_', ' ')} (it can become: {allowed.replace('_', ' ')})"
        )


def discharge_ready_date(events: Iterable[tuple[datetime, bool]], to_date) -> date | None:
    """The day the person last stopped meeting the criteria to reside, if they still do not.

    1. Walk the criteria-to-reside changes in time order.
    2. Each change to 'does not meet' starts a new readiness, unless already ready.
    3. A change back to 'meets' ends it: the discharge ready date restarts next time.
    `to_date` turns a change's time into the local calendar date."""
    ready_since: datetime | None = None
    for at, meets in sorted(events, key=lambda e: e[0]):
        if meets:
            ready_since = None
        elif ready_since is None:
            ready_since = at
    return to_date(ready_since) if ready_since is not None else None


def waiting_days(drd: date | None, today: date) -> int | None:
    """Whole days since the discharge ready date (0 on the day itself)."""
    return None if drd is None else max((today - drd).days, 0)


RAG_THRESHOLDS = ((21, "red"), (7, "amber"))


def rag_for_wait(days: int | None) -> str:
    """Red from 21 days waiting, amber from 7, green below; grey when not yet ready."""
    if days is None:
        return "grey"
    return next((colour for limit, colour in RAG_THRESHOLDS if days >= limit), "green")


# Care and Support (Discharge of Hospital Patients) Regulations 2014: the council has at least
# two days after an assessment notice, and a discharge notice comes at least a day before the
# proposed discharge.
ASSESSMENT_MINIMUM_DAYS = 2
DISCHARGE_NOTICE_MINIMUM_DAYS = 1


def legacy_relevant_day(
    assessment_notice: date | None, discharge_notice: date | None, proposed_discharge: date | None
) -> date | None:
    """The day by which the council must have assessed and arranged care: the later of the
    end of the minimum assessment period and the proposed discharge date. None until both
    notices and the proposed date are given."""
    if assessment_notice is None or discharge_notice is None or proposed_discharge is None:
        return None
    minimum = assessment_notice + timedelta(days=ASSESSMENT_MINIMUM_DAYS)
    return max(minimum, proposed_discharge)


def check_discharge_notice(discharge_notice: date, proposed_discharge: date) -> None:
    if (proposed_discharge - discharge_notice).days < DISCHARGE_NOTICE_MINIMUM_DAYS:
        raise ValueError("a discharge notice must be given at least a day before the discharge")
