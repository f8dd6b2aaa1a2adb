"""An ICB area for the live view: the ICB, a trust under it with a hospital site, Trafford
council linked to it, and personas; another ICB with its own trust and leader."""

from datetime import timedelta

import pytest

from homeward.core import clock
from homeward.core.access import actor_for
from homeward.core.models import Organisation, OrganisationKind, Role
from homeward.live.models import Indicator, Reading, TriggerLevel
from tests.conftest import make_user


@pytest.fixture
def icb(db):
    return Organisation.objects.create(
        kind=OrganisationKind.ICB, code="QOP", name="NHS Greater Manchester ICB"
    )


@pytest.fixture
def area_trust(icb):
    return Organisation.objects.create(
        kind=OrganisationKind.TRUST, code="R0A", name="Manchester University NHS FT", parent=icb
    )


@pytest.fixture
def site(area_trust):
    return Organisation.objects.create(
        kind=OrganisationKind.SITE, code="R0A66", name="Wythenshawe Hospital", parent=area_trust
    )


@pytest.fixture
def area_council(icb, council):
    council.parent = icb
    council.save(update_fields=["parent"])
    return council


@pytest.fixture
def other_icb(db):
    return Organisation.objects.create(
        kind=OrganisationKind.ICB, code="QYG", name="NHS Cheshire and Merseyside ICB"
    )


@pytest.fixture
def other_site(other_icb):
    trust = Organisation.objects.create(
        kind=OrganisationKind.TRUST, code="RBL", name="Wirral University NHS FT", parent=other_icb
    )
    return Organisation.objects.create(
        kind=OrganisationKind.SITE, code="RBL14", name="Arrowe Park Hospital", parent=trust
    )


@pytest.fixture
def leader(icb, site, area_council):
    return make_user("leader", icb, Role.SYSTEM_LEADER)


@pytest.fixture
def other_leader(other_icb, other_site):
    return make_user("other-leader", other_icb, Role.SYSTEM_LEADER)


@pytest.fixture
def ward_coordinator(area_trust):
    return make_user("ward-coordinator", area_trust, Role.DISCHARGE_COORDINATOR)


@pytest.fixture
def leader_actor(leader):
    return actor_for(leader)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def add_reading(org, code, value, *, by, minutes_ago=10, source="test"):
    """Store a reading directly (services are tested on their own)."""
    return Reading.objects.create(
        organisation=org,
        indicator=indicator(code),
        value=value,
        measured_at=clock.now() - timedelta(minutes=minutes_ago),
        recorded_at=clock.now(),
        source=source,
        recorded_by=by,
    )


def set_levels(area, code, amber, red, by):
    return TriggerLevel.objects.create(
        area=area, indicator=indicator(code), amber=amber, red=red, set_by=by, set_at=clock.now()
    )
