"""Reading the acute discharge situation report webfile (Tables 2 and 3) from generated
workbooks, and Homeward's own daily return (xlsx and CSV) back to the same figures."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.cases.daily_return import DailyReturn, ReasonCount, to_csv, to_xlsx
from homeward.measures import sitrep_webfile
from homeward.measures.sitrep_webfile import NO_REASON, TABLE2, reasons, reasons_for
from homeward.measures.workbook import UnreadableFile
from tests.measures.webfile_books import sitrep_sheets, write_xlsx

HEADER2 = 2  # index of Table 2's header row in the generated sheet


def parse(sheets, name="sitrep.xlsx", month=None):
    return sitrep_webfile.parse_sheets(name, sheets, month)


def test_the_18_reasons_are_data_and_all_valid_now():
    assert len(reasons()) == 18
    assert [r.code for r in reasons_for(dt.date(2024, 5, 1))] == [f"R{i:02d}" for i in range(1, 19)]
    assert reasons_for(dt.date(2022, 3, 1)) == ()


def test_tables_2_and_3_read_to_the_generated_figures():
    sheets, figures = sitrep_sheets()
    parsed = parse(sheets)

    assert parsed.period == dt.date(2024, 5, 1)
    assert parsed.rejections == []
    assert parsed.rows_read == len(parsed.table2) + len(parsed.table3)
    trusts = {(r.day, r.code): r.values for r in parsed.table2 if r.level == "provider"}
    assert trusts == figures["table2"]
    icbs = {(r.day, r.code): r for r in parsed.table3}
    for key, counts in figures["table3"].items():
        row = icbs[key]
        assert row.level == "icb"
        assert [row.values[r.code] for r in reasons()] + [row.values[NO_REASON]] == counts
    assert parsed.checks["table3_against_table2"] == {"compared": len(icbs), "differ": 0}
    national = parsed.checks["national"]
    assert all(c["difference"] == 0 for c in national.values()), national
    assert set(national) == {f"table2.{k}" for k in TABLE2}


def test_reason_names_match_despite_trailing_blanks_case_and_dashes():
    sheets, _ = sitrep_sheets()
    header = sheets["Table 3"][2]
    header[3] = "  " + header[3].upper().replace("-", "–") + "   "
    parsed = parse(sheets)
    assert set(parsed.reason_labels) == {r.code for r in reasons()}
    assert not [w for w in parsed.warnings if "not one of the published reasons" in w.reason]


def test_a_missing_reason_column_refuses_the_file_naming_it():
    sheets, _ = sitrep_sheets()
    header = sheets["Table 3"][2]
    dropped = header[4 + 4]
    header[4 + 4] = "Awaiting a unicorn"
    with pytest.raises(UnreadableFile) as refused:
        parse(sheets)
    assert dropped.strip() in str(refused.value) and "nothing was imported" in str(refused.value)


def test_an_extra_reason_column_is_kept_under_its_own_name_with_a_warning():
    sheets, _ = sitrep_sheets(days=1)
    table3 = sheets["Table 3"]
    table3[2].insert(4, "Awaiting a unicorn")
    for row in table3[3:]:
        row.insert(4, 0)
    parsed = parse(sheets)
    assert parsed.reason_labels["Awaiting a unicorn"] == "Awaiting a unicorn"
    assert any("Awaiting a unicorn" in w.reason for w in parsed.warnings)
    assert all(r.values["Awaiting a unicorn"] == 0 for r in parsed.table3)


def test_a_table_2_without_its_measures_is_refused_naming_them():
    sheets, _ = sitrep_sheets(days=1)
    header = sheets["Table 2"][HEADER2]
    header[header.index(TABLE2["discharged_by_1700"])] = "Discharged early"
    with pytest.raises(UnreadableFile, match="discharged by 17:00"):
        parse(sheets)


def test_a_file_with_neither_table_is_refused():
    with pytest.raises(UnreadableFile, match="not an acute discharge situation report"):
        parse({"Sheet1": [["Org Code", "Beds"], ["R0A", 3]]})


def test_suppressed_cells_are_missing_and_the_checks_say_so():
    sheets, _ = sitrep_sheets(days=1)
    sheets["Table 2"][HEADER2 + 1][-1] = "*"
    sheets["Table 2"][HEADER2 + 2][-2] = "-"

    parsed = parse(sheets)

    first, second = parsed.table2[0], parsed.table2[1]
    assert first.values["remaining"] is None
    assert second.values["discharged_1701_2359"] is None
    assert parsed.checks["national"]["table2.remaining"]["computed"] is None
    assert parsed.rejections == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [("many", "'many' is not a number"), (-1, "-1 is not a number of people"), (2.5, "2.5")],
)
def test_bad_figures_are_rejected_with_sheet_line_and_reason(value, reason):
    sheets, _ = sitrep_sheets(days=1)
    sheets["Table 2"][HEADER2 + 2][-1] = value
    parsed = parse(sheets)
    (problem,) = parsed.rejections
    assert (problem.sheet, problem.line) == ("Table 2", HEADER2 + 3)
    assert reason in problem.reason
    assert parsed.rows_read == len(parsed.table2) + len(parsed.table3) + 1


def test_figures_that_do_not_add_up_are_warned_about_not_dropped():
    sheets, _ = sitrep_sheets(days=1)
    sheets["Table 2"][HEADER2 + 1][-1] += 2
    parsed = parse(sheets)
    assert len(parsed.table2) == 5
    reasons_ = " | ".join(w.reason for w in parsed.warnings)
    assert "remaining" in reasons_ and "Table 3 reasons add up to" in reasons_
    assert parsed.checks["table3_against_table2"]["differ"] == 1
    assert parsed.checks["national"]["table2.remaining"]["difference"] == 2


def test_a_table_3_without_dates_is_for_the_month():
    sheets, _ = sitrep_sheets(table3_dates=False)
    parsed = parse(sheets)
    assert {r.day for r in parsed.table3} == {None}
    assert parsed.checks["table3_against_table2"]["compared"] == 0


def test_days_from_two_months_are_refused():
    sheets, _ = sitrep_sheets(days=1)
    sheets["Table 2"][HEADER2 + 1][5] = dt.date(2024, 6, 1)
    with pytest.raises(UnreadableFile, match="several months"):
        parse(sheets)


def _returns(days: int = 3) -> list[DailyReturn]:
    out = []
    for d in range(1, days + 1):
        counts = [(i * d) % 4 for i in range(1, 19)]
        remaining = sum(counts) + d
        out.append(
            DailyReturn(
                day=dt.date(2026, 10, d),
                org_code="R0A",
                org_name="Manchester University NHS FT",
                not_meeting_criteria=remaining + 3 * d,
                discharged_by_1700=2 * d,
                discharged_1701_2359=d,
                remaining=remaining,
                reasons=tuple(
                    ReasonCount(r.code, r.label, c) for r, c in zip(reasons(), counts, strict=True)
                ),
                no_reason_recorded=d,
            )
        )
    return out


def _same_figures(parsed, returns: list[DailyReturn]) -> None:
    assert parsed.rejections == [] and parsed.period == dt.date(2026, 10, 1)
    table2 = {r.day: r.values for r in parsed.table2}
    table3 = {r.day: r.values for r in parsed.table3}
    for r in returns:
        assert table2[r.day] == {
            "not_meeting_criteria": r.not_meeting_criteria,
            "discharged_by_1700": r.discharged_by_1700,
            "discharged_1701_2359": r.discharged_1701_2359,
            "remaining": r.remaining,
        }
        assert table3[r.day] == {**r.reason_counts, NO_REASON: r.no_reason_recorded}
    assert parsed.checks["table3_against_table2"] == {"compared": len(returns), "differ": 0}


def test_homewards_own_xlsx_return_reads_back_to_the_same_figures(tmp_path):
    returns = _returns()
    path = tmp_path / "return.xlsx"
    path.write_bytes(to_xlsx(returns))
    parsed = sitrep_webfile.parse_file(path)
    _same_figures(parsed, returns)
    assert {r.code for r in parsed.table2} == {"R0A"} and parsed.table2[0].level == "provider"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_homewards_own_csv_return_reads_back_to_the_same_figures(tmp_path, encoding):
    returns = _returns()
    path = tmp_path / "return.csv"
    path.write_text(to_csv(returns), encoding=encoding)
    _same_figures(sitrep_webfile.parse_file(path), returns)


def test_the_single_table_csvs_read_as_one_table_each(tmp_path):
    returns = _returns(days=2)
    path = tmp_path / "table2.csv"
    path.write_text(to_csv(returns, table=2))
    parsed = sitrep_webfile.parse_file(path)
    assert len(parsed.table2) == 2 and parsed.table3 == []
    assert any("no Table 3" in w.reason for w in parsed.warnings)


def test_a_re_saved_copy_has_the_same_fingerprint(tmp_path):
    sheets, _ = sitrep_sheets()
    path = write_xlsx(tmp_path / "sitrep-May-2024.xlsx", sheets)
    assert sitrep_webfile.parse_file(path).fingerprint() == parse(sheets).fingerprint()
    sheets["Table 2"][HEADER2 + 1][-2] += 1
    assert sitrep_webfile.parse_file(path).fingerprint() != parse(sheets).fingerprint()


junk = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.integers(-1000, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.sampled_from(["-", "*", "", "Table 3", "England"]),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    cells=st.lists(
        st.tuples(
            st.sampled_from(["Table 2", "Table 3"]), st.integers(0, 9), st.integers(0, 25), junk
        ),
        max_size=20,
    )
)
def test_junk_cells_never_crash_and_the_rows_always_add_up(cells):
    sheets, _ = sitrep_sheets(days=1)
    for sheet, row, column, value in cells:
        rows = sheets[sheet]
        if row < len(rows) and column < len(rows[row]):
            rows[row][column] = value
    try:
        parsed = parse(sheets)
    except UnreadableFile as refused:
        assert str(refused)
        return
    assert parsed.rows_read == len(parsed.table2) + len(parsed.table3) + parsed.rows_rejected
    for row in (*parsed.table2, *parsed.table3):
        assert all(v is None or (isinstance(v, int) and v >= 0) for v in row.values.values())


def test_a_code_too_long_to_be_an_organisation_is_rejected():
    sheets, _ = sitrep_sheets(days=1)
    sheets["Table 2"][HEADER2 + 1][3] = "R" * 81
    parsed = parse(sheets)
    (problem,) = parsed.rejections
    assert problem.reason == "code is 81 characters long (at most 80): not an organisation"
