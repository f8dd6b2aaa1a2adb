"""Fixtures of brokerage tests: a case ready for residential care and three homes with beds."""

from decimal import Decimal

import pytest

from homeward.core.access import actor_for
from homeward.core.models import Postcode
from tests.cases.factories import make_case
from tests.conftest import make_location, make_offer


@pytest.fixture
def ready_case(coordinator, council):
    Postcode.objects.get_or_create(postcode="M337XX", defaults={"lat": 53.4248, "lon": -2.32115})
    return make_case(
        coordinator,
        council=council,
        care_type_id="residential",
        funding_route="council",
        weekly_budget=Decimal("1100"),
        home_postcode="M33 7XX",
    )


@pytest.fixture
def homes(provider, other_provider, council):
    """Three residential homes near the case: two of `provider`, one of `other_provider`."""
    first = make_location(provider, council, name="Oak Lodge", lat=53.43, lon=-2.32)
    second = make_location(provider, council, name="Ash Court", lat=53.44, lon=-2.31)
    third = make_location(other_provider, council, name="Elm House", lat=53.45, lon=-2.30)
    return [
        make_offer(first, "residential", beds=1, weekly_price=950),
        make_offer(second, "residential", beds=2, weekly_price=1000),
        make_offer(third, "residential", beds=3, weekly_price=1050),
    ]


@pytest.fixture
def hub(coordinator):
    return actor_for(coordinator)


@pytest.fixture
def provider_actor(manager):
    return actor_for(manager)


@pytest.fixture
def other_provider_actor(other_manager):
    return actor_for(other_manager)
