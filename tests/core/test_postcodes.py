"""Postcodes: normalisation (unit), loading the ONS files and lookup with the outcode
fallback (integration, database), and the `geocode` / `import_postcodes` commands.

Fixtures: tests/data/postcodes_small.csv (NSPL `Postcode,lat,long`, fixed-width 7-character
postcodes) and tests/data/postcodes_outcodes.csv (`outcode,n_postcodes,mean_lat,mean_long`)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from homeward.core.models import Outcode, Postcode
from homeward.core.postcode_import import import_file
from homeward.core.postcodes import (
    InvalidPostcode,
    Position,
    is_outcode,
    locate,
    normalise,
    outcode_of,
)
from tests.conftest import TEST_DATA, real_file

SMALL = TEST_DATA / "postcodes_small.csv"
OUTCODES = TEST_DATA / "postcodes_outcodes.csv"

# ---------------------------------------------------------------- normalise (unit)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("m337xx", "M33 7XX"),
        ("M33 7XX", "M33 7XX"),
        ("  m33   7xx ", "M33 7XX"),
        ("M33\t7XX", "M33 7XX"),
        ("WA141AA", "WA14 1AA"),  # NSPL fixed width, no space
        ("M1  1AA", "M1 1AA"),  # NSPL fixed width, two spaces
        ("M11AA", "M1 1AA"),
        ("EC1A1BB", "EC1A 1BB"),
        ("w1a 0ax", "W1A 0AX"),
        ("DN55 1PT", "DN55 1PT"),
        ("B338TH", "B33 8TH"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "postcode is empty"),
        ("   ", "postcode is empty"),
        (None, "postcode is empty"),
        ("M33", "'M33' is not a valid UK postcode"),
        ("M33 7X", "'M33 7X' is not a valid UK postcode"),
        ("M33 7XXX", "not a valid UK postcode"),
        ("337XX", "not a valid UK postcode"),
        ("M33-7XX", "'M33-7XX' is not a valid UK postcode"),
        ("MMM1 1AA", "not a valid UK postcode"),
        ("M33 XX7", "not a valid UK postcode"),
        (" banana ", "'banana' is not a valid UK postcode"),
    ],
)
def test_invalid_postcodes_raise_with_a_reason(raw, reason):
    with pytest.raises(InvalidPostcode) as excinfo:
        normalise(raw)
    assert reason in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)


def test_outcodes():
    assert outcode_of("wa141aa") == "WA14"
    assert outcode_of("M1 1AA") == "M1"
    assert is_outcode("M33") and is_outcode("wa14") and is_outcode(" EC1A ")
    assert not is_outcode("M33 7XX") and not is_outcode("") and not is_outcode("33")
    with pytest.raises(InvalidPostcode):
        outcode_of("M33")


# ---------------------------------------------------------------- import (integration)


@pytest.fixture
def loaded(db):
    return import_file(SMALL), import_file(OUTCODES)


@pytest.mark.django_db
def test_import_nspl_small_file():
    result = import_file(SMALL)
    assert (result.read, result.stored) == (8, 6)
    assert result.read == result.stored + len(result.rejections)
    assert [r["line"] for r in result.rejections] == [7, 8]
    assert result.rejections[0]["reason"] == "no position"  # M1 1AE with blank lat/long
    assert "'M99 9Z' is not a valid UK postcode" in result.rejections[1]["reason"]
    # Stored without spaces, whatever the fixed-width form in the file.
    assert set(Postcode.objects.values_list("postcode", flat=True)) == {
        "M11AA",
        "M11AD",
        "M337XX",
        "WA141AA",
        "WA156SQ",
        "M415BU",
    }
    m1 = Postcode.objects.get(postcode="M11AA")
    assert (m1.lat, m1.lon) == (53.48737, -2.22719)
    assert result.as_dict()["rejected"] == 2


@pytest.mark.django_db
def test_import_outcode_file():
    result = import_file(OUTCODES)
    assert (result.read, result.stored) == (6, 4)
    assert [r["line"] for r in result.rejections] == [6, 7]
    assert "'M1 1AA' is not an outcode" in result.rejections[0]["reason"]
    assert result.rejections[1]["reason"] == "no position"
    assert set(Outcode.objects.values_list("outcode", flat=True)) == {"M1", "M33", "WA14", "WA15"}
    assert Outcode.objects.get(outcode="WA15").lat == 53.38441


@pytest.mark.django_db
def test_reimport_replaces_positions(tmp_path):
    import_file(SMALL)
    moved = tmp_path / "moved.csv"
    moved.write_text("pcds,lat,long\nM1 1AA,53.5,-2.2\nM2 2BB,53.48,-2.24\n")
    result = import_file(moved)
    assert (result.read, result.stored, result.rejections) == (2, 2, [])
    assert (Postcode.objects.get(postcode="M11AA").lat, Postcode.objects.count()) == (53.5, 7)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "is empty"),
        ("name,lat,long\nM1 1AA,53.4,-2.2\n", "expected a header"),
        ("outcode,n_postcodes\nM1,3\n", "expected a header"),
    ],
)
def test_import_of_a_file_with_the_wrong_layout_fails_whole(tmp_path, text, match):
    path = tmp_path / "wrong.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        import_file(path)
    assert not Postcode.objects.exists() and not Outcode.objects.exists()


@pytest.mark.django_db
def test_nspl_no_grid_reference_marker_is_rejected(tmp_path):
    path = tmp_path / "nspl.csv"
    path.write_text("Postcode,lat,long\nGY1 1AA,99.999999,0.000000\nM1  1AA,53.48737,-2.22719\n")
    result = import_file(path)
    assert result.stored == 1
    assert [r["line"] for r in result.rejections] == [2]
    assert not Postcode.objects.filter(postcode="GY11AA").exists()


@pytest.mark.django_db
def test_import_postcodes_command_json():
    buf = io.StringIO()
    call_command("import_postcodes", str(SMALL), str(OUTCODES), json=True, stdout=buf)
    first, second = (json.loads(line) for line in buf.getvalue().splitlines())
    assert (first["file"], first["read"], first["stored"], first["rejected"]) == (
        str(SMALL),
        8,
        6,
        2,
    )
    assert first["rejections"][0] == {"line": 7, "reason": "no position"}
    assert (second["read"], second["stored"], second["rejected"]) == (6, 4, 2)


@pytest.mark.django_db
def test_import_postcodes_command_refuses_wrong_layout(tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="wrong.csv"):
        call_command("import_postcodes", str(path), stdout=io.StringIO())


# ---------------------------------------------------------------- locate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("m1 1aa", Position("M1 1AA", 53.48737, -2.22719, "postcode")),
        ("WA141AA", Position("WA14 1AA", 53.3872, -2.3507, "postcode")),
        # Loaded postcode whose outcode is not loaded.
        ("M41 5BU", Position("M41 5BU", 53.44763, -2.365264, "postcode")),
        # Not loaded: the outcode centroid, keeping the normalised postcode.
        ("m1 9zz", Position("M1 9ZZ", 53.47768, -2.23674, "outcode")),
        ("WA15 9ZZ", Position("WA15 9ZZ", 53.38441, -2.32909, "outcode")),
        # An outcode on its own.
        ("m33", Position("M33", 53.42267, -2.32476, "outcode")),
        (" wa15 ", Position("WA15", 53.38441, -2.32909, "outcode")),
    ],
)
def test_locate(loaded, raw, expected):
    assert locate(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("M41 9ZZ", "M41 9ZZ is not in the loaded postcode files, nor is M41"),
        ("M41", "outcode M41 is not in the loaded postcode files"),
        ("banana", "not a valid UK postcode"),
        ("", "postcode is empty"),
    ],
)
def test_locate_failures(loaded, raw, reason):
    with pytest.raises(InvalidPostcode, match=reason):
        locate(raw)


# ---------------------------------------------------------------- geocode command


def test_geocode_command_json(loaded):
    buf = io.StringIO()
    call_command(
        "geocode", "m11aa", "not a postcode", "M1 9ZZ", "m33", "ZZ9 9ZZ", json=True, stdout=buf
    )
    results = json.loads(buf.getvalue())
    assert isinstance(results, list) and len(results) == 5
    ok = [r for r in results if "error" not in r]
    assert ok == [
        {"postcode": "M1 1AA", "lat": 53.48737, "lon": -2.22719, "source": "postcode"},
        {"postcode": "M1 9ZZ", "lat": 53.47768, "lon": -2.23674, "source": "outcode"},
        {"postcode": "M33", "lat": 53.42267, "lon": -2.32476, "source": "outcode"},
    ]
    bad, missing = results[1], results[4]
    assert bad["postcode"] == "not a postcode" and "not a valid UK postcode" in bad["error"]
    assert (
        missing["postcode"] == "ZZ9 9ZZ" and "not in the loaded postcode files" in missing["error"]
    )
    assert [r["postcode"] for r in results] == [
        "M1 1AA",
        "not a postcode",
        "M1 9ZZ",
        "M33",
        "ZZ9 9ZZ",
    ]


def test_geocode_command_text(loaded):
    out, err = io.StringIO(), io.StringIO()
    call_command("geocode", "M1 1AA", "nope", stdout=out, stderr=err)
    assert out.getvalue().strip() == "M1 1AA\t53.48737\t-2.22719\tpostcode"
    assert "nope" in err.getvalue()


# ---------------------------------------------------------------- real data


@pytest.mark.django_db
def test_real_manchester_postcodes():
    path = real_file("postcodes/M.csv")
    result = import_file(path)
    assert result.stored > 50_000
    assert result.read == result.stored + len(result.rejections)
    # Terminated postcodes carry no position (`M1 9FN,,0.00000`): rejected, not stored.
    assert {r["reason"] for r in result.rejections} <= {"no position"}
    assert Postcode.objects.count() == result.stored
    assert Postcode.objects.filter(postcode__startswith="M33").count() > 1000
    assert locate("M1 1AA") == Position("M1 1AA", 53.48737, -2.22719, "postcode")
    assert all(49 < lat < 56 for lat in Postcode.objects.values_list("lat", flat=True)[:1000])
