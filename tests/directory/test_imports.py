"""Integration tests (parser + database) for `homeward.directory.imports` and the
`import_cqc` command: create, update in place, leave unchanged, deactivate, reject; the
reconciliation read = created + updated + unchanged + rejected; one transaction; the audit row.

Most cases use the real Trafford council extract (skipped with a reason when absent);
variants of it are written to tmp_path."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homeward.core.access import SYSTEM
from homeward.core.models import AuditEvent, Organisation, OrganisationKind
from homeward.directory import imports
from homeward.directory.cqc import parse
from homeward.directory.imports import ImportReport, import_parsed
from homeward.directory.models import Location, ServiceOffer
from tests.conftest import TEST_DATA, make_location, make_offer, real_file

pytestmark = pytest.mark.django_db

TRAFFORD = "cqc/trafford_care_homes_2026-02.csv"
TRAFFORD_CODE = "E08000009"
ALLINGHAM = "1-1938268568"  # nursing home, row 3
ANN_CHALLIS = "1-127443456"  # residential home, row 5
MIXED = "Residential homes|Homecare agencies|Supported living"


def run(path: Path) -> ImportReport:
    report = import_parsed(actor=SYSTEM, parsed=parse(path), filename=path.name)
    assert_reconciles(report)
    return report


def assert_reconciles(report: ImportReport) -> None:
    assert report.read == report.created + report.updated + report.unchanged + report.rejected


def counts(report: ImportReport) -> tuple[int, int, int, int, int, int]:
    r = report
    return (r.read, r.created, r.updated, r.unchanged, r.deactivated, r.rejected)


@pytest.fixture
def trafford() -> Path:
    return real_file(TRAFFORD)


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_variant(source: Path, target: Path, change) -> Path:
    """A copy of a CSV extract with `change(rows)` applied to its list of row dicts."""
    header, rows = read_rows(source)
    rows = change(rows)
    with target.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return target


def without(cqc_id: str):
    return lambda rows: [r for r in rows if r["cqc_id"] != cqc_id]


def edited(cqc_id: str, **values):
    def change(rows):
        for r in rows:
            if r["cqc_id"] == cqc_id:
                r.update(values)
        return rows

    return change


def snapshot() -> dict[str, tuple]:
    return {
        loc.cqc_id: (loc.updated_at, loc.active, loc.source_hash) for loc in Location.objects.all()
    }


def import_audits():
    return AuditEvent.objects.filter(action="directory.import")


# ---------------------------------------------------------------- Trafford extract


def test_first_import_creates_every_trafford_home(trafford):
    report = run(trafford)
    assert report.layout == "extract"
    assert counts(report) == (56, 56, 0, 0, 0, 0)
    assert len(report.warnings) == 56
    assert all("E08000009" in w.reason for w in report.warnings)

    locations = Location.objects.all()
    assert locations.count() == 56
    assert set(locations.values_list("council__code", flat=True)) == {TRAFFORD_CODE}
    assert locations.filter(active=True, care_home=True, source="extract").count() == 56
    allingham = Location.objects.get(cqc_id=ALLINGHAM)
    assert allingham.name == "Allingham House Care Centre"
    assert allingham.postcode == "WA15 6SQ"
    assert allingham.provider.kind == OrganisationKind.PROVIDER
    assert allingham.provider.name == "Maria Mallaband 16 Limited"
    assert allingham.service_types == ["Care home service with nursing"]


def test_first_import_creates_the_offers_registration_implies(trafford):
    run(trafford)
    _, rows = read_rows(trafford)
    offers = set(ServiceOffer.objects.values_list("location__cqc_id", "care_type_id"))
    for row in rows:
        kinds = set(row["type"].split("|"))
        has = {code for cqc_id, code in offers if cqc_id == row["cqc_id"]}
        assert ("nursing" in has) == ("Nursing homes" in kinds), row["name"]
        assert ("residential" in has) == ("Residential homes" in kinds), row["name"]
        assert has & {"residential", "nursing"}, f"{row['name']} is a care home without an offer"
    per_type = {
        code: ServiceOffer.objects.filter(care_type_id=code).count()
        for code in ("nursing", "residential", "home-care", "supported-living")
    }
    nursing = sum("Nursing homes" in r["type"] for r in rows)
    residential = sum("Residential homes" in r["type"] for r in rows)
    assert per_type == {
        "nursing": nursing,
        "residential": residential,
        "home-care": 1,
        "supported-living": 1,
    }
    # A home-care offer covers the location's council area.
    home_care = ServiceOffer.objects.get(care_type_id="home-care")
    assert home_care.area == "Trafford"
    assert home_care.location.cqc_id == next(r["cqc_id"] for r in rows if r["type"] == MIXED)


def test_reimport_of_the_same_file_writes_nothing(trafford):
    run(trafford)
    before = snapshot()
    offers = ServiceOffer.objects.count()
    organisations = Organisation.objects.count()

    with CaptureQueriesContext(connection) as queries:
        report = run(trafford)

    assert counts(report) == (56, 0, 0, 56, 0, 0)
    assert snapshot() == before  # updated_at unchanged for every location
    assert ServiceOffer.objects.count() == offers
    assert Organisation.objects.count() == organisations
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert all("core_auditevent" in sql for sql in writes), writes
    assert import_audits().count() == 2


def test_one_changed_row_is_one_update(trafford, tmp_path):
    run(trafford)
    before = snapshot()
    changed = write_variant(
        trafford, tmp_path / "trafford.csv", edited(ALLINGHAM, telephone="01619290000")
    )

    report = run(changed)

    assert counts(report) == (56, 0, 1, 55, 0, 0)
    allingham = Location.objects.get(cqc_id=ALLINGHAM)
    assert allingham.telephone == "01619290000"
    after = snapshot()
    assert after[ALLINGHAM][2] != before[ALLINGHAM][2]  # new source hash
    assert {k: v for k, v in after.items() if k != ALLINGHAM} == {
        k: v for k, v in before.items() if k != ALLINGHAM
    }


def test_updated_and_deactivated_locations_get_a_new_updated_at(trafford, tmp_path):
    run(trafford)
    before = snapshot()

    def change(rows):
        return without(ANN_CHALLIS)(edited(ALLINGHAM, telephone="01619290000")(rows))

    run(write_variant(trafford, tmp_path / "trafford.csv", change))
    after = snapshot()
    assert after[ALLINGHAM][0] > before[ALLINGHAM][0]
    assert after[ANN_CHALLIS][0] > before[ANN_CHALLIS][0]


def test_offers_added_by_providers_survive_updates(trafford, tmp_path):
    run(trafford)
    allingham = Location.objects.get(cqc_id=ALLINGHAM)
    make_offer(allingham, "respite", beds=1)
    changed = write_variant(trafford, tmp_path / "t.csv", edited(ALLINGHAM, name="Allingham House"))
    run(changed)
    assert set(allingham.offers.values_list("care_type_id", flat=True)) == {"nursing", "respite"}


def test_removed_row_deactivates_that_home_only(trafford, tmp_path, other_council):
    run(trafford)
    trafford_council = Location.objects.get(cqc_id=ALLINGHAM).council
    agency_provider = Organisation.objects.create(
        kind=OrganisationKind.PROVIDER, code="1-200000002", name="Helping Hands Ltd"
    )
    agency = make_location(
        agency_provider, trafford_council, name="Helping Hands Sale", care_home=False, beds=None
    )
    elsewhere = make_location(agency_provider, other_council, name="Manchester Home")
    offers_before = set(
        ServiceOffer.objects.filter(location__cqc_id=ANN_CHALLIS).values_list("pk", flat=True)
    )
    assert offers_before

    report = run(write_variant(trafford, tmp_path / "trafford.csv", without(ANN_CHALLIS)))

    assert counts(report) == (55, 0, 0, 55, 1, 0)
    gone = Location.objects.get(cqc_id=ANN_CHALLIS)  # still in the database
    assert gone.active is False
    assert gone.deactivated_at is not None
    assert set(gone.offers.values_list("pk", flat=True)) == offers_before
    assert Location.objects.filter(active=True).count() == 55 + 2
    # A care-home-only file says nothing about the council's home-care agencies,
    # nor about other councils.
    agency.refresh_from_db()
    elsewhere.refresh_from_db()
    assert agency.active is True and agency.deactivated_at is None
    assert elsewhere.active is True


def test_location_that_comes_back_is_reactivated(trafford, tmp_path):
    run(trafford)
    run(write_variant(trafford, tmp_path / "without.csv", without(ANN_CHALLIS)))
    assert not Location.objects.get(cqc_id=ANN_CHALLIS).active

    report = run(trafford)

    back = Location.objects.get(cqc_id=ANN_CHALLIS)
    assert back.active is True and back.deactivated_at is None
    assert counts(report) == (56, 0, 1, 55, 0, 0)


def test_rejected_row_does_not_deactivate_its_location(trafford, tmp_path):
    run(trafford)
    broken = write_variant(trafford, tmp_path / "broken.csv", edited(ALLINGHAM, postcode="WA15"))

    report = run(broken)

    assert report.rejected == 1 and report.rejections[0].line == 3
    assert Location.objects.get(cqc_id=ALLINGHAM).active is True
    assert report.deactivated == 0


def test_rejected_rows_are_reported_and_reconciled(trafford, tmp_path):
    def change(rows):
        rows[0]["cqc_id"] = "1-46"  # line 2
        rows[2]["postcode"] = "NOT A PC"  # line 4
        rows[3]["lat"] = "35.1"  # line 5
        rows.append(dict(rows[5]))  # duplicate location ID, line 58
        return rows

    report = run(write_variant(trafford, tmp_path / "trafford.csv", change))

    assert counts(report)[:4] == (57, 53, 0, 0)
    assert report.rejected == 4
    assert sorted(r.line for r in report.rejections) == [2, 4, 5, 58]
    reasons = " | ".join(r.reason for r in report.rejections)
    assert "'1-46'" in reasons and "'NOT A PC'" in reasons and "latitude 35.1" in reasons
    assert "appears twice" in reasons
    assert Location.objects.count() == 53


def test_failure_midway_leaves_the_database_unchanged(trafford, tmp_path, monkeypatch):
    run(trafford)
    before = snapshot()
    locations, organisations = Location.objects.count(), Organisation.objects.count()
    audits = import_audits().count()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_ensure_offers", explode)
    new_home = {
        "name": "New Meadows",
        "cqc_id": "1-999999901",
        "type": "Nursing homes",
        "provider": "Brand New Care Ltd",
    }

    def change(rows):
        rows = edited(ALLINGHAM, telephone="01610000000")(rows)
        return [*rows, {**rows[0], **new_home}]

    with pytest.raises(RuntimeError, match="disk full"):
        run(write_variant(trafford, tmp_path / "t.csv", change))

    assert Location.objects.count() == locations
    assert Organisation.objects.count() == organisations
    assert snapshot() == before
    assert Location.objects.get(cqc_id=ALLINGHAM).telephone != "01610000000"
    assert import_audits().count() == audits


def test_failure_on_first_import_leaves_nothing(trafford, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(imports, "_ensure_offers", explode)
    with pytest.raises(RuntimeError):
        import_parsed(actor=SYSTEM, parsed=parse(trafford), filename=trafford.name)
    assert Location.objects.count() == 0
    assert not Organisation.objects.filter(kind=OrganisationKind.PROVIDER).exists()
    assert not import_audits().exists()


def test_import_writes_an_audit_row_with_the_counts(trafford):
    run(trafford)
    (event,) = import_audits()
    assert event.object_type == "file"
    assert event.object_id == trafford.name
    assert event.role == "system" and event.user is None
    assert event.detail == {
        "layout": "extract",
        "read": 56,
        "created": 56,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
        "rejected": 0,
    }


def test_providers_known_only_by_name_are_not_merged(tmp_path):
    header = ["name", "cqc_id", "type", "postcode", "provider", "area_name", "area_code"]
    rows = [
        ["St Joseph's House", "1-300000011", "Residential homes", "M33 7XX"],
        ["Annunciation House", "1-300000012", "Nursing homes", "M41 5BU"],
    ]
    providers = [
        "Sisters Of St Joseph Of The Apparition CIO",
        "Sisters Of St Joseph Of The Annunciation CIO",
    ]
    path = tmp_path / "extract.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row, name in zip(rows, providers, strict=True):
            writer.writerow([*row, name, "Trafford", TRAFFORD_CODE])
    assert counts(run(path)) == (2, 2, 0, 0, 0, 0)
    names = {loc.provider.name for loc in Location.objects.select_related("provider")}
    assert names == set(providers)


# ---------------------------------------------------------------- other layouts


def test_weekly_directory_import_with_dementia_offers():
    report = run(TEST_DATA / "cqc_weekly_small.csv")
    assert counts(report) == (3, 2, 0, 0, 0, 1)
    home = Location.objects.get(cqc_id="1-8503184790")
    assert home.provider.code == "1-8503184701"
    assert home.council.code == TRAFFORD_CODE
    assert set(home.offers.values_list("care_type_id", flat=True)) == {
        "nursing-dementia",
        "residential-dementia",
    }
    agency = Location.objects.get(cqc_id="1-2000000001")
    (offer,) = agency.offers.all()
    assert offer.care_type_id == "home-care" and offer.area == "Trafford"


def test_api_json_import_of_a_deregistered_agency(provider):
    path = real_file("cqc/location_1-134558905.json")
    bcp = Organisation.objects.get(kind=OrganisationKind.COUNCIL, code="E06000058")
    neighbour = make_location(provider, bcp, name="Bournemouth Home")

    report = run(path)

    assert counts(report) == (1, 1, 0, 0, 0, 0)
    location = Location.objects.get(cqc_id="1-134558905")
    assert location.active is False
    assert location.deactivated_at is not None
    assert location.care_home is False
    assert location.council == bcp
    assert location.provider.code == "1-102643096"
    assert location.service_types == ["Domiciliary care service"]
    # One location's JSON says nothing about the others in its council.
    neighbour.refresh_from_db()
    assert neighbour.active is True
    # And importing it again changes nothing.
    first = location.deactivated_at
    assert counts(run(path)) == (1, 0, 0, 1, 0, 0)
    location.refresh_from_db()
    assert location.deactivated_at == first


def test_ratings_import_updates_provider_ratings(provider, other_provider):
    path = TEST_DATA / "cqc_ratings_small.csv"
    report = run(path)
    assert report.layout == "ratings"
    # Two known providers rated for the first time; one row malformed and one provider
    # unknown to the directory are rejected (a ratings file never creates organisations).
    assert counts(report) == (4, 2, 0, 0, 0, 2)
    provider.refresh_from_db()
    other_provider.refresh_from_db()
    assert (provider.cqc_rating, str(provider.cqc_rating_date)) == ("Good", "2020-02-01")
    assert other_provider.cqc_rating == "Requires improvement"
    assert str(other_provider.cqc_rating_date) == "2021-06-01"
    assert Location.objects.count() == 0  # ratings only
    assert counts(run(path)) == (4, 0, 0, 2, 0, 2)


def test_ratings_import_of_the_real_file(provider):
    path = real_file("cqc/Latest_ratings_2_2021_Prov.csv")
    known = Organisation.objects.create(
        kind=OrganisationKind.PROVIDER, code="1-102643363", name="St Andrew's Healthcare"
    )
    report = run(path)
    assert report.read == 231 and report.created == 1 and report.rejected == 230
    assert all("not a care provider in the directory" in r.reason for r in report.rejections)
    known.refresh_from_db()
    assert known.cqc_rating == "Requires improvement"
    assert str(known.cqc_rating_date) == "2015-02-10"
    assert counts(run(path))[3] == 1  # unchanged the second time


def test_ratings_import_creates_no_organisations(trust):
    real = real_file("cqc/Latest_ratings_2_2021_Prov.csv")
    organisations = Organisation.objects.count()
    run(real)
    assert Organisation.objects.count() == organisations
    assert not Organisation.objects.filter(kind=OrganisationKind.PROVIDER, code="R0A").exists()


# ---------------------------------------------------------------- the command


def test_import_cqc_command_prints_one_json_object(trafford):
    buf = io.StringIO()
    call_command("import_cqc", str(trafford), json=True, stdout=buf)
    output = buf.getvalue().strip()
    assert "\n" not in output
    result = json.loads(output)
    assert {
        "read",
        "created",
        "updated",
        "unchanged",
        "deactivated",
        "rejected",
        "rejections",
    } <= set(result)
    assert result["read"] == 56 and result["created"] == 56
    assert result["updated"] == result["unchanged"] == result["deactivated"] == 0
    assert result["rejected"] == 0 and result["rejections"] == []
    assert result["read"] == (
        result["created"] + result["updated"] + result["unchanged"] + result["rejected"]
    )


def test_import_cqc_command_lists_rejections(trafford, tmp_path):
    path = write_variant(trafford, tmp_path / "t.csv", edited(ALLINGHAM, postcode="WA15"))
    buf = io.StringIO()
    call_command("import_cqc", str(path), json=True, stdout=buf)
    result = json.loads(buf.getvalue())
    assert result["rejected"] == 1
    assert result["rejections"] == [
        {"line": 3, "reason": "postcode 'WA15' is not a valid UK postcode"}
    ]
    assert result["read"] == 56 and result["created"] == 55


def test_import_cqc_command_refuses_an_unreadable_file(tmp_path):
    path = tmp_path / "HSCA_Active_Locations.xlsx"
    path.write_bytes(b"definitely not a zip file")
    with pytest.raises(CommandError, match="not a readable spreadsheet"):
        call_command("import_cqc", str(path), json=True, stdout=io.StringIO())
    assert not import_audits().exists()
