"""Integration: the rules the case services enforce."""

from datetime import date, timedelta

import pytest

from homeward.cases import rules, services
from homeward.cases.models import DelayEpisode
from homeward.core import clock
from homeward.core.access import actor_for
from tests.cases.factories import code, make_case, test_nhs_number

pytestmark = pytest.mark.django_db


def test_transition_table_is_closed():
    for state, targets in rules.TRANSITIONS.items():
        assert targets <= set(rules.TRANSITIONS), state
    with pytest.raises(rules.TransitionNotAllowed, match="cannot become assessing"):
        rules.check_transition("discharged", "assessing")


def test_ready_date_restarts_when_criteria_are_met_again():
    day = timedelta(days=1)
    start = clock.now() - 10 * day
    events = [(start, False), (start + 2 * day, True), (start + 5 * day, False)]
    assert rules.discharge_ready_date(events, lambda at: at.date()) == (start + 5 * day).date()
    assert rules.discharge_ready_date(events[:2], lambda at: at.date()) is None


def test_rag_has_words_and_thresholds():
    assert [rules.rag_for_wait(d) for d in (None, 0, 6, 7, 20, 21)] == [
        "grey",
        "green",
        "green",
        "amber",
        "amber",
        "red",
    ]


def test_nhs_number_clash_does_not_reveal_the_stored_person(coordinator):
    actor = actor_for(coordinator)
    number = test_nhs_number()
    services.register_patient(
        actor=actor,
        nhs_number_raw=number,
        given_name="Ada",
        family_name="Lovelace",
        date_of_birth=date(1940, 1, 1),
        sex="F",
    )
    with pytest.raises(services.CaseError, match="different name") as raised:
        services.register_patient(
            actor=actor,
            nhs_number_raw=number,
            given_name="Bob",
            family_name="Smith",
            date_of_birth=date(1950, 1, 1),
            sex="M",
        )
    assert "Lovelace" not in str(raised.value)


def test_closed_cases_accept_no_changes(coordinator, council):
    actor = actor_for(coordinator)
    case = make_case(coordinator, council=council)
    services.transition(actor=actor, case=case, to_state="cancelled", reason="duplicate")
    with pytest.raises(services.CaseError, match="cancelled"):
        services.add_delay(
            actor=actor, case=case, reason=code("delay_reason", "R05"), attribution="nhs"
        )
    with pytest.raises(services.CaseError, match="cancelled"):
        services.record_criteria(
            actor=actor, case=case, meets_criteria=True, at=clock.now() - timedelta(hours=1)
        )


def test_only_current_delay_reasons(coordinator, council):
    case = make_case(coordinator, council=council)
    with pytest.raises(services.CaseError, match="not a current reason"):
        services.add_delay(
            actor=actor_for(coordinator),
            case=case,
            reason=code("legacy_dtoc", "Di"),
            attribution="nhs",
        )


def test_ending_the_primary_keeps_it_as_history(coordinator, council):
    actor = actor_for(coordinator)
    case = make_case(coordinator, council=council)
    first = services.add_delay(
        actor=actor, case=case, reason=code("delay_reason", "R13"), attribution="social_care"
    )
    services.add_delay(
        actor=actor, case=case, reason=code("delay_reason", "R06"), attribution="nhs"
    )
    services.end_delay(actor=actor, episode=first)
    first.refresh_from_db()
    assert first.primary and first.ended_at is not None
    with pytest.raises(services.CaseError, match="already ended"):
        services.end_delay(actor=actor, episode=first)
    assert DelayEpisode.objects.filter(case=case, ended_at=None).count() == 1


def test_discharge_closes_open_delays(coordinator, council):
    actor = actor_for(coordinator)
    case = make_case(coordinator, council=council)
    services.add_delay(
        actor=actor, case=case, reason=code("delay_reason", "R05"), attribution="nhs"
    )
    services.transition(actor=actor, case=case, to_state="discharged")
    assert not DelayEpisode.objects.filter(case=case, ended_at=None).exists()
    with pytest.raises(services.CaseError, match="future"):
        services.transition(
            actor=actor, case=case, to_state="readmitted", at=clock.now() + timedelta(days=1)
        )


def test_legacy_relevant_day_is_the_later_of_the_two_limits():
    monday = date(2026, 11, 2)
    assert rules.legacy_relevant_day(None, monday, monday) is None
    # Notice on Monday, discharge proposed for Tuesday: the two-day minimum wins (Wednesday).
    assert rules.legacy_relevant_day(monday, monday, monday + timedelta(days=1)) == date(
        2026, 11, 4
    )
    # Discharge proposed for Friday: the proposed date wins.
    assert rules.legacy_relevant_day(monday, monday, date(2026, 11, 6)) == date(2026, 11, 6)
    with pytest.raises(ValueError, match="at least a day"):
        rules.check_discharge_notice(monday, monday)
