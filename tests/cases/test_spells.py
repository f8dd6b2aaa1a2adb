"""Integration tests (parser + database) for the spell import (`homeward.cases.spells`, command
`import_spells`) and for `measures_drd --json` end-to-end on imported spells.

Fixtures: tests/data/spells_small.csv (ten good spells, measures hand-computed below) and
tests/data/spells_bad.csv (one rejection per line); variants are written to tmp_path. Every
NHS number is in the 999 test range with a valid Modulus 11 check digit."""

import csv
import io
import json
from datetime import date, datetime, time
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homeward.cases import spells
from homeward.cases.models import (
    CaseState,
    CaseTransition,
    DelayEpisode,
    DischargeCase,
    Patient,
)
from homeward.core.access import SYSTEM
from homeward.core.models import AuditEvent, Organisation, OrganisationKind
from homeward.core.nhs_number import check_digit
from tests.conftest import TEST_DATA

pytestmark = pytest.mark.django_db

SMALL = TEST_DATA / "spells_small.csv"
BAD = TEST_DATA / "spells_bad.csv"
LONDON = timezone.get_default_timezone()


def local(day: date, at: time = time(12)) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), LONDON)


def import_json(path: Path) -> dict:
    out = io.StringIO()
    call_command("import_spells", str(path), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["read"] == (
        report["created"] + report["updated"] + report["unchanged"] + report["rejected"]
    )
    assert report["rejected"] == len(report["rejections"])
    return report


def measures(*args: str) -> dict:
    out = io.StringIO()
    call_command("measures_drd", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=spells.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_numbers(n: int) -> list[str]:
    found, i = [], 0
    while len(found) < n:
        nine = f"999{i:06d}"
        digit = check_digit(nine)
        if digit is not None:
            found.append(f"{nine}{digit}")
        i += 1
    return found


test_numbers.__test__ = False  # a helper, not a test


def counts() -> tuple[int, int, int, int, int]:
    return (
        DischargeCase.objects.count(),
        Patient.objects.count(),
        DelayEpisode.objects.count(),
        CaseTransition.objects.count(),
        Organisation.objects.filter(kind__in=["trust", "site"]).count(),
    )


def case(spell_id: str) -> DischargeCase:
    return DischargeCase.objects.select_related("trust", "site", "council", "pathway").get(
        spell_id=spell_id
    )


# The import


def test_import_creates_cases_patients_organisations_and_delays():
    report = import_json(SMALL)
    assert (report["read"], report["created"], report["updated"], report["unchanged"]) == (
        10,
        10,
        0,
        0,
    )
    assert report["rejections"] == []
    # S001 and S009 are the same person (readmitted): nine patients, created with the number only.
    assert Patient.objects.count() == 9
    assert Patient.objects.get(nhs_number="9990000018").cases.count() == 2
    assert Patient.objects.get(nhs_number="9990000026").given_name == ""
    # Unknown sites become site organisations under the trust named by their first 3 characters.
    trust = Organisation.objects.get(kind=OrganisationKind.TRUST, code="RBV")
    sites = Organisation.objects.filter(kind=OrganisationKind.SITE).order_by("code")
    assert [(s.code, s.parent_id) for s in sites] == [("RBV01", trust.pk), ("RBV02", trust.pk)]

    s002 = case("S002")
    assert s002.state == CaseState.DISCHARGED
    assert (s002.trust.code, s002.site.code, s002.council.code) == ("RBV", "RBV01", "E08000009")
    assert s002.discharge_ready_date == date(2024, 5, 3)
    assert s002.discharged_at == local(date(2024, 5, 4))
    assert s002.pathway.code == "P1"
    assert s002.owner_organisation_id == trust.pk
    delay = s002.delays.get()
    assert (delay.reason.code, delay.attribution, delay.primary) == ("R13", "social_care", True)
    assert delay.started_at == local(date(2024, 5, 3), time(0))
    assert delay.ended_at == local(date(2024, 5, 4))

    s007 = case("S007")  # still in hospital: awaiting provision with an open primary delay
    assert s007.state == CaseState.AWAITING_PROVISION
    assert s007.discharged_at is None
    assert s007.delays.get().ended_at is None
    assert case("S006").delays.get().reason.code == "Dii"  # legacy DTOC code accepted
    assert case("S009").delays.get().attribution == "social_care"  # "social care" accepted
    assert case("S010").pathway.code == "P0"  # "p0" accepted
    assert not case("S004").delays.exists()
    assert case("S004").discharge_ready_date is None

    history = CaseTransition.objects.filter(case__spell_id="S007").get()
    assert (history.from_state, history.to_state) == ("", CaseState.AWAITING_PROVISION)
    assert "spells_small.csv" in history.reason
    event = AuditEvent.objects.get(action="cases.import")
    assert (event.object_type, event.object_id, event.username) == (
        "file",
        "spells_small.csv",
        "system",
    )
    assert event.detail == {"read": 10, "created": 10, "updated": 0, "unchanged": 0, "rejected": 0}


def test_reimporting_the_same_file_changes_nothing():
    import_json(SMALL)
    before = counts()
    stamps = dict(DischargeCase.objects.values_list("spell_id", "updated_at"))
    report = import_json(SMALL)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 10)
    assert counts() == before
    assert dict(DischargeCase.objects.values_list("spell_id", "updated_at")) == stamps
    assert AuditEvent.objects.filter(action="cases.import").count() == 2


def test_changed_rows_update_in_place(tmp_path):
    import_json(SMALL)
    rows = read_csv(SMALL)
    by_id = {r["spell_id"]: r for r in rows}
    by_id["S007"]["discharge_date"] = "2024-06-01"  # now discharged
    by_id["S002"]["primary_delay_reason"] = "R05"  # a different primary reason
    by_id["S003"]["discharge_ready_date"] = "2024-05-01"  # corrected DRD, same reason
    by_id["S005"]["site_code"] = "RCA01"  # a new trust and site
    report = import_json(write_csv(tmp_path / "spells_v2.csv", rows))
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 4, 6)

    s007 = case("S007")
    assert s007.state == CaseState.DISCHARGED
    assert s007.discharged_at == local(date(2024, 6, 1))
    assert s007.delays.get().ended_at == local(date(2024, 6, 1))
    moves = list(s007.transitions.values_list("from_state", "to_state"))
    assert moves == [("", "awaiting_provision"), ("awaiting_provision", "discharged")]

    s002 = case("S002")
    assert list(s002.delays.order_by("id").values_list("reason__code", "primary")) == [
        ("R13", False),  # replaced: no longer the primary reason, its dates kept
        ("R05", True),
    ]
    s003 = case("S003")
    assert s003.discharge_ready_date == date(2024, 5, 1)
    assert s003.delays.get().started_at == local(date(2024, 5, 1), time(0))
    s005 = case("S005")
    assert (s005.trust.code, s005.site.code, s005.site.parent.code) == ("RCA", "RCA01", "RCA")

    assert import_json(tmp_path / "spells_v2.csv")["unchanged"] == 10


