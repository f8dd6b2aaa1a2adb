"""Integration: importing DTOC releases and population estimates into the database."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from homeward.core.access import SYSTEM
from homeward.core.models import AuditEvent
from homeward.measures.dtoc import parse_sheets
from homeward.performance.models import (
    DtocEnglandDetail,
    DtocFigure,
    DtocRelease,
    PopulationEstimate,
)
from homeward.performance.services import import_dtoc_workbook, import_population
from tests.conftest import real_file
from tests.measures.dtoc_books import Area, area, dtoc_sheets, write_xlsx

pytestmark = pytest.mark.django_db

TRAFFORD = area("E08000009", "312", "Trafford", 310)
SALFORD = area("E08000006", "309", "Salford", 93)


def release(*areas, **options):
    return parse_sheets("Dec_19.xlsx", dtoc_sheets(areas or [TRAFFORD, SALFORD], **options))


def test_a_release_is_stored_with_every_area_england_and_the_england_sheet():
    report = import_dtoc_workbook(actor=SYSTEM, workbook=release())

    assert report.outcome == "stored" and report.reconciles
    assert report.rows_read == report.rows_stored == 3 * 3 + 2 + 22
    assert report.england_check["total"] == {"stated": 403, "computed": 403, "difference": 0}
    assert report.england_sheet_check["A"]["difference"] == 0
    stored = DtocRelease.objects.get()
    assert stored.current and stored.fields[-1] == "O"
    trafford = DtocFigure.objects.get(area_code="E08000009")
    assert (trafford.total, trafford.acute, trafford.reason_a, trafford.reason_o) == (
        310,
        232,
        155,
        0,
    )
    assert DtocFigure.objects.get(area_code="E92000001").total == 403
    assert DtocEnglandDetail.objects.filter(release=stored).count() == 2 * 3 + 2 * 11 * 3
    assert AuditEvent.objects.filter(action="performance.dtoc_imported").count() == 1


def test_importing_the_same_release_again_changes_nothing():
    import_dtoc_workbook(actor=SYSTEM, workbook=release())
    again = import_dtoc_workbook(actor=SYSTEM, workbook=release())

    assert again.outcome == "unchanged" and again.rows_unchanged == again.rows_read
    assert again.rows_stored == 0 and again.reconciles
    assert DtocRelease.objects.count() == 1 and DtocFigure.objects.count() == 3


def test_a_later_revision_supersedes_and_an_older_one_is_kept_as_history():
    original = release()
    revised_trafford = Area("E08000009", "312", "Trafford", {("acute", "A", "nhs"): 400})
    revision = release(revised_trafford, SALFORD, revised="14th June 2020")

    import_dtoc_workbook(actor=SYSTEM, workbook=original)
    report = import_dtoc_workbook(actor=SYSTEM, workbook=revision)

    assert report.outcome == "stored"
    assert report.superseded == {"source": "Dec_19.xlsx", "as_of": "2020-02-13", "areas": 3}
    current = DtocRelease.objects.get(current=True)
    assert current.revised.isoformat() == "2020-06-14"
    old = DtocRelease.objects.get(current=False)
    assert old.superseded_by == current
    live = DtocFigure.objects.get(area_code="E08000009", release__current=True)
    assert live.total == 400

    # The original arriving again later changes nothing; so does the revision.
    assert import_dtoc_workbook(actor=SYSTEM, workbook=original).outcome == "unchanged"
    assert import_dtoc_workbook(actor=SYSTEM, workbook=revision).outcome == "unchanged"


def test_an_older_release_imported_after_a_newer_one_is_kept_but_not_current():
    newer = release(revised="14th June 2020")
    older = release(SALFORD)

    import_dtoc_workbook(actor=SYSTEM, workbook=newer)
    report = import_dtoc_workbook(actor=SYSTEM, workbook=older)

    assert report.outcome == "kept_as_superseded"
    kept = DtocRelease.objects.get(current=False)
    assert kept.superseded_by == DtocRelease.objects.get(current=True)
    assert DtocFigure.objects.filter(release__current=True, area_code="E08000009").exists()


def test_different_figures_with_the_same_release_date_are_refused():
    import_dtoc_workbook(actor=SYSTEM, workbook=release())
    report = import_dtoc_workbook(actor=SYSTEM, workbook=release(SALFORD))

    assert report.outcome == "refused" and report.rows_stored == 0
    assert report.rows_rejected == report.rows_read
    assert "already holds different figures for December 2019" in report.rejections[-1]["reason"]
    assert DtocRelease.objects.count() == 1


def test_rejected_rows_are_reported_and_the_england_check_shows_the_gap():
    bad = Area("E0800009", "312", "Trafford", {("acute", "A", "nhs"): 5})
    report = import_dtoc_workbook(actor=SYSTEM, workbook=release(bad, SALFORD))

    assert report.rows_rejected == 3
    assert report.rows_read == report.rows_stored + report.rows_rejected
    assert report.england_check["total"]["difference"] == -5
    assert not report.reconciles


def test_the_command_imports_files_prints_progress_and_json(tmp_path, capsys):
    path = write_xlsx(tmp_path / "Dec_19.xlsx", dtoc_sheets([TRAFFORD, SALFORD]))
    junk = tmp_path / "junk.xls"
    junk.write_text("no")

    with pytest.raises(CommandError, match="1 of 2 files could not be read"):
        call_command("import_dtoc", str(path), str(junk), "--json")

    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["files"][0]["outcome"] == "stored" and result["files"][0]["reconciles"]
    assert result["unreadable"][0]["source"] == "junk.xls"
    assert "[1/2] Dec_19.xlsx: 2019-12 stored, 2 areas" in err
    assert "[2/2] junk.xls: unreadable" in err


def test_the_command_describes_the_reconciliation_in_words(tmp_path, capsys):
    path = write_xlsx(tmp_path / "Dec_19.xlsx", dtoc_sheets([TRAFFORD, SALFORD]))

    call_command("import_dtoc", str(path))
    call_command("import_dtoc", str(path))

    out = capsys.readouterr().out
    assert "Dec_19.xlsx (2019-12): stored; read 33, stored 33, unchanged 0, rejected 0" in out
    assert "England row 403 delayed days; the stored areas add up to 403" in out
    assert "Dec_19.xlsx (2019-12): unchanged; read 33, stored 0, unchanged 33" in out


def test_population_import_is_idempotent_and_updates_a_revised_estimate(tmp_path):
    def book(per_age):
        ages = [per_age] * 91
        return write_xlsx(
            tmp_path / "mye.xlsx",
            {
                "MYE2 - Persons": [
                    ["Population estimates, mid-2019"],
                    ["Code", "Name", "Geography1", "All ages", *range(90), "90+"],
                    ["E08000009", "Trafford", "Metropolitan District", sum(ages), *ages],
                    ["E08000006", "Salford", "Metropolitan District", 91, *([1] * 91)],
                ]
            },
        )

    first = import_population(actor=SYSTEM, path=book(10))
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = import_population(actor=SYSTEM, path=book(10))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    revised = import_population(actor=SYSTEM, path=book(11))
    assert (revised.created, revised.updated, revised.unchanged) == (0, 1, 1)
    assert PopulationEstimate.objects.get(area_code="E08000009").adults_18_plus == 73 * 11
    assert AuditEvent.objects.filter(action="performance.population_imported").count() == 2


def test_the_population_command_refuses_a_file_that_is_not_estimates(tmp_path):
    junk = tmp_path / "x.xlsx"
    write_xlsx(junk, {"Sheet": [["a"]]})

    with pytest.raises(CommandError, match="not an ONS mid-year estimates file"):
        call_command("import_population", str(junk))
    assert not PopulationEstimate.objects.exists()


def test_all_shared_workbooks_import_reconciled_and_a_second_run_changes_nothing(capsys):
    paths = [
        str(real_file(f"dtoc_la_type_b/{n}"))
        for n in ("April_11.xls", "July_15.xls", "April_17.xls", "Jan_18.xls", "Dec_19.xls")
    ]

    call_command("import_dtoc", *paths, "--json")
    first = json.loads(capsys.readouterr().out)["files"]
    call_command("import_dtoc", *paths, "--json")
    second = json.loads(capsys.readouterr().out)["files"]

    assert [r["outcome"] for r in first] == ["stored"] * 5
    assert all(r["reconciles"] and r["rejected"] == 0 for r in first)
    assert [r["outcome"] for r in second] == ["unchanged"] * 5
    assert DtocRelease.objects.filter(current=True).count() == 5
    assert DtocFigure.objects.filter(area_code="E92000001").count() == 5


def test_an_import_that_fails_midway_leaves_the_database_as_it_was(monkeypatch):
    import_dtoc_workbook(actor=SYSTEM, workbook=release())
    revision = release(revised="14th June 2020")

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(DtocEnglandDetail.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_dtoc_workbook(actor=SYSTEM, workbook=revision)

    current = DtocRelease.objects.get()
    assert current.current and current.revised is None
    assert DtocFigure.objects.count() == 3
