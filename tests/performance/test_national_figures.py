"""Integration: published national figures reproduced from the shared NHS England workbooks and
the ONS mid-2019 estimates, through the import and the report the analysts use."""

import json

import pytest
from django.core.management import call_command

from tests.conftest import real_file

pytestmark = pytest.mark.django_db

# England's delayed days in each shared month: the England row of each workbook's three area
# sheets (and its England sheet), as NHS England published it in the "Total Delayed Days -
# Local Authority" files.
ENGLAND_DELAYED_DAYS = {
    "2011-04": ("April_11.xls", 108_064),
    "2015-07": ("July_15.xls", 147_376),
    "2017-04": ("April_17.xls", 176_886),
    "2018-01": ("Jan_18.xls", 151_383),
    "2019-12": ("Dec_19.xls", 148_101),
}


def england(capsys, month):
    call_command("report_dtoc", "--from", month, "--to", month, "--json")
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("month", sorted(ENGLAND_DELAYED_DAYS))
def test_england_total_for_each_shared_month(month, capsys):
    name, published = ENGLAND_DELAYED_DAYS[month]
    call_command("import_dtoc", str(real_file(f"dtoc_la_type_b/{name}")), "--json")
    capsys.readouterr()

    got = england(capsys, month)

    assert got["delayed_days"] == published
    assert sum(got["by_type_of_care"].values()) == published
    assert sum(v for v in got["by_reason"].values() if v is not None) == published


def test_december_2019_delayed_beds_per_day_per_100000_adults(capsys):
    call_command("import_dtoc", str(real_file("dtoc_la_type_b/Dec_19.xls")), "--json")
    call_command(
        "import_population",
        str(real_file("ons_mye/ukmidyearestimates20192019ladcodes.xls")),
        "--json",
    )
    capsys.readouterr()

    got = england(capsys, "2019-12")

    # 148,101 delayed days over 31 days = 4,777.45 delayed beds per day: the workbook's own
    # England "Average Number of People Delayed per Day" (4777.451612903226).
    assert got["days"] == 31
    assert got["delayed_beds_per_day"] == pytest.approx(4777.451612903226, rel=1e-12)
    # England aged 18+ in the ONS mid-2019 estimates (sum of ages 18 to 90+): 44,263,393.
    assert got["adults_18_plus"] == 44_263_393
    # 4,777.45 / 44,263,393 x 100,000 = 10.79 delayed beds per day per 100,000 adults.
    assert got["per_100k_adults"] == pytest.approx(10.7932, abs=5e-5)
    # Shares of the England row's 148,101 days: NHS 89,694, social care 44,863, both 13,544.
    assert got["attribution"] == pytest.approx(
        {"nhs": 60.5627, "social_care": 30.2922, "both": 9.1451}, abs=5e-5
    )
