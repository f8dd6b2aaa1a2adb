"""Unit: reading DTOC LA type B workbooks in every layout of 2011-2020 (pure, no database)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.measures.definitions import ATTRIBUTIONS, FIELDS, REASONS, TYPES_OF_CARE, add_up
from homeward.measures.dtoc import (
    ENGLAND,
    days_cell,
    detail_totals,
    ons_code_for_dh,
    parse_sheets,
    parse_workbook,
)
from homeward.measures.workbook import UnreadableFile
from tests.conftest import real_file
from tests.measures.dtoc_books import Area, area, dtoc_sheets, write_xlsx

TRAFFORD = area("E08000009", "312", "Trafford", 310)
SALFORD = area("E08000006", "309", "Salford", 93)
WALES = area("-", "9900", "Resident In Wales", 40, region="-")


def by_code(workbook):
    return {a.code: a for a in workbook.areas}


def test_a_2019_workbook_gives_every_breakdown_per_area_and_the_release_dates():
    book = parse_sheets("Dec_19.xlsx", dtoc_sheets([TRAFFORD, SALFORD, WALES]))

    assert book.period == dt.date(2019, 12, 1)
    assert book.published == dt.date(2020, 2, 13)
    assert book.revised is None and book.as_of == dt.date(2020, 2, 13)
    assert book.fields == FIELDS
    trafford = by_code(book)["E08000009"]
    assert trafford.total == 310 and trafford.dh_code == "312" and trafford.is_council
    assert trafford.values["acute"] == 155 + 77 and trafford.values["non_acute"] == 78
    assert (trafford.values["nhs"], trafford.values["social_care"], trafford.values["both"]) == (
        155,
        77,
        78,
    )
    assert trafford.values["A"] == 155 and trafford.values["O"] == 0
    assert book.england.code == ENGLAND and book.england.total == 310 + 93 + 40
    assert book.rows_read == 3 * 4 + 2 + 2 * 11 and not book.rejections and not book.warnings


def test_people_resident_outside_england_are_kept_under_their_dh_code_and_count_in_england():
    book = parse_sheets("x.xlsx", dtoc_sheets([TRAFFORD, WALES]))

    wales = by_code(book)["9900"]
    assert not wales.is_council and wales.name == "Resident In Wales"
    totals = add_up([{"total": a.total} for a in book.areas], ["total"])
    assert totals["total"] == book.england.total


def test_before_july_2015_old_dh_codes_are_turned_into_the_ons_codes_of_their_time():
    old = [area("", "312", "Trafford", 50), area("", "809", "Dorset", 20)]
    book = parse_sheets(
        "April_11.xlsx",
        dtoc_sheets(
            old, period="April 2011", modern=False, upper=True, other=False, beds_days=None
        ),
    )

    assert set(by_code(book)) == {"E08000009", "E10000009"}
    assert "O" not in book.fields and len(book.fields) == len(FIELDS) - 1
    assert ons_code_for_dh("809", dt.date(2019, 3, 1)) == "E10000009"
    assert ons_code_for_dh("809", dt.date(2019, 4, 1)) == "E06000059"
    assert ons_code_for_dh("9999", dt.date(2019, 4, 1)) is None


def test_upper_case_reason_labels_map_to_the_same_codes():
    book = parse_sheets(
        "x.xlsx", dtoc_sheets([TRAFFORD], period="July 2015", upper=True, other=False)
    )

    assert by_code(book)["E08000009"].values["A"] == 155
    assert by_code(book)["E08000009"].values["Dii"] == 78


def test_the_header_is_found_wherever_the_metadata_pushes_it():
    book = parse_sheets("x.xlsx", dtoc_sheets([TRAFFORD], extra_rows=5))

    assert by_code(book)["E08000009"].total == 310


def test_a_dash_is_missing_not_zero_and_is_reported():
    gappy = area("E08000006", "309", "Salford", 93, blanks={"B", "nhs"})
    book = parse_sheets("x.xlsx", dtoc_sheets([TRAFFORD, gappy]))

    salford = by_code(book)["E08000006"]
    assert salford.values["B"] is None and salford.values["nhs"] is None
    assert salford.values["A"] == 46
    reasons = [w.reason for w in book.warnings]
    assert "Salford, B: missing ('-'), not counted as zero" in reasons
    sums = add_up([a.values for a in book.areas], ["B", "A"])
    assert sums == {"B": None, "A": 155 + 46}


def test_a_missing_total_is_missing_and_reported_in_each_sheet():
    gappy = area("E08000006", "309", "Salford", 93, blanks={"total"})
    book = parse_sheets("x.xlsx", dtoc_sheets([TRAFFORD, gappy]))

    assert by_code(book)["E08000006"].total is None
    assert by_code(book)["E08000006"].values["A"] == 46
    missing = [
        w for w in book.warnings if w.reason == "Salford, total: missing ('-'), not counted as zero"
    ]
    assert len(missing) == 3


def test_na_cells_in_the_england_sheet_are_not_applicable_and_add_nothing():
    book = parse_sheets("x.xlsx", dtoc_sheets([TRAFFORD, SALFORD], period="April 2017", na=True))

    na = [c for c in book.england_detail if not c.applicable]
    assert {(c.reason, c.attribution) for c in na} == {
        ("C", "social_care"),
        ("C", "both"),
        ("I", "social_care"),
        ("I", "both"),
        ("Di", "both"),
        ("G", "both"),
        ("H", "both"),
    }
    assert all(c.delayed_days is None for c in na)
    totals = detail_totals(book.england_detail)
    assert totals["total"] == book.england.total
    assert totals["acute_stated"] == book.england.values["acute"]


def test_the_published_beds_block_is_checked_against_days_in_the_month():
    sheets = dtoc_sheets([TRAFFORD])
    rows = sheets["LA - by type of care"]
    header = next(i for i, r in enumerate(rows) if "Name" in r)
    trafford = rows[header + 3]
    trafford[-1] = 11.0  # 310 / 31 = 10.0 published as 11.0
    book = parse_sheets("x.xlsx", sheets)

    assert any(
        "total: published 11.0000 delayed beds per day, but 310 delayed days / 31 days" in w.reason
        for w in book.warnings
    )


def test_parts_that_do_not_add_up_to_the_total_are_reported():
    sheets = dtoc_sheets([TRAFFORD])
    rows = sheets["LA - by reason"]
    header = next(i for i, r in enumerate(rows) if "Name" in r)
    rows[header + 3][4] = 1  # reason A: 155 -> 1
    book = parse_sheets("x.xlsx", sheets)

    assert any("reason parts add up to 156 but the total is 310" in w.reason for w in book.warnings)


def test_a_malformed_ons_code_is_rejected_with_the_likely_fix_and_rows_reconcile():
    bad = Area("E0800009", "312", "Trafford", {("acute", "A", "nhs"): 5})
    book = parse_sheets("x.xlsx", dtoc_sheets([bad, SALFORD]))

    assert len(book.rejections) == 3  # once per area sheet
    assert book.rejections[0].reason == (
        "Trafford: ONS code 'E0800009' is malformed (did you mean E08000009?)"
    )
    assert set(by_code(book)) == {"E08000006"}
    assert book.rows_read == 3 * 3 + 2 + 2 * 11


def test_an_area_listed_twice_is_rejected_the_second_time():
    book = parse_sheets("x.xlsx", dtoc_sheets([TRAFFORD, TRAFFORD]))

    assert len(book.rejections) == 3
    assert "Trafford appears twice in this sheet (first on line" in book.rejections[0].reason
    assert by_code(book)["E08000009"].total == 310


def test_a_text_cell_that_is_not_a_number_is_kept_as_missing_with_a_warning():
    sheets = dtoc_sheets([TRAFFORD])
    rows = sheets["LA - by responsible org"]
    header = next(i for i, r in enumerate(rows) if "Name" in r)
    rows[header + 3][4] = "n/k"
    book = parse_sheets("x.xlsx", sheets)

    assert by_code(book)["E08000009"].values["nhs"] is None
    assert any(
        "nhs: 'n/k' is not a number of days; kept as missing" in w.reason for w in book.warnings
    )


def test_a_workbook_without_area_sheets_or_without_a_period_is_unreadable():
    with pytest.raises(UnreadableFile, match="not a DTOC local authority workbook"):
        parse_sheets("x.xlsx", {"Sheet1": [["a", "b"]]})
    sheets = dtoc_sheets([TRAFFORD])
    for rows in sheets.values():
        for row in rows:
            if row and row[0] == "Period:":
                row[1] = ""
    with pytest.raises(UnreadableFile, match="no 'Period:' row"):
        parse_sheets("x.xlsx", sheets)


def test_sheets_from_different_months_are_refused():
    sheets = dtoc_sheets([TRAFFORD])
    sheets["LA - by reason"] = dtoc_sheets([TRAFFORD], period="November 2019")["LA - by reason"]

    with pytest.raises(UnreadableFile, match="sheets from different months"):
        parse_sheets("x.xlsx", sheets)


def test_a_resaved_copy_has_the_same_fingerprint_and_a_revision_does_not():
    first = parse_sheets("a.xlsx", dtoc_sheets([TRAFFORD]))
    again = parse_sheets("b.xlsx", dtoc_sheets([TRAFFORD]))
    revised = parse_sheets("c.xlsx", dtoc_sheets([TRAFFORD], revised="14th June 2020"))

    assert first.fingerprint() == again.fingerprint() != revised.fingerprint()


def test_an_xlsx_file_reads_like_the_rows(tmp_path):
    path = write_xlsx(tmp_path / "Dec_19.xlsx", dtoc_sheets([TRAFFORD, SALFORD]))

    book = parse_workbook(path)

    assert book.source == "Dec_19.xlsx" and by_code(book)["E08000006"].total == 93


def test_a_file_that_is_not_a_workbook_is_unreadable(tmp_path):
    path = tmp_path / "notes.xls"
    path.write_text("not a spreadsheet")

    with pytest.raises(UnreadableFile, match="not an xls, xlsx or ods workbook"):
        parse_workbook(path)


@given(st.integers(min_value=0, max_value=10**9))
def test_whole_numbers_in_any_cell_form_read_as_days(n):
    assert days_cell(n) == (n, None)
    assert days_cell(float(n)) == (n, None)
    assert days_cell(f"{n:,}") == (n, None)


@given(st.one_of(st.text(max_size=12), st.floats(allow_nan=True), st.booleans(), st.none()))
def test_no_cell_makes_the_reader_fail(value):
    days, problem = days_cell(value)
    assert (days is None) or (isinstance(days, int) and days >= 0 and problem is None)


cells_strategy = st.dictionaries(
    st.tuples(
        st.sampled_from(TYPES_OF_CARE), st.sampled_from(REASONS), st.sampled_from(ATTRIBUTIONS)
    ),
    st.integers(min_value=0, max_value=5000),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(st.lists(cells_strategy, min_size=1, max_size=5))
def test_every_breakdown_and_the_england_sheet_reconcile_for_any_figures(crosstabs):
    areas = [Area(f"E0800{i:04d}", str(300 + i), f"Area {i}", c) for i, c in enumerate(crosstabs)]
    book = parse_sheets("x.xlsx", dtoc_sheets(areas))

    assert not book.rejections and not book.warnings
    for a in areas:
        got = by_code(book)[a.ons]
        assert got.total == a.total()
        assert all(got.values[f] == a.part(f) for f in FIELDS)
    detail = detail_totals(book.england_detail)
    england = {"total": book.england.total, **book.england.values}
    assert all(detail[f] == england[f] for f in ("total", *FIELDS) if f in detail)
    assert add_up([a.values for a in book.areas], FIELDS) == {
        f: book.england.values[f] for f in FIELDS
    }


# Real workbooks. Every England figure below is the workbook's own England row (sheets
# "LA - by type of care", "LA - by responsible org", "LA - by reason"), as NHS England published it.
PUBLISHED = {
    "April_11.xls": (dt.date(2011, 4, 1), 108_064, 58_407, 66_304),
    "July_15.xls": (dt.date(2015, 7, 1), 147_376, 95_266, 91_427),
    "April_17.xls": (dt.date(2017, 4, 1), 176_886, 115_539, 96_880),
    "Jan_18.xls": (dt.date(2018, 1, 1), 151_383, 99_046, 90_857),
    "Dec_19.xls": (dt.date(2019, 12, 1), 148_101, 95_682, 89_694),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_each_shared_workbook_reads_completely_and_adds_up_to_its_england_row(name):
    book = parse_workbook(real_file(f"dtoc_la_type_b/{name}"))
    period, total, acute, nhs = PUBLISHED[name]

    assert book.period == period
    assert book.england.total == total
    assert book.england.values["acute"] == acute and book.england.values["nhs"] == nhs
    assert not book.rejections
    names = ("total", *book.fields)
    summed = add_up([{"total": a.total, **a.values} for a in book.areas], names)
    england = {"total": book.england.total, **book.england.values}
    missing = {n for n in names if summed[n] is None}
    assert {n: summed[n] for n in names if n not in missing} == {
        n: england[n] for n in names if n not in missing
    }
    detail = detail_totals(book.england_detail)
    assert {n: detail[n] for n in names} == england
    assert sum(a.is_council for a in book.areas) >= 150
    assert {a.code for a in book.areas if not a.is_council} == {"9900", "9901", "9902"}
    assert ("O" in book.fields) == (period >= dt.date(2017, 4, 1))


def test_april_2011_scotland_row_is_missing_not_zero():
    book = parse_workbook(real_file("dtoc_la_type_b/April_11.xls"))

    scotland = by_code(book)["9901"]
    assert scotland.values["acute"] is None and scotland.values["A"] is None
    assert scotland.total == 0
    assert len([w for w in book.warnings if "Resident in Scotland" in w.reason]) == 15
    assert len(book.warnings) == 15  # every old DH code found its ONS code in the table


def test_december_2019_published_beds_per_day_match_days_over_31():
    book = parse_workbook(real_file("dtoc_la_type_b/Dec_19.xls"))

    # The workbook's "Average Number of People Delayed per Day" for England: 4777.45...
    assert book.england.published_beds["total"] == pytest.approx(148_101 / 31, rel=1e-12)
    assert not [w for w in book.warnings if "delayed beds per day" in w.reason]
    assert by_code(book)["E06000059"].name == "Dorset UA"


junk = st.one_of(
    st.text(max_size=8),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none().map(lambda _: ""),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 60), st.integers(0, 20), junk), max_size=25
    )
)
def test_any_cells_overwritten_with_junk_never_crash_the_reader_and_rows_reconcile(edits):
    sheets = dtoc_sheets([TRAFFORD, SALFORD, WALES])
    names = list(sheets)
    for sheet, row, column, value in edits:
        rows = sheets[names[sheet]]
        if row < len(rows):
            rows[row] = list(rows[row]) + [""] * max(0, column + 1 - len(rows[row]))
            rows[row][column] = value
    try:
        book = parse_sheets("x.xlsx", sheets)
    except UnreadableFile:
        return
    stored_lines = sum(len(a.lines) for a in [*book.areas, book.england] if a is not None)
    assert book.rows_read >= stored_lines
    assert all(isinstance(p.reason, str) and p.reason for p in book.rejections + book.warnings)
    assert all(a.total is None or a.total >= 0 for a in book.areas)
