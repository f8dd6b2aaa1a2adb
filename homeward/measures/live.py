"""Pure definitions for the live whole-system view: an indicator's red/amber/green status
against an area's trigger levels, its trend against the previous reading, its age, and the
points of a small trend line. No Django here: the page, the API and the benchmark share these.

Every status has words as well as a colour ("Red: 94 min, trigger 60"), because colour is
never the only signal."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

HIGHER_IS_WORSE = "higher_is_worse"
LOWER_IS_WORSE = "lower_is_worse"
DIRECTIONS = (HIGHER_IS_WORSE, LOWER_IS_WORSE)

GREEN, AMBER, RED, NO_TRIGGERS = "green", "amber", "red", "none"
# How bad each status is, for ordering and for the property tests: a worse value never gives
# a lower severity.
SEVERITY = {NO_TRIGGERS: -1, GREEN: 0, AMBER: 1, RED: 2}


class TriggerError(ValueError):
    pass


@dataclass(frozen=True)
class Triggers:
    """The amber and red trigger levels of one indicator in one area."""

    amber: float
    red: float
    direction: str

    def __post_init__(self) -> None:
        check_triggers(self.amber, self.red, self.direction)


def check_triggers(amber: float, red: float, direction: str) -> None:
    """Refuse trigger levels that cannot be read: red must be at least as bad as amber."""
    if direction not in DIRECTIONS:
        raise TriggerError(f"unknown direction {direction!r}")
    for name, level in (("amber", amber), ("red", red)):
        if not math.isfinite(level) or level < 0:
            raise TriggerError(f"the {name} trigger must be a number of 0 or more")
    if direction == HIGHER_IS_WORSE and red < amber:
        raise TriggerError(
            f"higher is worse here, so the red trigger ({fmt(red)}) cannot be below the "
            f"amber trigger ({fmt(amber)})"
        )
    if direction == LOWER_IS_WORSE and red > amber:
        raise TriggerError(
            f"lower is worse here, so the red trigger ({fmt(red)}) cannot be above the "
            f"amber trigger ({fmt(amber)})"
        )


@dataclass(frozen=True)
class Status:
    colour: str  # green, amber, red, or none when the area has set no trigger levels
    words: str


def fmt(value: float) -> str:
    """A figure as people read it: whole numbers without decimals, others to one place."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _reached(value: float, level: float, direction: str) -> bool:
    return value >= level if direction == HIGHER_IS_WORSE else value <= level


def rag(value: float, unit: str, triggers: Triggers | None) -> Status:
    """Red when the value reaches the red trigger, amber when it reaches the amber one, green
    otherwise ("reaches" is at or above when higher is worse, at or below when lower is)."""
    shown = f"{fmt(value)} {unit}".strip()
    if triggers is None:
        return Status(NO_TRIGGERS, f"{shown}, no trigger levels set")
    if _reached(value, triggers.red, triggers.direction):
        return Status(RED, f"Red: {shown}, trigger {fmt(triggers.red)}")
    if _reached(value, triggers.amber, triggers.direction):
        return Status(AMBER, f"Amber: {shown}, trigger {fmt(triggers.amber)}")
    side = "below" if triggers.direction == HIGHER_IS_WORSE else "above"
    return Status(GREEN, f"Green: {shown}, {side} amber trigger {fmt(triggers.amber)}")


@dataclass(frozen=True)
class Trend:
    change: float | None  # current - previous; None without a previous reading
    direction: str  # up, down, same, or none
    judgement: str  # better, worse, no change, or "" without a previous reading
    words: str


def trend(current: float, previous: float | None, direction: str) -> Trend:
    """How the value moved since the previous reading, and whether that is better or worse."""
    if previous is None:
        return Trend(None, "none", "", "No earlier reading")
    change = current - previous
    if change == 0:
        return Trend(0.0, "same", "no change", f"No change from {fmt(previous)}")
    moved = "up" if change > 0 else "down"
    worse = (change > 0) == (direction == HIGHER_IS_WORSE)
    judgement = "worse" if worse else "better"
    words = f"{moved.capitalize()} {fmt(abs(change))} from {fmt(previous)} ({judgement})"
    return Trend(change, moved, judgement, words)


@dataclass(frozen=True)
class Age:
    seconds: float
    stale: bool
    words: str


def age_words(seconds: float) -> str:
    """'just now', '12 minutes ago', '3 hours ago', '2 days ago'."""
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = hours // 24
    return f"{days} days ago"


def age(measured_at: datetime, now: datetime, stale_after: timedelta) -> Age:
    """How old a figure is, and whether it is too old to trust (stale from `stale_after`)."""
    seconds = (now - measured_at).total_seconds()
    stale = seconds >= stale_after.total_seconds()
    words = age_words(seconds)
    return Age(seconds, stale, f"{words} (stale)" if stale else words)


def sparkline(
    values: Sequence[float], width: float = 120, height: float = 28, pad: float = 3
) -> str:
    """The `points` of an SVG polyline through the values, oldest first, scaled to the box;
    a flat line sits in the middle. Empty for fewer than two values."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = high - low
    step = (width - 2 * pad) / (len(values) - 1)
    points = []
    for i, value in enumerate(values):
        y = height / 2 if span == 0 else height - pad - (value - low) / span * (height - 2 * pad)
        points.append(f"{pad + i * step:.1f},{y:.1f}")
    return " ".join(points)


def sparkline_words(values: Sequence[float], unit: str) -> str:
    """The text alternative of a trend line: how many readings, from what to what, range."""
    if len(values) < 2:
        return "Not enough readings for a trend"
    last = f"{fmt(values[-1])} {unit}".strip()
    return (
        f"Last {len(values)} readings, from {fmt(values[0])} to {last}; "
        f"lowest {fmt(min(values))}, highest {fmt(max(values))}"
    )
