"""The demo generator writes a realistic CQC "HSCA Active Locations" file from real data."""

import csv
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from homeward.demo import generator

REQUIRED = (generator.CENTROIDS_FILE, generator.RATINGS_FILE, *generator.EXTRACT_FILES)
if not all((generator.real_data_dir() / name).is_file() for name in REQUIRED):
    pytest.skip(
        f"real public data not found in {generator.real_data_dir()} (set HOMEWARD_REAL_DATA)",
        allow_module_level=True,
    )

EXPECTED_BASE = [
    "Location ID",
    "Location HSCA start date",
    "Dormant (Y/N)",
    "Care home?",
    "Location Name",
    "Location ODS Code",
    "Location Telephone Number",
    "Registered manager",
    "Location Web Address",
    "Care homes beds",
    "Location Type/Sector",
    "Location Inspection Directorate",
    "Location Primary Inspection Category",
    "Location Latest Overall Rating",
    "Publication Date",
    "Inherited Rating (Y/N)",
    "Location Region",
    "Location NHS Region",
    "Location Local Authority",
    "Location ONSPD CCG Code",
    "Location ONSPD CCG",
    "Location Commissioning CCG Code",
    "Location Commissioning CCG",
    "Location Street Address",
    "Location Address Line 2",
    "Location City",
    "Location County",
    "Location Postal Code",
    "Location PAF ID",
    "Location UPRN ID",
    "Location Latitude",
    "Location Longitude",
    "Location Parliamentary Constituency",
    "Brand ID",
    "Brand Name",
    "Provider Companies House Number",
    "Provider Charity Number",
    "Provider ID",
    "Provider Name",
    "Provider HSCA start date",
    "Provider Type/Sector",
    "Provider Inspection Directorate",
    "Provider Primary Inspection Category",
    "Provider Ownership Type",
    "Provider Telephone Number",
    "Provider Web Address",
    "Provider Street Address",
    "Provider Address Line 2",
    "Provider City",
    "Provider County",
    "Provider Postal Code",
    "Provider PAF ID",
    "Provider UPRN ID",
    "Provider Local Authority",
    "Provider Region",
    "Provider NHS Region",
    "Provider Latitude",
    "Provider Longitude",
    "Provider Parliamentary Constituency",
    "Provider Nominated Individual Name",
    "Provider Main Partner Name",
]
EXPECTED_ACTIVITIES = [
    "Accommodation for persons who require nursing or personal care",
    "Accommodation for persons who require treatment for substance misuse",
    "Assessment or medical treatment for persons detained under the Mental Health Act 1983",
    "Diagnostic and screening procedures",
    "Family planning",
    "Management of supply of blood and blood derived products",
    "Maternity and midwifery services",
    "Nursing care",
    "Personal care",
    "Services in slimming clinics",
    "Surgical procedures",
    "Termination of pregnancies",
    "Transport services, triage and medical advice provided remotely",
    "Treatment of disease, disorder or injury",
]
EXPECTED_SERVICE_TYPES = [
    "Acute services with overnight beds",
    "Acute services without overnight beds / listed acute services with or without overnight beds",
    "Ambulance service",
    "Blood and Transplant service",
    "Care home service with nursing",
    "Care home service without nursing",
    "Community based services for people who misuse substances",
    "Community based services for people with a learning disability",
    "Community based services for people with mental health needs",
    "Community health care services - Independent Midwives",
    "Community health care services - Nurses Agency only",
    "Community healthcare service",
    "Dental service",
    "Diagnostic and/or screening service",
    "Diagnostic and/or screening service - single handed sessional providers",
    "Doctors consultation service",
    "Doctors treatment service",
    "Domiciliary care service",
    "Extra Care housing services",
    "Hospice services",
    "Hospice services at home",
    "Hospital services for people with mental health needs, learning disabilities and problems "
    "with substance misuse",
    "Hyperbaric Chamber",
    "Long term conditions services",
    "Mobile doctors service",
    "Prison Healthcare Services",
    "Rehabilitation services",
    "Remote clinical advice service",
    "Residential substance misuse treatment and/or rehabilitation service",
    "Shared Lives",
    "Specialist college service",
    "Supported living service",
    "Urgent care services",
]
EXPECTED_BANDS = [
    "Children 0-18 years",
    "Dementia",
    "Learning disabilities or autistic spectrum disorder",
    "Mental Health",
    "Older People",
    "People detained under the Mental Health Act",
    "People who misuse drugs and alcohol",
    "People with an eating disorder",
    "Physical Disability",
    "Sensory Impairment",
    "Whole Population",
    "Younger Adults",
]
EXPECTED_HEADER = (
    EXPECTED_BASE
    + [f"Regulated activity - {x}" for x in EXPECTED_ACTIVITIES]
    + [f"Service type - {x}" for x in EXPECTED_SERVICE_TYPES]
    + [f"Service user band - {x}" for x in EXPECTED_BANDS]
    + ["Location Dual Registered", "Primary ID (Dual registration locations)"]
)
ENGLISH_REGIONS = {
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
}
CQC_ID = re.compile(r"^1-\d{9,10}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABDEFGHJLNPQRSTUWXYZ]{2}$")
RATINGS = {"Outstanding", "Good", "Requires improvement", "Inadequate", ""}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def flagged(rows: list[dict[str, str]], column: str) -> list[dict[str, str]]:
    return [r for r in rows if r[column] == "Y"]


