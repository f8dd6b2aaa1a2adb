"""Unit: reading ONS mid-year estimates by single year of age into adults 18+ (pure)."""

import pytest

from homeward.measures.population import parse_sheets, parse_workbook
from homeward.measures.workbook import UnreadableFile
from tests.conftest import real_file

AGES = [float(a) for a in range(90)] + ["90+"]


def estimates(rows, title="Population estimates for local authorities in the UK, mid-2019"):
    return {
        "Contents": [["Contents"]],
        "MYE2 - Persons": [
            [title],
            [""],
            ["Code", "Name", "Geography1", "All ages", *AGES],
            *rows,
        ],
    }


def row(code, name, per_age=10, geography="Metropolitan District"):
    ages = [per_age] * 91
    return [code, name, geography, sum(ages), *ages]


def test_adults_are_ages_18_to_90_plus_and_the_year_comes_from_the_title():
    parsed = parse_sheets("mye.xls", estimates([row("E08000009", "Trafford")]))

    assert parsed.year == 2019 and parsed.rows_read == 1 and not parsed.rejections
    trafford = parsed.areas[0]
    assert (trafford.code, trafford.name, trafford.geography) == (
        "E08000009",
        "Trafford",
        "Metropolitan District",
    )
    assert trafford.all_ages == 910 and trafford.adults_18_plus == 730


def test_the_year_given_overrides_the_title_and_is_needed_without_one():
    assert parse_sheets("m.xls", estimates([row("E1", "x")], title="Estimates"), 2018).year == 2018
    with pytest.raises(UnreadableFile, match="does not say which mid-year"):
        parse_sheets("m.xls", estimates([row("E08000009", "x")], title="Estimates"))


def test_rows_whose_ages_do_not_add_up_or_are_not_counts_are_rejected_with_their_line():
    short = row("E08000006", "Salford")
    short[3] += 1
    blank = row("E08000003", "Manchester")
    blank[30] = "x"
    parsed = parse_sheets("m.xls", estimates([row("E08000009", "Trafford"), short, blank]))

    assert [a.code for a in parsed.areas] == ["E08000009"]
    assert parsed.rows_read == 3
    assert [(r.line, r.reason) for r in parsed.rejections] == [
        (5, "E08000006: single years add up to 910 but All ages is 911"),
        (6, "E08000003: ages 26 not a count of people"),
    ]


def test_an_area_twice_is_rejected_the_second_time():
    parsed = parse_sheets("m.xls", estimates([row("E08000009", "T"), row("E08000009", "T")]))

    assert (
        len(parsed.areas) == 1 and "appears twice (first on line 4)" in parsed.rejections[0].reason
    )


def test_a_sheet_without_single_years_of_age_is_unreadable():
    with pytest.raises(UnreadableFile, match="not an ONS mid-year estimates file"):
        parse_sheets("m.xls", {"Sheet": [["Code", "Name", "All ages"]]})


def test_mid_2019_england_has_44_263_393_adults_and_councils_add_up_to_england():
    parsed = parse_workbook(real_file("ons_mye/ukmidyearestimates20192019ladcodes.xls"))
    areas = {a.code: a for a in parsed.areas}

    assert parsed.year == 2019 and not parsed.rejections
    # ONS mid-2019, England (E92000001), ages 18 to 90+; domain.md quotes the same figure.
    assert areas["E92000001"].adults_18_plus == 44_263_393
    assert areas["E92000001"].all_ages == 56_286_961
    councils = [a for a in parsed.areas if a.code[:3] in ("E06", "E08", "E09", "E10")]
    assert len(councils) == 151
    assert sum(a.adults_18_plus for a in councils) == 44_263_393


@pytest.mark.parametrize("cell", ["¹", "12a", "-3", "", 2.5])
def test_a_cell_that_is_not_a_whole_count_rejects_its_row(cell):
    bad = row("E08000006", "Salford")
    bad[25] = cell

    parsed = parse_sheets("m.xls", estimates([bad]))

    assert not parsed.areas
    assert parsed.rejections[0].reason == "E08000006: ages 21 not a count of people"
