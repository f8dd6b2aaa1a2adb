"""Integration: the performance dashboard, its downloads and trajectory upload through the
Django test client, for each persona."""

import csv
import datetime as dt
import io
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from homeward.cases.queries import today
from homeward.core.access import SYSTEM
from homeward.core.models import AuditEvent, Organisation, OrganisationKind, Role
from homeward.measures.definitions import measure
from homeward.measures.dtoc import parse_sheets
from homeward.performance.models import TrajectoryTarget
from homeward.performance.queries import dtoc_measures, dtoc_measures_by_area, dtoc_months
from homeward.performance.services import import_dtoc_workbook
from tests.cases.factories import make_case
from tests.conftest import make_user
from tests.measures.dtoc_books import area, dtoc_sheets
from tests.performance.dashboard_data import store

pytestmark = pytest.mark.django_db

TRAFFORD = "E08000009"
FILTER = {"area": TRAFFORD, "from": "2019-10", "to": "2019-12"}
OCT, DEC = dt.date(2019, 10, 1), dt.date(2019, 12, 1)


@pytest.fixture
def stored(tmp_path):
    store(tmp_path)


@pytest.fixture
def analyst(council):
    return make_user("analyst", council, Role.ANALYST)


@pytest.fixture
def leader(council):
    return make_user("leader", council, Role.SYSTEM_LEADER)


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("performance:dashboard"), params or FILTER)


@pytest.mark.parametrize("persona", ["analyst", "leader", "commissioner", "admin_user"])
def test_readers_see_the_dashboard(client, request, stored, persona):
    response = page(client, request.getfixturevalue(persona))
    assert response.status_code == 200
    assert "Trafford, October 2019 to December 2019" in response.content.decode()


