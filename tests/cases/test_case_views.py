"""Integration: the waiting list and the case record through the Django test client."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.cases import services
from homeward.cases.models import CaseState, DischargeCase
from homeward.core import clock
from homeward.core.access import actor_for
from homeward.core.models import AuditEvent
from tests.cases.factories import code, make_case, test_nhs_number

pytestmark = pytest.mark.django_db


def local_input(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_coordinator_records_a_ready_patient(client, coordinator, council):
    client.force_login(coordinator)
    ready = clock.now() - timedelta(days=2)
    response = client.post(
        "/cases/new/",
        {
            "nhs_number": test_nhs_number(),
            "given_name": "Mary",
            "family_name": "Seacole",
            "date_of_birth": "1940-02-03",
            "sex": "F",
            "home_postcode": "M33 7XX",
            "council": "E08000009",
            "ward": "Ward 7",
            "admission_date": (clock.now() - timedelta(days=10)).date().isoformat(),
            "ready_at": local_input(ready),
            "pathway": "P3",
            "care_type": "nursing-dementia",
            "specialisms": ["Dementia"],
            "capabilities": ["hoist"],
            "funding_route": "council",
            "weekly_budget": "1200",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = DischargeCase.objects.get()
    assert case.discharge_ready_date is not None
    assert case.pathway.code == "P3"
    assert case.capabilities == ["hoist"]
    html = client.get("/cases/").content.decode()
    assert "Mary Seacole" in html
    assert "2 days" in html


def test_invalid_nhs_number_is_explained(client, coordinator, council):
    client.force_login(coordinator)
    response = client.post(
        "/cases/new/",
        {
            "nhs_number": "9434765918",
            "given_name": "A",
            "family_name": "B",
            "date_of_birth": "1940-02-03",
            "sex": "F",
            "council": "E08000009",
            "admission_date": "2026-01-01",
            "funding_route": "council",
        },
    )
    assert response.status_code == 400
    assert "check digit" in response.content.decode()
    assert not DischargeCase.objects.exists()


def test_hub_list_shows_wait_delays_owner_and_alerts(client, coordinator, council, trust):
    case = make_case(coordinator, council=council, ready_days_ago=15)
    actor = actor_for(coordinator)
    services.add_delay(
        actor=actor, case=case, reason=code("delay_reason", "R15"), attribution="social_care"
    )
    services.add_delay(
        actor=actor, case=case, reason=code("delay_reason", "R06"), attribution="nhs"
    )
    services.add_task(
        actor=actor,
        case=case,
        task_type=code("task_type", "assessment"),
        owner_organisation=council,
        due_at=clock.now() - timedelta(hours=2),
    )
    client.force_login(coordinator)
    html = client.get("/cases/").content.decode()
    assert "15 days" in html
    assert "Pathway 3: awaiting availability" in html
    assert "Awaiting community equipment" in html
    assert "Assessment is overdue" in html
    assert "Waiting over 14 days" in html
    assert "No named owner" in html
    assert AuditEvent.objects.filter(action="case.list", username="coordinator").exists()


def test_discharged_case_leaves_the_list(client, coordinator, council):
    case = make_case(coordinator, council=council, given="Leaving")
    client.force_login(coordinator)
    url = reverse("cases:transition", args=[case.pk])
    assert client.post(url, {"to_state": "discharged", "reason": "home"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.DISCHARGED
    assert case.discharged_at is not None
    assert "Leaving" not in client.get("/cases/").content.decode()


def test_disallowed_transition_is_explained(client, coordinator, council):
    case = make_case(coordinator, council=council)
    client.force_login(coordinator)
    url = reverse("cases:transition", args=[case.pk])
    response = client.post(url, {"to_state": "readmitted"}, follow=True)
    assert "cannot become readmitted" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.IDENTIFIED


def test_case_page_is_audited_and_shows_timeline(client, coordinator, council):
    case = make_case(coordinator, council=council)
    client.force_login(coordinator)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "No longer meets the criteria to reside" in html
    assert "Opened as identified" in html
    assert AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).exists()


@pytest.mark.parametrize("persona", ["broker", "commissioner"])
def test_council_of_residence_sees_the_case(client, request, coordinator, council, persona):
    case = make_case(coordinator, council=council)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/cases/{case.pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["other_commissioner", "manager", "admin_user"])
def test_other_organisations_get_404(client, request, coordinator, council, persona):
    case = make_case(coordinator, council=council, given="Hidden")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert "Hidden" not in client.get("/cases/").content.decode()
    for name, args in [
        ("cases:criteria", [case.pk]),
        ("cases:add_delay", [case.pk]),
        ("cases:add_task", [case.pk]),
        ("cases:plan", [case.pk]),
        ("cases:transition", [case.pk]),
        ("cases:end_delay", [case.pk, 1]),
        ("cases:complete_task", [case.pk, 1]),
    ]:
        assert client.post(reverse(name, args=args), {"to_state": "cancelled"}).status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.IDENTIFIED


def test_only_hospital_staff_open_cases(client, broker):
    client.force_login(broker)
    assert client.get("/cases/new/").status_code == 404


def test_criteria_met_again_restarts_the_ready_date(client, coordinator, council):
    case = make_case(coordinator, council=council, ready_days_ago=5)
    first = case.discharge_ready_date
    client.force_login(coordinator)
    url = reverse("cases:criteria", args=[case.pk])
    client.post(url, {"meets_criteria": "yes", "at": local_input(clock.now() - timedelta(days=3))})
    case.refresh_from_db()
    assert case.discharge_ready_date is None
    client.post(url, {"meets_criteria": "no", "at": local_input(clock.now() - timedelta(days=1))})
    case.refresh_from_db()
    assert case.discharge_ready_date > first


def test_hub_list_query_count_is_bounded(
    client, coordinator, council, django_assert_max_num_queries
):
    for i in range(25):
        make_case(coordinator, council=council, given=f"P{i}")
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        assert client.get("/cases/").status_code == 200


def test_daily_return_page_and_downloads(client, coordinator, council):
    case = make_case(coordinator, council=council, ready_days_ago=2)
    services.add_delay(
        actor=actor_for(coordinator),
        case=case,
        reason=code("delay_reason", "R13"),
        attribution="social_care",
    )
    client.force_login(coordinator)
    html = client.get("/cases/daily-return/").content.decode()
    assert "Table 2" in html
    assert "Pathway 1: awaiting availability of resource" in html
    today = timezone.localtime(clock.now()).date().isoformat()
    csv_response = client.get(
        "/cases/daily-return/", {"end": today, "start": today, "format": "csv"}
    )
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert (
        "Number of patients remaining in hospital who no longer meet the criteria to reside" in text
    )
    row = next(line for line in text.splitlines() if line.startswith(today))
    assert row.split(",")[3:7] == ["1", "0", "0", "1"]
    xlsx = client.get("/cases/daily-return/", {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="return.acute_discharge").count() == 3


@pytest.mark.parametrize("persona", ["broker", "manager", "admin_user"])
def test_daily_return_is_for_hospitals_and_icbs(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/cases/daily-return/").status_code == 404


def test_daily_return_refuses_long_ranges(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/cases/daily-return/", {"start": "2026-01-01", "end": "2026-06-01"})
    assert response.status_code == 400
    assert "31" in response.content.decode()


def test_legacy_notices_are_off_until_the_council_switches_them_on(
    client, coordinator, commissioner, council
):
    case = make_case(coordinator, council=council)
    client.force_login(coordinator)
    assert (
        "Assessment and discharge notices" not in client.get(f"/cases/{case.pk}/").content.decode()
    )
    url = reverse("cases:notices", args=[case.pk])
    response = client.post(url, {"assessment_notice_at": local_input(clock.now())}, follow=True)
    assert "does not use assessment and discharge notices" in response.content.decode()

    client.force_login(commissioner)
    client.post("/cases/legacy-notices/", {"enabled": "on"})
    assert (
        '<strong id="legacy-state">on</strong>'
        in client.get("/cases/legacy-notices/").content.decode()
    )

    client.force_login(coordinator)
    assessed = clock.now() - timedelta(days=6)
    noticed = clock.now() - timedelta(days=5)
    proposed = (timezone.localtime(clock.now()) - timedelta(days=3)).date()
    client.post(
        url,
        {
            "assessment_notice_at": local_input(assessed),
            "discharge_notice_at": local_input(noticed),
            "proposed_discharge_date": proposed.isoformat(),
        },
    )
    case.refresh_from_db()
    assert case.proposed_discharge_date == proposed
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "the council is liable" in html
    assert "the council is liable" in client.get("/cases/").content.decode()


def test_discharge_notice_needs_a_day(client, coordinator, commissioner, council):
    case = make_case(coordinator, council=council)
    services.set_legacy_notices(actor=actor_for(commissioner), council=council, enabled=True)
    noticed = clock.now() - timedelta(hours=1)
    with pytest.raises(services.CaseError, match="at least a day"):
        services.record_notices(
            actor=actor_for(coordinator),
            case=case,
            assessment_notice_at=noticed - timedelta(hours=4),
            discharge_notice_at=noticed,
            proposed_discharge_date=timezone.localtime(noticed).date(),
        )