def test_a_new_primary_reason_demotes_an_open_one(tmp_path):
    import_json(SMALL)
    rows = read_csv(SMALL)
    rows[6]["primary_delay_reason"] = "R15"  # S007, still in hospital with R14 open
    report = import_json(write_csv(tmp_path / "spells.csv", rows))
    assert report["updated"] == 1
    delays = case("S007").delays.order_by("id")
    assert list(delays.values_list("reason__code", "primary", "ended_at")) == [
        ("R14", False, None),
        ("R15", True, None),
    ]


def test_discharging_an_imported_case_closes_its_other_open_delays(tmp_path):
    import_json(SMALL)
    s007 = case("S007")
    extra = DelayEpisode.objects.create(
        case=s007,
        reason=s007.delays.get().reason,
        attribution="nhs",
        primary=False,
        started_at=local(date(2024, 5, 26)),
    )
    rows = read_csv(SMALL)
    rows[6]["discharge_date"] = "2024-05-30"
    import_json(write_csv(tmp_path / "spells.csv", rows))
    extra.refresh_from_db()
    assert extra.ended_at == local(date(2024, 5, 30))


def test_bad_rows_are_rejected_with_line_and_reason():
    report = import_json(BAD)
    reasons = {r["line"]: r["reason"] for r in report["rejections"]}
    assert report["read"] == 14
    assert report["created"] == 1  # B013 on line 13
    assert report["rejected"] == 13
    expected = {
        2: "bad NHS number: this is not a valid NHS number (the check digit does not match)",
        3: "use a test NHS number starting 999",
        4: "unknown council code 'E0800009' (did you mean E08000009?)",
        5: "admission date '2024-13-01' is not a real date",
        6: "discharge ready date before admission",
        7: "discharge before the discharge ready date",
        8: "unknown pathway code 'P5' (use P0, P1, P2, P3)",
        9: "unknown delay reason code 'R19'",
        10: "attribution 'council' is not one of nhs, social_care or both",
        11: "admission date '01/05/2024' is not a date (use YYYY-MM-DD)",
        12: "spell_id is missing",
        14: "spell B013 already appears on line 13",
        15: "the row has 5 values but the header has 10",
    }
    assert set(reasons) == set(expected)
    for line, text in expected.items():
        assert text in reasons[line], (line, reasons[line])
    assert list(DischargeCase.objects.values_list("spell_id", flat=True)) == ["B013"]
    assert case("B013").delays.get().reason.code == "A"  # legacy DTOC code


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"primary_delay_reason": "", "attribution": "nhs"}, "an attribution needs a primary"),
        ({"attribution": ""}, "a primary delay reason needs an attribution"),
        ({"discharge_ready_date": ""}, "a primary delay reason needs a discharge ready date"),
        ({"discharge_date": "2099-01-01"}, "discharge date 2099-01-01 is in the future"),
        ({"site_code": "RB"}, "site code 'RB' is not an ODS site code"),
        ({"council_code": "E07000026"}, "unknown council code 'E07000026'"),
        ({"nhs_number": ""}, "bad NHS number: an NHS number is 10 digits"),
        ({"admission_date": ""}, "admission date is missing"),
        ({"spell_id": "X" * 65}, "spell_id is longer than 64 characters"),
        (
            {
                "discharge_ready_date": "",
                "primary_delay_reason": "",
                "attribution": "",
                "discharge_date": "2024-04-01",
            },
            "discharge before admission",
        ),
    ],
)
def test_more_rejections(tmp_path, change, reason):
    row = dict(read_csv(SMALL)[1]) | change
    report = import_json(write_csv(tmp_path / "one.csv", [row]))
    assert report["rejected"] == 1
    assert reason in report["rejections"][0]["reason"]
    assert not DischargeCase.objects.exists()


