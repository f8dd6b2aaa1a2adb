"""Integration: the discharge cases API through real URLs (/api/v1/cases...), its validation,
its audit rows and its organisation scoping."""

import itertools
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from homeward.cases import services
from homeward.cases.models import (
    CaseState,
    CodeList,
    DelayEpisode,
    DischargeCase,
    Patient,
    ReferenceCode,
    Task,
)
from homeward.core import clock
from homeward.core.access import actor_for
from homeward.core.models import AuditEvent, Organisation, OrganisationKind, Role
from homeward.core.nhs_number import check_digit
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

REAL_RANGE_NUMBER = "9434765919"  # valid check digit, but a real (non-test) number
_prefixes = (f"999{i:06d}" for i in itertools.count(123456))


def test_number() -> str:
    """A fresh 999-range NHS number with a valid check digit."""
    for first in _prefixes:
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise AssertionError("unreachable")


test_number.__test__ = False  # a helper, not a test


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def code(code_list, value):
    return ReferenceCode.objects.get(list=code_list, code=value)


def open_trafford_case(coordinator, council, *, ready_days=10, family="Smith", **details):
    """A case at trust R0A for a Trafford resident, ready for discharge `ready_days` ago."""
    actor = actor_for(coordinator)
    now = clock.now()
    patient = services.register_patient(
        actor=actor,
        nhs_number_raw=test_number(),
        given_name="Ada",
        family_name=family,
        date_of_birth=(now - timedelta(days=365 * 84)).date(),
        sex="F",
        postcode="M33 7XX",
        council=council,
    )
    return services.open_case(
        actor=actor,
        patient=patient,
        trust=actor.organisation,
        admission_date=(now - timedelta(days=(ready_days or 0) + 5)).date(),
        ready_at=now - timedelta(days=ready_days) if ready_days is not None else None,
        ward="Ward 7",
        **details,
    )


@pytest.fixture
def trafford_case(coordinator, council):
    case = open_trafford_case(coordinator, council, pathway=code(CodeList.PATHWAY, "P3"))
    actor = actor_for(coordinator)
    services.add_delay(
        actor=actor,
        case=case,
        reason=code(CodeList.DELAY_REASON, "R15"),
        attribution="social_care",
    )
    services.add_task(
        actor=actor,
        case=case,
        task_type=code(CodeList.TASK_TYPE, "assessment"),
        owner_organisation=council,
        due_at=clock.now() + timedelta(days=2),
    )
    return case


def new_case_body(**overrides):
    now = clock.now()
    body = {
        "patient": {
            "nhs_number": test_number(),
            "given_name": "Grace",
            "family_name": "Hopper",
            "date_of_birth": "1938-12-09",
            "sex": "F",
            "postcode": "m33 7xx",
        },
        "admission_date": (now - timedelta(days=12)).date().isoformat(),
        "ready_at": (now - timedelta(days=8)).isoformat(),
        "ward": "Ward 12",
        "pathway": "P1",
        "needs": {
            "care_type": "home-care",
            "specialisms": ["Dementia"],
            "capabilities": ["double-handed"],
            "funding_route": "council",
            "preferred_areas": ["M33"],
            "weekly_budget": "950.00",
        },
        "council": "E08000009",
    }
    for key, value in overrides.items():
        if key in body["patient"]:
            body["patient"][key] = value
        elif key in body["needs"]:
            body["needs"][key] = value
        else:
            body[key] = value
    return body


# --- Opening a case --------------------------------------------------------------------------


