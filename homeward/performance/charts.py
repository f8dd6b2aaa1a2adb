"""Server-side SVG charts of the performance dashboard (drawn by `performance/_charts.jinja`):
the chosen area's rate month by month against its trajectory, and its peers as bars. Each
chart has a title and a description in words; lines differ by dash and marker shape, and the
chosen council's bar is labelled in words, so colour is never the only signal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from homeward.scenarios.charts import _axis, _number

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 18, 6, 230


def _runs(points: Sequence[tuple[float, float] | None]) -> list[str]:
    """SVG polyline point lists, one per run of consecutive months with a value."""
    found, current = [], []
    for p in points:
        if p is None:
            if current:
                found.append(" ".join(current))
            current = []
        else:
            current.append(f"{p[0]:.1f},{p[1]:.1f}")
    if current:
        found.append(" ".join(current))
    return found


def _fmt(x: float | None) -> str:
    return "no figure" if x is None else f"{x:.2f}"


def line_chart(
    chart_id: str,
    area: str,
    period: Sequence[dt.date],
    actual: Sequence[float | None],
    target: Sequence[float | None],
) -> dict:
    """Delayed beds per day per 100,000 adults by month (solid line, round markers) and the
    trajectory (dashed line, square markers), with a description naming the first, highest
    and last months and how many months were above the trajectory."""
    tallest = max([v for v in (*actual, *target) if v is not None] + [0])
    top, step = _axis(tallest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(period)

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n if n else 0)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    actual_points = [None if v is None else (x(i), y(v)) for i, v in enumerate(actual)]
    target_points = [None if v is None else (x(i), y(v)) for i, v in enumerate(target)]
    grid = []
    level = 0.0
    while level <= top + 1e-9:
        grid.append((y(level), _number(level)))
        level += step
    every = max(1, round(n / 8))
    ticks = [(x(i), f"{m:%b %Y}") for i, m in enumerate(period) if i % every == 0]
    shown = [(m, v) for m, v in zip(period, actual, strict=True) if v is not None]
    if shown:
        peak = max(shown, key=lambda p: p[1])
        desc = (
            f"{area}, delayed beds per day per 100,000 adults: {shown[0][1]:.2f} in "
            f"{shown[0][0]:%B %Y}, highest {peak[1]:.2f} in {peak[0]:%B %Y}, {shown[-1][1]:.2f} "
            f"in {shown[-1][0]:%B %Y}."
        )
    else:
        desc = f"{area}: no months with a rate in the period."
    compared = [(a, t) for a, t in zip(actual, target, strict=True) if None not in (a, t)]
    if compared:
        above = sum(1 for a, t in compared if a > t)
        desc += f" Above its trajectory in {above} of the {len(compared)} months with a target."
    else:
        desc += " No trajectory for these months."
    return {
        "id": chart_id,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "tick_y": HEIGHT - 8,
        "grid": grid,
        "ticks": ticks,
        "actual": _runs(actual_points),
        "actual_markers": [p for p in actual_points if p is not None],
        "target": _runs(target_points),
        "target_markers": [p for p in target_points if p is not None],
        "title": f"{area}: delayed beds per day per 100,000 adults by month",
        "desc": desc,
    }


def bar_chart(chart_id: str, rows: Sequence, chosen: str, median: float | None) -> dict:
    """One horizontal bar per peer (their rate over the period, lowest first), the chosen
    council's bar marked and labelled "(chosen)", the peer median as a dashed line."""
    rated = [r for r in rows if r.measures.per_100k_adults is not None]
    tallest = max([r.measures.per_100k_adults for r in rated] + [median or 0, 0])
    top, step = _axis(tallest)
    plot_w = WIDTH - LABEL_WIDTH - RIGHT
    height = TOP + len(rated) * (BAR_HEIGHT + BAR_GAP) + BOTTOM

    def x(v: float) -> float:
        return LABEL_WIDTH + plot_w * v / top

    bars = []
    for i, r in enumerate(rated):
        rate = r.measures.per_100k_adults
        is_chosen = r.code == chosen
        bars.append(
            {
                "y": TOP + i * (BAR_HEIGHT + BAR_GAP),
                "width": x(rate) - LABEL_WIDTH,
                "label": f"{r.name} (chosen)" if is_chosen else r.name,
                "value": f"{rate:.2f}",
                "value_x": x(rate) + 4,
                "chosen": is_chosen,
            }
        )
    grid = []
    level = 0.0
    while level <= top + 1e-9:
        grid.append((x(level), _number(level)))
        level += step
    chosen_row = next((r for r in rated if r.code == chosen), None)
    desc = f"{len(rated)} peers by delayed beds per day per 100,000 adults, lowest first"
    if median is not None:
        desc += f"; peer median {median:.2f}"
    if chosen_row is not None:
        desc += (
            f"; {chosen_row.name} {chosen_row.measures.per_100k_adults:.2f}, "
            f"{chosen_row.peer_rank} of {chosen_row.peers}"
        )
    return {
        "id": chart_id,
        "width": WIDTH,
        "height": height,
        "label_x": LABEL_WIDTH - 6,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
        "grid": grid,
        "grid_top": TOP,
        "grid_bottom": height - BOTTOM,
        "tick_y": height - 8,
        "median_x": None if median is None else x(median),
        "title": "Peers: delayed beds per day per 100,000 adults",
        "desc": desc + ".",
    }
