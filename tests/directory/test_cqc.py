"""Unit tests (pure parser, no database) for `homeward.directory.cqc`.

Every layout is recognised by its header names; rows become LocationRecords or Rejections with
their line; whole files that cannot be read raise UnreadableFile and nothing else. Real public
files are used where present (skipped with a reason otherwise); everything else is written in
the test or read from small fixtures in tests/data."""

import contextlib
import csv
import io
import json
import random
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from homeward.demo.generator import BASE_COLUMNS
from homeward.directory.cqc import (
    LOCATION_ID,
    POSTCODE,
    LocationRecord,
    ParsedFile,
    UnreadableFile,
    parse,
    parse_upload,
)
from tests.conftest import TEST_DATA, real_file

# The official HSCA Active Locations columns (pinned against docs/data-formats.md by the
# generator's own test), then some flag columns.
HSCA_BASE = list(BASE_COLUMNS)
HSCA_FLAGS = [
    "Regulated activity - Accommodation for persons who require nursing or personal care",
    "Regulated activity - Nursing care",
    "Regulated activity - Personal care",
    "Service type - Care home service with nursing",
    "Service type - Care home service without nursing",
    "Service type - Domiciliary care service",
    "Service type - Supported living service",
    "Service user band - Dementia",
    "Service user band - Older People",
    "Service user band - Physical Disability",
    "Service user band - Younger Adults",
]
HSCA_HEADER = [
    *HSCA_BASE,
    *HSCA_FLAGS,
    "Location Dual Registered",
    "Primary ID (Dual registration locations)",
]

EXTRACT_HEADER = [
    "name",
    "cqc_id",
    "type",
    "address",
    "postcode",
    "telephone",
    "website",
    "provider",
    "inspection_date",
    "cqc_webpage",
    "area_name",
    "area_code",
    "lon",
    "lat",
]


def hsca_row(values: dict | None = None) -> dict:
    """A valid Adult social care nursing home in Trafford; `values` overrides columns."""
    row = dict.fromkeys(HSCA_HEADER, "")
    row.update(
        {
            "Location ID": "1-113737059",
            "Location HSCA start date": "01/04/2011",
            "Dormant (Y/N)": "N",
            "Care home?": "Y",
            "Location Name": "Oak Lodge",
            "Location Telephone Number": "01619621234",
            "Location Web Address": "www.oaklodge.example",
            "Care homes beds": "40",
            "Location Type/Sector": "Social Care Org",
            "Location Inspection Directorate": "Adult social care",
            "Location Primary Inspection Category": "Residential social care",
            "Location Latest Overall Rating": "Good",
            "Publication Date": "12/03/2024",
            "Location Region": "North West",
            "Location Local Authority": "Trafford",
            "Location Street Address": "1 Oak Road",
            "Location City": "Sale",
            "Location Postal Code": "M33 7XX",
            "Location Latitude": "53.4248",
            "Location Longitude": "-2.32115",
            "Brand ID": "-",
            "Brand Name": "-",
            "Provider ID": "1-100000001",
            "Provider Name": "Sunrise Care Ltd",
            HSCA_FLAGS[0]: "Y",
            HSCA_FLAGS[1]: "Y",
            "Service type - Care home service with nursing": "Y",
            "Service user band - Dementia": "Y",
            "Service user band - Older People": "Y",
            "Location Dual Registered": "N",
        }
    )
    row.update(values or {})
    return row


def agency_row(values: dict | None = None) -> dict:
    """A valid home-care agency (not a care home: beds blank)."""
    base = {
        "Location ID": "1-200000001",
        "Location Name": "Helping Hands Sale",
        "Care home?": "N",
        "Care homes beds": "",
        "Location Latest Overall Rating": "Not Rated",
        "Publication Date": "",
        HSCA_FLAGS[0]: "",
        HSCA_FLAGS[1]: "",
        "Regulated activity - Personal care": "Y",
        "Service type - Care home service with nursing": "",
        "Service type - Domiciliary care service": "Y",
        "Service user band - Dementia": "",
        "Service user band - Younger Adults": "Y",
        "Provider ID": "1-200000002",
        "Provider Name": "Helping Hands Ltd",
    }
    return hsca_row({**base, **(values or {})})


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def write_hsca_csv(
    path: Path,
    rows: list[dict],
    *,
    preamble: list[list[str]] = (),
    pad: int = 0,
    header: list[str] = HSCA_HEADER,
) -> Path:
    """HSCA as CSV: optional title rows, then the header (optionally padded with empty cells)."""
    table = [list(r) for r in preamble]
    table.append([*header, *[""] * pad])
    table += [[row[c] for c in header] + [""] * pad for row in rows]
    return write_csv(path, table)


