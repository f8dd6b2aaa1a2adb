"""Unit: the dashboard's pure parts (monthly rates, league and peers, trajectories, charts)."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from homeward.measures.definitions import FIELDS, MonthFigures, measure, months
from homeward.measures.performance import (
    council_type,
    league,
    monthly,
    peer_group,
    period_target,
    read_trajectory,
    value,
)
from homeward.performance.charts import bar_chart, line_chart


def test_monthly_rates_are_the_one_month_measures():
    rng = np.random.default_rng(7)
    period = months(dt.date(2019, 1, 1), dt.date(2019, 12, 1))
    present = rng.random((5, 12)) > 0.2
    totals = rng.integers(0, 3000, (5, 12)).astype(float)
    totals[rng.random((5, 12)) > 0.9] = np.nan
    adults = rng.integers(50_000, 900_000, (5, 12)).astype(float)
    adults[1] = np.nan
    got = monthly(period, present, totals, adults)
    for a in range(5):
        for m, month in enumerate(period):
            figures = []
            if present[a, m]:
                total = None if np.isnan(totals[a, m]) else int(totals[a, m])
                figures = [
                    MonthFigures(month, total, dict.fromkeys(FIELDS, 0), value(adults[a, m]))
                ]
            want = measure("X", month, month, figures)
            assert value(got.delayed_days[a, m]) == want.delayed_days
            assert value(got.delayed_beds_per_day[a, m]) == pytest.approx(want.delayed_beds_per_day)
            assert value(got.per_100k_adults[a, m]) == pytest.approx(want.per_100k_adults)


def rated(code: str, per_100k: float | None):
    """Measures of one month whose rate is `per_100k` (100,000 adults, 30 days)."""
    month = dt.date(2019, 9, 1)
    days = None if per_100k is None else round(per_100k * 30)
    figures = [MonthFigures(month, days, dict.fromkeys(FIELDS, 0), 100_000)]
    return measure(code, month, month, figures)


def test_league_ranks_lowest_first_with_peers_of_the_same_type_and_ties_shared():
    measures = {
        "E08000001": rated("E08000001", 9.0),
        "E08000002": rated("E08000002", 3.0),
        "E08000003": rated("E08000003", 3.0),
        "E10000001": rated("E10000001", 5.0),
        "E06000001": rated("E06000001", None),
    }
    names = {code: (f"Council {code[-1]}{code[2]}", "North West") for code in measures}
    rows = league(measures, names, {"E08000001": 8.0})
    assert [r.code for r in rows] == [
        "E08000002",
        "E08000003",
        "E10000001",
        "E08000001",
        "E06000001",
    ]
    assert [r.rank for r in rows] == [1, 1, 3, 4, None]
    by_code = {r.code: r for r in rows}
    assert (by_code["E08000001"].peer_rank, by_code["E08000001"].peers) == (3, 3)
    assert by_code["E08000001"].peer_median == 3.0
    assert by_code["E10000001"].peers == 1
    assert by_code["E08000001"].against_target == pytest.approx(1.0)
    assert by_code["E06000001"].peer_rank is None
    assert by_code["E06000001"].kind == "Unitary authority"


def test_council_types_come_from_the_code():
    assert council_type("E09000033") == "London borough"
    assert peer_group("E06000001") == "unitary authorities"
    assert peer_group("E09000033") == "London boroughs"
    assert council_type("E10000016") == "County council"
    assert council_type("E92000001") is None


def test_a_period_target_is_day_weighted_and_needs_every_month():
    feb, mar = dt.date(2019, 2, 1), dt.date(2019, 3, 1)
    assert period_target({feb: 10.0, mar: 20.0}, [feb, mar]) == pytest.approx(
        (10 * 28 + 20 * 31) / 59
    )
    assert period_target({feb: 10.0}, [feb, mar]) is None
    assert period_target({feb: 10.0}, []) is None


def test_a_good_trajectory_file_is_read():
    got = read_trajectory(
        b"\xef\xbb\xbfMonth,Area_Code,target_per_100k\n2019-04,e08000009,9.5\n\n2019-05,E92000001,0\n"
    )
    assert got.errors == []
    assert [(r.line, r.area_code, r.month, r.target_per_100k) for r in got.rows] == [
        (2, "E08000009", dt.date(2019, 4, 1), 9.5),
        (4, "E92000001", dt.date(2019, 5, 1), 0.0),
    ]
    assert got.lines_read == 2


def test_every_bad_line_is_named_with_its_reason():
    got = read_trajectory(
        b"area_code,month,target_per_100k\n"
        b"E07000001,2019-04,9\n"
        b"E08000009,2019-13,9\n"
        b"E08000009,2019-04,-1\n"
        b"E08000009,2019-05,lots\n"
        b"E08000009,2019-06,8\n"
        b"E08000009,2019-06,7\n"
    )
    lines = [line for line, _ in got.errors]
    assert lines == [2, 3, 4, 5, 7]
    reasons = dict(got.errors)
    assert "not a council ONS code" in reasons[2]
    assert "use YYYY-MM" in reasons[3]
    assert "from 0 to 1,000" in reasons[4]
    assert "'lots'" in reasons[5]
    assert "already given on line 6" in reasons[7]
    assert got.lines_read == 6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"area,month\nE08000009,2019-04\n", "missing column(s) area_code, target_per_100k"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"area_code,month,target_per_100k\n", "no targets"),
    ],
)
def test_an_unusable_file_says_why(data, message):
    got = read_trajectory(data)
    assert got.rows == []
    assert message in got.errors[0][1]


def test_the_line_chart_says_in_words_what_it_draws():
    period = months(dt.date(2019, 1, 1), dt.date(2019, 4, 1))
    chart = line_chart("t", "Trafford", period, [5.0, None, 7.5, 6.0], [6.0, 6.0, 6.0, None])
    assert len(chart["actual"]) == 2  # the missing month breaks the line
    assert len(chart["actual_markers"]) == 3 and len(chart["target_markers"]) == 3
    assert "5.00 in January 2019, highest 7.50 in March 2019, 6.00 in April 2019" in chart["desc"]
    assert "Above its trajectory in 1 of the 2 months with a target" in chart["desc"]


def test_the_bar_chart_names_the_chosen_council_in_words():
    measures = {c: rated(c, r) for c, r in (("E08000001", 4.0), ("E08000002", 2.0))}
    rows = league(measures, {"E08000001": ("Bolton", ""), "E08000002": ("Bury", "")})
    chart = bar_chart("p", rows, "E08000001", rows[0].peer_median)
    assert [b["label"] for b in chart["bars"]] == ["Bury", "Bolton (chosen)"]
    assert [b["chosen"] for b in chart["bars"]] == [False, True]
    assert chart["bars"][1]["width"] == pytest.approx(2 * chart["bars"][0]["width"])
    assert "Bolton 4.00, 2 of 2" in chart["desc"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), max_size=5), max_size=8))
@example([["\r0"]])  # found by Hypothesis: a bare carriage return inside a field
def test_any_csv_is_read_or_refused_line_by_line_never_crashing(cells):
    lines = ["area_code,month,target_per_100k", *(",".join(row) for row in cells)]
    got = read_trajectory("\n".join(lines).encode())
    for row in got.rows:
        assert 0 <= row.target_per_100k <= 1_000 and row.month.day == 1
    assert all(line >= 0 and reason for line, reason in got.errors)
    assert not ({r.line for r in got.rows} & {line for line, _ in got.errors})


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_are_refused_with_a_reason_or_read(data):
    got = read_trajectory(data)
    assert got.rows or got.errors
