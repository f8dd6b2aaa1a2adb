"""Services: delayed days from Homeward's own cases by council and month, measured by the
same definitions as the published figures."""

import datetime as dt

import pytest
from django.utils import timezone

from homeward.cases.queries import today
from homeward.core import clock
from homeward.core.access import actor_for
from homeward.measures.definitions import FIELDS, MonthFigures, measure
from homeward.performance.dashboard import case_months
from homeward.performance.models import PopulationEstimate
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


def test_full_months_are_the_published_definition_and_this_month_runs_to_today(
    coordinator, commissioner, council
):
    now = today()
    admitted = now - dt.timedelta(days=120)
    waiting = make_case(coordinator, council=council, ready_days_ago=70, admitted=admitted)
    gone = make_case(coordinator, council=council, ready_days_ago=50, admitted=admitted)
    left = now - dt.timedelta(days=45)
    gone.discharged_at = timezone.make_aware(dt.datetime.combine(left, dt.time(11)))
    gone.save(update_fields=["discharged_at"])
    PopulationEstimate.objects.create(
        year=now.year,
        area_code=council.code,
        name=council.name,
        all_ages=236_000,
        adults_18_plus=182_000,
        source="test",
        imported_at=clock.now(),
    )
    rows, first, last = case_months(actor_for(commissioner))
    assert (last, len(rows)) == (now, 12)
    assert first == rows[0].month
    # Still waiting: every day from its ready date to today; discharged: ready date up to
    # (not including) the day it left.
    want = (now - waiting.discharge_ready_date).days + 1
    want += (left - gone.discharge_ready_date).days
    assert sum(r.delayed_days for r in rows) == want
    for r in rows[:-1]:
        adults = 182_000 if r.month.year == now.year else None
        figures = MonthFigures(r.month, r.delayed_days, dict.fromkeys(FIELDS, 0), adults)
        published = measure(r.code, r.month, r.month, [figures])
        assert r.days == published.days
        assert r.delayed_beds_per_day == published.delayed_beds_per_day
        assert r.per_100k_adults == published.per_100k_adults
    assert rows[-1].days == now.day
    assert rows[-1].delayed_beds_per_day == rows[-1].delayed_days / now.day


def test_nobody_else_sees_the_councils_cases(coordinator, other_commissioner, council):
    make_case(coordinator, council=council, ready_days_ago=5, admitted=today() - dt.timedelta(9))
    assert case_months(actor_for(other_commissioner))[0] == []