def test_coordinator_opens_a_case(client, coordinator, trust):
    client.force_login(coordinator)
    body = new_case_body()
    response = post(client, "/api/v1/cases", body)
    assert response.status_code == 201, response.content
    data = response.json()
    number = body["patient"]["nhs_number"]
    assert data["patient"] == {
        "name": "Grace Hopper",
        "given_name": "Grace",
        "family_name": "Hopper",
        "nhs_number": f"{number[:3]} {number[3:6]} {number[6:]}",
        "date_of_birth": "1938-12-09",
    }
    assert data["trust"]["code"] == "R0A"
    assert data["council"]["code"] == "E08000009"
    assert data["owner_organisation"]["code"] == "R0A"
    assert data["state"] == "identified"
    assert data["pathway"]["code"] == "P1"
    assert data["days_waiting"] == 8
    assert data["rag"] == "amber"
    assert data["home_postcode"] == "M33 7XX"
    assert data["needs"]["care_type"] == "home-care"
    assert data["needs"]["weekly_budget"] == "950.00"
    assert [t["to_state"] for t in data["transitions"]] == ["identified"]
    assert [c["meets_criteria"] for c in data["criteria"]] == [False]
    assert [e["kind"] for e in data["timeline"]] == ["criteria", "transition"]
    case = DischargeCase.objects.get(pk=data["id"])
    assert case.patient.postcode == "M33 7XX"
    assert case.patient.council.code == "E08000009"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"patient.create", "case.open", "case.criteria"} <= actions


def test_an_existing_patient_gets_a_new_case(client, coordinator, council):
    earlier = open_trafford_case(coordinator, council, family="Hopper")
    client.force_login(coordinator)
    body = new_case_body(
        nhs_number=earlier.patient.nhs_number,
        given_name="Ada",
        date_of_birth=earlier.patient.date_of_birth.isoformat(),
    )
    response = post(client, "/api/v1/cases", body)
    assert response.status_code == 201, response.content
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nhs_number": "999 000 0001"}, "check digit"),
        ({"nhs_number": "12345"}, "10 digits"),
        ({"nhs_number": REAL_RANGE_NUMBER}, "test NHS number starting 999"),
        ({"given_name": "  "}, "given name and family name"),
        ({"date_of_birth": "2999-01-01"}, "date of birth cannot be in the future"),
        ({"sex": "Q"}, "unknown sex"),
        ({"postcode": "nowhere"}, "not a valid UK postcode"),
        ({"pathway": "P9"}, "unknown pathway 'P9'"),
        ({"council": "E99999999"}, "unknown council"),
        ({"care_type": "spa"}, "unknown care type 'spa'"),
        ({"specialisms": ["Gardening"]}, "unknown specialism 'Gardening'"),
        ({"funding_route": "lottery"}, "unknown funding route"),
        ({"admission_date": "2999-01-01"}, "admission date cannot be in the future"),
        ({"ready_at": "2999-01-01T10:00:00Z"}, "cannot be in the future"),
        ({"ready_at": "2000-01-01T10:00:00"}, "cannot be before admission"),
    ],
)
def test_bad_case_input_is_explained(client, coordinator, overrides, message):
    client.force_login(coordinator)
    response = post(client, "/api/v1/cases", new_case_body(**overrides))
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert not DischargeCase.objects.exists()
    assert not Patient.objects.exists()  # nothing is left half-written


def test_a_number_registered_to_someone_else_is_refused_without_saying_whose(
    client, coordinator, council
):
    earlier = open_trafford_case(coordinator, council, family="Lovelace")
    client.force_login(coordinator)
    response = post(client, "/api/v1/cases", new_case_body(nhs_number=earlier.patient.nhs_number))
    assert response.status_code == 400
    assert "different name or date of birth" in response.json()["detail"]
    assert "Lovelace" not in response.content.decode()
    assert DischargeCase.objects.count() == 1


