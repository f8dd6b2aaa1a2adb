"""Capacity requests: services (unit and integration), scoping, pages through the Django test
client, and the API. A commissioner asks the market; providers answer; only the requesting
organisation sees who answered, and a provider sees only its own answer."""

import json
import threading
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homeward.brokerage import capacity_requests as service
from homeward.brokerage.models import CapacityOffer, CapacityRequest, CapacityRequestState
from homeward.core import clock
from homeward.core.access import actor_for
from homeward.core.models import AuditEvent, Organisation, OrganisationKind, Role
from homeward.core.navigation import navigation
from homeward.directory.models import CareType
from tests.conftest import make_location, make_offer, make_user

pytestmark = pytest.mark.django_db

SUNRISE = "Sunrise Care Ltd"
ELSEWHERE = "Elsewhere Homes Ltd"


def terms(**changes) -> service.RequestTerms:
    today = clock.now().date()
    base = service.RequestTerms(
        care_type=CareType.objects.get(pk="home-care"),
        description="Intensive hourly home care, double-handed, four calls a day",
        area="Trafford",
        volume=120,
        unit="hours",
        start_date=today + timedelta(days=7),
        end_date=today + timedelta(days=97),
        respond_by=clock.now() + timedelta(days=2),
        contact_name="Priya Shah",
        contact_email="priya.shah@example.org",
        contact_phone="0161 000 0000",
    )
    return replace(base, **changes)


def answer(**changes) -> service.OfferTerms:
    base = service.OfferTerms(
        volume=40,
        available_from=clock.now().date() + timedelta(days=7),
        weekly_price=Decimal("1250.00"),
    )
    return replace(base, **changes)


@pytest.fixture
def capacity_request(commissioner):
    return service.create_request(actor=actor_for(commissioner), terms=terms())


@pytest.fixture
def answered(capacity_request, manager, other_manager, provider):
    """The request answered by both providers, the first from a named location."""
    agency = make_location(provider, None, name="Sunrise Home Care", care_home=False, beds=None)
    service.offer_capacity(
        actor=actor_for(manager), request=capacity_request, terms=answer(location=agency)
    )
    service.offer_capacity(
        actor=actor_for(other_manager),
        request=capacity_request,
        terms=answer(volume=80, weekly_price=Decimal("1180.50")),
    )
    return capacity_request


# --- Services --------------------------------------------------------------------------------


def test_commissioner_sends_a_request_and_it_is_audited(commissioner, council):
    created = service.create_request(actor=actor_for(commissioner), terms=terms())
    assert created.organisation == council
    assert created.state == CapacityRequestState.OPEN
    assert created.created_by == commissioner
    event = AuditEvent.objects.get(action="capacity_request.create")
    assert event.user == commissioner
    assert event.organisation == council
    assert event.object_id == str(created.pk)
    assert event.detail["volume"] == 120


def test_icb_commissioner_and_council_broker_may_send(broker):
    icb = Organisation.objects.create(kind=OrganisationKind.ICB, code="QOP", name="GM ICB")
    icb_user = make_user("icb-commissioner", icb, Role.COMMISSIONER)
    for user in (broker, icb_user):
        created = service.create_request(actor=actor_for(user), terms=terms())
        assert created.organisation == actor_for(user).organisation


@pytest.mark.parametrize("persona", ["manager", "coordinator", "admin_user"])
def test_others_cannot_send_a_request(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        service.create_request(actor=actor_for(user), terms=terms())
    assert not CapacityRequest.objects.exists()


def test_commissioner_of_a_trust_cannot_send(trust):
    user = make_user("trust-commissioner", trust, Role.COMMISSIONER)
    with pytest.raises(Http404):
        service.create_request(actor=actor_for(user), terms=terms())


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"end_date": clock.now().date()}, "end_date", "on or after the start date"),
        ({"respond_by": clock.now() - timedelta(minutes=1)}, "respond_by", "in the future"),
        ({"volume": 0}, "volume", "at least 1"),
        ({"contact_email": "priya at example"}, "contact_email", "email address"),
        ({"contact_name": "  "}, "contact_name", "Name one person"),
        ({"unit": "beds"}, "unit", "not counted in beds"),
        ({"description": ""}, "description", "Describe the care"),
    ],
)
def test_bad_requests_are_refused_in_plain_words(commissioner, changes, field, words):
    with pytest.raises(service.CapacityRequestError) as refused:
        service.create_request(actor=actor_for(commissioner), terms=terms(**changes))
    assert refused.value.field == field
    assert words in str(refused.value)
    assert not CapacityRequest.objects.exists()