def test_every_problem_of_a_row_is_named(tmp_path):
    row = dict(read_csv(SMALL)[1]) | {"pathway": "P9", "attribution": "council"}
    report = import_json(write_csv(tmp_path / "one.csv", [row]))
    assert report["rejections"][0]["reason"] == (
        "unknown pathway code 'P9' (use P0, P1, P2, P3); "
        "attribution 'council' is not one of nhs, social_care or both"
    )


def test_production_refuses_test_numbers(settings):
    settings.PRODUCTION = True
    report = import_json(SMALL)
    assert report["rejected"] == 10
    assert "for test patients only" in report["rejections"][0]["reason"]


def test_a_missing_column_makes_the_file_unreadable_and_changes_nothing(tmp_path):
    import_json(SMALL)
    before = counts()
    audits = AuditEvent.objects.count()
    text = SMALL.read_text().replace(",attribution\n", "\n", 1)
    path = tmp_path / "no_attribution.csv"
    path.write_text(text)
    with pytest.raises(CommandError, match="lacks the column attribution; expected spell_id"):
        call_command("import_spells", str(path), "--json", stdout=io.StringIO())
    assert counts() == before
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"\xff\xfe\x00bad", "is not UTF-8 text")],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "spells.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_spells", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_spells", str(tmp_path / "absent.csv"), stdout=io.StringIO())


def test_columns_are_found_by_name_in_any_order(tmp_path):
    rows = read_csv(SMALL)
    path = tmp_path / "reordered.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=[*reversed(spells.COLUMNS), "ward"])
        writer.writeheader()
        writer.writerows([r | {"ward": "7B"} for r in rows])
    assert import_json(path)["created"] == 10