@pytest.mark.parametrize("persona", ["coordinator", "broker", "manager"])
def test_other_roles_get_404_everywhere(client, request, stored, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("performance:dashboard")).status_code == 404
    url = reverse("performance:download", args=["league", "csv"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("performance:trajectory")).status_code == 404


def test_someone_without_an_organisation_is_refused(client, outsider, stored):
    assert page(client, outsider).status_code == 403


def test_only_analysts_and_administrators_set_trajectories(client, commissioner, analyst):
    client.force_login(commissioner)
    assert client.get(reverse("performance:trajectory")).status_code == 404
    assert "Upload a trajectory" not in client.get(reverse("performance:dashboard")).text
    client.force_login(analyst)
    assert client.get(reverse("performance:trajectory")).status_code == 200


def test_navigation_offers_the_dashboard_to_its_readers(client, analyst, coordinator):
    client.force_login(analyst)
    assert 'href="/performance/"' in client.get("/").text
    client.force_login(coordinator)
    assert 'href="/performance/"' not in client.get("/").text


def test_nothing_imported_says_how_to_import(client, analyst):
    html = page(client, analyst).content.decode()
    assert "No published delay figures are imported yet" in html


def test_one_council_shows_its_measures_peers_and_rank(client, analyst, stored):
    want = dtoc_measures(TRAFFORD, OCT, DEC)
    html = page(client, analyst).content.decode()
    assert f"{want.delayed_days:,} over {want.days} days" in html
    assert f"{want.per_100k_adults:,.2f}" in html
    assert f"NHS {want.attribution['nhs']:.1f}%" in html
    every = dtoc_measures_by_area(OCT, DEC)
    metropolitan = sorted(
        (m.per_100k_adults, code) for code, m in every.items() if code.startswith("E08")
    )
    rank = [code for _, code in metropolitan].index(TRAFFORD) + 1
    assert f"{rank} of {len(metropolitan)} metropolitan districts" in html
    peers = html[html.index('id="peer-table"') : html.index('id="league"')]
    assert "Salford" in peers and "Manchester" in peers and "Kent" not in peers
    league = html[html.index('id="league-table"') :]
    assert "Kent" in league
    assert 'role="img"' in html and "<desc" in html


def test_every_council_is_ranked_lowest_rate_first(client, analyst, stored):
    every = dtoc_measures_by_area(OCT, DEC)
    order = [code for code, _ in sorted(every.items(), key=lambda i: i[1].per_100k_adults)]
    client.force_login(analyst)
    got = client.get(reverse("performance:download", args=["league", "csv"]), FILTER)
    rows = list(csv.DictReader(io.StringIO(got.content.decode())))
    assert [r["area_code"] for r in rows] == order
    assert [int(r["rank"]) for r in rows] == list(range(1, len(order) + 1))
    for r in rows:
        assert float(r["per_100k_adults"]) == every[r["area_code"]].per_100k_adults


def test_a_bad_filter_is_explained(client, analyst, stored):
    response = page(client, analyst, area=TRAFFORD, **{"from": "2019-12", "to": "2019-10"})
    assert response.status_code == 400
    assert "To 2019-10 is before From 2019-12: swap them" in response.content.decode()
    response = page(client, analyst, area="E07000001")
    assert response.status_code == 400
    assert "not a council ONS code" in response.content.decode()


def test_the_default_is_england_over_the_published_months(client, analyst, stored):
    html = page(client, analyst, area="").content.decode()
    assert "England, October 2019 to December 2019" in html
    assert "Choose a council to compare it with its peers" in html


def test_month_download_matches_the_definition_for_each_month(client, analyst, stored):
    client.force_login(analyst)
    url = reverse("performance:download", args=["months", "csv"])
    response = client.get(url, FILTER)
    assert response["Content-Disposition"] == (
        'attachment; filename="dtoc-months-E08000009-2019-10-to-2019-12.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    figures = {f.month: f for f in dtoc_months(TRAFFORD, OCT, DEC)}
    assert [r["month"] for r in rows] == ["2019-10", "2019-11", "2019-12"]
    for r in rows:
        month = dt.date.fromisoformat(r["month"] + "-01")
        want = measure(TRAFFORD, month, month, [figures[month]])
        assert int(r["delayed_days"]) == want.delayed_days
        assert float(r["per_100k_adults"]) == pytest.approx(want.per_100k_adults)
        assert float(r["nhs_pct"]) == pytest.approx(want.attribution["nhs"])
        assert r["target_per_100k"] == ""


def test_xlsx_downloads_hold_the_same_rows_as_csv(client, analyst, stored):
    client.force_login(analyst)
    for table in ("league", "peers", "months", "reasons", "every-month"):
        as_csv = client.get(reverse("performance:download", args=[table, "csv"]), FILTER)
        as_xlsx = client.get(reverse("performance:download", args=[table, "xlsx"]), FILTER)
        sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
        cells = [["" if v is None else str(v) for v in row] for row in sheet.values]
        rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
        assert len(cells) == len(rows) > 1, table
        assert cells[0] == rows[0]
        assert [c[:3] for c in cells] == [r[:3] for r in rows], table
    assert client.get(reverse("performance:download", args=["nope", "csv"])).status_code == 404
    bad = client.get(reverse("performance:download", args=["league", "csv"]), {"to": "2019"})
    assert bad.status_code == 400
    assert bad.text == "To '2019' is not a month: use YYYY-MM, e.g. 2019-04"
    assert client.get(reverse("performance:download", args=["league", "pdf"])).status_code == 404


def test_every_council_by_month_is_each_month_measured_alone(client, analyst, stored):
    client.force_login(analyst)
    url = reverse("performance:download", args=["every-month", "csv"])
    rows = list(csv.DictReader(io.StringIO(client.get(url, FILTER).content.decode())))
    assert len(rows) == 4 * 3
    for r in rows:
        month = dt.date.fromisoformat(r["month"] + "-01")
        want = dtoc_measures(r["area_code"], month, month)
        assert int(float(r["delayed_days"])) == want.delayed_days
        assert float(r["per_100k_adults"]) == pytest.approx(want.per_100k_adults)


def upload(client, user, text: str):
    client.force_login(user)
    data = io.BytesIO(text.encode())
    data.name = "trajectory.csv"
    return client.post(reverse("performance:trajectory"), {"file": data})


def test_a_trajectory_is_stored_audited_and_shown_against_the_actuals(client, analyst, stored):
    rates = {f"{m:%Y-%m}": dtoc_measures(TRAFFORD, m, m).per_100k_adults for m in (OCT, DEC)}
    nov = dt.date(2019, 11, 1)
    rates["2019-11"] = dtoc_measures(TRAFFORD, nov, nov).per_100k_adults
    # A target just above October's rate and just below the others.
    text = "area_code,month,target_per_100k\n" + "".join(
        f"{TRAFFORD},{month},{rate + (0.5 if month == '2019-10' else -0.5)}\n"
        for month, rate in rates.items()
    )
    response = upload(client, analyst, text)
    assert response.status_code == 200
    assert "3 new target(s), 0 replaced" in response.content.decode()
    assert TrajectoryTarget.objects.count() == 3
    event = AuditEvent.objects.get(action="performance.trajectory_uploaded")
    assert event.username == "analyst" and event.detail["stored"] == 3
    html = page(client, analyst).content.decode()
    months_table = html[html.index('id="months"') : html.index('id="by-reason"')]
    assert months_table.count("above target") == 2
    assert months_table.count("at or below target") == 1
    assert "Above its trajectory in 2 of the 3 months with a target" in html
    again = upload(client, analyst, f"area_code,month,target_per_100k\n{TRAFFORD},2019-10,1\n")
    assert "0 new target(s), 1 replaced" in again.content.decode()
    assert TrajectoryTarget.objects.get(month=OCT).target_per_100k == 1


def test_a_trajectory_with_bad_lines_stores_nothing_and_names_them(client, analyst):
    response = upload(
        client,
        analyst,
        "area_code,month,target_per_100k\nE08000009,2019-10,9\nE08000009,October,9\n",
    )
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "Line 3: month 'October' is not a month" in html
    assert "Nothing was stored" in html
    assert TrajectoryTarget.objects.count() == 0
    assert not AuditEvent.objects.filter(action="performance.trajectory_uploaded").exists()


def test_case_delays_use_the_cases_the_reader_may_see(
    client, coordinator, commissioner, other_commissioner, council
):
    ready = 40
    make_case(
        coordinator, council=council, ready_days_ago=ready, admitted=today() - dt.timedelta(60)
    )
    html = page(client, commissioner).content.decode()
    cases = html[html.index('id="case-delays"') :]
    assert "Trafford" in cases
    client.force_login(commissioner)
    got = client.get(reverse("performance:download", args=["cases", "csv"]))
    rows = list(csv.DictReader(io.StringIO(got.content.decode())))
    first_ready = today() - dt.timedelta(days=ready)
    # Still in hospital: every day from the discharge ready date to today counts once.
    assert sum(int(r["delayed_days"]) for r in rows) == (today() - first_ready).days + 1
    for r in rows:
        assert float(r["delayed_beds_per_day"]) == pytest.approx(
            int(r["delayed_days"]) / int(r["days"])
        )
    assert rows[-1]["days"] == str(today().day)
    html = page(client, other_commissioner).content.decode()
    assert 'id="case-delays"' not in html
    assert "can see no cases" in html


def test_the_dashboard_reads_in_a_bounded_number_of_queries(
    client, analyst, stored, django_assert_max_num_queries
):
    client.force_login(analyst)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("performance:dashboard"), FILTER).status_code == 200


def test_a_month_without_figures_is_listed_not_counted(client, analyst, stored):
    html = page(client, analyst, area=TRAFFORD, **{"from": "2019-10", "to": "2020-01"})
    text = html.content.decode()
    assert "1 month(s) without figures (Jan 2020)" in text
    want = dtoc_measures(TRAFFORD, OCT, dt.date(2020, 1, 1))
    assert want.days == 92
    assert f"{want.delayed_days:,} over 92 days" in text


def test_a_council_that_no_longer_exists_keeps_its_published_name(client, analyst, tmp_path):
    poole = area("E06000029", "835", "Poole", 120, region="South West")
    sheets = dtoc_sheets([poole], period="December 2018", published="13th February 2019")
    import_dtoc_workbook(actor=SYSTEM, workbook=parse_sheets("Dec_18.xlsx", sheets))
    client.force_login(analyst)
    url = reverse("performance:download", args=["league", "csv"])
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    assert [(r["area_code"], r["name"], r["region"]) for r in rows] == [
        ("E06000029", "Poole", "South West")
    ]


def test_case_delays_group_by_trust_or_icb(client, coordinator, commissioner, council, trust):
    icb = Organisation.objects.create(kind=OrganisationKind.ICB, code="QOP", name="GM ICB")
    trust.parent = icb
    trust.save(update_fields=["parent"])
    make_case(coordinator, council=council, ready_days_ago=5, admitted=today() - dt.timedelta(30))
    by_trust = page(client, commissioner, cases_by="trust").content.decode()
    table = by_trust[by_trust.index('id="case-delays"') :]
    assert "Manchester University NHS FT" in table and "councils only" in table
    by_icb = page(client, commissioner, cases_by="icb").content.decode()
    assert "GM ICB" in by_icb[by_icb.index('id="case-delays"') :]
    assert 'id="case-delays"' in page(client, commissioner, cases_by="nonsense").content.decode()
    got = client.get(reverse("performance:download", args=["cases", "csv"]), {"cases_by": "icb"})
    rows = list(csv.DictReader(io.StringIO(got.content.decode())))
    assert {r["area_code"] for r in rows} == {"QOP"}
    assert sum(int(r["delayed_days"]) for r in rows) == 6
    api = client.get("/api/v1/performance/case-delays", {"by": "trust"}).json()
    assert {r["area"] for r in api} == {"R0A"}
    assert all(r["per_100k_adults"] is None for r in api)
