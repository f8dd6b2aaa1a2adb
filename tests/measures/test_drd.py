"""Unit tests (pure functions) pinning the Discharge Ready Date measures and delayed days of
`homeward.measures.drd` on hand-computed cases, plus Hypothesis properties."""

import subprocess
import sys
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.cases.rules import discharge_ready_date
from homeward.measures import drd
from homeward.measures.drd import (
    BAND_NAMES,
    Band,
    delayed_days_by_period,
    delayed_days_in_period,
    drd_measures,
    drd_measures_by,
    group_index,
    round_1dp,
)

D = date(2024, 5, 1)


def days_after(n: int) -> date:
    return D + timedelta(days=n)


def band_people(result) -> dict[str, int]:
    return {name: band.people for name, band in result.delay_bands.items()}


def test_same_day_discharge_is_zero_delay_and_counts_on_drd():
    result = drd_measures([D], [D])
    assert result.discharges == 1
    assert result.discharged_on_drd == 1
    assert result.delayed == 0
    assert result.pct_discharged_on_drd == 100.0
    assert result.pct_delayed == 0.0
    assert result.delayed_bed_days == 0
    assert result.avg_delay_days_excl_zero == 0.0
    assert all(band == Band(0, 0) for band in result.delay_bands.values())


def test_one_day_after_drd_is_delayed_one_bed_day():
    result = drd_measures([D], [days_after(1)])
    assert (result.discharged_on_drd, result.delayed, result.delayed_bed_days) == (0, 1, 1)
    assert result.delay_bands["1"] == Band(people=1, bed_days=1)


def test_readmission_to_criteria_restarts_the_drd():
    # Ready on 1 May, meets the criteria again on 3 May (deteriorated), ready again on 6 May,
    # discharged 8 May: the DRD is 6 May, so the delay is 2 days, not 7.
    events = [
        (datetime(2024, 5, 1, 10, 0), False),
        (datetime(2024, 5, 3, 9, 30), True),
        (datetime(2024, 5, 6, 16, 0), False),
    ]
    ready = discharge_ready_date(events, lambda at: at.date())
    assert ready == date(2024, 5, 6)
    result = drd_measures([ready], [date(2024, 5, 8)])
    assert result.delayed_bed_days == 2
    assert result.delay_bands["2-3"] == Band(people=1, bed_days=2)
    assert result.delay_bands["4-6"].people == 0


def test_band_boundaries():
    delays = [1, 2, 3, 4, 6, 7, 13, 14, 20, 21]
    result = drd_measures([D] * len(delays), [days_after(n) for n in delays])
    assert band_people(result) == {"1": 1, "2-3": 2, "4-6": 2, "7-13": 2, "14-20": 2, "21+": 1}
    assert {name: b.bed_days for name, b in result.delay_bands.items()} == {
        "1": 1,
        "2-3": 5,
        "4-6": 10,
        "7-13": 20,
        "14-20": 34,
        "21+": 21,
    }
    assert result.delayed == 10
    assert result.delayed_bed_days == 91  # 1+2+3+4+6+7+13+14+20+21
    assert result.avg_delay_days_excl_zero == pytest.approx(9.1)


def test_long_delays_fall_in_the_open_band():
    result = drd_measures([D, D], [days_after(22), days_after(400)])
    assert result.delay_bands["21+"] == Band(people=2, bed_days=422)


def test_hand_computed_mix_and_rounding():
    # delays 0, 0, 1, 3, 8 and one missing DRD (not delayed) -> 6 discharges.
    drds = [D, D, D, D, D, None]
    left = [D, D, days_after(1), days_after(3), days_after(8), days_after(5)]
    result = drd_measures(drds, left)
    assert result.discharges == 6
    assert result.missing_drd == 1
    assert result.discharged_on_drd == 3
    assert result.delayed == 3
    assert result.pct_discharged_on_drd == 50.0
    assert result.pct_delayed == 50.0
    assert result.delayed_bed_days == 12
    assert result.avg_delay_days_excl_zero == 4.0
    out = drd_measures(drds[:5], left[:5]).as_dict()
    # 2/5 = 40 %, 3/5 = 60 %; average (1+3+8)/3 = 4
    assert out["pct_discharged_on_drd"] == 40.0
    assert out["pct_delayed"] == 60.0
    assert out["avg_delay_days_excl_zero"] == 4.0