def test_hours_are_refused_for_bed_based_care(commissioner):
    nursing = CareType.objects.get(pk="nursing")
    with pytest.raises(service.CapacityRequestError, match="beds or packages"):
        service.create_request(
            actor=actor_for(commissioner), terms=terms(care_type=nursing, unit="hours")
        )


def test_a_retired_type_of_care_cannot_be_asked_for(client, commissioner):
    live_in = CareType.objects.get(pk="live-in")
    live_in.valid_to = date(2026, 3, 31)
    live_in.save()
    with pytest.raises(service.CapacityRequestError, match="no longer offered") as refused:
        service.create_request(actor=actor_for(commissioner), terms=terms(care_type=live_in))
    assert refused.value.field == "care_type"
    client.force_login(commissioner)
    response = send(
        client, "post", "/api/v1/capacity-requests", api_request_body(care_type="live-in")
    )
    assert response.status_code == 400
    assert "retired on 31 March 2026" in response.json()["detail"]
    assert not CapacityRequest.objects.exists()


def test_provider_answers_and_a_second_answer_replaces_the_first(capacity_request, manager):
    actor = actor_for(manager)
    first = service.offer_capacity(actor=actor, request=capacity_request, terms=answer())
    second = service.offer_capacity(
        actor=actor, request=capacity_request, terms=answer(volume=60, weekly_price=None)
    )
    assert first.pk == second.pk
    stored = CapacityOffer.objects.get(request=capacity_request)
    assert (stored.volume, stored.weekly_price, stored.offered_by) == (60, None, manager)
    events = AuditEvent.objects.filter(action="capacity_request.offer").order_by("id")
    assert [e.detail["replaced"] for e in events] == [False, True]
    assert {e.user for e in events} == {manager}


def test_answer_from_another_providers_location_is_refused(capacity_request, manager, other_home):
    with pytest.raises(service.CapacityRequestError, match="your own locations"):
        service.offer_capacity(
            actor=actor_for(manager), request=capacity_request, terms=answer(location=other_home)
        )
    assert not CapacityOffer.objects.exists()


def test_answer_starting_after_the_request_ends_is_refused(capacity_request, manager):
    late = capacity_request.end_date + timedelta(days=1)
    with pytest.raises(service.CapacityRequestError, match="offer capacity from before then"):
        service.offer_capacity(
            actor=actor_for(manager), request=capacity_request, terms=answer(available_from=late)
        )


def test_no_answers_after_the_deadline(capacity_request, manager, monkeypatch):
    later = capacity_request.respond_by + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(service.CapacityRequestError, match="deadline for answers"):
        service.offer_capacity(actor=actor_for(manager), request=capacity_request, terms=answer())
    assert not CapacityOffer.objects.exists()


def test_no_answers_once_closed(capacity_request, commissioner, manager):
    service.close_request(actor=actor_for(commissioner), request=capacity_request)
    with pytest.raises(service.CapacityRequestError, match="closed"):
        service.offer_capacity(actor=actor_for(manager), request=capacity_request, terms=answer())


@pytest.mark.parametrize("persona", ["commissioner", "coordinator"])
def test_only_provider_managers_answer(capacity_request, request, persona):
    with pytest.raises(Http404):
        service.offer_capacity(
            actor=actor_for(request.getfixturevalue(persona)),
            request=capacity_request,
            terms=answer(),
        )


