"""Reading the Discharge Ready Date monthly webfile from generated workbooks: both layouts,
headers by folded name, percentage scales, suppressed cells, refusals and the England check."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.measures import drd_webfile
from homeward.measures.drd import BAND_NAMES, round_1dp
from homeward.measures.webfile import norm, number
from homeward.measures.workbook import UnreadableFile
from tests.measures.webfile_books import drd_header, drd_rows, england, providers, write_xlsx

HEADER_LINE = 5  # title, period, published, blank, then the header


def parse(rows, name="drd.xlsx", month=None):
    return drd_webfile.parse_sheets(name, {"Provider": rows}, month)


@pytest.mark.parametrize("layout", ["2023", "2024"])
@pytest.mark.parametrize("fraction", [False, True])
def test_both_layouts_and_both_percentage_scales_read_to_the_generated_figures(layout, fraction):
    made = providers()
    parsed = parse(drd_rows(made, layout=layout, fraction=fraction))

    assert parsed.layout == (drd_webfile.LAYOUT_2024 if layout == "2024" else "2023-04")
    assert parsed.scale == ("fraction" if fraction else "percent")
    assert parsed.period == dt.date(2024, 4, 1)
    assert parsed.published == dt.date(2024, 6, 13)
    assert parsed.rows_read == len(made) + 1 == len(parsed.rows)
    assert parsed.rejections == []
    assert parsed.band_base == "discharges"
    by_code = {r.code: r for r in parsed.rows}
    for p in made:
        row = by_code[p.code]
        m = p.measures
        assert row.level == "provider" and row.icb == p.icb and row.region == p.region
        assert row.name == p.name.strip()
        assert row.get("pct_not_delayed") == pytest.approx(m.pct_discharged_on_drd)
        assert row.get("pct_delayed") == pytest.approx(m.pct_delayed)
        assert row.get("avg_delay_days_excl_zero") == pytest.approx(m.avg_delay_days_excl_zero)
        for band in BAND_NAMES:
            assert row.get(f"band_bed_days:{band}") == m.delay_bands[band].bed_days
            share = 100 * m.delay_bands[band].people / m.discharges
            assert row.get(f"band_pct:{band}") == pytest.approx(share)
        if layout == "2024":
            assert row.measures() == m
        else:
            assert row.measures() is None and row.get("discharges") is None


def test_the_2024_layout_has_39_columns_and_lists_the_ones_it_does_not_use():
    header = drd_header("2024")
    parsed = parse(drd_rows(providers(), layout="2024"))

    assert len(header) == 39
    ignored = [w.reason for w in parsed.warnings if "ignored" in w.reason]
    assert len(ignored) == 7  # % of bed days per band, and the average including 0-day delays
    assert all(w.line == HEADER_LINE for w in parsed.warnings)


def test_the_england_row_reconciles_with_the_providers_using_drds_definitions():
    made = providers()
    parsed = parse(drd_rows(made))
    check = parsed.national_check()

    assert parsed.national.code == "England" and parsed.national.level == "national"
    assert check["discharges"]["stated"] == england(made).discharges
    assert all(c["agrees"] for c in check.values()), check
    assert {"pct_delayed", "avg_delay_days_excl_zero", "band_people:21+"} <= set(check)


def test_an_england_row_that_differs_from_its_providers_is_reported():
    made = providers()
    rows = drd_rows(made)
    header = rows[HEADER_LINE - 1]
    rows[HEADER_LINE][header.index("Discharge Volume")] += 5

    check = parse(rows).national_check()

    assert check["discharges"]["difference"] == -5 and not check["discharges"]["agrees"]
    assert check["delayed_bed_days"]["agrees"]


def test_the_header_is_found_by_folded_name_wherever_it_sits():
    rows = [[], [], *drd_rows(providers())]
    rows[HEADER_LINE + 1] = [f"  {str(c).upper()}  " for c in rows[HEADER_LINE + 1]]

    parsed = parse(rows)

    assert len(parsed.rows) == len(providers()) + 1
    assert parsed.layout == drd_webfile.LAYOUT_2024


def test_bare_band_headers_under_a_merged_group_label_are_read_with_it():
    made = providers()
    rows = drd_rows(made, layout="2023")
    header = rows[HEADER_LINE - 1]
    group = [""] * len(header)
    first = header.index("% 1 Day")
    group[first] = "% of discharges delayed by"
    for i, band in enumerate(BAND_NAMES):
        header[first + i] = band.replace("-", " to ") + (" days" if band != "1" else " day")
    rows[HEADER_LINE - 2] = group

    parsed = parse(rows)

    row = next(r for r in parsed.rows if r.code == made[0].code)
    share = 100 * made[0].measures.delay_bands["2-3"].people / made[0].measures.discharges
    assert row.get("band_pct:2-3") == pytest.approx(share)


def test_suppressed_cells_are_missing_never_zero():
    made = providers()
    rows = drd_rows(made)
    header = rows[HEADER_LINE - 1]
    line = rows[HEADER_LINE + 1]
    line[header.index("% Not Delayed ")] = "*"
    line[header.index("Discharge Volume")] = "-"
    line[header.index("21+ Days  Bed Days")] = None

    parsed = parse(rows)
    row = next(r for r in parsed.rows if r.code == made[0].code)

    assert row.get("pct_not_delayed") is None
    assert row.get("discharges") is None
    assert row.get("band_bed_days:21+") is None
    assert row.measures() is None
    check = parsed.national_check()
    assert check["discharges"]["computed"] is None and not check["discharges"]["agrees"]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("% Delayed", "lots", "'lots' is not a number"),
        ("% Delayed", 140, "140% is not 0-100"),
        ("Discharge Volume", 10.5, "10.5 is not a whole number"),
        ("Delay Bed Days", -3, "negative"),
        ("Code ", "", "no organisation code"),
    ],
)
def test_bad_rows_are_rejected_with_line_and_reason(column, value, reason):
    rows = drd_rows(providers())
    header = rows[HEADER_LINE - 1]
    rows[HEADER_LINE + 2][header.index(column)] = value

    parsed = parse(rows)

    assert parsed.rows_read == len(parsed.rows) + parsed.rows_rejected
    (problem,) = parsed.rejections
    assert problem.line == HEADER_LINE + 3 and problem.sheet == "Provider"
    assert reason in problem.reason


def test_a_code_seen_twice_is_rejected():
    rows = drd_rows(providers())
    rows.append(list(rows[-1]))

    parsed = parse(rows)

    assert [p.reason for p in parsed.rejections] == [
        f"code {rows[-1][2]} appears twice in the file"
    ]


def test_missing_columns_refuse_the_file_naming_them():
    rows = drd_rows(providers(), layout="2024")
    header = rows[HEADER_LINE - 1]
    header[header.index("Delay Bed Days")] = "Something else"
    header[header.index("% Delayed")] = "Notes"

    with pytest.raises(UnreadableFile) as refused:
        parse(rows)

    assert "% delayed" in str(refused.value) and "delay bed days" in str(refused.value)
    assert "nothing was imported" in str(refused.value)


def test_a_file_that_is_not_a_drd_webfile_is_refused():
    with pytest.raises(UnreadableFile, match="no sheet has a header with Code and Org Name"):
        drd_webfile.parse_sheets("x.xlsx", {"Sheet1": [["month", "org_code", "value"]]})


def test_percentages_that_mix_scales_or_cannot_be_told_apart_are_refused():
    made = providers(count=3)
    mixed = drd_rows(made, layout="2023")
    mixed[-1] = drd_rows(made, layout="2023", fraction=True)[-1]
    with pytest.raises(UnreadableFile, match="mix 0-1 and 0-100"):
        parse(mixed)

    header = drd_header("2023")
    ambiguous = [header, ["R", "Q", "RX1", "Tiny", 1, None, "SUS", None, None]]
    ambiguous[1] += [0.5, 0.2, 0.1, 0, 0, 0, 1, 2, 3, 0, 0, 0, 2.0]
    with pytest.raises(UnreadableFile, match="0-1 or 0-100"):
        parse(ambiguous, month=dt.date(2023, 5, 1))


def test_the_month_comes_from_a_month_column_the_file_name_or_the_caller():
    made = providers(count=2)
    no_month = drd_rows(made, month=None)
    with pytest.raises(UnreadableFile, match="--month"):
        parse(no_month, name="drd.xlsx")
    assert parse(no_month, name="DRD-webfile-May-2024.xlsx").period == dt.date(2024, 5, 1)
    assert parse(no_month, month=dt.date(2024, 7, 1)).period == dt.date(2024, 7, 1)

    with_column = [r[:] for r in no_month]
    start = with_column.index(drd_header("2024"))
    with_column[start] = ["Month", *with_column[start]]
    for row in with_column[start + 1 :]:
        row.insert(0, dt.datetime(2024, 8, 1))
    assert parse(with_column).period == dt.date(2024, 8, 1)
    with_column[-1][0] = dt.datetime(2024, 9, 1)
    with pytest.raises(UnreadableFile, match="several months"):
        parse(with_column)


def test_a_2023_layout_file_for_a_month_after_april_2024_is_warned_about():
    parsed = parse(drd_rows(providers(), layout="2023", month="June 2024"))
    assert any("from April 2024" in w.reason for w in parsed.warnings)


def test_a_real_xlsx_file_reads_the_same_as_its_rows(tmp_path):
    made = providers()
    rows = drd_rows(made)
    path = write_xlsx(tmp_path / "drd.xlsx", {"Notes": [["About this file"]], "Provider": rows})

    from_file = drd_webfile.parse_workbook(path)

    assert from_file.sheet == "Provider"
    assert from_file.fingerprint() == parse(rows).fingerprint()


def test_the_fingerprint_follows_the_figures_not_the_layout_of_the_cells():
    made = providers()
    as_percent = parse(drd_rows(made, layout="2023"))
    moved = parse([[], *drd_rows(made, layout="2023")])
    changed = drd_rows(made, layout="2023")
    changed[-1][-1] += 1

    assert as_percent.fingerprint() == moved.fingerprint()
    assert as_percent.fingerprint() != parse(changed).fingerprint()


def test_the_flourish_chart_data_in_the_shared_folder_is_not_a_drd_webfile():
    from tests.conftest import real_file

    path = real_file("drd/Final_Publication_DD_Flourish_Data.xlsx")
    with pytest.raises(UnreadableFile, match="not a Discharge Ready Date webfile"):
        drd_webfile.parse_workbook(path)


def test_header_folding_treats_case_blanks_dashes_and_plurals_alike():
    assert norm("21+ Days ") == norm("21+ day") == "21 plus day"
    assert norm("% 2–3 days") == norm("%2-3 Days") == "pct 2 3 day"
    assert number("12.5%") == (12.5, None)
    assert number(" - ") == (None, None) and number("*") == (None, None)
    assert number("1,234") == (1234.0, None)
    assert number("n.a")[1] == "'n.a' is not a number"


def test_published_percentages_round_as_drd_rounds():
    made = providers(count=1)
    row = parse(drd_rows(made)).rows[-1]
    assert round_1dp(row.get("pct_delayed")) == made[0].measures.as_dict()["pct_delayed"]


junk = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["-", "*", "", " ", "12%", "1,000"]),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    cells=st.lists(st.tuples(st.integers(1, 5), st.integers(0, 38), junk), max_size=25),
    fraction=st.booleans(),
)
def test_junk_cells_never_crash_and_the_rows_always_add_up(cells, fraction):
    rows = drd_rows(providers(count=4), fraction=fraction)
    for offset, column, value in cells:
        rows[HEADER_LINE + offset - 1][column] = value
    try:
        parsed = parse(rows)
    except UnreadableFile as refused:
        assert "nothing was imported" in str(refused) or "--month" in str(refused)
        return
    assert parsed.rows_read == len(parsed.rows) + parsed.rows_rejected
    for row in parsed.rows:
        for name in drd_webfile.PCT_FIELDS:
            value = row.get(name)
            assert value is None or 0 <= value <= 100 + 1e-9
    for check in parsed.national_check().values():
        assert check["agrees"] == (
            check["difference"] is not None and abs(check["difference"]) <= 0.1 + 1e-9
        )


def test_more_people_delayed_than_discharged_is_warned_about():
    made = providers(count=2)
    rows = drd_rows(made)
    header = rows[HEADER_LINE - 1]
    rows[-1][header.index("Discharge Volume")] = 1
    parsed = parse(rows)
    assert any("people delayed but 1 discharges" in w.reason for w in parsed.warnings)
    assert not parsed.national_check()["discharges"]["agrees"]
