"""Unit: the delayed-transfer measures (pure, no database)."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.measures.definitions import (
    FIELDS,
    REASONS,
    MonthFigures,
    days_in_month,
    delayed_beds_per_day,
    measure,
    measure_many,
    months,
    pack,
    per_100k,
    reconcile,
    shares,
    unpack,
)

DEC_2019 = dt.date(2019, 12, 1)


def month(day: dt.date, total: int, adults: int | None = 1_000_000, **values) -> MonthFigures:
    """Figures for a month: every field 0 unless given; `O` absent before April 2017."""
    fields = {f: 0 for f in FIELDS if f != "O" or day >= dt.date(2017, 4, 1)}
    fields.update(values)
    return MonthFigures(month=day, delayed_days=total, values=fields, adults=adults)


def test_days_in_month_knows_leap_years_and_december():
    assert days_in_month(dt.date(2020, 2, 1)) == 29
    assert days_in_month(dt.date(2019, 2, 14)) == 28
    assert days_in_month(DEC_2019) == 31
    assert days_in_month(dt.date(2019, 4, 1)) == 30


def test_months_run_across_years_and_refuse_a_backwards_range():
    assert months(dt.date(2019, 11, 5), dt.date(2020, 2, 1)) == [
        dt.date(2019, 11, 1),
        dt.date(2019, 12, 1),
        dt.date(2020, 1, 1),
        dt.date(2020, 2, 1),
    ]
    with pytest.raises(ValueError, match="give the earlier month first"):
        months(dt.date(2020, 2, 1), dt.date(2019, 11, 1))


def test_one_month_gives_beds_per_day_the_rate_and_the_shares():
    m = measure("E1", DEC_2019, DEC_2019, [month(DEC_2019, 620, nhs=310, social_care=248, both=62)])

    assert m.delayed_days == 620 and m.days == 31
    assert m.delayed_beds_per_day == 20.0
    assert m.adults_18_plus == 1_000_000
    assert m.per_100k_adults == pytest.approx(2.0)
    assert m.attribution == {"nhs": 50.0, "social_care": 40.0, "both": 10.0}


def test_a_month_without_figures_is_listed_and_left_out_of_days():
    nov, dec = dt.date(2019, 11, 1), DEC_2019
    m = measure("E1", dt.date(2019, 10, 1), dec, [month(nov, 300), month(dec, 310)])

    assert m.missing_months == [dt.date(2019, 10, 1)]
    assert m.delayed_days == 610 and m.days == 30 + 31
    assert m.delayed_beds_per_day == 10.0


def test_a_missing_cell_makes_its_field_missing_for_the_period_never_zero():
    nov = dt.date(2019, 11, 1)
    m = measure("E1", nov, DEC_2019, [month(nov, 300, B=None, A=5), month(DEC_2019, 310, A=7)])

    assert m.by_field["B"] is None and m.by_field["A"] == 12
    assert m.missing_figures == [(nov, "B")]
    assert m.as_dict()["missing"]["figures"] == [{"month": "2019-11", "field": "B"}]


def test_a_missing_total_or_a_missing_share_part_gives_none_not_zero():
    m = measure("E1", DEC_2019, DEC_2019, [month(DEC_2019, None, nhs=None)])

    assert m.delayed_days is None and m.delayed_beds_per_day is None
    assert m.attribution["nhs"] is None and m.attribution["both"] is None


def test_reason_o_before_april_2017_is_not_collected_rather_than_zero():
    march, april = dt.date(2017, 3, 1), dt.date(2017, 4, 1)
    m = measure("E1", march, april, [month(march, 10), month(april, 20, O=4)])

    assert m.by_field["O"] is None
    assert m.not_collected == [(march, "O")]
    only_april = measure("E1", april, april, [month(april, 20, O=4)])
    assert only_april.by_field["O"] == 4


def test_the_population_is_weighted_by_days_and_each_month_uses_its_own_year():
    dec, jan = DEC_2019, dt.date(2020, 1, 1)
    m = measure("E1", dec, jan, [month(dec, 31, adults=100), month(jan, 31, adults=300)])

    assert m.adults_18_plus == 200.0
    assert m.per_100k_adults == pytest.approx(1.0 / 200.0 * 100_000)


def test_a_month_without_a_population_estimate_gives_no_rate_and_says_which_year():
    dec, jan = DEC_2019, dt.date(2020, 1, 1)
    m = measure("E1", dec, jan, [month(dec, 31), month(jan, 31, adults=None)])

    assert m.adults_18_plus is None and m.per_100k_adults is None
    assert m.population_years == [2020]


def test_no_figures_at_all_gives_missing_everything():
    m = measure("E1", DEC_2019, DEC_2019, [])

    assert m.delayed_days is None and m.days == 0 and m.delayed_beds_per_day is None
    assert all(v is None for v in m.by_field.values())


def test_two_sets_of_figures_for_one_month_are_an_error():
    with pytest.raises(ValueError, match="two sets of figures for 2019-12"):
        measure("E1", DEC_2019, DEC_2019, [month(DEC_2019, 1), month(DEC_2019, 2)])


def test_the_json_has_the_keys_the_issue_names():
    d = measure("E92000001", DEC_2019, DEC_2019, [month(DEC_2019, 31)]).as_dict()

    for key in (
        "delayed_days",
        "days",
        "delayed_beds_per_day",
        "adults_18_plus",
        "per_100k_adults",
        "attribution",
        "by_reason",
        "by_type_of_care",
    ):
        assert key in d
    assert list(d["by_reason"]) == list(REASONS)
    assert list(d["by_type_of_care"]) == ["acute", "non_acute"]
    assert list(d["attribution"]) == ["nhs", "social_care", "both"]


def test_reconcile_reports_differences_and_missing():
    out = reconcile({"total": 10, "A": 4, "B": None}, {"total": 10, "A": 5, "B": 3})

    assert out["total"]["difference"] == 0 and out["A"]["difference"] == 1
    assert out["B"] == {"stated": None, "computed": 3, "difference": None}


def test_england_december_2019_rate_from_its_published_inputs():
    # 148,101 delayed days: the December 2019 workbook's England row; 44,263,393 adults 18+:
    # England in the ONS mid-2019 estimates (domain.md quotes the same figure).
    beds = delayed_beds_per_day(148_101, days_in_month(DEC_2019))

    assert beds == pytest.approx(4777.4516129, abs=1e-6)
    assert per_100k(beds, 44_263_393) == pytest.approx(10.7932, abs=5e-5)


@given(st.integers(0, 10**7), st.integers(1, 31))
def test_beds_per_day_times_days_gives_back_the_delayed_days(delayed, days):
    assert delayed_beds_per_day(delayed, days) * days == pytest.approx(delayed)


@given(st.lists(st.integers(0, 10**6), min_size=3, max_size=3).filter(lambda p: sum(p) > 0))
def test_shares_of_parts_that_make_the_total_add_up_to_100(parts):
    got = shares(dict(zip(("nhs", "social_care", "both"), parts, strict=True)), sum(parts))

    assert sum(got.values()) == pytest.approx(100.0)


month_cell = st.one_of(st.none(), st.integers(0, 5000))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 5),
    st.data(),
)
def test_the_vectorised_table_gives_exactly_what_measure_gives(n_areas, n_months, data):
    period = months(dt.date(2016, 11, 1), dt.date(2016, 11, 1) + dt.timedelta(days=31 * n_months))
    period = period[:n_months]
    collected = np.array(
        [[f != "O" or data.draw(st.booleans()) for f in FIELDS] for _ in period], dtype=bool
    )
    present = np.zeros((n_areas, n_months), dtype=bool)
    values = np.full((n_areas, n_months, 1 + len(FIELDS)), np.nan)
    adults = np.full((n_areas, n_months), np.nan)
    expected = {}
    for a in range(n_areas):
        figures = []
        for m, day in enumerate(period):
            if not data.draw(st.booleans()):
                continue
            present[a, m] = True
            total = data.draw(month_cell)
            cells = {
                f: data.draw(month_cell) for f, on in zip(FIELDS, collected[m], strict=True) if on
            }
            people = data.draw(st.one_of(st.none(), st.integers(1, 10**7)))
            values[a, m, 0] = np.nan if total is None else total
            for k, f in enumerate(FIELDS, start=1):
                values[a, m, k] = np.nan if cells.get(f) is None else cells[f]
            adults[a, m] = np.nan if people is None else people
            figures.append(MonthFigures(day, total, cells, people))
        expected[f"A{a}"] = measure(f"A{a}", period[0], period[-1], figures).as_dict()

    got = measure_many(
        [f"A{a}" for a in range(n_areas)], period, present, values, collected, adults
    )

    assert {code: m.as_dict() for code, m in got.items()} == expected


@given(st.lists(st.lists(st.one_of(st.none(), st.integers(0, 2**40)), min_size=3, max_size=3)))
def test_packed_figures_come_back_with_missing_as_nan(rows):
    table = unpack(pack(rows), 3)

    assert table.shape == (len(rows), 3)
    for got, row in zip(table.tolist(), rows, strict=True):
        assert [None if np.isnan(v) else int(v) for v in got] == row