def test_owning_council_closes_once(capacity_request, broker):
    service.close_request(actor=actor_for(broker), request=capacity_request)
    capacity_request.refresh_from_db()
    assert capacity_request.state == CapacityRequestState.CLOSED
    assert AuditEvent.objects.get(action="capacity_request.close").user == broker
    with pytest.raises(service.CapacityRequestError, match="already closed"):
        service.close_request(actor=actor_for(broker), request=capacity_request)


@pytest.mark.parametrize("persona", ["other_commissioner", "manager"])
def test_others_cannot_close(capacity_request, request, persona):
    with pytest.raises(Http404):
        service.close_request(
            actor=actor_for(request.getfixturevalue(persona)), request=capacity_request
        )
    capacity_request.refresh_from_db()
    assert capacity_request.state == CapacityRequestState.OPEN


# --- Scoping ---------------------------------------------------------------------------------


def test_commissioner_sees_every_answer(answered, commissioner):
    actor = actor_for(commissioner)
    found = service.visible_request(actor, answered.pk)
    assert found.offer_count == 2
    offers = service.visible_offers(actor, found)
    assert [o.provider.name for o in offers] == [SUNRISE, ELSEWHERE]


def test_provider_never_sees_another_providers_answer(answered, manager, other_manager):
    for user, own in ((manager, SUNRISE), (other_manager, ELSEWHERE)):
        actor = actor_for(user)
        found = service.visible_request(actor, answered.pk)
        assert [o.provider.name for o in service.visible_offers(actor, found)] == [own]
        assert not hasattr(found, "offer_count")


@pytest.mark.parametrize("persona", ["other_commissioner", "coordinator", "admin_user"])
def test_others_get_404(answered, request, persona):
    actor = actor_for(request.getfixturevalue(persona))
    with pytest.raises(Http404):
        service.visible_request(actor, answered.pk)


def test_market_shows_open_requests_and_those_the_provider_answered(
    answered, commissioner, manager, other_manager
):
    unanswered = service.create_request(actor=actor_for(commissioner), terms=terms(area="Sale"))
    for closing in (answered, unanswered):
        service.close_request(actor=actor_for(commissioner), request=closing)
    fresh = service.create_request(actor=actor_for(commissioner), terms=terms(area="Altrincham"))
    seen = list(service.visible_requests(actor_for(manager)))
    assert [r.pk for r in seen] == [fresh.pk, answered.pk]
    assert [r.answered for r in seen] == [False, True]
    assert service.visible_requests(actor_for(other_manager)).count() == 2


def test_other_council_sees_none_of_our_requests(answered, other_commissioner):
    assert not service.visible_requests(actor_for(other_commissioner)).exists()


# --- Pages -----------------------------------------------------------------------------------


def signed_in(client, user):
    client.force_login(user)
    return client


