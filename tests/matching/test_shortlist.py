"""Unit tests of the shortlist, its explanations and "why not?" (pure: no database)."""

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.matching.model import BUDGET_LIMITED_ROUTES, OfferTable, Weights
from homeward.matching.shortlist import (
    brute_force_shortlist,
    scan_shortlist,
    shortlist,
    why_not,
    why_not_location,
)
from tests.matching.factories import HOME, NOW, need, needs, north_of, offer, offer_rows


def ids(rows, person, weights=None, k=20):
    table = OfferTable.from_rows(rows)
    return [m.offer_id for m in shortlist(table, person, weights or Weights(), k, NOW)]


def test_an_offer_that_fits_is_shortlisted():
    assert ids([offer()], need()) == [1]


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"care_type": "residential"}, "care type"),
        ({"capabilities": ("oxygen",)}, "capability"),
        ({"specialisms": ()}, "specialism"),
        ({"vacancies": 0}, "no vacancy"),
        ({"closed": True}, "closed to admissions"),
        ({"hold_back": ("under investigation",)}, "not put forward"),
        ({"reported_at": NOW - timedelta(hours=25)}, "stale figure"),
        ({"reported_at": None}, "never reported"),
        ({"weekly_price": 1281.0}, "over budget"),
        ({"weekly_price": None}, "no price against a budget"),
        ({"lat": north_of(*HOME, 20.5)[0]}, "beyond the radius"),
        ({"lat": None, "lon": None}, "no position"),
        ({"area": "Salford"}, "serves another area"),
    ],
)
def test_each_hard_filter_excludes_what_it_should(changes, why):
    person = need(specialisms=("Dementia",))
    assert ids([offer(1), offer(2, **changes)], person) == [1], why


def test_the_radius_includes_its_edge_and_uses_great_circle_distance():
    lat, lon = north_of(*HOME, 19.9)
    assert ids([offer(lat=lat, lon=lon)], need()) == [1]


@pytest.mark.parametrize("route", ["self", "unknown"])
def test_budget_is_not_a_limit_for_self_funders_or_unknown_funding(route):
    assert ids([offer(weekly_price=2000.0)], need(funding_route=route)) == [1]


def test_budget_limits_council_chc_and_joint_funding():
    assert {"council", "chc", "joint"} == BUDGET_LIMITED_ROUTES
    for route in BUDGET_LIMITED_ROUTES:
        assert ids([offer(weekly_price=2000.0)], need(funding_route=route)) == []


def test_a_need_with_an_unknown_capability_matches_nothing():
    assert ids([offer()], need(capabilities=("ventilator",))) == []


def test_home_care_matches_by_area_not_distance():
    far = north_of(*HOME, 80.0)
    rows = [
        offer(1, care_type="home-care", area="Trafford", lat=far[0], lon=far[1]),
        offer(2, care_type="home-care", area="Salford"),
    ]
    person = need(care_type="home-care", home_area="Trafford")
    assert ids(rows, person) == [1]
    table = OfferTable.from_rows(rows)
    [match] = shortlist(table, person, Weights(), now=NOW)
    assert match.distance_km is None
    assert match.reasons[0] == "serves Trafford"


def test_ranking_follows_the_weights():
    good_dear = offer(1, rating="Outstanding", weekly_price=1280.0)
    cheap_poor = offer(2, rating="Requires improvement", weekly_price=700.0)
    quality = Weights(distance=0, quality=1, cost=0, preference=0, response=0)
    cost = Weights(distance=0, quality=0, cost=1, preference=0, response=0)
    assert ids([good_dear, cheap_poor], need(), quality) == [1, 2]
    assert ids([good_dear, cheap_poor], need(), cost) == [2, 1]


def test_the_60_40_preset_and_the_score_formula():
    weights = Weights.quality_cost_60_40()
    table = OfferTable.from_rows([offer(weekly_price=960.0, rating="Outstanding")])
    [match] = shortlist(table, need(), weights, now=NOW)
    # quality 1.0; cost = 1.5 - 960 / 1280 = 0.75
    assert match.components[1:3] == (1.0, 0.75)
    assert match.score == pytest.approx(0.6 * 1.0 + 0.4 * 0.75)


def test_equal_scores_rank_by_offer_id_and_k_limits():
    rows = [offer(i, location_id=7) for i in (5, 3, 9, 1)]
    assert ids(rows, need()) == [1, 3, 5, 9]
    assert ids(rows, need(), k=2) == [1, 3]


def test_each_row_says_why_it_ranks_there():
    lat, lon = north_of(*HOME, 3.2)
    table = OfferTable.from_rows([offer(lat=lat, lon=lon, response_rate=0.92)])
    [match] = shortlist(table, need(preferred_location_ids=(101,)), Weights(), now=NOW)
    assert match.distance_km == 3.2
    assert match.reasons == (
        "3.2 km away",
        "rated Good",
        "£80 under budget",
        "where the person would like to be",
        "answers 92% of referrals",
        "1 free, updated 2 h ago",
    )


