"""Integration: `homeward report dtoc` over stored releases and population estimates."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from homeward.cli import translate
from homeward.core.access import SYSTEM
from homeward.measures.dtoc import parse_sheets
from homeward.performance.queries import dtoc_measures, dtoc_measures_by_area
from homeward.performance.services import import_dtoc_workbook, import_population
from tests.measures.dtoc_books import area, dtoc_sheets, write_xlsx

pytestmark = pytest.mark.django_db

TRAFFORD = area("E08000009", "312", "Trafford", 310)
SALFORD = area("E08000006", "309", "Salford", 90, blanks={"B"})


@pytest.fixture
def stored(tmp_path):
    for period, published in (("November 2019", "9th January 2020"), ("December 2019", "")):
        sheets = dtoc_sheets([TRAFFORD, SALFORD], period=period, published=published)
        import_dtoc_workbook(actor=SYSTEM, workbook=parse_sheets("x.xlsx", sheets))
    ages = [100] * 91
    import_population(
        actor=SYSTEM,
        path=write_xlsx(
            tmp_path / "mye.xlsx",
            {
                "MYE2 - Persons": [
                    ["Population estimates, mid-2019"],
                    ["Code", "Name", "Geography1", "All ages", *range(90), "90+"],
                    ["E08000009", "Trafford", "Metropolitan District", sum(ages), *ages],
                ]
            },
        ),
    )


def report(capsys, *args):
    call_command("report_dtoc", *args)
    return capsys.readouterr().out


def test_the_cli_spells_report_dtoc_as_the_command():
    assert translate(["report", "dtoc", "--from", "2019-12"]) == [
        "report_dtoc",
        "--from",
        "2019-12",
    ]


def test_a_council_over_two_months_with_its_rate(stored, capsys):
    got = json.loads(
        report(capsys, "--from", "2019-11", "--to", "2019-12", "--area", "e08000009", "--json")
    )

    assert got["area"] == "E08000009"
    assert got["delayed_days"] == 620 and got["days"] == 61
    assert got["delayed_beds_per_day"] == pytest.approx(620 / 61)
    assert got["adults_18_plus"] == 73 * 100
    assert got["per_100k_adults"] == pytest.approx(620 / 61 / 7300 * 100_000)
    assert got["attribution"] == pytest.approx(
        {"nhs": 50.0, "social_care": 77 / 310 * 100, "both": 78 / 310 * 100}
    )
    assert got["by_reason"]["A"] == 310 and got["by_reason"]["O"] == 0
    assert got["by_type_of_care"] == {"acute": 464, "non_acute": 156}
    assert got["missing"] == {
        "months": [],
        "figures": [],
        "not_collected": [],
        "population_years": [],
    }


def test_england_is_the_default_and_missing_months_are_reported(stored, capsys):
    got = json.loads(report(capsys, "--from", "2019-10", "--to", "2019-12", "--json"))

    # England is the file's own England row: what NHS England published, gaps included.
    assert got["area"] == "E92000001" and got["delayed_days"] == 800 and got["days"] == 61
    assert got["missing"]["months"] == ["2019-10"]
    assert got["per_100k_adults"] is None and got["missing"]["population_years"] == [2019]


def test_a_council_missing_cell_makes_its_field_missing_not_zero(stored, capsys):
    args = ("--from", "2019-11", "--to", "2019-12", "--area", "E08000006", "--json")
    got = json.loads(report(capsys, *args))

    assert got["by_reason"]["B"] is None and got["by_reason"]["A"] == 90
    assert got["missing"]["figures"] == [
        {"month": "2019-11", "field": "B"},
        {"month": "2019-12", "field": "B"},
    ]


def test_the_human_report_reads_as_a_table(stored, capsys):
    out = report(capsys, "--from", "2019-12", "--to", "2019-12", "--area", "E08000006")

    assert "Delayed transfers of care, Salford (E08000006), 2019-12 to 2019-12" in out
    assert "delayed beds per day" in out and "2.9" in out
    assert "B   Awaiting public funding" in out and "missing" in out
    assert "no population estimate loaded for mid-2019: no rate per 100,000" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2019-13", "--to", "2019-12"], "is not a month: use YYYY-MM"),
        (["--from", "2019-12", "--to", "2019-11"], "give the earlier month first"),
        (["--from", "2019-12", "--to", "2019-12", "--area", "Trafford"], "not an ONS area code"),
        (["--from", "2019-12", "--to", "2019-12", "--area", "E08000001"], "no DTOC figures"),
    ],
)
def test_bad_options_are_refused_clearly(stored, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report_dtoc", *args)


def test_the_table_of_every_council_matches_each_councils_report_in_two_queries(
    stored, django_assert_num_queries
):
    first, last = dt.date(2019, 10, 1), dt.date(2019, 12, 1)

    with django_assert_num_queries(2):
        table = dtoc_measures_by_area(first, last)

    assert sorted(table) == ["E08000006", "E08000009"]
    for code, measures in table.items():
        assert measures.as_dict() == dtoc_measures(code, first, last).as_dict()
    assert table["E08000009"].per_100k_adults is not None
    assert "E92000001" in dtoc_measures_by_area(first, last, councils_only=False)
