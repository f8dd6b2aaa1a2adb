"""Integration: from a case, a ranked shortlist of providers that can take the person now."""

from decimal import Decimal

import pytest

from homeward.core.models import AuditEvent, Postcode
from tests.cases.factories import make_case
from tests.conftest import make_location, make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def dementia_case(coordinator, council):
    Postcode.objects.create(postcode="M337XX", lat=53.4248, lon=-2.32115)
    return make_case(
        coordinator,
        council=council,
        care_type_id="nursing-dementia",
        capabilities=["hoist"],
        funding_route="council",
        weekly_budget=Decimal("1300"),
    )


def test_shortlist_ranks_fitting_homes_and_explains(client, coordinator, dementia_case, provider):
    near = make_location(provider, dementia_case.council, name="Near Court", lat=53.43, lon=-2.32)
    make_offer(near, "nursing-dementia", beds=1, capabilities=["hoist"], weekly_price=1200)
    far = make_location(provider, dementia_case.council, name="Far House", lat=53.48, lon=-2.24)
    make_offer(far, "nursing-dementia", beds=2, capabilities=["hoist"], weekly_price=1250)
    no_hoist = make_location(provider, dementia_case.council, name="No Hoist Hall")
    make_offer(no_hoist, "nursing-dementia", beds=1, weekly_price=1100)
    client.force_login(coordinator)
    html = client.get(f"/cases/{dementia_case.pk}/find-provider/").content.decode()
    assert html.index("Near Court") < html.index("Far House")
    assert "No Hoist Hall" not in html.split('id="shortlist"')[1]
    assert "under budget" in html
    why = client.get(
        f"/cases/{dementia_case.pk}/find-provider/", {"why": no_hoist.cqc_id}
    ).content.decode()
    assert "cannot manage: hoist" in why
    assert AuditEvent.objects.filter(action="case.shortlist").count() == 2


def test_without_a_care_type_the_page_says_what_to_record(client, coordinator, council):
    case = make_case(coordinator, council=council)
    client.force_login(coordinator)
    html = client.get(f"/cases/{case.pk}/find-provider/").content.decode()
    assert "record the care needed" in html


@pytest.mark.parametrize("persona", ["other_commissioner", "manager"])
def test_other_organisations_cannot_shortlist(client, request, dementia_case, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/cases/{dementia_case.pk}/find-provider/").status_code == 404


def test_homes_where_the_person_would_like_to_be_rank_higher(
    client, coordinator, council, provider
):
    Postcode.objects.create(postcode="M337XX", lat=53.4248, lon=-2.32115)
    case = make_case(
        coordinator,
        council=council,
        care_type_id="residential",
        preferred_areas=["WA14"],
    )
    nearer = make_location(provider, council, name="Nearer Lodge", postcode="M33 6AA")
    make_offer(nearer, "residential", beds=1, weekly_price=900)
    liked = make_location(
        provider, council, name="Liked House", postcode="WA14 1AA", lat=53.43, lon=-2.33
    )
    make_offer(liked, "residential", beds=1, weekly_price=900)
    client.force_login(coordinator)
    html = client.get(f"/cases/{case.pk}/find-provider/").content.decode()
    assert html.index("Liked House") < html.index("Nearer Lodge")
    assert "where the person would like to be" in html
