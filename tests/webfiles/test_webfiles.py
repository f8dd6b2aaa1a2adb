"""Storing the published discharge webfiles (releases, supersession, reconciliation, audit),
the `homeward import drd_webfile / sitrep_webfile` and `homeward report drd` commands, and
Homeward's own daily return imported back to the same figures."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from homeward.cases import daily_return
from homeward.cli import translate
from homeward.core.access import SYSTEM, Actor
from homeward.core.models import AuditEvent, Role
from homeward.measures.drd import BAND_NAMES
from homeward.measures.sitrep_webfile import NO_REASON, TABLE2, reasons
from homeward.measures.workbook import UnreadableFile
from homeward.webfiles.models import DrdFigure, SitrepFigure, WebfileRelease
from homeward.webfiles.services import import_drd_webfile
from tests.cases.test_daily_return import at, make_case
from tests.conftest import TEST_DATA
from tests.measures.webfile_books import drd_header, drd_rows, providers, sitrep_sheets, write_xlsx

pytestmark = pytest.mark.django_db

HEADER_LINE = 5
AVERAGE = drd_header().index("Average Delay (excluding 0 day delays) ")


def drd_file(tmp_path, name="drd.xlsx", **kwargs):
    made = kwargs.pop("made", None) or providers()
    rows = drd_rows(made, **kwargs)
    return write_xlsx(tmp_path / name, {"Provider": rows}), rows


def run(command: str, *args: str) -> dict:
    out = io.StringIO()
    call_command(command, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_import_group_reaches_both_commands():
    assert translate(["import", "drd_webfile", "a.xlsx"]) == ["import_drd_webfile", "a.xlsx"]
    assert translate(["import", "sitrep_webfile", "b.csv"]) == ["import_sitrep_webfile", "b.csv"]
    assert translate(["report", "drd", "--month", "2024-04"])[0] == "report_drd"


def test_a_drd_webfile_is_stored_with_its_reconciliation_and_an_audit_row(tmp_path, capsys):
    path, rows = drd_file(tmp_path)
    report = run("import_drd_webfile", str(path))["files"][0]

    assert (report["read"], report["stored"], report["rejected"]) == (len(rows) - 5, 6, 0)
    assert report["outcome"] == "stored" and report["reconciles"] is True
    assert all(c["agrees"] for c in report["national_check"].values())
    release = WebfileRelease.objects.get()
    assert (release.kind, release.period, release.current) == ("drd", date(2024, 4, 1), True)
    assert release.details == {"sheet": "Provider", "scale": "percent", "band_base": "discharges"}
    made = {p.code: p.measures for p in providers()}
    for figure in DrdFigure.objects.filter(level="provider"):
        m = made[figure.code]
        assert figure.discharges == m.discharges and figure.delayed_bed_days == m.delayed_bed_days
        assert {b: figure.bands[b]["people"] for b in BAND_NAMES} == {
            b: m.delay_bands[b].people for b in BAND_NAMES
        }
    england = DrdFigure.objects.get(level="national")
    assert england.discharges == sum(m.discharges for m in made.values())
    event = AuditEvent.objects.get(action="webfiles.drd_imported")
    assert event.detail["outcome"] == "stored" and event.detail["rows"] == 6
    assert "drd.xlsx: 2024-04 stored, 6 organisations" in capsys.readouterr().err


def test_re_importing_or_a_re_saved_copy_changes_nothing(tmp_path):
    path, rows = drd_file(tmp_path)
    copy = write_xlsx(tmp_path / "copy.xlsx", {"Cover": [["About"]], "Provider": rows})
    run("import_drd_webfile", str(path))

    reports = run("import_drd_webfile", str(path), str(copy))["files"]

    assert [r["outcome"] for r in reports] == ["unchanged", "unchanged"]
    assert all(r["unchanged"] == r["read"] and r["stored"] == 0 for r in reports)
    assert WebfileRelease.objects.count() == 1 and DrdFigure.objects.count() == 6


def _revised(rows, when: date):
    revised = [list(r) for r in rows]
    revised.insert(3, ["Revised:", when])
    revised[-1][AVERAGE] += 1  # a figure changes in the revision
    return revised


def test_a_later_revision_supersedes_and_an_older_one_arriving_late_is_kept(tmp_path):
    first, rows = drd_file(tmp_path)
    later = write_xlsx(tmp_path / "revised.xlsx", {"Provider": _revised(rows, date(2024, 7, 1))})

    run("import_drd_webfile", str(first))
    report = run("import_drd_webfile", str(later))["files"][0]

    assert report["outcome"] == "stored"
    assert report["superseded"] == {"source": "drd.xlsx", "as_of": "2024-06-13"}
    old, new = WebfileRelease.objects.order_by("imported_at", "pk")
    assert (old.current, old.superseded_by_id, new.current) == (False, new.pk, True)

    WebfileRelease.objects.all().delete()
    run("import_drd_webfile", str(later))
    late = run("import_drd_webfile", str(first))["files"][0]
    assert late["outcome"] == "kept_as_superseded"
    assert WebfileRelease.objects.get(current=True).source == "revised.xlsx"


def test_different_figures_with_the_same_date_are_refused_until_dated(tmp_path):
    path, rows = drd_file(tmp_path, month="May 2024")
    undated = [r for r in rows if r and r[0] != "Published:"]
    a = write_xlsx(tmp_path / "a.xlsx", {"Provider": undated})
    changed = [list(r) for r in undated]
    changed[-1][AVERAGE] += 1
    b = write_xlsx(tmp_path / "b.xlsx", {"Provider": changed})
    run("import_drd_webfile", str(a))

    refused = run("import_drd_webfile", str(b))["files"][0]
    assert refused["outcome"] == "refused" and refused["rejected"] == refused["read"]
    assert "give this file's date with --published" in refused["rejections"][-1]["reason"]
    assert WebfileRelease.objects.count() == 1

    dated = run("import_drd_webfile", str(b), "--published", "2024-07-11")["files"][0]
    assert dated["outcome"] == "stored"
    assert WebfileRelease.objects.get(current=True).published == date(2024, 7, 11)


def test_a_file_missing_columns_is_refused_naming_them_and_stores_nothing(tmp_path):
    rows = drd_rows(providers())
    rows[HEADER_LINE - 1][rows[HEADER_LINE - 1].index("% Delayed")] = "Comment"
    bad = write_xlsx(tmp_path / "bad.xlsx", {"Provider": rows})
    good, _ = drd_file(tmp_path)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 of 2 files could not be read"):
        call_command("import_drd_webfile", str(bad), str(good), stdout=out)

    assert "no column for % delayed" in out.getvalue()
    assert WebfileRelease.objects.get().source == "drd.xlsx"


def test_a_rejected_row_is_reported_and_the_rest_stored(tmp_path):
    rows = drd_rows(providers())
    rows[HEADER_LINE + 2][2] = ""
    path = write_xlsx(tmp_path / "drd.xlsx", {"Provider": rows})
    out = io.StringIO()

    call_command("import_drd_webfile", str(path), stdout=out)

    text = out.getvalue()
    assert "read 6, stored 5, unchanged 0, rejected 1" in text
    assert f"rejected Provider line {HEADER_LINE + 3}: no organisation code" in text
    assert "reconciles: no" in text
    assert DrdFigure.objects.count() == 5


def test_the_month_option_dates_a_file_that_does_not_say(tmp_path):
    path, _ = drd_file(tmp_path, month=None)
    with pytest.raises(UnreadableFile, match="--month"):
        import_drd_webfile(actor=SYSTEM, path=path)
    report = run("import_drd_webfile", str(path), "--month", "2023-11")["files"][0]
    assert report["period"] == "2023-11"
    with pytest.raises(CommandError, match="not a month"):
        call_command("import_drd_webfile", str(path), "--month", "Nov 2023")


def test_a_sitrep_webfile_is_stored_table_by_table(tmp_path):
    sheets, figures = sitrep_sheets()
    path = write_xlsx(tmp_path / "sitrep.xlsx", sheets)

    report = run("import_sitrep_webfile", str(path))["files"][0]

    assert report["outcome"] == "stored" and report["reconciles"] is True
    assert report["checks"] == {"compared": len(figures["table3"]), "differ": 0}
    stored = {
        (f.day, f.code): {k: getattr(f, k) for k in TABLE2}
        for f in SitrepFigure.objects.filter(table=2, level="provider")
    }
    assert stored == figures["table2"]
    for f in SitrepFigure.objects.filter(table=3):
        counts = figures["table3"][(f.day, f.code)]
        assert [*f.reasons.values(), f.no_reason_recorded] == counts
    assert run("import_sitrep_webfile", str(path))["files"][0]["outcome"] == "unchanged"


@pytest.fixture
def actor(coordinator, trust):
    return Actor(user=coordinator, organisation=trust, role=Role.DISCHARGE_COORDINATOR)


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_homewards_own_daily_return_imports_back_to_the_same_figures(tmp_path, actor, trust, form):
    from homeward.cases.models import ReferenceCode

    r = {c.code: c for c in ReferenceCode.objects.filter(list="delay_reason")}
    make_case(actor, trust, ready=at(10, 9), delays=[(r["R06"], at(10, 10), True, None)])
    make_case(actor, trust, ready=at(11, 8), discharged=at(12, 16, 30))
    make_case(actor, trust, ready=at(11, 8), discharged=at(12, 18))
    make_case(actor, trust, ready=at(12, 7), delays=[(r["R15"], at(12, 9), True, None)])
    make_case(actor, trust, ready=at(9, 7))
    returns = daily_return.compute_range(trust, date(2026, 10, 10), date(2026, 10, 13))
    assert sum(x.not_meeting_criteria for x in returns) > 0
    path = tmp_path / f"return.{form}"
    if form == "csv":
        path.write_text(daily_return.to_csv(returns), encoding="utf-8-sig")
    else:
        path.write_bytes(daily_return.to_xlsx(returns))

    report = run("import_sitrep_webfile", str(path))["files"][0]

    assert report["rejected"] == 0 and report["reconciles"] is True
    assert report["checks"] == {"compared": len(returns), "differ": 0}
    for ret in returns:
        t2 = SitrepFigure.objects.get(table=2, day=ret.day, code=trust.code)
        t3 = SitrepFigure.objects.get(table=3, day=ret.day, code=trust.code)
        assert (
            t2.not_meeting_criteria,
            t2.discharged_by_1700,
            t2.discharged_1701_2359,
            t2.remaining,
        ) == (
            ret.not_meeting_criteria,
            ret.discharged_by_1700,
            ret.discharged_1701_2359,
            ret.remaining,
        )
        assert {**t3.reasons, NO_REASON: t3.no_reason_recorded} == {
            **ret.reason_counts,
            NO_REASON: ret.no_reason_recorded,
        }


def test_report_drd_puts_homewards_own_measures_beside_the_published_ones(tmp_path):
    call_command("import_spells", str(TEST_DATA / "spells_small.csv"), stdout=io.StringIO())
    made = providers(count=3)
    made[0].code = "RBV"
    path, _ = drd_file(tmp_path, made=made, month="May 2024")
    run("import_drd_webfile", str(path))

    result = run("report_drd", "--month", "2024-05", "--org", "RBV")
    own = run("measures_drd", "--from", "2024-05-01", "--to", "2024-05-31")

    (entry,) = result["organisations"]
    assert entry["published"]["discharges"] == made[0].measures.discharges
    homeward = entry["homeward"]
    assert {k: v for k, v in homeward.items() if k != "delay_bands"} == {
        k: v for k, v in own.items() if k != "delay_bands"
    }
    for band in BAND_NAMES:
        assert homeward["delay_bands"][band]["people"] == own["delay_bands"][band]["people"]
    assert entry["difference"]["discharges"] == own["discharges"] - made[0].measures.discharges
    assert result["band_pct_of"] == {"published": "discharges", "homeward": "discharges"}

    every = run("report_drd", "--month", "2024-05")["organisations"]
    assert [e["homeward"] is None for e in every] == [e["code"] != "RBV" for e in every]


def test_report_drd_says_what_is_missing():
    with pytest.raises(CommandError, match="no Discharge Ready Date webfile imported for 2024-05"):
        call_command("report_drd", "--month", "2024-05")
    with pytest.raises(CommandError, match="not a month"):
        call_command("report_drd", "--month", "May")


def test_report_drd_refuses_an_unknown_org(tmp_path):
    path, _ = drd_file(tmp_path)
    run("import_drd_webfile", str(path))
    with pytest.raises(CommandError, match="no row with that code"):
        call_command("report_drd", "--month", "2024-04", "--org", "ZZZ")
    out = io.StringIO()
    call_command("report_drd", "--month", "2024-04", "--org", "RA0", stdout=out)
    assert "published    Homeward" in out.getvalue()


def test_the_sitrep_import_reads_out_its_checks_and_refusals(tmp_path, capsys):
    sheets, figures = sitrep_sheets(days=2)
    sheets["Table 2"][3][-1] += 1
    good = write_xlsx(tmp_path / "sitrep.xlsx", sheets)
    other = write_xlsx(tmp_path / "other.xlsx", {"Sheet1": [["Org Code", "Beds"], ["R0A", 3]]})
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 of 2 files could not be read"):
        call_command("import_sitrep_webfile", str(good), str(other), stdout=out)

    text = out.getvalue()
    assert f"Table 3 against Table 2: {len(figures['table3'])} rows compared, 1 differ" in text
    assert "table2.remaining: England row" in text and "reconciles: no" in text
    assert "not an acute discharge situation report; nothing was imported" in text
    assert "other.xlsx: refused" in capsys.readouterr().err
    event = AuditEvent.objects.get(action="webfiles.sitrep_imported")
    assert event.detail["rows"] == len(figures["table2"]) + len(figures["table3"]) + 2


def test_json_lists_unreadable_files_with_their_reason(tmp_path):
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_text("not a workbook")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_drd_webfile", str(garbage), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["files"] == []
    (failure,) = report["unreadable"]
    assert failure["source"] == "garbage.xlsx"
    assert failure["error"].startswith("garbage.xlsx is not an xls, xlsx or ods workbook")
    assert failure["error"].endswith("; nothing was imported")
    assert not WebfileRelease.objects.exists()


def test_the_reasons_cases_record_are_the_reasons_the_national_files_publish():
    """The delay reasons are held twice: as reference codes people choose from (seeded by a
    migration) and as the sitrep parser's published list. They must not drift apart."""
    from homeward.cases.models import ReferenceCode

    recorded = ReferenceCode.objects.filter(list="delay_reason").order_by("sort_order")
    assert [(c.code, c.label, c.valid_from, c.valid_to) for c in recorded] == [
        (r.code, r.label, r.valid_from, r.valid_to) for r in reasons()
    ]
