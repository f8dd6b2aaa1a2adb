"""Planning personas and scenarios: analysts of two integrated care boards (the hospital trust
of tests/conftest.py belongs to the first), a system leader, and the example area scenario
saved by the first analyst."""

from dataclasses import replace
from pathlib import Path

import pytest

from homeward.core.access import actor_for
from homeward.core.models import Organisation, OrganisationKind, Role
from homeward.planning import files
from homeward.scenarios import services
from tests.conftest import make_user

EXAMPLE = Path(files.__file__).parent / "examples" / "area.csv"


@pytest.fixture
def icb(db):
    return Organisation.objects.create(
        kind=OrganisationKind.ICB, code="QOP", name="NHS Greater Manchester ICB"
    )


@pytest.fixture
def other_icb(db):
    return Organisation.objects.create(
        kind=OrganisationKind.ICB, code="QYG", name="NHS Cheshire and Merseyside ICB"
    )


@pytest.fixture
def analyst(icb, trust):
    trust.parent = icb
    trust.save(update_fields=["parent"])
    return make_user("analyst", icb, Role.ANALYST)


@pytest.fixture
def other_analyst(other_icb):
    return make_user("other-analyst", other_icb, Role.ANALYST)


@pytest.fixture
def leader(icb):
    return make_user("leader", icb, Role.SYSTEM_LEADER)


@pytest.fixture
def area_plan():
    return files.load(EXAMPLE)


@pytest.fixture
def small_plan(area_plan):
    """The example area over 60 days: quick to run."""
    return replace(area_plan, days=60, name="Small area")


@pytest.fixture
def saved(analyst, small_plan):
    return services.create(actor_for(analyst), small_plan)
