"""Shared fixtures: organisations, role personas and small directory factories.

Personas: a discharge coordinator (trust), a broker and a commissioner (Trafford council), a
commissioner of another council (Manchester), a care-home manager and the manager of another
provider, an administrator, and an outsider with no organisation at all."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from homeward.cases.matching import OFFERS
from homeward.core import clock
from homeward.core.models import Membership, Organisation, OrganisationKind, Role
from homeward.directory.models import CapacityReport, CapacitySource, Location, ServiceOffer

PROJECT = Path(__file__).resolve().parent.parent
REAL_DATA = Path(os.environ.get("HOMEWARD_REAL_DATA", PROJECT.parent / "shared" / "data"))
TEST_DATA = Path(__file__).parent / "data"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Real hashing is deliberately slow; tests check behaviour, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_offer_tables():
    # Each test builds its own directory; a table cached by an earlier test must not leak in.
    OFFERS.clear()


def real_file(relative: str) -> Path:
    """A file from the real public data folder, or skip the test saying why."""
    path = REAL_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file {relative} is absent (set HOMEWARD_REAL_DATA)")
    return path


@pytest.fixture
def council(db):
    return Organisation.objects.get(kind=OrganisationKind.COUNCIL, code="E08000009")


@pytest.fixture
def other_council(db):
    return Organisation.objects.get(kind=OrganisationKind.COUNCIL, code="E08000003")


@pytest.fixture
def trust(db):
    return Organisation.objects.create(
        kind=OrganisationKind.TRUST, code="R0A", name="Manchester University NHS FT"
    )


@pytest.fixture
def provider(db):
    return Organisation.objects.create(
        kind=OrganisationKind.PROVIDER, code="1-100000001", name="Sunrise Care Ltd"
    )


@pytest.fixture
def other_provider(db):
    return Organisation.objects.create(
        kind=OrganisationKind.PROVIDER, code="1-100000002", name="Elsewhere Homes Ltd"
    )


def make_user(username: str, organisation: Organisation | None = None, role: str = ""):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def coordinator(trust):
    return make_user("coordinator", trust, Role.DISCHARGE_COORDINATOR)


@pytest.fixture
def broker(council):
    return make_user("broker", council, Role.BROKER)


@pytest.fixture
def commissioner(council):
    return make_user("commissioner", council, Role.COMMISSIONER)


@pytest.fixture
def other_commissioner(other_council):
    return make_user("other-commissioner", other_council, Role.COMMISSIONER)


@pytest.fixture
def manager(provider):
    return make_user("carehome", provider, Role.PROVIDER_MANAGER)


@pytest.fixture
def other_manager(other_provider):
    return make_user("other-carehome", other_provider, Role.PROVIDER_MANAGER)


@pytest.fixture
def admin_user(db):
    england = Organisation.objects.get(kind=OrganisationKind.NATIONAL)
    return make_user("admin", england, Role.ADMINISTRATOR)


@pytest.fixture
def outsider(db):
    return make_user("outsider")


_counter = iter(range(200000000, 300000000))


def make_location(provider, council, **fields) -> Location:
    defaults = {
        "cqc_id": f"1-{next(_counter)}",
        "name": "Oak Lodge",
        "postcode": "M33 7XX",
        "lat": 53.4248,
        "lon": -2.32115,
        "care_home": True,
        "beds": 40,
        "rating": "Good",
        "specialisms": ["Dementia", "Older People"],
    }
    defaults.update(fields)
    return Location.objects.create(provider=provider, council=council, **defaults)


def make_offer(location, care_type="residential", *, beds=None, hours=None, age_hours=1.0, **kw):
    offer = ServiceOffer.objects.create(location=location, care_type_id=care_type, **kw)
    if beds is not None or hours is not None:
        report = CapacityReport.objects.create(
            offer=offer,
            beds_free=beds,
            hours_free=hours,
            reported_at=clock.now() - timedelta(hours=age_hours),
            source=CapacitySource.DEMO,
        )
        offer.latest_report = report
        offer.save(update_fields=["latest_report"])
    return offer


@pytest.fixture
def home(provider, council):
    return make_location(provider, council, name="Oak Lodge")


@pytest.fixture
def home_offer(home):
    return make_offer(home, "residential", beds=2)


@pytest.fixture
def other_home(other_provider, other_council):
    return make_location(other_provider, other_council, name="Elm House", postcode="M1 1AA")
