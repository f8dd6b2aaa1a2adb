"""Server-side SVG charts of a run (drawn by `scenarios/_chart.jinja`): per day the median as a
line and the 5-95% band across replications as a shaded area, with capacity as a dashed step
line where it applies. Each chart carries a title and a description in words (its text
alternative)."""

import math
from datetime import date

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 26


def _axis(value: float) -> tuple[float, float]:
    """A round axis maximum at or above `value` and its round step, 4 or 5 steps to the top
    (the lowest such maximum)."""
    if value <= 0:
        return 4.0, 1.0
    found = []
    for steps in (4, 5):
        power = 10 ** math.floor(math.log10(value / steps))
        step = next(f * power for f in (1, 2, 2.5, 4, 5, 10) if f * power >= value / steps)
        found.append((steps * step, steps, step))
    top, _, step = min(found)
    return top, step


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2g}"


def _runs(values: list[float | None]) -> list[list[int]]:
    """Consecutive days that have a value."""
    found, current = [], []
    for day, value in enumerate(values):
        if value is None:
            if current:
                found.append(current)
            current = []
        else:
            current.append(day)
    if current:
        found.append(current)
    return found


def _day(text: str) -> str:
    return date.fromisoformat(text).strftime("%-d %b %Y")


def describe(label: str, unit: str, dates: list[str], band: dict, capacity=None) -> str:
    """The chart in words: where the median starts, peaks and ends, and the band at the end."""
    median, low, high = band["median"], band["p5"], band["p95"]
    days = [d for d, v in enumerate(median) if v is not None]
    if not days:
        return f"{label}: no values over the horizon."
    first, last = days[0], days[-1]
    peak = max(days, key=lambda d: median[d])
    text = (
        f"{label} ({unit}): median {_number(median[first])} on {_day(dates[first])}, "
        f"highest {_number(median[peak])} on {_day(dates[peak])}, "
        f"{_number(median[last])} on {_day(dates[last])}; on that last day 90% of runs were "
        f"between {_number(low[last])} and {_number(high[last])}."
    )
    if capacity is not None:
        text += f" Capacity {capacity[0]:,} places"
        changes = [(d, c) for d, c in enumerate(capacity) if d and c != capacity[d - 1]]
        text += "".join(f", {c:,} from {_day(dates[d])}" for d, c in changes) + "."
    return text


def bands_chart(
    chart_id: str, label: str, unit: str, dates: list[str], band: dict, capacity=None
) -> dict:
    """The geometry of an SVG chart of one daily band (`results.band`), optionally with
    capacity, for `scenarios/_chart.jinja`: grid lines, axis ticks, band polygons and median
    lines (one per run of days with values) and the capacity steps."""
    median, low, high = band["median"], band["p5"], band["p95"]
    days = len(dates)
    tallest = max([v for v in high if v is not None] + list(capacity or []) + [0])
    top, step = _axis(tallest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: float) -> float:
        return round(LEFT + plot_w * day / max(days - 1, 1), 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    grid = [(y(k * step), _number(k * step)) for k in range(round(top / step) + 1)]
    ticks = []
    for day, text in enumerate(dates):
        when = date.fromisoformat(text)
        if day == 0:
            ticks.append((x(day), when.strftime("%-d %b"), "start"))
        elif when.day == 1 and day >= days * 0.15:
            ticks.append((x(day), when.strftime("%b"), "middle"))
    segments = [
        (
            " ".join(
                [f"{x(d)},{y(high[d])}" for d in segment]
                + [f"{x(d)},{y(low[d])}" for d in reversed(segment)]
            ),
            " ".join(f"{x(d)},{y(median[d])}" for d in segment),
        )
        for segment in _runs(median)
    ]
    steps = None
    if capacity is not None:
        steps = " ".join(
            f"{x(day)},{y(places)} {x(min(day + 1, days - 1))},{y(places)}"
            for day, places in enumerate(capacity)
        )
    return {
        "id": chart_id,
        "title": label,
        "desc": describe(label, unit, dates, band, capacity),
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "grid": grid,
        "ticks": ticks,
        "tick_y": HEIGHT - 8,
        "segments": segments,
        "capacity": steps,
    }