@pytest.fixture(scope="module")
def england_file(tmp_path_factory) -> Path:
    return generator.generate(tmp_path_factory.mktemp("england"))


@pytest.fixture(scope="module")
def england(england_file) -> list[dict[str, str]]:
    return read_rows(england_file)


@pytest.fixture(scope="module")
def care_homes(england) -> list[dict[str, str]]:
    return flagged(england, "Care home?")


def test_england_has_the_published_scale(england, care_homes):
    beds = sum(int(r["Care homes beds"]) for r in care_homes)
    domiciliary = flagged(england, "Service type - Domiciliary care service")
    assert 15_000 <= len(care_homes) <= 16_000
    assert 440_000 <= beds <= 475_000
    assert 12_000 <= len(domiciliary) <= 14_000
    assert 1_500 <= len(flagged(england, "Service type - Supported living service")) <= 2_500


def test_every_english_region_is_present_in_roughly_its_share_of_beds(care_homes):
    beds = Counter()
    for row in care_homes:
        beds[row["Location Region"]] += int(row["Care homes beds"])
    assert set(beds) == ENGLISH_REGIONS
    assert beds["South East"] > beds["London"] > beds["North East"]
    assert 0.04 < beds["North East"] / sum(beds.values()) < 0.07


def test_care_homes_mix_nursing_and_residential_with_plausible_sizes(care_homes):
    nursing = flagged(care_homes, "Service type - Care home service with nursing")
    residential = flagged(care_homes, "Service type - Care home service without nursing")
    assert len(nursing) + len(residential) == len(care_homes)
    assert 0.25 <= len(nursing) / len(care_homes) <= 1 / 3

    def mean_beds(rows):
        return sum(int(r["Care homes beds"]) for r in rows) / len(rows)

    assert 40 <= mean_beds(nursing) <= 50
    assert 20 <= mean_beds(residential) <= 28
    assert all(1 <= int(r["Care homes beds"]) <= 200 for r in care_homes)


def test_service_user_bands_follow_the_national_mix(england, care_homes):
    expected = {
        "Older People": 0.80,
        "Dementia": 0.65,
        "Physical Disability": 0.35,
        "Learning disabilities or autistic spectrum disorder": 0.25,
        "Mental Health": 0.25,
        "Younger Adults": 0.35,
        "Sensory Impairment": 0.15,
    }
    for band, share in expected.items():
        found = len(flagged(care_homes, f"Service user band - {band}")) / len(care_homes)
        assert abs(found - share) < 0.04, band
    home_care = flagged(england, "Service type - Domiciliary care service")
    older = flagged(home_care, "Service user band - Older People")
    assert 0.86 <= len(older) / len(home_care) <= 0.94


def test_ratings_and_dormancy_follow_the_national_mix(england):
    ratings = Counter(r["Location Latest Overall Rating"] for r in england)
    assert set(ratings) == RATINGS
    assert 0.68 <= ratings["Good"] / len(england) <= 0.76
    assert 0.03 <= ratings[""] / len(england) <= 0.09
    dormant = Counter(r["Dormant (Y/N)"] for r in england)
    assert set(dormant) == {"Y", "N"}
    assert 0.005 <= dormant["Y"] / len(england) <= 0.02


