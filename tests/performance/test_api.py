"""API: /api/v1/performance/… scoped like the pages, with the figures of the definitions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward.cases.queries import today
from homeward.core.models import AuditEvent, Role
from homeward.performance.models import TrajectoryTarget
from homeward.performance.queries import dtoc_measures, dtoc_measures_by_area
from tests.cases.factories import make_case
from tests.conftest import make_user
from tests.performance.dashboard_data import store

pytestmark = pytest.mark.django_db

TRAFFORD = "E08000009"
RANGE = {"from_month": "2019-10", "to_month": "2019-12"}
OCT, DEC = dt.date(2019, 10, 1), dt.date(2019, 12, 1)


@pytest.fixture
def stored(tmp_path):
    store(tmp_path)


@pytest.fixture
def analyst(council):
    return make_user("analyst", council, Role.ANALYST)


def test_measures_are_the_report_and_each_month(client, analyst, stored):
    client.force_login(analyst)
    body = client.get("/api/v1/performance/measures", {"area": TRAFFORD, **RANGE}).json()
    assert body["name"] == "Trafford"
    assert body["summary"] == dtoc_measures(TRAFFORD, OCT, DEC).as_dict()
    assert [m["month"] for m in body["months"]] == ["2019-10", "2019-11", "2019-12"]
    for m in body["months"]:
        month = dt.date.fromisoformat(m["month"] + "-01")
        want = dtoc_measures(TRAFFORD, month, month)
        assert m["delayed_days"] == want.delayed_days
        assert m["per_100k_adults"] == pytest.approx(want.per_100k_adults)
        assert m["attribution"] == pytest.approx(want.attribution)
        assert m["target_per_100k"] is None


def test_england_is_the_default_area(client, analyst, stored):
    client.force_login(analyst)
    body = client.get("/api/v1/performance/measures").json()
    assert body["area"] == "E92000001"
    assert body["summary"]["delayed_days"] == dtoc_measures("E92000001", OCT, DEC).delayed_days


def test_the_league_and_the_peers(client, analyst, stored):
    client.force_login(analyst)
    rows = client.get("/api/v1/performance/league", RANGE).json()
    every = dtoc_measures_by_area(OCT, DEC)
    assert [r["area"] for r in rows] == sorted(every, key=lambda c: every[c].per_100k_adults)
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    peers = client.get(
        "/api/v1/performance/league", {"area": TRAFFORD, "peers_only": True, **RANGE}
    ).json()
    assert {r["area"] for r in peers} == {"E08000009", "E08000006", "E08000003"}
    assert {r["council_type"] for r in peers} == {"Metropolitan district"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from_month": "2019-12", "to_month": "2019-10"}, "swap them"),
        ({"from_month": "autumn"}, "not a month"),
        ({"area": "Trafford"}, "not a council ONS code"),
    ],
)
def test_bad_filters_are_explained(client, analyst, stored, params, message):
    client.force_login(analyst)
    response = client.get("/api/v1/performance/measures", params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_nothing_imported_is_404(client, analyst):
    client.force_login(analyst)
    response = client.get("/api/v1/performance/league")
    assert response.status_code == 404
    assert "no published delay figures" in response.json()["detail"]


@pytest.mark.parametrize("persona", ["coordinator", "broker", "manager"])
def test_other_roles_get_404(client, request, stored, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/v1/performance/measures").status_code == 404
    assert client.get("/api/v1/performance/league").status_code == 404


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("t.csv", text.encode(), content_type="text/csv")


def test_trajectory_upload(client, analyst, commissioner, stored):
    client.force_login(commissioner)
    good = "area_code,month,target_per_100k\nE08000009,2019-10,5\nE08000009,2019-11,5\n"
    refused = client.post("/api/v1/performance/trajectories", {"file": csv_file(good)})
    assert refused.status_code == 404
    client.force_login(analyst)
    response = client.post("/api/v1/performance/trajectories", {"file": csv_file(good)})
    assert response.status_code == 201
    assert response.json() | {"upload": None} == {
        "source": "t.csv",
        "read": 2,
        "stored": 2,
        "replaced": 0,
        "rejected": 0,
        "errors": [],
        "upload": None,
    }
    assert AuditEvent.objects.filter(action="performance.trajectory_uploaded").count() == 1
    body = client.get("/api/v1/performance/measures", {"area": TRAFFORD, **RANGE}).json()
    assert [m["target_per_100k"] for m in body["months"]] == [5.0, 5.0, None]
    bad = client.post(
        "/api/v1/performance/trajectories",
        {"file": csv_file("area_code,month,target_per_100k\nE08000009,2019-12,x\n")},
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["line"] == 2
    assert bad.json()["stored"] == 0
    assert TrajectoryTarget.objects.count() == 2


def test_case_delays_are_the_pages_rows(client, coordinator, commissioner, other_commissioner):
    council = commissioner.memberships.get().organisation
    make_case(coordinator, council=council, ready_days_ago=3, admitted=today() - dt.timedelta(9))
    client.force_login(commissioner)
    rows = client.get("/api/v1/performance/case-delays").json()
    assert len(rows) == 12 and {r["area"] for r in rows} == {council.code}
    assert sum(r["delayed_days"] for r in rows) == 4  # three days ago to today, once each
    assert rows[-1]["month"] == f"{today():%Y-%m}" and rows[-1]["days"] == today().day
    client.force_login(other_commissioner)
    assert client.get("/api/v1/performance/case-delays").json() == []
    client.force_login(coordinator)
    assert client.get("/api/v1/performance/case-delays").status_code == 404
