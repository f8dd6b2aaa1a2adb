"""Unit tests (pure functions) of `homeward.planning.forecast`: daily counts, weekday shape,
and intervals that contain the truth as often as they claim on synthetic data."""

from datetime import date, timedelta

import numpy as np
import pytest

from homeward.planning.forecast import daily_counts, forecast, forecast_pathways

LAST = date(2025, 3, 2)  # a Sunday
SHAPE = np.array([1.3, 1.2, 1.1, 1.0, 1.1, 0.6, 0.7])  # Monday..Sunday


def weekday_means(level: float, days: int, first_weekday: int) -> np.ndarray:
    return level * SHAPE[(first_weekday + np.arange(days)) % 7]


def coverage(draw, level: float, trials: int = 300) -> tuple[float, str]:
    """Share of future days inside the forecast interval, over many synthetic histories."""
    rng = np.random.default_rng(42)
    first = (LAST - timedelta(days=55)).weekday()
    past, future = weekday_means(level, 56, first), weekday_means(level, 14, 0)
    hits, kinds = 0, set()
    for _ in range(trials):
        made = forecast(draw(rng, past), LAST, horizon=14, level=0.9)
        truth = draw(rng, future)
        hits += np.sum((truth >= made.lower) & (truth <= made.upper))
        kinds.add(made.distribution)
    return hits / (trials * 14), kinds


def test_poisson_intervals_contain_the_truth_about_90_percent_of_the_time():
    share, _ = coverage(lambda rng, mean: rng.poisson(mean), level=12.0)
    assert 0.87 <= share <= 0.97


def test_overdispersed_counts_get_negative_binomial_intervals_that_still_cover():
    def gamma_poisson(rng, mean):
        return rng.poisson(rng.gamma(4.0, mean / 4.0))  # variance = mean + mean^2 / 4

    share, kinds = coverage(gamma_poisson, level=20.0)
    assert kinds == {"negative binomial"}
    assert 0.85 <= share <= 0.97


def test_forecast_follows_the_weekday_shape_and_dates():
    history = np.tile([13, 12, 11, 10, 11, 6, 7], 8)  # Monday first; ends on a Sunday
    made = forecast(history, LAST)
    assert made.first == date(2025, 3, 3)
    assert made.mean[:7].tolist() == pytest.approx([13, 12, 11, 10, 11, 6, 7])
    assert made.distribution == "poisson"  # no spread beyond the weekday shape
    data = made.to_dict()
    assert data["dates"][0] == "2025-03-03" and len(data["dates"]) == 14
    bounds = zip(data["lower"], data["mean"], data["upper"], strict=True)
    assert all(lo <= m <= hi for lo, m, hi in bounds)


def test_no_discharges_forecasts_none():
    made = forecast(np.zeros(28), LAST)
    assert made.mean.tolist() == [0.0] * 14 and made.upper.tolist() == [0] * 14


def test_large_counts_do_not_underflow():
    made = forecast(np.random.default_rng(1).poisson(4000, 56), LAST)
    assert 3800 < made.lower[0] < 4000 < made.upper[0] < 4200


def test_pathways_and_daily_counts():
    days = [date(2025, 2, 1), date(2025, 2, 1), date(2025, 2, 3), date(2025, 3, 9)]
    counts = daily_counts(days, date(2025, 2, 1), date(2025, 2, 4))
    assert counts.tolist() == [2, 0, 1, 0]
    made = forecast_pathways({"P1": np.full(28, 9), "P2": np.full(28, 2)}, LAST, horizon=7)
    assert set(made) == {"P1", "P2"} and made["P2"].mean.tolist() == [2.0] * 7


def test_short_or_negative_history_and_bad_level_are_refused():
    with pytest.raises(ValueError, match="14"):
        forecast(np.ones(13), LAST)
    with pytest.raises(ValueError, match="zero or more"):
        forecast(np.r_[np.ones(20), -1], LAST)
    with pytest.raises(ValueError, match="level"):
        forecast(np.ones(20), LAST, level=1.5)