@pytest.mark.parametrize("persona", ["broker", "commissioner", "manager"])
def test_only_hospital_staff_open_cases(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = post(client, "/api/v1/cases", new_case_body())
    assert response.status_code == 404
    assert not DischargeCase.objects.exists()


def test_hospital_site_staff_open_cases_for_their_trust(client, trust):
    site = Organisation.objects.create(
        kind=OrganisationKind.SITE, code="R0A02", name="Wythenshawe Hospital", parent=trust
    )
    client.force_login(make_user("ward-clerk", site, Role.DISCHARGE_COORDINATOR))
    response = post(client, "/api/v1/cases", new_case_body())
    assert response.status_code == 201, response.content
    assert response.json()["trust"]["code"] == "R0A"
    assert response.json()["site"]["code"] == "R0A02"


# --- The hub list ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "broker"])
def test_hub_list_shows_the_case_with_its_wait_delays_tasks_and_alerts(
    client, request, trafford_case, persona
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/api/v1/cases")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    row = body["results"][0]
    assert row["id"] == trafford_case.pk
    assert row["patient"]["name"] == "Ada Smith"
    assert row["patient"]["nhs_number"].startswith("999 ")
    assert (row["trust"]["code"], row["council"]["code"]) == ("R0A", "E08000009")
    assert row["state"] == "identified"
    assert row["pathway"] == {"code": "P3", "label": "Pathway 3: new care-home placement"}
    assert (row["days_waiting"], row["rag"]) == (10, "amber")
    assert row["owner"] is None
    assert row["owner_organisation"]["code"] == "R0A"
    [delay] = row["open_delays"]
    assert delay["reason"]["code"] == "R15"
    assert delay["reason"]["label"].startswith("Pathway 3")
    assert (delay["attribution"], delay["primary"]) == ("social_care", True)
    [task] = row["open_tasks"]
    assert task["task_type"]["code"] == "assessment"
    assert task["owner_organisation"]["code"] == "E08000009"
    assert task["overdue"] is False
    keys = [a["key"] for a in row["alerts"]]
    assert keys == ["wait-7", "no-owner"]
    assert row["alerts"][0] == {"key": "wait-7", "severity": "amber", "text": "Waiting over 7 days"}


def test_hub_list_is_audited_once_per_call(client, coordinator, trafford_case):
    client.force_login(coordinator)
    client.get("/api/v1/cases", {"rag": "amber", "sort": "name"})
    [row] = AuditEvent.objects.filter(action="case.list")
    assert row.username == "coordinator"
    assert row.organisation.code == "R0A"
    assert row.detail["cases"] == 1
    assert row.detail["filter"]["rag"] == "amber"
    assert row.detail["filter"]["sort"] == "name"


def test_hub_list_filters(client, coordinator, broker, council, other_council, trafford_case):
    red = open_trafford_case(coordinator, council, ready_days=25, family="Red")
    open_trafford_case(coordinator, other_council, ready_days=None, family="Manc")
    services.set_plan(actor=actor_for(coordinator), case=red, owner=coordinator)
    client.force_login(coordinator)

    def ids(**params):
        return [r["id"] for r in client.get("/api/v1/cases", params).json()["results"]]

    assert len(ids()) == 3
    assert ids()[:2] == [red.pk, trafford_case.pk]  # longest wait first
    assert ids(rag="red") == [red.pk]
    assert len(ids(rag="grey")) == 1
    assert ids(pathway="P3") == [trafford_case.pk]
    assert sorted(ids(council="E08000009")) == sorted([red.pk, trafford_case.pk])
    assert ids(mine="true") == [red.pk]
    assert len(ids(trust="R0A")) == 3
    assert ids(trust="RXX") == []
    services.transition(actor=actor_for(coordinator), case=red, to_state="discharged")
    assert red.pk not in ids()  # the hub shows open cases only
    client.force_login(broker)
    assert ids() == [trafford_case.pk]  # Trafford's broker sees Trafford residents only


@pytest.mark.parametrize(("params", "message"), [({"rag": "pink"}, "rag"), ({"sort": "x"}, "sort")])
def test_bad_hub_filters_are_explained(client, coordinator, params, message):
    client.force_login(coordinator)
    response = client.get("/api/v1/cases", params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


@pytest.mark.parametrize("persona", ["other_commissioner", "manager"])
def test_other_organisations_see_an_empty_hub(client, request, trafford_case, persona):
    client.force_login(request.getfixturevalue(persona))
    body = client.get("/api/v1/cases").json()
    assert body == {"total": 0, "results": []}


def test_hub_list_queries_are_bounded(client, coordinator, council, django_assert_max_num_queries):
    actor = actor_for(coordinator)
    reason = code(CodeList.DELAY_REASON, "R13")
    task_type = code(CodeList.TASK_TYPE, "transport")
    for i in range(30):
        case = open_trafford_case(coordinator, council, ready_days=i % 25)
        services.add_delay(actor=actor, case=case, reason=reason, attribution="nhs")
        services.add_task(
            actor=actor,
            case=case,
            task_type=task_type,
            owner_organisation=council if i % 2 else actor.organisation,
            due_at=clock.now() - timedelta(hours=1),
        )
        services.set_plan(actor=actor, case=case, owner=coordinator, next_action="Call family")
    client.force_login(coordinator)
    with django_assert_max_num_queries(10):  # 8 today, however many cases
        response = client.get("/api/v1/cases")
    body = response.json()
    assert body["total"] == 30
    assert all(r["open_tasks"][0]["overdue"] for r in body["results"])
    assert all(r["alerts"][0]["severity"] == "red" for r in body["results"])


# --- One case --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "broker"])
def test_case_detail_with_timeline_is_audited(client, request, trafford_case, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(f"/api/v1/cases/{trafford_case.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["ward"] == "Ward 7"
    assert body["admission_date"] == trafford_case.admission_date.isoformat()
    assert [t["to_state"] for t in body["transitions"]] == ["identified"]
    assert body["transitions"][0]["by"] == "coordinator"
    assert [c["meets_criteria"] for c in body["criteria"]] == [False]
    assert [d["reason"]["code"] for d in body["delays"]] == ["R15"]
    assert [t["task_type"]["code"] for t in body["tasks"]] == ["assessment"]
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds == ["criteria", "transition", "delay_started", "task_added"]
    [row] = AuditEvent.objects.filter(action="case.view")
    assert (row.username, row.object_id) == (user.username, str(trafford_case.pk))


def test_the_trusts_icb_sees_the_case(client, trust, trafford_case):
    icb = Organisation.objects.create(
        kind=OrganisationKind.ICB, code="QOP", name="NHS Greater Manchester ICB"
    )
    trust.parent = icb
    trust.save()
    client.force_login(make_user("icb-analyst", icb, Role.ANALYST))
    assert client.get(f"/api/v1/cases/{trafford_case.pk}").status_code == 200
    assert client.get("/api/v1/cases").json()["total"] == 1


def test_a_missing_case_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/api/v1/cases/999999").status_code == 404


# --- Writes ----------------------------------------------------------------------------------


def test_transition_and_refused_transition(client, coordinator, trafford_case):
    client.force_login(coordinator)
    url = f"/api/v1/cases/{trafford_case.pk}/transitions"
    response = post(client, url, {"to_state": "assessing", "reason": "OT to assess"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "assessing"
    assert response.json()["transitions"][-1]["reason"] == "OT to assess"
    response = post(client, url, {"to_state": "discharged"})
    assert response.status_code == 200
    body = response.json()
    assert body["discharged_at"] is not None
    assert body["open_delays"] == []  # discharge ends every open delay
    assert body["alerts"] == []
    assert body["days_waiting"] == 10

    response = post(client, url, {"to_state": "assessing"})
    assert response.status_code == 400
    assert "discharged cannot become assessing" in response.json()["detail"]
    response = post(client, url, {"to_state": "gone"})
    assert response.status_code == 400
    assert "unknown state 'gone'" in response.json()["detail"]
    trafford_case.refresh_from_db()
    assert trafford_case.state == CaseState.DISCHARGED


def test_criteria_changes_move_the_discharge_ready_date(client, broker, trafford_case):
    client.force_login(broker)
    url = f"/api/v1/cases/{trafford_case.pk}/criteria"
    two_days_ago = (clock.now() - timedelta(days=2)).isoformat()
    response = post(
        client, url, {"meets_criteria": True, "at": two_days_ago, "note": "Spiked a temperature"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["discharge_ready_date"] is None
    assert response.json()["rag"] == "grey"
    at = (clock.now() - timedelta(days=1)).isoformat()
    response = post(client, url, {"meets_criteria": False, "at": at})
    assert response.json()["days_waiting"] == 1
    assert response.json()["criteria"][-1]["by"] == "broker"


@pytest.mark.parametrize(
    ("at", "message"),
    [("2999-01-01T09:00:00Z", "cannot be in the future"), ("2001-01-01", "before admission")],
)
def test_bad_criteria_changes_are_refused(client, coordinator, trafford_case, at, message):
    client.force_login(coordinator)
    response = post(
        client, f"/api/v1/cases/{trafford_case.pk}/criteria", {"meets_criteria": True, "at": at}
    )
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert trafford_case.criteria.count() == 1


def test_delays_are_added_and_ended(client, coordinator, trafford_case):
    client.force_login(coordinator)
    url = f"/api/v1/cases/{trafford_case.pk}/delays"
    response = post(client, url, {"reason": "R04", "attribution": "nhs", "primary": True})
    assert response.status_code == 201, response.content
    added = response.json()
    assert added["reason"]["code"] == "R04"
    assert added["primary"] is True
    first = trafford_case.delays.get(reason__code="R15")
    assert first.primary is False  # the new primary demoted the old one

    response = post(client, f"{url}/{added['id']}/end")
    assert response.status_code == 200
    assert response.json()["ended_at"] is not None
    again = post(client, f"{url}/{added['id']}/end")
    assert again.status_code == 400
    assert "already ended" in again.json()["detail"]
    assert AuditEvent.objects.filter(action="case.delay.end").count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"reason": "R99", "attribution": "nhs"}, "unknown delay reason 'R99'"),
        ({"reason": "Di", "attribution": "nhs"}, "unknown delay reason 'Di'"),  # legacy DTOC
        ({"reason": "R04", "attribution": "council"}, "unknown attribution"),
    ],
)
def test_bad_delays_are_refused(client, coordinator, trafford_case, body, message):
    client.force_login(coordinator)
    response = post(client, f"/api/v1/cases/{trafford_case.pk}/delays", body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert trafford_case.delays.count() == 1


def test_a_delay_of_another_case_is_404(client, coordinator, council, trafford_case):
    other = open_trafford_case(coordinator, council)
    delay = trafford_case.delays.get()
    client.force_login(coordinator)
    response = post(client, f"/api/v1/cases/{other.pk}/delays/{delay.pk}/end")
    assert response.status_code == 404
    delay.refresh_from_db()
    assert delay.ended_at is None


def test_tasks_are_added_and_completed(client, broker, trafford_case):
    client.force_login(broker)
    url = f"/api/v1/cases/{trafford_case.pk}/tasks"
    due = (clock.now() + timedelta(days=1)).isoformat()
    response = post(client, url, {"task_type": "funding", "due_at": due, "note": "Panel Tue"})
    assert response.status_code == 201, response.content
    task = response.json()
    assert task["owner_organisation"]["code"] == "E08000009"  # the broker's own council
    assert (task["note"], task["overdue"], task["done_at"]) == ("Panel Tue", False, None)
    response = post(
        client, url, {"task_type": "transport", "due_at": due, "owner_organisation": "R0A"}
    )
    assert response.json()["owner_organisation"]["code"] == "R0A"

    response = post(client, f"{url}/{task['id']}/complete")
    assert response.status_code == 200
    assert response.json()["done_at"] is not None
    assert post(client, f"{url}/{task['id']}/complete").status_code == 200  # idempotent
    assert AuditEvent.objects.filter(action="case.task.done").count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"task_type": "juggling"}, "unknown task type 'juggling'"),
        ({"task_type": "funding", "owner_organisation": "NOPE"}, "unknown organisation 'NOPE'"),
    ],
)
def test_bad_tasks_are_refused(client, coordinator, trafford_case, body, message):
    client.force_login(coordinator)
    body["due_at"] = clock.now().isoformat()
    response = post(client, f"/api/v1/cases/{trafford_case.pk}/tasks", body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert trafford_case.tasks.count() == 1


def test_plan_names_owner_and_next_action(client, coordinator, broker, trafford_case):
    client.force_login(coordinator)
    due = (clock.now() + timedelta(hours=4)).isoformat()
    response = put(
        client,
        f"/api/v1/cases/{trafford_case.pk}/plan",
        {
            "owner": "broker",
            "next_action": "Send referral to Oak Lodge",
            "next_action_due": due,
            "expected_discharge_date": (clock.now() + timedelta(days=3)).date().isoformat(),
            "pathway": "P2",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["owner"] == "broker"
    assert body["owner_organisation"]["code"] == "E08000009"
    assert body["next_action"] == "Send referral to Oak Lodge"
    assert body["pathway"]["code"] == "P2"
    assert "no-owner" not in [a["key"] for a in body["alerts"]]
    assert AuditEvent.objects.filter(action="case.plan").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"owner": "nobody"}, "'nobody' is not a user at an organisation"),
        ({"owner": "other-commissioner"}, "is not a user at an organisation"),
        ({"pathway": "P7"}, "unknown pathway 'P7'"),
        ({"expected_discharge_date": "2001-01-01"}, "cannot be before admission"),
    ],
)
def test_bad_plans_are_refused(
    client, coordinator, other_commissioner, trafford_case, body, message
):
    client.force_login(coordinator)
    response = put(client, f"/api/v1/cases/{trafford_case.pk}/plan", body)
    assert response.status_code == 400
    assert message in response.json()["detail"]


# --- Scoping: every case endpoint, for people outside the case's organisations ---------------


def case_requests(case):
    delay = case.delays.get()
    task = case.tasks.get()
    due = (clock.now() + timedelta(days=1)).isoformat()
    base = f"/api/v1/cases/{case.pk}"
    return [
        ("get", base, None),
        ("post", f"{base}/criteria", {"meets_criteria": True}),
        ("post", f"{base}/delays", {"reason": "R04", "attribution": "nhs"}),
        ("post", f"{base}/delays/{delay.pk}/end", None),
        ("post", f"{base}/tasks", {"task_type": "funding", "due_at": due}),
        ("post", f"{base}/tasks/{task.pk}/complete", None),
        ("put", f"{base}/plan", {"next_action": "Take over"}),
        # Last: a cancelled case accepts no further changes.
        ("post", f"{base}/transitions", {"to_state": "cancelled"}),
    ]


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json"
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("other_commissioner", 404), ("manager", 404), ("outsider", 403)]
)
def test_people_outside_the_case_cannot_read_or_change_it(
    client, request, trafford_case, persona, status
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    before = AuditEvent.objects.count()
    for method, url, body in case_requests(trafford_case):
        response = call(client, method, url, body)
        assert response.status_code == status, (method, url, response.content)
        assert "Smith" not in response.content.decode()
    assert AuditEvent.objects.count() == before  # nothing read, nothing written
    trafford_case.refresh_from_db()
    assert trafford_case.state == CaseState.IDENTIFIED
    assert trafford_case.criteria.count() == 1
    assert DelayEpisode.objects.filter(case=trafford_case, ended_at=None).count() == 1
    assert Task.objects.filter(case=trafford_case, done_at=None).count() == 1
    if persona == "outsider":
        assert client.get("/api/v1/cases").status_code == 403
        assert post(client, "/api/v1/cases", new_case_body()).status_code == 403


@pytest.mark.parametrize("persona", ["coordinator", "broker"])
def test_the_trust_and_the_council_can_use_every_case_endpoint(
    client, request, trafford_case, persona
):
    client.force_login(request.getfixturevalue(persona))
    for method, url, body in case_requests(trafford_case):
        response = call(client, method, url, body)
        assert response.status_code in (200, 201), (method, url, response.content)


def test_anonymous_requests_are_refused(client, trafford_case):
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get(f"/api/v1/cases/{trafford_case.pk}").status_code == 401
    assert post(client, "/api/v1/cases", new_case_body()).status_code == 401


def test_daily_return_through_the_api(client, coordinator, trafford_case):
    client.force_login(coordinator)
    today = timezone.localtime(clock.now()).date().isoformat()
    response = client.get("/api/v1/daily-return", {"start": today, "end": today})
    assert response.status_code == 200
    (row,) = response.json()
    assert row["org_code"] == "R0A"
    assert (
        row["not_meeting_criteria"]
        == row["remaining"] + row["discharged_by_1700"] + row["discharged_1701_2359"]
    )
    assert len(row["reasons"]) == 18
    assert AuditEvent.objects.filter(action="return.acute_discharge").exists()
    too_long = client.get("/api/v1/daily-return", {"start": "2026-01-01", "end": "2026-06-01"})
    assert too_long.status_code == 400


@pytest.mark.parametrize("persona", ["broker", "manager", "other_commissioner"])
def test_daily_return_api_is_for_hospitals_and_icbs(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/v1/daily-return").status_code == 404
