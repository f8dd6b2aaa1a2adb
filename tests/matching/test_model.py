"""Unit tests of the plain data matching works on (pure: no database)."""

from datetime import timedelta

import numpy as np
import pytest

from homeward.matching.model import USABLE_BIT, Need, OfferTable, Weights
from tests.matching.factories import NOW, need, offer


@pytest.mark.parametrize(
    "changes",
    [
        {"funding_route": "lottery"},
        {"lat": None},
        {"radius_km": 0.0},
        {"radius_km": float("inf")},
        {"weekly_budget": 0.0},
        {"waiting_days": -1},
    ],
)
def test_a_need_refuses_what_cannot_be_matched(changes):
    with pytest.raises(ValueError):
        need(**changes)


def test_a_need_keeps_lists_as_tuples():
    person = Need(care_type="nursing", capabilities=["hoist"], preferred_location_ids=[3])
    assert person.capabilities == ("hoist",) and person.preferred_location_ids == (3,)
    assert not person.budget_limited
    assert need().budget_limited


@pytest.mark.parametrize(
    "values", [(-0.1, 1, 1, 1, 1), (0, 0, 0, 0, 0), (float("nan"), 1, 0, 0, 0)]
)
def test_weights_must_be_non_negative_with_a_positive_sum(values):
    with pytest.raises(ValueError):
        Weights(*values)


def test_the_60_40_rule():
    assert Weights.quality_cost_60_40().as_tuple() == (0.0, 0.6, 0.4, 0.0, 0.0)


def test_the_table_is_sorted_by_care_type_area_and_latitude():
    rows = [
        offer(1, lat=53.9),
        offer(2, lat=53.1),
        offer(3, care_type="home-care", area="Trafford"),
        offer(4, care_type="residential"),
    ]
    table = OfferTable.from_rows(rows)
    nursing = table.groups[(table.care_type_index["nursing"], 0)]
    assert table.offer_id[slice(*nursing)].tolist() == [2, 1]
    home_care = table.groups[(table.care_type_index["home-care"], table.area_index["Trafford"])]
    assert table.offer_id[slice(*home_care)].tolist() == [3]
    assert [r.offer_id for r in table.source] == table.offer_id.tolist()


def test_traits_and_hold_backs_are_bitmasks():
    table = OfferTable.from_rows(
        [offer(1), offer(2, hold_back=("under investigation",), capabilities=())]
    )
    first, second = table.row_of[1], table.row_of[2]
    assert table.traits_of(first, "capability") == {"hoist", "oxygen"}
    assert table.traits_of(first, "specialism") == {"Dementia"}
    assert table.trait_mask("capability", ["hoist", "winch"])[1] == ("winch",)
    assert int(table.bits[first]) & USABLE_BIT
    assert not int(table.bits[second]) & USABLE_BIT
    assert table.hold_back_reasons == ("under investigation",)


def test_set_capacity_keeps_columns_and_source_in_step():
    table = OfferTable.from_rows([offer(vacancies=0)])
    row = table.row_of[1]
    assert not int(table.bits[row]) & USABLE_BIT
    table.set_capacity(1, 3, NOW - timedelta(minutes=1))
    assert table.vacancies[row] == 3 and table.source[row].vacancies == 3
    assert table.reported_at[row] == (NOW - timedelta(minutes=1)).timestamp()
    assert int(table.bits[row]) & USABLE_BIT
    assert table.usable().tolist() == [True]


def test_unknowns_are_never_within_a_budget_or_fresh():
    table = OfferTable.from_rows([offer(weekly_price=None, reported_at=None, response_rate=None)])
    assert table.price[0] == np.inf and np.isnan(table.reported_at[0])
    assert table.response[0] == 0.5


def test_offer_ids_must_be_unique():
    with pytest.raises(ValueError, match="unique"):
        OfferTable.from_rows([offer(1), offer(1)])


def test_too_many_traits_are_refused():
    rows = [offer(1, capabilities=tuple(f"skill-{i}" for i in range(64)))]
    with pytest.raises(ValueError, match="at most 63"):
        OfferTable.from_rows(rows)