def request_form(**changes):
    today = clock.now().date()
    data = {
        "care_type": "live-in",
        "description": "Live-in care for people leaving hospital",
        "area": "Trafford",
        "volume": "6",
        "unit": "packages",
        "start_date": (today + timedelta(days=3)).isoformat(),
        "end_date": (today + timedelta(days=60)).isoformat(),
        "respond_by": (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "contact_name": "Priya Shah",
        "contact_email": "priya.shah@example.org",
        "contact_phone": "",
    }
    data.update(changes)
    return data


def test_commissioner_sends_a_request_through_the_form(client, commissioner):
    client = signed_in(client, commissioner)
    assert "Contact email" in client.get(reverse("brokerage:new_request")).content.decode()
    response = client.post(reverse("brokerage:new_request"), request_form())
    created = CapacityRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("brokerage:request", args=[created.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Live-in care: 6 packages in Trafford" in html
    assert "No provider has answered yet" in html


def test_form_explains_what_is_wrong(client, commissioner):
    start = (clock.now().date() + timedelta(days=10)).isoformat()
    response = signed_in(client, commissioner).post(
        reverse("brokerage:new_request"), request_form(start_date=start, end_date="2020-01-01")
    )
    assert response.status_code == 400
    assert "The end date must be on or after the start date" in response.content.decode()
    assert not CapacityRequest.objects.exists()


def test_commissioners_list_counts_answers(client, commissioner, answered):
    html = signed_in(client, commissioner).get(reverse("brokerage:requests")).content.decode()
    assert "<strong>2</strong> answers" in html
    assert "New capacity request" in html


def test_providers_list_points_at_requests_they_can_meet(
    client, commissioner, manager, provider, capacity_request
):
    agency = make_location(provider, None, name="Sunrise Home Care", care_home=False, beds=None)
    service.create_request(
        actor=actor_for(commissioner),
        terms=terms(care_type=CareType.objects.get(pk="live-in"), area="Sale"),
    )
    url = reverse("brokerage:requests")
    assert "You offer" not in signed_in(client, manager).get(url).content.decode()
    make_offer(agency, "home-care", area="Trafford")
    html = client.get(url).content.decode()
    assert html.count("You offer home care") == 1
    assert "Live-in care: 120 hours a week in Sale" in html


def test_list_queries_do_not_grow_with_requests(client, commissioner, manager):
    def count(user):
        client.force_login(user)
        client.get(reverse("brokerage:requests"))  # the first page after sign-in saves the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("brokerage:requests")).status_code == 200
        return len(queries)

    service.create_request(actor=actor_for(commissioner), terms=terms())
    few = count(commissioner), count(manager)
    for area in ("Sale", "Stretford", "Urmston", "Partington"):
        service.create_request(actor=actor_for(commissioner), terms=terms(area=area))
    assert (count(commissioner), count(manager)) == few


def test_detail_shows_who_answered(client, commissioner, answered):
    html = (
        signed_in(client, commissioner)
        .get(reverse("brokerage:request", args=[answered.pk]))
        .content.decode()
    )
    for text in (SUNRISE, ELSEWHERE, "Sunrise Home Care", "£1,250.00", "£1,180.50", "80 hours"):
        assert text in html
    assert "2 providers answered, offering 120 hours a week" in html
    assert '<a href="mailto:priya.shah@example.org">' in html
    assert "Close this request" in html


def test_provider_page_shows_only_its_own_answer(client, other_manager, answered):
    html = (
        signed_in(client, other_manager)
        .get(reverse("brokerage:request", args=[answered.pk]))
        .content.decode()
    )
    assert "£1,180.50" in html
    assert SUNRISE not in html
    assert "£1,250.00" not in html
    assert "Change your answer" in html


def test_provider_answers_from_the_form(client, manager, provider, capacity_request):
    agency = make_location(provider, None, name="Sunrise Home Care", care_home=False, beds=None)
    url = reverse("brokerage:offer_capacity", args=[capacity_request.pk])
    client = signed_in(client, manager)
    assert "Sunrise Home Care" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "volume": "30",
            "available_from": capacity_request.start_date.isoformat(),
            "weekly_price": "990",
            "location": agency.cqc_id,
            "note": "Two carers free in Sale",
        },
    )
    assert response.status_code == 302
    offer = CapacityOffer.objects.get()
    assert (offer.volume, offer.location, offer.note) == (30, agency, "Two carers free in Sale")
    assert "Your answer has been sent" in client.get(response["Location"]).content.decode()


def test_provider_form_refuses_a_location_of_another_provider(
    client, manager, capacity_request, other_home
):
    response = signed_in(client, manager).post(
        reverse("brokerage:offer_capacity", args=[capacity_request.pk]),
        {"volume": "3", "available_from": "2030-01-01", "location": other_home.cqc_id},
    )
    assert response.status_code == 400
    assert not CapacityOffer.objects.exists()


def test_commissioner_closes_from_the_page(client, commissioner, capacity_request):
    response = signed_in(client, commissioner).post(
        reverse("brokerage:close_request", args=[capacity_request.pk])
    )
    assert response.status_code == 302
    capacity_request.refresh_from_db()
    assert capacity_request.state == CapacityRequestState.CLOSED
    again = client.post(reverse("brokerage:close_request", args=[capacity_request.pk]))
    assert "already closed" in client.get(again["Location"]).content.decode()


# Each URL name with the personas that must get 404 (see MATRIX in tests/directory/test_views.py).
REFUSED = [
    ("brokerage:requests", False, "coordinator admin_user"),
    ("brokerage:new_request", False, "manager coordinator admin_user"),
    ("brokerage:request", True, "other_commissioner coordinator admin_user"),
    ("brokerage:offer_capacity", True, "commissioner coordinator admin_user"),
    ("brokerage:close_request", True, "other_commissioner manager coordinator"),
]


@pytest.mark.parametrize(
    ("name", "with_id", "persona"),
    [(n, i, p) for n, i, personas in REFUSED for p in personas.split()],
)
def test_pages_answer_404_to_those_outside(
    client, request, capacity_request, name, with_id, persona
):
    url = reverse(name, args=[capacity_request.pk] if with_id else [])
    client = signed_in(client, request.getfixturevalue(persona))
    assert client.post(url, request_form()).status_code == 404
    if name != "brokerage:close_request":
        assert client.get(url).status_code == 404
    capacity_request.refresh_from_db()
    assert capacity_request.state == CapacityRequestState.OPEN
    assert CapacityRequest.objects.count() == 1
    assert not CapacityOffer.objects.exists()


def test_navigation_offers_capacity_requests_to_their_users(
    rf, commissioner, broker, manager, coordinator
):
    def labels(user):
        page = rf.get("/")
        page.user = user
        return [item["text"] for item in navigation(page)]

    for user in (commissioner, broker, manager):
        assert "Capacity requests" in labels(user)
    assert "Capacity requests" not in labels(coordinator)


# --- API -------------------------------------------------------------------------------------


def api_request_body(**changes):
    today = clock.now().date()
    body = {
        "care_type": "home-care",
        "description": "Intensive hourly home care",
        "area": "Trafford",
        "volume": 200,
        "unit": "hours",
        "start_date": (today + timedelta(days=5)).isoformat(),
        "end_date": (today + timedelta(days=35)).isoformat(),
        "respond_by": (clock.now() + timedelta(days=1)).isoformat(),
        "contact_name": "Priya Shah",
        "contact_email": "priya.shah@example.org",
    }
    body.update(changes)
    return body


def send(client, method, url, body=None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json"
    )


def test_api_journey(client, commissioner, manager, other_manager):
    client.force_login(commissioner)
    created = send(client, "post", "/api/v1/capacity-requests", api_request_body())
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert created.json()["contact"]["email"] == "priya.shah@example.org"
    url = f"/api/v1/capacity-requests/{request_id}"

    for user, volume in ((manager, 50), (other_manager, 70)):
        client.force_login(user)
        market = client.get("/api/v1/capacity-requests").json()
        assert [r["id"] for r in market] == [request_id]
        assert market[0]["offer_count"] is None
        sent = send(
            client,
            "put",
            f"{url}/offer",
            {"volume": volume, "available_from": api_request_body()["start_date"]},
        )
        assert sent.status_code == 200, sent.content
    replaced = send(client, "put", f"{url}/offer", {"volume": 75, "available_from": "2020-01-01"})
    assert replaced.json()["volume"] == 75
    own = client.get(url).json()["offers"]
    assert [(o["provider"], o["volume"]) for o in own] == [(ELSEWHERE, 75)]

    client.force_login(commissioner)
    detail = client.get(url).json()
    assert detail["offer_count"] == 2
    assert [(o["provider"], o["volume"]) for o in detail["offers"]] == [
        (SUNRISE, 50),
        (ELSEWHERE, 75),
    ]
    closed = client.post(f"{url}/close")
    assert closed.status_code == 200
    assert closed.json()["state"] == "closed"
    assert closed.json()["taking_answers"] is False
    client.force_login(manager)
    late = send(client, "put", f"{url}/offer", {"volume": 1, "available_from": "2030-01-01"})
    assert late.status_code == 400
    assert "closed" in late.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"end_date": "2000-01-01"}, "on or after the start date"),
        ({"care_type": "spa-days"}, "unknown care_type"),
        ({"contact_email": "nobody"}, "email address"),
        ({"volume": 0}, "at least 1"),
    ],
)
def test_api_refuses_bad_requests(client, commissioner, changes, words):
    client.force_login(commissioner)
    response = send(client, "post", "/api/v1/capacity-requests", api_request_body(**changes))
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert not CapacityRequest.objects.exists()