def write_extract(path: Path, rows: list[dict]) -> Path:
    table = [EXTRACT_HEADER]
    for values in rows:
        row = {
            "name": "Oak Lodge",
            "cqc_id": "1-113737059",
            "type": "Residential homes",
            "address": "1 Oak Road,Sale",
            "postcode": "M33 7XX",
            "telephone": "01619621234",
            "website": "NA",
            "provider": "Sunrise Care Ltd",
            "inspection_date": "2024-03-12",
            "cqc_webpage": "https://www.cqc.org.uk/location/1-113737059",
            "area_name": "Trafford",
            "area_code": "E08000009",
            "lon": "-2.32115",
            "lat": "53.4248",
        }
        row.update(values)
        table.append([row[c] for c in EXTRACT_HEADER])
    return write_csv(path, table)


def write_ods(path: Path, sheets: list[tuple[str, list[list[object]]]]) -> Path:
    """A minimal OpenDocument spreadsheet (zip + content.xml), enough for calamine."""

    def cell(value: object) -> str:
        if value is None or value == "":
            return "<table:table-cell/>"
        if isinstance(value, int | float) and not isinstance(value, bool):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
        )

    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join(
            "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def by_id(parsed: ParsedFile) -> dict[str, LocationRecord]:
    return {r.cqc_id: r for r in parsed.records}


def reconciles(parsed: ParsedFile) -> bool:
    return parsed.read == len(parsed.records) + len(parsed.rejections)


# ---------------------------------------------------------------- layouts by header


def test_each_layout_is_recognised_by_its_headers(tmp_path):
    hsca = write_hsca_csv(tmp_path / "hsca.csv", [hsca_row()])
    extract = write_extract(tmp_path / "extract.csv", [{}])
    assert parse(hsca).layout == "hsca"
    assert parse(extract).layout == "extract"
    assert parse(TEST_DATA / "cqc_weekly_small.csv").layout == "weekly"
    assert parse(TEST_DATA / "cqc_ratings_small.csv").layout == "ratings"
    api = tmp_path / "loc.json"
    api.write_text(json.dumps({"locationId": "1-113737059", "name": "Oak Lodge"}))
    assert parse(api).layout == "api"


def test_hsca_columns_are_found_by_name_not_position(tmp_path):
    shuffled = HSCA_HEADER[:]
    random.Random(7).shuffle(shuffled)
    path = write_hsca_csv(tmp_path / "shuffled.csv", [hsca_row()], header=shuffled)
    (record,) = parse(path).records
    assert record.cqc_id == "1-113737059"
    assert record.name == "Oak Lodge"
    assert record.provider_id == "1-100000001"
    assert record.beds == 40
    assert record.postcode == "M33 7XX"


def test_hsca_record_fields(tmp_path):
    path = write_hsca_csv(tmp_path / "hsca.csv", [hsca_row(), agency_row()])
    parsed = parse(path)
    assert parsed.layout == "hsca" and parsed.full and not parsed.ratings_only
    assert parsed.read == 2 and not parsed.rejections and not parsed.warnings
    home, agency = by_id(parsed)["1-113737059"], by_id(parsed)["1-200000001"]
    assert home.line == 2 and agency.line == 3
    assert home.care_home is True and home.beds == 40
    assert home.address == "1 Oak Road, Sale"
    assert (home.lat, home.lon) == (53.4248, -2.32115)
    assert home.council_name == "Trafford" and home.council_code == "E08000009"
    assert home.rating == "Good" and home.rating_date == date(2024, 3, 12)
    assert home.website == "www.oaklodge.example"
    assert home.dormant is False and home.registered is True
    # Not a care home: beds stay blank, "Not Rated" is the canonical "Not rated".
    assert agency.care_home is False and agency.beds is None
    assert agency.rating == "Not rated" and agency.rating_date is None


def test_hsca_flag_columns_become_sorted_tuples(tmp_path):
    row = hsca_row(
        {
            "Service type - Care home service without nursing": "Y",
            "Service user band - Physical Disability": "y",
            "Service user band - Younger Adults": "",
            HSCA_FLAGS[2]: "Y",
        }
    )
    (record,) = parse(write_hsca_csv(tmp_path / "flags.csv", [row])).records
    assert record.service_types == (
        "Care home service with nursing",
        "Care home service without nursing",
    )
    assert record.specialisms == ("Dementia", "Older People", "Physical Disability")
    assert record.regulated_activities == (
        "Accommodation for persons who require nursing or personal care",
        "Nursing care",
        "Personal care",
    )
    assert all(isinstance(t, tuple) for t in (record.service_types, record.specialisms))


def test_hsca_csv_with_title_rows_header_on_row_7_and_padded_header(tmp_path):
    preamble = [
        ["HSCA Active Locations"],
        ["Care Quality Commission"],
        ["Data as at 01 February 2026"],
        [],
        ["Locations registered under the Health and Social Care Act 2008"],
        [],
    ]
    path = write_hsca_csv(
        tmp_path / "HSCA_Active_Locations.csv",
        [hsca_row(), agency_row()],
        preamble=preamble,
        pad=5,
    )
    parsed = parse(path)
    assert parsed.layout == "hsca"
    assert [r.line for r in parsed.records] == [8, 9]
    assert [r.cqc_id for r in parsed.records] == ["1-113737059", "1-200000001"]
    assert not parsed.rejections and reconciles(parsed)


def test_hsca_rows_outside_adult_social_care_are_ignored(tmp_path):
    rows = [
        hsca_row(),
        hsca_row({"Location ID": "1-300000001", "Location Inspection Directorate": "Hospitals"}),
        hsca_row(
            {
                "Location ID": "1-300000002",
                "Location Inspection Directorate": "Primary medical services",
                "Care homes beds": "99999",  # would be rejected if it were read
            }
        ),
        agency_row(),
    ]
    parsed = parse(write_hsca_csv(tmp_path / "mixed.csv", rows))
    assert sorted(by_id(parsed)) == ["1-113737059", "1-200000001"]
    assert parsed.read == 2 and not parsed.rejections


def test_hsca_xlsx_with_readme_sheet_first(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    readme = workbook.active
    readme.title = "README"
    readme.append(["HSCA Active Locations: read me"])
    readme.append(["Columns include", "Location ID", "Location Name", "Provider ID"])
    sheet = workbook.create_sheet("HSCA Active Locations")
    for title in (["HSCA Active Locations"], ["Care Quality Commission"], [], [], [], []):
        sheet.append(title)
    sheet.append([*HSCA_HEADER, None, None])  # header on row 7, padded
    for values in (hsca_row(), agency_row()):
        cells: list[object] = [values[c] or None for c in HSCA_HEADER]
        cells[HSCA_HEADER.index("Care homes beds")] = 40 if values["Care home?"] == "Y" else None
        cells[HSCA_HEADER.index("Location Latitude")] = 53.4248
        cells[HSCA_HEADER.index("Location Longitude")] = -2.32115
        if values["Publication Date"]:
            cells[HSCA_HEADER.index("Publication Date")] = datetime(2024, 3, 12)
        sheet.append(cells)
    path = tmp_path / "HSCA_Active_Locations.xlsx"
    workbook.save(path)

    parsed = parse(path)
    assert parsed.layout == "hsca"
    assert [r.line for r in parsed.records] == [8, 9]
    home = by_id(parsed)["1-113737059"]
    assert home.beds == 40 and isinstance(home.beds, int)
    assert home.rating_date == date(2024, 3, 12)
    assert (home.lat, home.lon) == (53.4248, -2.32115)
    assert home.service_types == ("Care home service with nursing",)
    assert home.specialisms == ("Dementia", "Older People")
    # The same bytes uploaded through the web parse the same way.
    uploaded = parse_upload("HSCA_Active_Locations.xlsx", path.read_bytes())
    assert [r.cqc_id for r in uploaded.records] == [r.cqc_id for r in parsed.records]


def test_hsca_ods_with_underscore_sheet_name(tmp_path):
    table = [HSCA_HEADER] + [
        [40 if c == "Care homes beds" and row[c] else row[c] for c in HSCA_HEADER]
        for row in (hsca_row(), agency_row())
    ]
    path = write_ods(
        tmp_path / "HSCA_Active_Locations.ods",
        [
            ("README", [["Location ID", "Location Name"], ["see the other sheet"]]),
            ("HSCA_Active_Locations", table),
            ("Dual_Registration_Locations", [["Location ID", "Primary ID"]]),
        ],
    )
    parsed = parse(path)
    assert parsed.layout == "hsca"
    assert sorted(by_id(parsed)) == ["1-113737059", "1-200000001"]
    assert by_id(parsed)["1-113737059"].beds == 40


# ---------------------------------------------------------------- rejections


BAD_ROWS = [
    pytest.param({"Location ID": "1-12"}, "location ID '1-12'", id="short-location-id"),
    pytest.param({"Location ID": "RXA01"}, "location ID 'RXA01'", id="ods-not-cqc-id"),
    pytest.param({"Location Name": ""}, "name is empty", id="empty-name"),
    pytest.param({"Care homes beds": "99999"}, "beds 99999 is impossible", id="beds-99999"),
    pytest.param({"Care homes beds": "-3"}, "beds -3 is impossible", id="beds-negative"),
    pytest.param({"Care homes beds": "forty"}, "'forty' is not a number", id="beds-text"),
    pytest.param({"Care homes beds": "12.5"}, "not a whole number", id="beds-fraction"),
    pytest.param({"Location Postal Code": "M33 XX7"}, "'M33 XX7'", id="bad-postcode"),
    pytest.param({"Location Postal Code": "NOT KNOWN"}, "not a valid UK postcode", id="text-pc"),
    pytest.param({"Location Latitude": "40.7128"}, "latitude 40.7128", id="lat-new-york"),
    pytest.param({"Location Longitude": "151.2"}, "longitude 151.2", id="lon-sydney"),
]


@pytest.mark.parametrize(("values", "reason"), BAD_ROWS)
def test_hsca_bad_row_is_rejected_with_line_and_reason(tmp_path, values, reason):
    rows = [agency_row(), hsca_row(values), hsca_row({"Location ID": "1-113737060"})]
    parsed = parse(write_hsca_csv(tmp_path / "bad.csv", rows))
    assert [r.cqc_id for r in parsed.records] == ["1-200000001", "1-113737060"]
    (rejection,) = parsed.rejections
    assert rejection.line == 3
    assert reason in rejection.reason
    assert reconciles(parsed)


def test_lowercase_postcode_without_space_is_normalised(tmp_path):
    row = hsca_row({"Location Postal Code": " wa141aa "})
    (record,) = parse(write_hsca_csv(tmp_path / "pc.csv", [row])).records
    assert record.postcode == "WA14 1AA"


def test_extract_malformed_council_code_that_cannot_be_fixed_is_rejected(tmp_path):
    path = write_extract(
        tmp_path / "extract.csv",
        [
            {"cqc_id": "1-100000010", "area_code": "E08000009"},
            # E0800009 would be Trafford, but the row says Manchester: do not guess.
            {"cqc_id": "1-100000011", "area_code": "E0800009", "area_name": "Manchester"},
            {"cqc_id": "1-100000012", "area_code": "W06000015", "area_name": "Cardiff"},
            {"cqc_id": "1-100000013", "area_code": "E0800009", "area_name": "Trafford"},
        ],
    )
    parsed = parse(path)
    assert sorted(by_id(parsed)) == ["1-100000010", "1-100000013"]
    assert [r.line for r in parsed.rejections] == [3, 4]
    assert "E0800009" in parsed.rejections[0].reason
    assert "did you mean E08000009" in parsed.rejections[0].reason
    assert "W06000015 is not an ONS social-services code" in parsed.rejections[1].reason
    # The fixable one is corrected with a warning naming both codes.
    assert by_id(parsed)["1-100000013"].council_code == "E08000009"
    (warning,) = parsed.warnings
    assert warning.line == 5 and "E0800009" in warning.reason and "E08000009" in warning.reason
    assert reconciles(parsed)


def test_unknown_local_authority_name_is_a_warning_not_a_rejection(tmp_path):
    row = hsca_row({"Location Local Authority": "Atlantis"})
    parsed = parse(write_hsca_csv(tmp_path / "la.csv", [row]))
    (record,) = parsed.records
    assert record.council_code == ""
    (warning,) = parsed.warnings
    assert warning.line == 2 and "Atlantis" in warning.reason


def test_truncated_row_is_rejected(tmp_path):
    header = HSCA_HEADER
    good = hsca_row()
    table = [header, [good[c] for c in header]]
    # The export was cut off after Location Name: no provider, postcode or flags.
    cut = hsca_row({"Location ID": "1-113737061"})
    table.append([cut[c] for c in header[: header.index("Location Name") + 1]])
    parsed = parse(write_csv(tmp_path / "truncated.csv", table))
    assert [r.cqc_id for r in parsed.records] == ["1-113737059"]
    (rejection,) = parsed.rejections
    assert rejection.line == 3
    assert any(w in rejection.reason for w in ("cells", "columns", "truncated", "short"))


# ---------------------------------------------------------------- unreadable files


def test_empty_file_is_unreadable(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableFile, match="empty"):
        parse(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n \r\n\t\n")
    with pytest.raises(UnreadableFile, match="empty"):
        parse(blank)


def test_file_with_wrong_columns_is_unreadable(tmp_path):
    path = write_csv(tmp_path / "other.csv", [["Patient", "Ward", "Bed"], ["A", "B", "C"]])
    with pytest.raises(UnreadableFile, match="no CQC directory header"):
        parse(path)


def test_hsca_header_missing_required_columns_is_unreadable(tmp_path):
    header = [c for c in HSCA_HEADER if c not in ("Provider ID", "Provider Name")]
    path = write_hsca_csv(tmp_path / "noprov.csv", [hsca_row()], header=header)
    with pytest.raises(UnreadableFile, match="Provider ID, Provider Name"):
        parse(path)


def test_corrupt_xlsx_is_unreadable(tmp_path):
    path = tmp_path / "HSCA_Active_Locations.xlsx"
    path.write_bytes(random.Random(1).randbytes(4096))
    with pytest.raises(UnreadableFile, match="not a readable spreadsheet"):
        parse(path)


def test_workbook_without_a_directory_sheet_is_unreadable(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.title = "README"
    workbook.active.append(["Nothing to see"])
    path = tmp_path / "readme_only.xlsx"
    workbook.save(path)
    with pytest.raises(UnreadableFile, match="no CQC directory header"):
        parse(path)


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("missing.csv", None, "does not exist"),
        ("directory.pdf", b"%PDF-1.4", "expected .ods"),
        ("loc.json", b"{not json", "not valid JSON"),
        ("loc.json", b"", "not valid JSON"),
        ("loc.json", b'"a string"', "expected a CQC location object"),
        ("loc.json", b'{"locations": {"a": 1}}', "expected a CQC location object"),
        ("loc.json", b"[1, 2]", "expected a CQC location object"),
    ],
)
def test_other_unreadable_files(tmp_path, name, data, match):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(UnreadableFile, match=match):
        parse(path)


def _only_unreadable(path: Path) -> None:
    """parse() may return or raise UnreadableFile; any other exception is a bug."""
    with contextlib.suppress(UnreadableFile):
        parse(path)


def test_csv_in_an_unknown_encoding_is_unreadable_not_a_crash(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"Location ID,Location Name\r\n1-113737059,Caf\x81 House\r\n")
    _only_unreadable(path)


def test_csv_with_an_oversized_field_is_not_a_crash(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text('Location ID,Location Name\n1-113737059,"' + "x" * 200_000 + '"\n')
    _only_unreadable(path)


@pytest.mark.parametrize(
    "location",
    [
        {"locationId": "1-113737059", "name": "Oak Lodge", "onspdLatitude": "north"},
        {"locationId": "1-113737059", "name": "Oak Lodge", "gacServiceTypes": ["Nursing homes"]},
        {"locationId": "1-113737059", "name": "Oak Lodge", "specialisms": "Dementia"},
    ],
    ids=["string-latitude", "service-type-string", "specialisms-string"],
)
def test_api_json_with_wrong_value_types_is_a_rejection(tmp_path, location):
    path = tmp_path / "loc.json"
    path.write_text(json.dumps([location, {"locationId": "1-200000001", "name": "Other"}]))
    parsed = parse(path)
    assert [r.cqc_id for r in parsed.records] == ["1-200000001"]
    assert [r.line for r in parsed.rejections] == [1]


# ---------------------------------------------------------------- weekly directory


def test_weekly_directory_with_preamble_and_real_header_quirk():
    parsed = parse(TEST_DATA / "cqc_weekly_small.csv")
    assert parsed.layout == "weekly" and parsed.full
    assert parsed.read == 3 and reconciles(parsed)
    home, agency = by_id(parsed)["1-8503184790"], by_id(parsed)["1-2000000001"]
    # Header on line 5 after four preamble lines: first data row is line 6.
    assert (home.line, agency.line) == (6, 7)
    # "CQC Location (for office use only" and "CQC Provider ID (for office use only)".
    assert home.provider_id == "1-8503184701"
    assert agency.provider_id == "1-2000000002"
    assert home.name == "Amberley Care Home"
    assert home.provider_name == "Amberley Care Home Limited"
    assert home.postcode == "M33 6RX"
    assert home.council_code == "E08000009"
    # Pipe-separated service types and specialisms, mapped to the HSCA names.
    assert home.care_home is True
    assert home.service_types == (
        "Care home service with nursing",
        "Care home service without nursing",
    )
    assert home.specialisms == ("Dementia", "Older People", "Physical Disability")
    assert agency.care_home is False
    assert agency.service_types == ("Domiciliary care service",)
    assert agency.specialisms == (
        "Learning disabilities or autistic spectrum disorder",
        "Older People",
        "Sensory Impairment",
    )
    assert agency.website == ""  # "NA"
    (rejection,) = parsed.rejections
    assert rejection.line == 8 and "CQC-123" in rejection.reason


# ---------------------------------------------------------------- API JSON


def test_api_json_real_deregistered_agency():
    parsed = parse(real_file("cqc/location_1-134558905.json"))
    assert parsed.layout == "api"
    assert parsed.full is False  # one location says nothing about the others
    assert parsed.read == 1 and not parsed.rejections
    (record,) = parsed.records
    assert record.cqc_id == "1-134558905"
    assert record.provider_id == "1-102643096"
    assert record.name == "Allied Healthcare Bournemouth"
    assert record.registered is False
    assert record.care_home is False and record.beds is None
    assert record.service_types == ("Domiciliary care service",)
    assert record.postcode == "BH6 3EN"
    assert record.council_code == "E06000058"  # Bournemouth, Christchurch and Poole
    assert record.rating == "Not rated"  # "No published rating"
    assert record.address == "135-139 Belle Vue Road, Southbourne, Bournemouth"
    # Specialisms are named differently in the API and mapped to the HSCA bands.
    assert {"Older People", "Younger Adults", "Dementia", "Children 0-18 years"} <= set(
        record.specialisms
    )
    assert "Learning disabilities or autistic spectrum disorder" in record.specialisms
    assert "Caring for adults over 65 yrs" not in record.specialisms


def test_api_json_list_and_locations_wrapper(tmp_path):
    item = {
        "locationId": "1-113737059",
        "providerId": "1-100000001",
        "name": " Oak Lodge ",
        "registrationStatus": "Registered",
        "careHome": "Y",
        "numberOfBeds": 40,
        "postalCode": "m33 7xx",
        "onspdLatitude": 53.4248,
        "onspdLongitude": -2.32115,
        "localAuthority": "Trafford",
        "gacServiceTypes": [
            {"name": "Nursing homes", "description": "Care home service with nursing"}
        ],
        "specialisms": [{"name": "Dementia"}, {"name": "Caring for adults over 65 yrs"}],
        "currentRatings": {"overall": {"rating": "Good", "reportDate": "2024-03-12"}},
    }
    bad = {"locationId": "1-2", "name": "Bad"}
    path = tmp_path / "locations.json"
    path.write_text(json.dumps({"locations": [item, bad]}))
    parsed = parse(path)
    (record,) = parsed.records
    assert record.name == "Oak Lodge" and record.registered is True
    assert record.care_home is True and record.beds == 40
    assert record.postcode == "M33 7XX" and record.council_code == "E08000009"
    assert record.rating == "Good" and record.rating_date == date(2024, 3, 12)
    assert record.specialisms == ("Dementia", "Older People")
    assert [(r.line, "location ID '1-2'" in r.reason) for r in parsed.rejections] == [(2, True)]
    assert reconciles(parsed)


# ---------------------------------------------------------------- ratings


def test_ratings_small_fixture():
    parsed = parse(TEST_DATA / "cqc_ratings_small.csv")
    assert parsed.layout == "ratings" and parsed.ratings_only and not parsed.full
    ratings = {r.provider_id: (r.rating, r.rating_date) for r in parsed.records}
    assert ratings == {
        # The provider-wide Overall row, not the Safe domain nor the core-service row.
        "1-100000001": ("Good", date(2020, 2, 1)),
        # Two provider-wide Overall rows: the newer is kept, with a warning.
        "1-100000002": ("Requires improvement", date(2021, 6, 1)),
        "1-100000099": ("Outstanding", date(2020, 10, 10)),
    }
    (warning,) = parsed.warnings
    assert warning.line == 6 and "1-100000002" in warning.reason
    (rejection,) = parsed.rejections
    assert rejection.line == 8 and "'??'" in rejection.reason
    assert reconciles(parsed)


RATINGS_HEADER = (
    "ProviderID,ProviderName,ProviderType,ProviderPrimaryInspectionCategory,"
    "ProviderStreetAddress,ProviderAddressLine2,ProviderCity,ProviderPostCode,"
    "ProviderLocalAuthority,ProviderRegion,Service/PopulationGroup,Domain,LatestRating,"
    "PublicationDate,ReportType,InheritedRating(Y/N),URL,BrandID,BrandName"
)


def test_ratings_use_the_provider_wide_row_not_service_rows(tmp_path):
    tail = ",Provider,N,http://www.cqc.org.uk/provider/RN7,-,-"
    lead = "RN7,Dartford and Gravesham NHS Trust,NHS,Acute,Road,,Dartford,DA2 8DA,Kent,South East"
    path = tmp_path / "ratings.csv"
    path.write_text(
        "\n".join(
            [
                RATINGS_HEADER,
                f"{lead},Surgery,Overall,Requires improvement,02/07/2014{tail}",
                f"{lead},Overall,Overall,Good,22/08/2019{tail}",
                f"{lead},Urgent care centre,Overall,Inadequate,01/01/2021{tail}",
            ]
        )
        + "\n"
    )
    parsed = parse(path)
    (record,) = parsed.records
    assert (record.rating, record.rating_date) == ("Good", date(2019, 8, 22))
    assert parsed.warnings == []


def test_ratings_real_file_reads_every_provider():
    parsed = parse(real_file("cqc/Latest_ratings_2_2021_Prov.csv"))
    assert parsed.layout == "ratings" and parsed.ratings_only
    assert len(parsed.records) == 231
    assert not parsed.rejections and reconciles(parsed)
    ratings = {r.provider_id: r for r in parsed.records}
    assert ratings["R0A"].rating == "Good"
    assert ratings["R0A"].rating_date == date(2019, 3, 19)
    assert ratings["RN7"].rating == "Good"
    assert ratings["RN7"].rating_date == date(2019, 8, 22)
    assert {r.rating for r in parsed.records} <= {
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
        "Not rated",
    }


def test_ratings_real_file_warns_about_the_three_duplicate_pairs():
    parsed = parse(real_file("cqc/Latest_ratings_2_2021_Prov.csv"))
    assert len(parsed.warnings) == 3
    assert {w.line for w in parsed.warnings} <= {2909, 2910, 6400, 6401, 6436, 6437}
    assert sorted(w.reason.count("RMY") > 0 for w in parsed.warnings) == [False, False, True]
    assert not any("RN7" in w.reason for w in parsed.warnings)


# ---------------------------------------------------------------- council extract


def test_trafford_extract_real_file():
    parsed = parse(real_file("cqc/trafford_care_homes_2026-02.csv"))
    assert parsed.layout == "extract" and parsed.full
    assert parsed.read == 56 and len(parsed.records) == 56 and not parsed.rejections
    assert {r.council_code for r in parsed.records} == {"E08000009"}
    assert len(parsed.warnings) == 56
    assert [w.line for w in parsed.warnings] == list(range(2, 58))
    assert all(
        "E0800009" in w.reason and "E08000009" in w.reason and "Trafford" in w.reason
        for w in parsed.warnings
    )
    assert all(r.care_home for r in parsed.records)
    assert all(LOCATION_ID.match(r.cqc_id) for r in parsed.records)
    assert len({r.cqc_id for r in parsed.records}) == 56
    allingham = next(r for r in parsed.records if r.cqc_id == "1-1938268568")
    assert allingham.name == "Allingham House Care Centre"
    assert allingham.service_types == ("Care home service with nursing",)
    assert allingham.postcode == "WA15 6SQ"
    assert (allingham.lat, allingham.lon) == (53.399099, -2.341537)
    assert allingham.website == ""  # "NA"
    assert allingham.provider_id == "" and allingham.provider_name == "Maria Mallaband 16 Limited"


# ---------------------------------------------------------------- fuzzing

FUZZ_HEADERS = [
    HSCA_HEADER,
    [
        "Location ID",
        "Location Name",
        "Provider ID",
        "Provider Name",
        "Care home?",
        "Care homes beds",
        "Location Postal Code",
        "Location Latitude",
        "Location Longitude",
        "Location Local Authority",
        "Location Inspection Directorate",
        "Location Latest Overall Rating",
        "Publication Date",
        "Service type - Care home service with nursing",
        "Service user band - Dementia",
    ],
    [
        "Name",
        "Postcode",
        "Service types",
        "Specialisms/services",
        "Local Authority",
        "CQC Location (for office use only",
        "CQC Provider ID (for office use only)",
    ],
    EXTRACT_HEADER,
    [
        "ProviderID",
        "Service/PopulationGroup",
        "Domain",
        "LatestRating",
        "PublicationDate",
        "ReportType",
    ],
    ["Location ID", "Location Name"],  # recognised, but missing required columns
]
PLAUSIBLE = [
    "",
    " ",
    "Y",
    "N",
    "NA",
    "-",
    "1-113737059",
    "1-200000001",
    "1-12",
    "Oak Lodge",
    "40",
    "0",
    "2000",
    "2001",
    "99999",
    "-3",
    "12.5",
    "1e3",
    "nan",
    "inf",
    "M33 7XX",
    "wa141aa",
    "ZZ",
    "53.4248",
    "-2.32115",
    "91",
    "E08000009",
    "E0800009",
    "E99",
    "Trafford",
    "Atlantis",
    "Adult social care",
    "Hospitals",
    "Good",
    "Not Rated",
    "Overall",
    "Provider",
    "12/03/2024",
    "31/02/2024",
    "2024-03-12",
    "Nursing homes|Residential homes",
    "Dementia|Caring for adults over 65 yrs",
    "|||",
]
cells = st.one_of(st.sampled_from(PLAUSIBLE), st.text(max_size=12))


@st.composite
def csv_texts(draw) -> str:
    """Random CSV: random preamble, a known or random header, rows of random widths."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=300))
    header = draw(st.sampled_from(FUZZ_HEADERS) | st.lists(cells, max_size=6))
    preamble = draw(st.lists(st.lists(st.text(max_size=10), max_size=3), max_size=4))
    width = len(header)
    body = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 2), max_size=8))
    out = io.StringIO()
    if draw(st.booleans()):
        csv.writer(out).writerows([*preamble, header, *body])
    else:  # hand-joined: unbalanced quotes, stray separators and all
        for row in (*preamble, header, *body):
            out.write(",".join(row) + draw(st.sampled_from(["\n", "\r\n", "\r"])))
    return out.getvalue()


@settings(
    max_examples=300,
    deadline=None,
    database=None,  # no .hypothesis folder in the project
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=csv_texts())
@example(text="")
@example(text='Location ID,Location Name,Provider ID,Provider Name\n"1-113737059\n')
@example(text="cqc_id,name,postcode,area_code\n1-113737059\n,,,,,,\n")
def test_fuzz_parse_returns_a_reconciled_file_or_raises_unreadable(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_text(text, encoding="utf-8")
        try:
            parsed = parse(path)
        except UnreadableFile:
            return
    assert isinstance(parsed, ParsedFile)
    for problem in (*parsed.rejections, *parsed.warnings):
        assert problem.line >= 1 and problem.reason
    if parsed.layout == "ratings":
        return
    assert parsed.read == len(parsed.records) + len(parsed.rejections)
    for record in parsed.records:
        assert LOCATION_ID.match(record.cqc_id) and record.name
        assert record.postcode == "" or POSTCODE.match(record.postcode)
        assert record.beds is None or 0 <= record.beds <= 2000
        assert record.lat is None or 49.0 <= record.lat <= 61.5
        assert record.lon is None or -9.0 <= record.lon <= 2.5
        assert record.council_code == "" or record.council_code[:3] in ("E06", "E08", "E09", "E10")
