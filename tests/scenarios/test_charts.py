"""Unit tests of the bands charts' geometry and their descriptions in words."""

import pytest

from homeward.scenarios import charts

DATES = ["2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02"]


@pytest.mark.parametrize(
    ("tallest", "top", "step"),
    [
        (0, 4, 1),
        (3, 4, 1),
        (38, 40, 10),
        (46, 50, 10),
        (0.9, 1, 0.25),
        (130, 160, 40),
        (401, 500, 100),
    ],
)
def test_axis_is_round_in_four_or_five_round_steps(tallest, top, step):
    assert charts._axis(tallest) == pytest.approx((top, step))


def test_days_without_a_value_break_the_band_and_line():
    band = {"median": [1, None, 2, 3], "p5": [0, None, 1, 2], "p95": [2, None, 4, 5]}
    chart = charts.bands_chart("c", "Wait", "days", DATES, band)
    assert [len(line.split()) for _, line in chart["segments"]] == [1, 2]
    assert [len(polygon.split()) for polygon, _ in chart["segments"]] == [2, 4]
    assert chart["capacity"] is None
    assert [label for _, label in chart["grid"]] == ["0", "1", "2", "3", "4", "5"]


def test_capacity_is_a_step_line_and_the_month_is_marked():
    band = {"median": [1, 2, 3, 3], "p5": [1, 1, 2, 2], "p95": [2, 3, 4, 4]}
    chart = charts.bands_chart("c", "In service", "people", DATES, band, [3, 3, 4, 4])
    points = [tuple(map(float, p.split(","))) for p in chart["capacity"].split()]
    assert len(points) == 8 and points[3][1] > points[4][1]  # higher places, higher on the page
    assert [label for _, label, _ in chart["ticks"]] == ["30 Jan", "Feb"]


def test_description_says_where_the_median_goes_and_the_band_at_the_end():
    band = {"median": [1, 4, 2, 2], "p5": [0, 1, 0, 1], "p95": [3, 8, 6, 5]}
    text = charts.describe("Waiting: P2", "people", DATES, band, [3, 3, 5, 5])
    assert text == (
        "Waiting: P2 (people): median 1 on 30 Jan 2025, highest 4 on 31 Jan 2025, 2 on "
        "2 Feb 2025; on that last day 90% of runs were between 1 and 5. Capacity 3 places, "
        "5 from 1 Feb 2025."
    )
    empty = {"median": [None] * 4, "p5": [None] * 4, "p95": [None] * 4}
    assert charts.describe("Wait", "days", DATES, empty) == "Wait: no values over the horizon."