def test_json_output_rounds_only_there():
    # 1 of 3 on DRD: exact 33.333..., shown as 33.3; average (1 + 2) / 2 = 1.5.
    result = drd_measures([D, D, D], [D, days_after(1), days_after(2)])
    assert result.pct_discharged_on_drd == pytest.approx(100 / 3)
    out = result.as_dict()
    assert out["pct_discharged_on_drd"] == 33.3
    assert out["pct_delayed"] == 66.7
    assert out["avg_delay_days_excl_zero"] == 1.5
    assert list(out) == [
        "discharges",
        "pct_discharged_on_drd",
        "pct_delayed",
        "avg_delay_days_excl_zero",
        "delay_bands",
        "delayed_bed_days",
    ]
    assert list(out["delay_bands"]) == list(BAND_NAMES)


def test_round_half_up():
    assert round_1dp(2.25) == 2.3
    assert round_1dp(12.35) == 12.4
    assert round_1dp(0.04) == 0.0


def test_missing_drd_is_not_delayed():
    result = drd_measures(np.array(["NaT", "2024-05-01"], dtype="datetime64[D]"), [D, D])
    assert result.missing_drd == 1
    assert result.delayed == 0
    assert result.discharged_on_drd == 2


def test_discharge_before_drd_raises_naming_how_many():
    with pytest.raises(ValueError, match="2 spells discharged before the discharge ready date"):
        drd_measures([D, D, D], [days_after(-1), D, days_after(-3)])
    with pytest.raises(ValueError, match="1 spell discharged before"):
        drd_measures([D], [days_after(-1)])


def test_spell_without_discharge_is_refused_by_the_discharge_measures():
    with pytest.raises(ValueError, match="1 spell without a discharge date"):
        drd_measures([D, D], [D, None])


def test_lengths_must_match():
    with pytest.raises(ValueError, match="2 discharge ready dates but 1 discharge dates"):
        drd_measures([D, D], [D])


def test_empty_input_gives_zeros():
    result = drd_measures([], [])
    assert result.discharges == 0
    assert result.pct_discharged_on_drd == 0.0
    assert result.pct_delayed == 0.0
    assert result.avg_delay_days_excl_zero == 0.0
    assert result.delayed_bed_days == 0
    assert all(band == Band(0, 0) for band in result.delay_bands.values())
    assert drd_measures_by(np.array([], dtype=int), [], []) == {}
    empty = np.array([], dtype="datetime64[D]")
    assert delayed_days_in_period(empty, empty, D, days_after(30)) == 0


def test_input_forms_agree():
    as_dates = ([D, None], [days_after(4), days_after(2)])
    as_numpy = (
        np.array([D, "NaT"], dtype="datetime64[D]"),
        np.array([days_after(4), days_after(2)], dtype="datetime64[D]"),
    )
    epoch = date(1970, 1, 1)
    as_ints = (
        np.array([(D - epoch).days, np.nan]),
        np.array([(days_after(4) - epoch).days, (days_after(2) - epoch).days]),
    )
    results = [drd_measures(*form) for form in (as_dates, as_numpy, as_ints)]
    assert results[0] == results[1] == results[2]
    assert results[0].delay_bands["4-6"] == Band(1, 4)


def test_unsupported_dates_are_refused():
    with pytest.raises(TypeError):
        drd_measures(["2024-05-01"], ["2024-05-02"])
    with pytest.raises(ValueError, match="whole numbers"):
        drd_measures(np.array([1.5]), np.array([3.0]))


