"""Unit: the live view's pure definitions (status against trigger levels, trend, age, trend
line), with Hypothesis properties for the status."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.measures.live import (
    AMBER,
    GREEN,
    HIGHER_IS_WORSE,
    LOWER_IS_WORSE,
    NO_TRIGGERS,
    RED,
    SEVERITY,
    TriggerError,
    Triggers,
    age,
    fmt,
    rag,
    sparkline,
    sparkline_words,
    trend,
)

HANDOVER = Triggers(amber=30, red=60, direction=HIGHER_IS_WORSE)
GP_SLOTS = Triggers(amber=200, red=100, direction=LOWER_IS_WORSE)


@pytest.mark.parametrize(
    ("value", "triggers", "colour", "words"),
    [
        (94, HANDOVER, RED, "Red: 94 min, trigger 60"),
        (60, HANDOVER, RED, "Red: 60 min, trigger 60"),
        (45.5, HANDOVER, AMBER, "Amber: 45.5 min, trigger 30"),
        (12, HANDOVER, GREEN, "Green: 12 min, below amber trigger 30"),
        (80, GP_SLOTS, RED, "Red: 80 min, trigger 100"),
        (150, GP_SLOTS, AMBER, "Amber: 150 min, trigger 200"),
        (1250, GP_SLOTS, GREEN, "Green: 1,250 min, above amber trigger 200"),
        (94, None, NO_TRIGGERS, "94 min, no trigger levels set"),
    ],
)
def test_status_has_colour_and_words(value, triggers, colour, words):
    status = rag(value, "min", triggers)
    assert status.colour == colour
    assert status.words == words


@pytest.mark.parametrize(
    ("amber", "red", "direction", "message"),
    [
        (60, 30, HIGHER_IS_WORSE, "cannot be below the amber trigger"),
        (100, 200, LOWER_IS_WORSE, "cannot be above the amber trigger"),
        (-1, 5, HIGHER_IS_WORSE, "0 or more"),
        (float("nan"), 5, HIGHER_IS_WORSE, "0 or more"),
        (1, 5, "sideways", "unknown direction"),
    ],
)
def test_unreadable_trigger_levels_are_refused(amber, red, direction, message):
    with pytest.raises(TriggerError, match=message):
        Triggers(amber=amber, red=red, direction=direction)


def test_equal_amber_and_red_levels_are_allowed():
    assert rag(5, "", Triggers(5, 5, HIGHER_IS_WORSE)).colour == RED


values = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@st.composite
def trigger_levels(draw):
    direction = draw(st.sampled_from([HIGHER_IS_WORSE, LOWER_IS_WORSE]))
    a, b = sorted((draw(values), draw(values)))
    amber, red = (a, b) if direction == HIGHER_IS_WORSE else (b, a)
    return Triggers(amber=amber, red=red, direction=direction)


@given(trigger_levels(), values, values)
def test_a_worse_value_never_gives_a_better_status(triggers, x, y):
    low, high = sorted((x, y))
    worse, better = (high, low) if triggers.direction == HIGHER_IS_WORSE else (low, high)
    assert SEVERITY[rag(worse, "", triggers).colour] >= SEVERITY[rag(better, "", triggers).colour]


@given(trigger_levels(), values)
def test_every_status_names_its_colour_and_figure_in_words(triggers, value):
    status = rag(value, "beds", triggers)
    assert status.words.startswith(status.colour.capitalize() + ":")
    assert fmt(value) in status.words


@pytest.mark.parametrize(
    ("current", "previous", "direction", "judgement", "words"),
    [
        (94, 82, HIGHER_IS_WORSE, "worse", "Up 12 from 82 (worse)"),
        (70, 82, HIGHER_IS_WORSE, "better", "Down 12 from 82 (better)"),
        (70, 82, LOWER_IS_WORSE, "worse", "Down 12 from 82 (worse)"),
        (82, 82, LOWER_IS_WORSE, "no change", "No change from 82"),
        (82, None, LOWER_IS_WORSE, "", "No earlier reading"),
    ],
)
def test_trend_against_the_previous_reading(current, previous, direction, judgement, words):
    found = trend(current, previous, direction)
    assert (found.judgement, found.words) == (judgement, words)


NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("minutes_old", "stale_after_hours", "stale", "words"),
    [
        (0.5, 2, False, "just now"),
        (1, 2, False, "1 minute ago"),
        (45, 2, False, "45 minutes ago"),
        (120, 2, True, "2 hours ago (stale)"),
        (60 * 50, 24, True, "2 days ago (stale)"),
    ],
)
def test_age_and_staleness(minutes_old, stale_after_hours, stale, words):
    found = age(NOW - timedelta(minutes=minutes_old), NOW, timedelta(hours=stale_after_hours))
    assert (found.stale, found.words) == (stale, words)


def test_sparkline_spans_the_box_with_the_highest_value_at_the_top():
    points = [tuple(map(float, p.split(","))) for p in sparkline([10, 40, 20], 120, 28, 3).split()]
    assert [x for x, _ in points] == [3.0, 60.0, 117.0]
    assert points[1][1] == 3.0  # highest value at the top
    assert points[0][1] == 25.0  # lowest at the bottom
    assert sparkline([5]) == ""
    assert {p.split(",")[1] for p in sparkline([7, 7, 7]).split()} == {"14.0"}


def test_sparkline_words_describe_the_line():
    assert sparkline_words([82, 94], "min") == (
        "Last 2 readings, from 82 to 94 min; lowest 82, highest 94"
    )
    assert sparkline_words([1], "min") == "Not enough readings for a trend"
