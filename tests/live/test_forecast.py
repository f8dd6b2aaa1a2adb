"""Integration: the 14-day pathway forecast from case history feeds the live view."""

from datetime import timedelta

import pytest

from homeward.cases.models import CodeList, ReferenceCode
from homeward.core import clock
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(ward_coordinator, area_council):
    """Pathway 1 readiness on most of the last five weeks' days."""
    p1 = ReferenceCode.objects.get(list=CodeList.PATHWAY, code="P1")
    for days_ago in range(1, 36):
        if days_ago % 5:
            make_case(
                ward_coordinator,
                council=area_council,
                ready_days_ago=days_ago,
                admitted=clock.now().date() - timedelta(days=60),
                pathway=p1,
            )


def test_live_view_shows_the_forecast_by_pathway(client, leader, history):
    client.force_login(leader)
    html = client.get("/live/").content.decode()
    table = html.split('id="forecast"')[1].split("</table>")[0]
    assert "P1" in table and "people" in table
    assert "P2" not in table


def test_live_api_gives_the_forecast_for_fourteen_days(client, leader, history):
    client.force_login(leader)
    body = client.get("/api/v1/live").json()
    p1 = body["forecast"]["P1"]
    assert len(p1["dates"]) == len(p1["mean"]) == 14
    assert 0 < sum(p1["mean"]) < 14 * 3
    assert all(lo <= hi for lo, hi in zip(p1["lower"], p1["upper"], strict=True))


def test_without_history_the_page_says_there_is_no_forecast(client, leader):
    client.force_login(leader)
    assert "No forecast yet" in client.get("/live/").content.decode()