# Delayed days in a period: spans [DRD, discharge) clipped to the period.
MAY_1, MAY_31 = date(2024, 5, 1), date(2024, 5, 31)


@pytest.mark.parametrize(
    ("ready", "left", "expected"),
    [
        (date(2024, 5, 10), date(2024, 5, 15), 5),  # inside: 10..14
        (date(2024, 4, 25), date(2024, 5, 3), 2),  # crosses the start: 1 and 2 May
        (date(2024, 5, 28), date(2024, 6, 4), 4),  # crosses the end: 28..31 May
        (date(2024, 4, 20), date(2024, 6, 10), 31),  # covers the whole month
        (date(2024, 5, 20), None, 12),  # still in hospital: 20..31 May
        (date(2024, 4, 1), date(2024, 4, 30), 0),  # before the period
        (date(2024, 6, 1), date(2024, 6, 9), 0),  # after the period
        (date(2024, 5, 12), date(2024, 5, 12), 0),  # discharged on the DRD
        (None, date(2024, 5, 12), 0),  # no DRD: not delayed
        (date(2024, 4, 30), date(2024, 5, 1), 0),  # left on the period's first day
        (date(2024, 5, 31), date(2024, 6, 1), 1),  # last day of the period only
    ],
)
def test_delayed_days_in_period(ready, left, expected):
    assert delayed_days_in_period([ready], [left], MAY_1, MAY_31) == expected


def test_delayed_days_in_period_sums_spells_and_splits_across_periods():
    ready = [date(2024, 4, 25), date(2024, 5, 28), None]
    left = [date(2024, 5, 3), None, date(2024, 5, 5)]
    assert delayed_days_in_period(ready, left, MAY_1, MAY_31) == 2 + 4
    assert delayed_days_in_period(ready, left, date(2024, 4, 1), date(2024, 4, 30)) == 6
    assert delayed_days_in_period(ready, left, date(2024, 6, 1), date(2024, 6, 30)) == 30
    with pytest.raises(ValueError, match="discharged before"):
        delayed_days_in_period([MAY_31], [MAY_1], MAY_1, MAY_31)
    with pytest.raises(ValueError, match="ends before it starts"):
        delayed_days_in_period([MAY_1], [MAY_31], MAY_31, MAY_1)


def test_delayed_days_per_council_per_month():
    councils = np.array(["E08000009", "E08000009", "E08000003", "E08000003"])
    ready = [date(2024, 4, 25), date(2024, 5, 28), date(2024, 5, 10), None]
    left = [date(2024, 5, 3), date(2024, 6, 4), None, date(2024, 5, 20)]
    starts = np.array(["2024-04-01", "2024-05-01", "2024-06-01"], dtype="datetime64[D]")
    result = delayed_days_by_period(councils, ready, left, starts, date(2024, 6, 30))
    assert result.labels == ["E08000003", "E08000009"]
    # E08000003: still in hospital from 10 May -> 22 days in May, 30 in June.
    # E08000009: 25-30 Apr (6) + 1-2 May (2); 28-31 May (4) + 1-3 June (3).
    assert result.as_dict() == {"E08000003": [0, 22, 30], "E08000009": [6, 6, 3]}
    assert result.delayed_by_day.shape == (2, 91)
    assert result.delayed_by_day[1, 24] == 1  # 25 April: one person delayed
    with pytest.raises(ValueError, match="increasing order"):
        delayed_days_by_period(councils, ready, left, starts[::-1], date(2024, 6, 30))