def test_a_failure_part_way_leaves_the_database_as_it_was():
    before = counts()
    with (
        mock.patch.object(spells.audit, "record", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        spells.import_spells(actor=SYSTEM, path=SMALL)
    assert counts() == before


def test_the_readable_report(tmp_path):
    out = io.StringIO()
    call_command("import_spells", str(BAD), stdout=out)
    text = out.getvalue()
    assert text.startswith(
        "spells_bad.csv: read 14, created 1, updated 0, unchanged 0, rejected 13"
    )
    assert "  line 7: discharge before the discharge ready date" in text


def test_queries_do_not_grow_with_rows(tmp_path):
    def generated(n: int, name: str) -> Path:
        rows = [
            {
                "spell_id": f"{name}-{i}",
                "nhs_number": number,
                "site_code": f"R{i % 7:02d}0{i % 3}",
                "council_code": ["E08000009", "E08000003", "E09000001"][i % 3],
                "admission_date": "2024-04-01",
                "discharge_ready_date": "2024-04-10",
                "discharge_date": "2024-04-12" if i % 2 else "",
                "pathway": f"P{i % 4}",
                "primary_delay_reason": "R13" if i % 5 == 0 else "",
                "attribution": "nhs" if i % 5 == 0 else "",
            }
            for i, number in enumerate(test_numbers(n))
        ]
        return write_csv(tmp_path / f"{name}.csv", rows)

    small, large = generated(20, "small"), generated(400, "large")
    with CaptureQueriesContext(connection) as few:
        assert import_json(small)["created"] == 20
    with CaptureQueriesContext(connection) as many:
        assert import_json(large)["created"] == 400
    # Lookups are one query per table; inserts go in batches (SQLite takes ~37 cases each).
    assert len(many) - len(few) <= (400 - 20) // 20
    with CaptureQueriesContext(connection) as again:
        assert import_json(large)["unchanged"] == 400
    assert len(again) <= len(few)


# measures_drd end-to-end on the imported spells (hand-computed from spells_small.csv).
# Discharged in May 2024: S001 0, S002 1, S003 12, S004 no DRD (not delayed), S005 3,
# S006 49, S009 5, S010 0 days. S007 is still in hospital; S008 left on 2 June.
BANDS_EMPTY = {"people": 0, "bed_days": 0}


def test_measures_for_may():
    import_json(SMALL)
    assert measures("--from", "2024-05-01", "--to", "2024-05-31") == {
        "discharges": 8,
        "pct_discharged_on_drd": 37.5,
        "pct_delayed": 62.5,
        "avg_delay_days_excl_zero": 14.0,
        "delay_bands": {
            "1": {"people": 1, "bed_days": 1},
            "2-3": {"people": 1, "bed_days": 3},
            "4-6": {"people": 1, "bed_days": 5},
            "7-13": {"people": 1, "bed_days": 12},
            "14-20": BANDS_EMPTY,
            "21+": {"people": 1, "bed_days": 49},
        },
        "delayed_bed_days": 70,
    }


def test_measures_for_one_council_and_one_site():
    import_json(SMALL)
    trafford = measures("--from", "2024-05-01", "--to", "2024-05-31", "--council", "E08000009")
    # S001 0, S002 1, S004 -, S006 49, S009 5, S010 0: (1 + 49 + 5) / 3 = 18.33
    assert trafford["discharges"] == 6
    assert (trafford["pct_discharged_on_drd"], trafford["pct_delayed"]) == (50.0, 50.0)
    assert trafford["avg_delay_days_excl_zero"] == 18.3
    assert trafford["delayed_bed_days"] == 55
    site = measures("--from", "2024-05-01", "--to", "2024-05-31", "--site", "rbv02")
    assert site["discharges"] == 2
    assert site["pct_delayed"] == 100.0
    assert site["avg_delay_days_excl_zero"] == 7.5
    assert site["delay_bands"]["2-3"] == {"people": 1, "bed_days": 3}
    assert site["delay_bands"]["7-13"] == {"people": 1, "bed_days": 12}


def test_the_window_is_inclusive_in_local_time():
    import_json(SMALL)
    assert measures("--from", "2024-05-02", "--to", "2024-05-02")["discharges"] == 1  # S001
    assert measures("--from", "2024-05-03", "--to", "2024-05-31")["discharges"] == 7
    assert measures("--from", "2024-06-01", "--to", "2024-06-30")["discharges"] == 1  # S008
    # Half past midnight on 1 June in London is still 31 May in UTC: it counts in June.
    s007 = case("S007")
    DischargeCase.objects.filter(pk=s007.pk).update(
        state=CaseState.DISCHARGED, discharged_at=local(date(2024, 6, 1), time(0, 30))
    )
    june = measures("--from", "2024-06-01", "--to", "2024-06-30")
    assert june["discharges"] == 2
    assert june["delay_bands"]["7-13"] == {"people": 1, "bed_days": 7}  # 25 May -> 1 June
    assert measures("--from", "2024-05-01", "--to", "2024-05-31")["discharges"] == 8


def test_measures_on_an_empty_window():
    import_json(SMALL)
    result = measures("--from", "2023-01-01", "--to", "2023-01-31")
    assert result["discharges"] == 0
    assert result["pct_delayed"] == 0.0
    assert all(band == BANDS_EMPTY for band in result["delay_bands"].values())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-13-01", "--to", "2024-12-31"], "--from '2024-13-01' is not a date"),
        (["--from", "2024-05-01", "--to", "31/05/2024"], "--to '31/05/2024' is not a date"),
        (["--from", "2024-06-01", "--to", "2024-05-01"], "--from 2024-06-01 is after --to"),
        (["--from", "2024-05-01", "--to", "2024-05-31", "--council", "E99"], "no council has"),
        (["--from", "2024-05-01", "--to", "2024-05-31", "--site", "XXX01"], "no hospital site"),
    ],
)
def test_measures_refuse_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("measures_drd", *args, "--json", stdout=io.StringIO())


def test_measures_refuse_a_discharge_before_the_drd():
    import_json(SMALL)
    DischargeCase.objects.filter(spell_id="S001").update(discharge_ready_date=date(2024, 5, 3))
    with pytest.raises(CommandError, match="1 spell discharged before the discharge ready date"):
        measures("--from", "2024-05-01", "--to", "2024-05-31")


def test_measures_table():
    import_json(SMALL)
    out = io.StringIO()
    call_command("measures_drd", "--from", "2024-05-01", "--to", "2024-05-31", stdout=out)
    text = out.getvalue()
    assert "discharges 2024-05-01 to 2024-05-31" in text
    assert "37.5%" in text
    assert "of which no DRD recorded                   1" in text
    assert "21+" in text
