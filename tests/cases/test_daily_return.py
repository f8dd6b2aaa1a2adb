"""The daily acute discharge return (Tables 2 and 3) computed from hand-built cases."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from homeward.cases import daily_return, services
from homeward.cases.daily_return import (
    NO_REASON_HEADER,
    TABLE2_HEADER,
    TABLE3_LEAD,
    compute,
    compute_range,
    to_csv,
    to_xlsx,
)
from homeward.cases.models import CaseState, CriteriaEvent, DelayEpisode, ReferenceCode
from homeward.core import clock
from homeward.core.access import Actor
from homeward.core.models import Organisation, OrganisationKind, Role
from homeward.core.nhs_number import check_digit

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 10, 14)  # BST: local = UTC + 1
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=LONDON)
_serial = count(400000)


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=LONDON)


def nhs_number() -> str:
    while True:
        first_nine = f"999{next(_serial):06d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return f"{first_nine}{digit}"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def actor(coordinator, trust):
    return Actor(user=coordinator, organisation=trust, role=Role.DISCHARGE_COORDINATOR)


@pytest.fixture
def reasons(db):
    return {r.code: r for r in ReferenceCode.objects.filter(list="delay_reason")}


def make_case(
    actor,
    trust,
    *,
    admitted=date(2026, 10, 1),
    ready=None,
    meets_again=None,
    delays=(),
    discharged=None,
    cancelled=False,
):
    """A case at `trust`: not meeting the criteria from `ready`, meeting them again at
    `meets_again`; `delays` are (reason, started_at, primary, ended_at) in order."""
    patient = services.register_patient(
        actor=actor,
        nhs_number_raw=nhs_number(),
        given_name="Test",
        family_name="Patient",
        date_of_birth=date(1940, 1, 1),
        sex="F",
    )
    case = services.open_case(
        actor=actor, patient=patient, trust=trust, admission_date=admitted, ready_at=ready
    )
    if meets_again is not None:
        services.record_criteria(actor=actor, case=case, meets_criteria=True, at=meets_again)
    # All episodes are opened before any ends, as they would be on a ward.
    episodes = [
        (
            services.add_delay(
                actor=actor,
                case=case,
                reason=reason,
                attribution="social_care",
                primary=primary,
                started_at=started,
            ),
            ended,
        )
        for reason, started, primary, ended in delays
    ]
    for episode, ended in episodes:
        if ended is not None:
            services.end_delay(actor=actor, episode=episode, at=ended)
    if discharged is not None:
        services.transition(actor=actor, case=case, to_state=CaseState.DISCHARGED, at=discharged)
    if cancelled:
        services.transition(actor=actor, case=case, to_state=CaseState.CANCELLED, at=ready)
    return case


@pytest.fixture
def other_trust(db):
    return Organisation.objects.create(
        kind=OrganisationKind.TRUST, code="RBV", name="The Christie NHS FT"
    )


@pytest.fixture
def scenario(actor, trust, other_trust, reasons):
    r = reasons
    make = make_case
    # Ready all day, remaining; R06 first (primary by default), then R15 made primary.
    make(
        actor,
        trust,
        ready=at(10, 9),
        delays=[(r["R06"], at(10, 10), False, None), (r["R15"], at(11, 10), True, None)],
    )
    # Discharged on the day at 16:59, 17:00:00 and 17:00:30 (all "by 17:00").
    make(actor, trust, ready=at(13, 9), discharged=at(14, 16, 59))
    make(actor, trust, ready=at(12, 9), discharged=at(14, 17, 0))
    make(actor, trust, ready=at(12, 9), discharged=at(14, 17, 0, 30))
    # 17:01 BST given in UTC (16:01Z): local time decides, so "between 17:01 and 23:59".
    make(actor, trust, ready=at(12, 9), discharged=datetime(2026, 10, 14, 16, 1, tzinfo=UTC))
    # Admitted the day before, ready in the afternoon, discharged the same evening.
    make(actor, trust, admitted=date(2026, 10, 13), ready=at(14, 14), discharged=at(14, 20, 30))
    # Not counted: met the criteria again before the day, still in hospital.
    make(actor, trust, ready=at(10, 9), meets_again=at(13, 18))
    # Not counted: admitted (and ready) the next day.
    make(actor, trust, admitted=date(2026, 10, 15), ready=at(15, 9))
    # Not counted: discharged the previous day.
    make(actor, trust, ready=at(10, 9), discharged=at(13, 15))
    # Not counted: another trust.
    make(actor, other_trust, ready=at(10, 9), delays=[(r["R01"], at(10, 9), True, None)])
    # Not counted: never stopped meeting the criteria.
    make(actor, trust)
    # Not counted: case cancelled.
    make(actor, trust, ready=at(10, 9), cancelled=True)
    # Remaining, no delay recorded.
    make(actor, trust, ready=at(13, 9))
    # Remaining, ready at midnight, meets the criteria again at 11:00: counted, reason R09.
    make(
        actor,
        trust,
        ready=at(12, 9),
        meets_again=at(14, 11),
        delays=[(r["R09"], at(14, 11), True, None)],
    )
    # Remaining, its only delay ended during the day: no reason at the end of the day.
    make(actor, trust, ready=at(14, 9), delays=[(r["R05"], at(14, 9), True, at(14, 15))])
    # Remaining, its primary delay ended after the day (end_delay clears the flag): R13.
    make(actor, trust, ready=at(10, 9), delays=[(r["R13"], at(10, 9), True, at(16, 9))])
    # Remaining: discharged the next day (discharge closes the delay then): R14.
    make(
        actor,
        trust,
        ready=at(12, 9),
        delays=[(r["R14"], at(12, 9), True, None)],
        discharged=at(15, 10),
    )


def test_counts_for_one_day(trust, scenario):
    ret = compute(trust, DAY)

    assert (ret.day, ret.org_code, ret.org_name) == (DAY, "R0A", "Manchester University NHS FT")
    assert ret.not_meeting_criteria == 11
    assert ret.discharged_by_1700 == 3
    assert ret.discharged_1701_2359 == 2
    assert ret.remaining == 6
    assert ret.remaining == ret.not_meeting_criteria - ret.discharged_by_1700 - (
        ret.discharged_1701_2359
    )
    assert ret.no_reason_recorded == 2
    expected = dict.fromkeys((f"R{i:02d}" for i in range(1, 19)), 0)
    expected.update(R09=1, R13=1, R14=1, R15=1)
    assert ret.reason_counts == expected
    assert list(ret.reason_counts) == [f"R{i:02d}" for i in range(1, 19)]
    assert sum(ret.reason_counts.values()) + ret.no_reason_recorded == ret.remaining


def test_neighbouring_days(trust, scenario):
    before, after = compute(trust, date(2026, 10, 13)), compute(trust, date(2026, 10, 15))
    # 13th: not yet the afternoon case of the 14th nor the R05 case; the case that met the
    # criteria again at 18:00 counts, the one discharged at 15:00 counts as discharged.
    assert (before.not_meeting_criteria, before.discharged_by_1700) == (11, 1)
    assert (before.discharged_1701_2359, before.remaining) == (0, 10)
    # 15th: the remaining of the 14th except the R09 case (meets the criteria since the
    # 14th), plus the case admitted and ready that day; the R14 case leaves at 10:00.
    assert (after.not_meeting_criteria, after.discharged_by_1700) == (6, 1)
    assert (after.discharged_1701_2359, after.remaining) == (0, 5)
    assert after.no_reason_recorded == 3  # no reason, R05 ended, admitted on the 15th
    assert after.reason_counts["R15"] == 1 and after.reason_counts["R13"] == 1
    assert after.reason_counts["R09"] == 0 and after.reason_counts["R14"] == 0


def test_range_matches_single_days(trust, scenario):
    days = compute_range(trust, date(2026, 10, 12), date(2026, 10, 16))
    assert [r.day for r in days] == [date(2026, 10, 12) + timedelta(days=i) for i in range(5)]
    assert days == [compute(trust, r.day) for r in days]


def test_day_when_clocks_go_back(actor, trust):
    day = date(2026, 10, 25)  # 25 hours: 2026-10-24 23:00Z to 2026-10-26 00:00Z
    make_case(actor, trust, ready=at(20, 9), discharged=datetime(2026, 10, 24, 23, 30, tzinfo=UTC))
    make_case(actor, trust, ready=at(20, 9), discharged=datetime(2026, 10, 25, 16, 30, tzinfo=UTC))
    make_case(actor, trust, ready=at(20, 9), discharged=datetime(2026, 10, 25, 23, 30, tzinfo=UTC))
    make_case(actor, trust, ready=at(20, 9), discharged=datetime(2026, 10, 26, 0, 30, tzinfo=UTC))
    ret = compute(trust, day)
    assert (ret.not_meeting_criteria, ret.discharged_by_1700, ret.discharged_1701_2359) == (4, 2, 1)
    assert (ret.remaining, ret.no_reason_recorded) == (1, 1)


def test_edge_instants(actor, trust):
    # Met the criteria again exactly at midnight: not counted on the day.
    make_case(actor, trust, ready=at(10, 9), meets_again=at(14, 0))
    # Ready at midnight exactly: counted.
    make_case(actor, trust, ready=at(14, 0))
    # Ready at the moment of discharge: counted and discharged.
    make_case(actor, trust, ready=at(14, 10), discharged=at(14, 10))
    # "Does not meet" recorded after the discharge: not counted.
    # (services refuse such an entry now; imported histories may still hold one)
    late_entry = make_case(actor, trust, discharged=at(14, 10))
    CriteriaEvent.objects.create(case=late_entry, meets_criteria=False, at=at(14, 12))
    # Ready from the next midnight: not counted.
    make_case(actor, trust, ready=at(15, 0))
    ret = compute(trust, DAY)
    assert (ret.not_meeting_criteria, ret.discharged_by_1700, ret.remaining) == (2, 1, 1)
    assert compute_range(trust, DAY, DAY + timedelta(days=1))[0] == ret


def test_primary_when_flags_were_changed_later(actor, trust, reasons):
    r = reasons
    # Both episodes closed after the day with end_delay, which keeps the primary flag as
    # history: the episode that was primary (the first added) is counted.
    make_case(
        actor,
        trust,
        ready=at(10, 9),
        delays=[(r["R06"], at(10, 10), False, at(16, 9)), (r["R15"], at(11, 10), False, at(17, 9))],
    )
    # Two flagged episodes open at the end of the day (imported data): the latest started.
    case = make_case(actor, trust, ready=at(10, 9), delays=[(r["R03"], at(12, 9), True, None)])
    DelayEpisode.objects.create(
        case=case,
        reason=r["R02"],
        attribution="nhs",
        primary=True,
        started_at=at(11, 9),
        ended_at=at(16, 9),
    )
    assert compute(trust, DAY).reason_counts == {
        **dict.fromkeys((f"R{i:02d}" for i in range(1, 19)), 0),
        "R03": 1,
        "R06": 1,
    }


def test_empty_day(trust):
    ret = compute(trust, DAY)
    assert (ret.not_meeting_criteria, ret.remaining, ret.no_reason_recorded) == (0, 0, 0)
    assert len(ret.reasons) == 18 and not any(r.count for r in ret.reasons)


def test_only_trusts_make_a_return(council):
    with pytest.raises(ValueError, match="not an NHS trust"):
        compute(council, DAY)


def test_reason_columns_follow_the_list_validity(trust):
    ReferenceCode.objects.create(
        list="delay_reason", code="R19", label="A new reason", sort_order=19, valid_from=DAY
    )
    ReferenceCode.objects.filter(list="delay_reason", code="R01").update(
        valid_to=DAY - timedelta(days=1)
    )
    before, on = compute_range(trust, DAY - timedelta(days=1), DAY)
    assert list(before.reason_counts) == [f"R{i:02d}" for i in range(1, 19)]
    assert list(on.reason_counts) == [f"R{i:02d}" for i in range(2, 20)]
    lines = list(csv.reader(io.StringIO(to_csv([before, on], table=3))))
    assert lines[0][3] == ReferenceCode.objects.get(code="R01", list="delay_reason").label
    assert lines[0][-2:] == ["A new reason", NO_REASON_HEADER]
    assert (lines[1][3], lines[1][-2]) == ("0", "")  # R01 on the 13th; R19 not yet
    assert (lines[2][3], lines[2][-2]) == ("", "0")  # R01 withdrawn on the 14th; R19 new


def test_csv_has_both_tables(trust, scenario, reasons):
    returns = compute_range(trust, date(2026, 10, 13), date(2026, 10, 14))
    lines = list(csv.reader(io.StringIO(to_csv(returns))))
    labels = [reasons[f"R{i:02d}"].label for i in range(1, 19)]

    assert lines[0] == ["Table 2"]
    assert lines[1] == list(TABLE2_HEADER)
    assert lines[2] == ["2026-10-13", "R0A", "Manchester University NHS FT", "11", "1", "0", "10"]
    assert lines[3] == ["2026-10-14", "R0A", "Manchester University NHS FT", "11", "3", "2", "6"]
    assert lines[4] == []
    assert lines[5] == ["Table 3"]
    assert lines[6] == [*TABLE3_LEAD, *labels, NO_REASON_HEADER]
    row = dict(zip(lines[6], lines[8], strict=True))
    assert row["Date"] == "2026-10-14"
    assert row[reasons["R15"].label] == "1"
    assert row[reasons["R06"].label] == "0"
    assert row[NO_REASON_HEADER] == "2"
    assert len(lines) == 9


@pytest.mark.parametrize("table", [2, 3])
def test_csv_single_table(trust, scenario, table):
    returns = [compute(trust, DAY)]
    lines = list(csv.reader(io.StringIO(to_csv(returns, table=table))))
    assert len(lines) == 2
    assert lines[0][:3] == ["Date", "Org Code", "Org Name"]
    assert lines[1][:3] == ["2026-10-14", "R0A", "Manchester University NHS FT"]
    assert lines[1][-1] == ("6" if table == 2 else "2")


def test_csv_rejects_unknown_table():
    with pytest.raises(ValueError, match="table must be"):
        to_csv([], table=4)


def test_xlsx_layout(trust, scenario, reasons):
    returns = compute_range(trust, date(2026, 10, 13), date(2026, 10, 14))
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(returns)))
    assert book.sheetnames == ["Table 2", "Table 3"]

    table2 = list(book["Table 2"].iter_rows(values_only=True))
    assert table2[0] == TABLE2_HEADER
    assert table2[2] == (
        datetime(2026, 10, 14),
        "R0A",
        "Manchester University NHS FT",
        11,
        3,
        2,
        6,
    )
    assert all(cell.font.bold for cell in book["Table 2"][1])

    table3 = list(book["Table 3"].iter_rows(values_only=True))
    labels = tuple(reasons[f"R{i:02d}"].label for i in range(1, 19))
    assert table3[0] == (*TABLE3_LEAD, *labels, NO_REASON_HEADER)
    row = dict(zip(table3[0], table3[2], strict=True))
    assert row[reasons["R09"].label] == 1 and row[reasons["R01"].label] == 0
    assert row[NO_REASON_HEADER] == 2
    assert all(cell.font.bold for cell in book["Table 3"][1])
    assert len(table3) == 3


def test_writers_neutralise_formulas(trust):
    trust.name = "=HYPERLINK(1)"
    text = to_csv([compute(trust, DAY)], table=2)
    assert "'=HYPERLINK(1)" in text
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx([compute(trust, DAY)])))
    assert book["Table 2"]["C2"].value == "'=HYPERLINK(1)"
    assert book["Table 2"]["C2"].data_type == "s"


def test_unlisted_primary_reason_gets_its_own_column(actor, trust):
    # Services refuse a non-current reason; an imported history may still carry one.
    legacy = ReferenceCode.objects.get(list="legacy_dtoc", code="A")
    case = make_case(actor, trust, ready=at(10, 9))
    DelayEpisode.objects.create(
        case=case, reason=legacy, attribution="nhs", primary=True, started_at=at(10, 9)
    )
    ret = compute(trust, DAY)
    assert ret.remaining == 1 and ret.no_reason_recorded == 0
    assert ret.reasons[-1].code == "A" and ret.reasons[-1].count == 1
    assert len(ret.reasons) == 19


def test_query_count_is_bounded(actor, trust, reasons, django_assert_max_num_queries):
    for i in range(30):
        delays = [(reasons[f"R{i % 18 + 1:02d}"], at(10, 9), True, None)] if i % 3 else []
        discharged = at(14, 10 + i % 12) if i % 4 == 0 else None
        make_case(actor, trust, ready=at(10 + i % 4, 9), delays=delays, discharged=discharged)
    with django_assert_max_num_queries(4):
        ret = compute(trust, DAY)
    assert ret.not_meeting_criteria == 30
    assert ret.remaining == 30 - 8
    with django_assert_max_num_queries(4):
        month = compute_range(trust, date(2026, 10, 1), date(2026, 10, 31))
    assert len(month) == 31 and month[13] == ret


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 10, 15), date(2026, 10, 14), "after the end date"),
        (date(2026, 10, 1), date(2026, 11, 1), "at most 31 days"),
    ],
)
def test_invalid_ranges(trust, start, end, message):
    with pytest.raises(ValueError, match=message):
        compute_range(trust, start, end)


def test_single_day_range(trust):
    assert [r.day for r in compute_range(trust, DAY, DAY)] == [DAY]


def test_inconsistent_return_is_refused():
    with pytest.raises(ValueError, match="remaining"):
        daily_return.DailyReturn(
            day=DAY,
            org_code="R0A",
            org_name="x",
            not_meeting_criteria=3,
            discharged_by_1700=1,
            discharged_1701_2359=1,
            remaining=2,
            reasons=(),
            no_reason_recorded=2,
        )