def test_every_location_sits_at_a_real_outcode_centroid_of_its_council(england):
    centroids = generator.load_centroids(generator.real_data_dir())
    outcodes = {c.name: set(c.outcodes) for c in generator.load_councils()}
    tolerance = generator.JITTER_DEGREES + 1e-6
    for row in england:
        assert POSTCODE.match(row["Location Postal Code"]), row["Location Postal Code"]
        outcode = row["Location Postal Code"].split(" ")[0]
        assert outcode in outcodes[row["Location Local Authority"]]
        lat, lon = centroids[outcode]
        assert abs(float(row["Location Latitude"]) - lat) <= tolerance
        assert abs(float(row["Location Longitude"]) - lon) <= tolerance


def test_header_is_the_exact_hsca_layout(england_file):
    with england_file.open(newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == EXPECTED_HEADER


def test_ids_look_like_cqc_ids_and_never_clash(england):
    location_ids = [r["Location ID"] for r in england]
    provider_ids = {r["Provider ID"] for r in england}
    assert all(CQC_ID.match(i) for i in location_ids)
    assert all(CQC_ID.match(i) for i in provider_ids)
    assert len(set(location_ids)) == len(location_ids)
    assert not provider_ids & set(location_ids)


def test_providers_range_from_single_services_to_large_chains(england):
    sizes = Counter(r["Provider ID"] for r in england)
    assert max(sizes.values()) >= 100
    assert sum(1 for n in sizes.values() if n == 1) > len(sizes) / 2
    names = {r["Provider ID"]: r["Provider Name"] for r in england}
    assert all(names.values())
    assert len(set(names.values())) > len(names) / 3


def test_columns_are_consistent_with_each_service_type(england):
    for row in england:
        care_home = row["Care home?"] == "Y"
        assert row["Location Inspection Directorate"] == "Adult social care"
        assert row["Location Type/Sector"] == "Social Care Org"
        assert row["Location Name"] and row["Location Local Authority"]
        assert row["Location Region"] in ENGLISH_REGIONS
        assert (row["Care homes beds"] != "") == care_home
        accommodation = "Regulated activity - Accommodation for persons who require nursing or "
        assert (row[accommodation + "personal care"] == "Y") == care_home
        if row["Service type - Care home service with nursing"] == "Y":
            assert row["Regulated activity - Nursing care"] == "Y"
            assert row["Regulated activity - Treatment of disease, disorder or injury"] == "Y"
        if not care_home:
            assert row["Regulated activity - Personal care"] == "Y"
        rated = row["Location Latest Overall Rating"] != ""
        assert (row["Publication Date"] != "") == rated
        for column in ("Location HSCA start date", "Provider HSCA start date"):
            datetime.strptime(row[column], "%d/%m/%Y")
        assert row["Brand Name"] == "-" or row["Brand Name"].startswith("BRAND ")
        assert re.fullmatch(r"-?\d+\.\d{6}", row["Location Latitude"])


def test_the_same_seed_gives_identical_bytes(england_file, tmp_path):
    again = generator.generate(tmp_path)
    assert again.read_bytes() == england_file.read_bytes()


def test_a_different_seed_gives_a_different_directory(tmp_path):
    first = generator.generate(tmp_path / "a", councils=["Trafford"], seed=1)
    second = generator.generate(tmp_path / "b", councils=["Trafford"], seed=2)
    assert first.read_bytes() != second.read_bytes()


def test_a_single_council_stays_inside_that_council(tmp_path):
    rows = read_rows(generator.generate(tmp_path, councils=["Trafford"]))
    trafford = next(c for c in generator.load_councils() if c.name == "Trafford")
    assert rows
    assert flagged(rows, "Care home?")
    assert {r["Location Local Authority"] for r in rows} == {"Trafford"}
    assert {r["Location Region"] for r in rows} == {"North West"}
    for row in rows:
        postcode = row["Location Postal Code"]
        assert postcode.split(" ")[0] in trafford.outcodes
        assert postcode.startswith(("M", "WA"))


def test_explicit_totals_are_the_areas_own(tmp_path):
    rows = read_rows(
        generator.generate(tmp_path, councils=["Trafford"], care_homes=10, home_care_services=7)
    )
    assert len(flagged(rows, "Care home?")) == 10
    assert len(flagged(rows, "Service type - Domiciliary care service")) == 7


def test_an_unknown_council_is_refused(tmp_path):
    with pytest.raises(ValueError, match="Narnia"):
        generator.generate(tmp_path, councils=["Narnia"])


def test_missing_real_data_names_the_file_and_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMEWARD_REAL_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="outcode_centroids.csv.*HOMEWARD_REAL_DATA"):
        generator.generate(tmp_path / "out")