def test_measures_per_group_and_composite_keys():
    councils = np.array([9, 9, 3, 9])
    months = np.array([5, 6, 5, 5])
    ready = [D, D, D, D]
    left = [days_after(2), D, days_after(21), D]
    by = drd_measures_by((councils, months), ready, left)
    assert list(by) == [(3, 5), (9, 5), (9, 6)]
    assert by[(3, 5)].delay_bands["21+"] == Band(1, 21)
    assert (by[(9, 5)].discharges, by[(9, 5)].delayed, by[(9, 5)].delayed_bed_days) == (2, 1, 2)
    assert by[(9, 6)].pct_discharged_on_drd == 100.0
    labels, codes = group_index(np.array(["b", "a", "b"]))
    assert labels == ["a", "b"]
    assert codes.tolist() == [1, 0, 1]
    months = np.array(["2024-06", "2024-04", "2024-06"], dtype="datetime64[M]")
    labels, codes = group_index(months)
    assert labels == [date(2024, 4, 1), date(2024, 6, 1)]
    assert codes.tolist() == [1, 0, 1]
    labels, codes = group_index(np.append(months, np.datetime64("NaT")))
    assert labels == [date(2024, 4, 1), date(2024, 6, 1), None]
    assert codes.tolist() == [1, 0, 1, 2]
    labels, codes = group_index(np.array([10**12, 5]))  # a wide range: sorted, not tabled
    assert (labels, codes.tolist()) == ([5, 10**12], [1, 0])


# Hypothesis: the bands partition the delayed people and their bed days, and the grouped
# computations agree with the ungrouped ones.
spell = st.tuples(
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),  # DRD as a day number
    st.integers(min_value=0, max_value=90),  # delay days
    st.integers(min_value=0, max_value=4),  # group
)


@settings(max_examples=200, deadline=None)
@given(st.lists(spell, max_size=60))
def test_bands_partition_the_delayed(spells):
    ready = np.array([np.nan if r is None else r for r, _, _ in spells], dtype=float)
    left = np.array([(r or 0) + d for r, d, _ in spells], dtype=np.int64)
    result = drd_measures(ready, left)
    assert sum(b.people for b in result.delay_bands.values()) == result.delayed
    assert sum(b.bed_days for b in result.delay_bands.values()) == result.delayed_bed_days
    assert result.discharged_on_drd + result.delayed == result.discharges == len(spells)
    expected_delayed = [d for r, d, _ in spells if r is not None and d > 0]
    assert result.delayed == len(expected_delayed)
    assert result.delayed_bed_days == sum(expected_delayed)
    groups = np.array([g for _, _, g in spells], dtype=np.int64)
    by = drd_measures_by(groups, ready, left)
    assert sum(m.discharges for m in by.values()) == result.discharges
    assert sum(m.delayed_bed_days for m in by.values()) == result.delayed_bed_days


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
            st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
            st.integers(min_value=0, max_value=3),
        ),
        max_size=40,
    ),
    st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=4),
)
def test_grouped_delayed_days_match_the_period_definition(spells, lengths):
    ready = np.array([np.nan if r is None else r for r, _, _ in spells], dtype=float)
    left = np.array([np.nan if d is None else (r or 0) + d for r, d, _ in spells], dtype=float)
    groups = np.array([g for _, _, g in spells], dtype=np.int64)
    starts = 20 + np.concatenate([[0], np.cumsum(lengths)[:-1]])
    end = int(starts[-1] + lengths[-1] - 1)
    result = delayed_days_by_period(groups, ready, left, starts, end)
    bounds = [*starts.tolist(), end + 1]
    for i, label in enumerate(result.labels):
        mine = groups == label
        for p in range(len(starts)):
            expected = delayed_days_in_period(ready[mine], left[mine], bounds[p], bounds[p + 1] - 1)
            # and the same count by brute force, day by day
            brute = sum(
                1
                for r, x in zip(ready[mine], left[mine], strict=True)
                if not np.isnan(r)
                for day in range(bounds[p], bounds[p + 1])
                if r <= day and (np.isnan(x) or day < x)
            )
            assert result.days[i, p] == expected == brute


def test_module_is_pure():
    code = f"import sys; import {drd.__name__}; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