def test_api_offer_from_a_location_not_yours_is_refused(
    client, manager, capacity_request, other_home
):
    client.force_login(manager)
    response = send(
        client,
        "put",
        f"/api/v1/capacity-requests/{capacity_request.pk}/offer",
        {"volume": 5, "available_from": "2030-01-01", "location": other_home.cqc_id},
    )
    assert response.status_code == 400
    assert "not one of your locations" in response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "method", "suffix"),
    [
        ("other_commissioner", "get", ""),
        ("other_commissioner", "post", "/close"),
        ("coordinator", "get", ""),
        ("manager", "post", "/close"),
        ("commissioner", "put", "/offer"),
        ("admin_user", "get", ""),
    ],
)
def test_api_answers_404_outside_the_remit(client, request, answered, persona, method, suffix):
    client.force_login(request.getfixturevalue(persona))
    url = f"/api/v1/capacity-requests/{answered.pk}{suffix}"
    response = send(client, method, url, {"volume": 1, "available_from": "2030-01-01"})
    assert response.status_code == 404
    answered.refresh_from_db()
    assert answered.state == CapacityRequestState.OPEN
    assert CapacityOffer.objects.filter(request=answered).count() == 2


@pytest.mark.parametrize("persona", ["manager", "coordinator"])
def test_api_create_is_for_commissioners(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = send(client, "post", "/api/v1/capacity-requests", api_request_body())
    assert response.status_code == 404
    assert not CapacityRequest.objects.exists()


def test_api_create_with_an_idempotency_key_sends_one_request(client, commissioner):
    client.force_login(commissioner)
    body = json.dumps(api_request_body())
    key = {"Idempotency-Key": "market-2026-11-28"}
    answers = [
        client.post(
            "/api/v1/capacity-requests", data=body, content_type="application/json", headers=key
        )
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert CapacityRequest.objects.count() == 1
    other = client.post(
        "/api/v1/capacity-requests",
        data=json.dumps(api_request_body(volume=5)),
        content_type="application/json",
        headers=key,
    )
    assert other.status_code == 422
    assert CapacityRequest.objects.count() == 1


def race(actions) -> list:
    """Run each action in its own thread (and connection), released together; each outcome."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = actions[i]()
        except BaseException as exc:  # every outcome is inspected by the caller
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_racing_answers_and_a_close_leave_one_answer_and_no_error(commissioner, provider):
    """Nine managers of one provider answer while the commissioner closes, twenty times over:
    every answer is stored or refused as closed, the provider never has two rows, and nothing
    is stored after the close."""
    managers = [
        actor_for(make_user(f"manager-{i}", provider, Role.PROVIDER_MANAGER)) for i in range(9)
    ]
    owner = actor_for(commissioner)
    for _ in range(20):
        open_request = service.create_request(actor=owner, terms=terms())
        answers = [
            partial(
                service.offer_capacity,
                actor=m,
                request=open_request,
                terms=answer(volume=n + 1),
            )
            for n, m in enumerate(managers)
        ]
        closing = partial(service.close_request, actor=owner, request=open_request)
        outcomes = race([*answers, closing])
        refused = [o for o in outcomes if isinstance(o, BaseException)]
        assert all(isinstance(o, service.CapacityRequestError) for o in refused), refused
        assert all("closed" in str(o) for o in refused)
        assert isinstance(outcomes[-1], CapacityRequest)
        stored = list(CapacityOffer.objects.filter(request=open_request))
        assert len(stored) == (1 if len(refused) < len(managers) else 0)
        closed_at = AuditEvent.objects.get(
            action="capacity_request.close", object_id=str(open_request.pk)
        ).at
        assert all(o.offered_at < closed_at for o in stored)
