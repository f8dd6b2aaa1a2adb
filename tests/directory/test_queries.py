"""Integration: what counts as available now, and who may change what."""

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.core.access import actor_for
from homeward.directory import queries
from homeward.directory.models import ComplianceState, Rating
from tests.conftest import make_location, make_offer

pytestmark = pytest.mark.django_db


def available_names(user, **criteria):
    result = queries.search(actor_for(user), queries.Criteria(available_now=True, **criteria))
    return {loc.name for loc in result.locations}


def test_fresh_vacancy_is_available_and_stale_one_is_not(coordinator, provider, council):
    make_offer(make_location(provider, council, name="Fresh"), beds=2, age_hours=2)
    make_offer(make_location(provider, council, name="Stale"), beds=2, age_hours=30)
    make_offer(make_location(provider, council, name="Full"), beds=0, age_hours=1)
    assert available_names(coordinator) == {"Fresh"}


def test_staleness_threshold_is_per_care_type(coordinator, provider, council):
    agency = make_location(provider, council, name="Agency", care_home=False, beds=None)
    make_offer(agency, "home-care", hours=Decimal("14"), age_hours=30, area="Trafford")
    assert available_names(coordinator) == {"Agency"}  # home care stays fresh for 72 hours


def test_closed_to_admissions_is_not_available(coordinator, home_offer):
    report = home_offer.latest_report
    report.closed_to_admissions = True
    report.save()
    assert available_names(coordinator) == set()


@pytest.mark.parametrize(
    "fields",
    [
        {"rating": Rating.INADEQUATE},
        {"dormant": True},
        {"active": False},
        {"compliance": ComplianceState.UNDER_INVESTIGATION},
        {"compliance": ComplianceState.ACTION_PLAN},
    ],
)
def test_held_back_locations_are_not_put_forward(coordinator, provider, council, fields):
    make_offer(make_location(provider, council, name="Held", **fields), beds=3)
    assert available_names(coordinator) == set()


def test_cleared_location_is_put_forward_despite_inadequate_rating(coordinator, provider, council):
    home = make_location(
        provider, council, name="Cleared", rating=Rating.INADEQUATE, compliance="cleared"
    )
    make_offer(home, beds=1)
    assert available_names(coordinator) == {"Cleared"}


def test_filters_combine(coordinator, provider, council, other_council):
    make_offer(
        make_location(provider, council, name="Nursing dementia"), "nursing-dementia", beds=1
    )
    make_offer(make_location(provider, council, name="Residential"), "residential", beds=1)
    make_offer(make_location(provider, other_council, name="Far"), "nursing-dementia", beds=1)
    assert available_names(coordinator, care_type="nursing-dementia", council="E08000009") == {
        "Nursing dementia"
    }


def test_specialism_filter(coordinator, provider, council):
    make_offer(make_location(provider, council, name="LD", specialisms=["Younger Adults"]), beds=1)
    make_offer(make_location(provider, council, name="Dementia"), beds=1)
    assert available_names(coordinator, specialism="Dementia") == {"Dementia"}


def test_radius_search_orders_by_distance(coordinator, provider, council):
    make_location(provider, council, name="Near", lat=53.4250, lon=-2.3210)
    make_location(provider, council, name="Middle", lat=53.46, lon=-2.30)
    make_location(provider, council, name="Far", lat=53.80, lon=-1.55)  # Leeds
    result = queries.search(
        actor_for(coordinator), queries.Criteria(near=(53.4248, -2.32115), radius_km=10)
    )
    assert [loc.name for loc in result.locations] == ["Near", "Middle"]
    assert result.total == 2
    assert result.distances[result.locations[0].pk] < 0.1


def test_distance_is_haversine():
    # Manchester Piccadilly to Leeds station is about 58 km as the crow flies.
    assert queries.distance_km(53.4774, -2.2309, 53.7953, -1.5480) == pytest.approx(57.7, abs=1)


def test_provider_manager_edits_only_own_offers(manager, other_manager, home_offer):
    assert list(queries.editable_offers(actor_for(manager))) == [home_offer]
    assert list(queries.editable_offers(actor_for(other_manager))) == []


def test_commissioner_flags_only_own_council(commissioner, other_commissioner, home):
    assert list(queries.flaggable_locations(actor_for(commissioner))) == [home]
    assert list(queries.flaggable_locations(actor_for(other_commissioner))) == []


def test_search_query_count_does_not_grow_with_results(
    coordinator, provider, council, django_assert_max_num_queries
):
    for i in range(30):
        make_offer(make_location(provider, council, name=f"Home {i}"), beds=1)
    with django_assert_max_num_queries(6):
        result = queries.search(actor_for(coordinator), queries.Criteria(available_now=True))
        for loc in result.locations:
            for offer in loc.offers.all():
                queries.is_available(offer)
    assert result.total == 30


def _point_at(lat: float, lon: float, km: float, bearing: float) -> tuple[float, float]:
    """The point `km` away from (lat, lon) on the given bearing (degrees), on the sphere."""
    angle, p1, theta = km / queries.EARTH_RADIUS_KM, math.radians(lat), math.radians(bearing)
    p2 = math.asin(
        math.sin(p1) * math.cos(angle) + math.cos(p1) * math.sin(angle) * math.cos(theta)
    )
    dl = math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(p1),
        math.cos(angle) - math.sin(p1) * math.sin(p2),
    )
    return math.degrees(p2), lon + math.degrees(dl)


@given(
    lat=st.floats(49.8, 60.9),
    lon=st.floats(-8.2, 1.8),
    km=st.floats(0.5, 200),
    bearing=st.floats(0, 360),
)
def test_the_search_box_holds_every_point_within_the_radius(lat, lon, km, bearing):
    south, north, west, east = queries.bounds(lat, lon, km)
    point_lat, point_lon = _point_at(lat, lon, km * (1 - 1e-9), bearing)
    assert queries.distance_km(lat, lon, point_lat, point_lon) <= km
    assert south <= point_lat <= north
    assert west <= point_lon <= east


def test_the_search_box_is_as_wide_as_the_circle_and_no_wider():
    south, north, west, east = queries.bounds(53.4, -2.3, 200)
    widest = max(_point_at(53.4, -2.3, 200, 80 + b / 1000)[1] for b in range(20_000))
    assert widest <= east < widest + 1e-6
    assert -2.3 - west == pytest.approx(east + 2.3)
    assert north - 53.4 == pytest.approx(53.4 - south)
