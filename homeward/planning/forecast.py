"""Forecasts of daily discharges needing each pathway over the next days, with intervals.

Method (weekday-adjusted recent mean): the level is the mean of the last `window` days, each
weekday's shape its own mean over that window relative to the level, and the forecast for a
day the level times its weekday's shape. Intervals are quantiles of a Poisson, or of a negative
binomial with the dispersion measured in the window when the counts vary more than a Poisson's
do. The uncertainty of the level itself is not added (small beside day-to-day variation after
eight weeks of data). Pure NumPy: counts in, arrays out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import numpy as np

MIN_HISTORY = 14


@dataclass(frozen=True)
class Forecast:
    """Expected discharges a day from `first` on, with a central `level` interval per day."""

    first: date
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    distribution: str
    dispersion: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "dates": [(self.first + timedelta(days=d)).isoformat() for d in range(self.mean.size)],
            "mean": [round(float(v), 3) for v in self.mean],
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
            "level": self.level,
            "distribution": self.distribution,
            "dispersion": round(self.dispersion, 3),
        }


def daily_counts(days: Sequence[date] | np.ndarray, first: date, last: date) -> np.ndarray:
    """How many of `days` fall on each day from `first` to `last` inclusive (others ignored)."""
    offsets = (np.asarray(days, dtype="datetime64[D]") - np.datetime64(first, "D")).astype(int)
    span = (last - first).days + 1
    inside = offsets[(offsets >= 0) & (offsets < span)]
    return np.bincount(inside, minlength=span)


def forecast(
    history: Sequence[int] | np.ndarray,
    last: date,
    *,
    horizon: int = 14,
    level: float = 0.9,
    window: int = 56,
) -> Forecast:
    """Forecast `horizon` days after `last` from daily counts ending on `last`.

    Steps:
    1. Keep the last `window` days (at least 14, so every weekday appears twice).
    2. Level = their mean; weekday shape = each weekday's mean / level (1 when all are 0).
    3. Expected count of a day = level x its weekday's shape.
    4. Dispersion = Pearson chi-square of the window's counts about their fits / (n - 7).
    5. Interval = the (1 - level)/2 and (1 + level)/2 quantiles of a Poisson (dispersion <= 1)
       or a negative binomial with variance dispersion x mean."""
    counts = np.asarray(history, dtype=float)[-window:]
    if counts.size < MIN_HISTORY or np.any(counts < 0) or not np.all(np.isfinite(counts)):
        raise ValueError(f"a forecast needs {MIN_HISTORY}+ days of counts of zero or more")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    weekdays = (last.weekday() - np.arange(counts.size)[::-1]) % 7
    overall = counts.mean()
    shape = np.array([counts[weekdays == w].mean() for w in range(7)]) / overall if overall else 1
    shape = np.broadcast_to(shape, (7,))
    fitted = overall * shape[weekdays]
    used = fitted > 0
    chi2 = np.sum((counts[used] - fitted[used]) ** 2 / fitted[used])
    dispersion = float(chi2 / max(used.sum() - 7, 1))
    ahead = (last.weekday() + 1 + np.arange(horizon)) % 7
    mean = overall * shape[ahead]
    tail = (1 - level) / 2
    lower = np.array([_quantile(m, dispersion, tail) for m in mean])
    upper = np.array([_quantile(m, dispersion, 1 - tail) for m in mean])
    name = "poisson" if dispersion <= 1 else "negative binomial"
    return Forecast(last + timedelta(days=1), mean, lower, upper, level, name, dispersion)


def forecast_pathways(
    histories: Mapping[str, Sequence[int] | np.ndarray], last: date, **options: Any
) -> dict[str, Forecast]:
    """A forecast for each pathway's daily counts (all ending on `last`)."""
    return {pathway: forecast(counts, last, **options) for pathway, counts in histories.items()}


def _quantile(mean: float, dispersion: float, q: float) -> int:
    """The smallest count whose cumulative probability reaches `q`.

    Poisson when dispersion <= 1, else negative binomial with variance dispersion x mean; the
    probabilities come from the ratio of successive terms, summed in logs."""
    if mean <= 0:
        return 0
    sd = np.sqrt(mean * max(dispersion, 1.0))
    k = np.arange(1, int(mean + 12 * sd + 20) + 1)
    if dispersion <= 1:
        first, ratios = -mean, np.log(mean) - np.log(k)
    else:
        p, r = 1 / dispersion, mean / (dispersion - 1)
        first, ratios = r * np.log(p), np.log((k - 1 + r) / k) + np.log1p(-p)
    cumulative = np.cumsum(np.exp(first + np.concatenate([[0.0], np.cumsum(ratios)])))
    return int(min(np.searchsorted(cumulative, q), k[-1]))


def demand_from_forecasts(scenario, forecasts: Mapping[str, Forecast]):
    """`scenario` with each service's demand taken from its pathway's forecast: the forecast's
    mean a day shared between the pathway's services in proportion to their current demand
    (equally when all are zero), and its weekday pattern as the weekday profile. Services of
    pathways without a forecast, or whose forecast is zero, keep their demand."""
    services = list(scenario.services)
    for pathway, found in forecasts.items():
        level = float(found.mean.mean())
        chosen = [i for i, s in enumerate(services) if s.pathway == pathway]
        if not chosen or level <= 0:
            continue
        current = np.array([np.mean(services[i].demand.rate) for i in chosen])
        total = current.sum()
        shares = current / total if total > 0 else np.full(len(chosen), 1 / len(chosen))
        weekdays = (found.first.weekday() + np.arange(found.mean.size)) % 7
        profile = tuple(round(float(found.mean[weekdays == w].mean() / level), 3) for w in range(7))
        for index, share in zip(chosen, shares, strict=True):
            demand = replace(
                services[index].demand, rate=round(level * float(share), 3), weekday=profile
            )
            services[index] = replace(services[index], demand=demand)
    return replace(scenario, services=tuple(services))
