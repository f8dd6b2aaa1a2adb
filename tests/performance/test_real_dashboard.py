"""Integration on the shared public files: the demo loader imports the published workbooks
and the mid-2019 estimates, and the dashboard shows December 2019 as NHS England published it.
Skips, saying why, when the real data folder is absent."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from homeward.core.models import Role
from homeward.demo import performance
from homeward.performance.models import DtocFigure
from tests.conftest import make_user, real_file

pytestmark = pytest.mark.django_db


def test_december_2019_from_the_shared_files(client, council):
    data = real_file("dtoc_la_type_b/Dec_19.xls").parent.parent
    real_file("ons_mye/ukmidyearestimates20192019ladcodes.xls")
    assert performance.load(data) == len(list((data / "dtoc_la_type_b").glob("*.xls*"))) + 1
    client.force_login(make_user("analyst", council, Role.ANALYST))
    html = client.get(reverse("performance:dashboard"), {"from": "2019-12"}).content.decode()
    # 148,101 delayed days / 31 days / 44,263,393 adults x 100,000 (the published figures).
    assert "148,101 over 31 days" in html
    assert "4,777.5" in html
    assert "10.79" in html
    league = client.get(
        reverse("performance:download", args=["league", "csv"]), {"from": "2019-12"}
    )
    rows = list(csv.DictReader(io.StringIO(league.content.decode())))
    # The 150 councils of the December 2019 file, every one with a mid-2019 estimate: all
    # ranked, lowest rate first.
    assert len(rows) == 150 and all(r["rank"] for r in rows)
    rates = [float(r["per_100k_adults"]) for r in rows]
    assert rates == sorted(rates)
    # The councils and the people resident outside England make up the England row.
    elsewhere = DtocFigure.objects.filter(
        period=dt.date(2019, 12, 1), is_council=False, release__current=True
    ).exclude(area_code="E92000001")
    outside = sum(elsewhere.values_list("total", flat=True))
    assert sum(int(r["delayed_days"]) for r in rows) + outside == 148_101
