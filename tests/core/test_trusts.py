"""Unit and integration: NHS trusts from the ODS list, with readable names and their ICBs."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from homeward.core.access import SYSTEM
from homeward.core.models import AuditEvent, Organisation, OrganisationKind
from homeward.core.ods import REGIONS, parse_trusts, tidy_name
from homeward.core.trust_import import import_trusts
from tests.conftest import real_file

TODAY = dt.date(2026, 11, 28)
ROW = (
    "{code},{name},Y62,{icb},COBBETT HOUSE,OXFORD ROAD,,MANCHESTER,,M13 9WL,{opened},{closed},"
    ",,,,,,,,,0,,B\n"
)


def rows(*trusts: dict) -> str:
    defaults = {"icb": "QOP", "opened": "20171001", "closed": ""}
    return "".join(ROW.format(**{**defaults, **t}) for t in trusts)


@pytest.mark.parametrize(
    ("published", "written"),
    [
        (
            "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST",
            "Manchester University NHS Foundation Trust",
        ),
        ("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST", "Guy's and St Thomas' NHS Foundation Trust"),
        (
            "THE QUEEN ELIZABETH HOSPITAL, KING'S LYNN, NHS FOUNDATION TRUST",
            "The Queen Elizabeth Hospital, King's Lynn, NHS Foundation Trust",
        ),
        (
            "UNIVERSITY HOSPITALS OF NORTH MIDLANDS NHS TRUST",
            "University Hospitals of North Midlands NHS Trust",
        ),
        ("STOKE-ON-TRENT (CITY) NHS TRUST", "Stoke-on-Trent (City) NHS Trust"),
    ],
)
def test_names_are_written_as_people_write_them(published, written):
    assert tidy_name(published) == written


def test_bad_rows_are_rejected_with_their_line(tmp_path):
    path = tmp_path / "etr.csv"
    path.write_text(
        rows({"code": "R0A", "name": "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST"})
        + "R0B,TOO SHORT\n"
        + rows({"code": "R-0", "name": "BAD CODE"})
        + rows({"code": "R0D", "name": "BAD DATE", "opened": "2017-10-01"})
        + rows({"code": "R0E", "name": "BACKWARDS", "opened": "20200101", "closed": "20190101"})
        + rows({"code": "R0A", "name": "MANCHESTER AGAIN"})
    )
    parsed = parse_trusts(path)
    assert parsed.read == 6
    assert [t.code for t in parsed.trusts] == ["R0A"]
    assert [(r["line"], r["reason"]) for r in parsed.rejections] == [
        (2, "2 fields; an ODS trust record has at least 12"),
        (3, "'R-0' is not an ODS trust code (three letters or digits)"),
        (4, "open date '2017-10-01' is not a date in the form YYYYMMDD"),
        (5, "R0E closes (2019-01-01) before it opens (2020-01-01)"),
        (6, "R0A is listed again (first on line 1)"),
    ]


def test_a_file_that_is_not_a_trust_list_is_refused(tmp_path):
    path = tmp_path / "councils.csv"
    path.write_text("code,name\nE08000009,Trafford\n")
    with pytest.raises(ValueError, match="no row looks like an ODS trust record"):
        parse_trusts(path)


@pytest.mark.django_db
def test_import_names_placeholders_links_icbs_and_skips_closed_and_welsh_trusts(tmp_path):
    icb = Organisation.objects.create(kind=OrganisationKind.ICB, code="QOP", name="GM ICB")
    placeholder = Organisation.objects.create(
        kind=OrganisationKind.TRUST, code="R0A", name="NHS trust R0A"
    )
    path = tmp_path / "etr.csv"
    path.write_text(
        rows(
            {"code": "R0A", "name": "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST"},
            {"code": "RM3", "name": "NORTHERN CARE ALLIANCE NHS FOUNDATION TRUST"},
            {"code": "RXX", "name": "ELSEWHERE NHS TRUST", "icb": "QZZ"},
            {"code": "R0C", "name": "PROJECT NIGHTINGALE NHS TRUST", "closed": "20200326"},
        )
        + rows({"code": "RQF", "name": "VELINDRE NHS TRUST"}).replace(",Y62,", ",W00,")
    )
    first = import_trusts(actor=SYSTEM, path=path, today=TODAY)
    assert first.as_dict() == {
        "read": 5,
        "created": 2,
        "updated": 1,
        "unchanged": 0,
        "closed": 1,
        "outside_england": 1,
        "linked_to_icb": [{"trust": "R0A", "icb": "QOP"}, {"trust": "RM3", "icb": "QOP"}],
        "icb_differs": [],
        "rejected": 0,
        "rejections": [],
    }
    placeholder.refresh_from_db()
    assert placeholder.name == "Manchester University NHS Foundation Trust"
    assert placeholder.parent == icb and placeholder.region == "North West"
    assert Organisation.objects.get(code="RXX").parent is None  # its ICB is not in Homeward
    assert not Organisation.objects.filter(code__in=["R0C", "RQF"]).exists()
    again = import_trusts(actor=SYSTEM, path=path, today=TODAY)
    assert (again.created, again.updated, again.unchanged, again.closed) == (0, 0, 3, 1)
    assert again.linked_to_icb == []
    assert AuditEvent.objects.filter(action="organisation.trusts_imported").count() == 2


@pytest.mark.django_db
def test_an_existing_icb_link_is_reported_never_changed(tmp_path, capsys):
    """Which ICB a trust sits under decides who sees its patients: a file does not move it."""
    ours = Organisation.objects.create(kind=OrganisationKind.ICB, code="QOP", name="GM ICB")
    theirs = Organisation.objects.create(kind=OrganisationKind.ICB, code="QYG", name="C&M ICB")
    trust = Organisation.objects.create(
        kind=OrganisationKind.TRUST, code="R0A", name="Manchester", parent=theirs
    )
    path = tmp_path / "etr.csv"
    path.write_text(rows({"code": "R0A", "name": "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST"}))
    call_command("import_trusts", str(path))
    trust.refresh_from_db()
    assert trust.parent == theirs and ours.pk != theirs.pk
    assert trust.name == "Manchester University NHS Foundation Trust"
    out = capsys.readouterr().out
    assert "R0A is under ICB QYG in Homeward but QOP in this file: left as it is" in out
    event = AuditEvent.objects.get(action="organisation.trusts_imported")
    assert event.detail["icb_differs"] == [{"trust": "R0A", "homeward": "QYG", "ods": "QOP"}]


@pytest.mark.django_db
def test_command_reports_and_refuses_what_it_cannot_read(tmp_path, capsys):
    path = tmp_path / "etr.csv"
    path.write_text(rows({"code": "R0A", "name": "MANCHESTER UNIVERSITY NHS FOUNDATION TRUST"}))
    call_command("import_trusts", str(path), "--json")
    assert json.loads(capsys.readouterr().out)["created"] == 1
    with pytest.raises(CommandError, match="missing.csv"):
        call_command("import_trusts", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_the_published_trust_list_loads(capsys):
    path = real_file("ods/etr.csv")
    before = Organisation.objects.filter(kind=OrganisationKind.TRUST).count()
    report = import_trusts(actor=SYSTEM, path=path, today=TODAY)
    assert (report.read, report.rejections, report.outside_england) == (227, [], 3)
    assert report.closed == 4  # closed before November 2026, among them Project Nightingale
    trusts = Organisation.objects.filter(kind=OrganisationKind.TRUST)
    assert trusts.count() == before + report.created
    assert report.created + report.updated + report.unchanged == 220
    trust = trusts.get(code="R0A")
    assert (trust.name, trust.region) == (
        "Manchester University NHS Foundation Trust",
        "North West",
    )
    assert not trusts.filter(code__in=["R0C", "RQF"]).exists()
    assert set(trusts.values_list("region", flat=True)) <= set(REGIONS.values())