def test_explanations_for_prices_without_a_budget_and_unrated_homes():
    table = OfferTable.from_rows([offer(weekly_price=1050.0, rating="Not rated")])
    [match] = shortlist(table, need(funding_route="self", weekly_budget=None), Weights(), now=NOW)
    assert "£1,050 a week" in match.reasons
    assert "not yet rated" in match.reasons


def test_why_not_names_every_reason_in_plain_words():
    lat, lon = north_of(*HOME, 43.0)
    row = offer(
        care_type="residential",
        lat=lat,
        lon=lon,
        vacancies=0,
        reported_at=NOW.replace(hour=9, minute=12),
        capabilities=(),
        weekly_price=2520.0,
        rating="Inadequate",
        hold_back=("rated Inadequate", "under investigation"),
    )
    table = OfferTable.from_rows([row])
    assert why_not(table, need(), 1, NOW) == [
        "no nursing",
        "not put forward: rated Inadequate",
        "not put forward: under investigation",
        "no vacancy since 09:12",
        "cannot manage: hoist",
        "43 km away (limit 20 km)",
        "£1,240 above budget",
    ]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"closed": True}, "closed to admissions since 10:00"),
        (
            {"reported_at": NOW - timedelta(days=2)},
            "vacancy figure out of date (last updated 1 Mar 12:00)",
        ),
        ({"reported_at": None}, "no vacancy figure reported"),
        ({"weekly_price": None}, "weekly price not stated"),
        ({"specialisms": ()}, "not registered for: Dementia"),
        ({"lat": None, "lon": None}, "no map position recorded"),
        ({"care_type": "home-care", "area": "Salford"}, "serves Salford, not the home area"),
        ({"capabilities": ("oxygen",)}, "cannot manage: challenging behaviour"),
    ],
)
def test_why_not_wording(changes, reason):
    table = OfferTable.from_rows([offer(**changes)])
    person = need(
        specialisms=("Dementia",),
        capabilities=("challenging-behaviour",) if "capabilities" in changes else ("hoist",),
    )
    assert reason in why_not(table, person, 1, NOW)


def test_why_not_is_empty_for_an_offer_only_outranked():
    table = OfferTable.from_rows([offer()])
    assert why_not(table, need(), 1, NOW) == []


def test_why_not_location_explains_the_home_as_a_whole():
    rows = [offer(1, location_id=7, care_type="residential"), offer(2, location_id=7, vacancies=0)]
    table = OfferTable.from_rows(rows)
    assert why_not_location(table, need(), 7, NOW) == ["no vacancy since 10:00"]
    table = OfferTable.from_rows(rows[:1])
    assert why_not_location(table, need(), 7, NOW) == ["no nursing"]


def test_capacity_updates_in_place():
    table = OfferTable.from_rows([offer(vacancies=0)])
    assert shortlist(table, need(), Weights(), now=NOW) == []
    table.set_capacity(1, 2, NOW - timedelta(minutes=5))
    [match] = shortlist(table, need(), Weights(), now=NOW)
    assert match.offer.vacancies == 2
    assert match.reasons[-1] == "2 free, updated 5 min ago"
    table.set_capacity(1, 2, NOW, closed=True)
    assert shortlist(table, need(), Weights(), now=NOW) == []


@settings(max_examples=200, deadline=None, database=None)
@given(
    rows=offer_rows(),
    person=needs(),
    weights=st.sampled_from((Weights(), Weights.quality_cost_60_40())),
    k=st.integers(1, 8),
)
def test_vectorised_shortlist_equals_the_brute_force(rows, person, weights, k):
    table = OfferTable.from_rows(rows)
    expected = brute_force_shortlist(rows, person, weights, k, NOW)
    assert shortlist(table, person, weights, k, NOW) == expected
    assert scan_shortlist(table, person, weights, k, NOW) == expected


@settings(max_examples=200, deadline=None, database=None)
@given(rows=offer_rows(), person=needs())
def test_no_shortlisted_offer_breaks_a_hard_constraint(rows, person):
    table = OfferTable.from_rows(rows)
    for match in shortlist(table, person, Weights(), 50, NOW):
        row = match.offer
        assert row.care_type == person.care_type
        assert row.vacancies > 0 and not row.closed and not row.hold_back
        assert set(person.capabilities) <= set(row.capabilities)
        assert set(person.specialisms) <= set(row.specialisms)
        assert row.reported_at >= NOW - timedelta(hours=24 if row.care_type != "home-care" else 72)
        if person.budget_limited:
            assert row.weekly_price is not None and row.weekly_price <= person.weekly_budget
        if row.area:
            assert row.area == person.home_area
        else:
            assert match.distance_km <= person.radius_km
        assert why_not(table, person, match.offer_id, NOW) == []


def test_unknown_care_type_and_empty_table():
    assert ids([offer()], need(care_type="hospice")) == []
    assert ids([], need()) == []
